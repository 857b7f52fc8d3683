package cli

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

func TestServeBadInput(t *testing.T) {
	t.Parallel()
	inline := writeFile(t, "t.yml", "targets:\n  - {name: a, uri: 'bolt://127.0.0.1:1', password: "+fleetCanary+"}\n")
	good := writeFile(t, "good.yml", "targets:\n  - {name: a, uri: 'bolt://127.0.0.1:1'}\n")
	for _, c := range []struct {
		args      []string
		err, hint string
	}{
		{[]string{"serve"}, "serve needs --targets FILE", "--demo"},
		{[]string{"serve", "--targets", inline}, "t.yml:2: password: the targets file never holds a password inline", "passwordEnv"},
		{[]string{"serve", "--targets", good, "--demo"}, "--targets and --demo together", ""},
		{[]string{"serve", "--demo", "no-such-scenario"}, `no demo scenario "no-such-scenario"`, "demo --list"},
		{[]string{"serve", "--targets", good, "--max-concurrent", "0"}, "--max-concurrent 0 is not positive", ""},
		{[]string{"serve", "--targets", good, "--listen", "127.0.0.1:99999"}, "cannot listen on 127.0.0.1:99999", "--web.listen-address"},
		{[]string{"serve", "--targets", good, "--web.listen-address", "127.0.0.1:99999"}, "cannot listen on 127.0.0.1:99999", "--web.listen-address"},
		{[]string{"serve", "--targets", good, "--min-probe-interval", "-1s"}, "--min-probe-interval -1s is negative", "0 for a diagnosis per probe"},
		{[]string{"serve", "--targets", good, "--web.config.file", "/nonexistent/web.yml"}, "--web.config.file /nonexistent/web.yml: open /nonexistent/web.yml: no such file or directory", "tls_server_config"},
		{[]string{"serve", "--targets", good, "--web.config.file", writeFile(t, "plainpw.yml", "basic_auth_users:\n  prometheus: "+fleetCanary+"\n")}, "plainpw.yml: crypto/bcrypt: hashedSecret too short to be a bcrypted password", "bcrypt hashes"},
		{[]string{"serve", "--targets", good, "--web.config.file", writeFile(t, "nokey.yml", "tls_server_config:\n  cert_file: server.crt\n")}, "missing one of key or key_file", "tls_server_config"},
	} {
		r := runCLI(nil, c.args...)
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		if r.code != 3 || len(lines) != 2 || !strings.HasPrefix(lines[0], "error: ") || !strings.Contains(lines[0], c.err) || !strings.HasPrefix(lines[1], "hint: ") || !strings.Contains(lines[1], c.hint) {
			t.Errorf("%v: %s\nwant exit 3, error: …%s", c.args, r, c.err)
		}
		if strings.Contains(r.stderr, fleetCanary) {
			t.Errorf("%v: the password is printed", c.args)
		}
	}
}

// serveProc is `neo4j-doctor serve` running as its own process: the test
// binary under the name neo4j-doctor, as the testscript scripts run it.
type serveProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	logs   chan string
	exited chan error
	all    []string
	base   string
	client *http.Client
}

func startServe(t *testing.T, env []string, args ...string) *serveProc {
	t.Helper()
	bin, err := exec.LookPath("neo4j-doctor")
	if err != nil {
		t.Fatalf("the test binary is not on PATH as neo4j-doctor: %v", err)
	}
	p := &serveProc{t: t, logs: make(chan string, 100), exited: make(chan error, 1), client: &http.Client{Timeout: 10 * time.Second}}
	p.cmd = exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	p.cmd.Env = append(append(os.Environ(), "GORACE=atexit_sleep_ms=0"), env...)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			select {
			case p.logs <- sc.Text():
			default:
			}
		}
		close(p.logs)
		p.exited <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		p.client.CloseIdleConnections()
		_ = p.cmd.Process.Kill()
		for range p.logs {
		}
		<-p.exited
	})
	p.base = p.next(`msg=listening address=(https?://127\.0\.0\.1:\d+)/`)
	return p
}

// next waits for a log line matching re and returns its last group.
func (p *serveProc) next(re string) string {
	p.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-p.logs:
			if !ok {
				p.t.Fatalf("serve exited before logging %q:\n%s", re, strings.Join(p.all, "\n"))
			}
			p.all = append(p.all, l)
			if m := regexp.MustCompile(re).FindStringSubmatch(l); m != nil {
				return m[len(m)-1]
			}
		case <-deadline:
			p.t.Fatalf("no log line %q in 10s:\n%s", re, strings.Join(p.all, "\n"))
		}
	}
}

func (p *serveProc) expect(path string, code int, want string) {
	p.t.Helper()
	resp, err := p.client.Get(p.base + path)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != code || !strings.Contains(string(b), want) {
		p.t.Errorf("GET %s: %d, want %d with %q:\n%s", path, resp.StatusCode, code, want, b)
	}
}

func (p *serveProc) signal(s os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(s); err != nil {
		p.t.Fatal(err)
	}
}

// stop sends SIGTERM and wants exit 0.
func (p *serveProc) stop() {
	p.t.Helper()
	p.signal(syscall.SIGTERM)
	p.next(`msg=stopping signal=terminated`)
	for l := range p.logs {
		p.all = append(p.all, l)
	}
	select {
	case err := <-p.exited:
		p.exited <- err // for the cleanup
		if err != nil {
			p.t.Errorf("serve exited with %v after SIGTERM, want 0", err)
		}
	case <-time.After(10 * time.Second):
		p.t.Fatal("serve did not stop within 10s of SIGTERM")
	}
}

// TestServeSIGHUP sends a running serve real signals: SIGHUP with a bad
// file keeps the targets in use, SIGHUP with a good file replaces them,
// SIGTERM stops the server with exit 0.
func TestServeSIGHUP(t *testing.T) {
	t.Parallel()
	cfg := fixtures.Neo4j526()
	cfg.Users = map[string]string{"neo4j": fleetCanary}
	srv, err := fixtures.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	good := fmt.Sprintf("targets:\n  - {name: first, uri: '%s', username: neo4j, passwordEnv: SERVE_PW}\n", srv.URI("bolt"))
	path := writeFile(t, "targets.yml", good)

	p := startServe(t, []string{"SERVE_PW=" + fleetCanary}, "--targets", path)
	p.expect("/probe?target=first", 200, "neo4j_doctor_probe_success 1")

	if err := os.WriteFile(path, []byte(strings.Replace(good, "passwordEnv: SERVE_PW", "password: "+fleetCanary, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	p.signal(syscall.SIGHUP)
	p.next(`level=ERROR msg="targets file refused; the previous one stays in use".*never holds a password inline`)
	p.expect("/metrics", 200, "neo4j_doctor_exporter_config_last_reload_successful 0")
	p.expect("/probe?target=first", 200, "neo4j_doctor_probe_success 1")

	if err := os.WriteFile(path, []byte(strings.Replace(good, "name: first", "name: second", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	p.signal(syscall.SIGHUP)
	p.next(`msg="targets file loaded".*targets=1`)
	p.expect("/metrics", 200, "neo4j_doctor_exporter_config_last_reload_successful 1")
	p.expect("/probe?target=second", 200, "neo4j_doctor_probe_success 1")
	p.expect("/probe?target=first", 400, `unknown target "first"`)

	p.stop()
	if strings.Contains(strings.Join(p.all, "\n"), fleetCanary) {
		t.Error("serve logged the password")
	}
}

// TestServeDemo: serve --demo serves the named scenarios as targets, each
// diagnosed as the demo would.
func TestServeDemo(t *testing.T) {
	t.Parallel()
	p := startServe(t, nil, "--demo", "healthy-single", "no-writers")
	if !strings.Contains(strings.Join(p.all, "\n"), `msg="demo scenarios started on loopback" targets=healthy-single,no-writers`) {
		t.Errorf("no demo line before listening:\n%s", strings.Join(p.all, "\n"))
	}
	p.expect("/probe?target=healthy-single", 200, "neo4j_doctor_probe_success 1")
	p.expect("/probe?target=no-writers", 200, `neo4j_doctor_routing_table_servers{role="write"} 0`)
	p.expect("/probe?target=no-writers&debug=true", 200, "the routing table lists no writers")
	p.expect("/", 200, "no-writers")
	// Without --web.enable-lifecycle, only SIGHUP reloads.
	if code, body := p.do(p.client, http.MethodPost, "/-/reload", "", ""); code != http.StatusForbidden || body != "Lifecycle API is not enabled.\n" {
		t.Errorf("POST /-/reload: %d %q, want 403", code, body)
	}
	p.stop()
}
