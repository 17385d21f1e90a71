#!/usr/bin/env bash
# Runs jiance's whole test suite: unit tests, the integration binary (tests/it) and every rule
# example. Installs what the tests need when it is missing, so no test silently skips.
set -euo pipefail
cd "$(dirname "$0")"
# The dashboard's browser test (tests/it/browser.rs) drives headless Chromium; it fails without it.
if [ ! -x /usr/bin/chromium ] && [ -z "${JIANCE_CHROMIUM:-}" ]; then
  echo "installing chromium for the browser test" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
# The WARC archive test reads our files with the standard Python reader; the API test runs
# schemathesis against the OpenAPI document.
for module in warcio schemathesis; do
  if ! python3 -c "import $module" 2>/dev/null; then
    python3 -m pip install --quiet "$module"
  fi
done
cargo test "$@"
