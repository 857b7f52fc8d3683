package fleet_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fleet"
)

func startServer(t testing.TB, cfg fixtures.Config) *fixtures.Server {
	t.Helper()
	if cfg.Users == nil {
		cfg.Users = map[string]string{"neo4j": "secret"}
	}
	s, err := fixtures.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// closedPort is a loopback port nothing listens on.
func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func env(k string) string {
	switch k {
	case "GOOD_PW":
		return "secret"
	case "BAD_PW":
		return "wrong"
	}
	return ""
}

func TestDiagnoseWorstExitCode(t *testing.T) {
	t.Parallel()
	healthy := startServer(t, fixtures.Config{})
	other := startServer(t, fixtures.Config{})
	p := writeFile(t, "fleet.yml", fmt.Sprintf(`defaults:
  username: neo4j
  passwordEnv: GOOD_PW
  timeout: 2s
targets:
  - {name: healthy, uri: %s}
  - {name: wrong-password, uri: %s, passwordEnv: BAD_PW}
  - {name: down, uri: bolt://%s}
  - {name: no-query, uri: %s, skip: [query]}
`, healthy.URI("bolt"), other.URI("bolt"), closedPort(t), healthy.URI("neo4j")))
	f, err := fleet.Load(p, env)
	if err != nil {
		t.Fatal(err)
	}
	res, err := fleet.Diagnose(context.Background(), f, fleet.Options{Getenv: env})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name    string
		verdict checks.Status
		exit    int
		failing string
	}{
		{"healthy", checks.Pass, 0, ""},
		{"wrong-password", checks.Fail, 1, "auth"},
		{"down", checks.Fail, 2, "tcp"},
		{"no-query", checks.Pass, 0, ""},
	}
	if len(res.Outcomes) != len(want) {
		t.Fatalf("%d outcomes", len(res.Outcomes))
	}
	for i, w := range want {
		o := res.Outcomes[i]
		s := o.Report.Headline()
		if o.Name != w.name || o.Report.Verdict != w.verdict || o.Report.ExitCode != w.exit || s.Failing != w.failing {
			t.Errorf("outcome %d = %s %s exit %d failing %q, want %+v", i, o.Name, o.Report.Verdict, o.Report.ExitCode, s.Failing, w)
		}
	}
	if res.Verdict != checks.Fail || res.ExitCode != 2 {
		t.Errorf("fleet = %s exit %d, want fail exit 2 (the worst)", res.Verdict, res.ExitCode)
	}
	var q checks.Result
	for _, c := range res.Outcomes[3].Report.Checks {
		if c.ID == "query" {
			q = c
		}
	}
	if q.ID != "query" || q.Status != checks.Skip {
		t.Errorf("skip: [query] ran the query: %+v", q)
	}
	s := res.Outcomes[0].Report.Headline()
	if s.BoltVersion != "5.8" || s.ServerAgent != "Neo4j/5.26.0" {
		t.Errorf("summary = %+v", s)
	}
	s = res.Outcomes[3].Report.Headline()
	if s.Routing == nil || *s.Routing != (checks.RoutingSizes{Routers: 1, Readers: 1, Writers: 1}) {
		t.Errorf("routing sizes of a standalone neo4j:// = %+v", s.Routing)
	}
}

func TestWorstExitCodeOrder(t *testing.T) {
	t.Parallel()
	rep := func(v checks.Status, code int) fleet.Outcome {
		return fleet.Outcome{Report: &checks.Report{Verdict: v, ExitCode: code}}
	}
	for _, c := range []struct {
		in   []fleet.Outcome
		v    checks.Status
		exit int
	}{
		{[]fleet.Outcome{rep(checks.Pass, 0), rep(checks.Warn, 0)}, checks.Warn, 0},
		{[]fleet.Outcome{rep(checks.Fail, 2), rep(checks.Fail, 1), rep(checks.Pass, 0)}, checks.Fail, 2},
		{[]fleet.Outcome{rep(checks.Warn, 1), rep(checks.Pass, 0)}, checks.Warn, 1}, // --strict
		{nil, checks.Pass, 0},
	} {
		if v, code := checks.Worst(c.in); v != c.v || code != c.exit {
			t.Errorf("Worst = %s %d, want %s %d", v, code, c.v, c.exit)
		}
	}
}

// silentListener accepts connections and never answers.
func silentListener(t *testing.T) string {
	t.Helper()
	cfg := fixtures.Neo4j526()
	cfg.Misbehave = fixtures.Misbehaviour{Kind: fixtures.Stall}
	srv, err := fixtures.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv.Addr()
}

// openCounter counts the client's open connections, as the bound is meant
// to limit them.
type openCounter struct {
	mu               sync.Mutex
	open, peak, seen int
}

func (o *openCounter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	o.open++
	o.seen++
	o.peak = max(o.peak, o.open)
	o.mu.Unlock()
	return &countedConn{Conn: c, o: o}, nil
}

type countedConn struct {
	net.Conn
	o    *openCounter
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.o.mu.Lock()
		c.o.open--
		c.o.mu.Unlock()
	})
	return c.Conn.Close()
}

func TestDiagnoseBoundsConcurrency(t *testing.T) {
	t.Parallel()
	addr := silentListener(t)
	counter := &openCounter{}
	var b strings.Builder
	b.WriteString("concurrency: 2\ntargets:\n")
	for i := range 6 {
		fmt.Fprintf(&b, "  - {name: t%d, uri: 'bolt://%s', timeout: 150ms}\n", i, addr)
	}
	f, err := fleet.Load(writeFile(t, "t.yml", b.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := fleet.Diagnose(context.Background(), f, fleet.Options{Env: &checks.Env{Dial: counter.dial}})
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	for _, o := range res.Outcomes {
		if o.Report.ExitCode != checks.ExitNoResponse {
			t.Errorf("%s: exit %d, want 2 (silent peer)", o.Name, o.Report.ExitCode)
		}
	}
	counter.mu.Lock()
	peak, accepted := counter.peak, counter.seen
	counter.mu.Unlock()
	// Each diagnosis opens one connection: without Env.Memory the version
	// list is not read on a connection of its own.
	const perTarget = 1
	if accepted < 6*perTarget {
		t.Fatalf("only %d connections were dialled", accepted)
	}
	if peak != 2*perTarget {
		t.Errorf("at most %d connections were open at once, want exactly the bound 2 × %d", peak, perTarget)
	}
	// Six silent targets, two at a time, 150 ms each: at least three rounds.
	if el < 3*150*time.Millisecond {
		t.Errorf("6 targets two at a time took %s: the bound is not applied", el)
	}
	t.Logf("6 silent targets, concurrency 2: %s, peak %d connections", el, peak)
}
