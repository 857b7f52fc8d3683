package report

import (
	"bytes"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// A hostile or broken peer controls evidence and error text; none of it
// may reach the terminal as an escape sequence or carriage return.
func TestTextEscapesControlCharacters(t *testing.T) {
	r := failingReport()
	r.Checks[6].Evidence = fact("message", "ok\x1b[2J\x1b]0;pwned\x07\rgone\u202eevil", "banner", "line one\nline two")
	r.Checks[6].Error = "bad\x1b[31m"
	r.Checks[6].Hints = []string{"use\r--password"}
	for _, verbose := range []bool{false, true} {
		var b bytes.Buffer
		if err := Text(&b, r, TextOptions{Verbose: verbose}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, bad := range []string{"\x1b", "\r", "\x07", "\u202e"} {
			if strings.Contains(out, bad) {
				t.Errorf("output contains %q:\n%s", bad, out)
			}
		}
		want := []string{
			`message: ok\x1b[2J\x1b]0;pwned\x07\x0dgone\u202eevil`,
			"      banner:  line one\n" + strings.Repeat(" ", 15) + "line two\n", // continues under the value
			`fix: use\x0d--password`,
		}
		if verbose { // the error is Go's own text, for --verbose only
			want = append(want, `error: bad\x1b[31m`)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("verbose %v: output lacks %q:\n%s", verbose, w, out)
			}
		}
	}
}

func TestTextSkipLinesHaveNoDurationOrTrailingSpace(t *testing.T) {
	reports := []*checks.Report{{}} // a zero report: empty uri, user, counts
	for _, c := range cases {
		reports = append(reports, c.report())
	}
	for _, r := range reports {
		for _, verbose := range []bool{false, true} {
			var b bytes.Buffer
			if err := Text(&b, r, TextOptions{Verbose: verbose}); err != nil {
				t.Fatal(err)
			}
			for ln := range strings.Lines(b.String()) {
				ln = strings.TrimSuffix(ln, "\n")
				if strings.TrimRight(ln, " ") != ln {
					t.Errorf("trailing space: %q", ln)
				}
				if strings.HasPrefix(strings.TrimLeft(ln, " "), "– ") && strings.HasSuffix(ln, "ms") {
					t.Errorf("skipped check with a duration: %q", ln)
				}
			}
		}
	}
}

// Members must not disappear when the runner reports them without a
// members check.
func TestTextMembersWithoutMembersCheck(t *testing.T) {
	r := clusterReport()
	r.Checks = r.Checks[:8]
	var b bytes.Buffer
	if err := Text(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "members\n    ✓ core-1.graph.internal:7687") {
		t.Errorf("members missing:\n%s", b.String())
	}
}

func TestTextVerdictLine(t *testing.T) {
	tests := []struct {
		r    *checks.Report
		want string
	}{
		{&checks.Report{Verdict: checks.Fail, Duration: 3 * time.Millisecond}, "✗ fail — no checks ran in 3ms\n"},
		{&checks.Report{Verdict: checks.Warn, Checks: []checks.Result{{ID: "a", Status: checks.Warn}, {ID: "b", Status: checks.Warn}}},
			"! warn — 2 warnings in 0ms\n"},
		{&checks.Report{}, "? unknown — no checks ran in 0ms\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := Text(&b, tt.r, TextOptions{}); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(b.String(), tt.want) {
			t.Errorf("got %q, want suffix %q", b.String(), tt.want)
		}
	}
}

func TestTextNilReport(t *testing.T) {
	if err := Text(new(bytes.Buffer), nil, TextOptions{}); err == nil {
		t.Error("Text(nil) = nil error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestWriteErrorsAreReturned(t *testing.T) {
	if err := Text(failWriter{}, healthyReport(), TextOptions{}); err == nil {
		t.Error("Text: write error swallowed")
	}
	if err := JSON(failWriter{}, healthyReport(), ToolInfo{}); err == nil {
		t.Error("JSON: write error swallowed")
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                     "0ms",
		999 * time.Microsecond:                "<1ms",
		time.Millisecond:                      "1ms",
		999 * time.Millisecond:                "999ms",
		1234 * time.Millisecond:               "1.2s",
		59 * time.Second:                      "59.0s",
		65*time.Second + 600*time.Millisecond: "1m6s",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// render is Text with opts, as a string.
func render(t *testing.T, r *checks.Report, opts TextOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := Text(&b, r, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func lines(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }

// wordyReport has what wraps badly: a long summary, a long hint with a
// command in it, a URL longer than any terminal, a fact with a long value
// and a host name that is one long token.
func wordyReport() *checks.Report {
	r := failingReport()
	auth := &r.Checks[6]
	auth.Summary = "the server rejected user neo4j with the password from NEO4J_PASSWORD, the third attempt in a row"
	auth.Hints = []string{
		"the password in NEO4J_PASSWORD is not the one the server has for neo4j: on the server run `ALTER USER neo4j SET PASSWORD 'a new password' CHANGE NOT REQUIRED` on the system database, then export it again",
		"the documentation is at https://neo4j.com/docs/operations-manual/current/authentication-authorization/manage-users/#access-control-user-administration-and-password-policies-of-this-very-long-anchor",
	}
	auth.Facts = fact("server", "Neo4j/5.20.0 on a-very-long-host-name-that-does-not-break.eu-west-1.compute.internal.example.com, reached through a load balancer")
	return r
}

// TestTextWidth: at every width no line is wider, measured in runes
// without escape sequences, except a line that is one token longer than
// the width; continuation lines hang under the text after the label.
func TestTextWidth(t *testing.T) {
	reports := []*checks.Report{wordyReport()}
	for _, c := range cases {
		reports = append(reports, c.report())
	}
	for _, r := range reports {
		for _, width := range []int{120, 100, 80, 60} {
			for _, opts := range []TextOptions{{Width: width}, {Width: width, Verbose: true}, {Width: width, Color: true}} {
				for i, l := range lines(render(t, r, opts)) {
					plain := stripANSI(l)
					if n := utf8.RuneCountInString(plain); n > width && strings.Contains(strings.TrimSpace(plain), " ") {
						t.Errorf("width %d %+v: line %d is %d wide: %q", width, opts, i+1, n, plain)
					}
				}
			}
		}
	}
	out := render(t, wordyReport(), TextOptions{Width: 80})
	for _, want := range []string{
		// the URL stands alone, at column 0 since it is longer than 80
		"\nhttps://neo4j.com/docs/operations-manual/current/authentication-authorization/manage-users/#access-control-user-administration-and-password-policies-of-this-very-long-anchor\n",
		// fix: text continues under the text after "fix: "
		"    fix: the password in NEO4J_PASSWORD is not the one the server has for neo4j:\n         on the server run\n",
		// a fact continues under its value; a token longer than the width
		// stands alone
		"    server: Neo4j/5.20.0 on\na-very-long-host-name-that-does-not-break.eu-west-1.compute.internal.example.com,\n            reached through a load balancer\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestTextDefaultWidth: no Width is DefaultWidth, and a width too narrow
// for the columns is minWidth.
func TestTextDefaultWidth(t *testing.T) {
	r := wordyReport()
	if a, b := render(t, r, TextOptions{}), render(t, r, TextOptions{Width: DefaultWidth}); a != b {
		t.Errorf("Width 0 is not DefaultWidth:\n%s\n---\n%s", a, b)
	}
	if a, b := render(t, r, TextOptions{Width: 5}), render(t, r, TextOptions{Width: minWidth}); a != b {
		t.Errorf("Width 5 is not minWidth:\n%s\n---\n%s", a, b)
	}
}

// TestTextPasteOnOwnLine: a backticked span in a hint or a summary stands
// on its own line, under the label, without the backticks.
func TestTextPasteOnOwnLine(t *testing.T) {
	r := failingReport()
	r.Checks[6].Summary = "the password must be changed: run `ALTER CURRENT USER SET PASSWORD FROM 'old' TO 'new'` first"
	r.Checks[6].Hints = []string{"set `dbms.security.auth_enabled=false` and restart, then `ALTER USER neo4j SET PASSWORD 'x'`."}
	out := render(t, r, TextOptions{Width: 100})
	for _, want := range []string{
		"\n    fix: set\n           dbms.security.auth_enabled=false\n         and restart, then\n           ALTER USER neo4j SET PASSWORD 'x'\n",
		"\n  fix: set\n         dbms.security.auth_enabled=false\n       and restart, then\n",
		"\n✗ auth     the password must be changed: run",
		"\n             ALTER CURRENT USER SET PASSWORD FROM 'old' TO 'new'\n           first\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "`") {
		t.Errorf("backticks in the output:\n%s", out)
	}
	// A span longer than the room after the label moves left rather than
	// break; one longer than the width breaks at blanks.
	r.Checks[6].Hints = []string{"run `" + strings.Repeat("x", 60) + " " + strings.Repeat("y", 30) + "`"}
	for _, l := range lines(render(t, r, TextOptions{Width: 80})) {
		if utf8.RuneCountInString(l) > 80 {
			t.Errorf("line wider than 80: %q", l)
		}
	}
	r.Checks[6].Hints = []string{"run `" + strings.Repeat("x", 70) + "`"}
	if out := render(t, r, TextOptions{Width: 80}); !strings.Contains(out, "\n          "+strings.Repeat("x", 70)+"\n") {
		t.Errorf("the span is not at column 10, where it fits:\n%s", out)
	}
}

// notRunReport: tcp failed and every later check says the same.
func notRunReport() *checks.Report {
	r := failingReport()
	r.Checks[2] = checks.Result{ID: "tcp", Status: checks.Fail, Summary: "127.0.0.1:7687: connection refused",
		Hints: []string{"start the DBMS"}, Duration: ms}
	for i := 3; i < len(r.Checks); i++ {
		r.Checks[i] = checks.Result{ID: r.Checks[i].ID, Status: checks.Skip, Summary: "not run: tcp failed"}
	}
	return r
}

// TestTextSkippedChain: consecutive checks skipped with the same summary
// are one line; different summaries are not merged.
func TestTextSkippedChain(t *testing.T) {
	out := render(t, notRunReport(), TextOptions{})
	if !strings.Contains(out, "\n– tls, bolt, version, auth, routing, members, query: not run: tcp failed\n") {
		t.Errorf("the skipped chain is not one line:\n%s", out)
	}
	r := notRunReport()
	r.Checks[5].Summary = "not run: bolt failed"
	out = render(t, r, TextOptions{})
	for _, want := range []string{
		"\n– tls, bolt: not run: tcp failed\n",
		"\n– version  not run: bolt failed\n",
		"\n– auth, routing, members, query: not run: tcp failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Wrapped, the chain hangs under the ids.
	out = render(t, notRunReport(), TextOptions{Width: 40})
	if !strings.Contains(out, "\n– tls, bolt, version, auth, routing,\n  members, query: not run: tcp failed\n") {
		t.Errorf("the wrapped chain:\n%s", out)
	}
}

// TestTextSlow: 500 ms or more stands out: "slow" before the time without
// colour, the warning colour with it; below, nothing.
func TestTextSlow(t *testing.T) {
	r := failingReport()
	r.Checks[4].Duration = 499 * ms
	r.Checks[5].Duration = 500 * ms
	out := render(t, r, TextOptions{})
	for _, l := range lines(out) {
		for prefix, suffix := range map[string]string{"✓ bolt ": " 499ms", "✓ version ": " slow 500ms", "✗ auth ": " slow 1.1s"} {
			if strings.HasPrefix(l, prefix) && (!strings.HasSuffix(l, suffix) || strings.Count(l, "slow") != strings.Count(suffix, "slow")) {
				t.Errorf("%q does not end in %q", l, suffix)
			}
		}
	}
	out = render(t, r, TextOptions{Color: true})
	if strings.Contains(out, "slow") {
		t.Errorf("the slow marker with colour:\n%s", out)
	}
	warn := newPalette(true).warn
	for _, want := range []string{paint(warn, "500ms"), paint(warn, "1.1s")} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q in the warning colour:\n%q", want, out)
		}
	}
	if strings.Contains(out, paint(warn, "499ms")) {
		t.Error("499ms in the warning colour")
	}
}

// TestTextTimes: one column, aligned; µs only with --verbose; a skipped
// check has none.
func TestTextTimes(t *testing.T) {
	r := failingReport()
	r.Checks[0].Summary = strings.Repeat("long ", 30) // wraps, and its time stays in the column
	for _, width := range []int{100, 80} {
		out := render(t, r, TextOptions{Width: width})
		ends := map[int][]string{}
		for _, c := range r.Checks {
			if c.Status == checks.Skip {
				continue
			}
			prefix := symbol(c.Status) + " " + padRight(c.ID, len("version")) + "  "
			i := slices.IndexFunc(lines(out), func(l string) bool { return strings.HasPrefix(l, prefix) })
			if i < 0 {
				t.Fatalf("no line for %s:\n%s", c.ID, out)
			}
			l := lines(out)[i]
			if !strings.HasSuffix(l, formatDuration(c.Duration)) {
				t.Errorf("%q does not end with its time", l)
			}
			ends[utf8.RuneCountInString(l)] = append(ends[utf8.RuneCountInString(l)], l)
		}
		if len(ends) != 1 {
			t.Errorf("width %d: times end in %d columns: %v", width, len(ends), ends)
		}
	}
	if out := render(t, r, TextOptions{}); strings.Contains(out, "µs") || !strings.Contains(out, "<1ms\n") {
		t.Errorf("µs without --verbose, or no <1ms:\n%s", out)
	}
	if out := render(t, r, TextOptions{Verbose: true}); !strings.Contains(out, "300µs\n") {
		t.Errorf("no µs with --verbose:\n%s", out)
	}
}

// TestTextPassingIsOneLine: without --verbose a passing check is one line;
// only the members check lists the members under it.
func TestTextPassingIsOneLine(t *testing.T) {
	for _, r := range []*checks.Report{healthyReport(), clusterReport()} {
		ls := lines(render(t, r, TextOptions{}))
		for i, l := range ls {
			if !strings.HasPrefix(l, "✓ ") || strings.HasPrefix(l, "✓ members ") || strings.HasPrefix(l, "✓ pass") {
				continue
			}
			if next := ls[i+1]; next != "" && !strings.HasPrefix(next, "✓ ") && !strings.HasPrefix(next, "– ") && !strings.HasPrefix(next, "! ") && !strings.HasPrefix(next, "✗ ") {
				t.Errorf("a passing check has a detail line: %q, then %q", l, next)
			}
		}
	}
	out := render(t, healthyReport(), TextOptions{})
	if !strings.Contains(out, "✓ members  1 member reachable") || !strings.Contains(out, "\n    ✓ 0a1b2c3d.databases.neo4j.io:7687  ROUTE, WRITE, READ\n") {
		t.Errorf("the members check does not list its member:\n%s", out)
	}
}

// TestTextVerbose: --verbose shows the facts, evidence and errors of
// passing checks, facts marked Verbose and every member's checks; without
// it they are hidden.
func TestTextVerbose(t *testing.T) {
	r := clusterReport()
	r.Checks[4].Error = "a pass with an error text"
	r.Checks[8].Facts = append(r.Checks[8].Facts, checks.Fact{Name: "raw", Value: "00 01 02", Verbose: true})
	r.Checks[8].Evidence = append(r.Checks[8].Evidence, checks.Fact{Name: "go error", Value: "dial tcp: refused", Verbose: true})
	shown := []string{
		"    protocol: 5.7\n",                  // a passing check's fact
		"      handshake reply: 00 00 07 05\n", // its evidence
		"    error: a pass with an error text\n",
		"    raw:       00 01 02\n", // a Verbose fact of a warning
		"      go error:    dial tcp: refused\n",
		"        ✓ auth  logged in as app", // a passing member check
		"            error: dial tcp 10.0.4.13:7687: connect: connection refused\n",
	}
	verbose := render(t, r, TextOptions{Verbose: true})
	plain := render(t, r, TextOptions{})
	for _, s := range shown {
		if !strings.Contains(verbose, s) {
			t.Errorf("--verbose lacks %q:\n%s", s, verbose)
		}
		if strings.Contains(plain, s) {
			t.Errorf("without --verbose, %q is shown:\n%s", s, plain)
		}
	}
	for _, s := range []string{"    reachable: 2/3\n", "      unreachable: core-3.graph.internal:7687\n"} {
		if !strings.Contains(plain, s) {
			t.Errorf("a warning's fact or evidence is missing: %q:\n%s", s, plain)
		}
	}
}

// TestTextErrorSaidOnce: the error line is left out, even with --verbose,
// when the summary or the evidence already says it.
func TestTextErrorSaidOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*checks.Result)
		want bool
	}{
		{"its own", func(*checks.Result) {}, true},
		{"in the summary", func(c *checks.Result) { c.Summary = "rejected: " + c.Error }, false},
		{"in the evidence", func(c *checks.Result) { c.Evidence[0].Value = "(" + c.Error + ")" }, false},
	} {
		r := failingReport()
		tc.edit(&r.Checks[6])
		got := strings.Contains(render(t, r, TextOptions{Verbose: true}), "error: auth: Neo.ClientError")
		if got != tc.want {
			t.Errorf("error %s: shown %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestTextCauses: after the checklist, each failing or warning check's
// cause and fix, in check order, right before the counts; a healthy run
// has none, and notes are not repeated there.
func TestTextCauses(t *testing.T) {
	out := render(t, failingReport(), TextOptions{})
	want := "\n\n✗ auth: the server rejected user neo4j\n  fix: check NEO4J_PASSWORD: it is the password the server rejected\n✗ fail — 5 passed, 1 failed, 4 skipped in 1.2s\n"
	if !strings.HasSuffix(out, want) {
		t.Errorf("the report does not end with\n%s\n---\n%s", want, out)
	}
	ls := lines(out)
	first := slices.IndexFunc(ls, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "fix:") })
	if first < 0 || first >= 20 {
		t.Errorf("the first fix: is on line %d:\n%s", first+1, out)
	}

	r := clusterReport()
	r.Checks[1].Status, r.Checks[1].Hints = checks.Warn, nil // a warning without a hint comes first
	out = render(t, r, TextOptions{})
	want = "\n\n! dns: graph.internal resolved to 3 addresses via 10.0.0.2:53\n! members: 2 of 3 members reachable\n  fix: drivers retry another member,"
	if !strings.Contains(out, want) {
		t.Errorf("the causes are not in check order:\n%s", out)
	}

	out = render(t, healthyReport(), TextOptions{})
	if !strings.HasSuffix(out, "52ms\n\n✓ pass — 10 passed in 412ms\n") || strings.Contains(out, "fix:") {
		t.Errorf("a healthy run has a cause block:\n%s", out)
	}
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func stripANSI(s string) string { return ansi.ReplaceAllString(s, "") }

// TestTextHeaderOrigins: origins stand in a column when they fit; a row
// that would push the column past the width has its origin after its
// value, or under it.
func TestTextHeaderOrigins(t *testing.T) {
	const file = "from Neo4j-0a1b2c3d-Created-2025-03-01.txt"
	r := healthyReport()
	for _, tc := range []struct {
		width int
		uri   string
		want  string
	}{
		{100, "neo4j+s://0a1b2c3d.databases.neo4j.io", "" +
			"  uri       neo4j+s://0a1b2c3d.databases.neo4j.io\n" +
			"            " + file + " NEO4J_URI\n" +
			"  user      neo4j  " + file + " NEO4J_USERNAME\n" +
			"  password  set    " + file + " NEO4J_PASSWORD\n"},
		{100, "neo4j+s://0a1b2c3d.neo4j.io", "" +
			"  uri       neo4j+s://0a1b2c3d.neo4j.io  " + file + " NEO4J_URI\n" +
			"  user      neo4j                        " + file + " NEO4J_USERNAME\n"},
		{140, "neo4j+s://0a1b2c3d.databases.neo4j.io", "" +
			"  uri       neo4j+s://0a1b2c3d.databases.neo4j.io  " + file + " NEO4J_URI\n" +
			"  user      neo4j                                  " + file + " NEO4J_USERNAME\n"},
		{60, "neo4j+s://0a1b2c3d.databases.neo4j.io", "" +
			"  user      neo4j\n" +
			"            from Neo4j-0a1b2c3d-Created-2025-03-01.txt\n" +
			"            NEO4J_USERNAME\n"},
	} {
		r.Target.URI = tc.uri
		if out := render(t, r, TextOptions{Width: tc.width}); !strings.Contains(out, tc.want) {
			t.Errorf("width %d, uri %s: header lacks\n%s\n---\n%s", tc.width, tc.uri, tc.want, out)
		}
	}
}
