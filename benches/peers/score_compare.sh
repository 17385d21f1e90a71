#!/usr/bin/env bash
# jiance's `score` against the Python polars peer (benches/peers/score_polars.py) on the same
# signal partitions: wall time and peak resident memory (/usr/bin/time -v), median of RUNS runs.
#
#   benches/peers/score_compare.sh SIGNALS [--daily]
#
# SIGNALS: a directory of day=*.parquet partitions (`cargo bench --bench score` writes them under
# target/bench-data/) or one Parquet file. JIANCE_BIN names the binary (default
# target/release/jiance, built if missing); RUNS the runs per tool (default 3). Installs polars
# with pip when Python lacks it. Wall time on a busy machine varies with its load; peak memory
# does not.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
signals="${1:?usage: score_compare.sh SIGNALS [--daily]}"
daily="${2:-}"
runs="${RUNS:-3}"
bin="${JIANCE_BIN:-$repo/target/release/jiance}"
if [[ ! -x "$bin" ]]; then
  (cd "$repo" && cargo build --release --bin jiance)
fi
if ! python3 -c 'import polars' 2>/dev/null; then
  python3 -m pip install --quiet polars
fi
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (GNU time: apt-get install time)" >&2; exit 1; }

# One run: prints "seconds peak_mb"; the command's output goes to a file (not timed twice).
measure() {
  local log out
  log="$(mktemp)"
  out="$(mktemp)"
  /usr/bin/time -v "$@" >"$out" 2>"$log" || { cat "$log" >&2; exit 1; }
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
    /Maximum resident set size/ { kb = $2 }
    END { printf "%.2f %.0f\n", s, kb / 1024 }' "$log"
  rm -f "$out" "$log"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

row() {
  local name="$1"; shift
  local times=() mems=()
  for _ in $(seq "$runs"); do
    read -r s m < <(measure "$@")
    times+=("$s"); mems+=("$m")
  done
  printf '%-28s %6s %10s %10s\n' "$name" "$runs" \
    "$(printf '%s\n' "${times[@]}" | median)" "$(printf '%s\n' "${mems[@]}" | median)"
}

jiance_args=(score --signals "$signals" --json)
peer_args=("$here/score_polars.py" "$signals")
if [[ "$daily" == "--daily" ]]; then
  jiance_args+=(--daily)
  peer_args+=(--daily)
fi
echo "signals: $signals ${daily}"
printf '%-28s %6s %10s %10s\n' tool runs "median s" "peak MB"
row "jiance score" "$bin" "${jiance_args[@]}"
row "python polars $(python3 -c 'import polars; print(polars.__version__)')" python3 "${peer_args[@]}"
