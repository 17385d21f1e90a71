#!/usr/bin/env bash
# jiance's `score` against the Python polars peer (benches/peers/score_polars.py) on the same
# signals: wall time and peak resident memory (GNU time), min and median of RUNS interleaved runs,
# and jiance's time as a share of the script's (issue 48's target: at most 0.5).
#
#   benches/peers/score_compare.sh [--daily] SIGNALS...
#
# SIGNALS: one Parquet file (benches/peers/signals_polars.py writes one as polars does, string
# ids) or a directory of day=*.parquet partitions (`signals_polars.py --parts`, or `cargo bench
# --bench score` under target/bench-data/); give both to get both ratios. JIANCE_BIN names the
# binary (default target/release/jiance, built if missing); JIANCE_BEFORE another one (an older
# build), measured in the same rounds; PYTHON the interpreter with polars (default python3,
# which gets polars from pip when it lacks it); RUNS the rounds (default 3). Each round runs every
# tool once, in turn, so a busy machine's load falls on all of them alike; peak memory does not
# depend on it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
daily=()
if [[ "${1:-}" == "--daily" ]]; then
  daily=(--daily)
  shift
fi
[[ $# -gt 0 ]] || { echo "usage: score_compare.sh [--daily] SIGNALS..." >&2; exit 2; }
runs="${RUNS:-3}"
bin="${JIANCE_BIN:-$repo/target/release/jiance}"
before="${JIANCE_BEFORE:-}"
python="${PYTHON:-python3}"
if [[ ! -x "$bin" ]]; then
  (cd "$repo" && cargo build --release --bin jiance)
fi
if ! "$python" -c 'import polars' 2>/dev/null; then
  "$python" -m pip install --quiet polars
fi
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (GNU time: apt-get install time)" >&2; exit 1; }

# One run: prints "seconds peak_mb"; the command's output goes to a file (not timed twice).
measure() {
  local log out
  log="$(mktemp)"
  out="$(mktemp)"
  /usr/bin/time -f "%e %M" -o "$log" "$@" >"$out" 2>/dev/null || { echo "failed: $*" >&2; exit 1; }
  awk '{ printf "%.2f %.0f\n", $1, $2 / 1024 }' "$log"
  rm -f "$out" "$log"
}

# min and median of the numbers on stdin
stats() { sort -n | awk '{ v[NR] = $1 } END { printf "%s/%s", v[1], v[int((NR + 1) / 2)] }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

tools=(jiance polars)
[[ -n "$before" ]] && tools=(before jiance polars)
echo "polars $("$python" -c 'import polars; print(polars.__version__)'); $runs interleaved rounds;" \
  "seconds and MB as min/median"
printf '%-24s %-8s %14s %12s %8s\n' signals tool "s min/med" "MB min/med" "÷polars"
for signals in "$@"; do
  declare -A secs=() mbs=()
  for _ in $(seq "$runs"); do
    for tool in "${tools[@]}"; do
      case $tool in
        before) cmd=("$before" score --signals "$signals" --json "${daily[@]}") ;;
        jiance) cmd=("$bin" score --signals "$signals" --json "${daily[@]}") ;;
        polars) cmd=("$python" "$here/score_polars.py" "$signals" "${daily[@]}") ;;
      esac
      read -r s m < <(measure "${cmd[@]}")
      secs[$tool]+="$s "
      mbs[$tool]+="$m "
    done
  done
  peer="$(tr ' ' '\n' <<<"${secs[polars]}" | grep . | median)"
  for tool in "${tools[@]}"; do
    med="$(tr ' ' '\n' <<<"${secs[$tool]}" | grep . | median)"
    printf '%-24s %-8s %14s %12s %8s\n' "$(basename "$signals")" "$tool" \
      "$(tr ' ' '\n' <<<"${secs[$tool]}" | grep . | stats)" \
      "$(tr ' ' '\n' <<<"${mbs[$tool]}" | grep . | stats)" \
      "$(awk -v a="$med" -v b="$peer" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
  done
  unset secs mbs
done
