#!/usr/bin/env bash
# End to end with a real browser: headless Chromium (Debian's chromium)
# loads a page that uses the official JavaScript driver's browser bundle
# (npm neo4j-driver, lib/browser/neo4j-web.min.js, pinned in
# internal/browsertest/js/package.json), connects over ws:// to the fixture
# server's Bolt port on 127.0.0.1, as Neo4j Browser does, and runs
# RETURN 1; against a fixture whose upgrade a proxy stripped
# (fixtures.WebSocketStripped) the page must fail with the driver's
# "WebSocket connection failure". The test is
# internal/browsertest; this script provides the browser and the bundle.
#
#   bash scripts/e2e-browser.sh                   # installs chromium if missing (root, Debian)
#   bash scripts/e2e-browser.sh --if-installable  # as CI runs it: skip, saying so, when chromium or the bundle cannot be installed
#
# Nothing leaves the machine but the installs: the page, the bundle and the
# fixture are served on 127.0.0.1 (free ports), and Chromium runs with its
# background networking off.
set -euo pipefail
cd "$(dirname "$0")/.."

if_installable=false
[ "${1:-}" = "--if-installable" ] && if_installable=true

skip_or_fail() {
  if $if_installable; then
    echo "e2e-browser: skipped: $1"
    exit 0
  fi
  echo "e2e-browser: $1" >&2
  exit 1
}

chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
  echo "== installing chromium (missing)"
  start=$(date +%s)
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null ||
    ! timeout 600 bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null"; then
    skip_or_fail "chromium could not be installed within 10 minutes (needs root and apt-get; Debian: apt-get install chromium)"
  fi
  chromium=$(command -v chromium)
  echo "   installed in $(($(date +%s) - start))s"
fi
"$chromium" --version 2>/dev/null | head -1 || true

js=internal/browsertest/js
bundle=$js/node_modules/neo4j-driver/lib/browser/neo4j-web.min.js
if [ ! -f "$bundle" ]; then
  command -v npm >/dev/null || skip_or_fail "npm is missing: it installs the JavaScript driver's browser bundle"
  echo "== npm ci in $js (neo4j-driver as package-lock.json pins it)"
  (cd "$js" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) ||
    skip_or_fail "npm ci in $js failed (no registry?)"
fi
echo "   neo4j-driver $(sed -n 's/^ *"version": "\(.*\)",*$/\1/p' "$js/node_modules/neo4j-driver/package.json" | head -1)"

echo "== headless Chromium: RETURN 1 over Bolt-over-WebSocket against the fixture"
NEO4J_DOCTOR_CHROMIUM="$chromium" NEO4J_DOCTOR_NEO4J_WEB_JS="$PWD/$bundle" \
  timeout 300 go test -count=1 -timeout 240s -v -run TestBrowserReturnOneOverWebSocket ./internal/browsertest
echo "e2e-browser: passed"
