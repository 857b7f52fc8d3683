package report

import (
	"fmt"
	"io"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// WaitOutcome is what --wait does after an attempt.
type WaitOutcome int

const (
	WaitRetry       WaitOutcome = iota // not healthy yet: another attempt follows
	WaitHealthy                        // healthy: the wait is over
	WaitTimeUp                         // not healthy, and the --wait time is up
	WaitStopped                        // a failure that waiting does not fix
	WaitInterrupted                    // cancelled (Ctrl-C) before the time was up
)

// WaitAttempt is one diagnosis made by --wait.
type WaitAttempt struct {
	N       int            // 1 for the first attempt
	Elapsed time.Duration  // since the wait began, at the end of this attempt
	Report  *checks.Report // what the attempt found
	Outcome WaitOutcome
	Next    time.Duration // WaitRetry: the pause before the next attempt
	Limit   time.Duration // the --wait duration
}

// WaitProgress writes one stderr line per --wait attempt, so a CI log
// shows what the gate is waiting for:
//
//	wait: attempt 1 after 3ms: tcp failed: 127.0.0.1:7687: connection refused; next attempt in 250ms
//	wait: attempt 4 after 2.1s: healthy
//	wait: attempt 6 after 30.2s: tcp failed: …; gave up: --wait 30s is over
//	wait: attempt 1 after 9ms: auth failed: …; not waiting: waiting does not fix this (--wait-all waits anyway)
//
// Write errors are ignored, as for Progress: progress must never fail a
// diagnosis.
type WaitProgress struct {
	w io.Writer
	p palette
}

// NewWaitProgress returns a WaitProgress writing to w (stderr), with
// colour as Streams decided for w. A nil *WaitProgress (--quiet)
// writes nothing.
func NewWaitProgress(w io.Writer, color bool) *WaitProgress {
	return &WaitProgress{w: w, p: newPalette(color)}
}

// Attempt reports one attempt and what happens next.
func (p *WaitProgress) Attempt(a WaitAttempt) {
	if p == nil {
		return
	}
	s := fmt.Sprintf("%s attempt %d after %s: %s", paint(p.p.dim, "wait:"), a.N, formatDuration(a.Elapsed), p.state(a.Report))
	switch a.Outcome {
	case WaitRetry:
		s += "; next attempt in " + formatDuration(a.Next)
	case WaitTimeUp:
		s += fmt.Sprintf("; gave up: --wait %s is over", a.Limit)
	case WaitStopped:
		s += "; not waiting: waiting does not fix this (--wait-all waits anyway)"
	case WaitInterrupted:
		s += "; interrupted"
	}
	_, _ = io.WriteString(p.w, s+"\n")
}

// state is the attempt's result in a few words: healthy, or the step that
// failed (or warned, when warnings fail the run) and why.
func (p *WaitProgress) state(r *checks.Report) string {
	if r == nil {
		return "no report"
	}
	if r.ExitCode == checks.ExitHealthy {
		if r.Verdict == checks.Warn {
			return paint(p.p.warn, "healthy, with warnings")
		}
		return paint(p.p.pass, "healthy")
	}
	for _, st := range []checks.Status{checks.Fail, checks.Warn} {
		for _, c := range r.Checks {
			if c.Status == st {
				verb := map[checks.Status]string{checks.Fail: "failed", checks.Warn: "warned"}[st]
				return paint(p.p.status(st), oneLine(c.ID)+" "+verb) + ": " + oneLine(c.Summary)
			}
		}
	}
	return fmt.Sprintf("verdict %s, exit code %d", oneLine(string(r.Verdict)), r.ExitCode)
}
