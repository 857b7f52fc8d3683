package cli

// End-to-end tests that start the demo fixtures in-process and call Run with
// buffers and a fake environment, as a user would run the binary: every demo
// scenario, connection files, precedence, secrets, --quiet, --strict and
// colour. Everything stays on loopback: each scenario brings its own DNS
// server for --dns-server, so no real name is ever resolved.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// result is what one run of the CLI did.
type result struct {
	code           int
	stdout, stderr string
	took           time.Duration // the whole of Run
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout ---\n%s--- stderr ---\n%s", r.code, r.stdout, r.stderr)
}

// runCLI runs the CLI with args (without the program name) and an
// environment holding only env: the machine's own NEO4J_* or NO_COLOR never
// leak in.
func runCLI(env map[string]string, args ...string) result {
	s, out, errb := report.TestStreams()
	return runStreams(s, out, errb, env, args...)
}

// runTo is runCLI with stdout written to w (a terminal, say); the result's
// stdout is left empty.
func runTo(w io.Writer, env map[string]string, args ...string) result {
	var errb bytes.Buffer
	return runStreams(report.NewStreams(w, &errb), nil, &errb, env, args...)
}

// runStreams runs the CLI on s, whose Out and Err write to out and errb
// (out nil: elsewhere). Runs may overlap: Run is safe for concurrent use.
func runStreams(s report.Streams, out, errb *bytes.Buffer, env map[string]string, args ...string) result {
	getenv := func(k string) string { return env[k] }
	start := time.Now()
	code := Run(append([]string{"neo4j-doctor"}, args...), s, getenv)
	r := result{code: code, stderr: errb.String(), took: time.Since(start)}
	if out != nil {
		r.stdout = out.String()
	}
	return r
}

func startScenario(t *testing.T, name string) *scenarios.Instance {
	t.Helper()
	sc, ok := scenarios.LookupScenario(name)
	if !ok {
		t.Fatalf("no demo scenario %q", name)
	}
	inst, err := sc.Start()
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() { _ = inst.Close() })
	return inst
}

// targetArgs are the flags a user would pass to diagnose inst, everything
// but the password (or bearer token) and the URI: with the flags the
// scenario is shown with (--write-probe, --impersonate).
func targetArgs(inst *scenarios.Instance) []string {
	var args []string
	if inst.Username != "" {
		args = append(args, "-u", inst.Username)
	}
	args = append(args, "--dns-server", inst.DNSServer, "--timeout", inst.Timeout.String())
	if inst.CAFile != "" {
		args = append(args, "--ca-file", inst.CAFile)
	}
	if inst.Database != "" {
		args = append(args, "-d", inst.Database)
	}
	return append(args, inst.Args()...)
}

// instArgs are the flags to diagnose inst, with the password left to
// NEO4J_PASSWORD (see instEnv).
func instArgs(inst *scenarios.Instance, more ...string) []string {
	return append(append([]string{"--uri", inst.URI}, targetArgs(inst)...), more...)
}

// instEnv is the environment that gives inst's secret: NEO4J_PASSWORD, or
// NEO4J_BEARER_TOKEN for a scenario that logs in with a token.
func instEnv(inst *scenarios.Instance) map[string]string {
	if inst.BearerToken != "" {
		return map[string]string{"NEO4J_BEARER_TOKEN": inst.BearerToken}
	}
	return map[string]string{"NEO4J_PASSWORD": inst.Password}
}

// withUserinfo puts user:password@ into a URI.
func withUserinfo(t *testing.T, uri, user, password string) string {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatalf("parse %s: %v", uri, err)
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

// writeFile writes a connection file into a fresh directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// jsonReport is the part of the JSON report the tests read.
type jsonReport struct {
	Verdict  string `json:"verdict"`
	ExitCode int    `json:"exitCode"`
	Target   struct {
		URI            string                 `json:"uri"`
		Username       string                 `json:"username"`
		PasswordSource string                 `json:"passwordSource"`
		Database       string                 `json:"database"`
		Resolver       string                 `json:"resolver"`
		AuraInstance   string                 `json:"auraInstance"`
		Settings       map[string]jsonSetting `json:"settings"`
	} `json:"target"`
	Checks []struct {
		ID      string   `json:"id"`
		Status  string   `json:"status"`
		Summary string   `json:"summary"`
		Hints   []string `json:"hints"`
	} `json:"checks"`
	Members []struct {
		Address string `json:"address"`
		Status  string `json:"status"`
	} `json:"members"`
}

type jsonSetting struct {
	Value  string `json:"value"`
	Source string `json:"source"`
	From   string `json:"from"`
}

// decodeReport validates stdout against the embedded schema and decodes it.
func decodeReport(t *testing.T, r result) jsonReport {
	t.Helper()
	if err := contract.Report([]byte(r.stdout)); err != nil {
		t.Fatalf("stdout is not a valid report: %v\n%s", err, r)
	}
	var rep jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("decode report: %v", err)
	}
	if rep.ExitCode != r.code {
		t.Errorf("report says exitCode %d, the process exited %d", rep.ExitCode, r.code)
	}
	return rep
}

func (rep jsonReport) check(id string) (status string, hints []string) {
	for _, c := range rep.Checks {
		if c.ID == id {
			return c.Status, c.Hints
		}
	}
	return "", nil
}

// assertDiagnosis checks a JSON report against a scenario's expectation:
// verdict, exit code, the first failing (or warning) check and its hint.
func assertDiagnosis(t *testing.T, r result, want scenarios.Expect) {
	t.Helper()
	if r.code != want.Exit {
		t.Errorf("exit %d, want %d\n%s", r.code, want.Exit, r)
	}
	if stderr := idleProgress(t, r.stderr, want); stderr != "" {
		t.Errorf("stderr is not empty:\n%s", stderr)
	}
	rep := decodeReport(t, r)
	if rep.Verdict != want.Verdict {
		t.Errorf("verdict %q, want %q", rep.Verdict, want.Verdict)
	}
	bad := "fail"
	if want.Verdict == "warn" {
		bad = "warn"
	}
	for _, c := range rep.Checks {
		if c.Status != bad {
			continue
		}
		if c.ID != want.Check {
			t.Errorf("first %s check is %s (%s), want %s", bad, c.ID, c.Summary, want.Check)
		}
		if !slices.ContainsFunc(c.Hints, func(h string) bool { return strings.Contains(h, want.Hint) }) {
			t.Errorf("no hint of %s contains %q: %q", c.ID, want.Hint, c.Hints)
		}
		return
	}
	if want.Check != "" {
		t.Errorf("no check has status %s, want %s to", bad, want.Check)
	}
	for _, c := range rep.Checks {
		if c.Status == "fail" || c.Status == "warn" {
			t.Errorf("healthy scenario, but %s is %s: %s", c.ID, c.Status, c.Summary)
		}
	}
}

// idleProgress checks the idle probe's progress on stderr, for a scenario
// whose warning is at idle: the connections opened, each idle time's
// outcome; and returns what else is on stderr.
func idleProgress(t *testing.T, stderr string, want scenarios.Expect) string {
	t.Helper()
	if want.Check != "idle" {
		return stderr
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if len(lines) < 3 || !strings.Contains(lines[0], "left idle for 500ms, 3s") || !strings.HasPrefix(lines[1], "idle: 500ms: answered") {
		t.Errorf("no idle progress on stderr:\n%s", stderr)
	}
	var rest []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "idle: ") {
			rest = append(rest, l)
		}
	}
	return strings.Join(rest, "\n")
}

// assertText checks the human report against a scenario's expectation.
func assertText(t *testing.T, r result, want scenarios.Expect) {
	t.Helper()
	if r.code != want.Exit {
		t.Errorf("exit %d, want %d\n%s", r.code, want.Exit, r)
	}
	if stderr := idleProgress(t, r.stderr, want); stderr != "" {
		t.Errorf("stderr is not empty:\n%s", stderr)
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("escape sequences in a report to a buffer:\n%q", r.stdout)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	sym := map[string]string{"pass": "✓", "warn": "!", "fail": "✗"}[want.Verdict]
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, sym+" "+want.Verdict+" — ") {
		t.Errorf("last line %q, want the verdict %s %s", last, sym, want.Verdict)
	}
	if want.Check == "" {
		for _, l := range lines {
			if strings.HasPrefix(l, "✗ ") || strings.HasPrefix(l, "! ") || strings.Contains(l, "fix:") || strings.Contains(l, "note:") {
				t.Errorf("healthy scenario, but: %q\n%s", l, r.stdout)
			}
		}
		return
	}
	// The first check line that carries the verdict's mark is the expected
	// one: a warning may come before the failure that decides the run.
	for i, l := range lines {
		if !strings.HasPrefix(l, sym+" ") {
			continue
		}
		if want := sym + " " + want.Check + " "; !strings.HasPrefix(l, want) {
			t.Errorf("first failing line %q, want it to start with %q\n%s", l, want, r.stdout)
		}
		var block []string
		for _, d := range lines[i+1:] {
			if d != "" && !strings.HasPrefix(d, " ") {
				break // the next check
			}
			block = append(block, d)
		}
		hints := textHints(block)
		if !slices.ContainsFunc(hints, func(h string) bool { return strings.Contains(h, unwrapped(want.Hint)) }) {
			t.Errorf("no fix: or note: under %q contains %q; they say %q\n%s", l, want.Hint, hints, r.stdout)
		}
		return
	}
	t.Errorf("no line starts with %s %s\n%s", sym, want.Check, r.stdout)
}

// textHints reads the fix: and note: paragraphs of a text report's block
// back into one line each, as unwrapped puts a hint: its continuation
// lines (indented further than the label) joined with single blanks.
func textHints(block []string) []string {
	var hints []string
	in := -1 // the label's indentation while in a hint
	for _, d := range block {
		indent := len(d) - len(strings.TrimLeft(d, " "))
		text := strings.TrimSpace(d)
		if h, ok := strings.CutPrefix(text, "fix:"); ok || strings.HasPrefix(text, "note:") {
			if !ok {
				h = strings.TrimPrefix(text, "note:")
			}
			hints, in = append(hints, strings.TrimSpace(h)), indent
			continue
		}
		if in >= 0 && indent > in && text != "" {
			hints[len(hints)-1] = strings.TrimSpace(hints[len(hints)-1] + " " + text)
			continue
		}
		in = -1
	}
	return hints
}

// unwrapped is a hint as textHints reads it back from the text report:
// without backticks, blanks collapsed.
func unwrapped(h string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(h, "`", " ")), " ")
}

// TestScenarios diagnoses every demo scenario as a user would (flags, the
// password in NEO4J_PASSWORD) in JSON and in text, and through `demo`, and
// checks the verdict, the exit code, the failing check and its hint.
func TestScenarios(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			inst := startScenario(t, sc.Name)
			t.Run("json", func(t *testing.T) {
				r := runCLI(instEnv(inst), instArgs(inst, "--format", "json")...)
				assertDiagnosis(t, r, sc.Expect)
				rep := decodeReport(t, r)
				if rep.Target.Resolver != inst.DNSServer {
					t.Errorf("resolver %q, want the --dns-server %s", rep.Target.Resolver, inst.DNSServer)
				}
			})
			t.Run("text", func(t *testing.T) {
				assertText(t, runCLI(instEnv(inst), instArgs(inst)...), sc.Expect)
			})
			t.Run("verbose", func(t *testing.T) {
				assertText(t, runCLI(instEnv(inst), instArgs(inst, "--verbose")...), sc.Expect)
			})
			t.Run("demo", func(t *testing.T) {
				// The demo starts its own instance of the scenario.
				if sc.Watched != nil {
					// Shown with watch: its first run is the diagnosis.
					assertWatchFirstRun(t, runCLI(nil, "demo", sc.Name, "--format", "json", "--interval", "100ms", "--for", "250ms"), sc.Expect)
					return
				}
				assertDiagnosis(t, runCLI(nil, "demo", sc.Name, "--format", "json"), sc.Expect)
			})
		})
	}
}

// TestDemoList: demo --list names every scenario with what it should give.
func TestDemoList(t *testing.T) {
	t.Parallel()
	r := runCLI(nil, "demo", "--list")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("want exit 0 and no stderr:\n%s", r)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	scs := scenarios.Scenarios()
	if len(lines) != len(scs) {
		t.Fatalf("%d lines for %d scenarios:\n%s", len(lines), len(scs), r.stdout)
	}
	for i, sc := range scs {
		if f := strings.Fields(lines[i]); len(f) == 0 || f[0] != sc.Name ||
			!strings.Contains(lines[i], sc.Description) ||
			!strings.HasSuffix(lines[i], fmt.Sprintf("(expect %s, exit %d; %s)", sc.Expect.Verdict, sc.Expect.Exit, listDrivers(sc))) ||
			(sc.Expect.Drivers.Go != "" && !strings.Contains(lines[i], "Go: "+sc.Expect.Drivers.Go)) {
			t.Errorf("line %d %q, want %s: %s (expect %s, exit %d; %s)", i+1, lines[i], sc.Name, sc.Description, sc.Expect.Verdict, sc.Expect.Exit, listDrivers(sc))
		}
	}
}

const auraHeader = "# Wait 60 seconds before connecting using these details, or login to https://console.neo4j.io to validate the Aura Instance is available\n"

const auraFileName = "Neo4j-0a1b2c3d-Created-2026-11-25.txt"

// TestAuraFile diagnoses a healthy cluster through an Aura credentials file
// as downloaded from the console.
func TestAuraFile(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "healthy-cluster")
	path := writeFile(t, auraFileName, auraHeader+
		"NEO4J_URI="+inst.URI+"\n"+
		"NEO4J_USERNAME="+inst.Username+"\n"+
		"NEO4J_PASSWORD="+inst.Password+"\n"+
		"AURA_INSTANCEID=0a1b2c3d\n"+
		"AURA_INSTANCENAME=Instance01\n")

	r := runCLI(nil, "--dns-server", inst.DNSServer, path)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("want exit 0 and no stderr:\n%s", r)
	}
	header, _, _ := strings.Cut(r.stdout, "\n\n✓ config")
	for _, want := range []string{
		"from " + auraFileName + " NEO4J_URI",
		"from " + auraFileName + " NEO4J_USERNAME",
		"from " + auraFileName + " NEO4J_PASSWORD",
		"0a1b2c3d",
	} {
		if !strings.Contains(header, want) {
			t.Errorf("header lacks %q:\n%s", want, header)
		}
	}
	// The origin follows the uri, or when the line would be too wide for
	// both, stands under it.
	rows := strings.Split(header, "\n")
	for i, l := range rows {
		if f := strings.Fields(l); len(f) > 0 && f[0] == "uri" && !strings.HasSuffix(l, "from "+auraFileName+" NEO4J_URI") &&
			(i+1 == len(rows) || strings.TrimSpace(rows[i+1]) != "from "+auraFileName+" NEO4J_URI") {
			t.Errorf("uri row %q does not say it came from the file", l)
		}
	}
	if strings.Contains(r.stdout+r.stderr, inst.Password) {
		t.Errorf("the password is printed:\n%s", r)
	}

	r = runCLI(nil, "--dns-server", inst.DNSServer, "--format", "json", path)
	rep := decodeReport(t, r)
	if r.code != 0 || rep.Verdict != "pass" {
		t.Fatalf("want a pass:\n%s", r)
	}
	if s := rep.Target.Settings["uri"]; s.Source != "file" || s.From != auraFileName+" NEO4J_URI" || s.Value != inst.URI {
		t.Errorf("settings.uri = %+v, want %s from the file", s, inst.URI)
	}
	if s := rep.Target.Settings["password"]; s.Source != "file" || s.Value != "" {
		t.Errorf("settings.password = %+v, want source file and no value", s)
	}
	if !strings.Contains(rep.Target.PasswordSource, auraFileName) {
		t.Errorf("passwordSource %q does not name the file", rep.Target.PasswordSource)
	}
	for _, id := range []string{"auth", "routing", "members", "query"} {
		if st, _ := rep.check(id); st != "pass" {
			t.Errorf("check %s is %q, want pass", id, st)
		}
	}
	if rep.Target.AuraInstance != "0a1b2c3d" {
		t.Errorf("auraInstance %q, want 0a1b2c3d", rep.Target.AuraInstance)
	}
	if strings.Contains(r.stdout, inst.Password) {
		t.Errorf("the password is in the JSON report")
	}
}

// TestPrecedence: a flag beats the connection file, which beats the
// environment. The losing values point elsewhere, so a pass proves the
// winners were used, and settings say where each came from.
func TestPrecedence(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "healthy-single")
	const (
		fileURI = "bolt://from-file.neo4j-doctor.test:1"
		envURI  = "bolt://from-env.neo4j-doctor.test:2"
	)
	goodFile := "NEO4J_URI=" + inst.URI + "\nNEO4J_USERNAME=neo4j\nNEO4J_PASSWORD=" + inst.Password + "\nNEO4J_DATABASE=neo4j\n"
	badFile := "NEO4J_URI=" + fileURI + "\nNEO4J_USERNAME=file-user\nNEO4J_PASSWORD=file-pw\nNEO4J_DATABASE=file-db\n"
	badEnv := map[string]string{"NEO4J_URI": envURI, "NEO4J_USERNAME": "env-user", "NEO4J_PASSWORD": "env-pw", "NEO4J_DATABASE": "env-db"}
	goodEnv := map[string]string{"NEO4J_URI": inst.URI, "NEO4J_USERNAME": "neo4j", "NEO4J_PASSWORD": inst.Password, "NEO4J_DATABASE": "neo4j"}
	goodFlags := []string{"--uri", inst.URI, "-u", "neo4j", "-p", inst.Password, "-d", "neo4j"}
	const name = "conn.env"

	type want struct{ source, from string }
	for _, tc := range []struct {
		name  string
		flags []string
		file  string // "" for none
		env   map[string]string
		want  map[string]want // setting → source and from
	}{
		{
			name: "flag beats file and env", flags: goodFlags, file: badFile, env: badEnv,
			want: map[string]want{"uri": {"flag", "--uri"}, "username": {"flag", "--username"}, "password": {"flag", "--password"}, "database": {"flag", "--database"}},
		},
		{
			name: "file beats env", file: goodFile, env: badEnv,
			want: map[string]want{"uri": {"file", name + " NEO4J_URI"}, "username": {"file", name + " NEO4J_USERNAME"}, "password": {"file", name + " NEO4J_PASSWORD"}, "database": {"file", name + " NEO4J_DATABASE"}},
		},
		{
			name: "env alone", env: goodEnv,
			want: map[string]want{"uri": {"env", "NEO4J_URI"}, "username": {"env", "NEO4J_USERNAME"}, "password": {"env", "NEO4J_PASSWORD"}, "database": {"env", "NEO4J_DATABASE"}},
		},
		{
			name:  "each from its own place",
			flags: []string{"-p", inst.Password},
			file:  "NEO4J_URI=" + inst.URI + "\n",
			env:   map[string]string{"NEO4J_URI": envURI, "NEO4J_USERNAME": "neo4j", "NEO4J_PASSWORD": "env-pw"},
			want:  map[string]want{"uri": {"file", name + " NEO4J_URI"}, "username": {"env", "NEO4J_USERNAME"}, "password": {"flag", "--password"}},
		},
		{
			name: "fallback variables NEO4J_ADDRESS and NEO4J_USER",
			env:  map[string]string{"NEO4J_ADDRESS": inst.URI, "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": inst.Password},
			want: map[string]want{"uri": {"env", "NEO4J_ADDRESS"}, "username": {"env", "NEO4J_USER"}, "password": {"env", "NEO4J_PASSWORD"}},
		},
		{
			name: "NEO4J_USER in the file",
			file: "NEO4J_URI=" + inst.URI + "\nNEO4J_USER=neo4j\nNEO4J_PASSWORD=" + inst.Password + "\n",
			env:  map[string]string{"NEO4J_USERNAME": "env-user"},
			want: map[string]want{"username": {"file", name + " NEO4J_USER"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--dns-server", inst.DNSServer, "--format", "json"}, tc.flags...)
			if tc.file != "" {
				args = append(args, writeFile(t, name, tc.file))
			}
			r := runCLI(tc.env, args...)
			rep := decodeReport(t, r)
			if r.code != 0 || rep.Verdict != "pass" {
				t.Errorf("want a pass with the winning values, got exit %d, verdict %s", r.code, rep.Verdict)
			}
			for key, w := range tc.want {
				s, ok := rep.Target.Settings[key]
				if !ok || s.Source != w.source || s.From != w.from {
					t.Errorf("settings[%q] = %+v (present %v), want source %q from %q", key, s, ok, w.source, w.from)
				}
			}
			if _, ok := tc.want["database"]; !ok && rep.Target.Database != "" {
				t.Errorf("database %q, want the home database", rep.Target.Database)
			}
			for _, loser := range []string{"file-pw", "env-pw", "from-file", "from-env", "file-user", "env-user", "file-db", "env-db"} {
				if strings.Contains(r.stdout, loser) {
					t.Errorf("the losing value %q is in the report", loser)
				}
			}
		})
	}
}

// TestValidConnectionFiles: dotenv files as people really write them must
// keep working. Each points at a healthy server; {{URI}} is its URI.
func TestValidConnectionFiles(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "healthy-single")
	std := "NEO4J_URI={{URI}}\nNEO4J_USERNAME=neo4j\nNEO4J_PASSWORD={{PW}}\n"
	for _, tc := range []struct {
		name, content string
		passwordFrom  string // settings.password.from, "" for the file's NEO4J_PASSWORD
	}{
		{name: "aura", content: auraHeader + std + "AURA_INSTANCEID=0a1b2c3d\nAURA_INSTANCENAME=Instance01\n"},
		{name: "crlf", content: strings.ReplaceAll(auraHeader+std+"AURA_INSTANCEID=0a1b2c3d\n", "\n", "\r\n")},
		{name: "export", content: "export NEO4J_URI={{URI}}\nexport NEO4J_USERNAME=neo4j\nexport NEO4J_PASSWORD={{PW}}\n"},
		{name: "double quotes", content: "NEO4J_URI=\"{{URI}}\"\nNEO4J_USERNAME=\"neo4j\"\nNEO4J_PASSWORD=\"{{PW}}\"\n"},
		{name: "single quotes", content: "NEO4J_URI='{{URI}}'\nNEO4J_USERNAME='neo4j'\nNEO4J_PASSWORD='{{PW}}'\n"},
		{name: "duplicate keys, last wins", content: "NEO4J_URI=bolt://stale.neo4j-doctor.test:1\nNEO4J_PASSWORD=stale-pw\n" + std},
		{name: "comments and blank lines", content: "# production\n\n" + auraHeader + "\nNEO4J_URI={{URI}}\n   \n# who\nNEO4J_USERNAME=neo4j # the default user\nNEO4J_PASSWORD={{PW}}\n\n"},
		{name: "no final newline", content: strings.TrimSuffix(std, "\n")},
		{name: "utf-8 byte order mark", content: "\uFEFF" + std},
		{name: "crlf with quotes and export", content: "export NEO4J_URI=\"{{URI}}\"\r\nNEO4J_USERNAME='neo4j'\r\nNEO4J_PASSWORD=\"{{PW}}\"\r\n"},
		{name: "trailing blanks", content: "NEO4J_URI={{URI}}  \t\nNEO4J_USERNAME=neo4j \nNEO4J_PASSWORD={{PW}}\n"},
		{name: "other variables", content: "NEO4J_DATABASE=\nAURA_INSTANCEID=0a1b2c3d\nSOMETHING_ELSE=1\n" + std},
		{name: "credentials in the uri", content: "NEO4J_URI={{CREDURI}}\n", passwordFrom: "the URI (conn.env NEO4J_URI)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			content := strings.NewReplacer(
				"{{URI}}", inst.URI, "{{PW}}", inst.Password,
				"{{CREDURI}}", withUserinfo(t, inst.URI, inst.Username, inst.Password),
			).Replace(tc.content)
			path := writeFile(t, "conn.env", content)
			r := runCLI(nil, "--dns-server", inst.DNSServer, "--format", "json", path)
			if r.code == 3 {
				t.Fatalf("a valid file is rejected:\n%s", r)
			}
			rep := decodeReport(t, r)
			if r.code != 0 || rep.Verdict != "pass" {
				t.Errorf("want exit 0 and pass, got exit %d, verdict %s", r.code, rep.Verdict)
			}
			if s := rep.Target.Settings["uri"]; s.Source != "file" || s.Value != inst.URI {
				t.Errorf("settings.uri = %+v, want %s from the file", s, inst.URI)
			}
			if rep.Target.Username != "neo4j" {
				t.Errorf("username %q, want neo4j", rep.Target.Username)
			}
			wantFrom := tc.passwordFrom
			if wantFrom == "" {
				wantFrom = "conn.env NEO4J_PASSWORD"
			}
			if s := rep.Target.Settings["password"]; s.From != wantFrom || s.Source != "file" {
				t.Errorf("settings.password = %+v, want source file from %q", s, wantFrom)
			}
			if strings.Contains(r.stdout+r.stderr, inst.Password) {
				t.Errorf("the password is printed")
			}
		})
	}

	t.Run("credentials in the --uri flag", func(t *testing.T) {
		t.Parallel()
		r := runCLI(nil, "--dns-server", inst.DNSServer, "--format", "json", "--uri", withUserinfo(t, inst.URI, inst.Username, inst.Password))
		rep := decodeReport(t, r)
		if r.code != 0 || rep.Verdict != "pass" {
			t.Errorf("want exit 0 and pass:\n%s", r)
		}
		if rep.Target.URI != inst.URI || rep.Target.Username != inst.Username {
			t.Errorf("target uri %q user %q, want %s as %s", rep.Target.URI, rep.Target.Username, inst.URI, inst.Username)
		}
		if strings.Contains(r.stdout, inst.Password) {
			t.Errorf("the password is printed")
		}
	})
}

const canary = "canary-Zx9-pw"

// TestSecretsNeverPrinted gives a distinctive password every way there is,
// against every scenario, and checks it never reaches stdout or stderr in
// any format. (The scenarios then fail auth where they check credentials.)
func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			inst := startScenario(t, sc.Name)
			// Scenarios that wait on silence have a short timeout; shorter
			// still here keeps them quick. The outcome does not matter, only
			// what is printed.
			timeout := inst.Timeout
			if timeout < 5*time.Second {
				timeout = 150 * time.Millisecond
			}
			common := []string{"-u", inst.Username, "--dns-server", inst.DNSServer, "--timeout", timeout.String()}
			if inst.CAFile != "" {
				common = append(common, "--ca-file", inst.CAFile)
			}
			common = append(common, inst.Args()...)
			credURI := withUserinfo(t, inst.URI, inst.Username, canary)
			fileWith := func(content string) string { return writeFile(t, auraFileName, content) }
			sources := []struct {
				name   string
				args   []string
				env    map[string]string
				secret string
			}{
				{"flag", append([]string{"--uri", inst.URI, "-p", canary}, common...), nil, canary},
				{"env", append([]string{"--uri", inst.URI}, common...), map[string]string{"NEO4J_PASSWORD": canary}, canary},
				{"file", append(slices.Clone(common), fileWith(auraHeader+"NEO4J_URI="+inst.URI+"\nNEO4J_PASSWORD="+canary+"\n")), nil, canary},
				{"uri flag", append([]string{"--uri", credURI}, common[2:]...), nil, canary},
				{"uri env", common[2:], map[string]string{"NEO4J_URI": credURI}, canary},
				{"uri file", append(slices.Clone(common[2:]), fileWith("NEO4J_URI="+credURI+"\n")), nil, canary},
				// A bearer token instead of the user and password, each
				// way there is.
				{"token flag", append([]string{"--uri", inst.URI, "--bearer-token", canaryToken}, common[2:]...), nil, canaryToken},
				{"token env", append([]string{"--uri", inst.URI}, common[2:]...), map[string]string{"NEO4J_BEARER_TOKEN": canaryToken}, canaryToken},
				{"token file", append(slices.Clone(common[2:]), fileWith("NEO4J_URI="+inst.URI+"\nNEO4J_BEARER_TOKEN="+canaryToken+"\n")), nil, canaryToken},
			}
			for _, src := range sources {
				formats := [][]string{{"--format", "text"}, {"--format", "json"}, {"--verbose"}, {"--verbose", "--format", "json"}}
				if src.secret == canaryToken {
					formats = formats[2:] // verbose shows all the plain report does
				}
				for _, format := range formats {
					r := runCLI(src.env, append(slices.Clone(src.args), format...)...)
					if r.code == 3 {
						t.Errorf("secret by %s %v: valid input rejected:\n%s", src.name, format, r)
					}
					if sc.Expect.Verdict == "pass" && r.code != 1 && src.secret == canary {
						// Proof the canary was the password tried.
						t.Errorf("password by %s %v: a healthy server accepted the wrong password:\n%s", src.name, format, r)
					}
					if where := leaked(r.stdout+r.stderr, src.secret); where != "" {
						t.Errorf("secret by %s %v: %s:\n%s", src.name, format, where, r)
					}
				}
			}
		})
	}
}

// TestSecretsNeverPrintedOnBadInput: input the CLI rejects (exit 3) must not
// echo the password either; people paste these errors into tickets.
func TestSecretsNeverPrintedOnBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		file string // written to conn.env and appended to args when set
	}{
		{name: "bad port", args: []string{"--uri", "neo4j://neo4j:" + canary + "@localhost:abc"}},
		{name: "port out of range", args: []string{"--uri", "neo4j://neo4j:" + canary + "@localhost:70000"}},
		{name: "unknown scheme", args: []string{"--uri", "foo://neo4j:" + canary + "@localhost"}},
		{name: "http scheme", args: []string{"--uri", "http://neo4j:" + canary + "@localhost:7474"}},
		{name: "path", args: []string{"--uri", "neo4j://neo4j:" + canary + "@localhost/neo4j"}},
		{name: "bad host", args: []string{"--uri", "neo4j://neo4j:" + canary + "@bad$host:7687"}},
		{name: "routing context on bolt", args: []string{"--uri", "bolt://neo4j:" + canary + "@localhost?region=eu"}},
		{name: "bad format with -p", args: []string{"--uri", "bolt://localhost", "-p", canary, "--format", "xml"}},
		{name: "uri without a scheme", args: []string{"--uri", "neo4j:" + canary + "@localhost:7687"}},
		{name: "file: unterminated quote", file: "NEO4J_URI=bolt://localhost\nNEO4J_PASSWORD=\"" + canary + "\n"},
		{name: "file: unterminated single quote", file: "NEO4J_URI=bolt://localhost\nNEO4J_PASSWORD='" + canary + "\n"},
		{name: "file: missing equals sign", file: "NEO4J_URI=bolt://localhost\nNEO4J_PASSWORD " + canary + "\n"},
		{name: "file: password alone on a line", file: "NEO4J_URI=bolt://localhost\n" + canary + "\n"},
		{name: "file: uri with credentials and bad port", file: "NEO4J_URI=neo4j://neo4j:" + canary + "@localhost:0\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := tc.args
			if tc.file != "" {
				args = append(args, writeFile(t, "conn.env", tc.file))
			}
			r := runCLI(nil, args...)
			if r.code != 3 || r.stdout != "" || !strings.HasPrefix(r.stderr, "error: ") {
				t.Errorf("want exit 3 and an error on stderr only:\n%s", r)
			}
			if strings.Contains(r.stdout+r.stderr, canary) {
				t.Errorf("the password is printed:\n%s", r)
			}
		})
	}
}

// TestRoutingContext: a routing context on neo4j:// is valid and kept.
func TestRoutingContext(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "healthy-cluster")
	r := runCLI(instEnv(inst), instArgs(inst, "--format", "json", "--uri", inst.URI+"?region=eu&policy=fast")...)
	rep := decodeReport(t, r)
	if r.code != 0 || rep.Verdict != "pass" {
		t.Errorf("want exit 0 and pass:\n%s", r)
	}
	if !strings.Contains(rep.Target.URI, "region=eu") || !strings.Contains(rep.Target.URI, "policy=fast") {
		t.Errorf("target uri %q lost the routing context", rep.Target.URI)
	}
}

// TestMoreBadInput: bad input that needs a file system or is too big for a
// script is exit 3 with one error: and one hint: line.
func TestMoreBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big.env")
	if err := os.WriteFile(big, append([]byte("NEO4J_URI=bolt://localhost\n"), bytes.Repeat([]byte("#"), 1<<20)...), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string // in the error line
	}{
		{"file over 1 MiB", []string{big}, "big.env"},
		{"ca-file is a directory", []string{"--uri", "bolt://localhost", "--ca-file", dir}, "CA file"},
		{"ca-file is empty", []string{"--uri", "bolt://localhost", "--ca-file", writeFile(t, "empty.pem", "")}, "no PEM certificate"},
		{"uri flag empty", []string{"--uri", ""}, "no Neo4j URI"},
		{"uri only blanks in env", nil, "URI"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			if tc.args == nil {
				env["NEO4J_URI"] = "   "
			}
			assertInputError(t, runCLI(env, tc.args...), tc.want)
		})
	}
}

// assertInputError checks the exit-3 contract: nothing on stdout, exactly
// an error: line containing want and a hint: line on stderr.
func assertInputError(t *testing.T, r result, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if r.code != 3 || r.stdout != "" || len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "error: ") || !strings.HasPrefix(lines[1], "hint: ") ||
		!strings.Contains(lines[0], want) {
		t.Errorf("want exit 3, no stdout, an error: line with %q and a hint: line:\n%s", want, r)
	}
}

// TestBadDNSServer: a malformed --dns-server is a bad flag (exit 3), not a
// DNS failure of the target (exit 2) whose hint suggests another server.
func TestBadDNSServer(t *testing.T) {
	t.Parallel()
	for _, server := range []string{"127.0.0.1:99999", "127.0.0.1:", "[::1", "127.0.0.1:0"} {
		t.Run(server, func(t *testing.T) {
			t.Parallel()
			r := runCLI(nil, "--dns-server", server, "--timeout", "300ms", "--uri", "bolt://db.neo4j-doctor.test:7687")
			assertInputError(t, r, "--dns-server")
		})
	}
}

// TestURIWithCredentialsDiagnosis: credentials in a URI must not turn a
// plain mistake into a wrong diagnosis.
func TestURIWithCredentialsDiagnosis(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ uri, want string }{
		// A non-numeric port is a port problem, with or without user:pass@.
		{"neo4j://neo4j:secret@localhost:abc", "port"},
		{"neo4j://neo4j@localhost:abc", "port"},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			t.Parallel()
			r := runCLI(nil, "--uri", tc.uri)
			if r.code != 3 {
				t.Fatalf("want exit 3:\n%s", r)
			}
			errLine, _, _ := strings.Cut(r.stderr, "\n")
			if strings.Contains(errLine, "IPv6") || !strings.Contains(errLine, tc.want) {
				t.Errorf("error %q, want it to be about the %s, not IPv6", errLine, tc.want)
			}
		})
	}
}

// TestQuiet: --quiet prints nothing at all and keeps the exit code.
func TestQuiet(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"healthy-single", "wrong-password", "partial-outage", "nothing-listening"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			inst := startScenario(t, name)
			want := inst.Scenario.Expect.Exit
			for _, args := range [][]string{
				instArgs(inst, "--quiet"),
				instArgs(inst, "-q", "--format", "json"),
				instArgs(inst, "--quiet", "--verbose"),
				{"demo", name, "--quiet"},
			} {
				r := runCLI(instEnv(inst), args...)
				if r.code != want || r.stdout != "" || r.stderr != "" {
					t.Errorf("%v: want exit %d and no output:\n%s", args, want, r)
				}
			}
		})
	}
	t.Run("strict", func(t *testing.T) {
		t.Parallel()
		if r := runCLI(nil, "demo", "partial-outage", "--quiet", "--strict"); r.code != 1 || r.stdout+r.stderr != "" {
			t.Errorf("want exit 1 and no output:\n%s", r)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		t.Parallel()
		if r := runCLI(nil, "--quiet", "--uri", "http://localhost:7474"); r.code != 3 || r.stdout != "" {
			t.Errorf("want exit 3 and nothing on stdout:\n%s", r)
		}
	})
}

// TestStrict: --strict turns a warning into exit 1; the verdict stays warn.
// Passing and failing runs keep their codes.
func TestStrict(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scenario             string
		plain, strict        int
		verdict              string
		strictTextLastPrefix string
	}{
		{"partial-outage", 0, 1, "warn", "! warn — "},
		{"localhost-advertised", 0, 1, "warn", "! warn — "},
		{"healthy-cluster", 0, 0, "pass", "✓ pass — "},
		{"wrong-password", 1, 1, "fail", "✗ fail — "},
		{"unknown-host", 2, 2, "fail", "✗ fail — "},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			t.Parallel()
			inst := startScenario(t, tc.scenario)
			for _, c := range []struct {
				extra []string
				want  int
			}{{nil, tc.plain}, {[]string{"--strict"}, tc.strict}} {
				r := runCLI(instEnv(inst), instArgs(inst, append([]string{"--format", "json"}, c.extra...)...)...)
				rep := decodeReport(t, r)
				if r.code != c.want || rep.Verdict != tc.verdict {
					t.Errorf("%v: exit %d verdict %s, want exit %d verdict %s", c.extra, r.code, rep.Verdict, c.want, tc.verdict)
				}
				r = runCLI(instEnv(inst), instArgs(inst, c.extra...)...)
				if r.code != c.want || !strings.Contains(r.stdout, "\n"+tc.strictTextLastPrefix) {
					t.Errorf("%v text: want exit %d and a %q line:\n%s", c.extra, c.want, tc.strictTextLastPrefix, r)
				}
			}
		})
	}
	t.Run("demo", func(t *testing.T) {
		t.Parallel()
		r := runCLI(nil, "demo", "partial-outage", "--strict", "--format", "json")
		if rep := decodeReport(t, r); r.code != 1 || rep.Verdict != "warn" {
			t.Errorf("want exit 1 and verdict warn:\n%s", r)
		}
	})
}

// TestColor: escape sequences only when asked for or on a terminal without
// NO_COLOR; never in JSON. See also TestColorAutoOnTerminal.
func TestColor(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "wrong-password")
	env := func(kv ...string) map[string]string {
		m := instEnv(inst)
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want bool
	}{
		{"always", env(), []string{"--color", "always"}, true},
		{"always beats NO_COLOR", env("NO_COLOR", "1"), []string{"--color", "always"}, true},
		{"auto with NO_COLOR", env("NO_COLOR", "1"), []string{"--color", "auto"}, false},
		{"default with NO_COLOR", env("NO_COLOR", "1"), nil, false},
		{"auto into a buffer", env(), []string{"--color", "auto"}, false},
		{"never", env(), []string{"--color", "never"}, false},
		{"never with TERM", env("TERM", "xterm-256color", "CLICOLOR_FORCE", "1"), []string{"--color", "never"}, false},
		{"json with always", env(), []string{"--color", "always", "--format", "json"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(tc.env, instArgs(inst, tc.args...)...)
			if r.code != 1 {
				t.Errorf("exit %d, want 1\n%s", r.code, r)
			}
			if got := strings.Contains(r.stdout, "\x1b["); got != tc.want {
				t.Errorf("escape sequences %v, want %v:\n%q", got, tc.want, r.stdout)
			}
			if strings.Contains(r.stderr, "\x1b") {
				t.Errorf("escape sequences on stderr: %q", r.stderr)
			}
			if slices.Contains(tc.args, "json") {
				decodeReport(t, r)
			} else if plain := stripANSI(r.stdout); !strings.Contains(plain, "\n✗ auth ") || !strings.Contains(plain, "fix: ") {
				t.Errorf("the coloured report lost its content:\n%s", plain)
			}
		})
	}
	t.Run("bad input with always", func(t *testing.T) {
		t.Parallel()
		r := runCLI(nil, "--color", "always", "--uri", "foo://x")
		if r.code != 3 || strings.Contains(r.stderr, "\x1b") {
			t.Errorf("want exit 3 and a plain diagnostic:\n%q", r.stderr)
		}
	})
}

// TestColorPerStream: colour is decided for stdout and stderr apart, from
// whether each is a terminal (here a fake one, report.Streams' OutTTY and
// ErrTTY), with --color auto, the default.
func TestColorPerStream(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "nothing-listening")
	for _, tc := range []struct {
		name             string
		outTTY, errTTY   bool
		env              map[string]string
		wantOut, wantErr bool
	}{
		{"stdout a terminal", true, false, nil, true, false},
		{"stderr a terminal", false, true, nil, false, true},
		{"both terminals", true, true, nil, true, true},
		{"both terminals, NO_COLOR", true, true, map[string]string{"NO_COLOR": "1"}, false, false},
		{"both terminals, TERM=dumb", true, true, map[string]string{"TERM": "dumb"}, false, false},
		{"neither", false, false, nil, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, out, errb := report.TestStreams()
			s.OutTTY, s.ErrTTY = tc.outTTY, tc.errTTY
			env := instEnv(inst)
			for k, v := range tc.env {
				env[k] = v
			}
			// --wait writes a progress line per attempt to stderr.
			r := runStreams(s, out, errb, env, instArgs(inst, "--wait", "300ms")...)
			if r.code != 2 || !strings.Contains(stripANSI(r.stdout), "\n✗ fail — ") || !strings.HasPrefix(stripANSI(r.stderr), "wait: attempt 1 ") {
				t.Fatalf("want exit 2, the report and --wait's lines:\n%s", r)
			}
			if got := strings.Contains(r.stdout, "\x1b["); got != tc.wantOut {
				t.Errorf("escape sequences on stdout %v, want %v:\n%q", got, tc.wantOut, r.stdout)
			}
			if got := strings.Contains(r.stderr, "\x1b["); got != tc.wantErr {
				t.Errorf("escape sequences on stderr %v, want %v:\n%q", got, tc.wantErr, r.stderr)
			}
		})
	}
}

// stripANSI drops CSI escape sequences.
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// TestFlagsAfterFile: people write `neo4j-doctor Neo4j-x.txt --format json`.
func TestFlagsAfterFile(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "healthy-single")
	path := writeFile(t, auraFileName, auraHeader+"NEO4J_URI="+inst.URI+"\nNEO4J_USERNAME=neo4j\nNEO4J_PASSWORD="+inst.Password+"\n")
	for _, args := range [][]string{
		{path, "--format", "json", "--dns-server", inst.DNSServer},
		{path, "--format=json", "--dns-server=" + inst.DNSServer},
		{"--format", "json", path, "--dns-server", inst.DNSServer, "--timeout", "5s"},
		{"check", path, "--format", "json", "--dns-server", inst.DNSServer},
		{"--format", "json", "--dns-server", inst.DNSServer, "--", path},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCLI(nil, args...)
			rep := decodeReport(t, r)
			if r.code != 0 || rep.Verdict != "pass" {
				t.Errorf("want exit 0 and pass:\n%s", r)
			}
			if s := rep.Target.Settings["uri"]; s.Source != "file" {
				t.Errorf("settings.uri = %+v, want from the file", s)
			}
		})
	}
	t.Run("bad flag after the file", func(t *testing.T) {
		t.Parallel()
		r := runCLI(nil, path, "--format", "xml")
		if r.code != 3 || r.stdout != "" || !strings.Contains(r.stderr, `--format "xml"`) {
			t.Errorf("want exit 3 for --format xml:\n%s", r)
		}
	})
}

// TestFlagsBeforeSubcommand: a flag written before `demo` or `check` must be
// honoured or rejected by name, never silently dropped.
func TestFlagsBeforeSubcommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		flag string // a rejection must name it
		ok   func(r result) bool
		want string
	}{
		{[]string{"--format", "json", "demo", "healthy-single"}, "format", func(r result) bool { return contract.Report([]byte(r.stdout)) == nil }, "a JSON report"},
		{[]string{"--quiet", "demo", "wrong-password"}, "quiet", func(r result) bool { return r.stdout == "" && r.code == 1 }, "no output and exit 1"},
		{[]string{"--format", "xml", "demo", "healthy-single"}, "format", func(r result) bool { return r.code == 3 && strings.Contains(r.stderr, `--format "xml"`) }, "exit 3 for --format xml"},
		{[]string{"--uri", "bolt://localhost:0", "check"}, "uri", func(r result) bool { return r.code == 3 && strings.Contains(r.stderr, `port "0"`) }, `exit 3 for port "0"`},
		{[]string{"--format", "xml", "check", "--uri", "bolt://localhost:0"}, "format", func(r result) bool {
			return r.code == 3 && (strings.Contains(r.stderr, "xml") || strings.Contains(r.stderr, `port "0"`))
		}, "exit 3 for --format xml or the port"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCLI(nil, tc.args...)
			if r.code == 3 && r.stdout == "" && strings.HasPrefix(r.stderr, "error: ") && strings.Contains(r.stderr, tc.flag) {
				return // rejected by name: acceptable
			}
			if !tc.ok(r) {
				t.Errorf("the flag before the subcommand was not honoured; want %s, or exit 3 naming --%s:\n%s", tc.want, tc.flag, r)
			}
		})
	}
}

// TestRunConcurrently: Run is a function the tests (and anyone embedding
// the CLI) call from many goroutines at once; no two calls may race,
// whatever urfave/cli does with its help and version flags and its help
// command, and each must say exactly what it says alone. Run with -race.
func TestRunConcurrently(t *testing.T) {
	t.Parallel()
	cases := [][]string{
		{"--version"}, {"--help"}, {"-h"}, {"check", "--help"}, {"demo", "help"}, {"check", "help", "demo"},
		{"--format", "xml"}, {"demo", "--list"}, {"--uri", "foo://x"}, {"completion", "fish"}, {"man"},
		{"demo", "healthy-single", "--format", "json"}, {"demo", "no-writers"},
	}
	alone := make([]result, len(cases))
	for i, args := range cases {
		alone[i] = runCLI(nil, args...)
		alone[i].took = 0
	}
	var wg sync.WaitGroup
	for range 3 {
		for i, args := range cases {
			wg.Go(func() {
				r := runCLI(nil, args...)
				r.took = 0
				if args[0] == "demo" && len(args) > 1 && args[1] != "--list" && args[1] != "help" {
					// A diagnosis names its own servers' ports and times.
					if r.code != alone[i].code || (r.stdout == "") != (alone[i].stdout == "") || r.stderr != alone[i].stderr {
						t.Errorf("%v at once: %s\nalone: %s", args, r, alone[i])
					}
					return
				}
				if r != alone[i] {
					t.Errorf("%v at once: %s\nalone: %s", args, r, alone[i])
				}
			})
		}
	}
	wg.Wait()
}

// TestTimeoutIsBounded: against a server that never answers, the run ends
// within a few step timeouts, with exit 2.
func TestTimeoutIsBounded(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "silent-server")
	r := runCLI(instEnv(inst), "--uri", inst.URI, "--dns-server", inst.DNSServer, "-u", "neo4j", "--timeout", "200ms", "--format", "json")
	if r.took > 3*time.Second {
		t.Errorf("a 200ms step timeout took %s", r.took)
	}
	if rep := decodeReport(t, r); r.code != 2 || rep.Verdict != "fail" {
		t.Errorf("want exit 2 and fail:\n%s", r)
	}
}

// TestWidth: the text report wraps at COLUMNS, else at stdout's terminal
// width, else at 100, on stdout and in an -o file (COLUMNS, else 100: a
// file is no terminal); `demo` and `check` wrap too.
func TestWidth(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "nothing-listening")
	widest := func(s string) int {
		w := 0
		for l := range strings.Lines(stripANSI(s)) {
			w = max(w, utf8.RuneCountInString(strings.TrimSuffix(l, "\n")))
		}
		return w
	}
	for _, tc := range []struct {
		name    string
		columns string
		tty     bool
		ttyCols int
		want    int
	}{
		{"COLUMNS", "60", false, 0, 60},
		{"COLUMNS beats the terminal", "60", true, 120, 60},
		{"the terminal", "", true, 72, 72},
		{"a pipe", "", false, 0, 100},
		{"COLUMNS not a number", "many", false, 0, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, out, errb := report.TestStreams()
			s.OutTTY, s.OutColumns = tc.tty, tc.ttyCols
			env := instEnv(inst)
			env["COLUMNS"] = tc.columns
			file := filepath.Join(t.TempDir(), "report.txt")
			r := runStreams(s, out, errb, env, instArgs(inst, "--color", "never", "--format", "text,text", "-o", "-", "-o", file)...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2:\n%s", r.code, r)
			}
			// The fix of nothing-listening is long enough to reach the width.
			if w := widest(r.stdout); w > tc.want || w < tc.want-12 {
				t.Errorf("stdout is %d wide, want at most %d and close to it:\n%s", w, tc.want, r.stdout)
			}
			fileWant := tc.want
			if tc.columns == "" || tc.columns == "many" {
				fileWant = 100 // a file is no terminal
			}
			if w := widest(readFile(t, file)); w > fileWant || w < fileWant-12 {
				t.Errorf("-o file is %d wide, want at most %d and close to it", w, fileWant)
			}
		})
	}
	for _, args := range [][]string{{"demo", "nothing-listening"}, {"check"}} {
		env := map[string]string{"COLUMNS": "50"}
		if args[0] == "check" {
			env = instEnv(inst)
			env["COLUMNS"] = "50"
			args = instArgs(inst)
		}
		if r := runCLI(env, args...); widest(r.stdout) > 50 {
			t.Errorf("%v with COLUMNS=50 is %d wide:\n%s", args, widest(r.stdout), r.stdout)
		}
	}
}
