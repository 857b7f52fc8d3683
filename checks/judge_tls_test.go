package checks

import (
	"context"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
	"github.com/neo4j-doctor/neo4j-doctor/internal/truststore"
	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"
)

const tlsHost = "db.example.com"

// tlsNow is the clock of the hand-built handshakes.
var tlsNow = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

// tlsHandshook is a TLS 1.3 handshake whose certificate for tlsHost expires
// after left, with mod applied.
func tlsHandshook(left time.Duration, mod ...func(*tlsprobe.Result)) *tlsprobe.Result {
	expiry := tlsNow.Add(left)
	info := &tlsprobe.Result{
		ServerName: tlsHost, SNI: tlsHost, Handshake: true, ServerSpokeTLS: true,
		Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256",
		Chain: []tlsprobe.CertInfo{{Subject: "CN=" + tlsHost, Issuer: "CN=R11,O=Let's Encrypt,C=US", DNSNames: []string{tlsHost},
			NotBefore: tlsNow.Add(-60 * 24 * time.Hour), NotAfter: expiry, SHA256: "AB:CD"}},
		EarliestExpiry: expiry, EarliestExpirySubject: "CN=" + tlsHost,
		ExpiresIn: left, DaysLeft: int(left / (24 * time.Hour)), WarnDays: 30,
		ExpiringSoon: left >= 0 && left < 30*24*time.Hour,
	}
	for _, m := range mod {
		m(info)
	}
	return info
}

// tlsRefused is a handshake that failed on a certificate: the chain came,
// nothing verified.
func tlsRefused() *tlsprobe.Result {
	no := false
	info := tlsHandshook(90*24*time.Hour, func(r *tlsprobe.Result) { r.Handshake, r.Verified = false, &no })
	return info
}

// tlsPlaintext is a handshake the server answered with bytes that are not
// TLS (nil: it sent nothing).
func tlsPlaintext(b []byte) *tlsprobe.Result {
	return &tlsprobe.Result{ServerName: tlsHost, SNI: tlsHost, BytesReceived: int64(len(b)), Received: b}
}

func TestJudgeTLS(t *testing.T) {
	s := &Target{Scheme: "neo4j+s", Routing: true, TLS: TLSVerify, Host: tlsHost, Port: DefaultPort}
	ssc := &Target{Scheme: "bolt+ssc", TLS: TLSAcceptAny, Host: tlsHost, Port: DefaultPort}
	certErr := func(cause error, mod ...func(*tlsprobe.CertError)) error {
		ce := &tlsprobe.CertError{Cause: cause, Detail: "detail"}
		for _, m := range mod {
			m(ce)
		}
		return ce
	}
	hsErr := func(cause error, speaks string, b []byte) error {
		return &tlsprobe.HandshakeError{Cause: cause, Speaks: speaks, Bytes: b, Detail: "detail"}
	}
	unverified := func(r *tlsprobe.Result) {
		r.AcceptedAny, r.AcceptedSHA = true, "AB:CD"
		r.Unverified = &tlsprobe.CertError{Cause: tlsprobe.ErrSelfSigned, Detail: "CN=" + tlsHost + " signs itself"}
	}
	inspected := func(r *tlsprobe.Result) { r.Interception = "Zscaler" }
	http := []byte("HTTP/1.1 400 Bad Request\r\n\r\n")
	cases := []struct {
		name string
		t    *Target
		info *tlsprobe.Result
		err  error
		want outcomeWant
	}{
		{"not used", &Target{Scheme: "neo4j", Routing: true, TLS: TLSOff, Host: tlsHost, Port: DefaultPort}, nil, nil,
			outcomeWant{Skip, "tls.not_used", "neo4j:// does not use TLS", ""}},
		{"verified", s, tlsHandshook(61*24*time.Hour + time.Hour), nil,
			outcomeWant{Pass, "", "TLS 1.3, certificate valid for " + tlsHost + " for 61 more days", ""}},
		{"unverified under +ssc", ssc, tlsHandshook(61*24*time.Hour, unverified), nil,
			outcomeWant{Warn, "tls.unverified", "TLS 1.3 with an unverified certificate (accepted because of +ssc)", "the certificate would fail verification (the server's certificate is self-signed"}},
		{"expiring soon", s, tlsHandshook(10*24*time.Hour + time.Hour), nil,
			outcomeWant{Warn, "tls.expiring_soon", "certificate valid for " + tlsHost + " for 10 more days", "the certificate CN=" + tlsHost + " expires in 10 days (2026-12-15)"}},
		{"inspected", s, tlsHandshook(61*24*time.Hour, inspected), nil,
			outcomeWant{Warn, "tls.inspected", "for 61 more days", "the chain names Zscaler, a TLS-inspecting proxy: it reads this traffic; exempt " + tlsHost + ":7687"}},
		{"unverified and inspected", ssc, tlsHandshook(61*24*time.Hour, unverified, inspected), nil,
			outcomeWant{Warn, "tls.unverified", "with an unverified certificate", "would fail verification"}},
		{"expiring soon and inspected", s, tlsHandshook(5*24*time.Hour, inspected), nil,
			outcomeWant{Warn, "tls.expiring_soon", "for 5 more days", "expires in 5 days"}},

		{"self-signed", s, tlsRefused(), certErr(tlsprobe.ErrSelfSigned),
			outcomeWant{Fail, "tls.self_signed", "the certificate is self-signed", "trust it: pass the certificate with --ca-file"}},
		{"interception", s, tlsRefused(), certErr(tlsprobe.ErrInterception, func(ce *tlsprobe.CertError) { ce.Product = "Zscaler" }),
			outcomeWant{Fail, "tls.interception", "a TLS-inspecting proxy (Zscaler) re-signs the connection", "exempt " + tlsHost + " and port 7687 from TLS inspection"}},
		{"interception by an unnamed product", s, tlsRefused(), certErr(tlsprobe.ErrInterception),
			outcomeWant{Fail, "tls.interception", "a TLS-inspecting proxy (an unknown product)", "exempt " + tlsHost}},
		{"no system roots", s, tlsRefused(), certErr(tlsprobe.ErrNoSystemRoots),
			outcomeWant{Fail, "tls.no_system_roots", "this system has no trusted CA certificates", "install the CA bundle"}},
		{"incomplete chain", s, tlsRefused(), certErr(tlsprobe.ErrIncompleteChain, func(ce *tlsprobe.CertError) { ce.Missing = "CN=R11,O=Let's Encrypt,C=US" }),
			outcomeWant{Fail, "tls.incomplete_chain", "without the intermediate that signs it", "the leaf followed by the intermediate(s) (CN=R11,O=Let's Encrypt,C=US)"}},
		{"unknown authority", s, tlsRefused(), certErr(tlsprobe.ErrUnknownAuthority),
			outcomeWant{Fail, "tls.unknown_authority", "signed by an authority this system does not trust", "pass the CA certificate with --ca-file"}},
		{"expired", s, tlsRefused(), certErr(tlsprobe.ErrExpired, func(ce *tlsprobe.CertError) { ce.Delta = -(4*24*time.Hour + time.Hour) }),
			outcomeWant{Fail, "tls.expired", "the certificate expired 4 days ago", "renew the certificate"}},
		{"not yet valid", s, tlsRefused(), certErr(tlsprobe.ErrNotYetValid, func(ce *tlsprobe.CertError) { ce.Delta, ce.ClockSuspect = 3*time.Hour+time.Minute, true }),
			outcomeWant{Fail, "tls.not_yet_valid", "the certificate is not valid for another 3 hours", "this machine's clock looks wrong"}},
		{"host mismatch", s, tlsRefused(), certErr(tlsprobe.ErrHostMismatch, func(ce *tlsprobe.CertError) {
			ce.SANs, ce.Suggest = []string{"db-1.example.com", "10.0.0.5"}, "db-1.example.com"
		}),
			outcomeWant{Fail, "tls.host_mismatch", "the certificate is not valid for " + tlsHost + ": it is for db-1.example.com, 10.0.0.5", "connect with neo4j+s://db-1.example.com:7687 instead"}},
		{"host mismatch, common name only", s, tlsRefused(), certErr(tlsprobe.ErrHostMismatch, func(ce *tlsprobe.CertError) {
			ce.Detail = `the certificate has no subject alternative names; its common name "db.example.com" is ignored by current TLS clients`
		}),
			outcomeWant{Fail, "tls.host_mismatch", `the certificate is not valid for ` + tlsHost + `: it has no subject alternative names; its common name "db.example.com" is ignored`, "reissue the certificate with " + tlsHost + " among its names"}},
		{"invalid", s, tlsRefused(), certErr(tlsprobe.ErrInvalid),
			outcomeWant{Fail, "tls.verify_failed", "the certificate does not verify", "pass the CA with --ca-file or fix the certificate"}},

		{"plain http", s, tlsPlaintext(http), hsErr(tlsprobe.ErrPlaintextPort, tlsprobe.SpeaksHTTP, http),
			outcomeWant{Fail, "tls.plaintext_http", "the port answered plain HTTP to the TLS handshake", "port 7687 is an HTTP port (Neo4j's is 7474)"}},
		{"plaintext bolt", s, tlsPlaintext([]byte{0, 0, 0, 0}), hsErr(tlsprobe.ErrPlaintextPort, tlsprobe.SpeaksBolt, []byte{0, 0, 0, 0}),
			outcomeWant{Fail, "tls.plaintext_bolt", "the server answered plaintext Bolt to the TLS handshake: this port does not use TLS", "use neo4j:// (no encryption)"}},
		{"plaintext banner", s, tlsPlaintext([]byte("SSH-2.0-OpenSSH_9.6\r\n")), hsErr(tlsprobe.ErrPlaintextPort, tlsprobe.SpeaksOther, []byte("SSH-2.0-OpenSSH_9.6\r\n")),
			outcomeWant{Fail, "tls.plaintext_other", "this port does not use TLS", "use neo4j:// (no encryption)"}},
		{"closed on the client hello", s, tlsPlaintext(nil), hsErr(tlsprobe.ErrPlaintextPort, tlsprobe.SpeaksNothing, nil),
			outcomeWant{Fail, "tls.closed_on_hello", "the server closed the connection on the TLS handshake: this port does not use TLS", "use neo4j:// (no encryption), or enable TLS on the server"}},
		{"protocol version", s, tlsPlaintext(nil), hsErr(tlsprobe.ErrProtocolVersion, "", nil),
			outcomeWant{Fail, "tls.protocol_version", "offers no TLS version this client accepts (1.2 or 1.3)", "allow TLSv1.2 and TLSv1.3"}},
		{"cipher", s, tlsPlaintext(nil), hsErr(tlsprobe.ErrCipher, "", nil),
			outcomeWant{Fail, "tls.cipher", "share no cipher suite", "dbms.ssl.policy.bolt.ciphers"}},
		{"client certificate required", s, tlsHandshook(90 * 24 * time.Hour), hsErr(tlsprobe.ErrClientCertRequired, "", nil),
			outcomeWant{Fail, "tls.client_cert_required", "requires a client certificate (mutual TLS)", "dbms.ssl.policy.bolt.client_auth=NONE"}},
		{"server name", s, tlsPlaintext(nil), hsErr(tlsprobe.ErrServerName, "", nil),
			outcomeWant{Fail, "tls.server_name", "does not serve the requested server name (SNI)", "connect with the host name the server expects"}},
		{"handshake timeout", s, tlsPlaintext(nil), hsErr(tlsprobe.ErrHandshakeTimeout, "", nil),
			outcomeWant{Fail, "tls.handshake_timeout", "the TLS handshake timed out", "something accepts TCP but does not answer TLS"}},
		{"other handshake failure", s, tlsPlaintext(nil), hsErr(tlsprobe.ErrHandshake, "", nil),
			outcomeWant{Fail, "tls.failed", "the TLS handshake failed", "check that the port serves Bolt with TLS"}},
		{"cancelled", s, tlsPlaintext(nil), context.Canceled,
			outcomeWant{Fail, "tls.failed", "the TLS handshake failed", "check that the port serves Bolt with TLS"}},
	}
	var wants []outcomeWant
	for _, c := range cases {
		wants = append(wants, c.want)
		t.Run(c.name, func(t *testing.T) {
			res := judgeTLS(c.t, false, c.t.server("", bolt.Version{}), c.info, c.err)
			c.want.match(t, tlsCheck, res)
			if !errors.Is(res.Err, c.err) || c.err == nil && res.Err != nil {
				t.Errorf("Err %v, want %v", res.Err, c.err)
			}
		})
	}
	wants = append(wants, judgeAppStore(t))
	coverCodes(t, tlsCheck, wants)
}

// judgeAppStore: under --trust-store, a chain the doctor's trust
// (--ca-file) accepts but the application's certifi bundle does not is
// tls.app_store_rejects, and its fixes are that store's, naming the file
// that holds the root.
func judgeAppStore(t *testing.T) outcomeWant {
	ca, err := certs.NewCA("Corp Root CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf(certs.LeafOptions{DNSNames: []string{tlsHost}})
	if err != nil {
		t.Fatal(err)
	}
	info := tlsRefused()
	info.Chain = []tlsprobe.CertInfo{tlsprobe.Describe(leaf.Certificate)}
	info.Problems = []string{"unknown_authority"}
	certifi := "/venv/lib/python3.12/site-packages/certifi/cacert.pem"
	tg := &Target{Scheme: "neo4j+s", Routing: true, TLS: TLSVerify, Host: tlsHost, Port: DefaultPort,
		ExtraCAs: []*x509.Certificate{ca.Certificate}, CAFile: "/etc/corp-ca.pem",
		TrustStore: &truststore.Store{Kind: truststore.Certifi, Path: certifi, From: "--trust-store", Pool: x509.NewCertPool()}}
	env := (&Env{Roots: x509.NewCertPool(), Now: func() time.Time { return tlsNow }}).withDefaults()
	err = &tlsprobe.CertError{Cause: tlsprobe.ErrUnknownAuthority, Detail: "detail"}
	res := judgeTLS(tg, false, tg.server("", bolt.Version{}), info, err)
	appStore(&res, tg, env, judgeStores(tg, env, false, info), info, err)
	want := outcomeWant{Fail, "tls.app_store_rejects", `Python's certifi bundle lacks the root "CN=Corp Root CA"`,
		`give the driver the CA: trusted_certificates=neo4j.TrustCustomCAs("/etc/corp-ca.pem")`}
	want.match(t, tlsCheck, res)
	if len(res.Hints) != 2 || !strings.Contains(res.Hints[1], "`export SSL_CERT_FILE=bundle.pem`") {
		t.Errorf("hints %q", res.Hints)
	}
	return want
}

// TestJudgeTLSAlertEvidence: the alert a server answered the handshake
// with is the raw answer that decided it, so it is evidence, keyed.
func TestJudgeTLSAlertEvidence(t *testing.T) {
	s := &Target{Scheme: "bolt+s", TLS: TLSVerify, Host: tlsHost, Port: DefaultPort}
	for _, c := range []struct {
		err  error
		want string
	}{
		{&tlsprobe.HandshakeError{Cause: tlsprobe.ErrProtocolVersion, Alert: "protocol version not supported", AlertCode: 70}, "protocol version not supported (70)"},
		{&tlsprobe.HandshakeError{Cause: tlsprobe.ErrClientCertRequired, Alert: "certificate required", AlertCode: 116}, "certificate required (116)"},
		{&tlsprobe.HandshakeError{Cause: tlsprobe.ErrHandshakeTimeout}, ""},
		{&tlsprobe.CertError{Cause: tlsprobe.ErrSelfSigned}, ""},
	} {
		res := judgeTLS(s, false, s.server("", bolt.Version{}), tlsPlaintext(nil), c.err)
		if got := lookup(res.Evidence, "alert"); got != c.want {
			t.Errorf("%v: alert evidence %q, want %q", c.err, got, c.want)
		}
	}
}

// TestJudgeTLSWordsTheLastDaysInHours (issue 13): a certificate with less
// than two days left is not "valid for 0 more days" nor "expires in 0
// days"; from two days on the wording is what it always was.
func TestJudgeTLSWordsTheLastDaysInHours(t *testing.T) {
	s := &Target{Scheme: "bolt+s", TLS: TLSVerify, Host: tlsHost, Port: DefaultPort}
	for _, c := range []struct {
		left          time.Duration
		summary, hint string
	}{
		{23*time.Hour + 59*time.Minute, "valid for db.example.com for 23 more hours", "expires in 23 hours (2026-12-06)"},
		{47*time.Hour + 59*time.Minute, "valid for db.example.com for 47 more hours", "expires in 47 hours (2026-12-07)"},
		{48 * time.Hour, "valid for db.example.com for 2 more days", "expires in 2 days (2026-12-07)"},
		{29*24*time.Hour + 23*time.Hour, "valid for db.example.com for 29 more days", "expires in 29 days (2027-01-04)"},
		{90 * time.Minute, "valid for db.example.com for 90 more minutes", "expires in 90 minutes (2026-12-05)"},
	} {
		t.Run(c.left.String(), func(t *testing.T) {
			info := tlsHandshook(c.left)
			res := judgeTLS(s, false, s.server("", bolt.Version{}), info, nil)
			outcomeWant{Warn, "tls.expiring_soon", "TLS 1.3, certificate " + c.summary, "the certificate CN=" + tlsHost + " " + c.hint}.match(t, tlsCheck, res)
			if strings.Contains(res.Summary, " 0 ") || strings.Contains(res.Hints[0], " 0 ") {
				t.Errorf("says zero: %q / %q", res.Summary, res.Hints[0])
			}
		})
	}
}

// TestJudgeTLSSaysEachThingOnce (issue 19): the leaf certificate is
// described one field per line, once; the chain's other certificates and
// the handshake's details are for --verbose, and so is the verification
// error, which says what the summary says; what a plaintext port answered
// is said in words, its hex kept for --verbose.
func TestJudgeTLSSaysEachThingOnce(t *testing.T) {
	s := &Target{Scheme: "neo4j+s", Routing: true, TLS: TLSVerify, Host: tlsHost, Port: DefaultPort}
	info := tlsRefused()
	info.VerifyError = "the server's certificate is self-signed: detail"
	info.Chain = append(info.Chain, tlsprobe.CertInfo{Subject: "CN=R11,O=Let's Encrypt,C=US", Issuer: "CN=ISRG Root X1", SHA256: "EF:01"})
	res := judgeTLS(s, false, s.server("", bolt.Version{}), info, &tlsprobe.CertError{Cause: tlsprobe.ErrSelfSigned, Detail: "detail"})
	var shown []string
	seen := map[string]bool{}
	for _, f := range append(slices.Clone(res.Facts), res.Evidence...) {
		if seen[f.Name] {
			t.Errorf("%s is said twice", f.Name)
		}
		seen[f.Name] = true
		if len(f.Value) > 100 {
			t.Errorf("%s = %q: one field per line", f.Name, f.Value)
		}
		if !f.Verbose {
			shown = append(shown, f.Name)
		}
	}
	if want := []string{"subject", "issuer", "names", "expires"}; !slices.Equal(shown, want) {
		t.Errorf("a failing check shows %q, want %q", shown, want)
	}
	for _, name := range []string{"certificate 1 subject", "certificate 1 issuer", "sha256", "version", "ocsp staple", "verification"} {
		if !seen[name] {
			t.Errorf("no %s for --verbose and JSON", name)
		}
	}

	http := []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
	res = judgeTLS(s, false, s.server("", bolt.Version{}), tlsPlaintext(http), &tlsprobe.HandshakeError{Cause: tlsprobe.ErrPlaintextPort, Speaks: tlsprobe.SpeaksHTTP, Bytes: http})
	if got, want := lookup(res.Evidence, "received"), `"HTTP/1.1 400 Bad Request" (47 bytes)`; got != want {
		t.Errorf("received %q, want %q", got, want)
	}
	if i := slices.IndexFunc(res.Evidence, func(f Fact) bool { return f.Name == "received (hex)" }); i < 0 || !res.Evidence[i].Verbose || res.Evidence[i].Value != hexBytes(http) {
		t.Errorf("the answer's hex is not a verbose evidence entry: %+v", res.Evidence)
	}
}

// TestJudgeTLSHintsFollowTheServer: the settings a TLS hint names are the
// server's generation's, each form to paste in backticks, and on Aura,
// where there is nothing to configure, Aura's own instruction replaces
// them.
func TestJudgeTLSHintsFollowTheServer(t *testing.T) {
	self := &Target{Scheme: "neo4j+s", Routing: true, TLS: TLSVerify, Host: tlsHost, Port: DefaultPort}
	aura := &Target{Scheme: "neo4j+s", Routing: true, TLS: TLSVerify, Host: "abcd1234.databases.neo4j.io", Port: DefaultPort}
	hsErr := func(cause error) error {
		return &tlsprobe.HandshakeError{Cause: cause, Speaks: tlsprobe.SpeaksNothing}
	}
	for _, c := range []struct {
		name    string
		t       *Target
		member  bool
		err     error
		want    []string
		wantNot []string
	}{
		{"plaintext port", self, false, hsErr(tlsprobe.ErrPlaintextPort),
			[]string{"`dbms.ssl.policy.bolt.enabled=true`", "`server.bolt.tls_level=REQUIRED` or on 4.x `dbms.connector.bolt.tls_level=REQUIRED`"}, nil},
		{"plaintext port on aura", aura, false, hsErr(tlsprobe.ErrPlaintextPort),
			[]string{"Aura always encrypts Bolt"}, []string{"dbms.", "server."}},
		{"protocol version", self, false, hsErr(tlsprobe.ErrProtocolVersion),
			[]string{"`dbms.ssl.policy.bolt.tls_versions=TLSv1.2,TLSv1.3`"}, nil},
		{"client certificate", aura, false, hsErr(tlsprobe.ErrClientCertRequired),
			[]string{"nothing to configure"}, []string{"client_auth"}},
		{"expired", self, false, &tlsprobe.CertError{Cause: tlsprobe.ErrExpired},
			[]string{"replace the file dbms.ssl.policy.bolt.public_certificate names", "clock"}, nil},
		{"expired on aura", aura, false, &tlsprobe.CertError{Cause: tlsprobe.ErrExpired},
			[]string{"clock", "Aura always encrypts"}, []string{"dbms.ssl"}},
		{"host mismatch of a member", self, true, &tlsprobe.CertError{Cause: tlsprobe.ErrHostMismatch, SANs: []string{"db-1.example.com"}, Suggest: "db-1.example.com"},
			[]string{"routing table", "`server.bolt.advertised_address=db-1.example.com:7687` or on 4.x `dbms.connector.bolt.advertised_address=db-1.example.com:7687`", "reissue that server's certificate"},
			[]string{"connect with"}},
		{"host mismatch, direct", &Target{Scheme: "bolt+s", TLS: TLSVerify, Host: tlsHost, Port: DefaultPort}, false, &tlsprobe.CertError{Cause: tlsprobe.ErrHostMismatch, SANs: []string{"db-1.example.com"}, Suggest: "db-1.example.com"},
			[]string{"connect with bolt+s://db-1.example.com:7687 instead", "reissue"}, []string{"advertised_address"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := judgeTLS(c.t, c.member, c.t.server("", bolt.Version{}), tlsRefused(), c.err)
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
