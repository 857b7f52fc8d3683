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

// DefaultWidth is the width the text report wraps at when neither COLUMNS
// nor a terminal says otherwise.
const DefaultWidth = 100

// minWidth is the narrowest layout: below it the columns of ids, names
// and durations leave no room for text, so a narrower width is treated
// as this one.
const minWidth = 40

// slowAfter is the duration from which a check's time stands out.
const slowAfter = 500 * time.Millisecond

// slowMark precedes a slow check's time when there is no colour to show it.
const slowMark = "slow "

// TextOptions shapes the human report.
type TextOptions struct {
	Version string // shown in the header; "(devel)" when empty
	// Verbose adds what a first read does not need: the facts and
	// evidence of passing checks, facts marked Verbose, the error text,
	// every member's checks with their details, settings left at their
	// defaults, and times below a millisecond in µs.
	Verbose bool
	Color   bool // escape sequences allowed; decided by Streams.WithColor
	// Width is the column every line wraps at (see Streams.Width);
	// 0 means DefaultWidth.
	Width int
}

// Text writes the report for people, in the layout doc.go describes: a
// header naming the target and where each setting came from, the
// checklist, then the cause and the fix of each check that failed or
// warned, and the counts. The whole report is built first and written with
// one Write, so a broken pipe yields one error and never half a line.
func Text(w io.Writer, r *checks.Report, opts TextOptions) error {
	if r == nil {
		return errors.New("report: nil report")
	}
	t := newTextRenderer(opts)
	t.header(r, opts.Version)
	t.report(r)
	_, err := io.WriteString(w, t.flush())
	return err
}

// Layout constants: details sit under the check's id, members' checks
// under the member.
const detailIndent = 4

// textLine is one output line. Check lines carry their duration separately
// so flush can right-align every duration in one column once all widths are
// known.
type textLine struct {
	text  string // as written, possibly with escape sequences
	width int    // display width of text without escape sequences
	dur   string // duration column, painted; "" for none
	durW  int    // display width of dur
}

type textRenderer struct {
	p       palette
	verbose bool
	width   int // wrap column
	durW    int // width of the duration column; set by report
	lines   []textLine
}

func newTextRenderer(opts TextOptions) *textRenderer {
	w := opts.Width
	if w <= 0 {
		w = DefaultWidth
	}
	return &textRenderer{p: newPalette(opts.Color), verbose: opts.Verbose, width: max(w, minWidth)}
}

// report renders everything after the header: the checklist, the causes
// and the counts.
func (t *textRenderer) report(r *checks.Report) {
	t.durW = t.durWidth(r)
	t.checks(r)
	t.blank()
	t.causes(r)
	t.verdict(r)
}

// add appends a line of the given display width that has no duration.
func (t *textRenderer) add(text string, width int) {
	t.lines = append(t.lines, textLine{text: text, width: width})
}

func (t *textRenderer) blank() { t.add("", 0) }

// para adds a paragraph laid out after lead (already painted, of display
// width leadW), continuing at column hang, painting its text with c and
// its spans to paste with code (either may be nil).
func (t *textRenderer) para(lead string, leadW, hang int, text string, withCode bool, c, code *color.Color) {
	for i, l := range layout(leadW, hang, t.width, text, withCode) {
		pc := c
		if l.code {
			pc = code
		}
		if i == 0 {
			t.add(strings.TrimRight(lead+paint(pc, l.text), " "), leadW+utf8.RuneCountInString(l.text))
			continue
		}
		t.add(strings.Repeat(" ", l.indent)+paint(pc, l.text), l.indent+utf8.RuneCountInString(l.text))
	}
}

// flush aligns the duration column and joins the lines. The column sits
// after the widest line that has a duration, and within the width:
// summaries were wrapped to leave room for it.
func (t *textRenderer) flush() string {
	left := 0
	for _, l := range t.lines {
		if l.dur != "" {
			left = max(left, l.width)
		}
	}
	left = min(left, t.width-2-t.durW)
	var b strings.Builder
	for _, l := range t.lines {
		b.WriteString(l.text)
		if l.dur != "" {
			pad := max(left-l.width, 0) + 2 + t.durW - l.durW
			b.WriteString(strings.Repeat(" ", pad) + l.dur)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// header names the tool and the target. Each row says where its value came
// from so a user who edited the wrong file or forgot an exported variable
// sees it before reading any check. Origins stand in a column when every
// row fits the width; a row that does not fit puts its origin on the next
// line, under the value.
func (t *textRenderer) header(r *checks.Report, version string) {
	if version == "" {
		version = "(devel)"
	}
	v := clean(version)
	t.add(paint(t.p.bold, "neo4j-doctor")+" "+v, len("neo4j-doctor ")+utf8.RuneCountInString(v))
	t.targetRows(r)
	t.blank()
}

func (t *textRenderer) targetRows(r *checks.Report) {
	rows := targetRows(&r.Target, t.verbose)
	labelW := 0
	for _, row := range rows {
		labelW = max(labelW, utf8.RuneCountInString(row.label))
	}
	valueCol := 2 + labelW + 2
	// Origins line up after the widest value among the rows whose origin
	// fits there. A row that would push the column too far has its origin
	// right after its value, or when even that is too wide on the next
	// line, under the value.
	inColumn := map[int]bool{}
	for i, row := range rows {
		inColumn[i] = row.origin != ""
	}
	valueW := 0
	for {
		valueW = 0
		widest := -1
		for i, row := range rows {
			if inColumn[i] {
				if vw := utf8.RuneCountInString(row.value); widest < 0 || vw > valueW {
					valueW, widest = vw, i
				}
			}
		}
		fits := true
		for i, row := range rows {
			if inColumn[i] && valueCol+valueW+2+utf8.RuneCountInString(row.origin) > t.width {
				fits = false
			}
		}
		if fits {
			break
		}
		inColumn[widest] = false
	}
	for i, row := range rows {
		lead := "  " + padRight(row.label, labelW) + "  "
		if inColumn[i] {
			ow := utf8.RuneCountInString(row.origin)
			t.add(lead+padRight(row.value, valueW)+"  "+paint(t.p.dim, row.origin), valueCol+valueW+2+ow)
			continue
		}
		vw, ow := utf8.RuneCountInString(row.value), utf8.RuneCountInString(row.origin)
		if row.origin != "" && valueCol+vw+2+ow <= t.width {
			t.add(lead+row.value+"  "+paint(t.p.dim, row.origin), valueCol+vw+2+ow)
			continue
		}
		t.para(lead, valueCol, valueCol, row.value, false, nil, nil)
		if row.origin != "" {
			t.para(strings.Repeat(" ", valueCol), valueCol, valueCol, row.origin, false, t.p.dim, nil)
		}
	}
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

// checks renders the checklist: one block per check, a run of checks
// skipped for the same reason as one line, and the members under the
// members check.
func (t *textRenderer) checks(r *checks.Report) {
	membersShown := false
	t.block(0, r.Checks, func(c *checks.Result) []checks.Member {
		if c.ID == "members" && !membersShown {
			membersShown = true
			return r.Members
		}
		return nil
	})
	// Members without a members check would otherwise vanish; the runner
	// should not produce that, but losing data silently is worse than an
	// odd heading.
	if !membersShown && len(r.Members) > 0 {
		t.add("members", len("members"))
		t.members(detailIndent, r.Members)
	}
}

// block renders a list of checks at indent: the top-level checklist, or
// one member's checks. A run of two or more consecutive skipped checks
// with the same summary is one line, "– tls, bolt, auth: not run: tcp
// failed". members gives the members to list under a check, if any.
func (t *textRenderer) block(indent int, rs []checks.Result, members func(*checks.Result) []checks.Member) {
	idW := idWidth(rs)
	for i := 0; i < len(rs); i++ {
		c := &rs[i]
		j := i + 1
		for c.Status == checks.Skip && j < len(rs) && rs[j].Status == checks.Skip && rs[j].Summary == c.Summary {
			j++
		}
		if j-i > 1 {
			ids := make([]string, 0, j-i)
			for _, s := range rs[i:j] {
				ids = append(ids, oneLine(s.ID))
			}
			lead := strings.Repeat(" ", indent) + symbol(checks.Skip) + " "
			w := indent + 2
			t.para(paint(t.p.skip, lead), w, w, strings.Join(ids, ", ")+": "+oneLine(c.Summary), false, t.p.skip, t.p.skip)
			i = j - 1
			continue
		}
		var ms []checks.Member
		if members != nil {
			ms = members(c)
		}
		t.check(indent, idW, c, indent == 0, ms)
	}
}

// check renders one check line and the details a reader needs: for a
// check that failed or warned its fix and notes, facts and evidence; for
// every check with --verbose, everything; for the members check, always
// the members. top is false for a member's own checks, which are one line
// each unless --verbose: the members check says what they mean.
func (t *textRenderer) check(indent, idW int, c *checks.Result, top bool, members []checks.Member) {
	sym, id := symbol(c.Status), oneLine(c.ID)
	col := indent + utf8.RuneCountInString(sym) + 1 + idW + 2
	pad := strings.Repeat(" ", indent)
	symC, textC := t.p.status(c.Status), (*color.Color)(nil)
	if c.Status == checks.Skip {
		textC = t.p.skip
	}
	first := len(t.lines)
	for i, l := range layout(col, col, t.width-2-t.durW, oneLine(c.Summary), true) {
		pc := textC
		if l.code {
			pc = t.p.hint
		}
		if i > 0 {
			t.add(strings.Repeat(" ", l.indent)+paint(pc, l.text), l.indent+utf8.RuneCountInString(l.text))
			continue
		}
		plain := strings.TrimRight(padRight(id, idW)+"  "+l.text, " ")
		w := indent + utf8.RuneCountInString(sym) + 1 + utf8.RuneCountInString(plain)
		if c.Status == checks.Skip {
			t.add(pad+paint(t.p.skip, sym+" "+plain), w)
			continue
		}
		if l.text == "" {
			t.add(pad+paint(symC, sym)+" "+plain, w)
			continue
		}
		t.add(pad+paint(symC, sym)+" "+padRight(id, idW)+"  "+paint(pc, l.text), w)
	}
	// A skipped check did not run; a duration would only be noise.
	if c.Status != checks.Skip {
		t.lines[first].dur, t.lines[first].durW = t.checkDuration(*c)
	}

	wrong := c.Status == checks.Warn || c.Status == checks.Fail
	details := t.verbose || (top && wrong)
	d := indent + detailIndent
	if details {
		t.hints(d, c.Hints)
		t.driverHints(d, c.DriverHints)
		t.kv(d, t.visible(c.Facts))
	}
	if len(members) > 0 {
		t.members(d, members)
	}
	if !details {
		return
	}
	if ev := t.visible(c.Evidence); len(ev) > 0 {
		t.add(strings.Repeat(" ", d)+paint(t.p.dim, "evidence:"), d+len("evidence:"))
		t.kv(d+2, ev)
	}
	if t.verbose && c.Error != "" && !said(c) {
		t.labelled(d, "error:", t.p.errLabel, nil, c.Error, false)
	}
}

// visible is the facts the report shows: all with --verbose, else those
// not marked Verbose.
func (t *textRenderer) visible(fs []checks.Fact) []checks.Fact {
	if t.verbose {
		return fs
	}
	var out []checks.Fact
	for _, f := range fs {
		if !f.Verbose {
			out = append(out, f)
		}
	}
	return out
}

// said reports whether the result's error text is already in its summary,
// a fact or an evidence value, so printing it again would say it twice.
func said(c *checks.Result) bool {
	e := strings.TrimSpace(c.Error)
	if strings.Contains(c.Summary, e) {
		return true
	}
	for _, fs := range [][]checks.Fact{c.Facts, c.Evidence} {
		for _, f := range fs {
			if strings.Contains(f.Value, e) {
				return true
			}
		}
	}
	return false
}

// hints renders the first hint as the fix and the others as notes.
func (t *textRenderer) hints(indent int, hs []string) {
	for i, h := range hs {
		if i == 0 {
			t.labelled(indent, "fix:", t.p.hint, nil, h, true)
			continue
		}
		t.labelled(indent, "note:", t.p.dim, nil, h, true)
	}
}

// driverHints renders the snippets of --driver under the hints, each
// labelled with its driver and what it does: "python: name the
// database: `driver.session(database="neo4j")`";
// --verbose adds the documentation that gives it ("docs: https://…"),
// which every other format carries.
func (t *textRenderer) driverHints(indent int, ds []checks.DriverHint) {
	for _, h := range ds {
		text := "`" + strings.ReplaceAll(h.Snippet, "`", "'") + "`"
		if w := checks.DriverTopicWords(h.Topic); w != "" {
			text = w + ": " + text
		}
		t.labelled(indent, h.Driver+":", t.p.hint, nil, text, true)
		if t.verbose && h.Doc != "" {
			t.labelled(indent+utf8.RuneCountInString(h.Driver)+2, "docs:", t.p.dim, nil, h.Doc, false)
		}
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
		if m.Seed {
			// Its checks are the run's own, above: one connection.
			roles += " (the server in your URI)"
		}
		sym := symbol(m.Status)
		addr := clean(m.Address)
		col := indent + utf8.RuneCountInString(sym) + 1 + addrW + 2
		if col+utf8.RuneCountInString(roles) > t.width {
			// A long address: roles follow it rather than a column.
			col = indent + utf8.RuneCountInString(sym) + 1 + utf8.RuneCountInString(addr) + 2
			addr += "  "
		} else {
			addr = padRight(addr, addrW) + "  "
		}
		t.para(pad+paint(t.p.status(m.Status), sym)+" "+addr, col, indent+detailIndent, roles, false, nil, nil)
		var shown []checks.Result
		for _, c := range m.Checks {
			if t.verbose || c.Status == checks.Warn || c.Status == checks.Fail {
				shown = append(shown, c)
			}
		}
		t.block(indent+detailIndent, shown, nil)
	}
}

// kv renders facts or evidence as aligned "name: value" lines; values that
// span lines (certificate chains, server messages) or pass the width
// continue under the value column. A name so long that its value would
// get less than half the room left of indent ("view of the server in your
// URI core-0.example.com:7687") stands on its own line, with the value
// under it, indented, and does not push the other values right.
func (t *textRenderer) kv(indent int, facts []checks.Fact) {
	longName := func(f checks.Fact) bool {
		return indent+utf8.RuneCountInString(clean(f.Name))+2 > indent+(t.width-indent)/2
	}
	nameW := 0
	for _, f := range facts {
		if !longName(f) {
			nameW = max(nameW, utf8.RuneCountInString(clean(f.Name))+1)
		}
	}
	pad := strings.Repeat(" ", indent)
	for _, f := range facts {
		name, col := clean(f.Name)+":", indent+nameW+1
		first := pad + padRight(name, nameW) + " "
		if longName(f) {
			t.para(pad, indent, indent+detailIndent, name, false, nil, nil)
			col = indent + detailIndent
			first = strings.Repeat(" ", col)
		}
		for i, ln := range strings.Split(clean(f.Value), "\n") {
			lead := strings.Repeat(" ", col)
			if i == 0 {
				lead = first
			}
			t.para(lead, col, col, ln, false, nil, nil)
		}
	}
}

// labelled renders "fix: ...", "note: ..." or "error: ..." with
// continuation lines under the text after the label. labelC colours the
// label, textC the text; either may be nil. withCode puts backticked spans
// on their own lines.
func (t *textRenderer) labelled(indent int, label string, labelC, textC *color.Color, text string, withCode bool) {
	lead := strings.Repeat(" ", indent) + paint(labelC, label) + " "
	w := indent + utf8.RuneCountInString(label) + 1
	t.para(lead, w, w, oneLine(text), withCode, textC, t.p.hint)
}

// causes closes the checklist with what to act on: for each top-level
// check that failed or warned, in check order, its symbol, id and summary,
// and its fix (the first hint) under it. A healthy run has none.
func (t *textRenderer) causes(r *checks.Report) {
	for i := range r.Checks {
		c := &r.Checks[i]
		if c.Status != checks.Fail && c.Status != checks.Warn {
			continue
		}
		sym, id := symbol(c.Status), oneLine(c.ID)
		w := utf8.RuneCountInString(sym) + 1 + utf8.RuneCountInString(id) + 2
		t.para(paint(t.p.status(c.Status), sym)+" "+paint(t.p.bold, id)+": ", w, w, oneLine(c.Summary), true, nil, t.p.hint)
		if len(c.Hints) > 0 {
			t.labelled(2, "fix:", t.p.hint, nil, c.Hints[0], true)
		}
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
	head := symbol(r.Verdict) + " " + clean(word)
	tl := tally(r)
	t.para(paint(c, head)+" — ", utf8.RuneCountInString(head)+3, utf8.RuneCountInString(head)+3, tl, false, nil, nil)
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

// duration is a check's time for the right-hand column, painted, and its
// display width. A slow one (slowAfter or more) is in the warning colour,
// or without colour follows slowMark.
func (t *textRenderer) duration(d time.Duration) (string, int) {
	s := t.durText(d)
	switch {
	case d < slowAfter:
		return paint(t.p.dim, s), utf8.RuneCountInString(s)
	case t.p.enabled:
		return paint(t.p.warn, s), utf8.RuneCountInString(s)
	}
	return slowMark + s, len(slowMark) + utf8.RuneCountInString(s)
}

// checkDuration is duration for a check's line. The idle check's time is
// the idle time it waited out by design (--idle-probe), never slow.
func (t *textRenderer) checkDuration(c checks.Result) (string, int) {
	if c.ID == "idle" {
		s := t.durText(c.Duration)
		return paint(t.p.dim, s), utf8.RuneCountInString(s)
	}
	return t.duration(c.Duration)
}

// durText is formatDuration, with µs under a millisecond when --verbose.
func (t *textRenderer) durText(d time.Duration) string {
	if t.verbose && d > 0 && d < time.Millisecond {
		return fmt.Sprintf("%dµs", d.Microseconds())
	}
	return formatDuration(d)
}

// durWidth is the width of the duration column: the widest time of any
// check the report may show.
func (t *textRenderer) durWidth(r *checks.Report) int {
	w := 0
	each := func(rs []checks.Result) {
		for _, c := range rs {
			if c.Status != checks.Skip {
				_, n := t.checkDuration(c)
				w = max(w, n)
			}
		}
	}
	each(r.Checks)
	for _, m := range r.Members {
		each(m.Checks)
	}
	return w
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
	for i := 0; i < len(rs); i++ {
		j := i + 1
		for rs[i].Status == checks.Skip && j < len(rs) && rs[j].Status == checks.Skip && rs[j].Summary == rs[i].Summary {
			j++
		}
		for k := i; k < j; k++ {
			// A check beside the Bolt path (checks.Check.Beside) that is
			// skipped in a folded line has no id column there: it does
			// not widen the column of the path's checks.
			if j-i > 1 && besideIDs()[rs[k].ID] {
				continue
			}
			w = max(w, utf8.RuneCountInString(oneLine(rs[k].ID)))
		}
		i = j - 1
	}
	return w
}

// besideIDs are the checks that run beside the Bolt path.
func besideIDs() map[string]bool {
	out := map[string]bool{}
	for _, c := range checks.Checks() {
		if c.Beside != "" {
			out[c.ID] = true
		}
	}
	return out
}

func padRight(s string, w int) string {
	if n := utf8.RuneCountInString(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}
