package checks_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

// dnsSetup is one Neo4j server plus a loopback resolver that knows names
// under testDomain.
type dnsSetup struct {
	srv  *fixtures.Server
	dns  *fixtures.DNS
	port string
}

func newDNSSetup(t *testing.T) dnsSetup {
	t.Helper()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	return dnsSetup{srv: s, dns: startDNS(t, nil), port: portOf(t, s.Addr())}
}

// uri is scheme://label.testDomain:port of the server.
func (d dnsSetup) uri(scheme, label string) string {
	return scheme + "://" + net.JoinHostPort(host(label), d.port)
}

func (d dnsSetup) target(scheme, label string) target {
	return target{uri: d.uri(scheme, label), dnsServer: d.dns.Addr()}
}

func TestDNSARecord(t *testing.T) {
	t.Parallel()
	d := newDNSSetup(t)
	d.dns.Set(host("db"), lo)
	rep := run(t, d.target("bolt", "db"))
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantCheck(t, rep, "dns", checks.Pass, host("db")+" resolves to 127.0.0.1")
	if v, ok := fact(r, "addresses"); !ok || v != "127.0.0.1" {
		t.Errorf("addresses fact %q (present %v)", v, ok)
	}
	if v, _ := fact(r, "resolved by"); !strings.Contains(v, d.dns.Addr()) {
		t.Errorf("resolved by %q should name the --dns-server %s", v, d.dns.Addr())
	}
	if v, _ := fact(r, "server "+d.dns.Addr()); !strings.Contains(v, "A 127.0.0.1") {
		t.Errorf("per-server fact %q should list the A record", v)
	}
	if rep.Target.Resolver != d.dns.Addr() {
		t.Errorf("report resolver %q", rep.Target.Resolver)
	}
	wantCheck(t, rep, "tcp", checks.Pass, "connected to 127.0.0.1:"+d.port)
}

func TestDNSCNAMEChain(t *testing.T) {
	t.Parallel()
	d := newDNSSetup(t)
	d.dns.Set(host("db"), lo)
	d.dns.CNAME(host("alias"), host("lb"))
	d.dns.CNAME(host("lb"), host("db"))
	rep := run(t, d.target("bolt", "alias"))
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantCheck(t, rep, "dns", checks.Pass, "resolves to 127.0.0.1")
	want := host("alias") + " → " + host("lb") + " → " + host("db")
	if v, _ := fact(r, "cname chain"); v != want {
		t.Errorf("cname chain %q, want %q", v, want)
	}
}

func TestDNSNXDOMAIN(t *testing.T) {
	t.Parallel()
	d := newDNSSetup(t)
	rep := run(t, d.target("neo4j", "nosuchhost"))
	wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
	r := wantCheck(t, rep, "dns", checks.Fail, "does not exist (NXDOMAIN)", "typos")
	if r.Error == "" {
		t.Error("a failed check carries its error")
	}
	if v, _ := fact(r, "server "+d.dns.Addr()); v != "NXDOMAIN" {
		t.Errorf("per-server fact %q, want NXDOMAIN", v)
	}
	for _, id := range []string{"tcp", "tls", "bolt", "auth", "routing", "members", "query"} {
		if got := result(t, rep, id); got.Status != checks.Skip || got.Summary != "not run: dns failed" {
			t.Errorf("%s: %s %q, want a skip naming dns", id, got.Status, got.Summary)
		}
	}
}

// The error a user reads must not name a DNS server that was never asked:
// with --dns-server the lookup goes there, not to /etc/resolv.conf's.
func TestDNSErrorNamesTheServerAsked(t *testing.T) {
	t.Parallel()
	d := newDNSSetup(t)
	rep := run(t, d.target("bolt", "nosuchhost"))
	r := result(t, rep, "dns")
	if strings.Contains(r.Error, " on ") && !strings.Contains(r.Error, d.dns.Addr()) {
		t.Errorf("BUG: the dns error %q names a server other than --dns-server %s", r.Error, d.dns.Addr())
	}
}

func TestDNSSERVFAIL(t *testing.T) {
	t.Parallel()
	d := newDNSSetup(t)
	d.dns.ServFail(host("broken"))
	rep := run(t, d.target("bolt", "broken"))
	wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
	r := wantCheck(t, rep, "dns", checks.Fail, "SERVFAIL", "--dns-server")
	if v, _ := fact(r, "server "+d.dns.Addr()); v != "SERVFAIL" {
		t.Errorf("per-server fact %q, want SERVFAIL", v)
	}
}

func TestDNSDroppedQueryTimesOut(t *testing.T) {
	t.Parallel()
	d := newDNSSetup(t)
	d.dns.Drop(host("blackhole"))
	start := time.Now()
	rep := run(t, d.target("bolt", "blackhole"))
	elapsed := time.Since(start)
	wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
	r := wantCheck(t, rep, "dns", checks.Fail, "no DNS answer", "port 53")
	if !strings.Contains(r.Summary, stepTimeout.String()) {
		t.Errorf("summary %q should say the timeout (%s)", r.Summary, stepTimeout)
	}
	if elapsed > 2*stepTimeout {
		t.Errorf("a dropped query took %s with a %s timeout", elapsed, stepTimeout)
	}
	if v, _ := fact(r, "server "+d.dns.Addr()); v != "timeout" {
		t.Errorf("per-server fact %q, want timeout", v)
	}
}

func TestDNSSlowAnswerWarns(t *testing.T) {
	t.Parallel()
	d := newDNSSetup(t)
	d.dns.Set(host("slow"), lo)
	d.dns.Delay(host("slow"), 1200*time.Millisecond)
	tg := d.target("bolt", "slow")
	tg.timeout = 3 * time.Second
	rep := run(t, tg)
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantCheck(t, rep, "dns", checks.Warn, "resolves to 127.0.0.1, but took over a second", "over a second")
	if v, _ := fact(r, "resolution time"); !strings.HasPrefix(v, "1.") {
		t.Errorf("dns: resolution time %q, want the 1.2s the server took", v)
	}
	wantStatuses(t, rep, map[string]checks.Status{"tcp": checks.Pass, "auth": checks.Pass, "query": checks.Pass})
}

func TestDNSIPLiteralSkipsAndTCPRuns(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	rep := run(t, target{uri: s.URI("bolt")})
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	wantCheck(t, rep, "dns", checks.Skip, "IP address")
	wantCheck(t, rep, "tcp", checks.Pass, "connected to "+s.Addr())
}

func TestDNSIPv6LiteralSkips(t *testing.T) {
	t.Parallel()
	// Nothing is dialled successfully here (no IPv6 fixture): what matters
	// is that [::1] is not sent to a resolver.
	rep := run(t, target{uri: "bolt://[::1]:" + closedPort(t)})
	wantCheck(t, rep, "dns", checks.Skip, "IP address")
	if r := result(t, rep, "tcp"); r.Status != checks.Fail {
		t.Errorf("tcp %s %q, want fail", r.Status, r.Summary)
	}
}

// A name that exists without address records (NOERROR, no answer) is not
// NXDOMAIN: the record is missing, not the name mistyped.
func TestDNSNoDataIsNotNXDOMAIN(t *testing.T) {
	t.Parallel()
	d := newDNSSetup(t)
	d.dns.Set(host("nodata")) // known name, no A or AAAA
	rep := run(t, d.target("bolt", "nodata"))
	wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
	r := result(t, rep, "dns")
	if v, _ := fact(r, "server "+d.dns.Addr()); !strings.HasPrefix(v, "no addresses") {
		t.Fatalf("per-server fact %q", v)
	}
	if r.Status != checks.Fail || strings.Contains(r.Summary, "NXDOMAIN") || strings.Contains(r.Summary, "does not exist") {
		t.Errorf("BUG: dns says %q although %s answered NOERROR with no address records (NODATA)", r.Summary, d.dns.Addr())
	}
}

// A CNAME whose target does not exist: the name the user typed is fine,
// the alias points nowhere; the report must name the missing target.
func TestDNSDanglingCNAME(t *testing.T) {
	t.Parallel()
	d := newDNSSetup(t)
	d.dns.CNAME(host("alias"), host("gone"))
	rep := run(t, d.target("bolt", "alias"))
	wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
	r := result(t, rep, "dns")
	if v, _ := fact(r, "cname chain"); v != host("alias")+" → "+host("gone") {
		t.Errorf("cname chain fact %q", v)
	}
	if r.Status != checks.Fail || (!strings.Contains(r.Summary, host("gone")) && !anyContains(r.Hints, host("gone"))) {
		t.Errorf("BUG: dns says %q with hints %q: neither names the missing CNAME target %s", r.Summary, r.Hints, host("gone"))
	}
}

func TestDNSIPv6Answer(t *testing.T) {
	t.Parallel()
	d := newDNSSetup(t)
	d.dns.Set(host("v6"), net.ParseIP("::1"))
	rep := run(t, d.target("bolt", "v6"))
	r := wantCheck(t, rep, "dns", checks.Pass, "resolves to ::1")
	if v, _ := fact(r, "server "+d.dns.Addr()); !strings.Contains(v, "AAAA ::1") {
		t.Errorf("per-server fact %q", v)
	}
	// The fixture listens on 127.0.0.1 only.
	wantCheck(t, rep, "tcp", checks.Fail, "[::1]:"+d.port)
	wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
}

// TestDNSServerAddr: the one rule --dns-server and a targets file's
// dnsServer share.
func TestDNSServerAddr(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"1.1.1.1":                "1.1.1.1:53",
		"1.1.1.1:5353":           "1.1.1.1:5353",
		"dns.example":            "dns.example:53",
		"dns.example:53":         "dns.example:53",
		"2606:4700::1111":        "[2606:4700::1111]:53",
		"[2606:4700::1111]":      "[2606:4700::1111]:53",
		"[2606:4700::1111]:53":   "[2606:4700::1111]:53",
		"":                       "",
		":53":                    "",
		"1.1.1.1:0":              "",
		"1.1.1.1:65536":          "",
		"1.1.1.1:dns":            "",
		"a b:53":                 "",
		"user@dns.example":       "",
		"dns.example/x":          "",
		"[2606:4700::1111":       "",
		"2606:4700::1111]:53":    "",
		"not:an:ipv6":            "",
		"[[2606:4700::1111]]:53": "",
	} {
		got, ok := checks.DNSServerAddr(in)
		if got != want || ok != (want != "") {
			t.Errorf("DNSServerAddr(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
