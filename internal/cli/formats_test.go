package cli

// End-to-end tests of --format, -o, GITHUB_STEP_SUMMARY, --checks, --skip
// and --list-checks: the files a CI job keeps, checked the way the CI
// system reads them (XML parsed, annotations line by line, JSON against the
// schema), and the password kept out of every one of them.

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract"
)

// junitFile is what a CI dashboard reads from JUnit XML.
type junitFile struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Suites   []struct {
		Name  string `xml:"name,attr"`
		Cases []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct{} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readJUnit(t *testing.T, path string) junitFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var j junitFile
	if err := xml.Unmarshal(b, &j); err != nil {
		t.Fatalf("%s is not XML: %v\n%s", path, err, b)
	}
	return j
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEveryFormatOfAFailingRun writes every format of one failing run (a
// wrong password) to files, with the text report still on stdout and the
// job summary appended, and reads each back the way its consumer does.
func TestEveryFormatOfAFailingRun(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "wrong-password")
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	summary := p("step-summary.md")
	if err := os.WriteFile(summary, []byte("## earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := instEnv(inst)
	env["GITHUB_STEP_SUMMARY"] = summary
	r := runCLI(env, instArgs(inst,
		"--format", "json", "-o", p("report.json"),
		"--format", "junit,github", "-o", p("junit.xml"), "-o", p("annotations.txt"),
		"--format", "markdown", "-o", p("report.md"))...)
	if r.code != 1 || r.stderr != "" {
		t.Fatalf("want exit 1 and nothing on stderr:\n%s", r)
	}
	if !strings.HasPrefix(r.stdout, "neo4j-doctor ") || !strings.Contains(r.stdout, "\n✗ auth ") || !strings.Contains(r.stdout, "\n✗ fail — ") {
		t.Errorf("stdout is not the text report:\n%s", r.stdout)
	}

	// JSON: the schema, and the exit code.
	js := readFile(t, p("report.json"))
	if err := contract.Report([]byte(js)); err != nil {
		t.Errorf("report.json: %v", err)
	}
	if !strings.Contains(js, `"exitCode": 1`) {
		t.Errorf("report.json lacks exitCode 1")
	}

	// JUnit: one case per check, in order; auth fails with its hints.
	j := readJUnit(t, p("junit.xml"))
	if len(j.Suites) != 1 || j.Suites[0].Name != "checks" {
		t.Fatalf("want one suite named checks: %+v", j.Suites)
	}
	var names []string
	for _, c := range j.Suites[0].Cases {
		names = append(names, c.Name)
		switch {
		case c.Name == "auth":
			if c.Failure == nil || !strings.Contains(c.Failure.Message, "wrong username or password") ||
				!strings.Contains(c.Failure.Text, "hint: the server rejected user \"neo4j\"") ||
				!strings.Contains(c.Failure.Text, "code: Neo.ClientError.Security.Unauthorized") {
				t.Errorf("auth case: %+v", c.Failure)
			}
		case c.Failure != nil:
			t.Errorf("%s fails in JUnit: %s", c.Name, c.Failure.Message)
		}
		if slices.Contains([]string{"routing", "members", "query"}, c.Name) && c.Skipped == nil {
			t.Errorf("%s is not skipped", c.Name)
		}
	}
	var ids []string
	for _, c := range checks.RunChecks(&checks.Target{}) { // no --idle-probe
		ids = append(ids, c.ID)
	}
	if !slices.Equal(names, ids) || j.Failures != 1 || j.Tests != len(ids) {
		t.Errorf("cases %v (tests %d, failures %d), want %v with 1 failure", names, j.Tests, j.Failures, ids)
	}

	// GitHub: an error annotation with the fix, a note and the error, then
	// the verdict notice.
	lines := strings.Split(strings.TrimSuffix(readFile(t, p("annotations.txt")), "\n"), "\n")
	wantLines := []*regexp.Regexp{
		regexp.MustCompile(`^::error title=neo4j-doctor%3A auth failed::authentication failed: wrong username or password%0Afix: the server rejected user "neo4j" with NEO4J_PASSWORD from the environment: check it.*%0Anote: .*$`),
		regexp.MustCompile(`^::notice title=neo4j-doctor%3A fail::` + regexp.QuoteMeta(inst.URI) + fmt.Sprintf(`: 5 passed, 1 failed, %d skipped in \S+ \(exit code 1\)$`, len(ids)-6)),
	}
	if len(lines) != len(wantLines) {
		t.Fatalf("%d annotation lines, want %d:\n%s", len(lines), len(wantLines), strings.Join(lines, "\n"))
	}
	for i, re := range wantLines {
		if !re.MatchString(lines[i]) {
			t.Errorf("annotation line %d:\n%s\nwant it to match %s", i+1, lines[i], re)
		}
	}

	// Markdown, and the same appended to the job summary after what an
	// earlier step wrote.
	md := readFile(t, p("report.md"))
	for _, want := range []string{"## neo4j-doctor: ❌ fail\n", "| ❌ | **auth** | authentication failed: wrong username or password |", "### ❌ auth: ", "- **fix:** the server rejected user \"neo4j\""} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q:\n%s", want, md)
		}
	}
	if got := readFile(t, summary); got != "## earlier step\n"+md+"\n" {
		t.Errorf("the job summary is not the earlier content plus the Markdown report:\n%s", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 5 {
		var n []string
		for _, e := range entries {
			n = append(n, e.Name())
		}
		t.Errorf("the directory holds %v: a temporary file was left behind", n)
	}
}

// TestJUnitMembers: a cluster with a member down under --strict: one case
// per member, the dead one failing, and exit 1 agreeing with the dashboard.
func TestJUnitMembers(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "partial-outage")
	path := filepath.Join(t.TempDir(), "junit.xml")
	r := runCLI(instEnv(inst), instArgs(inst, "--strict", "--format", "junit", "-o", path)...)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 under --strict:\n%s", r.code, r)
	}
	j := readJUnit(t, path)
	if len(j.Suites) != 2 || j.Suites[1].Name != "members" || len(j.Suites[1].Cases) != 3 {
		t.Fatalf("want a members suite with 3 cases: %+v", j.Suites)
	}
	failed := 0
	for _, c := range j.Suites[1].Cases {
		if c.Failure != nil {
			failed++
			if !strings.Contains(c.Failure.Message, "tcp: ") || !strings.Contains(c.Failure.Text, "hint: nothing listens on port") {
				t.Errorf("member %s failure: %+v", c.Name, c.Failure)
			}
		}
	}
	if failed != 1 || j.Failures != 2 { // the members check (a warning under --strict) and the dead member
		t.Errorf("%d failing members and %d failures in all, want 1 and 2", failed, j.Failures)
	}
}

// TestFormatsOnStdout: without -o the one format goes to stdout alone; -o -
// names stdout in a list, and then no text report is added.
func TestFormatsOnStdout(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "healthy-single")
	for _, tc := range []struct {
		name  string
		args  []string
		check func(t *testing.T, out string)
	}{
		{"junit", []string{"--format", "junit"}, func(t *testing.T, out string) {
			var j junitFile
			if err := xml.Unmarshal([]byte(out), &j); err != nil || j.Tests != len(checks.RunChecks(&checks.Target{})) || j.Failures != 0 {
				t.Errorf("stdout is not a passing JUnit document (%v):\n%s", err, out)
			}
		}},
		{"github", []string{"--format", "github"}, func(t *testing.T, out string) {
			if !regexp.MustCompile(`^::notice title=neo4j-doctor%3A pass::bolt://db\.neo4j-doctor\.test:\d+: \d+ passed, \d+ skipped in \S+ \(exit code 0\)\n$`).MatchString(out) {
				t.Errorf("stdout is not one notice:\n%s", out)
			}
		}},
		{"markdown", []string{"--format", "markdown"}, func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "## neo4j-doctor: ✅ pass\n") {
				t.Errorf("stdout is not the Markdown report:\n%s", out)
			}
		}},
		{"json to -", []string{"--format", "json", "-o", "-"}, func(t *testing.T, out string) {
			if err := contract.Report([]byte(out)); err != nil {
				t.Errorf("stdout is not one JSON report: %v\n%s", err, out)
			}
		}},
		{"text then github, both on stdout", []string{"--format", "text,github", "-o", "-", "-o", "-"}, func(t *testing.T, out string) {
			text, annotations, ok := strings.Cut(out, "\n::notice ")
			if !ok || !strings.HasPrefix(text, "neo4j-doctor ") || !strings.Contains(text, "\n✓ pass — ") || strings.Count(annotations, "\n") != 1 {
				t.Errorf("want the text report, then the notice:\n%s", out)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(instEnv(inst), instArgs(inst, tc.args...)...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("want exit 0 and no stderr:\n%s", r)
			}
			tc.check(t, r.stdout)
		})
	}
}

// TestOutputReplacesFile: -o replaces an existing file whole, and leaves
// no temporary file beside it.
func TestOutputReplacesFile(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "healthy-single")
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, []byte(strings.Repeat("old ", 10000)), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(instEnv(inst), instArgs(inst, "--format", "json", "-o", path)...)
	if r.code != 0 || !strings.Contains(r.stdout, "✓ pass — ") {
		t.Fatalf("want exit 0 and the text report on stdout:\n%s", r)
	}
	if err := contract.Report([]byte(readFile(t, path))); err != nil {
		t.Errorf("the replaced file is not one report: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries in the directory, want just report.json", len(entries))
	}
}

// TestOutputBadInput: every mistake in --format, -o and the step summary
// is exit 3 before any connection, and leaves no file behind.
func TestOutputBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := func(name string) string { return filepath.Join(dir, name) }
	uri := "bolt://127.0.0.1:1" // would be refused: exit 3 proves no attempt
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string // in the error line
	}{
		{"two formats, no -o", nil, []string{"--format", "json", "--format", "junit"}, "2 formats but no -o"},
		{"more formats than files", nil, []string{"--format", "json,junit", "-o", in("a.json")}, "2 --format values but 1 -o values"},
		{"more files than formats", nil, []string{"-o", in("a.txt"), "-o", in("b.txt")}, "1 --format values but 2 -o values"},
		{"the same file twice", nil, []string{"--format", "json,junit", "-o", in("x"), "-o", in("x")}, "given twice"},
		{"unknown format", nil, []string{"--format", "json,yaml", "-o", in("a"), "-o", in("b")}, `--format "yaml" is not a format`},
		{"no such directory", nil, []string{"--format", "junit", "-o", in("missing/junit.xml")}, "cannot write -o"},
		{"a directory", nil, []string{"--format", "junit", "-o", dir}, "it is a directory"},
		{"unwritable step summary", map[string]string{"GITHUB_STEP_SUMMARY": in("missing/summary.md")}, []string{"--format", "github"}, "GITHUB_STEP_SUMMARY"},
		{"unknown check", nil, []string{"--checks", "auth,rooting"}, `--checks: no check is called "rooting"`},
		{"unknown skip", nil, []string{"--skip", "QUERY"}, `--skip: no check is called "QUERY"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(tc.env, append([]string{"--uri", uri}, tc.args...)...)
			assertInputError(t, r, tc.want)
		})
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("bad input left %d files behind", len(entries))
	}
}

// TestCanaryInEveryOutput gives a distinctive password by flag, by the
// environment, by a connection file and inside the URI, and looks for it
// in every format, the job summary and the --wait progress, of a passing
// and of a failing run.
func TestCanaryInEveryOutput(t *testing.T) {
	t.Parallel()
	const pw = "Canary-9f3e-pw"
	cfg := fixtures.Neo4j526()
	cfg.Users = map[string]string{"neo4j": pw}
	srv, err := fixtures.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	uri := srv.URI("bolt")
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		file string // connection file content
		code int
	}{
		{name: "flag", args: []string{"--uri", uri, "-u", "neo4j", "-p", pw}},
		{name: "env", env: map[string]string{"NEO4J_PASSWORD": pw}, args: []string{"--uri", uri, "-u", "neo4j"}},
		{name: "file", file: "NEO4J_URI=" + uri + "\nNEO4J_USERNAME=neo4j\nNEO4J_PASSWORD=" + pw + "\n"},
		{name: "uri", args: []string{"--uri", strings.Replace(uri, "bolt://", "bolt://neo4j:"+pw+"@", 1)}},
		// The server rejects it: the failing path has errors and hints.
		{name: "wrong, by flag", args: []string{"--uri", uri, "-u", "neo4j", "-p", pw + "-wrong"}, code: 1},
		{name: "wrong, in the uri", args: []string{"--uri", strings.Replace(uri, "bolt://", "bolt://neo4j:"+pw+"-wrong@", 1)}, code: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			env := map[string]string{"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md")}
			for k, v := range tc.env {
				env[k] = v
			}
			args := append([]string{"--verbose", "--wait", "1s", "--wait-all",
				"--format", "text,json,junit,github,markdown"}, tc.args...)
			for _, ext := range []string{"txt", "json", "xml", "github", "md"} {
				args = append(args, "-o", filepath.Join(dir, "out."+ext))
			}
			if tc.file != "" {
				args = append(args, writeFile(t, "conn.env", tc.file))
			}
			r := runCLI(env, args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d:\n%s", r.code, tc.code, r)
			}
			if tc.code != 0 && !strings.Contains(r.stderr, "wait: attempt 2 ") {
				t.Errorf("the failing run did not wait (no progress to search):\n%s", r.stderr)
			}
			outputs := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
			entries, err := os.ReadDir(dir)
			if err != nil || len(entries) != 6 {
				t.Fatalf("want 5 outputs and the summary in %s (%v)", dir, err)
			}
			for _, e := range entries {
				outputs[e.Name()] = readFile(t, filepath.Join(dir, e.Name()))
			}
			for name, out := range outputs {
				if strings.Contains(out, pw) {
					t.Errorf("%s contains the password:\n%s", name, out)
				}
			}
			if !strings.Contains(outputs["out.json"], `"passwordSource"`) || strings.Contains(outputs["out.json"], `"passwordSource": "none"`) {
				t.Errorf("the JSON report does not say where the password came from")
			}
		})
	}
}

// TestSkipAndChecksFlags: a monitoring user without read rights: the query
// check fails (exit 1) unless skipped; --checks auth stops after auth.
func TestSkipAndChecksFlags(t *testing.T) {
	t.Parallel()
	cfg := fixtures.Neo4j526()
	cfg.Users = map[string]string{"monitor": waitPassword}
	cfg.Queries = map[string]fixtures.Result{"RETURN 1": {Failure: &fixtures.Failure{
		Code: "Neo.ClientError.Security.Forbidden", Message: "Read operations are not allowed for user 'monitor'.",
	}}}
	srv, err := fixtures.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	env := map[string]string{"NEO4J_PASSWORD": waitPassword}
	base := []string{"--uri", srv.URI("bolt"), "-u", "monitor", "--format", "json"}

	r := runCLI(env, base...)
	if rep := decodeReport(t, r); r.code != 1 {
		t.Errorf("without --skip: exit %d, want 1 (query forbidden): %+v", r.code, rep.Checks)
	}
	r = runCLI(env, append(base, "--skip", "query")...)
	rep := decodeReport(t, r)
	if st, _ := rep.check("query"); r.code != 0 || st != "skip" {
		t.Errorf("--skip query: exit %d, query %s, want exit 0 and skip", r.code, st)
	}
	r = runCLI(env, append(base, "--checks", "auth")...)
	rep = decodeReport(t, r)
	for _, c := range rep.Checks {
		want := map[string]string{"config": "pass", "tcp": "pass", "bolt": "pass", "auth": "pass"}[c.ID]
		if want == "" {
			want = "skip"
		}
		if c.Status != want {
			t.Errorf("--checks auth: %s is %s (%s), want %s", c.ID, c.Status, c.Summary, want)
		}
	}
	if r.code != 0 {
		t.Errorf("--checks auth: exit %d, want 0", r.code)
	}
}

func TestListChecksFlag(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--list-checks"}, {"check", "--list-checks"}} {
		start := time.Now()
		r := runCLI(nil, args...)
		if r.code != 0 || r.stderr != "" || time.Since(start) > time.Second {
			t.Fatalf("%v: want exit 0 at once with no stderr:\n%s", args, r)
		}
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) != len(checks.Checks())+1 {
			t.Fatalf("%v: %d lines:\n%s", args, len(lines), r.stdout)
		}
		for i, c := range checks.Checks() {
			if f := strings.Fields(lines[i+1]); f[0] != c.ID {
				t.Errorf("line %d %q, want %s", i+2, lines[i+1], c.ID)
			}
		}
	}
}
