"""Side by side: jiance against the tools a user would otherwise pick, on the same inputs, whole
processes, interleaved rounds on this machine, medians. Prints one table.

- crawl: Scrapy (CSS extraction only) and `jiance run --once` (fetch, archive, parse, analyze,
  index, store) on the loopback site of site.py (100 host names, 4,200 pages);
- extract: Python jieba with keyword rules (extract_jieba.py) and `jiance extract` on the labelled
  evaluation texts repeated to LINES lines;
- score: a Python polars EARS-style scorer (score_polars.py) and `jiance score`, when the score
  comparison's files are present (see score_polars.py).

Run through run.sh, which installs the Python packages and builds jiance in release first.
Usage: python3 peers.py JIANCE_BINARY [ROUNDS]"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LINES = 20_000


def measure(cmd, stdin=None, stdout=subprocess.DEVNULL, cwd=None):
    """Wall seconds and peak RSS (MB) of one whole process, and what it printed (stdout, then stderr)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd)
    _, status, usage = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode(errors="replace") if p.stderr else ""
    out = p.stdout.read().decode(errors="replace") if p.stdout else ""
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({p.returncode}):\n{err[-2000:]}")
    # both streams: jiance prints its summary on stderr, Scrapy its stats on stdout
    return secs, usage.ru_maxrss / 1024, out + err


def start_site(hosts=100, port=18080):
    site = subprocess.Popen(
        [sys.executable, str(HERE / "site.py"), str(hosts), str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    addrs = [site.stdout.readline().strip() for _ in range(hosts)]
    return site, addrs


def jiance_crawl_dir(addrs):
    d = Path(tempfile.mkdtemp(prefix="peers-crawl-"))
    sources = []
    for i, a in enumerate(addrs):
        sources.append(
            f"""[[source]]
name = "host-{i}"
kind = "html"
channel = "complaint"
start = ["http://{a}/list/1"]
[source.politeness]
rps = 1000000
concurrency = 8
robots = false
[source.list]
links = "a.d"
next = "a[rel=next]"
[source.detail]
title = "h1"
text = "div.text"
"""
        )
    (d / "sources.toml").write_text("\n".join(sources))
    (d / "config.toml").write_text(
        'data_dir = "data"\nsource_files = ["sources.toml"]\n'
        "[crawl]\nrps = 1000000.0\nconcurrency = 64\nper_host_concurrency = 8\nobey_robots = false\n"
    )
    return d


def extract_input():
    texts = [json.loads(l) for l in (ROOT / "tests/eval/labelled.jsonl").read_text().splitlines() if l.strip()]
    path = Path(tempfile.mkstemp(prefix="peers-extract-", suffix=".jsonl")[1])
    with path.open("w") as f:
        for n in range(LINES):
            t = texts[n % len(texts)]
            f.write(json.dumps({"id": n, "title": t.get("title", ""), "text": f"{t.get('text', '')}（{n}）"}, ensure_ascii=False) + "\n")
    return path


def main():
    jiance = os.path.abspath(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rows = {}

    def add(task, tool, secs, rss, unit_count, unit):
        rows.setdefault((task, tool), []).append((secs, rss, unit_count / secs, unit))

    site, addrs = start_site()
    try:
        for _ in range(rounds):
            secs, rss, out = measure(
                [sys.executable, "-m", "scrapy", "runspider", str(HERE / "crawl_scrapy.py"), "-a", "hosts=" + ",".join(addrs)],
                stdout=subprocess.PIPE,
            )
            if "items 4000" not in out:
                raise SystemExit(f"Scrapy did not take the 4,000 detail pages: {out[-500:]}")
            add("crawl 4,200 pages", "Scrapy (CSS only)", secs, rss, 4200, "pages/s")
            d = jiance_crawl_dir(addrs)
            secs, rss, out = measure([jiance, "run", "--once", "--config", str(d / "config.toml")], stdout=subprocess.PIPE)
            if "4200 pages, 4000 documents" not in out:
                raise SystemExit(f"jiance did not crawl the 4,200 pages: {out[-500:]}")
            add("crawl 4,200 pages", "jiance run --once (whole pipeline)", secs, rss, 4200, "pages/s")
            shutil.rmtree(d, ignore_errors=True)
    finally:
        site.kill()

    inp = extract_input()
    size = inp.stat().st_size / 1e6
    for _ in range(rounds):
        with inp.open("rb") as f:
            secs, rss, _ = measure([sys.executable, str(HERE / "extract_jieba.py"), str(ROOT / "rules")], stdin=f)
        add(f"extract {LINES:,} lines", "Python jieba + keyword rules", secs, rss, size, "MB/s")
        with inp.open("rb") as f:
            secs, rss, _ = measure([jiance, "extract"], stdin=f)
        add(f"extract {LINES:,} lines", "jiance extract", secs, rss, size, "MB/s")
    inp.unlink()

    score = HERE / "score_compare.py"
    if score.exists():
        out = subprocess.run([sys.executable, str(score), jiance, str(rounds)], capture_output=True, text=True, check=True)
        for line in out.stdout.splitlines():
            task, tool, secs, rss, rate, unit = json.loads(line)
            rows.setdefault((task, tool), []).append((secs, rss, rate, unit))

    print(f"{'task':<24} {'tool':<38} {'time s':>8} {'peak MB':>8} {'rate':>12}")
    for (task, tool), runs in rows.items():
        secs = statistics.median(r[0] for r in runs)
        rss = statistics.median(r[1] for r in runs)
        rate = statistics.median(r[2] for r in runs)
        print(f"{task:<24} {tool:<38} {secs:8.2f} {rss:8.0f} {rate:8.1f} {runs[0][3]}")
    print(f"(medians of {rounds} interleaved rounds; {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
