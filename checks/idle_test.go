package checks_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/network"
)

// The idle probe against a real server behind the idle-cutting proxy, in
// scaled time: a limit of 1s, idle times of 200ms (well under it, so a
// busy machine cannot push it over) and 3s (well over it).

// behindIdleCut starts a server and an idle-cutting proxy in front of it.
func behindIdleCut(t *testing.T, limit time.Duration, mode network.IdleMode) (*fixtures.Server, *network.IdleCut) {
	t.Helper()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	p, err := network.StartIdleCut(s.Addr(), limit, mode)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return s, p
}

func idleTarget(t *testing.T, uri string, probes ...time.Duration) *checks.Target {
	t.Helper()
	tt := resolve(t, target{uri: uri})
	tt.IdleProbe = probes
	return tt
}

// TestIdleNotRequested: without --idle-probe the check is no part of the
// run (not in the report at all) and nothing waits; --checks idle alone
// is bad input naming --idle-probe.
func TestIdleNotRequested(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	rep := run(t, target{uri: s.URI("bolt")})
	for _, r := range rep.Checks {
		if r.ID == "idle" {
			t.Errorf("idle is in the report without --idle-probe: %+v", r)
		}
	}
	if rep.Idle != nil {
		t.Errorf("idle info %+v without --idle-probe", rep.Idle)
	}
	tt := resolve(t, target{uri: s.URI("bolt")})
	var ie *checks.InputError
	if err := checks.OptedIn(tt, []string{"idle"}); !errors.As(err, &ie) || !strings.Contains(ie.Hint, "--idle-probe") {
		t.Errorf("--checks idle without --idle-probe: %v, want an input error naming --idle-probe", err)
	}
	tt.IdleProbe = []time.Duration{time.Second}
	if err := checks.OptedIn(tt, []string{"idle"}); err != nil {
		t.Errorf("--checks idle with --idle-probe: %v", err)
	}
}

// TestIdleReset: a proxy that resets idle flows after 1s: 200ms answered,
// 3s reset; a warning with the bracket and the drivers' settings.
func TestIdleReset(t *testing.T) {
	t.Parallel()
	_, p := behindIdleCut(t, time.Second, network.IdleRST)
	rep := diagnose(t, idleTarget(t, "bolt://"+p.Addr(), 200*time.Millisecond, 3*time.Second), nil)
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantCheck(t, rep, "idle", checks.Warn, "idle connections are cut between 200ms and 3s: reset at 3s",
		"set the maximum connection lifetime below 200ms", "max_connection_lifetime", "maxConnectionLifetime", "withMaxConnectionLifetime",
		"MaxConnectionLifetime", "WithMaxConnectionLifetime", "liveness_check_timeout", "connectionLivenessCheckTimeout")
	if r.Code != "idle.reset" {
		t.Errorf("code %q, want idle.reset", r.Code)
	}
	if v, _ := fact(r, "idle 200ms"); !strings.HasPrefix(v, "answered") {
		t.Errorf("idle 200ms: %q, want answered", v)
	}
	if v, _ := fact(r, "idle 3s"); !strings.HasPrefix(v, "reset") {
		t.Errorf("idle 3s: %q, want reset", v)
	}
	if v, _ := fact(r, "TCP keep-alive"); !strings.HasPrefix(v, "off") {
		t.Errorf("TCP keep-alive: %q, want off", v)
	}
	if v, _ := fact(r, "server keep-alive"); !strings.HasPrefix(v, "connection.recv_timeout_seconds=120") {
		t.Errorf("server keep-alive: %q, want the server's hint", v)
	}
	in := rep.Idle
	if in == nil || in.Safe != 200*time.Millisecond || in.Cut != 3*time.Second || in.KeepAlive || in.RecvTimeout != 120*time.Second ||
		len(in.Probes) != 2 || in.Probes[0].Outcome != checks.IdleAnswered || in.Probes[1].Outcome != checks.IdleReset {
		t.Errorf("idle info %+v, want safe 200ms, cut 3s (reset), keep-alive off, recv timeout 120s", in)
	}
	if p.Cuts() < 1 {
		t.Errorf("the proxy cut %d flows", p.Cuts())
	}
}

// TestIdleSilent: a proxy that forgets idle flows: the 3s connection gets
// no answer, which is worse than a reset, and the hints say why.
func TestIdleSilent(t *testing.T) {
	t.Parallel()
	_, p := behindIdleCut(t, time.Second, network.IdleSilent)
	rep := diagnose(t, idleTarget(t, "bolt://"+p.Addr(), 200*time.Millisecond, 3*time.Second), nil)
	r := wantCheck(t, rep, "idle", checks.Warn, "idle connections are dropped between 200ms and 3s: no answer at 3s",
		"maxConnectionLifetime", "silent drop is the worse case")
	if r.Code != "idle.silent" {
		t.Errorf("code %q, want idle.silent", r.Code)
	}
	if v, _ := fact(r, "idle 3s"); v != "silent: no answer to RESET in 2s" {
		t.Errorf("idle 3s: %q, want silent after the 2s deadline", v)
	}
}

// TestIdleHealthyThroughProxy: a long limit cuts nothing: a pass that says
// how long was tried.
func TestIdleHealthyThroughProxy(t *testing.T) {
	t.Parallel()
	_, p := behindIdleCut(t, time.Hour, network.IdleRST)
	rep := diagnose(t, idleTarget(t, "bolt://"+p.Addr(), 100*time.Millisecond, 300*time.Millisecond), nil)
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantCheck(t, rep, "idle", checks.Pass, "every idle connection answered, up to 300ms")
	if len(r.Hints) != 0 || rep.Idle == nil || rep.Idle.Safe != 300*time.Millisecond || rep.Idle.Cut != 0 {
		t.Errorf("hints %q, idle %+v; want none, safe 300ms, no cut", r.Hints, rep.Idle)
	}
}

// TestIdleGoesToTheWriter: for neo4j:// the connections go to the writer
// the routing table names, not to the server in the URI.
func TestIdleGoesToTheWriter(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{Member: withUsers(fixtures.Neo4j526())})
	tt := idleTarget(t, c.Members[1].URI("neo4j"), 50*time.Millisecond)
	rep := diagnose(t, tt, nil)
	r := wantCheck(t, rep, "idle", checks.Pass, "every idle connection answered, up to 50ms")
	if v, _ := fact(r, "server"); v != c.Members[0].Addr()+" (the writer)" {
		t.Errorf("server %q, want the writer %s", v, c.Members[0].Addr())
	}
	var resets int
	for _, rec := range c.Members[0].Received() {
		for _, m := range rec.Messages {
			if m.Name == "RESET" {
				resets++
			}
		}
	}
	if resets != 1 {
		t.Errorf("the writer got %d RESETs, want the probe's one", resets)
	}
}

// TestIdleConnectFailed: a probe whose connections cannot log in fails
// with the step that failed.
func TestIdleConnectFailed(t *testing.T) {
	t.Parallel()
	// The writer the table names is a closed port: the seed answers, the
	// probe's connection cannot.
	s := startServer(t, withUsers(fixtures.Config{Routing: &fixtures.RoutingTable{}}))
	closed := "127.0.0.1:" + closedPort(t)
	s2 := startServer(t, withUsers(fixtures.Config{Routing: &fixtures.RoutingTable{Routers: []string{s.Addr()}, Readers: []string{s.Addr()}, Writers: []string{closed}}}))
	rep := diagnose(t, idleTarget(t, s2.URI("neo4j"), 10*time.Millisecond), nil)
	r := wantCheck(t, rep, "idle", checks.Fail, "no idle-probe connection could be opened to "+closed, "the tcp step failed")
	if r.Code != "idle.connect_failed" {
		t.Errorf("code %q, want idle.connect_failed", r.Code)
	}
}

// TestIdleProgressAndInterrupt: the progress callback hears the opening,
// the countdown (at the interval the options give) and each idle time
// that ends; Ctrl-C reports what is known, the rest "not measured".
func TestIdleProgressAndInterrupt(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	tt := idleTarget(t, s.URI("bolt"), 50*time.Millisecond, time.Hour)
	var mu sync.Mutex
	var events []checks.IdleProgress
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := checks.Options{IdleProgressEvery: 20 * time.Millisecond, IdleProgress: func(p checks.IdleProgress) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, p)
		// Ctrl-C once the countdown was heard and the 50ms connection
		// answered: decided by events, not by how fast this machine is.
		ticks, answered := 0, false
		for _, e := range events {
			if !e.Opened && e.Done == nil {
				ticks++
			}
			if e.Done != nil && e.Done.Idle == 50*time.Millisecond {
				answered = true
			}
		}
		if ticks >= 1 && answered {
			cancel()
		}
	}}
	done := make(chan *checks.Report, 1)
	go func() { done <- checks.Diagnose(ctx, tt, testEnv(t), opts) }()
	var rep *checks.Report
	select {
	case rep = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the idle probe did not end within 30s of its interruption")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) == 0 || !events[0].Opened || !slices.Equal(events[0].Waiting, []time.Duration{50 * time.Millisecond, time.Hour}) {
		t.Fatalf("first event %+v, want the opening with both idle times", events)
	}
	var done50 bool
	for _, e := range events {
		if e.Done != nil && e.Done.Idle == 50*time.Millisecond && e.Done.Outcome == checks.IdleAnswered {
			done50 = true
		}
		if e.Remaining() > time.Hour {
			t.Errorf("remaining %s, more than the longest idle time", e.Remaining())
		}
	}
	if !done50 {
		t.Errorf("no event for the 50ms connection's answer: %+v", events)
	}
	r := wantCheck(t, rep, "idle", checks.Skip, "interrupted: every idle connection measured answered, up to 50ms; 1h not measured")
	if r.Code != checks.CodeInterrupted {
		t.Errorf("code %q, want %s", r.Code, checks.CodeInterrupted)
	}
	if v, _ := fact(r, "idle 1h"); v != "not measured (interrupted)" {
		t.Errorf("idle 1h: %q", v)
	}
	if rep.Idle == nil || !rep.Idle.Interrupted {
		t.Errorf("idle info %+v, want interrupted", rep.Idle)
	}
}

// TestParseIdleProbe: the flag's durations, sorted and deduplicated, and
// what is refused (exit 3 in the CLI).
func TestParseIdleProbe(t *testing.T) {
	t.Parallel()
	got, err := checks.ParseIdleProbe("--idle-probe", []string{"6m", " 30s", "2m", "30s", "61m"})
	if err != nil || !slices.Equal(got, []time.Duration{30 * time.Second, 2 * time.Minute, 6 * time.Minute, 61 * time.Minute}) {
		t.Errorf("got %v, %v", got, err)
	}
	for _, bad := range [][]string{
		{"5x"}, {""}, {"0s"}, {"500us"}, {"25h"}, {"-1s"},
		{"1s", "2s", "3s", "4s", "5s", "6s", "7s", "8s", "9s"},
	} {
		_, err := checks.ParseIdleProbe("--idle-probe", bad)
		var ie *checks.InputError
		if !errors.As(err, &ie) || ie.Hint == "" || !strings.Contains(ie.Msg, "--idle-probe") {
			t.Errorf("%q: %v, want an input error with a hint", bad, err)
		}
	}
	for d, want := range map[time.Duration]string{500 * time.Millisecond: "500ms", 2 * time.Minute: "2m", 61 * time.Minute: "1h1m", time.Hour: "1h", 90 * time.Second: "1m30s"} {
		if got := checks.IdleString(d); got != want {
			t.Errorf("IdleString(%s) = %q, want %q", d, got, want)
		}
	}
}

// TestIdleResetWithDriver: with --driver java the hint names Java's
// settings alone, and the result carries Java's code with the measured
// limit (200ms answered, so 200 ms).
func TestIdleResetWithDriver(t *testing.T) {
	t.Parallel()
	_, p := behindIdleCut(t, time.Second, network.IdleRST)
	tt := idleTarget(t, "bolt://"+p.Addr(), 200*time.Millisecond, 3*time.Second)
	tt.Driver = "java"
	rep := diagnose(t, tt, nil)
	r := wantCheck(t, rep, "idle", checks.Warn, "idle connections are cut between 200ms and 3s",
		"set the maximum connection lifetime below 200ms: withMaxConnectionLifetime (Java)",
		"before use: withConnectionLivenessCheckTimeout (Java)")
	for _, h := range r.Hints {
		for _, other := range []string{"max_connection_lifetime", "maxConnectionLifetime", "(Go)", "(.NET)", "WithConnectionIdleTimeout"} {
			if strings.Contains(h, other) {
				t.Errorf("hint %q names %s: with --driver java it names Java's setting alone", h, other)
			}
		}
	}
	var got []string
	for _, d := range r.DriverHints {
		got = append(got, d.Topic+": "+d.Snippet)
	}
	want := []string{
		"max_connection_lifetime: Config.builder().withMaxConnectionLifetime(200, TimeUnit.MILLISECONDS).build()",
		"liveness_check: Config.builder().withConnectionLivenessCheckTimeout(200, TimeUnit.MILLISECONDS).build()",
	}
	if !slices.Equal(got, want) {
		t.Errorf("driver hints:\n got %q\nwant %q", got, want)
	}
}
