package cli

// End-to-end tests of the CLI as users run it: testscript scripts in
// testdata/script exec the real program (this test binary, re-executed under
// the name neo4j-doctor) and assert its exit status, stdout and stderr.
//
// Everything stays on loopback: the demo scenarios and demo-start bring their
// own Bolt servers and their own DNS server, and nothing resolves real names.

import (
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"go.uber.org/goleak"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
	"github.com/neo4j-doctor/neo4j-doctor/internal/truststore"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

func TestMain(m *testing.M) {
	// No test reads this machine's trust stores: the doctor looks in an
	// empty search (the system store is Go's, as without it).
	defaultTrustSearch = func() truststore.Search { return truststore.Search{} }
	// Whether the tests run in a container is no part of any verdict
	// they assert: the CLI reads the environment it is given, and no
	// container sign (checks' own tests cover those).
	machineEnv = func(v string, getenv func(string) string) *checks.Env {
		return &checks.Env{Version: v, Getenv: getenv}
	}
	testscript.Main(leakCheck{m}, map[string]func(){
		"neo4j-doctor": func() { os.Exit(Run(os.Args, report.NewStreams(os.Stdout, os.Stderr), os.Getenv)) },
		"expect-exit":  expectExit,
	})
}

// leakCheck fails the test binary when a goroutine started by a test (a
// diagnosis, a fixture) outlives it: Run is called in-process by the Go
// tests, so a leak there is a leak in the CLI.
type leakCheck struct{ m *testing.M }

func (l leakCheck) Run() int {
	code := l.m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			return 1
		}
	}
	return code
}

// expectExit is the script command `exec expect-exit CODE neo4j-doctor
// [args...]`: it runs the CLI with the real stdout and stderr and succeeds
// only when the exit code is exactly CODE. testscript's `! exec` only knows
// zero from non-zero, and the exit codes are the CLI's contract.
func expectExit() {
	if len(os.Args) < 3 || os.Args[2] != "neo4j-doctor" {
		fmt.Fprintln(os.Stderr, "usage: expect-exit CODE neo4j-doctor [args...]")
		os.Exit(125)
	}
	want, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "expect-exit: bad code %q\n", os.Args[1])
		os.Exit(125)
	}
	if got := Run(os.Args[2:], report.NewStreams(os.Stdout, os.Stderr), os.Getenv); got != want {
		fmt.Fprintf(os.Stderr, "expect-exit: exit status %d, want %d\n", got, want)
		os.Exit(125)
	}
	os.Exit(0)
}

// noRaceExitSleep: a -race binary sleeps a second before exiting (to catch
// late reports); each exec in a script would pay it. Keeps the caller's
// other GORACE options.
func noRaceExitSleep(e *testscript.Env) error {
	e.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	return nil
}

func TestScript(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup:               noRaceExitSleep,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"diag":       cmdDiag,
			"hexfile":    cmdHexfile,
			"demo-start": cmdDemoStart,
			"envsubst":   cmdEnvsubst,
		},
	})
}

// diag ERROR_RE HINT_RE checks the stderr of the last command is exactly one
// `error: ` line matching ERROR_RE and one `hint: ` line matching HINT_RE:
// the shape of every exit-3 diagnostic, which scripts grep.
func cmdDiag(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: diag ERROR_REGEXP HINT_REGEXP")
	}
	stderr := ts.ReadFile("stderr")
	if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
		ts.Fatalf("stderr has a panic or a stack trace:\n%s", stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if len(lines) != 2 || !strings.HasSuffix(stderr, "\n") {
		ts.Fatalf("stderr is %d lines, want exactly an error: line and a hint: line:\n%s", len(lines), stderr)
	}
	for i, want := range []struct{ label, re string }{{"error: ", args[0]}, {"hint: ", args[1]}} {
		line := lines[i]
		if !strings.HasPrefix(line, want.label) {
			ts.Fatalf("stderr line %d is %q, want it to start with %q", i+1, line, want.label)
		}
		re, err := regexp.Compile(want.re)
		ts.Check(err)
		if !re.MatchString(strings.TrimPrefix(line, want.label)) {
			ts.Fatalf("stderr line %d is %q, want it to match %q", i+1, line, want.re)
		}
	}
}

// hexfile NAME HEX writes the decoded bytes to NAME: binary and UTF-16 files
// do not belong in a txtar archive.
func cmdHexfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: hexfile NAME HEX")
	}
	b, err := hex.DecodeString(args[1])
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b, 0o644))
}

// demo-start SCENARIO starts a demo scenario in the test process for the
// rest of the script and sets DEMO_URI, DEMO_SCHEME, DEMO_HOSTPORT, DEMO_DNS,
// DEMO_CA (empty without one) and DEMO_USER. The password stays out of the
// environment: scripts that need it write it.
func cmdDemoStart(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: demo-start SCENARIO")
	}
	sc, ok := scenarios.LookupScenario(args[0])
	if !ok {
		ts.Fatalf("no scenario %q", args[0])
	}
	inst, err := sc.Start()
	ts.Check(err)
	ts.Defer(func() { _ = inst.Close() })
	u, err := url.Parse(inst.URI)
	ts.Check(err)
	ts.Setenv("DEMO_URI", inst.URI)
	ts.Setenv("DEMO_SCHEME", u.Scheme)
	ts.Setenv("DEMO_HOSTPORT", u.Host)
	ts.Setenv("DEMO_DNS", inst.DNSServer)
	ts.Setenv("DEMO_CA", inst.CAFile)
	ts.Setenv("DEMO_USER", inst.Username)
}

// envsubst FILE... replaces ${NAME} in each file with the script's
// environment variable NAME, so connection files can name a demo server.
func cmdEnvsubst(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: envsubst FILE...")
	}
	re := regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
	for _, name := range args {
		data := ts.ReadFile(name)
		data = re.ReplaceAllStringFunc(data, func(m string) string {
			return ts.Getenv(re.FindStringSubmatch(m)[1])
		})
		ts.Check(os.WriteFile(ts.MkAbs(name), []byte(data), 0o644))
	}
}
