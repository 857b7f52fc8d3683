package checks_test

import (
	"context"
	"net"
	"slices"
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
	// A loopback address: the listen address cannot be why (Neo4j listens
	// on localhost by default), a container may be.
	r := wantCheck(t, rep, "tcp", checks.Fail, "127.0.0.1:"+port+": connection refused",
		"start the DBMS", "port "+port, "correct the port", "container")
	if slices.ContainsFunc(r.Hints, func(h string) bool { return strings.Contains(h, "listen_address") }) {
		t.Errorf("tcp: a listen-address hint for a loopback address: %q", r.Hints)
	}
	if v, _ := fact(r, "127.0.0.1:"+port); !strings.HasPrefix(v, "refused") {
		t.Errorf("per-address fact %q", v)
	}
	if v, _ := evidence(r, "127.0.0.1:"+port); !strings.Contains(v, "connection refused") || !strings.Contains(r.Error, v) {
		t.Errorf("the dial error %q is not the evidence %q", r.Error, v)
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
	// A port that is not Bolt's default: it may be the wrong one, and the
	// server may listen on it on localhost only.
	r := wantCheck(t, rep, "tcp", checks.Fail, "no address accepts connections (2 refused)",
		"start the DBMS", "correct the port", "`server.bolt.listen_address=0.0.0.0:"+port+"`", "`dbms.connector.bolt.listen_address=0.0.0.0:"+port+"`")
	if v, _ := fact(r, "by address"); v != "127.0.0.1:"+port+" refused, 127.0.0.2:"+port+" refused" {
		t.Errorf("tcp: by address %q", v)
	}
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
