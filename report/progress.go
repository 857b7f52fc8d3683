package report

import (
	"io"
	"strings"
	"sync"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// Progress writes one stderr line when a check starts and one when it
// ends, for --verbose: on a slow network the user sees which step is
// waiting. Its methods are safe for concurrent use (member checks may run
// in parallel) and do nothing on a nil *Progress, so the runner can call
// them unconditionally. Write errors are ignored: progress is best effort
// and must never fail a diagnosis.
type Progress struct {
	mu sync.Mutex
	w  io.Writer
	p  palette
}

// NewProgress returns a Progress writing to w (stderr), with colour as
// decided by ColorEnabled for w.
func NewProgress(w io.Writer, color bool) *Progress {
	return &Progress{w: w, p: newPalette(color)}
}

// Start announces a check, e.g. "checking dns: resolve the host name".
// member is the member's address for member checks, "" otherwise.
func (p *Progress) Start(member, id, title string) {
	if p == nil {
		return
	}
	s := "checking " + p.subject(member, id)
	if title != "" {
		s += ": " + oneLine(title)
	}
	p.write(paint(p.p.dim, s))
}

// Done reports how a check ended, e.g. "✓ dns pass in 12ms".
func (p *Progress) Done(member string, r checks.Result) {
	if p == nil {
		return
	}
	s := paint(p.p.status(r.Status), symbol(r.Status)) + " " + p.subject(member, r.ID) + " " + string(r.Status)
	if r.Status != checks.Skip {
		s += " in " + formatDuration(r.Duration)
	}
	p.write(s)
}

func (p *Progress) subject(member, id string) string {
	if member == "" {
		return oneLine(id)
	}
	return oneLine(member) + " " + oneLine(id)
}

func (p *Progress) write(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = io.WriteString(p.w, strings.TrimRight(line, " ")+"\n")
}
