package watch

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// Kind is what a Change is about.
type Kind string

const (
	KindCheck   Kind = "check"   // a check's status or code
	KindWriter  Kind = "writer"  // the routing table's writer
	KindMember  Kind = "member"  // a cluster member up or down
	KindTable   Kind = "table"   // addresses that joined or left the routing table
	KindLatency Kind = "latency" // a run slower than usual, or back to usual
)

// States of a member in a Change.
const (
	MemberUp   = "up"   // reachable and logged in, as a driver would reach it
	MemberDown = "down" // a step failed on the way
)

// Change is one thing that differs from the run before. On the first run
// every check, the writer, every member and the table change from the
// unknown: From is "".
type Change struct {
	Kind    Kind
	Run     int           // the run that saw it
	At      time.Time     // that run's start
	Elapsed time.Duration // from the watch's start to At

	// From and To: for KindCheck the status (checks.Pass, ...); for
	// KindWriter the writer's address, "" for none; for KindMember
	// MemberUp or MemberDown. From is "" when it was unknown.
	From, To string

	// KindCheck: the check. KindMember going down: the member's first
	// failed check. Code and Summary are that check's now.
	Check, Code, Summary string

	// KindMember: the member's address as the routing table gives it.
	Address string

	// KindWriter, when a writer is back: how long there was none, from the
	// first run that saw none to this one.
	NoWriterFor time.Duration

	// KindTable: the addresses that joined and left the table, and every
	// address it lists now; sorted.
	Added, Removed, Members []string

	// KindLatency: this run's time, the usual time (the median of the
	// runs before), and whether the run is slow (see Slow).
	Duration, Usual time.Duration
	Slow            bool
}

// The latency rule: a run is slow when it takes more than SlowFactor
// times the median of the last LatencyWindow runs before it and at least
// SlowMargin more than that median, once MinLatencyRuns runs are known.
// A median ignores the odd slow run, the factor a busy machine's jitter,
// and the margin the noise of runs that take a few milliseconds.
const (
	SlowFactor     = 3
	SlowMargin     = 100 * time.Millisecond
	LatencyWindow  = 20
	MinLatencyRuns = 5
)

// Tracker keeps the state of a watch across runs: what each run changed,
// and the figures of the summary. It is not safe for concurrent use.
type Tracker struct {
	start time.Time
	runs  int

	checks   map[string]checks.Result // the last run's, by id
	writer   string                   // the last run's, "" for none
	routes   bool                     // the target routes (neo4j://): the writer is tracked
	table    []string                 // the last table's addresses, sorted; nil before one was read
	members  map[string]string        // address → MemberUp or MemberDown, the last known
	recent   []time.Duration          // the last LatencyWindow runs' times
	slow     bool                     // the last run was slow
	lastLead string                   // the last writer seen, for leader changes

	passed, withWriter int
	worst              int
	windows            []Window
	leaders            []LeaderChange
	failures           map[string]*StepFailures
	slowest            *Slowest
	lastRun            time.Time
}

// NewTracker starts tracking a watch that began at start.
func NewTracker(start time.Time) *Tracker {
	return &Tracker{start: start, members: map[string]string{}, failures: map[string]*StepFailures{}}
}

// Observe takes the next run and returns what changed since the run
// before, in this order: checks (in check order), the writer, members (in
// table order), the table, latency.
func (t *Tracker) Observe(run Run) []Change {
	rep := run.Report
	first := t.runs == 0
	t.runs++
	t.lastRun = run.Started
	change := func(c Change) Change {
		c.Run, c.At, c.Elapsed = run.N, run.Started, run.Elapsed
		return c
	}
	var out []Change

	// Checks.
	now := map[string]checks.Result{}
	for _, c := range rep.Checks {
		now[c.ID] = c
		if c.Status == checks.Fail || c.Status == checks.Warn {
			t.failed(c)
		}
		before, known := t.checks[c.ID]
		if known && before.Status == c.Status && before.Code == c.Code {
			continue
		}
		ch := change(Change{Kind: KindCheck, Check: c.ID, To: string(c.Status), Code: c.Code, Summary: c.Summary})
		if known {
			ch.From = string(before.Status)
		}
		out = append(out, ch)
	}
	t.checks = now

	// The writer, and the windows without one.
	t.routes = strings.HasPrefix(rep.Target.Scheme, "neo4j")
	if t.routes {
		w := writerOf(rep)
		var without time.Duration // how long there was none until this run
		if w == "" {
			if first || t.writer != "" {
				t.windows = append(t.windows, Window{Start: run.Started, Elapsed: run.Elapsed, Open: true, From: t.lastLead})
			}
			t.windows[len(t.windows)-1].Runs++
		} else {
			t.withWriter++
			if n := len(t.windows); n > 0 && t.windows[n-1].Open {
				win := &t.windows[n-1]
				win.Open, win.End, win.Length, win.To = false, run.Started, run.Started.Sub(win.Start), w
				without = win.Length
			}
			if t.lastLead != "" && w != t.lastLead {
				t.leaders = append(t.leaders, LeaderChange{From: t.lastLead, To: w, At: run.Started, Elapsed: run.Elapsed, NoWriterFor: without})
			}
			t.lastLead = w
		}
		if first || w != t.writer {
			out = append(out, change(Change{Kind: KindWriter, From: t.writer, To: w, NoWriterFor: without}))
		}
		t.writer = w
	}

	// Members, as the members check reached them.
	for _, m := range rep.Members {
		state := ""
		switch m.Status {
		case checks.Pass, checks.Warn:
			state = MemberUp
		case checks.Fail:
			state = MemberDown
		}
		if state == "" || t.members[m.Address] == state {
			continue
		}
		ch := change(Change{Kind: KindMember, Address: m.Address, From: t.members[m.Address], To: state})
		if state == MemberDown {
			if i := slices.IndexFunc(m.Checks, func(c checks.Result) bool { return c.Status == checks.Fail }); i >= 0 {
				ch.Check, ch.Code, ch.Summary = m.Checks[i].ID, m.Checks[i].Code, m.Checks[i].Summary
			}
		}
		out = append(out, ch)
		t.members[m.Address] = state
	}

	// The routing table's members.
	if rep.Table != nil {
		set := tableAddresses(rep)
		added, removed := diff(t.table, set)
		if first || t.table == nil || len(added)+len(removed) > 0 {
			out = append(out, change(Change{Kind: KindTable, Added: added, Removed: removed, Members: set}))
		}
		t.table = set
	}

	// Latency.
	d := rep.Duration
	if len(t.recent) >= MinLatencyRuns {
		usual := median(t.recent)
		slow := d > SlowFactor*usual && d-usual >= SlowMargin
		if slow != t.slow {
			out = append(out, change(Change{Kind: KindLatency, Duration: d, Usual: usual, Slow: slow}))
		}
		t.slow = slow
	}
	t.recent = append(t.recent, d)
	if len(t.recent) > LatencyWindow {
		t.recent = t.recent[1:]
	}

	if rep.ExitCode == checks.ExitHealthy {
		t.passed++
	}
	t.worst = max(t.worst, rep.ExitCode)
	if t.slowest == nil || d > t.slowest.Duration {
		t.slowest = &Slowest{Run: run.N, At: run.Started, Elapsed: run.Elapsed, Duration: d, Verdict: rep.Verdict, ExitCode: rep.ExitCode}
	}
	return out
}

// failed counts a check that failed or warned in a run.
func (t *Tracker) failed(c checks.Result) {
	f := t.failures[c.ID]
	if f == nil {
		f = &StepFailures{Check: c.ID, Codes: map[string]int{}}
		t.failures[c.ID] = f
	}
	if c.Status == checks.Fail {
		f.Failed++
	} else {
		f.Warned++
	}
	if c.Code != "" {
		f.Codes[c.Code]++
	}
}

// writerOf is the writer of the run's routing table, "" when there is
// none or no table was read: either way a driver could not write.
func writerOf(rep *checks.Report) string {
	if rep.Table == nil {
		return ""
	}
	return strings.Join(rep.Table.Writers, ", ")
}

// tableAddresses is every address of the run's routing table, sorted.
func tableAddresses(rep *checks.Report) []string {
	set := []string{}
	for _, l := range [][]string{rep.Table.Routers, rep.Table.Readers, rep.Table.Writers} {
		for _, a := range l {
			if !slices.Contains(set, a) {
				set = append(set, a)
			}
		}
	}
	sort.Strings(set)
	return set
}

// diff is what joined b and what left it, compared with a; both sorted.
func diff(a, b []string) (added, removed []string) {
	for _, x := range b {
		if !slices.Contains(a, x) {
			added = append(added, x)
		}
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			removed = append(removed, x)
		}
	}
	return added, removed
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Window is a stretch of runs that found no writer: from the first that
// found none to the first that found one again.
type Window struct {
	Start   time.Time
	Elapsed time.Duration // from the watch's start to Start
	End     time.Time     // zero while Open
	// Open: the watch ended with no writer; Length is then up to the
	// watch's end.
	Open   bool
	Length time.Duration
	Runs   int    // runs that found no writer
	From   string // the writer before, "" when none was seen
	To     string // the writer after, "" while Open
}

// LeaderChange is a run that found another writer than the last one
// seen, with or without runs without a writer between them.
type LeaderChange struct {
	From, To string
	At       time.Time
	Elapsed  time.Duration
	// NoWriterFor is how long there was no writer just before, 0 when
	// the writer changed from one run to the next.
	NoWriterFor time.Duration
}

// StepFailures is how often a check failed or warned during the watch,
// with its codes.
type StepFailures struct {
	Check          string
	Failed, Warned int            // runs
	Codes          map[string]int // code → runs
}

// Slowest is the run that took longest.
type Slowest struct {
	Run      int
	At       time.Time
	Elapsed  time.Duration
	Duration time.Duration
	Verdict  checks.Status
	ExitCode int
}

// Summary is what a watch found, at its end.
type Summary struct {
	Started, Ended time.Time
	Interrupted    bool // Ctrl-C ended it; false when For was over
	Runs           int
	Passed         int // runs whose exit code was 0 (warnings allowed unless --strict)
	// Routes: the target routes (neo4j://) and the writer was tracked;
	// WithWriter, NoWriter and LeaderChanges are empty otherwise.
	Routes        bool
	WithWriter    int // runs whose routing table named a writer
	NoWriter      []Window
	LeaderChanges []LeaderChange
	Failures      []StepFailures // in check order
	Slowest       *Slowest       // nil without a run
	// ExitCode is the worst (highest) exit code of any run: a watch that
	// saw a failure at any time says so, however it ended.
	ExitCode int
}

// Summary is the watch's summary at end; interrupted says that Ctrl-C
// ended it. An open window without a writer lasts until end.
func (t *Tracker) Summary(end time.Time, interrupted bool) Summary {
	s := Summary{
		Started: t.start, Ended: end, Interrupted: interrupted,
		Runs: t.runs, Passed: t.passed, Routes: t.routes, WithWriter: t.withWriter,
		NoWriter: slices.Clone(t.windows), LeaderChanges: slices.Clone(t.leaders),
		ExitCode: t.worst,
	}
	for i := range s.NoWriter {
		if s.NoWriter[i].Open {
			s.NoWriter[i].Length = end.Sub(s.NoWriter[i].Start)
		}
	}
	for _, c := range t.checkOrder() {
		if f := t.failures[c]; f != nil {
			cp := *f
			cp.Codes = maps.Clone(f.Codes)
			s.Failures = append(s.Failures, cp)
		}
	}
	if t.slowest != nil {
		sl := *t.slowest
		s.Slowest = &sl
	}
	return s
}

// checkOrder is every check id failures holds, in the order of the
// checks (then by id for any the last run did not have).
func (t *Tracker) checkOrder() []string {
	var ids []string
	for id := range t.failures {
		ids = append(ids, id)
	}
	checks.SortByCheckOrder(ids)
	return ids
}
