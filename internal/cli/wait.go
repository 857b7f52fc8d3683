package cli

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/report"
	"github.com/neo4j-doctor/neo4j-doctor/watch"
)

// backoff is --wait's pause between attempts: it starts at initial,
// doubles after each attempt up to max, and is jittered to between half
// and all of that, so several CI jobs waiting for one server do not
// knock in step.
type backoff struct {
	initial, max time.Duration
	// jitter maps the nominal pause d to the real one, in [d/2, d]; nil is
	// random. Tests fix it.
	jitter func(d time.Duration) time.Duration
}

// defaultBackoff polls a starting server quickly at first (Neo4j in a
// container is often up within seconds) and then every 1.5–3s: cheap for
// the server, and the gate opens within 3s of the server being ready.
var defaultBackoff = backoff{initial: 250 * time.Millisecond, max: 3 * time.Second}

// pause is the pause after attempt n (1-based).
func (b backoff) pause(n int) time.Duration {
	d := b.initial
	for i := 1; i < n && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	if b.jitter != nil {
		return b.jitter(d)
	}
	return d/2 + rand.N(d/2+1)
}

// waiter runs the diagnosis again until it is healthy, a failure that
// waiting does not fix shows up (unless all), or limit has passed. The
// clock and the sleep are fields so tests need not wait.
type waiter struct {
	limit    time.Duration // --wait
	all      bool          // --wait-all: wait out every failure
	backoff  backoff
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
	progress *report.WaitProgress // nil: silent (--quiet)
}

func newWaiter(limit time.Duration, all bool, progress *report.WaitProgress) *waiter {
	return &waiter{limit: limit, all: all, backoff: defaultBackoff, now: time.Now, sleep: watch.Sleep, progress: progress}
}

// run returns the last attempt's report. A new attempt starts only before
// limit has passed, so the wait ends at most one attempt (a few --timeout)
// after limit. Every pause takes at least backoff.initial/2, which bounds
// the number of attempts as well as the time.
func (w *waiter) run(ctx context.Context, diagnose func(context.Context) *checks.Report) *checks.Report {
	start := w.now()
	maxAttempts := 2
	if w.backoff.initial > 0 {
		maxAttempts += int(2 * w.limit / w.backoff.initial)
	}
	for n := 1; ; n++ {
		rep := diagnose(ctx)
		elapsed := w.now().Sub(start)
		a := report.WaitAttempt{N: n, Elapsed: elapsed, Report: rep, Limit: w.limit}
		switch {
		case rep.ExitCode == checks.ExitHealthy:
			a.Outcome = report.WaitHealthy
		case ctx.Err() != nil:
			a.Outcome = report.WaitInterrupted
		case !w.all && !checks.Retryable(rep):
			a.Outcome = report.WaitStopped
		case elapsed >= w.limit || n >= maxAttempts:
			a.Outcome = report.WaitTimeUp
		default:
			a.Outcome = report.WaitRetry
			a.Next = min(w.backoff.pause(n), w.limit-elapsed)
		}
		w.progress.Attempt(a)
		if a.Outcome != report.WaitRetry {
			return rep
		}
		if err := w.sleep(ctx, a.Next); err != nil {
			a.Outcome, a.Elapsed = report.WaitInterrupted, w.now().Sub(start)
			w.progress.Attempt(a)
			return rep
		}
	}
}
