"""What a user would write instead of `jiance extract`: Python jieba segmentation with keyword rules.
Reads jiance's own rule files (category names and aliases from rules/products.toml, hazard terms
from rules/hazards.toml), adds every term to jieba's dictionary, and for each JSON line on stdin
({"id", "text", "title"?}) prints {"id", "categories", "hazards"}: the rules whose terms are among
the words jieba cut. No negation, region, party, fact or near-duplicate handling (jiance does all
of those), so it is a floor under the work a keyword approach takes.
Usage: python3 extract_jieba.py RULES_DIR < in.jsonl > out.jsonl"""

import json
import sys
import tomllib

import jieba


def main() -> None:
    rules = sys.argv[1] if len(sys.argv) > 1 else "rules"
    with open(f"{rules}/products.toml", "rb") as f:
        products = tomllib.load(f)
    with open(f"{rules}/hazards.toml", "rb") as f:
        hazards = tomllib.load(f)
    term_to: dict[str, list[tuple[str, str]]] = {}
    for c in products.get("category", []):
        for t in [c["name"], *c.get("aliases", [])]:
            term_to.setdefault(t, []).append(("category", c["name"]))
    for h in hazards.get("hazard", []):
        for t in [h["name"], *h.get("terms", [])]:
            term_to.setdefault(t, []).append(("hazard", h["name"]))
    jieba.setLogLevel(60)
    for t in term_to:
        jieba.add_word(t)
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError:
            continue
        cats: list[str] = []
        hz: list[str] = []
        for w in jieba.lcut(f"{d.get('title') or ''}\n{d.get('text', '')}"):
            for kind, name in term_to.get(w, ()):
                bucket = cats if kind == "category" else hz
                if name not in bucket:
                    bucket.append(name)
        out.write(json.dumps({"id": d.get("id"), "categories": cats, "hazards": hz}, ensure_ascii=False))
        out.write("\n")


if __name__ == "__main__":
    main()
