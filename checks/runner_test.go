package checks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// runIDs are the checks of a run that opts in to nothing (no
// --idle-probe), in order: what a report holds.
func runIDs() []string {
	var ids []string
	for _, c := range checks.RunChecks(&checks.Target{}) {
		ids = append(ids, c.ID)
	}
	return ids
}

func checkIDs() []string {
	var ids []string
	for _, c := range checks.Checks() {
		ids = append(ids, c.ID)
	}
	return ids
}

// wantShape asserts what every report promises whatever happened: every
// check present once, in order, titled, with non-nil lists; skips that
// say why.
func wantShape(t *testing.T, rep *checks.Report) {
	t.Helper()
	var ids []string
	for _, r := range rep.Checks {
		ids = append(ids, r.ID)
		if r.Title == "" {
			t.Errorf("%s has no title", r.ID)
		}
		if r.Facts == nil || r.Evidence == nil || r.Hints == nil {
			t.Errorf("%s: nil list (facts %v evidence %v hints %v): JSON would say null", r.ID, r.Facts == nil, r.Evidence == nil, r.Hints == nil)
		}
		if r.Status == checks.Fail && len(r.Hints) == 0 {
			t.Errorf("%s failed without a hint", r.ID)
		}
	}
	if !slices.Equal(ids, runIDs()) {
		t.Errorf("checks in order %v, want %v", ids, runIDs())
	}
	if rep.Members == nil {
		t.Error("Members is nil")
	}
	for _, m := range rep.Members {
		for _, r := range m.Checks {
			if r.Facts == nil || r.Evidence == nil || r.Hints == nil {
				t.Errorf("member %s %s: nil list", m.Address, r.ID)
			}
		}
	}
}

// wantJSON renders rep as the CLI's --json does and validates it against
// the shipped schema; it returns the decoded document.
func wantJSON(t *testing.T, rep *checks.Report) map[string]any {
	t.Helper()
	var b bytes.Buffer
	if err := report.JSON(&b, rep, report.ToolInfo{Version: "test"}); err != nil {
		t.Fatalf("report.JSON: %v", err)
	}
	if err := contract.Report(b.Bytes()); err != nil {
		t.Fatalf("the JSON report does not validate: %v\n%s", err, b.String())
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["exitCode"] != float64(rep.ExitCode) || doc["verdict"] != string(rep.Verdict) {
		t.Errorf("JSON verdict %v exit %v, report %s %d", doc["verdict"], doc["exitCode"], rep.Verdict, rep.ExitCode)
	}
	if strings.Contains(b.String(), testPass) {
		t.Error("the JSON report contains the password")
	}
	return doc
}

func TestRunnerSkipsDependents(t *testing.T) {
	t.Parallel()
	rep := run(t, target{uri: "neo4j://127.0.0.1:" + closedPort(t)})
	wantShape(t, rep)
	// Every check of the chain names the check that failed at its root,
	// not the one just before it.
	want := map[string]string{
		"tls":     "not run: tcp failed",
		"bolt":    "not run: tcp failed",
		"version": "not run: tcp failed",
		"auth":    "not run: tcp failed",
		"routing": "not run: tcp failed",
		"members": "not run: tcp failed",
		"query":   "not run: tcp failed",
	}
	for id, summary := range want {
		r := result(t, rep, id)
		if r.Status != checks.Skip || r.Summary != summary {
			t.Errorf("%s: %s %q, want skip %q", id, r.Status, r.Summary, summary)
		}
		if r.Duration != 0 {
			t.Errorf("%s: a skipped check took %s", id, r.Duration)
		}
	}
}

// A check that skips itself (dns for an IP, tls for plaintext) does not
// block what needs it.
func TestRunnerOwnSkipDoesNotBlock(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	rep := run(t, target{uri: s.URI("bolt")})
	wantShape(t, rep)
	wantStatuses(t, rep, map[string]checks.Status{
		"config": checks.Pass, "dns": checks.Skip, "tcp": checks.Pass, "tls": checks.Skip, "bolt": checks.Pass,
		"version": checks.Pass, "auth": checks.Pass, "routing": checks.Skip, "members": checks.Skip, "query": checks.Pass,
	})
	for _, r := range rep.Checks {
		if r.Status == checks.Skip && strings.HasPrefix(r.Summary, "skipped:") {
			t.Errorf("%s was blocked: %q", r.ID, r.Summary)
		}
	}
}

func TestRunnerStrictTurnsWarningsIntoFailure(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j44())) // warns: 4.4 is out of support
	tt := resolve(t, target{uri: s.URI("bolt")})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep := checks.Diagnose(ctx, tt, testEnv(t), checks.Options{Strict: true})
	wantVerdict(t, rep, checks.Warn, checks.ExitFailed)
	rep = checks.Diagnose(ctx, tt, testEnv(t), checks.Options{})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
}

func TestRunnerJSONValidates(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	d := tlsSetup(t, selfSigned(t))
	c := startCluster(t, 3, fixtures.ClusterConfig{Dead: []int{2}})
	http := startServer(t, misbehaving(fixtures.AnswerHTTP))
	cases := []struct {
		name string
		tg   target
	}{
		{"cluster with a dead member", target{uri: c.URI("neo4j")}},
		{"self-signed certificate", func() target { tg := d.target("neo4j+s", "db"); tg.caFile = p.caFile; return tg }()},
		{"unknown host", d.target("neo4j", "nosuchhost")},
		{"HTTP port with raw evidence", target{uri: http.URI("bolt")}},
		{"refused", target{uri: "bolt://127.0.0.1:" + closedPort(t)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := run(t, tc.tg)
			wantShape(t, rep)
			doc := wantJSON(t, rep)
			if got := len(doc["checks"].([]any)); got != len(runIDs()) {
				t.Errorf("%d checks in JSON", got)
			}
			if got := len(doc["members"].([]any)); got != len(rep.Members) {
				t.Errorf("%d members in JSON, %d in the report", got, len(rep.Members))
			}
		})
	}
}

func TestRunnerInjectedClock(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	base := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	var ticks atomic.Int64
	env := testEnv(t)
	env.Now = func() time.Time { return base.Add(time.Duration(ticks.Add(1)) * time.Millisecond) }
	rep := diagnose(t, resolve(t, target{uri: s.URI("neo4j")}), env)
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	if !rep.Started.After(base) || rep.Started.After(base.Add(time.Second)) {
		t.Errorf("Started %s does not come from Env.Now", rep.Started)
	}
	if rep.Duration <= 0 || rep.Duration > time.Minute {
		t.Errorf("Duration %s does not come from Env.Now", rep.Duration)
	}
	for _, r := range rep.Checks {
		if r.Status != checks.Skip && r.Duration <= 0 {
			t.Errorf("%s: duration %s", r.ID, r.Duration)
		}
	}
}

// A cancelled run (Ctrl-C) ends promptly and still yields a whole report.
func TestRunnerCancelledContext(t *testing.T) {
	t.Parallel()
	s := startServer(t, misbehaving(fixtures.Stall))
	tt := resolve(t, target{uri: s.URI("neo4j"), timeout: 10 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	rep := checks.Diagnose(ctx, tt, testEnv(t), checks.Options{})
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("a cancelled diagnosis took %s", el)
	}
	wantShape(t, rep)
	wantJSON(t, rep)
	if rep.Verdict != checks.Fail || rep.ExitCode == checks.ExitHealthy {
		t.Errorf("verdict %s exit %d after cancellation", rep.Verdict, rep.ExitCode)
	}
	if r := result(t, rep, "bolt"); r.Status != checks.Fail {
		t.Errorf("bolt %s %q", r.Status, r.Summary)
	}
}

// After Ctrl-C the report must say the run was interrupted, not diagnose
// the server: a cancelled handshake is not evidence against the port.
func TestRunnerCancelledRunSaysInterrupted(t *testing.T) {
	t.Parallel()
	s := startServer(t, misbehaving(fixtures.Stall))
	tt := resolve(t, target{uri: s.URI("bolt"), timeout: 10 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	rep := checks.Diagnose(ctx, tt, testEnv(t), checks.Options{})
	r := result(t, rep, "bolt")
	if !containsFold(r.Summary, "cancel") && !containsFold(r.Summary, "interrupt") {
		t.Errorf("BUG: after cancellation the bolt check says %q with hints %q: it should say the run was interrupted", r.Summary, r.Hints)
	}
}

// Execute's contract with hand-made checks: Needs blocks on failure (and
// transitively), After only orders, and results come back in list order
// whatever order the checks finish in.
func TestExecuteNeedsAndAfter(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var order []string
	mk := func(id string, st checks.Status, delay time.Duration, needs, after []string) checks.Check {
		return checks.Check{ID: id, Title: "check " + id, Needs: needs, After: after,
			Run: func(ctx context.Context, r *checks.Run) checks.Result {
				time.Sleep(delay)
				mu.Lock()
				order = append(order, id)
				mu.Unlock()
				return checks.Result{Status: st, Summary: id + " ran", Hints: []string{"fix " + id}}
			}}
	}
	list := []checks.Check{
		mk("a", checks.Pass, 30*time.Millisecond, nil, nil),
		mk("b", checks.Fail, 0, []string{"a"}, nil),
		mk("c", checks.Pass, 0, []string{"b"}, nil),           // blocked by b
		mk("d", checks.Pass, 0, []string{"c"}, nil),           // blocked through c
		mk("e", checks.Pass, 0, []string{"a"}, []string{"b"}), // ordered after b, not blocked
		mk("f", checks.Skip, 0, nil, nil),
		mk("g", checks.Pass, 0, []string{"f"}, nil), // a skip does not block
		mk("h", checks.Warn, 0, []string{"unknown"}, nil),
	}
	r := &checks.Run{Env: &checks.Env{Now: time.Now}}
	got := checks.Execute(context.Background(), r, list)
	want := []struct {
		id      string
		status  checks.Status
		summary string
	}{
		{"a", checks.Pass, "a ran"},
		{"b", checks.Fail, "b ran"},
		{"c", checks.Skip, "not run: b failed"},
		{"d", checks.Skip, "not run: b failed"}, // b is at the root of d's chain
		{"e", checks.Pass, "e ran"},
		{"f", checks.Skip, "f ran"},
		{"g", checks.Pass, "g ran"},
		{"h", checks.Warn, "h ran"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d results, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.id || g.Status != w.status || g.Summary != w.summary || g.Title != "check "+w.id {
			t.Errorf("result %d: %s %s %q (%q), want %s %s %q", i, g.ID, g.Status, g.Summary, g.Title, w.id, w.status, w.summary)
		}
		if g.Facts == nil || g.Evidence == nil || g.Hints == nil {
			t.Errorf("%s: nil lists", g.ID)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	pos := func(id string) int { return slices.Index(order, id) }
	if pos("b") < pos("a") || pos("e") < pos("b") || pos("e") < pos("a") {
		t.Errorf("run order %v breaks Needs/After", order)
	}
	if slices.Contains(order, "c") || slices.Contains(order, "d") {
		t.Errorf("blocked checks ran: %v", order)
	}
}

func TestChecksListIsConsistent(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, c := range checks.Checks() {
		if seen[c.ID] {
			t.Errorf("duplicate check %s", c.ID)
		}
		for _, dep := range append(append([]string(nil), c.Needs...), c.After...) {
			if !seen[dep] && dep != "auth" { // version runs After auth, listed later
				t.Errorf("%s depends on %s, which is not listed before it", c.ID, dep)
			}
		}
		seen[c.ID] = true
		if c.Run == nil || c.Title == "" {
			t.Errorf("%s: no Run or Title", c.ID)
		}
	}
	if want := []string{"config", "dns", "tcp", "tls", "bolt", "version", "auth", "routing", "idle", "members", "access", "query", "http", "websocket"}; !slices.Equal(checkIDs(), want) {
		t.Errorf("checks %v, want %v", checkIDs(), want)
	}
}

// Whatever happens, neither the text nor the JSON report shows the
// password: not from a flag, not from the URI, not when it is wrong.
func TestReportNeverContainsThePassword(t *testing.T) {
	t.Parallel()
	const secret = "Zq7-not-the-password-Zq7"
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	s44 := startServer(t, withUsers(fixtures.Neo4j44()))
	cases := map[string]*checks.Target{
		"wrong password flag, LOGON": resolve(t, target{uri: s.URI("neo4j"), pass: secret}),
		"wrong password flag, HELLO": resolve(t, target{uri: s44.URI("neo4j"), pass: secret}),
		"password in the URI": func() *checks.Target {
			tt, err := checks.Resolve(checks.Inputs{Flags: map[string]string{"uri": "neo4j://neo4j:" + secret + "@" + s.Addr()}, Timeout: stepTimeout})
			if err != nil {
				t.Fatal(err)
			}
			return tt
		}(),
	}
	for name, tt := range cases {
		t.Run(name, func(t *testing.T) {
			rep := diagnose(t, tt, nil)
			wantCheck(t, rep, "auth", checks.Fail, "wrong username or password")
			var js bytes.Buffer
			if err := report.JSON(&js, rep, report.ToolInfo{}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(render(rep), secret) || strings.Contains(js.String(), secret) {
				t.Error("a report shows the password")
			}
			if strings.Contains(fmt.Sprintf("%+v", rep), secret) {
				t.Error("the Report value holds the password where a renderer could reach it")
			}
		})
	}
}
