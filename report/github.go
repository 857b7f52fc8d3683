package report

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

func init() { registerFormat(Format{Name: "github", order: 4, CI: true, render: withTool(GitHub)}) }

// GitHub writes the report as GitHub Actions workflow commands, which the
// runner turns into annotations on the job:
//
//	::error title=neo4j-doctor: auth failed::<summary>%0Afix: …%0Anote: …%0Aerror: …
//	::warning title=neo4j-doctor: members warned::<summary>%0Afix: …
//	::error title=neo4j-doctor: member core-2:7687 failed::tcp: <summary>…
//	::notice title=neo4j-doctor: fail::neo4j://host:7687: 5 passed, … (exit code 1)
//
// One annotation per check that failed or warned, one per cluster member
// that failed or warned, and a closing notice with the verdict, so a
// healthy run leaves a line in the job's annotations too. A warning is an
// ::error when it decided the exit code (--strict), else a ::warning;
// a member's annotation has the level of the members check.
//
// Values are escaped as the Actions toolkit does (% CR LF, and in
// properties also : and ,), so a server message can neither end the
// command nor start another. The job summary (GITHUB_STEP_SUMMARY) takes
// the Markdown report; the CLI appends it.
func GitHub(w io.Writer, r *checks.Report, tool ToolInfo) error {
	if r == nil {
		return errors.New("report: nil report")
	}
	name := tool.Name
	if name == "" {
		name = "neo4j-doctor"
	}
	warnFails := r.Verdict == checks.Warn && r.ExitCode != checks.ExitHealthy
	level := func(s checks.Status) string {
		if s == checks.Fail || warnFails {
			return "error"
		}
		return "warning"
	}
	verb := map[checks.Status]string{checks.Fail: "failed", checks.Warn: "warned"}
	var b strings.Builder
	membersLevel := ""
	for _, c := range r.Checks {
		if c.Status != checks.Fail && c.Status != checks.Warn {
			continue
		}
		if c.ID == "members" {
			membersLevel = level(c.Status)
		}
		ghCommand(&b, level(c.Status), fmt.Sprintf("%s: %s %s", name, c.ID, verb[c.Status]), ghMessage(c.Summary, c))
	}
	for _, m := range r.Members {
		if m.Status != checks.Fail && m.Status != checks.Warn {
			continue
		}
		lvl := membersLevel
		if lvl == "" {
			lvl = level(m.Status)
		}
		msg := memberResult(m)
		if roles := strings.Join(m.Roles, ", "); roles != "" {
			msg = "(" + roles + ") " + msg
		}
		var first checks.Result
		for _, c := range m.Checks {
			if c.Status == checks.Fail || c.Status == checks.Warn {
				first = c
				break
			}
		}
		ghCommand(&b, lvl, fmt.Sprintf("%s: member %s %s", name, m.Address, verb[m.Status]), ghMessage(msg, first))
	}
	verdict := string(r.Verdict)
	if verdict == "" {
		verdict = "unknown"
	}
	ghCommand(&b, "notice", name+": "+verdict,
		fmt.Sprintf("%s: %s (exit code %d)", redactURI(r.Target.URI), tally(r), r.ExitCode))
	_, err := io.WriteString(w, b.String())
	return err
}

// ghMessage is an annotation's text, in the text report's order: the
// headline, then the check's fix (its first hint) and notes, then its
// error unless the summary already says it, each on its own line.
func ghMessage(headline string, c checks.Result) string {
	lines := []string{oneLine(headline)}
	for i, h := range c.Hints {
		lines = append(lines, hintLabel(i)+" "+oneLine(h))
	}
	if e := strings.TrimSpace(c.Error); e != "" && !strings.Contains(c.Summary, e) {
		lines = append(lines, "error: "+oneLine(c.Error))
	}
	return strings.Join(lines, "\n")
}

func ghCommand(b *strings.Builder, command, title, message string) {
	fmt.Fprintf(b, "::%s title=%s::%s\n", command, ghProperty(clean(title)), ghData(clean(message)))
}

// ghData and ghProperty escape as @actions/core's escapeData and
// escapeProperty do.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
