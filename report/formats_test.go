package report

import (
	"bytes"
	"encoding/xml"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// strictClusterReport is clusterReport under --strict: the members warning
// fails the run (exit 1), so CI formats must show it as a failure.
func strictClusterReport() *checks.Report {
	r := clusterReport()
	r.ExitCode = checks.ExitFailed
	return r
}

var formatCases = append(slices.Clone(cases), struct {
	name   string
	report func() *checks.Report
}{"cluster-strict", strictClusterReport})

func TestCIFormatGoldens(t *testing.T) {
	for _, c := range formatCases {
		for _, f := range []struct {
			suffix string
			render func(*bytes.Buffer, *checks.Report) error
		}{
			{".md", func(b *bytes.Buffer, r *checks.Report) error { return Markdown(b, r, ToolInfo{Version: "1.0.0"}) }},
			{".junit.xml", func(b *bytes.Buffer, r *checks.Report) error { return JUnit(b, r, ToolInfo{Version: "1.0.0"}) }},
			{".github.txt", func(b *bytes.Buffer, r *checks.Report) error { return GitHub(b, r, ToolInfo{Version: "1.0.0"}) }},
		} {
			t.Run(c.name+f.suffix, func(t *testing.T) {
				var b bytes.Buffer
				if err := f.render(&b, c.report()); err != nil {
					t.Fatal(err)
				}
				golden(t, c.name+f.suffix, b.Bytes())
			})
		}
	}
}

// junitDoc is the part of JUnit XML that CI dashboards read.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Props    []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func parseJUnit(t *testing.T, b []byte) junitDoc {
	t.Helper()
	var doc junitDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b)
	}
	return doc
}

// TestJUnitCases: one testcase per check and per member; failures carry
// the summary, the error and every hint; a warning fails only when it
// decided the exit code.
func TestJUnitCases(t *testing.T) {
	for _, c := range formatCases {
		t.Run(c.name, func(t *testing.T) {
			r := c.report()
			var b bytes.Buffer
			if err := JUnit(&b, r, ToolInfo{Version: "1.0.0"}); err != nil {
				t.Fatal(err)
			}
			doc := parseJUnit(t, b.Bytes())
			wantSuites := 1
			if len(r.Members) > 0 {
				wantSuites = 2
			}
			if len(doc.Suites) != wantSuites {
				t.Fatalf("%d suites, want %d", len(doc.Suites), wantSuites)
			}
			checksSuite := doc.Suites[0]
			if checksSuite.Name != "checks" || len(checksSuite.Cases) != len(r.Checks) || checksSuite.Tests != len(r.Checks) {
				t.Fatalf("suite %q has %d cases (tests=%d), want checks with %d", checksSuite.Name, len(checksSuite.Cases), checksSuite.Tests, len(r.Checks))
			}
			failures, skipped := 0, 0
			for i, rc := range r.Checks {
				jc := checksSuite.Cases[i]
				if jc.Name != rc.ID || jc.Classname != "neo4j-doctor.checks" {
					t.Errorf("case %d is %s/%s, want neo4j-doctor.checks/%s", i, jc.Classname, jc.Name, rc.ID)
				}
				fails := rc.Status == checks.Fail || rc.Status == checks.Warn && r.ExitCode != 0 && r.Verdict == checks.Warn
				switch {
				case fails:
					failures++
					if jc.Failure == nil {
						t.Errorf("%s (%s) has no <failure>", rc.ID, rc.Status)
						continue
					}
					if jc.Failure.Message != rc.Summary {
						t.Errorf("%s failure message %q, want the summary %q", rc.ID, jc.Failure.Message, rc.Summary)
					}
					for _, h := range rc.Hints {
						if !strings.Contains(jc.Failure.Text, "hint: "+h+"\n") {
							t.Errorf("%s failure lacks the hint %q:\n%s", rc.ID, h, jc.Failure.Text)
						}
					}
					if rc.Error != "" && !strings.Contains(jc.Failure.Text, "error: "+rc.Error+"\n") {
						t.Errorf("%s failure lacks the error:\n%s", rc.ID, jc.Failure.Text)
					}
				case rc.Status == checks.Skip:
					skipped++
					if jc.Skipped == nil || jc.Skipped.Message != rc.Summary {
						t.Errorf("%s: want <skipped message=%q>", rc.ID, rc.Summary)
					}
				default:
					if jc.Failure != nil || jc.Skipped != nil || !strings.HasPrefix(strings.TrimPrefix(jc.SystemOut, "warning: "), rc.Summary) {
						t.Errorf("%s (%s): want a passing case with the summary in system-out, got %+v", rc.ID, rc.Status, jc)
					}
				}
			}
			if checksSuite.Failures != failures || checksSuite.Skipped != skipped {
				t.Errorf("suite counts failures=%d skipped=%d, want %d %d", checksSuite.Failures, checksSuite.Skipped, failures, skipped)
			}
			if (failures > 0) != (r.ExitCode != 0) {
				t.Errorf("%d failures with exit code %d: the dashboard and the exit code disagree", failures, r.ExitCode)
			}
			props := map[string]string{}
			for _, p := range checksSuite.Props {
				props[p.Name] = p.Value
			}
			if props["verdict"] != string(r.Verdict) || props["exitCode"] != strconv.Itoa(r.ExitCode) || props["uri"] != r.Target.URI {
				t.Errorf("properties %v do not name verdict %s, exit %d and %s", props, r.Verdict, r.ExitCode, r.Target.URI)
			}
			if wantSuites == 2 {
				ms := doc.Suites[1]
				if ms.Name != "members" || len(ms.Cases) != len(r.Members) {
					t.Fatalf("members suite %q with %d cases, want %d", ms.Name, len(ms.Cases), len(r.Members))
				}
				for i, m := range r.Members {
					jc := ms.Cases[i]
					if jc.Name != m.Address || jc.Classname != "neo4j-doctor.members" {
						t.Errorf("member case %d is %s/%s, want %s", i, jc.Classname, jc.Name, m.Address)
					}
					if (m.Status == checks.Fail) != (jc.Failure != nil) {
						t.Errorf("member %s is %s but failure=%v", m.Address, m.Status, jc.Failure != nil)
					}
					if jc.Failure != nil && !strings.Contains(jc.Failure.Text, "hint: the routing table advertises") {
						t.Errorf("member %s failure lacks its check's hint:\n%s", m.Address, jc.Failure.Text)
					}
				}
			}
			if doc.Tests != checksSuite.Tests+len(r.Members) {
				t.Errorf("testsuites tests=%d, want %d", doc.Tests, checksSuite.Tests+len(r.Members))
			}
		})
	}
}

// TestGitHubAnnotations matches the workflow commands line by line.
func TestGitHubAnnotations(t *testing.T) {
	for _, tc := range []struct {
		name   string
		report *checks.Report
		want   []string // regexps would hide mistakes; these are exact
	}{
		{"healthy", healthyReport(), []string{
			"::notice title=neo4j-doctor%3A pass::neo4j+s://0a1b2c3d.databases.neo4j.io: 10 passed in 412ms (exit code 0)",
		}},
		{"failing", failingReport(), []string{
			"::error title=neo4j-doctor%3A auth failed::the server rejected user neo4j%0Afix: check NEO4J_PASSWORD: it is the password the server rejected%0Anote: to reset it, run `neo4j-admin dbms set-initial-password` while the server is stopped%0Aerror: auth: Neo.ClientError.Security.Unauthorized",
			"::notice title=neo4j-doctor%3A fail::bolt://localhost:7687: 5 passed, 1 failed, 4 skipped in 1.2s (exit code 1)",
		}},
		{"cluster: a warning that does not fail the run", clusterReport(), []string{
			"::warning title=neo4j-doctor%3A members warned::2 of 3 members reachable%0Afix: drivers retry another member, so queries still work, but reads lose a replica: restart core-3 or remove it from the cluster",
			"::warning title=neo4j-doctor%3A member core-3.graph.internal%3A7687 failed::(READ) tcp: connection refused by 10.0.4.13:7687%0Afix: the routing table advertises core-3.graph.internal:7687 but nothing listens there: check server.bolt.advertised_address on that server%0Aerror: dial tcp 10.0.4.13:7687: connect: connection refused",
			"::notice title=neo4j-doctor%3A warn::neo4j://graph.internal:7687: 8 passed, 1 warning, 1 skipped in 2.1s (exit code 0)",
		}},
		{"cluster under --strict", strictClusterReport(), []string{
			"::error title=neo4j-doctor%3A members warned::2 of 3 members reachable%0Afix: drivers retry another member, so queries still work, but reads lose a replica: restart core-3 or remove it from the cluster",
			"::error title=neo4j-doctor%3A member core-3.graph.internal%3A7687 failed::(READ) tcp: connection refused by 10.0.4.13:7687%0Afix: the routing table advertises core-3.graph.internal:7687 but nothing listens there: check server.bolt.advertised_address on that server%0Aerror: dial tcp 10.0.4.13:7687: connect: connection refused",
			"::notice title=neo4j-doctor%3A warn::neo4j://graph.internal:7687: 8 passed, 1 warning, 1 skipped in 2.1s (exit code 1)",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := GitHub(&b, tc.report, ToolInfo{}); err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if len(got) != len(tc.want) {
				t.Fatalf("%d lines, want %d:\n%s", len(got), len(tc.want), b.String())
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("line %d:\n got %s\nwant %s", i+1, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestGitHubEscapesCommands: a server message with line breaks, "::" and
// "%" stays inside its annotation: it can neither end the command nor
// start a new one (::add-mask::, ::stop-commands::).
func TestGitHubEscapesCommands(t *testing.T) {
	r := failingReport()
	r.Checks[6].Summary = "50% done\n::add-mask::x\r\n::stop-commands::y"
	r.Checks[6].Hints = []string{"a, b: c"}
	r.Target.URI = "bolt://host:7687"
	var b bytes.Buffer
	if err := GitHub(&b, r, ToolInfo{Name: "doc:tor, x"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), b.String())
	}
	want := "::error title=doc%3Ator%2C x%3A auth failed::50%25 done; ::add-mask::x; ::stop-commands::y%0Afix: a, b: c%0Aerror: auth: Neo.ClientError.Security.Unauthorized"
	if lines[0] != want {
		t.Errorf("got  %s\nwant %s", lines[0], want)
	}
}

// TestMarkdownEscapes: network text cannot add links, images, HTML or table
// cells; evidence sits in a fence it cannot close.
func TestMarkdownEscapes(t *testing.T) {
	r := failingReport()
	r.Checks[6].Summary = `rejected | <img src=x onerror=alert(1)> [click](http://evil.test) **bold** ` + "`code`"
	r.Checks[6].Evidence = fact("message", "```\n# not a heading\n````")
	r.Checks[6].Hints = []string{"<script>alert(1)</script>"}
	var b bytes.Buffer
	if err := Markdown(&b, r, ToolInfo{Version: "1.0.0"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// An unescaped character is one without a backslash before it.
	for _, bad := range []string{"<img", "<script", "](http", "**bold", "[click", "| <"} {
		if regexp.MustCompile(`(^|[^\\])` + regexp.QuoteMeta(bad)).MatchString(out) {
			t.Errorf("output contains an unescaped %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, `| ❌ | **auth** | rejected \| \<img src=x onerror=alert(1)\> \[click\](http://evil.test) \*\*bold\*\* `+"`code`"+` | 1.1s |`) {
		t.Errorf("the auth row is not escaped as expected:\n%s", out)
	}
	if !strings.Contains(out, "`````text\nevidence:\n  message: ```\n") {
		t.Errorf("the evidence fence is not longer than the backticks inside:\n%s", out)
	}
}

func TestCIFormatsNeverRenderSecrets(t *testing.T) {
	for name, render := range map[string]func(*bytes.Buffer, *checks.Report) error{
		"markdown": func(b *bytes.Buffer, r *checks.Report) error { return Markdown(b, r, ToolInfo{}) },
		"junit":    func(b *bytes.Buffer, r *checks.Report) error { return JUnit(b, r, ToolInfo{}) },
		"github":   func(b *bytes.Buffer, r *checks.Report) error { return GitHub(b, r, ToolInfo{}) },
	} {
		var b bytes.Buffer
		if err := render(&b, leakyReport()); err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if strings.Contains(b.String(), s) {
				t.Errorf("%s contains %q:\n%s", name, s, b.String())
			}
		}
	}
}

func TestCIFormatsNilReport(t *testing.T) {
	for _, f := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return Markdown(b, nil, ToolInfo{}) },
		func(b *bytes.Buffer) error { return JUnit(b, nil, ToolInfo{}) },
		func(b *bytes.Buffer) error { return GitHub(b, nil, ToolInfo{}) },
	} {
		var b bytes.Buffer
		if err := f(&b); err == nil || b.Len() != 0 {
			t.Errorf("nil report: err %v, wrote %q", err, b.String())
		}
	}
}

func TestListChecks(t *testing.T) {
	var b bytes.Buffer
	if err := ListChecks(&b, checks.CheckDocs()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	all := checks.Checks()
	if len(lines) != len(all)+1 || !strings.HasPrefix(lines[0], "check ") {
		t.Fatalf("want a header and %d checks:\n%s", len(all), b.String())
	}
	for i, c := range all {
		f := strings.Fields(lines[i+1])
		if len(f) < 3 || f[0] != c.ID {
			t.Errorf("line %d %q, want check %s first", i+2, lines[i+1], c.ID)
		}
		if len(c.Needs) > 0 && !strings.Contains(lines[i+1], strings.Join(c.Needs, ", ")) {
			t.Errorf("line %q does not say %s needs %v", lines[i+1], c.ID, c.Needs)
		}
	}
}

func TestWaitProgress(t *testing.T) {
	refused := &checks.Report{Verdict: checks.Fail, ExitCode: checks.ExitNoResponse, Checks: []checks.Result{
		{ID: "dns", Status: checks.Skip}, {ID: "tcp", Status: checks.Fail, Summary: "127.0.0.1:7687: connection\x1b[2J refused"},
	}}
	healthyWarn := &checks.Report{Verdict: checks.Warn, ExitCode: checks.ExitHealthy}
	strictWarn := &checks.Report{Verdict: checks.Warn, ExitCode: checks.ExitFailed, Checks: []checks.Result{
		{ID: "members", Status: checks.Warn, Summary: "1 of 3 members failed"},
	}}
	var b bytes.Buffer
	p := NewWaitProgress(&b, false)
	p.Attempt(WaitAttempt{N: 1, Elapsed: 300 * time.Microsecond, Report: refused, Outcome: WaitRetry, Next: 250 * time.Millisecond})
	p.Attempt(WaitAttempt{N: 2, Elapsed: 2100 * time.Millisecond, Report: refused, Outcome: WaitTimeUp, Limit: 2 * time.Second})
	p.Attempt(WaitAttempt{N: 3, Elapsed: 40 * time.Millisecond, Report: strictWarn, Outcome: WaitStopped})
	p.Attempt(WaitAttempt{N: 4, Elapsed: 3 * time.Second, Report: healthyWarn, Outcome: WaitHealthy})
	p.Attempt(WaitAttempt{N: 5, Elapsed: 3 * time.Second, Report: refused, Outcome: WaitInterrupted})
	var nilp *WaitProgress
	nilp.Attempt(WaitAttempt{N: 6, Report: refused})
	want := `wait: attempt 1 after <1ms: tcp failed: 127.0.0.1:7687: connection\x1b[2J refused; next attempt in 250ms
wait: attempt 2 after 2.1s: tcp failed: 127.0.0.1:7687: connection\x1b[2J refused; gave up: --wait 2s is over
wait: attempt 3 after 40ms: members warned: 1 of 3 members failed; not waiting: waiting does not fix this (--wait-all waits anyway)
wait: attempt 4 after 3.0s: healthy, with warnings
wait: attempt 5 after 3.0s: tcp failed: 127.0.0.1:7687: connection\x1b[2J refused; interrupted
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestCIFormatsOrder: Markdown and GitHub say things in the text report's
// order, the fix first, then notes, then the error, then the evidence;
// and the error not at all when the summary already says it.
func TestCIFormatsOrder(t *testing.T) {
	r := failingReport()
	var md, gh bytes.Buffer
	if err := Markdown(&md, r, ToolInfo{}); err != nil {
		t.Fatal(err)
	}
	if err := GitHub(&gh, r, ToolInfo{}); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"markdown": md.String(), "github": gh.String()} {
		order := []string{"fix:", "note:", "error: auth: Neo.ClientError"}
		if name == "markdown" {
			order = append(order, "message: The client is unauthorized")
		}
		at := -1
		for _, s := range order {
			i := strings.Index(out, s)
			if i < at {
				t.Errorf("%s: %q is not after the one before it:\n%s", name, s, out)
			}
			at = i
		}
	}

	r.Checks[6].Summary = "rejected (" + r.Checks[6].Error + ")"
	md.Reset()
	gh.Reset()
	if err := Markdown(&md, r, ToolInfo{}); err != nil {
		t.Fatal(err)
	}
	if err := GitHub(&gh, r, ToolInfo{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), "\nerror: ") || strings.Contains(gh.String(), "%0Aerror: ") {
		t.Errorf("the error is said twice:\n%s\n%s", md.String(), gh.String())
	}
}
