package checks

import (
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
)

func TestJudgeTCP(t *testing.T) {
	const a4, a6 = "192.0.2.10:7687", "[2001:db8::10]:7687"
	target := &Target{Scheme: "neo4j", Host: "db.example.com", Port: DefaultPort}
	dialErr := func(errno error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: errno}}
	}
	ok := func(addr string) dialOutcome { return dialOutcome{addr: addr, elapsed: time.Millisecond} }
	bad := func(addr string, err error) dialOutcome {
		return dialOutcome{addr: addr, err: err, elapsed: time.Millisecond}
	}
	refused := dialErr(syscall.ECONNREFUSED)
	timedOut := &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
	cases := []struct {
		name      string
		outs      []dialOutcome
		connected string
		want      outcomeWant
		seen      tcpSeen
	}{
		{"one address", []dialOutcome{ok(a4)}, a4,
			outcomeWant{Pass, "", "connected to " + a4, ""}, tcpSeen{}},
		{"every address", []dialOutcome{ok(a4), ok(a6)}, a4,
			outcomeWant{Pass, "", "all 2 addresses accept connections", ""}, tcpSeen{}},
		{"some addresses fail", []dialOutcome{bad("192.0.2.11:7687", refused), ok(a4)}, a4,
			outcomeWant{Warn, "tcp.some_addresses_fail", "1 of 2 addresses accept connections; 192.0.2.11:7687 refused", "connections through 192.0.2.11:7687 wait or fail first"}, tcpSeen{}},
		// IPv6 first and refused, IPv4 accepted: what Node.js 17 to 19 meets
		// with localhost and a server on 127.0.0.1 only.
		{"IPv6 fails", []dialOutcome{bad(a6, refused), ok(a4)}, a4,
			outcomeWant{Warn, "tcp.ipv6_fails", "[2001:db8::10]:7687 refused, 192.0.2.10:7687 connected: clients that try IPv6 first fail (Node.js 17 to 19: ECONNREFUSED 2001:db8::10:7687)", "use 192.0.2.10 in the URI, or start Node.js with `--dns-result-order=ipv4first`"}, tcpSeen{}},
		// Every address failed on the Bolt port, and port 443 answered.
		{"HTTPS only", []dialOutcome{bad(a4, timedOut)}, "",
			outcomeWant{Fail, "tcp.https_only", a4 + ": connection timed out, but port 443 of the same host accepts them", "outbound traffic seems limited to port 443 (HTTPS): open TCP port 7687"},
			tcpSeen{fallback: fallback{port: 443, outs: []dialOutcome{ok("192.0.2.10:443")}}}},
		{"refused", []dialOutcome{bad(a4, refused)}, "",
			outcomeWant{Fail, "tcp.refused", a4 + ": connection refused", "nothing listens on port 7687 there"}, tcpSeen{}},
		{"timed out", []dialOutcome{bad(a4, timedOut)}, "",
			outcomeWant{Fail, "tcp.timeout", a4 + ": connection timed out", "packets are dropped on the way"}, tcpSeen{}},
		{"context deadline", []dialOutcome{bad(a4, context.DeadlineExceeded)}, "",
			outcomeWant{Fail, "tcp.timeout", a4 + ": connection timed out", "blocks TCP port 7687"}, tcpSeen{}},
		{"host unreachable", []dialOutcome{bad(a4, dialErr(syscall.EHOSTUNREACH))}, "",
			outcomeWant{Fail, "tcp.unreachable", a4 + ": connection unreachable", "there is no route to the host"}, tcpSeen{}},
		{"network unreachable", []dialOutcome{bad(a6, dialErr(syscall.ENETUNREACH))}, "",
			outcomeWant{Fail, "tcp.unreachable", a6 + ": connection unreachable", "without IPv6 connectivity"}, tcpSeen{}},
		{"reset", []dialOutcome{bad(a4, dialErr(syscall.ECONNRESET))}, "",
			outcomeWant{Fail, "tcp.reset", a4 + ": connection reset", "accepts connections and resets them at once"}, tcpSeen{}},
		{"other failure", []dialOutcome{bad(a4, errors.New("dial tcp: no buffer space"))}, "",
			outcomeWant{Fail, "tcp.failed", a4 + ": connection failed", "check the host and port in the URI"}, tcpSeen{}},
		// Every address failed, differently: the code and the hint follow
		// the first address, the one a driver tries first.
		{"refused first", []dialOutcome{bad(a4, refused), bad(a6, timedOut)}, "",
			outcomeWant{Fail, "tcp.refused", "no address accepts connections (1 refused, 1 timed out)", "nothing listens on port 7687"}, tcpSeen{}},
		{"timed out first", []dialOutcome{bad(a6, timedOut), bad(a4, refused), bad("192.0.2.11:7687", refused)}, "",
			outcomeWant{Fail, "tcp.timeout", "no address accepts connections (1 timed out, 2 refused)", "packets are dropped"}, tcpSeen{}},
	}
	var wants []outcomeWant
	for _, c := range cases {
		wants = append(wants, c.want)
		t.Run(c.name, func(t *testing.T) {
			res := judgeTCP(target, target.server("", bolt.Version{}), c.outs, c.connected, c.seen)
			c.want.match(t, tcpCheck, res)
			var first error
			for _, o := range c.outs {
				if o.err != nil {
					first = o.err
					break
				}
			}
			if res.Status == Fail && res.Err != first || res.Status != Fail && res.Err != nil {
				t.Errorf("Err %v, want the first address's error when every address failed", res.Err)
			}
			for _, o := range c.outs {
				if o.err != nil && lookup(res.Evidence, o.addr) != o.err.Error() {
					t.Errorf("evidence for %s is %q, want the dial error", o.addr, lookup(res.Evidence, o.addr))
				}
			}
			// Go's error text and the timings are for --verbose; which
			// address did what is not, when there are several.
			// Addresses of both families are told per family.
			summaries := map[string]bool{"by address": true, "IPv4": true, "IPv6": true, "port 443": true}
			for _, f := range append(slices.Clone(res.Facts), res.Evidence...) {
				if f.Verbose == summaries[f.Name] {
					t.Errorf("%s = %q: Verbose %v", f.Name, f.Value, f.Verbose)
				}
			}
			families := map[string]bool{}
			for _, o := range c.outs {
				families[family(o.addr)] = true
			}
			by, v4, v6 := lookup(res.Facts, "by address"), lookup(res.Facts, "IPv4"), lookup(res.Facts, "IPv6")
			if (by != "") != (len(c.outs) > 1 && len(families) == 1) || (v4 != "" && v6 != "") != (len(families) == 2) {
				t.Errorf("by address %q, IPv4 %q, IPv6 %q for %d addresses", by, v4, v6, len(c.outs))
			}
		})
	}
	coverCodes(t, tcpCheck, wants)
}

// TestTCPHintsForTheRefusedPort: a refused default port is not told to
// check for the default; a port that is not the default is; a server
// elsewhere than on this machine may listen on localhost only, in the
// names of every generation it may be; an Aura instance is resumed, not
// started.
func TestTCPHintsForTheRefusedPort(t *testing.T) {
	refused := []dialOutcome{{addr: "192.0.2.10:7687", err: &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}}}
	for _, c := range []struct {
		name    string
		t       *Target
		want    []string // phrases, each in some hint
		wantNot []string // phrases in no hint
	}{
		{"default port", &Target{Scheme: "neo4j", Host: "db.example.com", Port: DefaultPort},
			[]string{"nothing listens on port 7687 there: start the DBMS", "`server.default_listen_address=0.0.0.0`", "or on 4.x `dbms.default_listen_address=0.0.0.0`"},
			[]string{"default is 7687", "correct the port", "container"}},
		{"another port", &Target{Scheme: "neo4j", Host: "db.example.com", Port: 7688},
			[]string{"nothing listens on port 7688 there: start the DBMS, or correct the port in the URI (Bolt's default is 7687)", "`server.bolt.listen_address=0.0.0.0:7688`"},
			[]string{"container"}},
		{"localhost", &Target{Scheme: "bolt", Host: "localhost", Port: DefaultPort},
			[]string{"start the DBMS", "container"},
			[]string{"listen_address", "default is 7687"}},
		{"aura", &Target{Scheme: "neo4j+s", Host: "abcd1234.databases.neo4j.io", Port: DefaultPort},
			[]string{"resume the instance", "raise a ticket"},
			[]string{"start the DBMS", "listen_address", "default is 7687"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := judgeTCP(c.t, c.t.server("", bolt.Version{}), refused, "", tcpSeen{})
			all := strings.Join(res.Hints, "\n")
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("no hint says %q: %q", w, res.Hints)
				}
			}
			for _, w := range c.wantNot {
				if strings.Contains(all, w) {
					t.Errorf("a hint says %q: %q", w, res.Hints)
				}
			}
		})
	}
}

// TestIPv6Hints: under +s no address goes in the URI (the certificate
// names the host), the default port takes the default listen address,
// and Aura, whose servers no user configures, gets no server-side fix.
func TestIPv6Hints(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	outs := []dialOutcome{{addr: "[2001:db8::10]:7687", err: refused}, {addr: "192.0.2.10:7687"}}
	for _, c := range []struct {
		name string
		t    *Target
		want []string
	}{
		{"TLS, default port", &Target{Scheme: "neo4j+s", TLS: TLSVerify, Host: "db.example.com", Port: DefaultPort},
			[]string{"connect over IPv4: start Node.js with `--dns-result-order=ipv4first`",
				"or make the DBMS listen on IPv6 too, on every interface of both families, and restart it: set `server.default_listen_address=::` or on 4.x `dbms.default_listen_address=::`"}},
		{"Aura", &Target{Scheme: "neo4j+s", TLS: TLSVerify, Host: "abcd1234.databases.neo4j.io", Port: DefaultPort},
			[]string{"connect over IPv4: start Node.js with `--dns-result-order=ipv4first`"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := judgeTCP(c.t, c.t.server("", bolt.Version{}), outs, "192.0.2.10:7687", tcpSeen{})
			if res.Code != "tcp.ipv6_fails" || !slices.Equal(res.Hints, c.want) {
				t.Errorf("code %q, hints\n%q\nwant\n%q", res.Code, res.Hints, c.want)
			}
		})
	}
}
