#!/usr/bin/env python3
"""Signals as another writer makes them (issue 48): N generated signals, shaped like
`benches/score.rs`'s (30 categories, 31 provinces and 全国, six publishers, 90 days, a tenth
reposts of an earlier story), with 16-hex-digit string ids for clusters and documents, written by
polars as one Parquet file (13 columns, its default row groups and zstd). With --parts DIR also
as day partitions in jiance's layout (required numbers, optional strings, one row group a day,
zstd, dictionary pages) written by pyarrow.

Usage: signals_polars.py N OUT.parquet [--parts DIR]   (needs polars, pyarrow, numpy)
Then: benches/peers/score_compare.sh OUT.parquet (and DIR)
"""

import argparse
import os
import re
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[2]
HAZARDS = ["火灾", "爆炸", "触电", "窒息", "化学危害", "机械伤害"]
SOURCES = [
    ("12315平台", "complaint", "complaint", 0.8),
    ("黑猫投诉", "complaint", "complaint", 0.6),
    ("澎湃新闻", "media", "media", 0.9),
    ("电商评价", "platform", "listing", 0.5),
    ("电商平台抽检公示", "platform", "inspection", 0.9),
    ("省市场监管局", "regulator", "notice", 1.0),
]


def names(text: str, start: str, end: str) -> list[str]:
    i = text.index(start)
    return re.findall(r'"([^"]+)"', text[i : text.index(end, i)])


def table(n: int) -> pl.DataFrame:
    cats = names((REPO / "benches/score.rs").read_text(), "const CATEGORIES", "];")
    provs = names((REPO / "src/model.rs").read_text(), "pub const PROVINCES", "];") + ["全国"]
    rng = np.random.default_rng(7)
    day = np.datetime64("2026-01-01") + rng.integers(0, 90, n).astype("timedelta64[D]")
    ms = rng.integers(0, 40_000, n) * 1000 + 2 * 3600 * 1000
    time = day.astype("datetime64[ms]") + ms.astype("timedelta64[ms]")
    s = rng.integers(0, len(SOURCES), n)
    idx = np.arange(n, dtype=np.uint64)
    repost = (rng.random(n) < 0.1) & (idx > 0)
    earlier = (rng.random(n) * np.maximum(idx, 1)).astype(np.uint64)
    with np.errstate(over="ignore"):
        cluster = (np.where(repost, earlier, idx) * np.uint64(0x9E3779B97F4A7C15)) | np.uint64(1 << 63)
        doc = (idx * np.uint64(0xD1B54A32D192ED03)) | np.uint64(1 << 63)

    def hexes(v):
        return pl.Series(v).map_elements(lambda x: f"{x:016x}", return_dtype=pl.String)

    pick = lambda values, at: pl.Series(np.array(values)[at])  # noqa: E731
    return pl.DataFrame(
        {
            "time": pl.Series(time).dt.replace_time_zone("UTC"),
            "day": pl.Series(day).cast(pl.Date),
            "category": pick(cats, rng.integers(0, len(cats), n)),
            "hazard": pick(HAZARDS, rng.integers(0, len(HAZARDS), n)),
            "severity": pl.Series(rng.integers(1, 5, n)).cast(pl.Int8),
            "province": pick(provs, rng.integers(0, len(provs), n)),
            "city": pl.Series([None] * n, dtype=pl.String),
            "source": pick([x[0] for x in SOURCES], s),
            "source_kind": pick([x[1] for x in SOURCES], s),
            "kind": pick([x[2] for x in SOURCES], s),
            "weight": pl.Series(np.array([x[3] for x in SOURCES], dtype=np.float32)[s]),
            "cluster": hexes(cluster),
            "doc": hexes(doc),
        }
    ).sort("day", "time")


def partitions(df: pl.DataFrame, out: Path) -> None:
    os.makedirs(out, exist_ok=True)
    t = df.to_arrow()
    t = t.append_column("product", pa.nulls(t.num_rows, pa.string()))
    required = {"time", "day", "severity", "weight"}
    schema = pa.schema(
        [pa.field(f.name, f.type, nullable=f.name not in required) for f in t.schema]
    )
    schema = schema.set(0, pa.field("time", pa.timestamp("ms", tz="UTC"), nullable=False))
    t = t.cast(schema)
    for d in pc.unique(t["day"]).to_pylist():
        part = t.filter(pc.equal(t["day"], pa.scalar(d, pa.date32())))
        pq.write_table(part, out / f"day={d}.parquet", compression="zstd", row_group_size=len(part) + 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--parts", type=Path)
    args = ap.parse_args()
    df = table(args.n)
    df.write_parquet(args.out)
    if args.parts:
        partitions(df, args.parts)


if __name__ == "__main__":
    main()
