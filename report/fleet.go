package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// The formats `check --targets` writes: each is its format's fleet variant.
func init() {
	registerFleet("text", func(w io.Writer, res *checks.FleetReport, o Options) error { return FleetText(w, res, o.text()) })
	registerFleet("json", func(w io.Writer, res *checks.FleetReport, o Options) error { return FleetJSON(w, res, o.Tool) })
	registerFleet("junit", func(w io.Writer, res *checks.FleetReport, o Options) error { return FleetJUnit(w, res, o.Tool) })
}

// FleetText writes the diagnosis of many targets for people, readable at a
// thousand targets: a summary table, one row per target that did not pass
// (verdict, the step that failed, Bolt version, server agent, time),
// failures first, then warnings, then anything else, each group in file
// order; the targets that passed are one count line, or their rows in file
// order with --verbose. So are the targets whose only failure is that the
// run was interrupted (Ctrl-C), without their reports unless --verbose.
// Then the full report of each other target that did not pass, in the
// table's order, then the fleet's verdict. Like Text it writes once.
func FleetText(w io.Writer, res *checks.FleetReport, opts TextOptions) error {
	if res == nil {
		return errors.New("report: nil fleet result")
	}
	version := opts.Version
	if version == "" {
		version = "(devel)"
	}
	p := newPalette(opts.Color)
	var b strings.Builder
	n := len(res.Outcomes)
	b.WriteString(paint(p.bold, "neo4j-doctor") + " " + clean(version) + " — " + plural(n, "target") + "\n\n")

	// The rows in the order they are shown: the targets that did not
	// pass, worst first, then (with --verbose) those that did.
	order := fleetOrder(res.Outcomes)
	var shown, passed, cut []int
	for _, i := range order {
		switch {
		case verdictOf(res.Outcomes[i]) == checks.Pass:
			passed = append(passed, i)
		case interruptedOnly(res.Outcomes[i].Report):
			cut = append(cut, i)
		default:
			shown = append(shown, i)
			continue
		}
		if opts.Verbose {
			shown = append(shown, i)
		}
	}

	head := []string{"target", "verdict", "failing", "bolt", "server agent", "time"}
	rows := make([][]string, 0, len(shown))
	for _, i := range shown {
		o := res.Outcomes[i]
		s := o.Report.Headline()
		row := []string{oneLine(o.Name), "", dash(s.Failing), dash(oneLine(s.BoltVersion)), dash(oneLine(s.ServerAgent)), ""}
		if o.Report != nil {
			row[1] = string(o.Report.Verdict)
			row[5] = formatDuration(o.Report.Duration)
		}
		rows = append(rows, row)
	}
	widths := make([]int, len(head))
	for i, h := range head {
		widths[i] = utf8.RuneCountInString(h)
		for _, r := range rows {
			widths[i] = max(widths[i], utf8.RuneCountInString(r[i]))
		}
	}
	line := func(cells []string) string {
		var l strings.Builder
		for i, c := range cells {
			if i == len(cells)-1 {
				l.WriteString(c)
				break
			}
			l.WriteString(padRight(c, widths[i]) + "  ")
		}
		return strings.TrimRight(l.String(), " ")
	}
	if len(rows) > 0 {
		b.WriteString("  " + paint(p.dim, line(head)) + "\n")
	}
	for k, i := range shown {
		st := verdictOf(res.Outcomes[i])
		b.WriteString(paint(p.status(st), symbol(st)) + " " + line(rows[k]) + "\n")
	}
	if len(cut) > 0 && !opts.Verbose {
		b.WriteString(paint(p.status(checks.Fail), symbol(checks.Fail)) + " " + plural(len(cut), "target") +
			" interrupted before the diagnosis finished" + paint(p.dim, " (--verbose lists them)") + "\n")
	}
	if len(passed) > 0 && !opts.Verbose {
		b.WriteString(paint(p.status(checks.Pass), symbol(checks.Pass)) + " " + plural(len(passed), "healthy target") +
			paint(p.dim, " (--verbose lists them)") + "\n")
	}

	for _, i := range order {
		o := res.Outcomes[i]
		if o.Report == nil || o.Report.Verdict == checks.Pass || (!opts.Verbose && interruptedOnly(o.Report)) {
			continue
		}
		title := "━━ " + oneLine(o.Name) + " "
		t := newTextRenderer(opts)
		b.WriteString("\n" + paint(p.bold, title+strings.Repeat("━", max(min(t.width, DefaultWidth)-utf8.RuneCountInString(title), 3))) + "\n")
		t.targetRows(o.Report)
		t.blank()
		t.report(o.Report)
		b.WriteString(t.flush())
	}

	counts := map[checks.Status]int{}
	for _, o := range res.Outcomes {
		if o.Report != nil {
			counts[o.Report.Verdict]++
		}
	}
	var parts []string
	for _, s := range []struct {
		st    checks.Status
		label string
	}{{checks.Pass, "passed"}, {checks.Warn, "warned"}, {checks.Fail, "failed"}} {
		if k := counts[s.st]; k > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", k, s.label))
		}
	}
	b.WriteString("\n" + paint(p.status(res.Verdict), symbol(res.Verdict)+" "+string(res.Verdict)) + " — " +
		plural(n, "target") + ": " + strings.Join(parts, ", ") + " in " + formatDuration(res.Duration) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// verdictOf is an outcome's verdict; "" when it has no report.
func verdictOf(o checks.Outcome) checks.Status {
	if o.Report == nil {
		return ""
	}
	return o.Report.Verdict
}

// interruptedOnly says whether r failed only because the run was
// cancelled: every failing check is interrupted. A Ctrl-C in a long fleet
// run leaves hundreds of these, all saying the same.
func interruptedOnly(r *checks.Report) bool {
	if r == nil || r.Verdict != checks.Fail {
		return false
	}
	failed := false
	for _, c := range r.Checks {
		if c.Status == checks.Fail {
			if c.Code != checks.CodeInterrupted {
				return false
			}
			failed = true
		}
	}
	return failed
}

// fleetOrder is the order the text table shows outcomes in, as indices:
// fail, then warn, then any other verdict but pass, then pass; each group
// in file order.
func fleetOrder(outs []checks.Outcome) []int {
	rank := func(st checks.Status) int {
		switch st {
		case checks.Fail:
			return 0
		case checks.Warn:
			return 1
		case checks.Pass:
			return 3
		}
		return 2
	}
	order := make([]int, len(outs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rank(verdictOf(outs[a])) - rank(verdictOf(outs[b])) })
	return order
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

type fleetDoc struct {
	SchemaVersion int           `json:"schemaVersion"`
	Tool          ToolInfo      `json:"tool"`
	Verdict       string        `json:"verdict"`
	ExitCode      int           `json:"exitCode"`
	StartedAt     string        `json:"startedAt"`
	DurationMs    float64       `json:"durationMs"`
	Targets       []fleetTarget `json:"targets"`
}

type fleetTarget struct {
	Name   string          `json:"name"`
	Report json.RawMessage `json:"report"`
}

// FleetJSON writes one document (FleetSchemaJSON) holding every target's
// report, each exactly as JSON writes it for one target.
func FleetJSON(w io.Writer, res *checks.FleetReport, tool ToolInfo) error {
	if res == nil {
		return errors.New("report: nil fleet result")
	}
	if tool.Name == "" {
		tool.Name = "neo4j-doctor"
	}
	doc := fleetDoc{
		SchemaVersion: SchemaVersion,
		Tool:          tool,
		Verdict:       string(res.Verdict),
		ExitCode:      res.ExitCode,
		StartedAt:     res.Started.UTC().Format(time.RFC3339Nano),
		DurationMs:    millis(res.Duration),
		Targets:       make([]fleetTarget, 0, len(res.Outcomes)),
	}
	for _, o := range res.Outcomes {
		var buf bytes.Buffer
		if err := JSON(&buf, o.Report, tool); err != nil {
			return fmt.Errorf("target %s: %w", o.Name, err)
		}
		doc.Targets = append(doc.Targets, fleetTarget{Name: o.Name, Report: bytes.TrimSpace(buf.Bytes())})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// FleetJUnit writes one JUnit document with, for each target, the suites
// JUnit writes for one target, named and classed by the target
// ("prod-eu checks", neo4j-doctor.prod-eu.checks), so a CI dashboard
// groups the cases per target.
func FleetJUnit(w io.Writer, res *checks.FleetReport, tool ToolInfo) error {
	if res == nil {
		return errors.New("report: nil fleet result")
	}
	if tool.Name == "" {
		tool.Name = "neo4j-doctor"
	}
	all := junitSuites{Name: tool.Name + " " + plural(len(res.Outcomes), "target"), Time: seconds(res.Duration)}
	for _, o := range res.Outcomes {
		var buf bytes.Buffer
		if err := JUnit(&buf, o.Report, tool); err != nil {
			return fmt.Errorf("target %s: %w", o.Name, err)
		}
		var one junitSuites
		if err := xml.Unmarshal(buf.Bytes(), &one); err != nil {
			return fmt.Errorf("target %s: %w", o.Name, err)
		}
		name := clean(o.Name)
		for _, s := range one.Suites {
			s.Name = name + " " + s.Name
			if s.Properties == nil {
				s.Properties = &junitProps{}
			}
			s.Properties.Props = append([]junitProp{{"target", name}}, s.Properties.Props...)
			for i := range s.Cases {
				s.Cases[i].Classname = strings.Replace(s.Cases[i].Classname, "neo4j-doctor.", "neo4j-doctor."+name+".", 1)
			}
			all.Suites = append(all.Suites, s)
			all.Tests += s.Tests
			all.Failures += s.Failures
			all.Errors += s.Errors
			all.Skipped += s.Skipped
		}
	}
	out, err := xml.MarshalIndent(all, "", "  ")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, xml.Header+string(out)+"\n")
	return err
}

// FleetSchemaJSON is the JSON Schema of FleetJSON's document; each target's
// report refers to SchemaJSON. Like SchemaJSON it is checked by the tests
// (internal/contract), not by the binary.
//
//go:embed schema/fleet.v1.schema.json
var FleetSchemaJSON []byte

// FleetSchemaID is the $id of FleetSchemaJSON.
const FleetSchemaID = "https://github.com/neo4j-doctor/neo4j-doctor/report/schema/fleet.v1.schema.json"

// NewLogger is the log of a long-running command (serve): one
// logfmt-style line per event on w (stderr), so the server's own output
// also goes through this package. Attribute values are made safe for a
// terminal like everything else written here.
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(&cleanWriter{w: w}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// cleanWriter escapes control characters a server may have put in an
// error message before a log line reaches the terminal.
type cleanWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (c *cleanWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := strings.TrimSuffix(string(p), "\n")
	if _, err := io.WriteString(c.w, clean(s)+"\n"); err != nil {
		return 0, err
	}
	return len(p), nil
}
