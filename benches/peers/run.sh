#!/usr/bin/env bash
# The peer comparison (issue 22): installs the Python tools when missing, builds jiance in release
# and prints the side-by-side table of peers.py. Needs the network for pip only; everything runs on
# 127.0.0.x. Usage: benches/peers/run.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c "import scrapy, jieba, polars, psutil" 2>/dev/null || pip install -q scrapy jieba polars psutil
cargo build --release --bin jiance
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c "import json,sys; print(json.load(sys.stdin)['target_directory'])")
python3 benches/peers/peers.py "$target_dir/release/jiance" "${1:-3}"
