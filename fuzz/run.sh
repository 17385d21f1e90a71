#!/usr/bin/env bash
# Coverage-guided fuzzing of every outside input (src/fuzz.rs) with cargo-fuzz / libFuzzer, one
# target after another, each for a bounded time.
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 60 s, every target)
# Needs a nightly toolchain (cargo-fuzz instruments with -Z flags) and installs cargo-fuzz when
# missing. Builds release code with debug assertions and overflow checks; no sanitizer by default
# (jiance is safe Rust, and ASan doubles build and run time): FUZZ_SANITIZER=address to change,
# FUZZ_FAST=1 to drop the assertions. Inputs that find new coverage go to fuzz/corpus/<target>
# (not committed; the committed seeds are fuzz/seeds/<target>), a crash to fuzz/artifacts/<target>
# — replay one with `cargo +nightly fuzz run <target> <file>`, and add the case to the seeds once
# fixed. CI runs the same entries on the seeds and their mutations (tests/it/fuzz.rs).
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(ls fuzz_targets | sed 's/\.rs$//')
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
flags=(--sanitizer "${FUZZ_SANITIZER:-none}")
if [ -n "${FUZZ_FAST:-}" ]; then flags+=(-O); fi
cargo +nightly fuzz build "${flags[@]}"
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  echo "== $t: ${secs}s"
  if ! cargo +nightly fuzz run "${flags[@]}" "$t" "corpus/$t" "seeds/$t" -- \
      -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
      2> >(tee "corpus/$t.log" | grep -E "^(#[0-9]+ +DONE|stat::|==|SUMMARY|.*panicked)" >&2); then
    echo "!! $t found a crash: see fuzz/artifacts/$t" >&2
    status=1
  fi
done
exit $status
