#!/usr/bin/env python3
"""jiance's generic article extraction side by side with trafilatura and Mozilla Readability.

    benches/articles/compare.py [REALWEB_DIR] [JIANCE_BIN]

Runs the three on every page of REALWEB_DIR/articles (default ../shared/realweb) that has an
expected text and prints, per tool, the median and 10th-percentile F1 against it (characters for
Chinese, Japanese, Thai and Burmese, words otherwise, as tests/it/realweb.rs scores) and pages per
second of extraction alone (jiance: `jiance fetch FILE` timed in-process by its own bench is the
fairer figure; here each page is one process, start-up included, so it is also printed without
the start-up of an empty run). Installs trafilatura (pip) and @mozilla/readability + jsdom (npm,
into benches/articles/node_modules) when missing. Results on the 25 Readability pages measure
agreement with Readability itself (the oracle is its output); the 9 newspaper4k pages are an
independent oracle, so both groups are printed.
"""
import json, os, re, statistics, subprocess, sys, time
from collections import Counter
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
realweb = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "realweb")
jiance = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "target", "release", "jiance")

try:
    import trafilatura
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "trafilatura", "lxml_html_clean"])
    import trafilatura
if not os.path.isdir(os.path.join(HERE, "node_modules", "jsdom")):
    subprocess.check_call(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", HERE,
                           "jsdom@26", "@mozilla/readability@0.6"])


class Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, d):
        self.parts.append(d)


def plain(html):
    p = Text()
    p.feed(html)
    return " ".join(" ".join(p.parts).split())


def units(text, by_char):
    if by_char:
        return [c for c in text if not c.isspace()]
    out = []
    for w in text.split():
        w = re.sub(r"^\W+|\W+$", "", w).lower()
        if w:
            out.append(w)
    return out


def f1(got, want):
    if not got or not want:
        return 0.0
    common = sum((Counter(got) & Counter(want)).values())
    p, r = common / len(got), common / len(want)
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


pages = []
with open(os.path.join(realweb, "MANIFEST.jsonl"), encoding="utf-8") as m:
    for line in m:
        e = json.loads(line)
        if e["file"].startswith("articles/") and e["file"].endswith("/source.html") and e.get("expected"):
            pages.append(e)

results = {"jiance": {}, "trafilatura": {}, "readability": {}}
seconds = {k: 0.0 for k in results}

# jiance: one process per saved page
t0 = time.perf_counter()
subprocess.run([jiance, "--help"], capture_output=True)
startup = time.perf_counter() - t0
for e in pages:
    path = os.path.join(realweb, e["file"])
    t0 = time.perf_counter()
    out = subprocess.run([jiance, "fetch", path], capture_output=True)
    seconds["jiance"] += time.perf_counter() - t0 - startup
    try:
        docs = json.loads(out.stdout)["documents"]
        results["jiance"][e["file"]] = docs[0]["text"] if docs else ""
    except (ValueError, KeyError, IndexError):
        results["jiance"][e["file"]] = ""

# trafilatura, in-process
for e in pages:
    raw = open(os.path.join(realweb, e["file"]), "rb").read()
    t0 = time.perf_counter()
    text = trafilatura.extract(raw) or ""
    seconds["trafilatura"] += time.perf_counter() - t0
    results["trafilatura"][e["file"]] = text

# Readability, one node process for all pages
out = subprocess.run(["node", os.path.join(HERE, "readability.js")]
                     + [os.path.join(realweb, e["file"]) for e in pages],
                     capture_output=True, text=True, cwd=HERE)
if out.returncode != 0 or not out.stdout.strip():
    sys.exit(f"readability.js failed (exit {out.returncode}):\n{out.stderr[-2000:]}")
for line in out.stdout.splitlines():
    r = json.loads(line)
    rel = os.path.relpath(r["file"], realweb)
    results["readability"][rel] = r["text"]
    seconds["readability"] += r["seconds"]

scores = {k: {} for k in results}
for e in pages:
    expected = open(os.path.join(realweb, e["expected"]), encoding="utf-8").read()
    want_text = plain(expected) if e["expected"].endswith(".html") else " ".join(expected.split())
    by_char = (e.get("lang") or "")[:2] in ("zh", "ja", "th", "my")
    want = units(want_text, by_char)
    for tool in results:
        scores[tool][e["file"]] = f1(units(results[tool].get(e["file"], ""), by_char), want)


def row(tool, files):
    s = sorted(scores[tool][f] for f in files)
    return f"{statistics.median(s):.3f}  {s[len(s) // 10]:.3f}"


groups = [("all", [e["file"] for e in pages]),
          ("newspaper4k", [e["file"] for e in pages if "newspaper4k-" in e["file"]]),
          ("readability", [e["file"] for e in pages if "readability-" in e["file"]])]
print(f"{len(pages)} pages; F1 as median  10th percentile")
print(f"{'tool':<12} " + "  ".join(f"{g:<13}" for g, _ in groups) + "  pages/s")
for tool in results:
    rate = len(pages) / seconds[tool] if seconds[tool] > 0 else float("nan")
    print(f"{tool:<12} " + "  ".join(f"{row(tool, fs):<13}" for _, fs in groups) + f"  {rate:.1f}")
