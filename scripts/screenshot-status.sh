#!/usr/bin/env bash
# Takes docs/status.png, the README's picture of serve's status page: the
# demo's scenarios served as targets, each probed once, then the page
# captured by headless Chromium (Debian's package: apt-get install chromium).
# Everything stays on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "install chromium first (apt-get install -y chromium)" >&2; exit 1; }

work=$(mktemp -d)
serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/neo4j-doctor" .
targets=(healthy-cluster healthy-tls partial-outage no-writers expired-certificate wrong-password)
"$work/neo4j-doctor" serve --demo "${targets[@]}" --web.listen-address 127.0.0.1:0 2>"$work/serve.log" &
serve_pid=$!
for _ in $(seq 1 100); do grep -q 'msg=listening' "$work/serve.log" && break; sleep 0.2; done
addr=$(sed -n 's|.*msg=listening address=\(http://[0-9.:]*/\).*|\1|p' "$work/serve.log")
[ -n "$addr" ] || { cat "$work/serve.log" >&2; exit 1; }
for t in "${targets[@]}"; do curl -fsS -o /dev/null "${addr}probe?target=$t"; done

mkdir -p docs
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
  --user-data-dir="$work/chromium" --screenshot=docs/status.png --window-size=1200,800 "$addr" 2>/dev/null
echo "wrote docs/status.png"
