"""Peak memory of `jiance extract` on 50,000 and 500,000 lines (issue 22: bounded batch memory,
the second within 1.2× of the first). The lines are the labelled evaluation texts, each with its
line number appended, so every line is new text and many are near-duplicates of earlier ones.
Usage: python3 extract_memory.py JIANCE_BINARY [extra jiance extract arguments]"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def main():
    jiance = sys.argv[1]
    extra = sys.argv[2:]
    texts = [json.loads(l) for l in (ROOT / "tests/eval/labelled.jsonl").read_text().splitlines() if l.strip()]
    peaks = {}
    for lines in (50_000, 500_000):
        path = Path(tempfile.mkstemp(suffix=".jsonl")[1])
        with path.open("w") as f:
            for n in range(lines):
                t = texts[n % len(texts)]
                f.write(json.dumps({"id": n, "title": t.get("title", ""), "text": f"{t.get('text', '')}（第{n}号）"}, ensure_ascii=False) + "\n")
        with path.open("rb") as f:
            t0 = time.perf_counter()
            p = subprocess.Popen([jiance, "extract", *extra], stdin=f, stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(p.pid, 0)
            secs = time.perf_counter() - t0
        path.unlink()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"jiance extract failed on {lines} lines")
        peaks[lines] = usage.ru_maxrss / 1024
        print(f"{lines:>8} lines: peak {peaks[lines]:7.1f} MB, {secs:6.1f} s")
    print(f"ratio 500k / 50k: {peaks[500_000] / peaks[50_000]:.2f} (target ≤ 1.2)")


if __name__ == "__main__":
    main()
