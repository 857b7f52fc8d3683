package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/watch"
)

// A watch (`neo4j-doctor watch`) is rendered as it goes, to stdout: a
// header once, then a line for each thing a run changed, then the
// summary. Text is for people; JSON is one object per line, each with a
// "type": "start", then a "change" per change, then a "summary" (see
// WatchSchemaJSON).
//
// The text, line by line:
//
//	neo4j-doctor 1.2.0 — watch: a diagnosis every 5s until Ctrl-C
//	  uri       neo4j://db.example.com:7687  from --uri
//	  …
//	each run connects anew and closes its connections when it ends; a line when something changes
//
//	14:03:05 +0.0s   ✓ pass: 10 passed, 1 skipped; 9ms
//	14:03:05 +0.0s   writer core-0:7687; routing table: 3 members, 3 up
//	14:03:08 +3.0s   ✗ routing: the routing table lists no writers (routing.no_writers)
//	14:03:08 +3.0s   ✗ writer core-0:7687 → none
//	14:03:10 +5.0s   ✓ writer none → core-1:7687, after 2.0s without one
//
// then, after a blank line, the summary: runs, the share that passed and
// that had a writer, each window without a writer, the leader changes,
// the failures by step with their codes, the slowest run, and a closing
// line with the exit code: the worst of any run.

// WatchHeader is what a watch says before its first run.
type WatchHeader struct {
	Tool     ToolInfo
	Target   checks.TargetInfo
	Interval time.Duration
	For      time.Duration // 0: until Ctrl-C
	Started  time.Time
}

// Watch renders one watch as it goes. Each call writes whole lines with
// one Write.
type Watch interface {
	Header(WatchHeader) error
	Run(watch.Run, []watch.Change) error
	Summary(watch.Summary) error
}

// WatchFormats are the --format values watch takes.
func WatchFormats() []string { return []string{"text", "json"} }

// NewWatch returns the renderer of a watch in format (see WatchFormats)
// writing to w; false for a format without one.
func NewWatch(format string, w io.Writer, o Options) (Watch, bool) {
	switch format {
	case "text":
		return &watchText{w: w, o: o.text()}, true
	case "json":
		return &watchJSON{w: w, tool: o.Tool}, true
	}
	return nil, false
}

// ---- text ----

type watchText struct {
	w io.Writer
	o TextOptions
}

func (x *watchText) renderer() *textRenderer { return newTextRenderer(x.o) }

func (x *watchText) write(t *textRenderer) error {
	_, err := io.WriteString(x.w, t.flush())
	return err
}

func (x *watchText) Header(h WatchHeader) error {
	t := x.renderer()
	version := x.o.Version
	if version == "" {
		version = "(devel)"
	}
	what := "watch: a diagnosis every " + flagDuration(h.Interval)
	if h.For > 0 {
		what += " for " + flagDuration(h.For)
	} else {
		what += " until Ctrl-C"
	}
	head := "neo4j-doctor " + clean(version) + " — "
	t.para(paint(t.p.bold, "neo4j-doctor")+" "+clean(version)+" — ", utf8.RuneCountInString(head), 2, what, false, nil, nil)
	t.targetRows(&checks.Report{Target: h.Target})
	t.para("", 0, 0, "each run connects anew and closes its connections when it ends; a line only when something changes", false, t.p.dim, nil)
	t.blank()
	return x.write(t)
}

// stamp is a line's time, in the run's own zone, and the time from the
// watch's start, padded to a column.
func stamp(at time.Time, elapsed time.Duration) string {
	return padRight(when(at, elapsed), 17)
}

// when is "14:03:08 +3.0s".
func when(at time.Time, elapsed time.Duration) string {
	return at.Format("15:04:05") + " +" + elapsedText(elapsed)
}

// flagDuration is d as a person writes it on the command line: "5s",
// "250ms", "1m", "1h30m".
func flagDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// elapsedText is "0.0s", "3.3s", "1m05s", "1h02m".
func elapsedText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func (x *watchText) Run(run watch.Run, changes []watch.Change) error {
	t := x.renderer()
	st := stamp(run.Started, run.Elapsed)
	lead := paint(t.p.dim, st)
	leadW := utf8.RuneCountInString(st)
	line := func(s checks.Status, text string) {
		sym := symbol(s)
		if s == "" {
			sym = "•"
		}
		w := leadW + utf8.RuneCountInString(sym) + 1
		t.para(lead+paint(t.p.status(s), sym)+" ", w, w, text, true, nil, t.p.hint)
	}
	if run.N == 1 {
		x.initial(run, changes, line)
		return x.write(t)
	}
	var passed, skipped []string
	skipWhy := ""
	flushGroups := func() {
		if len(passed) > 0 {
			line(checks.Pass, strings.Join(passed, ", ")+": pass")
			passed = nil
		}
		if len(skipped) > 0 {
			line(checks.Skip, strings.Join(skipped, ", ")+": "+skipWhy)
			skipped = nil
		}
	}
	for _, c := range changes {
		switch c.Kind {
		case watch.KindCheck:
			switch st := checks.Status(c.To); st {
			case checks.Pass:
				passed = append(passed, clean(c.Check))
			case checks.Skip:
				if len(skipped) > 0 && c.Summary != skipWhy {
					flushGroups()
				}
				skipped, skipWhy = append(skipped, clean(c.Check)), oneLine(c.Summary)
			default:
				line(st, oneLine(c.Check)+": "+oneLine(c.Summary)+codeText(c.Code))
			}
			continue
		}
		flushGroups()
		switch c.Kind {
		case watch.KindWriter:
			text := "writer " + writerText(c.From) + " → " + writerText(c.To)
			st := checks.Pass
			if c.To == "" {
				st = checks.Fail
			}
			if c.NoWriterFor > 0 {
				text += ", after " + formatDuration(c.NoWriterFor) + " without one"
			}
			line(st, text)
		case watch.KindMember:
			if c.To == watch.MemberUp {
				line(checks.Pass, "member "+clean(c.Address)+" up")
				continue
			}
			text := "member " + clean(c.Address) + " down"
			if c.Check != "" {
				text += ": " + oneLine(c.Check) + ": " + oneLine(c.Summary)
			}
			line(checks.Fail, text)
		case watch.KindTable:
			var parts []string
			if len(c.Added) > 0 {
				parts = append(parts, cleanList(c.Added)+" joined")
			}
			if len(c.Removed) > 0 {
				parts = append(parts, cleanList(c.Removed)+" left")
			}
			if len(parts) == 0 {
				parts = append(parts, "read again")
			}
			line("", "routing table: "+strings.Join(parts, "; ")+fmt.Sprintf(" (%d members)", len(c.Members)))
		case watch.KindLatency:
			if c.Slow {
				line(checks.Warn, "slow run: "+formatDuration(c.Duration)+", usually "+formatDuration(c.Usual))
			} else {
				line(checks.Pass, "latency back to usual: "+formatDuration(c.Duration))
			}
		}
	}
	flushGroups()
	return x.write(t)
}

// initial is the first run's state in one or two lines: the verdict with
// what did not pass, then the writer and the members.
func (x *watchText) initial(run watch.Run, changes []watch.Change, line func(checks.Status, string)) {
	r := run.Report
	var bad []string
	for _, c := range r.Checks {
		if c.Status == checks.Fail || c.Status == checks.Warn {
			bad = append(bad, oneLine(c.ID)+": "+oneLine(c.Summary)+codeText(c.Code))
		}
	}
	first := clean(string(r.Verdict)) + ": " + tally(r)
	if len(bad) > 0 {
		first = clean(string(r.Verdict)) + ": " + strings.Join(bad, "; ")
	}
	if len(bad) > 0 {
		first += "; " + formatDuration(r.Duration)
	}
	line(r.Verdict, first)

	var parts []string
	up, down := 0, []string{}
	tableN := -1
	for _, c := range changes {
		switch c.Kind {
		case watch.KindWriter:
			parts = append(parts, "writer "+writerText(c.To))
		case watch.KindMember:
			if c.To == watch.MemberUp {
				up++
			} else {
				down = append(down, clean(c.Address))
			}
		case watch.KindTable:
			tableN = len(c.Members)
		}
	}
	if tableN >= 0 {
		m := fmt.Sprintf("routing table: %d members", tableN)
		if up+len(down) > 0 {
			m += fmt.Sprintf(", %d up", up)
		}
		if len(down) > 0 {
			m += ", " + strings.Join(down, ", ") + " down"
		}
		parts = append(parts, m)
	}
	if len(parts) > 0 {
		st := checks.Pass
		if len(down) > 0 || slices.Contains(parts, "writer none") {
			st = checks.Fail
		}
		line(st, strings.Join(parts, "; "))
	}
}

func writerText(w string) string {
	if w == "" {
		return "none"
	}
	return clean(w)
}

func codeText(code string) string {
	if code == "" {
		return ""
	}
	return " (" + clean(code) + ")"
}

func cleanList(l []string) string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = clean(s)
	}
	return strings.Join(out, ", ")
}

func percent(n, of int) string {
	return fmt.Sprintf("%.0f%%", 100*ratio(n, of))
}

func (x *watchText) Summary(s watch.Summary) error {
	t := x.renderer()
	t.blank()
	how := "--for is over"
	if s.Interrupted {
		how = "interrupted"
	}
	t.add(fmt.Sprintf("watch ended after %s: %s", elapsedText(s.Ended.Sub(s.Started)), how), 0)
	const labelW = 11
	row := func(label, text string) {
		lead := "  " + padRight(label, labelW)
		t.para(lead, 2+labelW, 2+labelW, text, false, nil, nil)
	}
	more := func(text string) { t.para(strings.Repeat(" ", 2+labelW), 2+labelW, 2+labelW, text, false, nil, nil) }
	row("runs", fmt.Sprint(s.Runs))
	row("passed", fmt.Sprintf("%d of %d (%s)", s.Passed, s.Runs, percent(s.Passed, s.Runs)))
	if !s.Routes {
		row("writer", "not followed: this URI connects directly to one server")
	} else {
		row("writer", fmt.Sprintf("%d of %d runs had one (%s)", s.WithWriter, s.Runs, percent(s.WithWriter, s.Runs)))
		if len(s.NoWriter) == 0 {
			row("no writer", "never")
		}
		for i, w := range s.NoWriter {
			text := when(w.Start, w.Elapsed) + " for " + formatDuration(w.Length)
			if w.Open {
				text += " so far: open when the watch ended"
			}
			text += " (" + plural(w.Runs, "run") + ")"
			if w.From != "" || w.To != "" {
				text += ": " + writerText(w.From) + " → " + writerText(w.To)
			}
			if i == 0 {
				row("no writer", text)
			} else {
				more(text)
			}
		}
		if len(s.LeaderChanges) == 0 {
			row("leader", "no change")
		}
		for i, lc := range s.LeaderChanges {
			text := when(lc.At, lc.Elapsed) + " " + clean(lc.From) + " → " + clean(lc.To)
			if lc.NoWriterFor > 0 {
				text += ", after " + formatDuration(lc.NoWriterFor) + " without a writer"
			}
			if i == 0 {
				row("leader", plural(len(s.LeaderChanges), "change")+": "+text)
			} else {
				more(text)
			}
		}
	}
	if len(s.Failures) == 0 {
		row("failures", "none")
	}
	for i, f := range s.Failures {
		var parts []string
		if f.Failed > 0 {
			parts = append(parts, "failed in "+plural(f.Failed, "run"))
		}
		if f.Warned > 0 {
			parts = append(parts, "warned in "+plural(f.Warned, "run"))
		}
		text := clean(f.Check) + " " + strings.Join(parts, ", ")
		if len(f.Codes) > 0 {
			var codes []string
			for _, c := range slices.Sorted(maps.Keys(f.Codes)) {
				codes = append(codes, fmt.Sprintf("%s ×%d", clean(c), f.Codes[c]))
			}
			text += ": " + strings.Join(codes, ", ")
		}
		if i == 0 {
			row("failures", text)
		} else {
			more(text)
		}
	}
	if sl := s.Slowest; sl != nil {
		row("slowest", fmt.Sprintf("run %d at %s: %s, %s", sl.Run, when(sl.At, sl.Elapsed), formatDuration(sl.Duration), clean(string(sl.Verdict))))
	}
	verdict := checks.Fail
	switch {
	case s.ExitCode != checks.ExitHealthy:
	case slices.ContainsFunc(s.Failures, func(f watch.StepFailures) bool { return f.Warned > 0 }):
		verdict = checks.Warn
	default:
		verdict = checks.Pass
	}
	head := symbol(verdict) + " " + string(verdict)
	meaning := map[int]string{checks.ExitHealthy: "healthy", checks.ExitFailed: "a check failed", checks.ExitNoResponse: "no response"}[s.ExitCode]
	text := fmt.Sprintf("exit %d (%s), the worst of %s", s.ExitCode, meaning, plural(s.Runs, "run"))
	t.para(paint(t.p.status(verdict), head)+" — ", utf8.RuneCountInString(head)+3, utf8.RuneCountInString(head)+3, text, false, nil, nil)
	return x.write(t)
}

// ---- JSON ----

// WatchSchemaVersion is the version of the objects a watch writes with
// --format json (WatchSchemaJSON).
const WatchSchemaVersion = 1

// WatchSchemaJSON is the JSON Schema of every line a watch writes with
// --format json: a start, changes, a summary. It refers to SchemaJSON's
// definitions (the target, check ids, codes, statuses).
//
//go:embed schema/watch.v1.schema.json
var WatchSchemaJSON []byte

// WatchSchemaID is the $id of WatchSchemaJSON.
const WatchSchemaID = "https://github.com/neo4j-doctor/neo4j-doctor/report/schema/watch.v1.schema.json"

type watchJSON struct {
	w    io.Writer
	tool ToolInfo
}

// line writes v as one line of JSON.
func (x *watchJSON) line(v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// Server text such as "<html>" stays readable, as in the report.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := x.w.Write(b.Bytes())
	return err
}

type jsonWatchStart struct {
	Type          string     `json:"type"`
	SchemaVersion int        `json:"schemaVersion"`
	Tool          ToolInfo   `json:"tool"`
	Target        jsonTarget `json:"target"`
	IntervalMs    float64    `json:"intervalMs"`
	ForMs         *float64   `json:"forMs"` // null: until Ctrl-C
	StartedAt     string     `json:"startedAt"`
}

func (x *watchJSON) Header(h WatchHeader) error {
	tool := x.tool
	if tool.Name == "" {
		tool.Name = "neo4j-doctor"
	}
	doc := jsonWatchStart{Type: "start", SchemaVersion: WatchSchemaVersion, Tool: tool, Target: toJSONTarget(&h.Target),
		IntervalMs: millis(h.Interval), StartedAt: rfc3339(h.Started)}
	if h.For > 0 {
		f := millis(h.For)
		doc.ForMs = &f
	}
	return x.line(doc)
}

type jsonChangeHead struct {
	Type      string  `json:"type"`
	Kind      string  `json:"kind"`
	Run       int     `json:"run"`
	At        string  `json:"at"`
	ElapsedMs float64 `json:"elapsedMs"`
}

type jsonCheckChange struct {
	jsonChangeHead
	Check   string  `json:"check"`
	From    *string `json:"from"`
	To      string  `json:"to"`
	Code    *string `json:"code"`
	Summary string  `json:"summary"`
}

type jsonWriterChange struct {
	jsonChangeHead
	From       *string  `json:"from"`
	To         *string  `json:"to"`
	NoWriterMs *float64 `json:"noWriterMs"`
}

type jsonMemberChange struct {
	jsonChangeHead
	Address string  `json:"address"`
	From    *string `json:"from"`
	To      string  `json:"to"`
	Check   *string `json:"check"`
	Code    *string `json:"code"`
	Summary *string `json:"summary"`
}

type jsonTableChange struct {
	jsonChangeHead
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Members []string `json:"members"`
}

type jsonLatencyChange struct {
	jsonChangeHead
	DurationMs float64 `json:"durationMs"`
	UsualMs    float64 `json:"usualMs"`
	Slow       bool    `json:"slow"`
}

func (x *watchJSON) Run(_ watch.Run, changes []watch.Change) error {
	for _, c := range changes {
		head := jsonChangeHead{Type: "change", Kind: string(c.Kind), Run: c.Run, At: rfc3339(c.At), ElapsedMs: millis(c.Elapsed)}
		var doc any
		switch c.Kind {
		case watch.KindCheck:
			doc = jsonCheckChange{jsonChangeHead: head, Check: c.Check, From: orNull(c.From), To: c.To, Code: orNull(c.Code), Summary: c.Summary}
		case watch.KindWriter:
			d := jsonWriterChange{jsonChangeHead: head, From: orNull(c.From), To: orNull(c.To)}
			if c.NoWriterFor > 0 {
				ms := millis(c.NoWriterFor)
				d.NoWriterMs = &ms
			}
			doc = d
		case watch.KindMember:
			doc = jsonMemberChange{jsonChangeHead: head, Address: c.Address, From: orNull(c.From), To: c.To,
				Check: orNull(c.Check), Code: orNull(c.Code), Summary: orNull(c.Summary)}
		case watch.KindTable:
			doc = jsonTableChange{jsonChangeHead: head, Added: orEmpty(c.Added), Removed: orEmpty(c.Removed), Members: orEmpty(c.Members)}
		case watch.KindLatency:
			doc = jsonLatencyChange{jsonChangeHead: head, DurationMs: millis(c.Duration), UsualMs: millis(c.Usual), Slow: c.Slow}
		default:
			return fmt.Errorf("report: a watch change of kind %q", c.Kind)
		}
		if err := x.line(doc); err != nil {
			return err
		}
	}
	return nil
}

type jsonWatchSummary struct {
	Type               string             `json:"type"`
	StartedAt          string             `json:"startedAt"`
	EndedAt            string             `json:"endedAt"`
	DurationMs         float64            `json:"durationMs"`
	Ended              string             `json:"ended"` // "for" or "interrupted"
	Runs               int                `json:"runs"`
	Passed             int                `json:"passed"`
	Availability       float64            `json:"availability"`
	WriterFollowed     bool               `json:"writerFollowed"`
	WithWriter         *int               `json:"withWriter"`
	WriterAvailability *float64           `json:"writerAvailability"`
	NoWriterWindows    []jsonWindow       `json:"noWriterWindows"`
	LeaderChanges      []jsonLeaderChange `json:"leaderChanges"`
	Failures           []jsonStepFailures `json:"failures"`
	Slowest            *jsonSlowest       `json:"slowest"`
	ExitCode           int                `json:"exitCode"`
}

type jsonWindow struct {
	Start      string  `json:"start"`
	ElapsedMs  float64 `json:"elapsedMs"`
	End        *string `json:"end"`
	Open       bool    `json:"open"`
	DurationMs float64 `json:"durationMs"`
	Runs       int     `json:"runs"`
	From       *string `json:"from"`
	To         *string `json:"to"`
}

type jsonLeaderChange struct {
	At         string  `json:"at"`
	ElapsedMs  float64 `json:"elapsedMs"`
	From       string  `json:"from"`
	To         string  `json:"to"`
	NoWriterMs float64 `json:"noWriterMs"`
}

type jsonStepFailures struct {
	Check  string         `json:"check"`
	Failed int            `json:"failed"`
	Warned int            `json:"warned"`
	Codes  map[string]int `json:"codes"`
}

type jsonSlowest struct {
	Run        int     `json:"run"`
	At         string  `json:"at"`
	ElapsedMs  float64 `json:"elapsedMs"`
	DurationMs float64 `json:"durationMs"`
	Verdict    string  `json:"verdict"`
	ExitCode   int     `json:"exitCode"`
}

func (x *watchJSON) Summary(s watch.Summary) error {
	doc := jsonWatchSummary{
		Type: "summary", StartedAt: rfc3339(s.Started), EndedAt: rfc3339(s.Ended), DurationMs: millis(s.Ended.Sub(s.Started)),
		Ended: "for", Runs: s.Runs, Passed: s.Passed, Availability: ratio(s.Passed, s.Runs), WriterFollowed: s.Routes,
		NoWriterWindows: []jsonWindow{}, LeaderChanges: []jsonLeaderChange{}, Failures: []jsonStepFailures{}, ExitCode: s.ExitCode,
	}
	if s.Interrupted {
		doc.Ended = "interrupted"
	}
	if s.Routes {
		n, r := s.WithWriter, ratio(s.WithWriter, s.Runs)
		doc.WithWriter, doc.WriterAvailability = &n, &r
	}
	for _, w := range s.NoWriter {
		jw := jsonWindow{Start: rfc3339(w.Start), ElapsedMs: millis(w.Elapsed), Open: w.Open, DurationMs: millis(w.Length),
			Runs: w.Runs, From: orNull(w.From), To: orNull(w.To)}
		if !w.Open {
			e := rfc3339(w.End)
			jw.End = &e
		}
		doc.NoWriterWindows = append(doc.NoWriterWindows, jw)
	}
	for _, lc := range s.LeaderChanges {
		doc.LeaderChanges = append(doc.LeaderChanges, jsonLeaderChange{At: rfc3339(lc.At), ElapsedMs: millis(lc.Elapsed), From: lc.From, To: lc.To, NoWriterMs: millis(lc.NoWriterFor)})
	}
	for _, f := range s.Failures {
		codes := f.Codes
		if codes == nil {
			codes = map[string]int{}
		}
		doc.Failures = append(doc.Failures, jsonStepFailures{Check: f.Check, Failed: f.Failed, Warned: f.Warned, Codes: codes})
	}
	if sl := s.Slowest; sl != nil {
		doc.Slowest = &jsonSlowest{Run: sl.Run, At: rfc3339(sl.At), ElapsedMs: millis(sl.Elapsed), DurationMs: millis(sl.Duration), Verdict: string(sl.Verdict), ExitCode: sl.ExitCode}
	}
	return x.line(doc)
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ratio(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}
