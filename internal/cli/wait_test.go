package cli

// Tests of --wait: the backoff schedule and the waiting rules on a fake
// clock, then the CLI against real fixture servers on loopback that come up
// late, stay down, or reject the password.

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// fakeClock is a waiter's clock and sleep: sleeping moves the clock.
type fakeClock struct {
	t      time.Time
	pauses []time.Duration
	// interruptAt, if > 0, makes the n-th sleep fail as Ctrl-C would.
	interruptAt int
}

func (c *fakeClock) now() time.Time { return c.t }

func (c *fakeClock) sleep(_ context.Context, d time.Duration) error {
	c.pauses = append(c.pauses, d)
	if len(c.pauses) == c.interruptAt {
		return context.Canceled
	}
	c.t = c.t.Add(d)
	return nil
}

func fakeWaiter(limit time.Duration, all bool, progress *report.WaitProgress) (*waiter, *fakeClock) {
	c := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	w := &waiter{
		limit: limit, all: all,
		backoff:  backoff{initial: 250 * time.Millisecond, max: 3 * time.Second, jitter: func(d time.Duration) time.Duration { return d }},
		now:      c.now,
		sleep:    c.sleep,
		progress: progress,
	}
	return w, c
}

var (
	refusedReport = &checks.Report{Verdict: checks.Fail, ExitCode: checks.ExitNoResponse, Checks: []checks.Result{
		{ID: "tcp", Status: checks.Fail, Summary: "127.0.0.1:7687: connection refused"},
	}}
	unauthorizedReport = &checks.Report{Verdict: checks.Fail, ExitCode: checks.ExitFailed, Checks: []checks.Result{
		{ID: "auth", Status: checks.Fail, Summary: "authentication failed: wrong username or password",
			Evidence: []checks.Fact{{Name: "code", Value: "Neo.ClientError.Security.Unauthorized"}}},
	}}
	healthyReport = &checks.Report{Verdict: checks.Pass, ExitCode: checks.ExitHealthy}
)

// script returns a diagnosis that answers reports in turn, the last one
// forever, and counts the attempts.
func script(reports ...*checks.Report) (func(context.Context) *checks.Report, *int) {
	n := new(int)
	return func(context.Context) *checks.Report {
		*n++
		return reports[min(*n, len(reports))-1]
	}, n
}

func TestWaiterBackoffUntilTimeUp(t *testing.T) {
	t.Parallel()
	var progress bytes.Buffer
	w, c := fakeWaiter(10*time.Second, false, report.NewWaitProgress(&progress, false))
	diagnose, attempts := script(refusedReport)
	rep := w.run(context.Background(), diagnose)
	if rep != refusedReport {
		t.Fatalf("returned %+v, want the last attempt's report", rep)
	}
	ms := time.Millisecond
	// 250ms doubling to the 3s cap, the last pause cut to what is left of
	// the 10s: attempts at 0, .25, .75, 1.75, 3.75, 6.75, 9.75 and 10s.
	want := []time.Duration{250 * ms, 500 * ms, 1000 * ms, 2000 * ms, 3000 * ms, 3000 * ms, 250 * ms}
	if fmt.Sprint(c.pauses) != fmt.Sprint(want) {
		t.Errorf("pauses %v, want %v", c.pauses, want)
	}
	if *attempts != len(want)+1 {
		t.Errorf("%d attempts, want %d", *attempts, len(want)+1)
	}
	lines := strings.Split(strings.TrimSuffix(progress.String(), "\n"), "\n")
	if len(lines) != *attempts {
		t.Fatalf("%d progress lines for %d attempts:\n%s", len(lines), *attempts, progress.String())
	}
	if lines[0] != "wait: attempt 1 after 0ms: tcp failed: 127.0.0.1:7687: connection refused; next attempt in 250ms" {
		t.Errorf("first line %q", lines[0])
	}
	if last := lines[len(lines)-1]; last != "wait: attempt 8 after 10.0s: tcp failed: 127.0.0.1:7687: connection refused; gave up: --wait 10s is over" {
		t.Errorf("last line %q", last)
	}
}

func TestWaiterStopsWhenHealthy(t *testing.T) {
	t.Parallel()
	var progress bytes.Buffer
	w, c := fakeWaiter(time.Minute, false, report.NewWaitProgress(&progress, false))
	diagnose, attempts := script(refusedReport, refusedReport, healthyReport, refusedReport)
	if rep := w.run(context.Background(), diagnose); rep != healthyReport || *attempts != 3 || len(c.pauses) != 2 {
		t.Errorf("report %+v after %d attempts and pauses %v, want healthy after 3", rep, *attempts, c.pauses)
	}
	if !strings.HasSuffix(progress.String(), "wait: attempt 3 after 750ms: healthy\n") {
		t.Errorf("progress:\n%s", progress.String())
	}
}

// A wrong password does not fix itself: one attempt, however long the
// wait; --wait-all waits anyway.
func TestWaiterPermanentFailure(t *testing.T) {
	t.Parallel()
	var progress bytes.Buffer
	w, c := fakeWaiter(time.Minute, false, report.NewWaitProgress(&progress, false))
	diagnose, attempts := script(refusedReport, unauthorizedReport, healthyReport)
	if rep := w.run(context.Background(), diagnose); rep != unauthorizedReport || *attempts != 2 || len(c.pauses) != 1 {
		t.Errorf("report %+v after %d attempts, want the auth failure after 2", rep, *attempts)
	}
	if want := "wait: attempt 2 after 250ms: auth failed: authentication failed: wrong username or password; not waiting: waiting does not fix this (--wait-all waits anyway)\n"; !strings.HasSuffix(progress.String(), want) {
		t.Errorf("progress:\n%s\nwant it to end with %s", progress.String(), want)
	}

	w, _ = fakeWaiter(time.Minute, true, nil)
	diagnose, attempts = script(refusedReport, unauthorizedReport, unauthorizedReport, healthyReport)
	if rep := w.run(context.Background(), diagnose); rep != healthyReport || *attempts != 4 {
		t.Errorf("--wait-all: report %+v after %d attempts, want healthy after 4", rep, *attempts)
	}
}

func TestWaiterInterrupted(t *testing.T) {
	t.Parallel()
	var progress bytes.Buffer
	w, c := fakeWaiter(time.Minute, false, report.NewWaitProgress(&progress, false))
	c.interruptAt = 2
	diagnose, attempts := script(refusedReport)
	if rep := w.run(context.Background(), diagnose); rep != refusedReport || *attempts != 2 {
		t.Errorf("report %+v after %d attempts, want the refusal after 2", rep, *attempts)
	}
	if !strings.HasSuffix(progress.String(), "; interrupted\n") {
		t.Errorf("progress does not end with the interruption:\n%s", progress.String())
	}

	// Cancelled during an attempt: the attempt's report ends the wait.
	ctx, cancel := context.WithCancel(context.Background())
	w, _ = fakeWaiter(time.Minute, true, nil)
	n := 0
	rep := w.run(ctx, func(context.Context) *checks.Report {
		n++
		if n == 3 {
			cancel()
		}
		return refusedReport
	})
	if rep != refusedReport || n != 3 {
		t.Errorf("%d attempts, want 3 then stop on cancellation", n)
	}
}

// The attempt count is bounded even if the clock did not move.
func TestWaiterBoundedWithoutTime(t *testing.T) {
	t.Parallel()
	w, _ := fakeWaiter(time.Second, true, nil)
	w.sleep = func(context.Context, time.Duration) error { return nil } // the clock stands still
	diagnose, attempts := script(refusedReport)
	w.run(context.Background(), diagnose)
	if *attempts != 2+int(2*time.Second/(250*time.Millisecond)) {
		t.Errorf("%d attempts with a frozen clock", *attempts)
	}
}

func TestBackoffJitter(t *testing.T) {
	t.Parallel()
	b := defaultBackoff
	for n := 1; n <= 12; n++ {
		nominal := min(b.initial<<(n-1), b.max)
		for range 50 {
			if d := b.pause(n); d < nominal/2 || d > nominal {
				t.Fatalf("pause(%d) = %s, want within [%s, %s]", n, d, nominal/2, nominal)
			}
		}
	}
}

// lateServer reserves a loopback port and starts a fixture server there
// after delay: until then connections are refused, as while a container's
// Neo4j starts. It returns the bolt:// URI.
func lateServer(t *testing.T, delay time.Duration, cfg fixtures.Config) string {
	t.Helper()
	port := freePort(t)
	cfg.Port = port
	done := make(chan struct{})
	var wg sync.WaitGroup
	var srv *fixtures.Server
	var startErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-done:
			return
		case <-time.After(delay):
		}
		srv, startErr = fixtures.Start(cfg)
	}()
	t.Cleanup(func() {
		close(done)
		wg.Wait()
		if srv != nil {
			_ = srv.Close()
		}
		if startErr != nil {
			t.Errorf("the late server did not start: %v", startErr)
		}
	})
	return "bolt://127.0.0.1:" + strconv.Itoa(port)
}

// freePort is a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

const waitPassword = "wait-test-password"

func waitServerConfig() fixtures.Config {
	cfg := fixtures.Neo4j526()
	cfg.Users = map[string]string{"neo4j": waitPassword}
	return cfg
}

func waitLines(r result) []string {
	return strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
}

// TestWaitForLateServer: the server refuses connections for 2s, then comes
// up; --wait 5s turns that into exit 0, with the last attempt's report.
func TestWaitForLateServer(t *testing.T) {
	t.Parallel()
	uri := lateServer(t, 2*time.Second, waitServerConfig())
	r := runCLI(map[string]string{"NEO4J_PASSWORD": waitPassword}, "--uri", uri, "-u", "neo4j", "--timeout", "1s", "--wait", "5s", "--format", "json")
	rep := decodeReport(t, r)
	if r.code != 0 || rep.Verdict != "pass" {
		t.Fatalf("want exit 0 and pass once the server is up:\n%s", r)
	}
	// The healthy attempt starts within the 5s; its own length is on top.
	if r.took < 2*time.Second || r.took > 7*time.Second {
		t.Errorf("took %s, want between the server's 2s start and the 5s wait", r.took)
	}
	lines := waitLines(r)
	if len(lines) < 3 {
		t.Fatalf("want several attempts on stderr:\n%s", r.stderr)
	}
	if !strings.HasPrefix(lines[0], "wait: attempt 1 after ") || !strings.Contains(lines[0], ": tcp failed: 127.0.0.1:") ||
		!strings.Contains(lines[0], "connection refused; next attempt in ") {
		t.Errorf("first progress line %q, want attempt 1 with tcp refused and the next pause", lines[0])
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, fmt.Sprintf("wait: attempt %d after ", len(lines))) || !strings.HasSuffix(last, ": healthy") {
		t.Errorf("last progress line %q, want attempt %d healthy", last, len(lines))
	}
}

// TestWaitGivesUp: nothing ever listens: exit 2 once the wait is over, with
// the last attempt's report on stdout.
func TestWaitGivesUp(t *testing.T) {
	t.Parallel()
	uri := "bolt://127.0.0.1:" + strconv.Itoa(freePort(t))
	r := runCLI(map[string]string{"NEO4J_PASSWORD": waitPassword}, "--uri", uri, "--timeout", "1s", "--wait", "1500ms")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2:\n%s", r.code, r)
	}
	if r.took < 1500*time.Millisecond || r.took > 4*time.Second {
		t.Errorf("took %s, want the 1.5s wait and little more", r.took)
	}
	lines := waitLines(r)
	if len(lines) < 3 || !strings.HasSuffix(lines[len(lines)-1], "; gave up: --wait 1.5s is over") {
		t.Errorf("want several attempts and a last line that gives up:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "\n✗ tcp ") || !strings.Contains(r.stdout, "\n✗ fail — ") {
		t.Errorf("stdout is not the last attempt's report:\n%s", r.stdout)
	}
}

// TestWaitWrongPassword: a wrong password ends the wait at once (exit 1),
// long before the 5s are up; --wait-all waits it out.
func TestWaitWrongPassword(t *testing.T) {
	t.Parallel()
	srv, err := fixtures.Start(waitServerConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	env := map[string]string{"NEO4J_PASSWORD": "not-the-password"}
	r := runCLI(env, "--uri", srv.URI("bolt"), "-u", "neo4j", "--timeout", "1s", "--wait", "5s")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", r.code, r)
	}
	if r.took > 2*time.Second {
		t.Errorf("took %s: a wrong password must end a 5s wait at once", r.took)
	}
	if lines := waitLines(r); len(lines) != 1 || !strings.Contains(lines[0], "auth failed: authentication failed: wrong username or password; not waiting") {
		t.Errorf("want one progress line that stops the wait:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "\n✗ auth ") || !strings.Contains(r.stdout, "fix: ") {
		t.Errorf("stdout lacks the auth failure and its fix:\n%s", r.stdout)
	}

	r = runCLI(env, "--uri", srv.URI("bolt"), "-u", "neo4j", "--timeout", "1s", "--wait", "1s", "--wait-all")
	if r.code != 1 || r.took < time.Second || len(waitLines(r)) < 2 || !strings.Contains(r.stderr, "gave up") {
		t.Errorf("--wait-all: want exit 1 after several attempts over 1s (took %s):\n%s", r.took, r)
	}
}

// TestWaitDatabaseStarting: the server is up but its database is still
// starting (DatabaseUnavailable), then it restarts with the database
// online: waited for, exit 0.
func TestWaitDatabaseStarting(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	starting := waitServerConfig()
	starting.Port = port
	starting.Databases = []fixtures.Database{{Name: "neo4j", Offline: true}, {Name: "system"}}
	first, err := fixtures.Start(starting)
	if err != nil {
		t.Fatal(err)
	}
	online := waitServerConfig()
	online.Port = port
	var (
		wg     sync.WaitGroup
		second *fixtures.Server
		err2   error
	)
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-done:
			_ = first.Close()
			return
		case <-time.After(time.Second):
		}
		_ = first.Close()
		second, err2 = fixtures.Start(online)
	}()
	t.Cleanup(func() {
		close(done)
		wg.Wait()
		if second != nil {
			_ = second.Close()
		}
		if err2 != nil {
			t.Errorf("restart: %v", err2)
		}
	})
	r := runCLI(map[string]string{"NEO4J_PASSWORD": waitPassword}, "--uri", "neo4j://127.0.0.1:"+strconv.Itoa(port), "-u", "neo4j", "--timeout", "1s", "--wait", "5s")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", r.code, r)
	}
	if !strings.Contains(waitLines(r)[0], "routing failed: ") || !strings.HasSuffix(r.stderr, ": healthy\n") {
		t.Errorf("want a first attempt failing at routing and a healthy last one:\n%s", r.stderr)
	}
}

// TestWaitQuiet: --quiet keeps stderr silent during the wait too; a file
// asked for with -o still gets the last attempt's report.
func TestWaitQuiet(t *testing.T) {
	t.Parallel()
	uri := "bolt://127.0.0.1:" + strconv.Itoa(freePort(t))
	path := filepath.Join(t.TempDir(), "report.json")
	r := runCLI(nil, "--uri", uri, "--wait", "600ms", "-q", "--format", "json", "-o", path)
	if r.code != 2 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("want exit 2 and no output:\n%s", r)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := contract.Report(b); err != nil || !bytes.Contains(b, []byte(`"exitCode": 2`)) {
		t.Errorf("the file is not the last report (%v):\n%s", err, b)
	}
}

func TestWaitBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--uri", "bolt://127.0.0.1:7687", "--wait", "-1s"}, "--wait -1s is negative"},
		{[]string{"--uri", "bolt://127.0.0.1:7687", "--wait-all"}, "--wait-all without --wait"},
		{[]string{"--uri", "bolt://127.0.0.1:7687", "--wait", "soon"}, "soon"},
	} {
		r := runCLI(nil, tc.args...)
		if r.code != 3 || r.stdout != "" || !strings.HasPrefix(r.stderr, "error: ") || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: want exit 3 and an error naming %q:\n%s", tc.args, tc.want, r)
		}
		if r.took > time.Second {
			t.Errorf("%v: bad input took %s", tc.args, r.took)
		}
	}
}
