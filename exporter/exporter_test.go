package exporter_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/exporter"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// canary is the password of every target here; no answer may contain it.
const canary = "Canary-Exporter-7c1d"

// scenario starts a demo scenario whose servers accept canary instead of
// the demo's password, unless the scenario is about a wrong password.
func scenario(t *testing.T, name string) *scenarios.Instance {
	t.Helper()
	sc, ok := scenarios.LookupScenario(name)
	if !ok {
		t.Fatalf("no scenario %s", name)
	}
	in, err := sc.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	return in
}

// targetYAML is one target entry for a running scenario; its password is
// read from the environment variable named after the target.
func targetYAML(name string, in *scenarios.Instance) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  - name: %s\n    uri: %s\n    username: %s\n    passwordEnv: %s\n    dnsServer: %s\n    timeout: %s\n",
		name, in.URI, in.Username, envName(name), in.DNSServer, in.Timeout)
	if in.CAFile != "" {
		fmt.Fprintf(&b, "    caFile: %s\n", in.CAFile)
	}
	if in.Database != "" {
		fmt.Fprintf(&b, "    database: %s\n", in.Database)
	}
	if len(in.IdleProbe) > 0 {
		var ds []string
		for _, d := range in.IdleProbe {
			ds = append(ds, d.String())
		}
		fmt.Fprintf(&b, "    idleProbe: [%s]\n", strings.Join(ds, ", "))
	}
	return b.String()
}

func envName(target string) string {
	return strings.ToUpper(strings.ReplaceAll(target, "-", "_")) + "_PASSWORD"
}

// passwords maps each target's variable to its scenario's password.
type passwords struct {
	mu sync.Mutex
	m  map[string]string
}

func (p *passwords) set(target, pw string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string]string{}
	}
	p.m[envName(target)] = pw
}

func (p *passwords) getenv(k string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[k]
}

type rig struct {
	exp  *exporter.Exporter
	srv  *httptest.Server
	file string
	pw   *passwords
}

// start writes a targets file for the scenarios and serves an exporter on
// loopback.
func start(t *testing.T, cfg exporter.Config, names ...string) *rig {
	t.Helper()
	r := &rig{pw: &passwords{}}
	var b strings.Builder
	b.WriteString("targets:\n")
	for _, n := range names {
		in := scenario(t, n)
		b.WriteString(targetYAML(n, in))
		r.pw.set(n, in.Password)
	}
	r.file = filepath.Join(t.TempDir(), "targets.yml")
	if err := os.WriteFile(r.file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Getenv = r.pw.getenv
	served := serveFile(t, r.file, cfg)
	r.exp, r.srv = served.exp, served.srv
	return r
}

func (r *rig) get(t *testing.T, path string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), canary) {
		t.Errorf("GET %s answers the password", path)
	}
	return resp.StatusCode, string(body)
}

// metrics is a scrape parsed with Prometheus's own text parser.
type metrics map[string]*dto.MetricFamily

func (r *rig) probe(t *testing.T, target string) metrics {
	t.Helper()
	code, body := r.get(t, "/probe?target="+target, map[string]string{"X-Prometheus-Scrape-Timeout-Seconds": "10"})
	if code != http.StatusOK {
		t.Fatalf("probe %s: HTTP %d: %s", target, code, body)
	}
	return parse(t, body)
}

func parse(t *testing.T, body string) metrics {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("not Prometheus text: %v\n%s", err, body)
	}
	problems, err := promlint.New(strings.NewReader(body)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	return mfs
}

// value is the sample of name whose labels include want; ok is false when
// there is none.
func (m metrics) value(name string, want ...string) (float64, bool) {
	mf := m[name]
	if mf == nil {
		return 0, false
	}
	for _, s := range mf.GetMetric() {
		labels := map[string]string{}
		for _, l := range s.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(want); i += 2 {
			if labels[want[i]] != want[i+1] {
				match = false
			}
		}
		if match {
			return s.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

func (m metrics) must(t *testing.T, name string, want float64, labels ...string) {
	t.Helper()
	got, ok := m.value(name, labels...)
	if !ok {
		t.Errorf("%s%v is missing", name, labels)
		return
	}
	if got != want {
		t.Errorf("%s%v = %v, want %v", name, labels, got, want)
	}
}

func (m metrics) labelSets(name string) []map[string]string {
	var out []map[string]string
	for _, s := range m[name].GetMetric() {
		labels := map[string]string{}
		for _, l := range s.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		out = append(out, labels)
	}
	return out
}

// stable: every probe reports every check's state set and every phase,
// whatever failed, so series do not come and go with the failure.
func stable(t *testing.T, m metrics) {
	t.Helper()
	all := checks.RunChecks(&checks.Target{}) // the idle probe is opt-in
	if n := len(m["neo4j_doctor_check_status"].GetMetric()); n != len(all)*len(exporter.Statuses) {
		t.Errorf("neo4j_doctor_check_status has %d series, want %d checks × %d states", n, len(all), len(exporter.Statuses))
	}
	for _, p := range exporter.Phases() {
		if _, ok := m.value("neo4j_doctor_phase_duration_seconds", "phase", p); !ok {
			t.Errorf("phase %s is missing", p)
		}
	}
	for _, c := range all {
		check := c.ID
		sum := 0.0
		for _, st := range exporter.Statuses {
			v, _ := m.value("neo4j_doctor_check_status", "check", check, "status", string(st))
			sum += v
		}
		if sum != 1 {
			t.Errorf("check %s: %v states are 1, want exactly one", check, sum)
		}
	}
}

func TestProbeHealthyCluster(t *testing.T) {
	t.Parallel()
	r := start(t, exporter.Config{}, "healthy-cluster")
	m := r.probe(t, "healthy-cluster")
	stable(t, m)
	m.must(t, "neo4j_doctor_probe_success", 1)
	m.must(t, "neo4j_doctor_probe_exit_code", 0)
	for _, c := range []string{"config", "dns", "tcp", "bolt", "version", "auth", "routing", "members", "query"} {
		m.must(t, "neo4j_doctor_check_status", 1, "check", c, "status", "pass")
	}
	m.must(t, "neo4j_doctor_check_status", 1, "check", "tls", "status", "skip")
	m.must(t, "neo4j_doctor_phase_duration_seconds", 0, "phase", "tls")
	if d, _ := m.value("neo4j_doctor_phase_duration_seconds", "phase", "members"); d <= 0 {
		t.Errorf("members phase took %v", d)
	}
	if d, _ := m.value("neo4j_doctor_probe_duration_seconds"); d <= 0 || d > 5 {
		t.Errorf("probe took %vs", d)
	}
	m.must(t, "neo4j_doctor_bolt_info", 1, "version", "5.8", "agent", "Neo4j/5.26.0")
	m.must(t, "neo4j_doctor_routing_table_servers", 3, "role", "route")
	m.must(t, "neo4j_doctor_routing_table_servers", 2, "role", "read")
	m.must(t, "neo4j_doctor_routing_table_servers", 1, "role", "write")
	ups := m.labelSets("neo4j_doctor_member_up")
	if len(ups) != 3 {
		t.Fatalf("member_up for %d members, want 3", len(ups))
	}
	for _, l := range ups {
		m.must(t, "neo4j_doctor_member_up", 1, "address", l["address"])
		if !strings.HasPrefix(l["address"], "core-") {
			t.Errorf("member address %q is not the advertised name", l["address"])
		}
	}
	if _, ok := m.value("neo4j_doctor_certificate_expiry_timestamp_seconds"); ok {
		t.Error("a plaintext target reports a certificate")
	}
}

// TestProbeNeverRunsTheIdleProbe: a target with idleProbe: (for check
// --targets) is scraped without it: the idle check is not in the probe, so
// no scrape waits out an idle time.
func TestProbeNeverRunsTheIdleProbe(t *testing.T) {
	t.Parallel()
	r := start(t, exporter.Config{}, "idle-cut-by-load-balancer")
	m := r.probe(t, "idle-cut-by-load-balancer")
	stable(t, m)
	m.must(t, "neo4j_doctor_probe_success", 1)
	if ls := m.labelSets("neo4j_doctor_check_status"); slices.ContainsFunc(ls, func(l map[string]string) bool { return l["check"] == "idle" }) {
		t.Error("a scrape ran the idle probe")
	}
}

func TestProbeBrokenTargets(t *testing.T) {
	t.Parallel()
	r := start(t, exporter.Config{}, "no-writers", "partial-outage", "wrong-password", "nothing-listening")

	m := r.probe(t, "no-writers")
	stable(t, m)
	m.must(t, "neo4j_doctor_probe_success", 0)
	m.must(t, "neo4j_doctor_probe_exit_code", 1)
	m.must(t, "neo4j_doctor_check_status", 1, "check", "routing", "status", "fail")
	m.must(t, "neo4j_doctor_check_status", 1, "check", "members", "status", "skip")
	m.must(t, "neo4j_doctor_routing_table_servers", 0, "role", "write")
	m.must(t, "neo4j_doctor_routing_table_servers", 3, "role", "route")
	if _, ok := m.value("neo4j_doctor_member_up"); ok {
		t.Error("member_up without a members check")
	}

	m = r.probe(t, "partial-outage")
	stable(t, m)
	m.must(t, "neo4j_doctor_probe_success", 1) // a dead reader is a warning: reads still work
	m.must(t, "neo4j_doctor_check_status", 1, "check", "members", "status", "warn")
	down := 0
	for _, l := range m.labelSets("neo4j_doctor_member_up") {
		if v, _ := m.value("neo4j_doctor_member_up", "address", l["address"]); v == 0 {
			down++
		}
	}
	if n := len(m.labelSets("neo4j_doctor_member_up")); n != 3 || down != 1 {
		t.Errorf("%d members, %d down; want 3 and 1", n, down)
	}

	m = r.probe(t, "wrong-password")
	stable(t, m)
	m.must(t, "neo4j_doctor_probe_success", 0)
	m.must(t, "neo4j_doctor_check_status", 1, "check", "auth", "status", "fail")
	m.must(t, "neo4j_doctor_check_status", 1, "check", "routing", "status", "skip")
	m.must(t, "neo4j_doctor_bolt_info", 1, "version", "5.8")

	m = r.probe(t, "nothing-listening")
	stable(t, m)
	m.must(t, "neo4j_doctor_probe_success", 0)
	m.must(t, "neo4j_doctor_probe_exit_code", 2)
	m.must(t, "neo4j_doctor_check_status", 1, "check", "tcp", "status", "fail")
	if _, ok := m.value("neo4j_doctor_bolt_info"); ok {
		t.Error("bolt_info without a handshake")
	}
}

func TestProbeCertificates(t *testing.T) {
	t.Parallel()
	r := start(t, exporter.Config{}, "healthy-tls", "expired-certificate")
	now := float64(time.Now().Unix())

	m := r.probe(t, "healthy-tls")
	m.must(t, "neo4j_doctor_probe_success", 1)
	m.must(t, "neo4j_doctor_check_status", 1, "check", "tls", "status", "pass")
	certs := m.labelSets("neo4j_doctor_certificate_expiry_timestamp_seconds")
	if len(certs) != 1 {
		t.Fatalf("%d certificate series, want 1: %v", len(certs), certs)
	}
	exp, _ := m.value("neo4j_doctor_certificate_expiry_timestamp_seconds")
	if exp < now+14*86400 {
		t.Errorf("a healthy certificate expires at %v, within 14 days of now (%v)", exp, now)
	}
	if d, _ := m.value("neo4j_doctor_phase_duration_seconds", "phase", "tls"); d <= 0 {
		t.Errorf("tls phase took %v", d)
	}

	m = r.probe(t, "expired-certificate")
	m.must(t, "neo4j_doctor_probe_success", 0)
	m.must(t, "neo4j_doctor_check_status", 1, "check", "tls", "status", "fail")
	exp, ok := m.value("neo4j_doctor_certificate_expiry_timestamp_seconds")
	if !ok || exp > now-9*86400 || exp < now-11*86400 {
		t.Errorf("the expired certificate's expiry = %v (ok %v), want about ten days before %v", exp, ok, now)
	}
}

func TestProbeDebugAndErrors(t *testing.T) {
	t.Parallel()
	r := start(t, exporter.Config{}, "no-writers")

	code, body := r.get(t, "/probe?target=no-writers&debug=true", nil)
	if code != http.StatusOK {
		t.Fatalf("debug: HTTP %d", code)
	}
	for _, want := range []string{
		"✗ routing", "the routing table lists no writers", "fix: ",
		"from targets.yml, target no-writers", "NO_WRITERS_PASSWORD (passwordEnv)",
		"Metrics that would have been returned:", "neo4j_doctor_probe_success 0",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("debug answer lacks %q:\n%s", want, body)
		}
	}

	for _, c := range []struct {
		path, header string
		code         int
		want         string
	}{
		{"/probe", "", 400, "the target parameter is missing"},
		{"/probe?target=nope", "", 400, `unknown target "nope": the targets file targets.yml names no-writers`},
		{"/probe?target=no-writers", "soon", 400, "is not a number of seconds"},
		{"/nothing-here", "", 404, ""},
	} {
		h := map[string]string{}
		if c.header != "" {
			h["X-Prometheus-Scrape-Timeout-Seconds"] = c.header
		}
		code, body := r.get(t, c.path, h)
		if code != c.code || !strings.Contains(body, c.want) {
			t.Errorf("GET %s: %d %q, want %d %q", c.path, code, body, c.code, c.want)
		}
	}
	if code, body := r.get(t, "/-/healthy", nil); code != 200 || body != "healthy\n" {
		t.Errorf("/-/healthy: %d %q", code, body)
	}
}

// silent is a listener that accepts and never answers: a probe of it lasts
// as long as its budget allows.
func silent(t *testing.T) string { return silentServer(t).Addr() }

func silentServer(t *testing.T) *fixtures.Server {
	t.Helper()
	cfg := fixtures.Neo4j526()
	cfg.Misbehave = fixtures.Misbehaviour{Kind: fixtures.Stall}
	srv, err := fixtures.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// serveFile is an exporter of the targets file p, as cfg says, behind a
// test HTTP server.
func serveFile(t *testing.T, p string, cfg exporter.Config) *rig {
	t.Helper()
	cfg.Path = p
	exp, err := exporter.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{exp: exp, srv: httptest.NewServer(exp.Handler()), file: p}
	t.Cleanup(func() {
		r.srv.Client().CloseIdleConnections()
		r.srv.Close()
	})
	return r
}

func silentRig(t *testing.T, cfg exporter.Config) *rig {
	t.Helper()
	p := filepath.Join(t.TempDir(), "targets.yml")
	addr := silent(t)
	body := fmt.Sprintf("targets:\n  - {name: silent, uri: 'bolt://%s', timeout: 30s}\n  - {name: silent-2, uri: 'bolt://%s', timeout: 30s}\n", addr, addr)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return serveFile(t, p, cfg)
}

// TestProbeHonoursScrapeTimeout: a target that never answers, with a 30 s
// step timeout, is given up on at Prometheus's scrape timeout less the
// offset, and the answer says it failed.
func TestProbeHonoursScrapeTimeout(t *testing.T) {
	t.Parallel()
	// Seconds, not tenths: the answer must come after the probe's own
	// deadline (3 s) and before Prometheus gives up (6 s): three seconds
	// of slack for a busy machine (one was not enough under .ci/run's
	// race-detected suite: 1.14 s late once).
	r := silentRig(t, exporter.Config{TimeoutOffset: 3 * time.Second})
	start := time.Now()
	code, body := r.get(t, "/probe?target=silent", map[string]string{"X-Prometheus-Scrape-Timeout-Seconds": "6"})
	took := time.Since(start)
	if code != 200 {
		t.Fatalf("HTTP %d: %s", code, body)
	}
	m := parse(t, body)
	m.must(t, "neo4j_doctor_probe_success", 0)
	m.must(t, "neo4j_doctor_probe_exit_code", 2)
	if took < 2900*time.Millisecond || took >= 6*time.Second {
		t.Errorf("the probe answered after %s; want the scrape timeout 6s less the 3s offset, and before 6s", took)
	}
	t.Logf("scrape timeout 6s, offset 3s: answered in %s", took)
}

// TestProbeConcurrencyBound: with one probe allowed at once, a probe of
// another target that cannot start in time to finish is answered 503,
// and the exporter counts it.
func TestProbeConcurrencyBound(t *testing.T) {
	t.Parallel()
	r := silentRig(t, exporter.Config{MaxConcurrent: 1, TimeoutOffset: 0})
	var wg sync.WaitGroup
	first := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		req, _ := http.NewRequest(http.MethodGet, r.srv.URL+"/probe?target=silent", nil)
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "0.8")
		resp, err := r.srv.Client().Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		first = resp.StatusCode
	}()
	// The first probe holds the only slot before the second asks.
	waitInFlight(t, r, 1)
	start := time.Now()
	second, body := r.get(t, "/probe?target=silent-2", map[string]string{"X-Prometheus-Scrape-Timeout-Seconds": "0.2"})
	took := time.Since(start)
	wg.Wait()
	if first != 200 || second != http.StatusServiceUnavailable || !strings.Contains(body, "raise --max-concurrent") {
		t.Errorf("answers %d and %d %q, want 200 and 503", first, second, body)
	}
	if took > time.Second {
		t.Errorf("the rejected probe waited %s, past its 0.2s deadline", took)
	}
	_, body = r.get(t, "/metrics", nil)
	m := parse(t, body)
	if v := counter(m, "neo4j_doctor_exporter_probes_rejected_total"); v != 1 {
		t.Errorf("probes_rejected_total = %v, want 1", v)
	}
	m.must(t, "neo4j_doctor_exporter_probes_in_flight", 0)
}

func counter(m metrics, name string, labels ...string) float64 {
	mf := m[name]
	for _, s := range mf.GetMetric() {
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			if !slices.ContainsFunc(s.GetLabel(), func(l *dto.LabelPair) bool { return l.GetName() == labels[i] && l.GetValue() == labels[i+1] }) {
				match = false
			}
		}
		if match {
			return s.GetCounter().GetValue()
		}
	}
	return -1
}

func waitInFlight(t *testing.T, r *rig, n float64) {
	t.Helper()
	for range 100 {
		_, body := r.get(t, "/metrics", nil)
		if v, _ := parse(t, body).value("neo4j_doctor_exporter_probes_in_flight"); v == n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("never %v probes in flight", n)
}

// TestProbeSecretGone: a password variable unset after the file loaded
// fails the probe with exit code 3 and the reason, not a server's error.
func TestProbeSecretGone(t *testing.T) {
	t.Parallel()
	r := start(t, exporter.Config{}, "healthy-single")
	r.pw.set("healthy-single", "")
	m := r.probe(t, "healthy-single")
	m.must(t, "neo4j_doctor_probe_success", 0)
	m.must(t, "neo4j_doctor_probe_exit_code", 3)
	if _, ok := m.value("neo4j_doctor_check_status"); ok {
		t.Error("check statuses without a diagnosis")
	}
	_, body := r.get(t, "/probe?target=healthy-single&debug=true", nil)
	if !strings.Contains(body, `error: target "healthy-single": environment variable HEALTHY_SINGLE_PASSWORD (its passwordEnv) is not set`) ||
		!strings.Contains(body, "hint: export HEALTHY_SINGLE_PASSWORD") {
		t.Errorf("debug answer:\n%s", body)
	}
}

// TestProbeDatabaseAccessNeedsAccessCheck: the access mode of the
// database a probe reached is a state set, and the access check's status
// is among the others. It needs the access check merged.
func TestProbeDatabaseAccessNeedsAccessCheck(t *testing.T) {
	t.Parallel()
	r := start(t, exporter.Config{}, "read-only-database", "healthy-single")

	m := r.probe(t, "read-only-database")
	stable(t, m)
	m.must(t, "neo4j_doctor_check_status", 1, "check", "access", "status", "warn")
	m.must(t, "neo4j_doctor_database_access", 1, "database", "neo4j", "mode", "read-only")
	m.must(t, "neo4j_doctor_database_access", 0, "database", "neo4j", "mode", "read-write")
	m.must(t, "neo4j_doctor_probe_success", 1) // a warning: reads still work

	m = r.probe(t, "healthy-single")
	m.must(t, "neo4j_doctor_check_status", 1, "check", "access", "status", "pass")
	m.must(t, "neo4j_doctor_database_access", 1, "database", "neo4j", "mode", "read-write")
	m.must(t, "neo4j_doctor_database_access", 0, "database", "neo4j", "mode", "read-only")
}

// TestProbeWarm: the exporter's second probe of a target starts from the
// first's routing table (Env.Memory, on unless --no-cache), with one
// connection and one login per member each time. (A table that moved is
// checks.TestWarmTableChanged's.)
func TestProbeWarm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		memory *checks.Memory
		warm   float64
	}{{"remembering", checks.NewMemory(nil), 1}, {"--no-cache", nil, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := start(t, exporter.Config{Env: &checks.Env{Memory: tc.memory}}, "healthy-cluster")
			first := r.probe(t, "healthy-cluster")
			first.must(t, "neo4j_doctor_probe_warm", 0)
			second := r.probe(t, "healthy-cluster")
			for _, m := range []metrics{first, second} {
				m.must(t, "neo4j_doctor_probe_success", 1)
				m.must(t, "neo4j_doctor_probe_connections", 3)
				m.must(t, "neo4j_doctor_probe_logons", 3)
				m.must(t, "neo4j_doctor_routing_table_changed", 0)
			}
			second.must(t, "neo4j_doctor_probe_warm", tc.warm)
		})
	}
}
