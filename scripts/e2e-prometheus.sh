#!/usr/bin/env bash
# End to end with a real Prometheus: `neo4j-doctor serve --demo` serves a
# healthy cluster and broken fixture targets on loopback, over TLS with
# basic auth (a web configuration file, a CA and a bcrypt hash made here by
# internal/e2e/webconfig), Prometheus (the Debian package) scrapes it with
# examples/prometheus.yml plus the scrape jobs' tls_config and basic_auth,
# and evaluates examples/alerts.yml, and the script asserts through
# Prometheus's HTTP API what a user would look at: the probe metrics of
# each target and the alerts that fire.
#
#   bash scripts/e2e-prometheus.sh                   # installs prometheus, jq, curl if missing (root, Debian)
#   bash scripts/e2e-prometheus.sh --if-installable  # as CI runs it: skip, saying so, when they cannot be installed within 2 minutes
#
# Only three things differ from the examples as shipped: the addresses (the
# exporter and Prometheus listen on free loopback ports), TLS and basic
# auth on both scrape jobs, and the intervals and `for:` durations,
# shortened so the run takes seconds (the `for:` durations are covered by
# `promtool test rules`, run here first).
# Nothing leaves the machine: the demo's names resolve only through its
# own DNS server on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

if_installable=false
[ "${1:-}" = "--if-installable" ] && if_installable=true

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }

missing=()
for c in prometheus promtool jq curl; do
  command -v "$c" >/dev/null || missing+=("$c")
done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=()
  for c in "${missing[@]}"; do
    [ "$c" = promtool ] && c=prometheus
    [[ " ${pkgs[*]} " == *" $c "* ]] || pkgs+=("$c")
  done
  echo "== installing ${pkgs[*]} (missing: ${missing[*]})"
  start=$(date +%s)
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null ||
    ! timeout 120 bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkgs[*]} >/dev/null"; then
    if $if_installable; then
      echo "e2e-prometheus: skipped: ${pkgs[*]} could not be installed within 2 minutes (needs root and apt-get)"
      exit 0
    fi
    echo "e2e-prometheus: install ${pkgs[*]} (Debian: apt-get install prometheus jq curl) and run again" >&2
    exit 1
  fi
  echo "   installed in $(($(date +%s) - start))s"
fi
prometheus --version 2>&1 | head -1

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# waitfor SECONDS DESCRIPTION COMMAND...: COMMAND until it succeeds, every
# 0.2s, at most SECONDS.
waitfor() {
  local secs=$1 what=$2
  shift 2
  local i
  for ((i = 0; i < secs * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "timed out after ${secs}s waiting for $what" >&2
  return 1
}

echo "== promtool: the example rules and their unit tests"
promtool check rules examples/alerts.yml
promtool test rules examples/alerts.test.yml
promtool check config examples/sharding/prometheus-shard.yml
promtool check rules examples/sharding/rules.yml
promtool test rules examples/sharding/rules.test.yml
# The unit suite ran before promtool was installed here: the sharding
# test's relabelling part (promtool check service-discovery on every shard)
# runs now, so a fresh machine never leaves it skipped.
go test -count=1 -run 'TestShardingExample' ./exporter -v | grep -E '^(=== RUN|--- |ok|FAIL)'

echo "== build"
go build -o "$work/neo4j-doctor" .

echo "== web configuration: a CA, a certificate for 127.0.0.1, user prometheus with a bcrypt hash"
web="$work/web"
mkdir -m 700 "$web"
head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$web/scrape.password"
go run ./internal/e2e/webconfig -dir "$web" -password-file "$web/scrape.password"
# curl reads the password from a netrc file, never from its command line.
printf 'machine 127.0.0.1 login prometheus password %s\n' "$(cat "$web/scrape.password")" >"$web/netrc"

echo "== neo4j-doctor serve --demo --web.config.file"
# The names examples/prometheus.yml lists.
targets=(healthy-cluster healthy-tls partial-outage no-writers expired-certificate wrong-password)
"$work/neo4j-doctor" serve --demo "${targets[@]}" --web.listen-address 127.0.0.1:0 --web.config.file "$web/web.yml" 2>"$work/serve.log" &
serve_pid=$!
pids+=("$serve_pid")
waitfor 20 "serve to listen" grep -q 'msg=listening' "$work/serve.log"
exporter=$(sed -n 's|.*msg=listening address=https://\([0-9.:]*\)/.*|\1|p' "$work/serve.log")
[ -n "$exporter" ] || { echo "serve does not listen on https:"; cat "$work/serve.log"; exit 1; } >&2
echo "   exporter on https://$exporter"

echo "== the exporter answers HTTPS, with the password, only"
status() { curl -sS -o /dev/null -w '%{http_code}' "$@" || true; }
code=$(status "http://$exporter/metrics")
[ "$code" = 400 ] && ok "plain HTTP is refused (400)" || bad "plain HTTP answers $code, want 400"
code=$(status --cacert "$web/ca.pem" "https://$exporter/metrics")
[ "$code" = 401 ] && ok "HTTPS without the password: 401" || bad "HTTPS without the password answers $code, want 401"
code=$(status --cacert "$web/ca.pem" --netrc-file "$web/netrc" -X POST "https://$exporter/-/reload")
[ "$code" = 403 ] && ok "POST /-/reload without --web.enable-lifecycle: 403" || bad "POST /-/reload answers $code, want 403"

echo "== prometheus with examples/prometheus.yml"
# One more name, not in the targets file: the exporter answers 400 and the
# scrape fails, as a typo in a real config would.
sed -e "s|127.0.0.1:9687|$exporter|g" \
  -e 's|^\( *\)- wrong-password$|&\n\1- not-a-target|' \
  -e 's|scrape_interval: .*|scrape_interval: 2s|' \
  -e 's|scrape_timeout: .*|scrape_timeout: 2s|' \
  -e 's|evaluation_interval: .*|evaluation_interval: 1s|' \
  -e "/^  - job_name: /a\\    scheme: https\n    tls_config:\n      ca_file: $web/ca.pem\n    basic_auth:\n      username: prometheus\n      password_file: $web/scrape.password" \
  examples/prometheus.yml >"$work/prometheus.yml"
sed -e 's|for: .*|for: 0s|' examples/alerts.yml >"$work/alerts.yml"
promtool check config "$work/prometheus.yml" >/dev/null
# A free port for Prometheus: one nothing answers on, and that it can
# listen on (a port picked this way may still be taken, e.g. by the
# TIME_WAIT connections of a busy run): up to five tries, each waiting until
# Prometheus is ready or has exited, its log shown when it gave up.
ready=
for attempt in 1 2 3 4 5; do
  port=
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
  done
  [ -n "$port" ] || { echo "no free port for Prometheus" >&2; exit 1; }
  prom="http://127.0.0.1:$port"
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data$attempt" \
    --web.listen-address="127.0.0.1:$port" --log.level=warn >"$work/prometheus.log" 2>&1 &
  prom_pid=$!
  for ((i = 0; i < 300; i++)); do
    if curl -fsS "$prom/-/ready" >/dev/null 2>&1; then ready=1; break; fi
    kill -0 "$prom_pid" 2>/dev/null || break
    sleep 0.2
  done
  if [ -n "$ready" ]; then
    pids+=("$prom_pid")
    break
  fi
  echo "prometheus on port $port was not ready (try $attempt of 5):" >&2
  tail -5 "$work/prometheus.log" >&2
  if kill -0 "$prom_pid" 2>/dev/null; then
    # Running but not ready in 60 s: another port would not help.
    kill "$prom_pid" 2>/dev/null || true
    break
  fi
  wait "$prom_pid" 2>/dev/null || true
done
[ -n "$ready" ] || { echo "timed out waiting for Prometheus to be ready" >&2; exit 1; }
echo "   prometheus on $prom"

# q PROMQL: the instant vector as "instance value" lines.
q() {
  curl -fsS --get --data-urlencode "query=$1" "$prom/api/v1/query" |
    jq -r '.data.result[] | "\(.metric.instance // "-") \(.value[1])"'
}
# expect PROMQL WANT: the query's lines, sorted, are exactly WANT.
expect() {
  local got
  got=$(q "$1" | sort | paste -sd ' ' -)
  if [ "$got" = "$2" ]; then ok "$1 = $2"; else bad "$1 = '$got', want '$2'"; fi
}
two_scrapes() {
  local n
  n=$(q 'count(count_over_time(neo4j_doctor_probe_success[5m]) >= 2)' | awk '{print $2}')
  [ "${n:-0}" = "${#targets[@]}" ]
}

echo "== waiting for two scrapes of each of the ${#targets[@]} targets"
waitfor 60 "two scrapes of every target" two_scrapes
ok "two scrapes of every target"

echo "== probe metrics through Prometheus's HTTP API"
expect 'up{job="neo4j-doctor"}' "expired-certificate 1 healthy-cluster 1 healthy-tls 1 no-writers 1 not-a-target 0 partial-outage 1 wrong-password 1"
expect 'neo4j_doctor_probe_success' "expired-certificate 0 healthy-cluster 1 healthy-tls 1 no-writers 0 partial-outage 1 wrong-password 0"
expect 'neo4j_doctor_probe_exit_code' "expired-certificate 1 healthy-cluster 0 healthy-tls 0 no-writers 1 partial-outage 0 wrong-password 1"
expect 'neo4j_doctor_check_status{status="fail"} == 1' "expired-certificate 1 no-writers 1 wrong-password 1"
expect 'count by (instance) (neo4j_doctor_check_status{check="routing",status="fail"} == 1)' "no-writers 1"
expect 'count by (instance) (neo4j_doctor_check_status{check="auth",status="fail"} == 1)' "wrong-password 1"
expect 'count by (instance) (neo4j_doctor_check_status{check="tls",status="fail"} == 1)' "expired-certificate 1"
expect 'neo4j_doctor_routing_table_servers{role="write"}' "healthy-cluster 1 healthy-tls 1 no-writers 0 partial-outage 1"
expect 'neo4j_doctor_routing_table_servers{role="read",instance="healthy-cluster"}' "healthy-cluster 2"
expect 'count by (instance) (neo4j_doctor_member_up == 1)' "healthy-cluster 3 healthy-tls 1 partial-outage 2"
expect 'count by (instance) (neo4j_doctor_member_up == 0)' "partial-outage 1"
expect 'count by (instance, version, agent) (neo4j_doctor_bolt_info{instance="healthy-cluster"})' "healthy-cluster 1"
expect 'count by (instance) (neo4j_doctor_bolt_info{version="5.8",agent="Neo4j/5.26.0"})' "healthy-cluster 1 healthy-tls 1 no-writers 1 partial-outage 1 wrong-password 1"
expect 'count by (instance) (neo4j_doctor_certificate_expiry_timestamp_seconds < time())' "expired-certificate 1"
expect 'count by (instance) (neo4j_doctor_certificate_expiry_timestamp_seconds > time() + 14 * 86400)' "healthy-tls 1"
expect 'count by (instance) (neo4j_doctor_phase_duration_seconds)' "expired-certificate 9 healthy-cluster 9 healthy-tls 9 no-writers 9 partial-outage 9 wrong-password 9"
expect 'count by (instance) (neo4j_doctor_phase_duration_seconds{phase="members"} > 0)' "healthy-cluster 1 healthy-tls 1 partial-outage 1"
expect 'neo4j_doctor_exporter_config_last_reload_successful' "$exporter 1"
expect 'sum(neo4j_doctor_exporter_probes_rejected_total)' "- 0"

echo "== alerts"
firing() {
  curl -fsS "$prom/api/v1/alerts" |
    jq -r '.data.alerts[] | select(.state == "firing") | "\(.labels.alertname)/\(.labels.instance)"' | sort | paste -sd ' ' -
}
want_alerts="Neo4jCertificateExpiringSoon/expired-certificate Neo4jClusterMemberDown/partial-outage Neo4jNoWriters/no-writers Neo4jProbeFailing/expired-certificate Neo4jProbeFailing/no-writers Neo4jProbeFailing/wrong-password Neo4jProbeNotAnswered/not-a-target"
alerts_ok() { [ "$(firing)" = "$want_alerts" ]; }
if waitfor 30 "the alerts to fire" alerts_ok; then
  ok "firing: $want_alerts"
else
  bad "firing: '$(firing)', want '$want_alerts'"
fi

echo "== SIGHUP: a bad targets file is refused, the old one stays in use"
tfile=$(sed -n 's|.*msg=listening .*targets_file=\([^ ]*\).*|\1|p' "$work/serve.log")
cp "$tfile" "$work/targets.good"
printf '    password: inline-is-refused\n' >>"$tfile"
kill -HUP "$serve_pid"
reload_is() { [ "$(q 'neo4j_doctor_exporter_config_last_reload_successful' | awk '{print $2}')" = "$1" ]; }
if waitfor 20 "the refused reload to show" reload_is 0; then ok "refused reload: config_last_reload_successful 0"; else bad "the refused reload does not show"; fi
grep -q 'msg="targets file refused; the previous one stays in use".*never holds a password inline' "$work/serve.log" &&
  ok "serve logged why" || bad "serve did not log the refusal"
reload_alert() { firing | grep -q 'Neo4jDoctorConfigReloadFailed'; }
waitfor 20 "Neo4jDoctorConfigReloadFailed" reload_alert && ok "Neo4jDoctorConfigReloadFailed fires" || bad "Neo4jDoctorConfigReloadFailed does not fire"
fresh_success() { [ "$(q 'neo4j_doctor_probe_success{instance="healthy-cluster"} and (time() - timestamp(neo4j_doctor_probe_success) < 3)' | awk '{print $2}')" = 1 ]; }
waitfor 10 "a fresh probe after the refused reload" fresh_success && ok "the old targets still probe" || bad "no fresh probe after the refused reload"
cp "$work/targets.good" "$tfile"
kill -HUP "$serve_pid"
if waitfor 20 "the good reload to show" reload_is 1; then ok "good reload: config_last_reload_successful 1"; else bad "the good reload does not show"; fi

echo "== what Prometheus scraped for one healthy and one broken probe"
for t in healthy-cluster no-writers; do
  echo "-- /probe?target=$t"
  curl -fsS --cacert "$web/ca.pem" --netrc-file "$web/netrc" -H 'X-Prometheus-Scrape-Timeout-Seconds: 10' "https://$exporter/probe?target=$t" |
    grep -v '^#' | grep -v 'check_status.* 0$' | grep -v '^neo4j_doctor_phase_duration'
done

if [ "$failed" -gt 0 ]; then
  echo "--- serve log"; cat "$work/serve.log"
  echo "--- prometheus log"; tail -20 "$work/prometheus.log"
fi
echo "e2e-prometheus: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
