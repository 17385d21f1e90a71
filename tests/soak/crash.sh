#!/usr/bin/env bash
# Soak: the crash test with many more kill -9s than the test suite's 20 (issue 16).
#   tests/soak/crash.sh [KILLS] [ROUNDS]
# Each round crawls the simulated sites once uninterrupted and once through KILLS kills, and
# compares documents, index, signals and alerts. Exits non-zero at the first difference.
set -euo pipefail
kills="${1:-100}"
rounds="${2:-3}"
cd "$(dirname "$0")/../.."
for r in $(seq 1 "$rounds"); do
  echo "round $r of $rounds: $kills kills"
  JIANCE_CRASH_KILLS="$kills" JIANCE_CRASH_SEED="$r" cargo test --test it crash -- --nocapture
done
