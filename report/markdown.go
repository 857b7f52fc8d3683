package report

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

func init() { registerFormat(Format{Name: "markdown", order: 5, CI: true, render: withTool(Markdown)}) }

// Markdown writes the report as GitHub-flavoured Markdown, for an issue, a
// pull request, a support ticket or GitHub's job summary: a heading with
// the verdict, a sentence naming the tool, the target, the time and the
// counts, a table of the settings and where each came from, one table row
// per check, a section per check that failed or warned (its fix and notes,
// the error, and facts and evidence in a collapsed code block), and a
// table of the cluster members. Backticked spans in summaries and hints
// are inline code.
//
// Every text may hold what a server or certificate said, so it is escaped:
// it cannot open a link, an image, HTML or a table cell, and evidence sits
// in a code block whose fence is longer than any backtick run inside it.
func Markdown(w io.Writer, r *checks.Report, tool ToolInfo) error {
	if r == nil {
		return errors.New("report: nil report")
	}
	var b strings.Builder
	name := tool.Name
	if name == "" {
		name = "neo4j-doctor"
	}
	fmt.Fprintf(&b, "## %s: %s %s\n\n", mdText(name), mdStatus(r.Verdict), mdText(string(r.Verdict)))
	version := tool.Version
	if version == "" {
		version = "(devel)"
	}
	fmt.Fprintf(&b, "%s %s diagnosed %s", mdText(name), mdText(version), mdCode(redactURI(r.Target.URI)))
	if !r.Started.IsZero() {
		fmt.Fprintf(&b, " at %s", r.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	fmt.Fprintf(&b, ": %s, exit code %d.\n\n", mdText(tally(r)), r.ExitCode)

	b.WriteString("| setting | value | from |\n| --- | --- | --- |\n")
	for _, row := range targetRows(&r.Target, false) {
		value := mdText(row.value)
		if row.label == "uri" && row.value != "" {
			value = mdCode(row.value)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", mdText(row.label), value, mdText(strings.TrimPrefix(row.origin, "from ")))
	}

	b.WriteString("\n|  | check | result | time |\n| --- | --- | --- | ---: |\n")
	for _, c := range r.Checks {
		dur := ""
		if c.Status != checks.Skip {
			dur = mdText(formatDuration(c.Duration))
		}
		id := mdText(c.ID)
		if c.Status == checks.Fail || c.Status == checks.Warn {
			id = "**" + id + "**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdStatus(c.Status), id, mdRich(c.Summary), dur)
	}

	for _, c := range r.Checks {
		if c.Status == checks.Fail || c.Status == checks.Warn {
			mdDetails(&b, "###", "", c)
		}
	}

	if len(r.Members) > 0 {
		b.WriteString("\n### Members\n\n|  | member | roles | result |\n| --- | --- | --- | --- |\n")
		for _, m := range r.Members {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdStatus(m.Status), mdText(m.Address), mdText(strings.Join(m.Roles, ", ")), mdText(memberResult(m)))
		}
		for _, m := range r.Members {
			for _, c := range m.Checks {
				if c.Status == checks.Fail || c.Status == checks.Warn {
					mdDetails(&b, "####", "member "+m.Address+", ", c)
				}
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdDetails is the section of one check that failed or warned, in the
// text report's order: the fix (the first hint) and notes, then the
// error unless the summary or evidence already says it, then the facts
// and evidence.
func mdDetails(b *strings.Builder, heading, prefix string, c checks.Result) {
	fmt.Fprintf(b, "\n%s %s %s: %s\n\n", heading, mdStatus(c.Status), mdText(prefix+c.ID), mdRich(c.Summary))
	for i, h := range c.Hints {
		fmt.Fprintf(b, "- **%s** %s\n", hintLabel(i), mdRich(h))
	}
	if c.Error != "" && !said(&c) {
		if len(c.Hints) > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(b, "error: %s\n", mdText(c.Error))
	}
	var block strings.Builder
	writeFacts(&block, "", c.Facts)
	if len(c.Evidence) > 0 {
		block.WriteString("evidence:\n")
		writeFacts(&block, "  ", c.Evidence)
	}
	if block.Len() > 0 {
		fence := mdFence(block.String())
		fmt.Fprintf(b, "\n<details><summary>facts and evidence</summary>\n\n%stext\n%s%s\n\n</details>\n", fence, block.String(), fence)
	}
}

// writeFacts writes "name: value" lines, continuing a multi-line value
// (a certificate, a server message) under the value.
func writeFacts(b *strings.Builder, indent string, facts []checks.Fact) {
	for _, f := range facts {
		name := indent + clean(f.Name) + ": "
		for i, ln := range strings.Split(clean(f.Value), "\n") {
			if i == 0 {
				b.WriteString(strings.TrimRight(name+ln, " ") + "\n")
				continue
			}
			b.WriteString(strings.TrimRight(strings.Repeat(" ", len(name))+ln, " ") + "\n")
		}
	}
}

// memberResult is one member's outcome in a few words: the first check
// that failed (or warned), else how many passed.
func memberResult(m checks.Member) string {
	for _, st := range []checks.Status{checks.Fail, checks.Warn} {
		for _, c := range m.Checks {
			if c.Status == st {
				return c.ID + ": " + c.Summary
			}
		}
	}
	n := 0
	for _, c := range m.Checks {
		if c.Status == checks.Pass {
			n++
		}
	}
	return fmt.Sprintf("%d checks passed", n)
}

func mdStatus(s checks.Status) string {
	switch s {
	case checks.Pass:
		return "✅"
	case checks.Warn:
		return "⚠️"
	case checks.Fail:
		return "❌"
	case checks.Skip:
		return "➖"
	}
	return "❔"
}

// mdText escapes text for running Markdown: control characters shown as
// escapes, line breaks as "; ", and every character that could start
// emphasis, code, a link, an image, HTML, an entity, strikethrough or a
// table cell backslash-escaped (CommonMark allows that for any ASCII
// punctuation).
func mdText(s string) string { return mdEscape(oneLine(s)) }

// mdEscape is mdText for text already on one line; it keeps the blanks
// at either end.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|~&!#", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdRich is mdText for a summary or a hint, whose backticked spans are
// things to paste: those become inline code.
func mdRich(s string) string {
	var b strings.Builder
	for _, sp := range spans(oneLine(s)) {
		if sp.code {
			b.WriteString(mdCode(sp.text))
			continue
		}
		b.WriteString(mdEscape(sp.text))
	}
	return b.String()
}

// hintLabel is how the i-th hint is labelled: the first is the fix, the
// others are notes.
func hintLabel(i int) string {
	if i == 0 {
		return "fix:"
	}
	return "note:"
}

// mdCode is s as inline code, with a fence longer than any backtick run in
// it. In a table GFM still splits code on "|", so that is escaped too.
func mdCode(s string) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	s = strings.ReplaceAll(s, "|", `\|`)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdFence is a code fence for block that nothing inside can close.
func mdFence(block string) string {
	return strings.Repeat("`", max(3, longestRun(block, '`')+1))
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// tally is "5 passed, 1 failed, 4 skipped in 1.2s", as the text report's
// last line says it.
func tally(r *checks.Report) string {
	n := map[checks.Status]int{}
	for _, c := range r.Checks {
		n[c.Status]++
	}
	var parts []string
	for _, s := range []struct {
		st    checks.Status
		label string
	}{{checks.Pass, "passed"}, {checks.Warn, "warning"}, {checks.Fail, "failed"}, {checks.Skip, "skipped"}} {
		if k := n[s.st]; k > 0 {
			label := s.label
			if s.st == checks.Warn && k > 1 {
				label += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", k, label))
		}
	}
	counts := strings.Join(parts, ", ")
	if counts == "" {
		counts = "no checks ran"
	}
	return counts + " in " + formatDuration(r.Duration)
}

// seconds is a JUnit-style duration: seconds with millisecond precision.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}
