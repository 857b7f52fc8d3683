// Package watch runs the diagnosis again and again, for a person during
// an incident or a rolling upgrade, and keeps what changed between runs:
// a check's status, the writer, a member up or down, the routing table's
// members, a run's latency; and at the end a summary: availability,
// windows without a writer, leader changes, failures by step, the slowest
// run.
//
// It reads the typed report (statuses, codes, the routing table, the
// members and their statuses), never its prose. Nothing here prints:
// report/ renders a watch (report.NewWatch). Each run is a full
// checks.Diagnose on new connections, closed when the run ends: nothing
// is held open between runs.
package watch

import (
	"context"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// Run is one diagnosis of a watch.
type Run struct {
	N       int            // 1 for the first
	Started time.Time      // when the run began
	Elapsed time.Duration  // from the watch's start to this run's start
	Report  *checks.Report // what it found
}

// Options shape a watch.
type Options struct {
	// Interval is the time from one run's start to the next's. A run
	// that takes longer is followed at once by the next: runs never
	// overlap.
	Interval time.Duration
	// For ends the watch: a run starts only before For has passed since
	// the first began. 0: until ctx ends (Ctrl-C).
	For time.Duration
	// Now and Sleep are the clock; nil is the real one. Tests set them.
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
}

// Watch diagnoses every opts.Interval until opts.For has passed or ctx
// ends, and hands each run to observe as soon as it ends. A run that ctx
// cut short is handed over only when it is the first, so that a watch
// interrupted at once still says what it saw; later ones would report
// the interruption, not the cluster. It returns when the last run has
// been observed, and whether ctx ended the watch. With For, it makes at
// most For/Interval + 1 runs.
func Watch(ctx context.Context, opts Options, diagnose func(context.Context) *checks.Report, observe func(Run)) (interrupted bool) {
	now, sleep := opts.Now, opts.Sleep
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = Sleep
	}
	interval := max(opts.Interval, time.Millisecond)
	start := now()
	for n := 1; ; n++ {
		began := now()
		rep := diagnose(ctx)
		if ctx.Err() != nil {
			if n == 1 {
				observe(Run{N: n, Started: began, Elapsed: began.Sub(start), Report: rep})
			}
			return true
		}
		observe(Run{N: n, Started: began, Elapsed: began.Sub(start), Report: rep})
		next := began.Add(interval)
		if opts.For > 0 && next.Sub(start) >= opts.For {
			return false
		}
		if d := next.Sub(now()); d > 0 {
			if err := sleep(ctx, d); err != nil {
				return true
			}
		} else if ctx.Err() != nil {
			return true
		}
	}
}

// Sleep pauses for d, or less when ctx ends first (its error then).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
