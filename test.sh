#!/usr/bin/env bash
# Runs jiance's whole test suite: unit tests, the integration binary (tests/it) and every rule
# example. Installs what the tests need when it is missing, so no test silently skips, and says
# each step it takes on stderr. On a machine without them it needs root (or sudo) for apt-get:
# Debian or Ubuntu.
set -euo pipefail
cd "$(dirname "$0")"

step() { echo "test.sh: $*" >&2; }

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi

# Debian packages the tests run: headless Chromium for the dashboard's browser test and the
# rendering test (tests/it/browser.rs, render.rs); nats-server for the NATS transport's tests
# (tests/it/nats.rs), which start their own server on a loopback port; openssl for the
# certificates of the notification test's STARTTLS mail server (tests/it/notify.rs); python3 with
# its venv module (ensurepip) for the virtual environment below. Each test fails without them.
missing=()
if [ ! -x /usr/bin/chromium ] && [ -z "${JIANCE_CHROMIUM:-}" ]; then missing+=(chromium); fi
if ! command -v nats-server >/dev/null; then missing+=(nats-server); fi
if ! command -v openssl >/dev/null; then missing+=(openssl); fi
if ! command -v python3 >/dev/null; then
  missing+=(python3 python3-venv)
elif ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  # Debian and Ubuntu ship ensurepip, which `python3 -m venv` needs, in python3-venv
  missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]} with apt-get"
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
  step "chromium, nats-server, openssl, python3 and python3-venv are installed"
fi

# The WARC archive tests read and write WARC with Python's warcio; the API test runs schemathesis
# against the OpenAPI document. Both live in a virtual environment of their own under target/
# (a system pip may refuse to install, PEP 668), at the versions of tests/requirements.txt; it is
# made again when that file changes. The tests run the interpreter JIANCE_PYTHON names.
venv=target/py
requirements=tests/requirements.txt
if [ -x "$venv/bin/python" ] && cmp -s "$requirements" "$venv/jiance-requirements.txt"; then
  step "Python virtual environment $venv is up to date with $requirements"
else
  step "making the Python virtual environment $venv ($(python3 --version 2>&1))"
  rm -rf "$venv"
  python3 -m venv "$venv"
  step "installing $(grep -v '^#' "$requirements" | xargs) into $venv with pip"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/jiance-requirements.txt"
fi
JIANCE_PYTHON="$PWD/$venv/bin/python"
export JIANCE_PYTHON

step "running cargo test --features reference${*:+ $*} (JIANCE_PYTHON=$JIANCE_PYTHON)"
cargo test --features reference "$@"
step "all tests passed"
