package watch

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeClock is a clock that moves only when the watch sleeps or a
// diagnosis takes time.
type fakeClock struct {
	now    time.Time
	slept  []time.Duration
	cancel func() // called at the sleep numbered cancelAt
	at     int
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.slept = append(c.slept, d)
	if c.cancel != nil && len(c.slept) == c.at {
		c.cancel()
		return ctx.Err()
	}
	c.now = c.now.Add(d)
	return nil
}

// TestWatchTiming: runs start every interval, a long run is followed at
// once by the next, the watch ends before a run would start after For,
// and Ctrl-C ends it with the runs it completed.
func TestWatchTiming(t *testing.T) {
	t.Parallel()
	took := []time.Duration{100 * time.Millisecond, 2500 * time.Millisecond, 100 * time.Millisecond, 0, 0, 0}
	clock := &fakeClock{now: t0}
	var runs []Run
	diagnose := func(context.Context) *checks.Report {
		clock.now = clock.now.Add(took[len(runs)])
		return fake(cluster{writer: "a:7687"})
	}
	interrupted := Watch(context.Background(), Options{Interval: time.Second, For: 5 * time.Second, Now: clock.Now, Sleep: clock.Sleep},
		diagnose, func(r Run) { runs = append(runs, r) })
	var started []time.Duration
	for i, r := range runs {
		if r.N != i+1 || r.Report == nil {
			t.Errorf("run %d: %+v", i+1, r)
		}
		started = append(started, r.Elapsed)
	}
	// 0s, a run of 2.5s, so the next at 2.6s at once, then 3.6s, 4.6s;
	// 5.6s would be after --for 5s.
	want := []time.Duration{0, time.Second, 3500 * time.Millisecond, 4500 * time.Millisecond}
	if interrupted || !slices.Equal(started, want) {
		t.Errorf("runs started at %v (interrupted %v), want %v", started, interrupted, want)
	}
	if wantSlept := []time.Duration{900 * time.Millisecond, 900 * time.Millisecond}; !slices.Equal(clock.slept, wantSlept) {
		t.Errorf("slept %v, want %v", clock.slept, wantSlept)
	}

	// Ctrl-C during the second pause: two runs, interrupted.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock = &fakeClock{now: t0, cancel: cancel, at: 2}
	runs = nil
	took = make([]time.Duration, 10)
	interrupted = Watch(ctx, Options{Interval: time.Second, Now: clock.Now, Sleep: clock.Sleep}, diagnose, func(r Run) { runs = append(runs, r) })
	if !interrupted || len(runs) != 2 {
		t.Errorf("interrupted %v after %d runs, want true after 2", interrupted, len(runs))
	}

	// Ctrl-C during a run: the first is kept, a later one is not.
	for _, n := range []int{1, 3} {
		ctx, cancel := context.WithCancel(context.Background())
		runs = nil
		calls := 0
		Watch(ctx, Options{Interval: time.Millisecond}, func(context.Context) *checks.Report {
			if calls++; calls == n {
				cancel()
			}
			return fake(cluster{writer: "a:7687"})
		}, func(r Run) { runs = append(runs, r) })
		cancel()
		if want := max(n-1, 1); len(runs) != want {
			t.Errorf("Ctrl-C during run %d: %d runs observed, want %d", n, len(runs), want)
		}
	}
}

// TestWatchCluster watches a real cluster whose writer moves and whose
// member goes down and comes back, on a schedule that holds each step
// until the watch has seen the state before: the changes come in the
// schedule's order, and the window without a writer is as long as the
// schedule made it, give or take the runs around it.
func TestWatchCluster(t *testing.T) {
	t.Parallel()
	c, err := fixtures.StartCluster(3, fixtures.ClusterConfig{Member: fixtures.Config{Users: map[string]string{"neo4j": "secret"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	target, err := checks.Resolve(checks.Inputs{
		Flags: map[string]string{"uri": c.URI("neo4j"), "username": "neo4j", "password": "secret"},
		Env:   func(string) string { return "" }, Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	a, b, m2 := c.Members[0].Addr(), c.Members[1].Addr(), c.Members[2].Addr()

	// Member 0's table is read once or twice a run: four reads are at
	// least two runs.
	sched, err := c.Schedule([]fixtures.Step{
		fixtures.Elect(50*time.Millisecond, fixtures.NoWriter), fixtures.Elect(200*time.Millisecond, 1),
		fixtures.Down(50*time.Millisecond, 2), fixtures.Up(100*time.Millisecond, 2),
	}, fixtures.ScheduleOptions{Served: 4})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tr := NewTracker(time.Now())
	var (
		changes []Change
		after   int // runs since the schedule ended
		slowest time.Duration
	)
	interrupted := Watch(ctx, Options{Interval: 20 * time.Millisecond}, func(ctx context.Context) *checks.Report {
		return checks.Diagnose(ctx, target, &checks.Env{}, checks.Options{})
	}, func(r Run) {
		changes = append(changes, tr.Observe(r)...)
		slowest = max(slowest, r.Report.Duration)
		select {
		case <-sched.Done():
			if after++; after == 3 {
				cancel()
			}
		default:
		}
	})
	if ctx.Err() != context.Canceled || !interrupted {
		t.Fatalf("the watch did not see the schedule through within a minute: %v", ctx.Err())
	}
	if err := sched.Err(); err != nil {
		t.Fatal(err)
	}
	var writers, members []string
	for _, ch := range changes {
		switch ch.Kind {
		case KindWriter:
			writers = append(writers, ch.From+"→"+ch.To)
		case KindMember:
			members = append(members, ch.Address+" "+ch.To)
		}
	}
	if want := []string{"→" + a, a + "→", "→" + b}; !slices.Equal(writers, want) {
		t.Errorf("writer changes %q, want %q", writers, want)
	}
	if want := []string{a + " up", b + " up", m2 + " up", m2 + " down", m2 + " up"}; !slices.Equal(members, want) {
		t.Errorf("member changes %q, want %q", members, want)
	}

	s := tr.Summary(time.Now(), true)
	if len(s.NoWriter) != 1 || len(s.LeaderChanges) != 1 {
		t.Fatalf("windows %+v, leader changes %+v", s.NoWriter, s.LeaderChanges)
	}
	w := s.NoWriter[0]
	applied := sched.Applied()
	gap := applied[1].At.Sub(applied[0].At) // from the election to the new writer
	// Each end of the window is the start of a run that read the table
	// within a run (and a pause) of the step: the bounds are that wide,
	// plus slack.
	slack := 2*slowest + 20*time.Millisecond + 500*time.Millisecond
	if w.Open || w.From != a || w.To != b || w.Runs < 2 || w.Length <= 0 || w.Length < gap-slack || w.Length > gap+slack {
		t.Errorf("window %+v: want closed, %s → %s, 2 runs or more, %s long give or take %s", w, a, b, gap, slack)
	}
	if lc := s.LeaderChanges[0]; lc.From != a || lc.To != b || lc.NoWriterFor != w.Length {
		t.Errorf("leader change %+v, want %s → %s after %s", lc, a, b, w.Length)
	}
	if s.ExitCode != checks.ExitFailed || s.Passed == s.Runs || s.WithWriter != s.Runs-w.Runs {
		t.Errorf("summary: %d runs, %d passed, %d with a writer, exit %d", s.Runs, s.Passed, s.WithWriter, s.ExitCode)
	}
}
