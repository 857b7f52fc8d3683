package report

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

func init() { registerFormat(Format{Name: "junit", order: 3, CI: true, render: withTool(JUnit)}) }

// JUnit writes the report as JUnit XML, the test-result format CI systems
// (Jenkins, GitLab, Azure Pipelines, GitHub test-reporter actions) show in
// their dashboards: a testsuite "checks" with one testcase per check, and,
// when the routing table named members, a testsuite "members" with one
// testcase per member.
//
// A check that failed is a <failure> whose message is its summary and whose
// text holds the error, the evidence and the hints; a skipped check is
// <skipped> with the reason. A warning is a failure only when it decided
// the exit code (--strict: verdict warn, exit 1), so the dashboard and the
// exit code agree; otherwise the case passes and the warning and its hints
// are in <system-out>. Properties on the checks suite name the target,
// the verdict and the exit code; never the password.
func JUnit(w io.Writer, r *checks.Report, tool ToolInfo) error {
	if r == nil {
		return errors.New("report: nil report")
	}
	if tool.Name == "" {
		tool.Name = "neo4j-doctor"
	}
	warnFails := r.Verdict == checks.Warn && r.ExitCode != checks.ExitHealthy
	ts := junitTimestamp(r)
	suite := junitSuite{
		Name:      "checks",
		Timestamp: ts,
		Time:      seconds(r.Duration),
		Properties: &junitProps{Props: []junitProp{
			{"tool", tool.Name + " " + tool.Version},
			{"uri", clean(redactURI(r.Target.URI))},
			{"username", clean(r.Target.Username)},
			{"password", passwordOrigin(&r.Target)},
			{"database", clean(r.Target.Database)},
			{"verdict", string(r.Verdict)},
			{"exitCode", strconv.Itoa(r.ExitCode)},
		}},
	}
	for _, c := range r.Checks {
		suite.add(junitCaseOf("neo4j-doctor.checks", c.ID, c, warnFails))
	}
	doc := junitSuites{Name: tool.Name + " " + clean(redactURI(r.Target.URI)), Suites: []junitSuite{suite}}
	if len(r.Members) > 0 {
		ms := junitSuite{Name: "members", Timestamp: ts}
		for _, m := range r.Members {
			ms.add(junitMemberCase(m, warnFails))
		}
		for _, c := range r.Checks {
			if c.ID == "members" {
				ms.Time = seconds(c.Duration)
			}
		}
		doc.Suites = append(doc.Suites, ms)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
	}
	doc.Time = suite.Time
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, xml.Header+string(out)+"\n")
	return err
}

// junitTimestamp is the report's start in the JUnit schema's form: local date and
// time without a zone, here UTC.
func junitTimestamp(r *checks.Report) string {
	if r.Started.IsZero() {
		return ""
	}
	return r.Started.UTC().Format("2006-01-02T15:04:05")
}

// passwordOrigin says whether a password was given and where it came
// from, never what it is.
func passwordOrigin(t *checks.TargetInfo) string {
	if t.PasswordSource == "" || t.PasswordSource == "none" {
		return "not set"
	}
	return "set, from " + clean(t.PasswordSource)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string      `xml:"name,attr"`
	Tests      int         `xml:"tests,attr"`
	Failures   int         `xml:"failures,attr"`
	Errors     int         `xml:"errors,attr"`
	Skipped    int         `xml:"skipped,attr"`
	Time       string      `xml:"time,attr"`
	Timestamp  string      `xml:"timestamp,attr,omitempty"`
	Properties *junitProps `xml:"properties,omitempty"`
	Cases      []junitCase `xml:"testcase"`
}

func (s *junitSuite) add(c junitCase) {
	s.Cases = append(s.Cases, c)
	s.Tests++
	switch {
	case c.Failure != nil:
		s.Failures++
	case c.Skipped != nil:
		s.Skipped++
	}
}

type junitProps struct {
	Props []junitProp `xml:"property"`
}

type junitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *junitOut     `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",innerxml"` // see xmlText
}

// xmlText is s as character data, escaped by xml.EscapeText (which also
// replaces characters XML cannot hold) but with line breaks kept as line
// breaks and quotes as quotes, so the file reads like the text report;
// encoding/xml's own chardata writes them as &#xA; and &#34;.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	// Quotes need no escape outside attributes.
	return strings.NewReplacer("&#xA;", "\n", "&#34;", `"`, "&#39;", "'").Replace(b.String())
}

type junitOut struct {
	Text string `xml:",innerxml"` // see xmlText
}

func newJUnitOut(s string) *junitOut { return &junitOut{Text: xmlText(s)} }

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func junitCaseOf(class, name string, c checks.Result, warnFails bool) junitCase {
	jc := junitCase{Name: clean(name), Classname: class, Time: seconds(c.Duration)}
	switch {
	case c.Status == checks.Skip:
		jc.Skipped = &junitSkipped{Message: oneLine(c.Summary)}
	case c.Status == checks.Fail || c.Status == checks.Warn && warnFails:
		jc.Failure = &junitFailure{Message: oneLine(c.Summary), Type: string(c.Status), Text: xmlText(junitDetails(c, false))}
	default:
		jc.SystemOut = newJUnitOut(junitDetails(c, true))
	}
	return jc
}

// junitMemberCase is one member: it fails like the member does, with the
// member's failing checks as the failure's text.
func junitMemberCase(m checks.Member, warnFails bool) junitCase {
	jc := junitCase{Name: clean(m.Address), Classname: "neo4j-doctor.members"}
	var total float64
	var bad []string
	for _, c := range m.Checks {
		total += c.Duration.Seconds()
		if c.Status == checks.Fail || c.Status == checks.Warn {
			bad = append(bad, c.ID+": "+junitDetails(c, false))
		}
	}
	jc.Time = fmt.Sprintf("%.3f", total)
	roles := "roles: " + clean(strings.Join(m.Roles, ", "))
	if len(m.Roles) == 0 {
		roles = "roles: none"
	}
	if m.Status == checks.Fail || m.Status == checks.Warn && warnFails {
		jc.Failure = &junitFailure{Message: oneLine(memberResult(m)), Type: string(m.Status), Text: xmlText(roles + "\n" + strings.Join(bad, ""))}
		return jc
	}
	jc.SystemOut = newJUnitOut(roles + "\n" + strings.Join(bad, ""))
	return jc
}

// junitDetails is the body of a failure or of system-out: the summary,
// then (for a problem, or facts of a passing check) what the text report
// shows under the check.
func junitDetails(c checks.Result, passing bool) string {
	var b strings.Builder
	if c.Status == checks.Warn {
		b.WriteString("warning: ")
	}
	b.WriteString(clean(c.Summary) + "\n")
	writeFacts(&b, "", c.Facts)
	if !passing || c.Status == checks.Warn {
		if len(c.Evidence) > 0 {
			b.WriteString("evidence:\n")
			writeFacts(&b, "  ", c.Evidence)
		}
		if c.Error != "" {
			b.WriteString("error: " + clean(c.Error) + "\n")
		}
	}
	for _, h := range c.Hints {
		b.WriteString("hint: " + clean(h) + "\n")
	}
	return b.String()
}
