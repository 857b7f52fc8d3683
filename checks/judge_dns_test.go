package checks

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
)

func TestJudgeDNS(t *testing.T) {
	const host = "db.example.com"
	target := &Target{Scheme: "neo4j+s", Host: host, Port: DefaultPort, Timeout: 2 * time.Second}
	resolved := []net.IPAddr{{IP: net.ParseIP("192.0.2.10")}, {IP: net.ParseIP("2001:db8::10")}}
	notFound := &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	noError := resolverAnswer{server: "192.0.2.53:53", rcode: "NOERROR", a: []string{"192.0.2.10"}}
	cases := []struct {
		name   string
		t      *Target
		member bool
		out    dnsOutcome
		want   outcomeWant
	}{
		{"ip address", &Target{Host: "192.0.2.10", Port: DefaultPort}, false, dnsOutcome{},
			outcomeWant{Skip, "dns.ip_address", "the host is an IP address", ""}},
		{"resolves", target, false, dnsOutcome{ips: resolved, answers: []resolverAnswer{noError}, elapsed: 3 * time.Millisecond},
			outcomeWant{Pass, "", host + " resolves to 192.0.2.10, 2001:db8::10", ""}},
		{"slow", target, false, dnsOutcome{ips: resolved, elapsed: 1500 * time.Millisecond},
			outcomeWant{Warn, "dns.slow", "resolves to 192.0.2.10, 2001:db8::10, but took over a second", "name resolution took over a second"}},
		{"resolvers disagree", target, false, dnsOutcome{ips: resolved, answers: []resolverAnswer{noError, {server: "192.0.2.54:53", rcode: "SERVFAIL"}}},
			outcomeWant{Warn, "dns.resolvers_disagree", host + " resolves to", "DNS server 192.0.2.54:53 answered SERVFAIL while the system resolver found the host"}},
		{"slow and resolvers disagree", target, false, dnsOutcome{ips: resolved, elapsed: 2 * time.Second, answers: []resolverAnswer{{server: "192.0.2.54:53", rcode: "timeout"}}},
			outcomeWant{Warn, "dns.slow", "but took over a second", "took over a second"}},
		{"nxdomain", target, false, dnsOutcome{err: notFound, answers: []resolverAnswer{{server: "192.0.2.53:53", rcode: "NXDOMAIN"}}},
			outcomeWant{Fail, "dns.nxdomain", host + " does not exist (NXDOMAIN)", "check the host name in the URI for typos"}},
		{"nxdomain of a member", target, true, dnsOutcome{err: notFound},
			outcomeWant{Fail, "dns.nxdomain", "does not exist (NXDOMAIN)", "this name comes from the cluster's routing table"}},
		{"cname target missing", target, false, dnsOutcome{err: notFound, answers: []resolverAnswer{{server: "192.0.2.53:53", rcode: "NOERROR", cnames: []string{"lb.example.net", "gone.example.net"}}}},
			outcomeWant{Fail, "dns.cname_target_missing", host + " is an alias of gone.example.net, which has no address", "the CNAME record points at gone.example.net"}},
		{"no address records", target, false, dnsOutcome{err: notFound, answers: []resolverAnswer{{server: "192.0.2.53:53", rcode: "NOERROR"}}},
			outcomeWant{Fail, "dns.no_address_records", host + " exists but has no address (A/AAAA) records", "has no A or AAAA record"}},
		{"timeout", target, false, dnsOutcome{err: &net.DNSError{Err: "i/o timeout", Name: host, IsTimeout: true}},
			outcomeWant{Fail, "dns.timeout", "no DNS answer for " + host + " within 2s", "the DNS server does not answer"}},
		{"deadline", target, false, dnsOutcome{err: context.DeadlineExceeded},
			outcomeWant{Fail, "dns.timeout", "no DNS answer for " + host, "the DNS server does not answer"}},
		{"servfail", target, false, dnsOutcome{err: &net.DNSError{Err: "server misbehaving", Name: host}},
			outcomeWant{Fail, "dns.servfail", "the DNS server failed to answer for " + host + " (SERVFAIL)", "try another with --dns-server 1.1.1.1:53"}},
		{"other dns error", target, false, dnsOutcome{err: &net.DNSError{Err: "no answer from DNS server", Name: host}},
			outcomeWant{Fail, "dns.failed", "DNS lookup of " + host + " failed", "try another with --dns-server"}},
		{"not a dns error", target, false, dnsOutcome{err: errors.New("resolver exploded")},
			outcomeWant{Fail, "dns.failed", "DNS lookup of " + host + " failed", "try another with --dns-server"}},
	}
	var wants []outcomeWant
	for _, c := range cases {
		wants = append(wants, c.want)
		t.Run(c.name, func(t *testing.T) {
			res := judgeDNS(c.t, c.member, c.t.server("", bolt.Version{}), c.out)
			c.want.match(t, dnsCheck, res)
			if (res.Status == Fail) != (res.Err != nil) || res.Err != nil && !errors.Is(res.Err, c.out.err) {
				t.Errorf("status %s with Err %v, want the lookup's error %v exactly when it failed", res.Status, res.Err, c.out.err)
			}
		})
	}
	coverCodes(t, dnsCheck, wants)
}

// TestJudgeDNSNamesTheServerAsked: with --dns-server the error names that
// server (the resolver names resolv.conf's) and is still a *net.DNSError.
func TestJudgeDNSNamesTheServerAsked(t *testing.T) {
	target := &Target{Host: "db.example.com", Port: DefaultPort, DNSServer: "192.0.2.53:53", Timeout: time.Second}
	res := judgeDNS(target, false, target.server("", bolt.Version{}), dnsOutcome{err: &net.DNSError{Err: "no such host", Name: "db.example.com", Server: "127.0.0.53:53", IsNotFound: true}})
	outcomeWant{Fail, "dns.nxdomain", "does not exist (NXDOMAIN)", "typos"}.match(t, dnsCheck, res)
	if got, want := res.Err.Error(), "lookup db.example.com via 192.0.2.53:53: no such host"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if de, ok := errors.AsType[*net.DNSError](res.Err); !ok || !de.IsNotFound {
		t.Errorf("error %#v does not unwrap to the *net.DNSError", res.Err)
	}
	if v := lookup(res.Facts, "resolved by"); v != "192.0.2.53:53 (--dns-server)" {
		t.Errorf("resolved by %q", v)
	}
}

// TestJudgeDNSMemberHintsFollowTheServer: a member's name that does not
// resolve is the server's advertised address: the hint sets it in the
// names of every generation the server may be (nothing is known of it
// before its handshake), to paste; on Aura, where there is no setting,
// it says what an Aura user can do.
func TestJudgeDNSMemberHintsFollowTheServer(t *testing.T) {
	notFound := &net.DNSError{Err: "no such host", Name: "core-2.internal", IsNotFound: true}
	self := &Target{Scheme: "neo4j", Routing: true, Host: "core-2.internal", Port: 7688, Timeout: time.Second}
	res := judgeDNS(self, true, self.server("", bolt.Version{}), dnsOutcome{err: notFound})
	want := []string{
		"this name comes from the cluster's routing table, not from your URI",
		"`server.bolt.advertised_address=<a name clients resolve>:7688` or on 4.x `dbms.connector.bolt.advertised_address=<a name clients resolve>:7688`",
	}
	if len(res.Hints) != 2 || !strings.Contains(res.Hints[0], want[0]) || !strings.Contains(res.Hints[0], want[1]) ||
		!strings.Contains(res.Hints[1], "`server.default_advertised_address=<a name clients resolve>` or on 4.x `dbms.default_advertised_address=<a name clients resolve>`") {
		t.Errorf("hints %q", res.Hints)
	}
	aura := &Target{Scheme: "neo4j+s", Routing: true, TLS: TLSVerify, Host: "abcd1234.databases.neo4j.io", Port: DefaultPort, Timeout: time.Second}
	res = judgeDNS(aura, true, aura.server("", bolt.Version{}), dnsOutcome{err: notFound})
	if len(res.Hints) == 0 || !strings.Contains(res.Hints[0], "raise a ticket") || strings.Contains(strings.Join(res.Hints, " "), "advertised_address") {
		t.Errorf("Aura hints %q", res.Hints)
	}
}
