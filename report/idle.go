package report

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// IdleProgress writes the idle probe's progress (--idle-probe) to stderr,
// one line per event the idle check reports: when its connections are
// open, at each countdown tick (checks.Options.IdleProgressEvery, 10 s by
// default, so a probe of an hour writes a few hundred lines, in a
// terminal or a CI log alike) and as each idle time is up:
//
//	idle: 3 connections to db.example.com:7687 left idle for 30s, 2m, 6m; done in 6m (Ctrl-C reports what is known)
//	idle: 30s: answered
//	idle: 2 connections idle for 1m10s; the next is due at 2m, in 50s; all done in 4m50s
//	idle: 2m: reset: something between closed it
//
// Write errors are ignored, as for WaitProgress: progress must never fail
// a diagnosis. A nil *IdleProgress (--quiet) writes nothing.
type IdleProgress struct {
	mu sync.Mutex
	w  io.Writer
	p  palette
}

// NewIdleProgress returns an IdleProgress writing to w (stderr), with
// colour as Streams decided for w.
func NewIdleProgress(w io.Writer, color bool) *IdleProgress {
	return &IdleProgress{w: w, p: newPalette(color)}
}

// Event writes one event; it is what checks.Options.IdleProgress takes.
func (p *IdleProgress) Event(e checks.IdleProgress) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = io.WriteString(p.w, paint(p.p.dim, "idle:")+" "+p.line(e)+"\n")
}

func (p *IdleProgress) line(e checks.IdleProgress) string {
	switch {
	case e.Opened:
		return fmt.Sprintf("%s to %s left idle for %s; done in %s (Ctrl-C reports what is known)",
			connections(len(e.Waiting)), oneLine(e.Server), idleList(e.Waiting), idleDur(e.Remaining()))
	case e.Done != nil:
		d := e.Done
		s := checks.IdleString(d.Idle) + ": "
		switch d.Outcome {
		case checks.IdleAnswered:
			return s + paint(p.p.pass, "answered")
		case checks.IdleReset:
			return s + paint(p.p.warn, "reset") + ": something between closed it"
		case checks.IdleSilent:
			return s + paint(p.p.warn, "no answer") + ": dropped without a word"
		}
		return s + oneLine(d.Outcome)
	}
	s := fmt.Sprintf("%s idle for %s", connections(len(e.Waiting)), idleDur(e.Elapsed))
	if len(e.Waiting) > 0 {
		next := e.Waiting[0]
		s += fmt.Sprintf("; the next is due at %s, in %s", checks.IdleString(next), idleDur(max(next-e.Elapsed, 0)))
		if len(e.Waiting) > 1 {
			s += "; all done in " + idleDur(e.Remaining())
		}
	}
	return s
}

func connections(n int) string {
	if n == 1 {
		return "1 connection"
	}
	return fmt.Sprintf("%d connections", n)
}

func idleList(ds []time.Duration) string {
	words := make([]string, len(ds))
	for i, d := range ds {
		words[i] = checks.IdleString(d)
	}
	return strings.Join(words, ", ")
}

// idleDur is a countdown's time: whole seconds from 10 s up, as a
// person reads a clock; formatDuration below.
func idleDur(d time.Duration) string {
	if d >= 10*time.Second {
		return checks.IdleString(d.Round(time.Second))
	}
	return formatDuration(d)
}
