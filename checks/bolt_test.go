package checks_test

import (
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
)

func misbehaving(kind fixtures.MisbehaviourKind) fixtures.Config {
	c := withUsers(fixtures.Neo4j526())
	c.Misbehave = fixtures.Misbehaviour{Kind: kind}
	return c
}

func TestBoltHTTPAnswer(t *testing.T) {
	t.Parallel()
	s := startServer(t, misbehaving(fixtures.AnswerHTTP))
	rep := run(t, target{uri: s.URI("neo4j")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "bolt", checks.Fail, "answered HTTP", "7474", "7687")
	// In words for the text report, in hex for --verbose and JSON.
	if v, _ := evidence(r, "received"); !strings.HasPrefix(v, `"HTTP/1.1 `) || !strings.HasSuffix(v, " bytes)") {
		t.Errorf("received evidence %q should quote the HTTP status line", v)
	}
	if v, _ := evidence(r, "received (hex)"); !strings.HasPrefix(v, "48 54 54 50") {
		t.Errorf("received (hex) evidence %q should start with HTTP", v)
	}
	noCredentialsSent(t, s)
}

func TestBoltPlaintextToTLSRequiredPort(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	cfg := withUsers(fixtures.Neo4j526())
	cfg.TLS = certs.ServerConfig(p.leaf(t, certs.LeafOptions{}))
	cfg.TLSMode = fixtures.TLSRequired
	s := startServer(t, cfg)
	for _, scheme := range []string{"neo4j", "bolt"} {
		t.Run(scheme, func(t *testing.T) {
			rep := run(t, target{uri: s.URI(scheme)})
			wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
			r := wantCheck(t, rep, "bolt", checks.Fail, "requires TLS", "requires TLS", scheme+"+s://", scheme+"+ssc://", "tls_level=OPTIONAL")
			if !strings.HasPrefix(r.Hints[0], "this port requires TLS: use "+scheme+"+s://") {
				t.Errorf("bolt: the fix is the encrypted scheme, not %q", r.Hints[0])
			}
		})
	}
	noCredentialsSent(t, s)
}

func TestBoltStallIsNoResponse(t *testing.T) {
	t.Parallel()
	s := startServer(t, misbehaving(fixtures.Stall))
	start := time.Now()
	rep := run(t, target{uri: s.URI("bolt")})
	elapsed := time.Since(start)
	wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
	wantCheck(t, rep, "bolt", checks.Fail, "sent nothing in "+stepTimeout.String(), "load balancer", "port "+portOf(t, s.Addr()))
	if elapsed > 2*stepTimeout+time.Second {
		t.Errorf("a stalled server kept the diagnosis for %s with a %s timeout", elapsed, stepTimeout)
	}
}

func TestBoltGarbage(t *testing.T) {
	t.Parallel()
	s := startServer(t, misbehaving(fixtures.SendGarbage))
	rep := run(t, target{uri: s.URI("bolt")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "bolt", checks.Fail, "not a Bolt server: it answered DE AD BE EF", "port "+portOf(t, s.Addr()))
	if v, _ := evidence(r, "received (hex)"); !strings.HasPrefix(v, "DE AD BE EF") {
		t.Errorf("received (hex) evidence %q", v)
	}
	if v, _ := evidence(r, "sent"); !strings.HasPrefix(v, "60 60 B0 17") {
		t.Errorf("sent evidence %q should start with the magic", v)
	}
}

func TestBoltSSHBanner(t *testing.T) {
	t.Parallel()
	s := startServer(t, misbehaving(fixtures.SSHBanner))
	rep := run(t, target{uri: s.URI("bolt")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "bolt", checks.Fail, `not a Bolt server: it answered "SSH-`, "7687")
	if v, _ := evidence(r, "received (hex)"); !strings.HasPrefix(v, "53 53 48 2D") { // "SSH-"
		t.Errorf("received (hex) evidence %q should hold the banner", v)
	}
}

func TestBoltCloseMidHandshake(t *testing.T) {
	t.Parallel()
	s := startServer(t, misbehaving(fixtures.CloseMidHandshake))
	rep := run(t, target{uri: s.URI("bolt")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "bolt", checks.Fail, "")
	if v, _ := evidence(r, "received (hex)"); v != "00 00" || !strings.Contains(r.Summary, "00 00") {
		t.Errorf("received evidence %q, summary %q: want the two bytes that came", v, r.Summary)
	}
	if len(r.Hints) == 0 || r.Error == "" {
		t.Errorf("hints %q error %q", r.Hints, r.Error)
	}
	if result(t, rep, "auth").Status != checks.Skip {
		t.Error("auth ran after a broken handshake")
	}
}

func TestBoltNoCommonVersion(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j35())
	cfg.Agent = "Neo4j/3.4.18"
	cfg.Versions = []fixtures.Range{fixtures.R(2, 0, 0), fixtures.R(1, 0, 0)}
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "bolt", checks.Fail, "no Bolt version drivers use", "upgrade the server (Neo4j 3.4 or older) to 3.5 first", "migrate to 4.4 first")
	if v, _ := evidence(r, "received"); v != "00 00 00 00" {
		t.Errorf("received evidence %q", v)
	}
	if result(t, rep, "version").Status != checks.Skip {
		t.Error("version judged a handshake that failed")
	}
}

// A manifest that offers only what this client does not speak (Bolt 6
// alone) is a failed negotiation, not a crash.
func TestBoltManifestWithoutCommonVersion(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.Versions = []fixtures.Range{fixtures.R(6, 0, 0)}
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	wantCheck(t, rep, "bolt", checks.Fail, "no Bolt version drivers use", "upgrade")
}

// TestBoltVersionsNegotiated: every server generation gets the same
// version, the same verdict and (where it has a manifest) the same list of
// versions whether HELLO went with the handshake or after it. Pipelined,
// a 5.3+ server takes the speculative range, an older one makes the check
// fall back to the sequential exchange.
func TestBoltVersionsNegotiated(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		cfg         fixtures.Config
		version     string
		manifest    bool
		speculative bool // in the pipelined range 5.8..5.3
	}{
		{"2025", fixtures.Neo4j2025(), "5.8", true, true},
		{"5.26", fixtures.Neo4j526(), "5.8", true, true},
		{"5.22", fixtures.Neo4j522(), "5.4", false, true},
		{"4.4", fixtures.Neo4j44(), "4.4", false, false},
		{"4.2", fixtures.Neo4j42(), "4.2", false, false},
		{"3.5", fixtures.Neo4j35(), "3.0", false, false},
	}
	for _, c := range cases {
		for _, m := range modes {
			t.Run(c.name+" "+m.name, func(t *testing.T) {
				t.Parallel()
				s := startServer(t, withUsers(c.cfg))
				rep := diagnosePipelined(t, target{uri: s.URI("bolt"), listVersions: true}, m.pipelining)
				r := wantCheck(t, rep, "bolt", checks.Pass, "Bolt "+c.version+" agreed")
				wantStatuses(t, rep, map[string]checks.Status{"auth": checks.Pass, "query": checks.Pass})
				how, _ := fact(r, "negotiation")
				pipe, _ := fact(r, "pipelining")
				switch {
				case m.pipelining && c.speculative:
					if how != "version range 5.3–5.8 with HELLO pipelined" || !strings.HasPrefix(pipe, "handshake, HELLO") {
						t.Errorf("negotiation %q, pipelining %q: want HELLO sent with the handshake", how, pipe)
					}
				case m.pipelining:
					if how != "legacy negotiation" || !strings.Contains(pipe, "fell back") {
						t.Errorf("negotiation %q, pipelining %q: want the legacy fallback", how, pipe)
					}
				default:
					if got := how == "handshake manifest v1"; got != c.manifest || pipe != "off" {
						t.Errorf("negotiation %q, pipelining %q: manifest want %v, pipelining off", how, pipe, c.manifest)
					}
				}
				if _, ok := fact(result(t, rep, "version"), "offered by the server"); ok != c.manifest {
					t.Errorf("offered list shown %v, want %v", ok, c.manifest)
				}
				// The connection the verdict came from is the one that
				// logged in, and only one did.
				var logins []fixtures.Received
				for _, rec := range s.Received() {
					if rec.SentCredentials() {
						logins = append(logins, rec)
					}
				}
				if len(logins) != 1 || logins[0].Version != c.version {
					t.Errorf("the server negotiated %+v, want one login over %s", s.Received(), c.version)
				}
			})
		}
	}
}
