#!/usr/bin/env bash
# End to end with the official drivers as applications: for every demo
# scenario, `neo4j-doctor demo --serve --format json SCENARIO` (the built
# binary) serves it on 127.0.0.1, and two separate processes connect using
# only the JSON object it printed: the JavaScript driver (neo4j-driver,
# pinned in internal/drivertest/js/package-lock.json, installed here with
# `npm ci` into the git-ignored node_modules) and the Go driver (the
# module's own neo4j-go-driver, internal/drivertest/goclient). Each runs
# verifyConnectivity, getServerInfo and RETURN 1 and prints the class of
# the first error; the script holds it to the scenario's
# expect.driverErrors ("" for a scenario every step passes).
#
#   bash scripts/e2e-drivers.sh                    # every scenario; fails when npm cannot install the driver
#   bash scripts/e2e-drivers.sh --if-installable   # as CI runs it: skip the JavaScript half, saying so, when npm cannot install within 2 minutes
#   bash scripts/e2e-drivers.sh --measure [SCENARIO...]  # print what each driver raised, assert nothing
#
# A scenario that changes while served (leader-switch) is left out: what
# a driver sees depends on the moment. Every wait is bounded: a scenario's
# JSON within 20 s, each client within 40 s; four scenarios at a time.
set -euo pipefail
cd "$(dirname "$0")/.."

if_installable=false
measure=false
only=()
for a in "$@"; do
  case "$a" in
  --if-installable) if_installable=true ;;
  --measure) measure=true ;;
  -*) echo "e2e-drivers: unknown flag $a" >&2; exit 3 ;;
  *) only+=("$a") ;;
  esac
done

work=$(mktemp -d)
cleanup() {
  # The scenarios still running, when interrupted: their servers and clients.
  pkill -P $$ 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building neo4j-doctor and the Go client"
go build -o "$work/neo4j-doctor" .
go build -o "$work/goclient" ./internal/drivertest/goclient

js=true
jsdir=internal/drivertest/js
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  js=false; why="node and npm are not installed"
elif [ ! -d "$jsdir/node_modules/neo4j-driver" ] || ! (cd "$jsdir" && npm ls --silent >/dev/null 2>&1); then
  echo "== npm ci in $jsdir"
  if ! (cd "$jsdir" && timeout 120 npm ci --no-audit --no-fund --silent >/dev/null 2>&1); then
    js=false; why="npm ci failed or took over 2 minutes"
  fi
fi
if ! $js; then
  if $if_installable || $measure; then
    echo "e2e-drivers: the JavaScript driver skipped: $why"
  else
    echo "e2e-drivers: $why; install node and npm and run again" >&2
    exit 1
  fi
else
  echo "   node $(node --version), neo4j-driver $(node -p "require('./$jsdir/node_modules/neo4j-driver/package.json').version")"
fi

# field FILE KEY: a top-level or expect.driverErrors field of the JSON.
field() { node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
  const k = process.argv[2]
  const v = k.startsWith("driver.") ? s.expect.driverErrors[k.slice(7)] : k.startsWith("expect.") ? s.expect[k.slice(7)] : s[k]
  process.stdout.write(v === undefined || v === null ? "" : String(v))' "$1" "$2"; }

if [ ${#only[@]} -gt 0 ]; then
  names=("${only[@]}")
else
  mapfile -t names < <("$work/neo4j-doctor" demo --list | awk '{print $1}')
fi

# one NAME serves the scenario, runs both clients and writes what it
# found to $work/NAME.out, one line per driver ("ok", "FAIL", "skip" or a
# measurement). Scenarios run four at a time: each serves on its own
# ports, and most of a scenario's time is processes starting.
one() {
  local name=$1 info="$work/$1.json" res="$work/$1.out" serve_pid
  "$work/neo4j-doctor" demo --serve --format json "$name" >"$info" 2>"$work/$name.err" &
  serve_pid=$!
  for _ in $(seq 200); do
    [ -s "$info" ] && grep -q '}$' "$info" && break
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q '}$' "$info"; then
    { echo "FAIL $name: demo --serve printed no JSON within 20 s"; cat "$work/$name.err"; } >"$res"
  elif [ "$(field "$info" changes)" = true ]; then
    echo "skip $name: it changes while served" >"$res"
  elif [ -n "$(field "$info" expect.driversNotRun)" ]; then
    echo "skip $name: $(field "$info" expect.driversNotRun)" >"$res"
  else
    local ca gopid
    ca=$(field "$info" caFile)
    timeout 40 "$work/goclient" "$info" >"$work/$name.go" 2>&1 &
    gopid=$!
    if $js; then
      if [ -n "$ca" ]; then
        NODE_EXTRA_CA_CERTS="$ca" timeout 40 node "$jsdir/client.mjs" "$info" >"$work/$name.js" 2>&1 || true
      else
        timeout 40 node "$jsdir/client.mjs" "$info" >"$work/$name.js" 2>&1 || true
      fi
    fi
    wait "$gopid" || true
    : >"$res"
    for d in go javascript; do
      [ "$d" = javascript ] && ! $js && continue
      local out="$work/$name.go" got class want
      [ "$d" = javascript ] && out="$work/$name.js"
      got=$(node -e 'try { const o = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").pop()); process.stdout.write(o.error + "\t" + o.step + "\t" + (o.message || "")) } catch (e) { process.stdout.write("no-output\t\t") }' "$out")
      class=${got%%$'\t'*}
      want=$(field "$info" "driver.$d")
      if $measure; then
        printf '%-30s %-11s %s\n' "$name" "$d" "$got" >>"$res"
      elif [ "$class" = "$want" ]; then
        echo "ok   $name $d: ${class:-passes}" >>"$res"
      else
        echo "FAIL $name $d: got '${class}', want '${want}' ($got)" >>"$res"
      fi
    done
  fi
  kill "$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
}

for name in "${names[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge 4 ]; do wait -n || true; done
  one "$name" &
done
wait

passed=0
failed=0
for name in "${names[@]}"; do
  cat "$work/$name.out"
  passed=$((passed + $(grep -c '^ok ' "$work/$name.out" || true)))
  failed=$((failed + $(grep -c '^FAIL ' "$work/$name.out" || true)))
done

$measure && exit 0
echo "e2e-drivers: $passed passed, $failed failed"
[ "$failed" = 0 ]
