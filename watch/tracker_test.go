package watch

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

var t0 = time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)

// cluster is the state a synthetic report describes.
type cluster struct {
	writer string   // "" : the table lists no writer
	down   []string // members that fail tcp
	extra  []string // members beyond A, B, C
	took   time.Duration
	scheme string // default neo4j
}

// fake builds the report a diagnosis of c would give: routing fails
// without a writer and the checks after it are skipped; a member down
// makes members warn.
func fake(c cluster) *checks.Report {
	if c.took == 0 {
		c.took = 10 * time.Millisecond
	}
	if c.scheme == "" {
		c.scheme = "neo4j"
	}
	addrs := append([]string{"a:7687", "b:7687", "c:7687"}, c.extra...)
	rep := &checks.Report{Target: checks.TargetInfo{Scheme: c.scheme}, Duration: c.took, Verdict: checks.Pass}
	for _, id := range []string{"config", "dns", "tcp", "bolt", "auth"} {
		rep.Checks = append(rep.Checks, checks.Result{ID: id, Status: checks.Pass})
	}
	tbl := &routing.Table{Routers: addrs}
	for _, a := range addrs {
		if a == c.writer {
			tbl.Writers = append(tbl.Writers, a)
		} else {
			tbl.Readers = append(tbl.Readers, a)
		}
	}
	rep.Table = tbl
	if c.writer == "" {
		rep.Checks = append(rep.Checks, checks.Result{ID: "routing", Status: checks.Fail, Code: "routing.no_writers", Summary: "the routing table lists no writers"})
		for _, id := range []string{"members", "access", "query"} {
			rep.Checks = append(rep.Checks, checks.Result{ID: id, Status: checks.Skip, Summary: "not run: routing failed"})
		}
		rep.Verdict, rep.ExitCode = checks.Fail, checks.ExitFailed
		return rep
	}
	rep.Checks = append(rep.Checks, checks.Result{ID: "routing", Status: checks.Pass})
	members := checks.Result{ID: "members", Status: checks.Pass}
	for _, a := range addrs {
		m := checks.Member{Address: a, Status: checks.Pass}
		if slices.Contains(c.down, a) {
			m.Status = checks.Fail
			m.Checks = []checks.Result{{ID: "dns", Status: checks.Pass}, {ID: "tcp", Status: checks.Fail, Code: "tcp.refused", Summary: "connection refused"}}
			members.Status, members.Code = checks.Warn, "members.some_failed"
			rep.Verdict = checks.Warn
		}
		rep.Members = append(rep.Members, m)
	}
	rep.Checks = append(rep.Checks, members, checks.Result{ID: "access", Status: checks.Pass}, checks.Result{ID: "query", Status: checks.Pass})
	return rep
}

// observe feeds states one second apart and returns each run's changes.
func observe(tr *Tracker, states ...cluster) [][]Change {
	var out [][]Change
	for i, c := range states {
		at := t0.Add(time.Duration(i) * time.Second)
		out = append(out, tr.Observe(Run{N: i + 1, Started: at, Elapsed: at.Sub(t0), Report: fake(c)}))
	}
	return out
}

// brief is a change in a few words, for comparing sequences.
func brief(c Change) string {
	switch c.Kind {
	case KindCheck:
		return fmt.Sprintf("%s %s→%s %s", c.Check, c.From, c.To, c.Code)
	case KindWriter:
		s := fmt.Sprintf("writer %s→%s", c.From, c.To)
		if c.NoWriterFor > 0 {
			s += " after " + c.NoWriterFor.String()
		}
		return s
	case KindMember:
		return fmt.Sprintf("member %s %s→%s %s", c.Address, c.From, c.To, c.Check)
	case KindTable:
		return fmt.Sprintf("table +%v -%v", c.Added, c.Removed)
	case KindLatency:
		return fmt.Sprintf("latency slow=%v %s usual %s", c.Slow, c.Duration, c.Usual)
	}
	return string(c.Kind)
}

func briefs(cs []Change) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, brief(c))
	}
	return out
}

// TestTrackerChanges: each run says only what changed, in order; the
// first says everything, from the unknown.
func TestTrackerChanges(t *testing.T) {
	t.Parallel()
	tr := NewTracker(t0)
	got := observe(tr,
		cluster{writer: "a:7687"}, // 1
		cluster{writer: "a:7687"}, // 2: nothing
		cluster{},                 // 3: election
		cluster{},                 // 4: nothing
		cluster{writer: "b:7687", down: []string{"c:7687"}},  // 5
		cluster{writer: "b:7687", extra: []string{"d:7687"}}, // 6
		cluster{writer: "b:7687", extra: []string{"d:7687"}}, // 7
	)
	want := [][]string{
		{"config →pass ", "dns →pass ", "tcp →pass ", "bolt →pass ", "auth →pass ", "routing →pass ", "members →pass ", "access →pass ", "query →pass ",
			"writer →a:7687", "member a:7687 →up ", "member b:7687 →up ", "member c:7687 →up ", "table +[a:7687 b:7687 c:7687] -[]"},
		{},
		{"routing pass→fail routing.no_writers", "members pass→skip ", "access pass→skip ", "query pass→skip ", "writer a:7687→"},
		{},
		{"routing fail→pass ", "members skip→warn members.some_failed", "access skip→pass ", "query skip→pass ", "writer →b:7687 after 2s", "member c:7687 up→down tcp"},
		{"members warn→pass ", "member c:7687 down→up ", "member d:7687 →up ", "table +[d:7687] -[]"},
		{},
	}
	for i := range want {
		if g := briefs(got[i]); !slices.Equal(g, want[i]) {
			t.Errorf("run %d:\n got %q\nwant %q", i+1, g, want[i])
		}
	}
	if c := got[4][5]; c.Code != "tcp.refused" || c.Summary != "connection refused" || c.Run != 5 || !c.At.Equal(t0.Add(4*time.Second)) || c.Elapsed != 4*time.Second {
		t.Errorf("member down: %+v", c)
	}

	s := tr.Summary(t0.Add(7*time.Second), false)
	if s.Runs != 7 || s.Passed != 5 || s.WithWriter != 5 || !s.Routes || s.ExitCode != checks.ExitFailed || s.Interrupted {
		t.Errorf("summary %+v", s)
	}
	if len(s.NoWriter) != 1 {
		t.Fatalf("windows %+v", s.NoWriter)
	}
	if w := s.NoWriter[0]; w.Open || !w.Start.Equal(t0.Add(2*time.Second)) || !w.End.Equal(t0.Add(4*time.Second)) ||
		w.Length != 2*time.Second || w.Runs != 2 || w.From != "a:7687" || w.To != "b:7687" || w.Elapsed != 2*time.Second {
		t.Errorf("window %+v", w)
	}
	if len(s.LeaderChanges) != 1 {
		t.Fatalf("leader changes %+v", s.LeaderChanges)
	}
	if lc := s.LeaderChanges[0]; lc.From != "a:7687" || lc.To != "b:7687" || lc.NoWriterFor != 2*time.Second || lc.Elapsed != 4*time.Second {
		t.Errorf("leader change %+v", lc)
	}
	var fs []string
	for _, f := range s.Failures {
		fs = append(fs, fmt.Sprintf("%s %d %d %v", f.Check, f.Failed, f.Warned, f.Codes))
	}
	if want := []string{"routing 2 0 map[routing.no_writers:2]", "members 0 1 map[members.some_failed:1]"}; !slices.Equal(fs, want) {
		t.Errorf("failures %q, want %q", fs, want)
	}
}

// TestTrackerWindows: a watch that starts without a writer opens a
// window at once; one that ends without a writer leaves it open, as long
// as up to the end; a writer that changes from one run to the next is a
// leader change without a window.
func TestTrackerWindows(t *testing.T) {
	t.Parallel()
	tr := NewTracker(t0)
	observe(tr, cluster{}, cluster{writer: "a:7687"}, cluster{writer: "b:7687"}, cluster{writer: "b:7687"}, cluster{}, cluster{})
	s := tr.Summary(t0.Add(10*time.Second), true)
	if !s.Interrupted || len(s.NoWriter) != 2 {
		t.Fatalf("summary %+v", s)
	}
	if w := s.NoWriter[0]; w.Open || w.From != "" || w.To != "a:7687" || w.Length != time.Second || w.Runs != 1 {
		t.Errorf("first window %+v", w)
	}
	if w := s.NoWriter[1]; !w.Open || w.From != "b:7687" || w.To != "" || !w.End.IsZero() || w.Length != 6*time.Second || w.Runs != 2 {
		t.Errorf("open window %+v", w)
	}
	if len(s.LeaderChanges) != 1 || s.LeaderChanges[0].From != "a:7687" || s.LeaderChanges[0].NoWriterFor != 0 {
		t.Errorf("leader changes %+v", s.LeaderChanges)
	}
	// The first run found no writer: it announces none, from the unknown.
	tr = NewTracker(t0)
	if got := briefs(observe(tr, cluster{})[0]); !slices.Contains(got, "writer →") {
		t.Errorf("first run without a writer: %q", got)
	}
}

// TestTrackerDirect: a bolt:// target has no writer to track.
func TestTrackerDirect(t *testing.T) {
	t.Parallel()
	tr := NewTracker(t0)
	got := observe(tr, cluster{writer: "a:7687", scheme: "bolt"}, cluster{scheme: "bolt"})
	for _, cs := range got {
		for _, c := range cs {
			if c.Kind == KindWriter {
				t.Errorf("bolt:// gave a writer change: %s", brief(c))
			}
		}
	}
	if s := tr.Summary(t0.Add(2*time.Second), false); s.Routes || s.WithWriter != 0 || len(s.NoWriter) != 0 {
		t.Errorf("summary %+v", s)
	}
}

// TestTrackerLatency: one slow run among usual ones is a change, and so
// is the next usual one; jitter of a few milliseconds is not, however
// many times the usual it is.
func TestTrackerLatency(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	tr := NewTracker(t0)
	var states []cluster
	for _, d := range []time.Duration{10, 12, 9, 11, 10, 45, 10, 600, 650, 11, 10} {
		states = append(states, cluster{writer: "a:7687", took: d * ms})
	}
	var got []string
	for i, cs := range observe(tr, states...) {
		for _, c := range cs {
			if c.Kind == KindLatency {
				got = append(got, fmt.Sprintf("run %d: %s", i+1, brief(c)))
			}
		}
	}
	want := []string{"run 8: latency slow=true 600ms usual 10ms", "run 10: latency slow=false 11ms usual 11ms"}
	if !slices.Equal(got, want) {
		t.Errorf("latency changes\n got %q\nwant %q", got, want)
	}
	s := tr.Summary(t0.Add(time.Minute), false)
	if s.Slowest == nil || s.Slowest.Run != 9 || s.Slowest.Duration != 650*ms || s.Slowest.Verdict != checks.Pass {
		t.Errorf("slowest %+v", s.Slowest)
	}
}

// TestTrackerReadsNoProse: what a watch reports does not move when every
// summary is reworded, except the summaries it carries.
func TestTrackerReadsNoProse(t *testing.T) {
	t.Parallel()
	states := []cluster{{writer: "a:7687"}, {}, {writer: "b:7687", down: []string{"c:7687"}}}
	run := func(scramble bool) ([]string, Summary) {
		tr := NewTracker(t0)
		var all []string
		for i, c := range states {
			rep := fake(c)
			if scramble {
				for j := range rep.Checks {
					rep.Checks[j].Summary = strings.Repeat("x", j)
				}
				for j := range rep.Members {
					for k := range rep.Members[j].Checks {
						rep.Members[j].Checks[k].Summary = "scrambled"
					}
				}
			}
			at := t0.Add(time.Duration(i) * time.Second)
			all = append(all, briefs(tr.Observe(Run{N: i + 1, Started: at, Report: rep}))...)
		}
		return all, tr.Summary(t0.Add(time.Minute), false)
	}
	a, sa := run(false)
	b, sb := run(true)
	if !slices.Equal(a, b) || sa.Runs != sb.Runs || sa.ExitCode != sb.ExitCode || len(sa.Failures) != len(sb.Failures) ||
		!maps.Equal(sa.Failures[0].Codes, sb.Failures[0].Codes) {
		t.Errorf("scrambled summaries changed the watch:\n%q\n%q", a, b)
	}
}
