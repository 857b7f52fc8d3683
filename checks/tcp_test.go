package checks_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

func TestTCPRefused(t *testing.T) {
	t.Parallel()
	port := closedPort(t)
	rep := run(t, target{uri: "bolt://127.0.0.1:" + port})
	wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
	r := wantCheck(t, rep, "tcp", checks.Fail, "127.0.0.1:"+port+": connection refused",
		"server.default_listen_address", "port "+port, "container")
	if v, _ := fact(r, "127.0.0.1:"+port); !strings.HasPrefix(v, "refused") {
		t.Errorf("per-address fact %q", v)
	}
	if _, ok := evidence(r, "127.0.0.1:"+port); !ok {
		t.Error("the dial error is evidence")
	}
	for _, id := range []string{"tls", "bolt", "version", "auth", "routing", "members", "query"} {
		if got := result(t, rep, id); got.Status != checks.Skip {
			t.Errorf("%s: %s, want skip", id, got.Status)
		}
	}
}

func TestTCPOneOfTwoAddressesRefuses(t *testing.T) {
	t.Parallel()
	d := newDNSSetup(t)
	d.dns.Set(host("two"), lo, lo2) // the fixture listens on 127.0.0.1 only
	rep := run(t, d.target("bolt", "two"))
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	wantCheck(t, rep, "dns", checks.Pass, "127.0.0.1, 127.0.0.2")
	wantCheck(t, rep, "tcp", checks.Warn, "1 of 2 addresses accept connections; 127.0.0.2:"+d.port+" refused",
		"127.0.0.2:"+d.port, "DNS record")
	// The connection to the address that works carries on.
	wantStatuses(t, rep, map[string]checks.Status{"bolt": checks.Pass, "auth": checks.Pass, "query": checks.Pass})
}

func TestTCPAllAddressesRefuse(t *testing.T) {
	t.Parallel()
	d := newDNSSetup(t)
	d.dns.Set(host("dead"), lo, lo2)
	port := closedPort(t)
	rep := run(t, target{uri: "bolt://" + host("dead") + ":" + port, dnsServer: d.dns.Addr()})
	wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
	wantCheck(t, rep, "tcp", checks.Fail, "no address accepts connections (2 refused)", "server.default_listen_address")
}

// A black-holed port: the dialer never gets an answer. Loopback cannot
// drop SYNs, so the injected dialer waits for the deadline as the kernel
// would.
func TestTCPTimeout(t *testing.T) {
	t.Parallel()
	port := closedPort(t)
	env := testEnv(t)
	real := &net.Dialer{}
	env.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if strings.HasSuffix(addr, ":"+port) {
			<-ctx.Done()
			return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
		}
		return real.DialContext(ctx, network, addr)
	}
	start := time.Now()
	rep := diagnose(t, resolve(t, target{uri: "bolt://127.0.0.1:" + port}), env)
	if el := time.Since(start); el > 2*stepTimeout {
		t.Errorf("took %s with a %s timeout", el, stepTimeout)
	}
	wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
	wantCheck(t, rep, "tcp", checks.Fail, "timed out", "firewall", "port "+port)
}
