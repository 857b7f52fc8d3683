package checks_test

// Shared helpers: every test diagnoses a real fixture server on 127.0.0.1
// the way the CLI does (Resolve, then Diagnose) and asserts what a user
// reads: verdict, exit code, the deciding check and a hint naming the fix.
// No name is ever resolved outside the loopback fixture DNS server.

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
	"github.com/neo4j-doctor/neo4j-doctor/internal/truststore"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// A lookup whose context ended (TestDNSDroppedQueryTimesOut) leaves
		// the standard library's resolver reading its UDP socket until the
		// host's resolv.conf timeout: cancellation does not interrupt the
		// read. It ends on its own; nothing in this module starts it.
		goleak.IgnoreTopFunction("net.(*Resolver).lookupIPAddr.func2"),
		goleak.IgnoreAnyFunction("net.(*Resolver).goLookupIPCNAMEOrder"),
		goleak.IgnoreAnyFunction("net.(*Resolver).tryOneName"),
	)
}

// Test credentials: fixed, not anybody's secret.
const (
	testUser = "neo4j"
	testPass = "s3cret-test-password"
	// testDomain is under .test (RFC 2606): never a real name.
	testDomain = "doctor.test"
	// stepTimeout is Target.Timeout for every test that does not wait on
	// silence on purpose.
	stepTimeout = time.Second
)

var (
	lo  = net.IPv4(127, 0, 0, 1)
	lo2 = net.IPv4(127, 0, 0, 2)
)

// users is the fixture's only account.
func users() map[string]string { return map[string]string{testUser: testPass} }

// withUsers sets the expected credentials on a fixture config.
func withUsers(c fixtures.Config) fixtures.Config {
	c.Users = users()
	return c
}

// testEnv is the outside world of a run: a resolv.conf naming only the
// loopback address (so the system-resolver path never leaves the machine)
// and a trust store holding only an unrelated CA, so no test depends on
// the host's CA bundle.
func testEnv(t *testing.T) *checks.Env {
	t.Helper()
	rc := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(rc, []byte("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return &checks.Env{ResolvConf: rc, Roots: unrelatedRoots(t), Version: "test"}
}

func unrelatedRoots(t *testing.T) *x509.CertPool {
	t.Helper()
	ca, err := certs.NewCA("unrelated test root")
	if err != nil {
		t.Fatal(err)
	}
	return ca.Pool()
}

func startServer(t *testing.T, cfg fixtures.Config) *fixtures.Server {
	t.Helper()
	s, err := fixtures.Start(cfg)
	if err != nil {
		t.Fatalf("fixtures.Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func startCluster(t *testing.T, n int, cfg fixtures.ClusterConfig) *fixtures.Cluster {
	t.Helper()
	if cfg.Member.Agent == "" {
		cfg.Member = fixtures.Neo4j526()
	}
	if cfg.Member.Users == nil {
		cfg.Member.Users = users()
	}
	c, err := fixtures.StartCluster(n, cfg)
	if err != nil {
		t.Fatalf("fixtures.StartCluster: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func startDNS(t *testing.T, records map[string][]net.IP) *fixtures.DNS {
	t.Helper()
	d, err := fixtures.StartDNS(records)
	if err != nil {
		t.Fatalf("fixtures.StartDNS: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// host is a name in the test zone.
func host(label string) string { return label + "." + testDomain }

// portOf returns the port of a host:port address.
func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := portOf(t, ln.Addr().String())
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// target is what the CLI builds from --uri, -u, -p: the credentials are
// the fixture's unless in overrides them.
type target struct {
	uri       string
	user      string
	pass      string
	noCreds   bool
	database  string
	caFile    string
	dnsServer string
	timeout   time.Duration
	// The access check's inputs: --bearer-token (which replaces the user
	// and password), --impersonate, --write-probe.
	bearer      string
	impersonate string
	writeProbe  bool
	httpURI     string // --http-uri
	// deriveHTTP keeps the endpoint derived from the URI (:7474) for a
	// test whose Env.Dial redirects it; otherwise a test without httpURI
	// gets a port that refuses.
	deriveHTTP bool
	// --trust-store, and where its kinds are looked for.
	trustStore  string
	trustSearch *truststore.Search
	// listVersions: --verbose's version list, on a connection of its own
	listVersions bool
}

func resolve(t *testing.T, tg target) *checks.Target {
	t.Helper()
	flags := map[string]string{"uri": tg.uri}
	if tg.bearer != "" {
		flags["bearer-token"] = tg.bearer
		tg.noCreds = true
	}
	if !tg.noCreds {
		flags["username"], flags["password"] = testUser, testPass
		if tg.user != "" {
			flags["username"] = tg.user
		}
		if tg.pass != "" {
			flags["password"] = tg.pass
		}
	}
	if tg.database != "" {
		flags["database"] = tg.database
	}
	if tg.timeout == 0 {
		tg.timeout = stepTimeout
	}
	in := checks.Inputs{
		Flags:        flags,
		CAFile:       tg.caFile,
		Timeout:      tg.timeout,
		DNSServer:    tg.dnsServer,
		Impersonate:  tg.impersonate,
		WriteProbe:   tg.writeProbe,
		HTTPURI:      tg.httpURI,
		TrustStore:   tg.trustStore,
		ListVersions: tg.listVersions,
		TrustSearch:  tg.trustSearch,
	}
	if tg.httpURI == "" && !tg.deriveHTTP {
		// The derived endpoint on a held port that refuses, as a server
		// whose HTTP port is closed: never whatever listens on this
		// machine's 7474.
		in.HTTPPort = refusedPort(t)
	}
	tt, err := checks.Resolve(in)
	if err != nil {
		t.Fatalf("Resolve(%s): %v", tg.uri, err)
	}
	return tt
}

// diagnose runs the whole diagnosis with a generous overall bound; the
// per-step Timeout is what the tests are about.
func diagnose(t *testing.T, tt *checks.Target, env *checks.Env) *checks.Report {
	t.Helper()
	if env == nil {
		env = testEnv(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep := checks.Diagnose(ctx, tt, env, checks.Options{})
	if rep == nil {
		t.Fatal("Diagnose returned nil")
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("report:\n%s", render(rep))
		}
	})
	return rep
}

// run is resolve + diagnose for the common case.
func run(t *testing.T, tg target) *checks.Report {
	t.Helper()
	return diagnose(t, resolve(t, tg), nil)
}

// render is the verbose text report, for failure messages, cut short so
// a hostile-input test cannot flood the log.
func render(rep *checks.Report) string {
	var b bytes.Buffer
	if err := report.Text(&b, rep, report.TextOptions{Verbose: true}); err != nil {
		return "(text report failed: " + err.Error() + ")"
	}
	const max = 16 << 10
	if b.Len() > max {
		return b.String()[:max] + fmt.Sprintf("\n… (%d bytes in all)", b.Len())
	}
	return b.String()
}

func result(t *testing.T, rep *checks.Report, id string) checks.Result {
	t.Helper()
	for _, r := range rep.Checks {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no %q check in the report", id)
	return checks.Result{}
}

func fact(r checks.Result, name string) (string, bool) {
	for _, f := range r.Facts {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

func evidence(r checks.Result, name string) (string, bool) {
	for _, f := range r.Evidence {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// wantVerdict asserts the overall verdict and the exit code.
func wantVerdict(t *testing.T, rep *checks.Report, verdict checks.Status, exit int) {
	t.Helper()
	if rep.Verdict != verdict || rep.ExitCode != exit {
		t.Errorf("verdict %s exit %d, want %s exit %d", rep.Verdict, rep.ExitCode, verdict, exit)
	}
}

// wantCheck asserts one check's status, that its summary contains
// summary, and that one of its hints contains each of hints (all
// case-insensitive).
func wantCheck(t *testing.T, rep *checks.Report, id string, status checks.Status, summary string, hints ...string) checks.Result {
	t.Helper()
	r := result(t, rep, id)
	if r.Status != status {
		t.Errorf("%s: status %s (%q), want %s", id, r.Status, r.Summary, status)
	}
	if !containsFold(r.Summary, summary) {
		t.Errorf("%s: summary %q does not contain %q", id, r.Summary, summary)
	}
	for _, h := range hints {
		if !anyContains(r.Hints, h) {
			t.Errorf("%s: no hint contains %q; hints: %q", id, h, r.Hints)
		}
	}
	return r
}

// wantStatuses asserts the status of several checks at once.
func wantStatuses(t *testing.T, rep *checks.Report, want map[string]checks.Status) {
	t.Helper()
	for id, st := range want {
		if r := result(t, rep, id); r.Status != st {
			t.Errorf("%s: status %s (%q), want %s", id, r.Status, r.Summary, st)
		}
	}
}

// firstNotPassing is the check a reader's eye lands on.
func firstNotPassing(rep *checks.Report) checks.Result {
	for _, r := range rep.Checks {
		if r.Status == checks.Fail || r.Status == checks.Warn {
			return r
		}
	}
	return checks.Result{}
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if containsFold(s, sub) {
			return true
		}
	}
	return false
}

// noCredentialsSent asserts that no connection to s carried a password.
func noCredentialsSent(t *testing.T, s *fixtures.Server) {
	t.Helper()
	recs := s.Received()
	if len(recs) == 0 {
		t.Fatal("the server saw no connection at all")
	}
	for _, r := range recs {
		if r.SentCredentials() {
			t.Errorf("connection %d (TLS %v, %s) carried credentials: %+v", r.Conn, r.TLS, r.TLSError, r.Messages)
		}
	}
}

// refusedPort is a port held until the test ends where connections are
// refused.
func refusedPort(t *testing.T) int {
	t.Helper()
	addr, release, err := fixtures.ClosedAddress()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = release() })
	_, port, _ := net.SplitHostPort(addr)
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
