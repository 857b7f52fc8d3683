package checks

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
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
	}{
		{"one address", []dialOutcome{ok(a4)}, a4,
			outcomeWant{Pass, "", "connected to " + a4, ""}},
		{"every address", []dialOutcome{ok(a4), ok(a6)}, a4,
			outcomeWant{Pass, "", "all 2 addresses accept connections", ""}},
		{"some addresses fail", []dialOutcome{bad(a6, refused), ok(a4)}, a4,
			outcomeWant{Warn, "tcp.some_addresses_fail", "1 of 2 addresses accept connections; " + a6 + " refused", "connections through " + a6 + " wait or fail first"}},
		{"refused", []dialOutcome{bad(a4, refused)}, "",
			outcomeWant{Fail, "tcp.refused", a4 + ": connection refused", "nothing listens on port 7687 there"}},
		{"timed out", []dialOutcome{bad(a4, timedOut)}, "",
			outcomeWant{Fail, "tcp.timeout", a4 + ": connection timed out", "packets are dropped on the way"}},
		{"context deadline", []dialOutcome{bad(a4, context.DeadlineExceeded)}, "",
			outcomeWant{Fail, "tcp.timeout", a4 + ": connection timed out", "blocks TCP port 7687"}},
		{"host unreachable", []dialOutcome{bad(a4, dialErr(syscall.EHOSTUNREACH))}, "",
			outcomeWant{Fail, "tcp.unreachable", a4 + ": connection unreachable", "there is no route to the host"}},
		{"network unreachable", []dialOutcome{bad(a6, dialErr(syscall.ENETUNREACH))}, "",
			outcomeWant{Fail, "tcp.unreachable", a6 + ": connection unreachable", "without IPv6 connectivity"}},
		{"reset", []dialOutcome{bad(a4, dialErr(syscall.ECONNRESET))}, "",
			outcomeWant{Fail, "tcp.reset", a4 + ": connection reset", "accepts connections and resets them at once"}},
		{"other failure", []dialOutcome{bad(a4, errors.New("dial tcp: no buffer space"))}, "",
			outcomeWant{Fail, "tcp.failed", a4 + ": connection failed", "check the host and port in the URI"}},
		// Every address failed, differently: the code and the hint follow
		// the first address, the one a driver tries first.
		{"refused first", []dialOutcome{bad(a4, refused), bad(a6, timedOut)}, "",
			outcomeWant{Fail, "tcp.refused", "no address accepts connections (1 refused, 1 timed out)", "nothing listens on port 7687"}},
		{"timed out first", []dialOutcome{bad(a6, timedOut), bad(a4, refused), bad("192.0.2.11:7687", refused)}, "",
			outcomeWant{Fail, "tcp.timeout", "no address accepts connections (1 timed out, 2 refused)", "packets are dropped"}},
	}
	var wants []outcomeWant
	for _, c := range cases {
		wants = append(wants, c.want)
		t.Run(c.name, func(t *testing.T) {
			res := judgeTCP(target, c.outs, c.connected)
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
		})
	}
	coverCodes(t, tcpCheck, wants)
}
