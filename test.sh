#!/usr/bin/env bash
# Runs jiance's whole test suite: unit tests, the integration binary (tests/it) and every rule
# example. Installs what the tests need when it is missing, so no test silently skips.
set -euo pipefail
cd "$(dirname "$0")"
# The WARC archive test reads our files with the standard Python reader.
if ! python3 -c "import warcio" 2>/dev/null; then
    python3 -m pip install --quiet warcio
fi
cargo test "$@"
