package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// TestServeForAnyClient: every scenario served (demo --serve) is reached
// at 127.0.0.1 with the real ports, unless its point is a name, which it
// then says; and the command it prints to diagnose it, run as printed,
// gives the scenario's verdict, failing check and hint (but for the idle
// probe's scenarios, which only wait).
func TestServeForAnyClient(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			inst, err := sc.Serve(scenarios.ServeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = inst.Close() })
			u, err := url.Parse(inst.URI)
			if err != nil {
				t.Fatal(err)
			}
			if u.Hostname() != "127.0.0.1" && sc.Served == "" {
				t.Errorf("URI %s: not 127.0.0.1, and the scenario does not say its point is a name", inst.URI)
			}
			for _, s := range inst.Servers {
				if h, _, _ := net.SplitHostPort(s); h != "127.0.0.1" {
					t.Errorf("server %s is not on 127.0.0.1", s)
				}
			}
			d := serveDoc(inst)
			var b bytes.Buffer
			if err := report.WriteServed(&b, d); err != nil {
				t.Fatal(err)
			}
			if err := contract.Served(b.Bytes()); err != nil {
				t.Errorf("%v\n%s", err, b.String())
			}
			if d.Note != sc.Served || d.Expect.DriverErrors["go"] != sc.Expect.Drivers.Go {
				t.Errorf("JSON note %q, go error %q", d.Note, d.Expect.DriverErrors["go"])
			}
			if slices.Contains(d.Diagnose, "--dns-server") != (net.ParseIP(u.Hostname()) == nil) {
				t.Errorf("printed command %v for URI %s: --dns-server for a name (which only the demo's DNS server knows), not for 127.0.0.1", d.Diagnose, inst.URI)
			}
			if len(inst.IdleProbe) > 0 {
				// Seconds spent idle on purpose, holding a parallel slot;
				// TestScenarios diagnoses these, and e2e-drivers.sh
				// connects to them served.
				return
			}
			r := runCLI(instEnv(inst), append(d.Diagnose[1:], "--format", "json")...)
			assertDiagnosis(t, r, sc.Expect)
		})
	}
}

// TestServeFlags: the flags of --serve are refused without it, and the
// ones it cannot honour are input errors (exit 3) before anything starts.
func TestServeFlags(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args      []string
		msg, hint string
	}{
		{[]string{"demo", "--port", "7687", "healthy-single"}, "--port is for demo --serve", "add --serve"},
		{[]string{"demo", "--names"}, "--names is for demo --serve", "add --serve"},
		{[]string{"demo", "--serve", "--port", "70000", "healthy-single"}, "--port 70000 is not a TCP port", "1 to 65535"},
		{[]string{"demo", "--serve", "--port", "7687", "idle-cut-by-load-balancer"}, "scenario idle-cut-by-load-balancer takes no --port", "leave --port out"},
		{[]string{"demo", "--serve", "--format", "markdown", "healthy-single"}, "demo --serve prints text or json", "--format json"},
	} {
		r := runCLI(nil, c.args...)
		if r.code != 3 || !strings.Contains(r.stderr, "error: "+c.msg) || !strings.Contains(r.stderr, "hint: ") || !strings.Contains(r.stderr, c.hint) {
			t.Errorf("%v: exit %d, want 3 with %q and %q:\n%s", c.args, r.code, c.msg, c.hint, r)
		}
	}
}

// TestServeJSON runs `demo --serve --format json --port P --ca-out FILE`
// as its own process, as an application's test would: one JSON object on
// the first line, the URI on port P at 127.0.0.1, the CA written where
// asked, and a TLS connection to the URI that verifies against it with
// the printed host.
func TestServeJSON(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("neo4j-doctor")
	if err != nil {
		t.Fatalf("the test binary is not on PATH as neo4j-doctor: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	caOut := filepath.Join(t.TempDir(), "demo-ca.pem")
	cmd := exec.Command(bin, "demo", "--serve", "--format", "json", "--port", strconv.Itoa(port), "--ca-out", caOut, "healthy-tls")
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Scan()
		line <- sc.Text()
		for sc.Scan() {
		}
	}()
	var got string
	select {
	case got = <-line:
	case <-time.After(30 * time.Second):
		t.Fatal("no JSON line within 30 s")
	}
	var d struct {
		URI      string `json:"uri"`
		User     string `json:"user"`
		Password string `json:"password"`
		CAFile   string `json:"caFile"`
		Expect   struct {
			Verdict      string            `json:"verdict"`
			DriverErrors map[string]string `json:"driverErrors"`
		} `json:"expect"`
	}
	if err := contract.Served([]byte(got + "\n")); err != nil {
		t.Errorf("%v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(got), &d); err != nil {
		t.Fatalf("first line is not JSON: %v\n%s", err, got)
	}
	if want := "neo4j+s://127.0.0.1:" + strconv.Itoa(port); d.URI != want || d.CAFile != caOut || d.User != scenarios.DemoUser ||
		d.Password != scenarios.DemoPassword || d.Expect.Verdict != "pass" || d.Expect.DriverErrors["javascript"] != "" {
		t.Errorf("served %s; want uri %s, caFile %s, the demo's user and password, verdict pass, no driver error", got, want, caOut)
	}
	// The doctor, given only what was printed and no resolver, passes.
	r := runCLI(map[string]string{"NEO4J_PASSWORD": d.Password}, "--uri", d.URI, "-u", d.User, "--ca-file", d.CAFile, "--format", "json")
	assertDiagnosis(t, r, scenarios.Expect{Exit: 0, Verdict: "pass"})
}

// TestReadmeDriverTable: the README's table of what the drivers raise
// per scenario is the scenario table's Expect.Drivers, row for row.
func TestReadmeDriverTable(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	for _, sc := range scenarios.Scenarios() {
		js, goErr := "passes", "passes"
		switch d := sc.Expect.Drivers; {
		case d.NotRun != "":
			js, goErr = "not run: "+d.NotRun, "not run: "+d.NotRun
		case sc.Watched != nil:
			js, goErr = "depends on the moment (the writer moves)", "depends on the moment (the writer moves)"
		case d.JavaScript != "" || d.Go != "":
			js, goErr = "`"+d.JavaScript+"`", "`"+d.Go+"`"
		}
		row := "| `" + sc.Name + "` | " + sc.Expect.Verdict + ", exit " + strconv.Itoa(sc.Expect.Exit) + " | " + js + " | " + goErr + " |"
		if !strings.Contains(readme, row+"\n") {
			t.Errorf("README has no row\n%s", row)
		}
	}
}
