#!/usr/bin/env bash
# Long mutation smoke over parsers, the WARC reader, the signal reader, search and analysis
# (tests/it/fuzz.rs; the suite runs 300 rounds per target with seed 16).
#   tests/soak/fuzz.sh [ITERS] [SEEDS]
# Each seed is a fresh sequence of mutations; any panic or hang fails and names the seed.
set -euo pipefail
iters="${1:-20000}"
seeds="${2:-3}"
cd "$(dirname "$0")/../.."
for s in $(seq 1 "$seeds"); do
  echo "seed $s: $iters rounds per target"
  JIANCE_FUZZ_ITERS="$iters" JIANCE_FUZZ_SEED="$((1000 + s))" cargo test --test it fuzz
done
