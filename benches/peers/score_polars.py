#!/usr/bin/env python3
"""An EARS-style scorer in Python polars over jiance's signal partitions: the peer that
`jiance score --signals` is measured against (issue 22).

It does the aggregation jiance does, on the same Parquet input (`day=YYYY-MM-DD.parquet` files
or one file): weight = source weight x channel weight (rules/scoring.toml), cells (category,
province) and (category, nation) -- the nation being every province, 全国 and unplaced signals,
places abroad nowhere --, each near-duplicate cluster counted once per cell on its first day with
its largest weight, daily weighted counts per cell; then, as of the last day (or --as-of), an
EARS C2-style test of the 7-day window against a 28-day baseline before a 2-day guard band
(z = (window mean - baseline mean) / baseline sd, sd floored), with jiance's minimum of 3
clusters. It prints the elevated cells as JSON. It is a peer for time and memory, not a copy of
jiance's method: jiance's tests (Poisson and NB-CUSUM, weekday factors, calendar, scope) differ,
so its alerts are not expected to match.

With --daily it replays every day from the first with a full baseline to the last (rolling
window and baseline sums per cell over a dense day grid) and prints each day's elevated cells, as
`jiance score --daily` prints each day's alert changes.

Usage: score_polars.py SIGNALS [--as-of YYYY-MM-DD] [--daily] [--rules rules/scoring.toml]
"""

import argparse
import datetime as dt
import json
import math
import sys
import tomllib
from pathlib import Path

import polars as pl

CHANNELS = ["complaint", "regulator", "platform", "media", "standard"]
NATION = "全国"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("signals", type=Path)
    ap.add_argument("--as-of", type=dt.date.fromisoformat)
    ap.add_argument(
        "--rules",
        type=Path,
        default=Path(__file__).resolve().parents[2] / "rules" / "scoring.toml",
    )
    ap.add_argument("--daily", action="store_true", help="replay day by day")
    ap.add_argument("--z", type=float, default=3.0, help="C2 threshold (default 3)")
    args = ap.parse_args()

    rules = tomllib.loads(args.rules.read_text(encoding="utf-8"))
    chw = rules.get("channel_weight", {})
    win = rules.get("window", {})
    window_days = int(win.get("window_days", 7))
    baseline_days = int(win.get("baseline_days", 28))
    guard_days = int(win.get("guard_days", 2))
    min_clusters = int(rules.get("detect", {}).get("min_clusters", 3))

    src = args.signals
    pattern = str(src / "day=*.parquet") if src.is_dir() else str(src)
    lf = pl.scan_parquet(pattern).select(
        pl.col("day"),
        pl.col("category"),
        pl.col("province"),
        pl.col("source_kind"),
        pl.col("weight"),
        pl.when(pl.col("cluster").is_null() | (pl.col("cluster") == ""))
        .then(pl.col("doc"))
        .otherwise(pl.col("cluster"))
        .alias("cluster"),
    )
    if args.as_of is None:
        as_of = lf.select(pl.col("day").max()).collect(engine="streaming").item()
    else:
        as_of = args.as_of
    window_start = as_of - dt.timedelta(days=window_days - 1)
    baseline_start = window_start - dt.timedelta(days=guard_days + baseline_days)
    baseline_end = baseline_start + dt.timedelta(days=baseline_days - 1)

    channel_weight = pl.col("source_kind").replace_strict(
        {c: float(chw.get(c, 1.0)) for c in CHANNELS}, default=0.0, return_dtype=pl.Float64
    )
    w = pl.col("weight").cast(pl.Float64)
    w = pl.when((w > 0) & w.is_finite()).then(w).otherwise(0.0)
    rows = (
        lf.filter(pl.col("day") <= as_of)
        .with_columns(
            (w * channel_weight).alias("w"),
            pl.col("category").cast(pl.Categorical),
            pl.col("province").cast(pl.Categorical),
        )
        .filter(~pl.col("province").cast(pl.String).str.starts_with("境外").fill_null(False))
    )
    in_province = pl.col("province").is_not_null() & (pl.col("province") != NATION)
    provinces = rows.filter(in_province).with_columns(pl.col("province").cast(pl.String).alias("cell"))
    nation = rows.with_columns(pl.lit(NATION).alias("cell"))
    firsts = pl.concat(
        [
            q.group_by("category", "cell", "cluster").agg(
                pl.col("day").min().alias("first"), pl.col("w").max().alias("w")
            )
            for q in (provinces, nation)
        ]
    )
    if args.daily:
        return replay(firsts, window_days, baseline_days, guard_days, min_clusters, args.z)
    daily = (
        firsts.filter(pl.col("first") >= baseline_start)
        .group_by("category", "cell", "first")
        .agg(pl.col("w").sum().alias("w"), pl.len().alias("n"))
        .collect(engine="streaming")
    )

    window = (
        daily.filter(pl.col("first") >= window_start)
        .group_by("category", "cell")
        .agg(pl.col("w").sum().alias("window_w"), pl.col("n").sum().alias("clusters"))
    )
    base = (
        daily.filter(pl.col("first").is_between(baseline_start, baseline_end))
        .group_by("category", "cell")
        .agg(
            (pl.col("w").sum() / baseline_days).alias("mean"),
            ((pl.col("w") ** 2).sum() / baseline_days).alias("mean_sq"),
        )
    )
    cells = window.join(base, on=["category", "cell"], how="left").fill_null(0.0)
    out = []
    for r in cells.iter_rows(named=True):
        mean = r["mean"]
        sd = math.sqrt(max(r["mean_sq"] - mean * mean, 0.0))
        sd = max(sd, 0.2, math.sqrt(max(mean, 0.04)))
        z = (r["window_w"] / window_days - mean) / sd
        if z >= args.z and r["clusters"] >= min_clusters:
            out.append(
                {
                    "category": str(r["category"]),
                    "cell": r["cell"],
                    "window": round(r["window_w"], 3),
                    "baseline_per_day": round(mean, 3),
                    "z": round(z, 2),
                    "clusters": r["clusters"],
                }
            )
    out.sort(key=lambda x: -x["z"])
    json.dump({"as_of": str(as_of), "cells": len(cells), "elevated": out}, sys.stdout, ensure_ascii=False)
    print()
    return 0


def replay(firsts, window_days, baseline_days, guard_days, min_clusters, z_min) -> int:
    daily = (
        firsts.group_by("category", "cell", "first")
        .agg(pl.col("w").sum().alias("w"), pl.len().alias("n"))
        .collect(engine="streaming")
    )
    if daily.height == 0:
        return 0
    lo, hi = daily["first"].min(), daily["first"].max()
    days = pl.DataFrame({"first": pl.date_range(lo, hi, "1d", eager=True)})
    grid = (
        daily.select("category", "cell")
        .unique()
        .join(days, how="cross")
        .join(daily, on=["category", "cell", "first"], how="left")
        .fill_null(0)
        .sort("category", "cell", "first")
    )
    lag = window_days + guard_days
    cell = ["category", "cell"]
    scored = grid.with_columns(
        pl.col("w").rolling_sum(window_days, min_samples=1).over(cell).alias("window_w"),
        pl.col("n").rolling_sum(window_days, min_samples=1).over(cell).alias("clusters"),
        (pl.col("w").rolling_sum(baseline_days).shift(lag).over(cell) / baseline_days).alias("mean"),
        ((pl.col("w") ** 2).rolling_sum(baseline_days).shift(lag).over(cell) / baseline_days).alias(
            "mean_sq"
        ),
    ).filter(pl.col("mean").is_not_null())
    sd = (pl.col("mean_sq") - pl.col("mean") ** 2).clip(lower_bound=0.0).sqrt()
    sd = pl.max_horizontal(sd, pl.lit(0.2), pl.col("mean").clip(lower_bound=0.04).sqrt())
    elevated = (
        scored.with_columns(((pl.col("window_w") / window_days - pl.col("mean")) / sd).alias("z"))
        .filter((pl.col("z") >= z_min) & (pl.col("clusters") >= min_clusters))
        .sort("first", "category", "cell")
    )
    for r in elevated.iter_rows(named=True):
        print(
            json.dumps(
                {
                    "day": str(r["first"]),
                    "category": str(r["category"]),
                    "cell": r["cell"],
                    "z": round(r["z"], 2),
                    "clusters": r["clusters"],
                },
                ensure_ascii=False,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
