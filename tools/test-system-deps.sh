#!/bin/sh
# System packages only the tests use: Chromium (share page in a real browser) and espeak-ng
# (generated speech for caption tests). Installed with apt when running as root on Debian or
# Ubuntu (as CI does); elsewhere those tests skip and say why. vidkit itself needs none of them.
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng"
# Lighthouse (npm, pinned in tools/lighthouse/package-lock.json) for tests/web/test_lighthouse.py
here=$(dirname "$0")
if command -v npm >/dev/null 2>&1 && [ ! -f "$here/lighthouse/node_modules/lighthouse/cli/index.js" ]; then
  npm ci --prefix "$here/lighthouse" --no-audit --no-fund --silent >/dev/null 2>&1 \
    || echo "note: could not install Lighthouse with npm; tests/web/test_lighthouse.py will skip"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing test-only system packages:$missing"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  echo "note: not installing$missing (needs root + apt); the tests that need them will skip"
fi
exit 0
