package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// TestIdleProgress: the idle probe's progress lines read as a countdown:
// the opening with every idle time and the total, a tick with the next
// one due, each outcome as it comes; nothing for a nil writer (--quiet).
func TestIdleProgress(t *testing.T) {
	var b bytes.Buffer
	p := NewIdleProgress(&b, false)
	waiting := []time.Duration{30 * time.Second, 2 * time.Minute, 6 * time.Minute}
	p.Event(checks.IdleProgress{Server: "db.example.com:7687", Opened: true, Waiting: waiting})
	p.Event(checks.IdleProgress{Server: "db.example.com:7687", Done: &checks.IdleProbe{Idle: 30 * time.Second, Outcome: checks.IdleAnswered}})
	p.Event(checks.IdleProgress{Server: "db.example.com:7687", Elapsed: 70 * time.Second, Waiting: waiting[1:]})
	p.Event(checks.IdleProgress{Server: "db.example.com:7687", Done: &checks.IdleProbe{Idle: 2 * time.Minute, Outcome: checks.IdleReset}})
	p.Event(checks.IdleProgress{Server: "db.example.com:7687", Done: &checks.IdleProbe{Idle: 6 * time.Minute, Outcome: checks.IdleSilent}})
	want := []string{
		"idle: 3 connections to db.example.com:7687 left idle for 30s, 2m, 6m; done in 6m (Ctrl-C reports what is known)",
		"idle: 30s: answered",
		"idle: 2 connections idle for 1m10s; the next is due at 2m, in 50s; all done in 4m50s",
		"idle: 2m: reset: something between closed it",
		"idle: 6m: no answer: dropped without a word",
	}
	if got := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("progress:\n%s\nwant:\n%s", b.String(), strings.Join(want, "\n"))
	}
	var quiet *IdleProgress
	quiet.Event(checks.IdleProgress{Opened: true}) // must not panic
}

// TestIdleTimeIsNotSlow: the idle check's time is the idle time it waited
// out on purpose; the text report does not mark it slow, as it does any
// other check that long.
func TestIdleTimeIsNotSlow(t *testing.T) {
	rep := &checks.Report{Verdict: checks.Pass, Checks: []checks.Result{
		{ID: "query", Title: "query", Status: checks.Pass, Summary: "RETURN 1 returned 1", Duration: 3 * time.Second},
		{ID: "idle", Title: "idle connections", Status: checks.Pass, Summary: "every idle connection answered, up to 3s", Duration: 3 * time.Second},
	}}
	var b bytes.Buffer
	if err := Text(&b, rep, TextOptions{Version: "1.0.0", Width: 100}); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.Contains(l, "query ") && !strings.Contains(l, slowMark) || strings.Contains(l, "idle ") && strings.Contains(l, slowMark) {
			t.Errorf("line %q: want query's 3s slow and idle's not", l)
		}
	}
}
