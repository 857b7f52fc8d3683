package checks_test

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
)

// pki is a private CA, its PEM written where --ca-file can read it, and
// leaves for the usual certificate mistakes. Every leaf names host("db").
type pki struct {
	ca     *certs.CA
	caFile string
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	ca, err := certs.NewCA("doctor test root")
	if err != nil {
		t.Fatal(err)
	}
	return &pki{ca: ca, caFile: writeFile(t, "ca.pem", ca.PEM())}
}

func (p *pki) leaf(t *testing.T, o certs.LeafOptions) *certs.Leaf {
	t.Helper()
	if o.DNSNames == nil && o.IPs == nil {
		o.DNSNames = []string{host("db")}
	}
	l, err := p.ca.Leaf(o)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func selfSigned(t *testing.T, names ...string) *certs.Leaf {
	t.Helper()
	if names == nil {
		names = []string{host("db")}
	}
	l, err := certs.SelfSigned(certs.LeafOptions{DNSNames: names})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// tlsSetup is a TLS-only fixture presenting leaf, reachable as host("db").
func tlsSetup(t *testing.T, leaf *certs.Leaf) dnsSetup {
	t.Helper()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.TLS = certs.ServerConfig(leaf)
	cfg.TLSMode = fixtures.TLSRequired
	s := startServer(t, cfg)
	d := startDNS(t, map[string][]net.IP{host("db"): {lo}})
	return dnsSetup{srv: s, dns: d, port: portOf(t, s.Addr())}
}

func TestTLSValidCAFromFile(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	d := tlsSetup(t, p.leaf(t, certs.LeafOptions{}))
	tg := d.target("neo4j+s", "db")
	tg.caFile = p.caFile
	rep := run(t, tg)
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantCheck(t, rep, "tls", checks.Pass, "certificate valid for "+host("db"))
	if v, _ := fact(r, "server name (SNI)"); v != host("db") {
		t.Errorf("SNI fact %q", v)
	}
	if v, _ := fact(r, "verified chain"); !strings.Contains(v, "doctor test root") {
		t.Errorf("verified chain %q should end at the --ca-file root", v)
	}
	// Every member is checked over TLS too, with its own name.
	if len(rep.Members) != 1 || rep.Members[0].Status != checks.Pass {
		t.Fatalf("members %+v", rep.Members)
	}
	for _, rec := range d.srv.Received() {
		if !rec.TLS || rec.ServerName != host("db") {
			t.Errorf("connection %d: TLS %v SNI %q", rec.Conn, rec.TLS, rec.ServerName)
		}
	}
}

func TestTLSIntermediateChain(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	inter, err := p.ca.Intermediate("doctor test intermediate")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := inter.Leaf(certs.LeafOptions{DNSNames: []string{host("db")}})
	if err != nil {
		t.Fatal(err)
	}
	d := tlsSetup(t, leaf)
	tg := d.target("bolt+s", "db")
	tg.caFile = p.caFile
	rep := run(t, tg)
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantCheck(t, rep, "tls", checks.Pass, "certificate valid")
	if v, _ := fact(r, "verified chain"); strings.Count(v, "→") != 2 {
		t.Errorf("verified chain %q should have leaf → intermediate → root", v)
	}
}

func TestTLSIPLiteralWithIPSAN(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	cfg := withUsers(fixtures.Neo4j526())
	cfg.TLS = certs.ServerConfig(p.leaf(t, certs.LeafOptions{IPs: []net.IP{lo}}))
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt+s"), caFile: p.caFile})
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	wantCheck(t, rep, "tls", checks.Pass, "valid for 127.0.0.1")
}

// Credentials never go over a TLS connection that failed verification:
// whatever is wrong with the certificate, the server must not see a single
// Bolt byte, let alone a password, from +s.
func TestTLSFailedVerificationSendsNoCredentials(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	now := time.Now()
	cases := []struct {
		name    string
		leaf    func(t *testing.T) *certs.Leaf
		caFile  bool
		summary string
		hints   []string
	}{
		{
			name: "self-signed", leaf: func(t *testing.T) *certs.Leaf { return selfSigned(t) },
			summary: "self-signed", hints: []string{"+ssc://", "--ca-file"},
		},
		{
			name: "private CA not passed", leaf: func(t *testing.T) *certs.Leaf { return p.leaf(t, certs.LeafOptions{}) },
			summary: "authority this system does not trust", hints: []string{"--ca-file", "+ssc://"},
		},
		{
			name: "expired", caFile: true,
			leaf: func(t *testing.T) *certs.Leaf {
				return p.leaf(t, certs.LeafOptions{NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(0, 0, -10)})
			},
			summary: "expired 10 days ago", hints: []string{"renew", "dbms.ssl.policy.bolt.public_certificate"},
		},
		{
			name: "not yet valid", caFile: true,
			leaf: func(t *testing.T) *certs.Leaf {
				return p.leaf(t, certs.LeafOptions{NotBefore: now.AddDate(0, 0, 5), NotAfter: now.AddDate(1, 0, 0)})
			},
			summary: "not valid for another", hints: []string{"clock"},
		},
		{
			name: "wrong host", caFile: true,
			leaf: func(t *testing.T) *certs.Leaf {
				return p.leaf(t, certs.LeafOptions{DNSNames: []string{host("graph")}})
			},
			summary: "not valid for " + host("db") + ": it is for " + host("graph"), hints: []string{"connect with", host("graph"), "reissue the certificate with " + host("db")},
		},
	}
	for _, c := range cases {
		for _, scheme := range []string{"bolt+s", "neo4j+s"} {
			t.Run(c.name+" "+scheme, func(t *testing.T) {
				t.Parallel()
				d := tlsSetup(t, c.leaf(t))
				tg := d.target(scheme, "db")
				if c.caFile {
					tg.caFile = p.caFile
				}
				rep := run(t, tg)
				wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
				r := wantCheck(t, rep, "tls", checks.Fail, c.summary, c.hints...)
				if v, ok := evidence(r, "verification"); !ok || v != r.Error {
					t.Errorf("the verification error %q is not evidence (%q)", r.Error, v)
				}
				// A routing URI's certificates must also cover the names
				// the cluster advertises; a direct one's need not.
				if c.name == "wrong host" && (scheme == "neo4j+s") != slices.ContainsFunc(r.Hints, func(h string) bool { return strings.Contains(h, "server.bolt.advertised_address") }) {
					t.Errorf("%s: hints %q", scheme, r.Hints)
				}
				if _, ok := fact(r, "subject"); !ok {
					t.Error("the rejected certificate is still described")
				}
				for _, id := range []string{"bolt", "auth", "routing", "members", "query"} {
					if got := result(t, rep, id); got.Status != checks.Skip {
						t.Errorf("%s ran (%s) after the certificate failed", id, got.Status)
					}
				}
				noCredentialsSent(t, d.srv)
				for _, rec := range d.srv.Received() {
					if len(rec.Handshake) > 0 || len(rec.Messages) > 0 {
						t.Errorf("connection %d got Bolt over an unverified TLS connection: handshake % X, messages %+v", rec.Conn, rec.Handshake, rec.Messages)
					}
				}
			})
		}
	}
}

func TestTLSSelfSignedWithSSCWarnsAndAuthenticates(t *testing.T) {
	t.Parallel()
	d := tlsSetup(t, selfSigned(t))
	rep := run(t, d.target("neo4j+ssc", "db"))
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantCheck(t, rep, "tls", checks.Warn, "unverified certificate (accepted because of +ssc)", "--ca-file", "neo4j+s://")
	if v, _ := fact(r, "accepted unverified"); v == "" {
		t.Error("the fingerprint of the accepted certificate is a fact")
	}
	if v, _ := evidence(r, "verification"); !strings.Contains(v, "self-signed") {
		t.Errorf("verification evidence %q should say why it would fail", v)
	}
	wantStatuses(t, rep, map[string]checks.Status{"bolt": checks.Pass, "auth": checks.Pass, "routing": checks.Pass, "query": checks.Pass})
}

func TestTLSExpiringSoonWarns(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	d := tlsSetup(t, p.leaf(t, certs.LeafOptions{NotAfter: time.Now().Add(10*24*time.Hour + time.Hour)}))
	tg := d.target("bolt+s", "db")
	tg.caFile = p.caFile
	rep := run(t, tg)
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	wantCheck(t, rep, "tls", checks.Warn, "", "expires in 10 days", "renew")
}

func TestTLSToPlaintextPort(t *testing.T) {
	t.Parallel()
	d := newDNSSetup(t)
	d.dns.Set(host("db"), lo)
	rep := run(t, d.target("neo4j+s", "db"))
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	wantCheck(t, rep, "tls", checks.Fail, "does not use TLS", "neo4j://", "dbms.ssl.policy.bolt.enabled")
	noCredentialsSent(t, d.srv)
}

func TestTLSToHTTPPort(t *testing.T) {
	t.Parallel()
	cfg := fixtures.Neo4j526()
	cfg.Misbehave = fixtures.Misbehaviour{Kind: fixtures.AnswerHTTP}
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt+s")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	wantCheck(t, rep, "tls", checks.Fail, "plain HTTP", "7687")
}

// A member whose advertised name the certificate does not cover fails its
// own TLS check, and gets no credentials either.
func TestTLSMemberNameNotInCertificate(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	leaf := p.leaf(t, certs.LeafOptions{DNSNames: []string{host("core-0"), host("core-1")}})
	member := withUsers(fixtures.Neo4j526())
	member.TLS = certs.ServerConfig(leaf)
	c := startCluster(t, 3, fixtures.ClusterConfig{Member: member})
	d := startDNS(t, nil)
	adv := make([]string, 3)
	for i, m := range c.Members {
		d.Set(host(fmt.Sprintf("core-%d", i)), lo)
		adv[i] = net.JoinHostPort(host(fmt.Sprintf("core-%d", i)), portOf(t, m.Addr()))
	}
	c.SetTable(fixtures.RoutingTable{Routers: adv, Writers: adv[:1], Readers: adv[1:]})
	rep := run(t, target{uri: "neo4j+s://" + adv[0], caFile: p.caFile, dnsServer: d.Addr()})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	wantCheck(t, rep, "tls", checks.Pass, "valid for "+host("core-0"))
	r := wantCheck(t, rep, "members", checks.Warn, "1 of 3 members", "certificate")
	if v, _ := evidence(r, adv[2]); !strings.Contains(v, "tls:") || !strings.Contains(v, host("core-2")) {
		t.Errorf("evidence for %s is %q, want the tls failure", adv[2], v)
	}
	noCredentialsSent(t, c.Members[2])
}

// Exit 2 means "nothing answered in time" whatever the scheme: a server
// that accepts TCP and then stays silent is the same outage over +s as
// over bolt:// (TestBoltStallIsNoResponse).
func TestTLSSilentServerIsNoResponse(t *testing.T) {
	t.Parallel()
	s := startServer(t, misbehaving(fixtures.Stall))
	for _, scheme := range []string{"bolt+s", "neo4j+ssc"} {
		t.Run(scheme, func(t *testing.T) {
			start := time.Now()
			rep := run(t, target{uri: s.URI(scheme)})
			if el := time.Since(start); el > 2*stepTimeout+time.Second {
				t.Errorf("took %s with a %s timeout", el, stepTimeout)
			}
			wantCheck(t, rep, "tls", checks.Fail, "timed out", "does not answer TLS")
			if rep.ExitCode != checks.ExitNoResponse {
				t.Errorf("BUG: exit %d for a server that answered nothing in time over %s://; bolt:// gives %d for the same server",
					rep.ExitCode, scheme, checks.ExitNoResponse)
			}
		})
	}
}
