package report

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fatih/color"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

func init() { registerFormat(Format{Name: "text", order: 1, render: withTextOptions(Text)}) }

// TextOptions shapes the human report.
type TextOptions struct {
	Version string // shown in the header; "(devel)" when empty
	// Verbose adds what a first read does not need: evidence of passing
	// checks, every member check with its facts, and settings left at
	// their defaults. Without it the report shows facts of every check
	// that ran, and evidence, errors and hints only where something is
	// wrong, so a healthy run fits on one screen.
	Verbose bool
	Color   bool // escape sequences allowed; decided by Streams.WithColor
}

// Text writes the checklist for people: a header naming the target and
// where each setting came from, one line per check with its details
// indented below it, members under the members check, and a verdict line.
// The whole report is built first and written with one Write, so a broken
// pipe yields one error and never half a line.
func Text(w io.Writer, r *checks.Report, opts TextOptions) error {
	if r == nil {
		return errors.New("report: nil report")
	}
	t := &textRenderer{p: newPalette(opts.Color), verbose: opts.Verbose}
	t.header(r, opts.Version)
	t.checks(r)
	t.verdict(r)
	_, err := io.WriteString(w, t.flush())
	return err
}

// Layout constants: details sit under the check's id; the duration column
// is aligned but never pushed past a classic 80-column terminal.
const (
	detailIndent = 4
	lineLimit    = 80
)

// textLine is one output line. Check lines carry their duration separately
// so flush can right-align every duration in one column once all widths are
// known.
type textLine struct {
	text  string // as written, possibly with escape sequences
	width int    // display width of text without escape sequences
	dur   string // duration column, "" for none
}

type textRenderer struct {
	p       palette
	verbose bool
	lines   []textLine
}

// add appends a line that has no duration, so its width does not matter.
func (t *textRenderer) add(text string) {
	t.lines = append(t.lines, textLine{text: text})
}

func (t *textRenderer) blank() { t.add("") }

// flush aligns the duration column and joins the lines.
func (t *textRenderer) flush() string {
	durW, left := 0, 0
	for _, l := range t.lines {
		if l.dur != "" {
			durW = max(durW, utf8.RuneCountInString(l.dur))
			left = max(left, l.width)
		}
	}
	left = min(left, lineLimit-2-durW)
	var b strings.Builder
	for _, l := range t.lines {
		if l.dur == "" {
			// Empty values (a zero TargetInfo) must not leave trailing
			// blanks for diff-based tests and pasted reports.
			l.text = strings.TrimRight(l.text, " ")
		}
		b.WriteString(l.text)
		if l.dur != "" {
			pad := max(left-l.width, 0) + 2 + durW - utf8.RuneCountInString(l.dur)
			b.WriteString(strings.Repeat(" ", pad) + paint(t.p.dim, l.dur))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// header names the tool and the target. Each row says where its value came
// from so a user who edited the wrong file or forgot an exported variable
// sees it before reading any check.
func (t *textRenderer) header(r *checks.Report, version string) {
	if version == "" {
		version = "(devel)"
	}
	t.add(paint(t.p.bold, "neo4j-doctor") + " " + clean(version))
	t.blank()

	rows := targetRows(&r.Target, t.verbose)
	labelW, valueW := 0, 0
	for _, row := range rows {
		labelW = max(labelW, utf8.RuneCountInString(row.label))
		if row.origin != "" {
			valueW = max(valueW, utf8.RuneCountInString(row.value))
		}
	}
	for _, row := range rows {
		s := "  " + padRight(row.label, labelW) + "  " + row.value
		if row.origin != "" {
			s += strings.Repeat(" ", valueW-utf8.RuneCountInString(row.value)) + "  " + paint(t.p.dim, row.origin)
		}
		t.add(s)
	}
	t.blank()
}

type targetRow struct{ label, value, origin string }

// Setting keys the header shows in its own rows, with the aliases checks/
// might use for them. Anything else in TargetInfo.Settings is listed after.
var (
	uriKeys      = []string{"uri"}
	userKeys     = []string{"username", "user"}
	passwordKeys = []string{"password"}
	databaseKeys = []string{"database", "db"}
	resolverKeys = []string{"resolver", "dns-server"}
)

func targetRows(ti *checks.TargetInfo, verbose bool) []targetRow {
	used := map[string]bool{}
	origin := func(keys []string) string {
		for _, k := range keys {
			used[k] = true
		}
		for _, k := range keys {
			if s, ok := ti.Settings[k]; ok {
				return settingOrigin(s)
			}
		}
		return ""
	}

	// The password row deliberately has no value column content from the
	// setting: only "set" or "not set", whatever Settings holds.
	passOrigin := origin(passwordKeys)
	passSet := ti.PasswordSource != "" && ti.PasswordSource != "none"
	if ti.PasswordSource == "" {
		s, ok := ti.Settings["password"]
		passSet = ok && s.Source != "" && s.Source != "default"
	}
	if passOrigin == "" && passSet {
		passOrigin = "from " + clean(ti.PasswordSource)
	}
	password := "not set"
	if passSet {
		password = "set"
	}

	user := clean(ti.Username)
	if user == "" {
		user = "not set"
	}
	database := clean(ti.Database)
	if database == "" {
		database = "home database"
	}

	rows := []targetRow{
		{"uri", clean(redactURI(ti.URI)), origin(uriKeys)},
		{"user", user, origin(userKeys)},
		{"password", password, passOrigin},
		{"database", database, origin(databaseKeys)},
	}
	if resolverOrigin := origin(resolverKeys); ti.Resolver != "" {
		rows = append(rows, targetRow{"resolver", clean(ti.Resolver), resolverOrigin})
	}
	if ti.AuraInstance != "" {
		rows = append(rows, targetRow{"aura", clean(ti.AuraInstance), ""})
	}

	// Other settings are noise when left at their default, and evidence
	// when someone changed them, so defaults show only with --verbose.
	var extra []string
	for k, s := range ti.Settings {
		if !used[k] && (verbose || s.Source != "default") {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		s := ti.Settings[k]
		v := clean(s.Value)
		if secretKey(k) {
			v = "hidden"
		} else if v == "" {
			v = `""`
		}
		rows = append(rows, targetRow{clean(k), v, settingOrigin(s)})
	}
	return rows
}

// settingOrigin renders Setting.Source/From as "from NEO4J_PASSWORD",
// "from --uri", "from Neo4j-1234.txt", "from uri" or "default".
func settingOrigin(s checks.Setting) string {
	switch {
	case s.From != "":
		return "from " + clean(s.From)
	case s.Source == "default":
		return "default"
	case s.Source != "":
		return "from " + clean(s.Source)
	}
	return ""
}

func (t *textRenderer) checks(r *checks.Report) {
	membersShown := false
	idW := idWidth(r.Checks)
	for i := range r.Checks {
		c := &r.Checks[i]
		var members []checks.Member
		if c.ID == "members" && !membersShown {
			members, membersShown = r.Members, true
		}
		t.check(0, idW, c, true, members)
	}
	// Members without a members check would otherwise vanish; the runner
	// should not produce that, but losing data silently is worse than an
	// odd heading.
	if !membersShown && len(r.Members) > 0 {
		t.add("members")
		t.members(detailIndent, r.Members)
	}
}

// check renders one check line and its details; idW aligns the summaries
// of one block. top is false for a member's own checks, whose facts are
// only shown with --verbose.
func (t *textRenderer) check(indent, idW int, c *checks.Result, top bool, members []checks.Member) {
	sym := symbol(c.Status)
	plain := strings.Repeat(" ", indent) + sym + " " + padRight(oneLine(c.ID), idW) + "  " + oneLine(c.Summary)
	plain = strings.TrimRight(plain, " ")
	l := textLine{width: utf8.RuneCountInString(plain)}
	if c.Status == checks.Skip {
		l.text = paint(t.p.skip, plain)
		// A skipped check did not run; a duration would only be noise.
	} else {
		l.text = strings.Repeat(" ", indent) + paint(t.p.status(c.Status), sym) + plain[indent+len(sym):]
		l.dur = formatDuration(c.Duration)
	}
	t.lines = append(t.lines, l)

	d := indent + detailIndent
	if len(c.Facts) > 0 && (top || t.verbose) {
		t.kv(d, c.Facts)
	}
	if len(members) > 0 {
		t.members(d, members)
	}
	if len(c.Evidence) > 0 && (t.verbose || c.Status == checks.Warn || c.Status == checks.Fail) {
		t.add(strings.Repeat(" ", d) + paint(t.p.dim, "evidence:"))
		t.kv(d+2, c.Evidence)
	}
	if c.Error != "" {
		t.labelled(d, "error:", t.p.errLabel, nil, c.Error)
	}
	for _, h := range c.Hints {
		t.labelled(d, "hint:", nil, t.p.hint, h)
	}
}

// members lists routing-table members with their roles, and under each the
// member checks worth reading: the failing ones, or all with --verbose.
func (t *textRenderer) members(indent int, ms []checks.Member) {
	addrW := 0
	for _, m := range ms {
		addrW = max(addrW, utf8.RuneCountInString(clean(m.Address)))
	}
	pad := strings.Repeat(" ", indent)
	for _, m := range ms {
		roles := clean(strings.Join(m.Roles, ", "))
		if roles == "" {
			roles = "no roles"
		}
		sym := symbol(m.Status)
		t.add(pad + paint(t.p.status(m.Status), sym) + " " + padRight(clean(m.Address), addrW) + "  " + roles)
		idW := idWidth(m.Checks)
		for i := range m.Checks {
			c := &m.Checks[i]
			if t.verbose || c.Status == checks.Warn || c.Status == checks.Fail {
				t.check(indent+detailIndent, idW, c, false, nil)
			}
		}
	}
}

// kv renders facts or evidence as aligned "name: value" lines; values that
// span lines (certificate chains, server messages) continue under the value
// column.
func (t *textRenderer) kv(indent int, facts []checks.Fact) {
	nameW := 0
	for _, f := range facts {
		nameW = max(nameW, utf8.RuneCountInString(clean(f.Name))+1)
	}
	pad := strings.Repeat(" ", indent)
	cont := pad + strings.Repeat(" ", nameW+1)
	for _, f := range facts {
		first := true
		for ln := range strings.SplitSeq(clean(f.Value), "\n") {
			if first {
				t.add(strings.TrimRight(pad+padRight(clean(f.Name)+":", nameW)+" "+ln, " "))
				first = false
				continue
			}
			t.add(strings.TrimRight(cont+ln, " "))
		}
	}
}

// labelled renders "error: ..." or "hint: ..." with continuation lines
// aligned after the label. labelC colours the label alone, lineC whole
// lines; either may be nil.
func (t *textRenderer) labelled(indent int, label string, labelC, lineC *color.Color, text string) {
	pad := strings.Repeat(" ", indent)
	cont := strings.Repeat(" ", utf8.RuneCountInString(label)+1)
	for i, ln := range strings.Split(clean(strings.TrimSpace(text)), "\n") {
		lead := cont
		if i == 0 {
			lead = paint(labelC, label) + " "
		}
		t.add(pad + paint(lineC, lead+ln))
	}
}

// verdict is the closing line: the overall status, how many checks ended in
// each state, and the wall time, e.g.
// "✗ fail — 6 passed, 1 failed, 3 skipped in 1.2s".
func (t *textRenderer) verdict(r *checks.Report) {
	word := string(r.Verdict)
	if word == "" {
		word = "unknown"
	}
	c := t.p.color(color.Bold)
	switch r.Verdict {
	case checks.Pass:
		c.Add(color.FgGreen)
	case checks.Warn:
		c.Add(color.FgYellow)
	case checks.Fail:
		c.Add(color.FgRed)
	}
	t.blank()
	t.add(paint(c, symbol(r.Verdict)+" "+clean(word)) + " — " + tally(r))
}

func symbol(s checks.Status) string {
	switch s {
	case checks.Pass:
		return "✓"
	case checks.Warn:
		return "!"
	case checks.Fail:
		return "✗"
	case checks.Skip:
		return "–"
	}
	return "?"
}

func (p palette) status(s checks.Status) *color.Color {
	switch s {
	case checks.Pass:
		return p.pass
	case checks.Warn:
		return p.warn
	case checks.Fail:
		return p.fail
	}
	return p.skip
}

// formatDuration is short and human: "<1ms", "12ms", "1.2s", "1m5s".
func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0ms"
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// idWidth is the widest check id of a block, so its summaries start in one
// column.
func idWidth(rs []checks.Result) int {
	w := 0
	for _, c := range rs {
		w = max(w, utf8.RuneCountInString(oneLine(c.ID)))
	}
	return w
}

func padRight(s string, w int) string {
	if n := utf8.RuneCountInString(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}
