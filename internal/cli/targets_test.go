package cli

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract"
)

// fleetCanary is every fleet target's password; no output may hold it.
const fleetCanary = "Fleet-Canary-31b7"

// fleetFile writes a targets file for running scenarios, each password read
// from <NAME>_PW, plus a target on a port nothing listens on.
func fleetFile(t *testing.T, insts map[string]*scenarios.Instance, order []string) (string, map[string]string) {
	t.Helper()
	env := map[string]string{}
	var b strings.Builder
	b.WriteString("concurrency: 3\ntargets:\n")
	for _, name := range order {
		in := insts[name]
		v := strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_PW"
		env[v] = in.Password
		fmt.Fprintf(&b, "  - name: %s\n    uri: %s\n    username: %s\n    passwordEnv: %s\n    dnsServer: %s\n    timeout: %s\n",
			name, in.URI, in.Username, v, in.DNSServer, in.Timeout)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	_ = ln.Close()
	fmt.Fprintf(&b, "  - name: down\n    uri: bolt://%s\n    username: neo4j\n    passwordEnv: DOWN_PW\n    timeout: 2s\n", down)
	env["DOWN_PW"] = fleetCanary
	return writeFile(t, "targets.yml", b.String()), env
}

func TestCheckTargets(t *testing.T) {
	t.Parallel()
	insts := map[string]*scenarios.Instance{
		"healthy-cluster": startScenario(t, "healthy-cluster"),
		"wrong-password":  startScenario(t, "wrong-password"),
		"partial-outage":  startScenario(t, "partial-outage"),
	}
	path, env := fleetFile(t, insts, []string{"healthy-cluster", "wrong-password", "partial-outage"})

	r := runCLI(env, "check", "--targets", path, "--color", "never")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2 (down is the worst: no response)\n%s", r.code, r)
	}
	// Failures first (in file order), then the warning; the healthy
	// target is a count line.
	lines := strings.Split(r.stdout, "\n")
	want := []struct{ name, sym, verdict, failing, bolt string }{
		{"wrong-password", "✗", "fail", "auth", "5.8"},
		{"down", "✗", "fail", "tcp", "–"},
		{"partial-outage", "!", "warn", "members", "5.8"},
	}
	for i, w := range want {
		f := strings.Fields(lines[3+i])
		if len(f) < 6 || f[0] != w.sym || f[1] != w.name || f[2] != w.verdict || f[3] != w.failing || f[4] != w.bolt {
			t.Errorf("row %d = %q, want %+v", i, f, w)
		}
	}
	if lines[6] != "✓ 1 healthy target (--verbose lists them)" || strings.Contains(r.stdout, "healthy-cluster") {
		t.Errorf("the healthy target is not one count line: %q", lines[6])
	}
	for _, name := range []string{"wrong-password", "partial-outage", "down"} {
		if !strings.Contains(r.stdout, "━━ "+name+" ━") {
			t.Errorf("no report for %s", name)
		}
	}
	for _, want := range []string{
		"fix: the server rejected user \"neo4j\"", // wrong-password's report
		"password  set  from WRONG_PASSWORD_PW (passwordEnv)",
		"✗ fail — 4 targets: 1 passed, 1 warned, 2 failed in",
	} {
		if !strings.Contains(strings.Join(strings.Fields(r.stdout), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if r.stderr != "" {
		t.Errorf("stderr: %s", r.stderr)
	}

	// --verbose lists the healthy target's row, after the others, and
	// prints no report for it.
	r = runCLI(env, "check", "--targets", path, "--color", "never", "--verbose")
	if lines := strings.Split(r.stdout, "\n"); r.code != 2 || !strings.HasPrefix(lines[6], "✓ healthy-cluster  ") || strings.Contains(r.stdout, "━━ healthy-cluster") || strings.Contains(r.stdout, "healthy target") {
		t.Errorf("--verbose:\n%s", r)
	}

	// The root command takes --targets too, and --format json carries every report.
	r = runCLI(env, "--targets", path, "--format", "json")
	if r.code != 2 {
		t.Fatalf("json: exit %d\n%s", r.code, r)
	}
	if err := contract.Fleet([]byte(r.stdout)); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	var doc struct {
		ExitCode int
		Targets  []struct {
			Name   string
			Report struct {
				ExitCode int
				Verdict  string
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, tg := range doc.Targets {
		got = append(got, fmt.Sprintf("%s:%s:%d", tg.Name, tg.Report.Verdict, tg.Report.ExitCode))
	}
	if want := "healthy-cluster:pass:0 wrong-password:fail:1 partial-outage:warn:0 down:fail:2"; strings.Join(got, " ") != want || doc.ExitCode != 2 {
		t.Errorf("json targets %v exit %d, want %s exit 2", got, doc.ExitCode, want)
	}

	r = runCLI(env, "check", "--targets", path, "--format", "junit")
	var suites struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name string `xml:"name,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(r.stdout), &suites); err != nil || r.code != 2 {
		t.Fatalf("junit: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	if len(suites.Suites) < 4 || suites.Suites[0].Name != "healthy-cluster checks" || suites.Failures < 2 {
		t.Errorf("junit suites %+v", suites)
	}

	r = runCLI(env, "check", "--targets", path, "--quiet")
	if r.code != 2 || r.stdout != "" || r.stderr != "" {
		t.Errorf("--quiet: %s", r)
	}
}

// TestCheckTargetsHealthy: a fleet where every target passes exits 0 and
// prints only the table.
func TestCheckTargetsHealthy(t *testing.T) {
	t.Parallel()
	in := startScenario(t, "healthy-single")
	path := writeFile(t, "t.yml", fmt.Sprintf("defaults:\n  username: neo4j\n  passwordEnv: PW\n  dnsServer: %s\ntargets:\n  - {name: a, uri: '%s'}\n  - {name: b, uri: '%s', skip: [query]}\n",
		in.DNSServer, in.URI, in.URI))
	r := runCLI(map[string]string{"PW": in.Password}, "check", "--targets", path, "--color", "never")
	if r.code != 0 || strings.Contains(r.stdout, "━━") || !strings.Contains(r.stdout, "✓ pass — 2 targets: 2 passed in") {
		t.Errorf("%s", r)
	}
}

func TestCheckTargetsBadInput(t *testing.T) {
	t.Parallel()
	good := writeFile(t, "good.yml", "targets:\n  - {name: a, uri: 'bolt://127.0.0.1:1', passwordEnv: PW}\n")
	inline := writeFile(t, "inline.yml", "targets:\n  - name: a\n    uri: bolt://127.0.0.1:1\n    password: "+fleetCanary+"\n")
	env := map[string]string{"PW": fleetCanary}
	for _, c := range []struct {
		name      string
		env       map[string]string
		args      []string
		err, hint string
	}{
		{"inline password", env, []string{"check", "--targets", inline}, "inline.yml:4: password: the targets file never holds a password inline", "passwordEnv: NAME"},
		{"missing file", env, []string{"check", "--targets", good + ".nope"}, "does not exist", "README"},
		{"unset variable", nil, []string{"check", "--targets", good}, `target "a": environment variable PW (its passwordEnv) is not set`, "export PW"},
		{"with --uri", env, []string{"check", "--targets", good, "--uri", "bolt://x"}, "--uri and --targets together", "uri: in the targets file"},
		{"with --timeout", env, []string{"check", "--targets", good, "--timeout", "1s"}, "--timeout and --targets together", "under defaults:"},
		{"with a file", env, []string{"check", "--targets", good, "Neo4j-x.txt"}, "a connection file and --targets together", ""},
		{"format", env, []string{"check", "--targets", good, "--format", "markdown"}, `--format "markdown" is not a format for --targets`, "text, json or junit"},
		{"unknown skip", env, []string{"check", "--targets", good, "--skip", "nope"}, `no check is called "nope"`, ""},
	} {
		r := runCLI(c.env, c.args...)
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		if r.code != 3 || r.stdout != "" || len(lines) != 2 || !strings.HasPrefix(lines[0], "error: ") || !strings.Contains(lines[0], c.err) || !strings.HasPrefix(lines[1], "hint: ") || !strings.Contains(lines[1], c.hint) {
			t.Errorf("%s: %s\nwant exit 3, error: …%s, hint: …%s", c.name, r, c.err, c.hint)
		}
		if strings.Contains(r.stdout+r.stderr, fleetCanary) {
			t.Errorf("%s: the password is printed", c.name)
		}
	}
}
