package checks_test

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math"
	"net"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"
)

// artifactsJSON is what a bundle would carry; the password must not be in
// it in any form.
func artifactsJSON(t *testing.T, a *checks.Artifacts) string {
	t.Helper()
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatalf("artifacts do not marshal: %v", err)
	}
	if strings.Contains(string(b), testPass) {
		t.Errorf("the password is in the artifacts:\n%s", b)
	}
	return string(b)
}

// TestArtifactsCluster: a healthy cluster's raw material, the target's and
// every member's: handshake bytes, transcript without credentials, the
// routing table as received, and one timing per check.
func TestArtifactsCluster(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{})
	rep := run(t, target{uri: c.URI("neo4j")})
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	a := rep.Artifacts
	if a == nil {
		t.Fatal("Diagnose left Report.Artifacts nil")
	}
	artifactsJSON(t, a)
	if a.Address != c.Members[0].Addr() || a.Connected != c.Members[0].Addr() {
		t.Errorf("address %q, connected %q, want both %s", a.Address, a.Connected, c.Members[0].Addr())
	}
	if a.Handshake == nil || !strings.HasPrefix(a.Handshake.Sent, "60 60 b0 17") || a.Handshake.Received == "" || a.Handshake.Version != "5.8" {
		t.Errorf("handshake %+v, want the magic sent, a reply and 5.8", a.Handshake)
	}
	logon := false
	for _, f := range a.Transcript {
		b, err := hex.DecodeString(strings.ReplaceAll(f.Hex, " ", ""))
		if err != nil {
			t.Errorf("%s: hex %q does not decode: %v", f.Message, f.Hex, err)
		}
		if strings.Contains(string(b), testPass) {
			t.Errorf("%s: its bytes hold the password", f.Message)
		}
		if strings.HasPrefix(f.Message, "LOGON") {
			logon = true
			if f.Hex != "" || !strings.Contains(f.Message, "******") {
				t.Errorf("LOGON frame %+v: want the credentials masked and no bytes", f)
			}
		}
	}
	if !logon {
		t.Errorf("no LOGON in the transcript: %+v", a.Transcript)
	}
	if a.Routing == nil || a.Routing.Method != "ROUTE" || len(a.Routing.Writers) != 1 || len(a.Routing.Readers) != 2 {
		t.Fatalf("routing %+v, want ROUTE with 1 writer and 2 readers", a.Routing)
	}
	raw, ok := a.Routing.Raw.(map[string]any)
	if !ok || raw["servers"] == nil || raw["ttl"] == nil {
		t.Errorf("raw routing table %#v, want the server's map with ttl and servers", a.Routing.Raw)
	}
	if a.Hello == nil || a.Hello.Server != "Neo4j/5.26.0" || a.Hello.Metadata == nil {
		t.Errorf("hello %+v, want the server agent and its metadata", a.Hello)
	}
	if len(a.Timings) != len(rep.Checks) {
		t.Fatalf("%d timings for %d checks", len(a.Timings), len(rep.Checks))
	}
	for i, tm := range a.Timings {
		if c := rep.Checks[i]; tm.Check != c.ID || tm.Nanos != int64(c.Duration) {
			t.Errorf("timing %d = %+v, want %s %d ns", i, tm, c.ID, int64(c.Duration))
		}
	}
	if len(a.Members) != 3 {
		t.Fatalf("%d member artifacts, want 3", len(a.Members))
	}
	for i, m := range a.Members {
		if m.Address != rep.Members[i].Address || m.Artifacts == nil || m.Artifacts.Handshake == nil || len(m.Artifacts.Transcript) == 0 {
			t.Errorf("member %d: %+v, want %s with its own handshake and transcript", i, m, rep.Members[i].Address)
		}
	}
}

// TestArtifactsWrongPassword: the server's FAILURE, as sent, with the
// check that received it.
func TestArtifactsWrongPassword(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	rep := run(t, target{uri: "bolt://" + s.Addr(), pass: "not-" + testPass})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	a := rep.Artifacts
	js := artifactsJSON(t, a)
	if strings.Contains(js, "not-"+testPass) {
		t.Errorf("the wrong password is in the artifacts:\n%s", js)
	}
	if len(a.Failures) != 1 {
		t.Fatalf("failures %+v, want one", a.Failures)
	}
	f := a.Failures[0]
	if f.Check != "auth" || f.Request != "LOGON" || f.Code != "Neo.ClientError.Security.Unauthorized" || f.Message == "" {
		t.Errorf("failure %+v, want auth's LOGON Unauthorized with its message", f)
	}
	if a.Routing != nil || len(a.Members) != 0 {
		t.Errorf("bolt:// after a failed login has no routing table or members: %+v %+v", a.Routing, a.Members)
	}
}

// TestArtifactsTLSChain: every certificate as PEM that parses back to the
// fingerprint the report shows.
func TestArtifactsTLSChain(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	d := tlsSetup(t, p.leaf(t, certs.LeafOptions{}))
	tg := d.target("bolt+s", "db")
	tg.caFile = p.caFile
	rep := run(t, tg)
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	a := rep.Artifacts
	artifactsJSON(t, a)
	if a.TLS == nil || !a.TLS.Handshake || a.TLS.ServerName != host("db") || len(a.TLS.Chain) == 0 {
		t.Fatalf("tls %+v, want a completed handshake with a chain for %s", a.TLS, host("db"))
	}
	for i, c := range a.TLS.Chain {
		block, rest := pem.Decode([]byte(c.PEM))
		if block == nil || len(strings.TrimSpace(string(rest))) != 0 {
			t.Fatalf("certificate %d: PEM %q is not one block", i, c.PEM)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatalf("certificate %d: %v", i, err)
		}
		if fp := tlsprobe.Fingerprint(cert); fp != c.SHA256 {
			t.Errorf("certificate %d: PEM fingerprint %s, artifact says %s", i, fp, c.SHA256)
		}
	}
	if a.TLS.Chain[0].DNSNames[0] != host("db") {
		t.Errorf("leaf names %v", a.TLS.Chain[0].DNSNames)
	}
}

// TestJSONValue: whatever a server sends, the artifacts still marshal.
func TestJSONValue(t *testing.T) {
	t.Parallel()
	deep := any("bottom")
	for range 40 {
		deep = []any{deep}
	}
	long := make([]any, 5000)
	for i := range long {
		long[i] = int64(i)
	}
	in := map[string]any{
		"nan":    math.NaN(),
		"inf":    math.Inf(-1),
		"bytes":  []byte{0xde, 0xad},
		"struct": &packstream.Struct{Tag: 0x4E, Fields: []any{int64(1), "n"}},
		"deep":   deep,
		"long":   long,
		"ip":     net.IPv4(10, 0, 0, 1),
		"huge":   strings.Repeat("x", 10000),
	}
	b, err := json.Marshal(checks.JSONValue(in))
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"nan": "NaN", "inf": "-Inf", "bytes": "bytes de ad", "ip": "10.0.0.1"} {
		if back[k] != want {
			t.Errorf("%s = %#v, want %q", k, back[k], want)
		}
	}
	if s, _ := back["struct"].(map[string]any); s["struct"] != "0x4E" {
		t.Errorf("struct = %#v", back["struct"])
	}
	if l, _ := back["long"].([]any); len(l) != 1025 || !strings.Contains(l[1024].(string), "3976 more") {
		t.Errorf("a 5000-item list kept %d items", len(l))
	}
	if s, _ := back["huge"].(string); len(s) > 4200 || !strings.Contains(s, "(10000 bytes)") {
		t.Errorf("a 10000-byte string kept %d bytes", len(s))
	}
	if !strings.Contains(string(b), "nested too deep") {
		t.Errorf("40 levels of nesting were kept")
	}
}
