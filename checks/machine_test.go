package checks_test

// The network around the application: proxy variables drivers ignore, a
// network that lets only HTTPS out, a container whose localhost is
// itself, a server on IPv4 only for clients that try IPv6 first, and Aura
// instances that are paused or gone.

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/network"
)

// remote is an address of TEST-NET-1 (RFC 5737) that stands for a host
// elsewhere: a run's dials to it go to the same port on 127.0.0.1, so
// the host is not loopback to the checks and every socket is still real.
const remote = "192.0.2.10"

// viaLoopback is an Env whose dialler sends remote's connections to
// 127.0.0.1 on the same port.
func viaLoopback(t *testing.T, env *checks.Env) *checks.Env {
	t.Helper()
	d := &net.Dialer{}
	env.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if h, p, err := net.SplitHostPort(addr); err == nil && h == remote {
			addr = net.JoinHostPort("127.0.0.1", p)
		}
		return d.DialContext(ctx, network, addr)
	}
	return env
}

// https is a listener that stands for a host's port 443: it counts the
// connections it accepts and closes them unread.
type https struct {
	ln       net.Listener
	accepted atomic.Int32
}

func startHTTPS(t *testing.T) *https {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &https{ln: ln}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.accepted.Add(1)
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); <-done })
	return h
}

func (h *https) port() int { return h.ln.Addr().(*net.TCPAddr).Port }

func getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// TestProxyVariablesNoted: the proxy variables are named, never their
// values (a proxy URL may carry a password), and change no verdict.
func TestProxyVariablesNoted(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	env := testEnv(t)
	const secret = "proxy-pa55word"
	env.Getenv = getenv(map[string]string{"HTTPS_PROXY": "http://me:" + secret + "@proxy.example:3128", "no_proxy": "localhost"})
	rep := diagnose(t, resolve(t, target{uri: s.URI("bolt")}), env)
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantCheck(t, rep, "config", checks.Pass, "")
	if v, _ := fact(r, "proxy variables"); v != "HTTPS_PROXY, no_proxy set; Bolt drivers ignore them and connect directly" {
		t.Errorf("proxy variables fact %q", v)
	}
	if out := render(rep); strings.Contains(out, secret) || strings.Contains(out, "proxy.example") {
		t.Errorf("the report shows a proxy variable's value:\n%s", out)
	}

	// Without them, nothing is said.
	rep = diagnose(t, resolve(t, target{uri: s.URI("bolt")}), testEnv(t))
	if v, ok := fact(result(t, rep, "config"), "proxy variables"); ok {
		t.Errorf("proxy variables fact %q without any set", v)
	}
}

// TestHTTPSOnly: the Bolt port of a host elsewhere fails and its HTTPS
// port answers: outbound traffic seems limited to HTTPS. The HTTPS port
// is tried once, and only after the Bolt port failed.
func TestHTTPSOnly(t *testing.T) {
	t.Parallel()
	d := startDNS(t, nil)
	h := startHTTPS(t)
	newEnv := func(vars map[string]string) *checks.Env {
		env := viaLoopback(t, testEnv(t))
		env.FallbackPort = h.port()
		env.Getenv = getenv(vars)
		return env
	}

	// Each run counts its own dials to the HTTPS port, in the process: the
	// server's accept count may still grow from an earlier subtest's
	// connection, accepted after that run returned.
	countingEnv := func() (*checks.Env, *atomic.Int32) {
		env := newEnv(nil)
		var n atomic.Int32
		dial, suffix := env.Dial, ":"+strconv.Itoa(h.port())
		env.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if strings.HasSuffix(addr, suffix) {
				n.Add(1)
			}
			return dial(ctx, network, addr)
		}
		return env, &n
	}
	t.Run("refused", func(t *testing.T) {
		d.Set(host("egress"), net.ParseIP(remote))
		env, dials := countingEnv()
		rep := diagnose(t, resolve(t, target{uri: "bolt://" + host("egress") + ":" + closedPort(t), dnsServer: d.Addr()}), env)
		wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
		r := wantCheck(t, rep, "tcp", checks.Fail, "but port "+strconv.Itoa(h.port())+" of the same host accepts them",
			"outbound traffic seems limited to port "+strconv.Itoa(h.port())+" (HTTPS): open TCP port")
		if r.Code != "tcp.https_only" {
			t.Errorf("code %q, want tcp.https_only", r.Code)
		}
		if v, _ := fact(r, "port "+strconv.Itoa(h.port())); !strings.Contains(v, "connected") {
			t.Errorf("fallback fact %q", v)
		}
		if n := dials.Load(); n != 1 {
			t.Errorf("the HTTPS port was dialled %d times, want 1", n)
		}
	})
	t.Run("Aura, with a proxy set", func(t *testing.T) {
		const aura = "abcd1234.databases.neo4j.io"
		d.Set(aura, net.ParseIP(remote))
		rep := diagnose(t, resolve(t, target{uri: "neo4j+s://" + aura + ":" + closedPort(t), dnsServer: d.Addr()}), newEnv(map[string]string{"HTTPS_PROXY": "http://proxy.example:3128"}))
		r := wantCheck(t, rep, "tcp", checks.Fail, "accepts them", "Query API over HTTPS (https://"+aura+"/db/<database>/query/v2)",
			"HTTPS_PROXY is set, but Bolt drivers do not use proxies", "the instance may be paused")
		if !strings.Contains(r.Hints[0], "outbound traffic seems limited") {
			t.Errorf("first hint %q, want the measured one: outbound traffic", r.Hints[0])
		}
	})
	t.Run("HTTPS refused too", func(t *testing.T) {
		d.Set(host("down"), net.ParseIP(remote))
		env := newEnv(nil)
		env.FallbackPort, _ = strconv.Atoi(closedPort(t))
		rep := diagnose(t, resolve(t, target{uri: "bolt://" + host("down") + ":" + closedPort(t), dnsServer: d.Addr()}), env)
		r := wantCheck(t, rep, "tcp", checks.Fail, "connection refused", "start the DBMS")
		if r.Code != "tcp.refused" || anyContains(r.Hints, "outbound") {
			t.Errorf("code %q, hints %q: nothing answered on the HTTPS port either", r.Code, r.Hints)
		}
	})
	t.Run("healthy run sends nothing extra", func(t *testing.T) {
		s := startServer(t, withUsers(fixtures.Neo4j526()))
		d.Set(host("healthy"), net.ParseIP(remote))
		env, dials := countingEnv()
		rep := diagnose(t, resolve(t, target{uri: "bolt://" + host("healthy") + ":" + portOf(t, s.Addr()), dnsServer: d.Addr()}), env)
		wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
		if n := dials.Load(); n != 0 {
			t.Errorf("a healthy run dialled the HTTPS port %d times", n)
		}
	})
	t.Run("loopback target: no HTTPS probe", func(t *testing.T) {
		env, dials := countingEnv()
		rep := diagnose(t, resolve(t, target{uri: "bolt://127.0.0.1:" + closedPort(t)}), env)
		wantCheck(t, rep, "tcp", checks.Fail, "refused", "start the DBMS")
		if n := dials.Load(); n != 0 {
			t.Errorf("a loopback target's HTTPS port was dialled %d times: nothing leaves the machine", n)
		}
	})
}

// TestContainerLoopback: in a container, localhost is the container
// itself. Each sign of a container is found; the hint comes first when a
// loopback target fails, and not at all for a host elsewhere.
func TestContainerLoopback(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dockerenv := filepath.Join(dir, ".dockerenv")
	cgroup := filepath.Join(dir, "cgroup")
	plain := filepath.Join(dir, "cgroup-plain")
	for path, content := range map[string]string{
		dockerenv: "",
		cgroup:    "12:pids:/kubepods/burstable/pod1234/abcd\n0::/\n",
		plain:     "0::/\n",
	} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	missing := filepath.Join(dir, "missing")
	cases := []struct {
		name                  string
		dockerEnv, cgroupFile string
		vars                  map[string]string
		sign                  string // "" when no container is seen
	}{
		{"/.dockerenv", dockerenv, plain, nil, dockerenv},
		{"cgroup", missing, cgroup, nil, cgroup + " names kubepods"},
		{"Kubernetes", missing, plain, map[string]string{"KUBERNETES_SERVICE_HOST": "10.96.0.1"}, "KUBERNETES_SERVICE_HOST is set"},
		{"none", missing, plain, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := testEnv(t)
			env.DockerEnvFile, env.CgroupFile, env.Getenv = c.dockerEnv, c.cgroupFile, getenv(c.vars)
			rep := diagnose(t, resolve(t, target{uri: "bolt://localhost:" + closedPort(t)}), env)
			wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
			r := wantCheck(t, rep, "tcp", checks.Fail, "refused", "start the DBMS")
			v, _ := fact(r, "container")
			if c.sign == "" {
				if v != "" || !anyContains(r.Hints, "inside a container, localhost is the container itself") {
					t.Errorf("no container: fact %q, hints %q", v, r.Hints)
				}
				return
			}
			if want := "the doctor runs in a container: " + c.sign; v != want {
				t.Errorf("container fact %q, want %q", v, want)
			}
			if !strings.HasPrefix(r.Hints[0], "the doctor runs in a container ("+c.sign+"), where localhost is the container itself") ||
				!strings.Contains(r.Hints[0], "host.docker.internal") || !strings.Contains(r.Hints[0], "service name") {
				t.Errorf("first hint %q, want the container's", r.Hints[0])
			}
			if anyContains(r.Hints, "inside a container,") {
				t.Errorf("the container is told twice: %q", r.Hints)
			}
		})
	}
	t.Run("host elsewhere", func(t *testing.T) {
		t.Parallel()
		d := startDNS(t, map[string][]net.IP{host("elsewhere"): {net.ParseIP(remote)}})
		env := viaLoopback(t, testEnv(t))
		env.DockerEnvFile = dockerenv
		env.FallbackPort, _ = strconv.Atoi(closedPort(t))
		rep := diagnose(t, resolve(t, target{uri: "bolt://" + host("elsewhere") + ":" + closedPort(t), dnsServer: d.Addr()}), env)
		r := wantCheck(t, rep, "tcp", checks.Fail, "refused")
		if v, ok := fact(r, "container"); ok || anyContains(r.Hints, "container") {
			t.Errorf("a host elsewhere is told about the container: %q, %q", v, r.Hints)
		}
	})
}

// loopbackIPv6 reports whether ::1 can be listened on here.
func loopbackIPv6() bool {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		return false
	}
	_ = ln.Close()
	return true
}

// TestIPv6Refused: a name with an AAAA ::1 and an A 127.0.0.1, and a
// server on 127.0.0.1 only. Each family is reported; the warning names
// the client-side and the server-side fix.
func TestIPv6Refused(t *testing.T) {
	t.Parallel()
	if !loopbackIPv6() {
		t.Skip("the loopback has no ::1 here: the IPv6 half of this test cannot run")
	}
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	port := portOf(t, s.Addr())
	d := startDNS(t, map[string][]net.IP{host("dual"): {net.IPv6loopback, lo}})
	rep := run(t, target{uri: "bolt://" + host("dual") + ":" + port, dnsServer: d.Addr()})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantCheck(t, rep, "tcp", checks.Warn, "[::1]:"+port+" refused, 127.0.0.1:"+port+" connected: clients that try IPv6 first fail (Node.js 17 to 19: ECONNREFUSED ::1:"+port+")",
		"use 127.0.0.1 in the URI, or start Node.js with `--dns-result-order=ipv4first`",
		"listen on IPv6 too", "`server.bolt.listen_address=[::]:"+port+"`")
	if r.Code != "tcp.ipv6_fails" {
		t.Errorf("code %q, want tcp.ipv6_fails", r.Code)
	}
	if v6, v4 := lookupFact(r, "IPv6"), lookupFact(r, "IPv4"); v6 != "[::1]:"+port+" refused" || v4 != "127.0.0.1:"+port+" connected" {
		t.Errorf("per family: IPv6 %q, IPv4 %q", v6, v4)
	}
	// The rest of the run goes over IPv4.
	wantCheck(t, rep, "query", checks.Pass, "")
}

func lookupFact(r checks.Result, name string) string {
	v, _ := fact(r, name)
	return v
}

// TestAuraUnreachable: an Aura name that resolves but does not accept
// connections, refused or silent: the instance may be paused. The hint
// says so as a possibility, with Free's pause rule.
func TestAuraUnreachable(t *testing.T) {
	t.Parallel()
	const aura = "abcd1234.databases.neo4j.io"
	d := startDNS(t, map[string][]net.IP{aura: {lo}})
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		rep := run(t, target{uri: "neo4j+s://" + aura + ":" + closedPort(t), dnsServer: d.Addr()})
		wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
		r := wantCheck(t, rep, "tcp", checks.Fail, "connection refused", "three days without write queries", "RETURN 1", "raise a ticket")
		if !strings.HasPrefix(r.Hints[0], "the instance may be paused: resume the instance with the Play button") {
			t.Errorf("first hint %q", r.Hints[0])
		}
		if anyContains(r.Hints, "start the DBMS") || anyContains(r.Hints, "listen_address") {
			t.Errorf("self-managed advice for Aura: %q", r.Hints)
		}
	})
	t.Run("silent", func(t *testing.T) {
		t.Parallel()
		bh, err := network.StartBlackHole()
		if errors.Is(err, network.ErrNoBlackHole) {
			t.Skip(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = bh.Close() })
		rep := run(t, target{uri: "neo4j+s://" + aura + ":" + strconv.Itoa(bh.Port()), dnsServer: d.Addr(), timeout: 300 * time.Millisecond})
		r := wantCheck(t, rep, "tcp", checks.Fail, "timed out", "the instance may be paused", "packets are dropped")
		if r.Code != "tcp.timeout" {
			t.Errorf("code %q", r.Code)
		}
	})
}
