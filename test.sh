#!/usr/bin/env bash
# Runs jiance's whole test suite: unit tests, the integration binary (tests/it) and every rule
# example. Installs what the tests need when it is missing, so no test silently skips.
set -euo pipefail
cd "$(dirname "$0")"
# Debian packages the tests run: headless Chromium for the dashboard's browser test and the
# rendering test (tests/it/browser.rs, render.rs); nats-server for the NATS transport's tests
# (tests/it/nats.rs), which start their own server on a loopback port. Each fails without them.
missing=()
if [ ! -x /usr/bin/chromium ] && [ -z "${JIANCE_CHROMIUM:-}" ]; then missing+=(chromium); fi
if ! command -v nats-server >/dev/null; then missing+=(nats-server); fi
# openssl makes the certificates of the notification test's STARTTLS mail server (tests/it/notify.rs)
if ! command -v openssl >/dev/null; then missing+=(openssl); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} for the tests" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
# The WARC archive test reads our files with the standard Python reader; the API test runs
# schemathesis against the OpenAPI document.
for module in warcio schemathesis; do
  if ! python3 -c "import $module" 2>/dev/null; then
    python3 -m pip install --quiet "$module"
  fi
done
cargo test --features reference "$@"
