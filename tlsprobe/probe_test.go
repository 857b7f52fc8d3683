package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
)

const host = "db.example.com"

// server is a one-connection listener on loopback.
type server struct {
	addr string
	sni  chan string // the ServerName of the ClientHello (TLS servers only)
	done chan error  // the server's handshake result (TLS servers only)
	ln   net.Listener
	wg   sync.WaitGroup
}

func listen(t *testing.T) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{addr: ln.Addr().String(), ln: ln, sni: make(chan string, 1), done: make(chan error, 1)}
	t.Cleanup(func() {
		_ = ln.Close()
		s.wg.Wait()
	})
	return s
}

// serve runs handle on the first accepted connection, with a deadline.
func (s *server) serve(handle func(net.Conn)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		handle(c)
	}()
}

// tlsServer completes a server handshake with cfg, then echoes.
func tlsServer(t *testing.T, cfg *tls.Config) *server {
	t.Helper()
	s := listen(t)
	cfg = cfg.Clone()
	cfg.GetConfigForClient = func(chi *tls.ClientHelloInfo) (*tls.Config, error) {
		s.sni <- chi.ServerName
		return nil, nil
	}
	s.serve(func(c net.Conn) {
		tc := tls.Server(c, cfg)
		err := tc.Handshake()
		s.done <- err
		if err == nil {
			_, _ = io.Copy(tc, tc)
		}
	})
	return s
}

// rawServer reads the ClientHello, writes reply (if any) and closes.
func rawServer(t *testing.T, reply []byte) *server {
	t.Helper()
	s := listen(t)
	s.serve(func(c net.Conn) {
		buf := make([]byte, 4096)
		if _, err := c.Read(buf); err != nil {
			return
		}
		if reply != nil {
			_, _ = c.Write(reply)
		}
	})
	return s
}

func probe(t *testing.T, addr string, cfg Config) (*tls.Conn, *Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	tc, res, err := Probe(ctx, raw, cfg)
	if res == nil {
		t.Fatal("nil Result")
	}
	if tc != nil {
		t.Cleanup(func() { _ = tc.Close() })
		if err != nil {
			t.Fatalf("conn returned with error %v", err)
		}
	}
	return tc, res, err
}

func mustCA(t *testing.T, cn string, opts ...certs.Option) *certs.CA {
	t.Helper()
	ca, err := certs.NewCA(cn, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func mustLeaf(t *testing.T, ca *certs.CA, o certs.LeafOptions) *certs.Leaf {
	t.Helper()
	if o.DNSNames == nil && o.IPs == nil {
		o.DNSNames = []string{host}
	}
	l, err := ca.Leaf(o) // a nil ca: self-signed
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// certErr asserts err is a *CertError with the cause.
func certErr(t *testing.T, err, cause error) *CertError {
	t.Helper()
	if !errors.Is(err, cause) {
		t.Fatalf("error %v, want %v", err, cause)
	}
	ce, ok := errors.AsType[*CertError](err)
	if !ok {
		t.Fatalf("error %T is not a *CertError", err)
	}
	return ce
}

func handshakeErr(t *testing.T, err, cause error) *HandshakeError {
	t.Helper()
	if !errors.Is(err, cause) {
		t.Fatalf("error %v, want %v", err, cause)
	}
	he, ok := errors.AsType[*HandshakeError](err)
	if !ok {
		t.Fatalf("error %T is not a *HandshakeError", err)
	}
	return he
}

func echo(t *testing.T, tc *tls.Conn) {
	t.Helper()
	_ = tc.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := tc.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(tc, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo: %q %v", buf, err)
	}
}

func TestValidChain(t *testing.T) {
	root := mustCA(t, "Test Root")
	inter, err := root.Intermediate("Test Issuing CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf := mustLeaf(t, inter, certs.LeafOptions{DNSNames: []string{host}})
	s := tlsServer(t, certs.ServerConfig(leaf))

	tc, res, err := probe(t, s.addr, Config{ServerName: host, Roots: root.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	echo(t, tc)
	if !res.Handshake || res.Version != "TLS 1.3" || res.CipherSuite == "" || !res.ServerSpokeTLS {
		t.Errorf("handshake facts: %+v", res)
	}
	if res.Verified == nil || !*res.Verified || !*res.Trusted || !*res.HostnameMatch || res.TrustedBy != "custom" {
		t.Errorf("verification facts: verified=%v trusted=%v host=%v by=%q", res.Verified, res.Trusted, res.HostnameMatch, res.TrustedBy)
	}
	if len(res.Chain) != 2 || len(res.TrustedChain) != 3 || res.TrustedChain[2] != "CN=Test Root" {
		t.Errorf("chain %d sent, trusted %v", len(res.Chain), res.TrustedChain)
	}
	c := res.Chain[0]
	if c.Subject != "CN="+host || c.Issuer != "CN=Test Issuing CA" || !slices.Equal(c.DNSNames, []string{host}) ||
		c.KeyType != "ECDSA" || c.KeyBits != 256 || c.SignatureAlgorithm != "ECDSA-SHA256" || c.IsCA || c.SelfSigned ||
		c.SHA256 != Fingerprint(leaf.Certificate) || len(c.SHA256) != 95 || c.Serial == "" {
		t.Errorf("leaf facts: %+v", c)
	}
	if !res.Chain[1].IsCA {
		t.Error("intermediate not marked CA")
	}
	if !res.EarliestExpiry.Equal(leaf.Certificate.NotAfter) || res.DaysLeft < 360 || res.ExpiringSoon || res.Problems != nil {
		t.Errorf("expiry facts: %v %d %v %v", res.EarliestExpiry, res.DaysLeft, res.ExpiringSoon, res.Problems)
	}
	if res.SNI != host || res.Remote != s.addr || res.HandshakeDuration <= 0 || res.Received != nil {
		t.Errorf("sni=%q remote=%q dur=%v received=%v", res.SNI, res.Remote, res.HandshakeDuration, res.Received)
	}
}

func TestSNIIsServerName(t *testing.T) {
	root := mustCA(t, "Test Root")
	leaf := mustLeaf(t, root, certs.LeafOptions{DNSNames: []string{host}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	for _, name := range []string{host, "127.0.0.1"} {
		t.Run(name, func(t *testing.T) {
			s := tlsServer(t, certs.ServerConfig(leaf))
			_, res, err := probe(t, s.addr, Config{ServerName: name, Roots: root.Pool()})
			if err != nil {
				t.Fatal(err)
			}
			want := name
			if net.ParseIP(name) != nil {
				want = "" // TLS does not put IP addresses in SNI
			}
			if got := <-s.sni; got != want || res.SNI != want || res.ServerName != name {
				t.Errorf("server saw SNI %q, Result.SNI %q, want %q", got, res.SNI, want)
			}
		})
	}
}

func TestSelfSigned(t *testing.T) {
	leaf := mustLeaf(t, nil, certs.LeafOptions{})
	s := tlsServer(t, certs.ServerConfig(leaf))
	other := mustCA(t, "Unrelated Root")
	_, res, err := probe(t, s.addr, Config{ServerName: host, Roots: other.Pool()})
	ce := certErr(t, err, ErrSelfSigned)
	if ce.Cert == nil || !ce.Cert.SelfSigned || ce.Cert.SHA256 != Fingerprint(leaf.Certificate) || len(ce.Also) != 0 {
		t.Errorf("evidence: %+v", ce)
	}
	if len(res.Chain) != 1 || !res.Chain[0].SelfSigned || *res.Verified || *res.Trusted || !*res.HostnameMatch || res.Handshake {
		t.Errorf("facts: %+v", res)
	}
	if err := <-s.done; err == nil {
		t.Error("the server completed a handshake the client should have aborted")
	}
}

func TestUnknownAuthority(t *testing.T) {
	private := mustCA(t, "Acme Private Root")
	leaf := mustLeaf(t, private, certs.LeafOptions{})
	other := mustCA(t, "Unrelated Root")
	t.Run("root not sent", func(t *testing.T) {
		s := tlsServer(t, certs.ServerConfig(leaf))
		_, _, err := probe(t, s.addr, Config{ServerName: host, Roots: other.Pool()})
		ce := certErr(t, err, ErrUnknownAuthority)
		if !strings.Contains(ce.Detail, "Acme Private Root") {
			t.Errorf("detail %q does not name the issuer", ce.Detail)
		}
	})
	t.Run("root sent", func(t *testing.T) {
		cert := leaf.TLSCertificate()
		cert.Certificate = append(cert.Certificate, private.DER)
		s := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{cert}})
		_, res, err := probe(t, s.addr, Config{ServerName: host, Roots: other.Pool()})
		ce := certErr(t, err, ErrUnknownAuthority)
		if !strings.Contains(ce.Detail, "server sent") || len(res.Chain) != 2 {
			t.Errorf("detail %q, chain %d", ce.Detail, len(res.Chain))
		}
	})
	t.Run("trusted via ca-file", func(t *testing.T) {
		s := tlsServer(t, certs.ServerConfig(leaf))
		_, res, err := probe(t, s.addr, Config{ServerName: host, Roots: other.Pool(), ExtraCAs: []*x509.Certificate{private.Certificate}})
		if err != nil || res.TrustedBy != "ca-file" || res.ExtraCAs != 1 {
			t.Errorf("err %v, trusted by %q", err, res.TrustedBy)
		}
	})
}

func TestInterception(t *testing.T) {
	zscaler := mustCA(t, "Zscaler Root CA", certs.Organization("Zscaler Inc."))
	inter, err := zscaler.Intermediate("Zscaler Intermediate Root CA (zscaler.net)")
	if err != nil {
		t.Fatal(err)
	}
	public := mustCA(t, "Public Root")
	aura := "abcd1234.databases.neo4j.io"

	t.Run("zscaler", func(t *testing.T) {
		leaf := mustLeaf(t, inter, certs.LeafOptions{DNSNames: []string{aura}})
		s := tlsServer(t, certs.ServerConfig(leaf))
		_, res, err := probe(t, s.addr, Config{ServerName: aura, Roots: public.Pool()})
		ce := certErr(t, err, ErrInterception)
		if ce.Product != "Zscaler" || res.Interception != "Zscaler" || !res.Aura {
			t.Errorf("product %q / %q, aura %v", ce.Product, res.Interception, res.Aura)
		}
	})
	t.Run("aura unknown proxy", func(t *testing.T) {
		corp := mustCA(t, "Corp Web Gateway CA")
		leaf := mustLeaf(t, corp, certs.LeafOptions{DNSNames: []string{aura}})
		s := tlsServer(t, certs.ServerConfig(leaf))
		_, _, err := probe(t, s.addr, Config{ServerName: aura, Roots: public.Pool()})
		if ce := certErr(t, err, ErrInterception); ce.Product != "" || !strings.Contains(ce.Detail, "Corp Web Gateway CA") {
			t.Errorf("evidence %+v", ce)
		}
	})
	t.Run("trusted corporate root", func(t *testing.T) {
		leaf := mustLeaf(t, inter, certs.LeafOptions{DNSNames: []string{aura}})
		s := tlsServer(t, certs.ServerConfig(leaf))
		_, res, err := probe(t, s.addr, Config{ServerName: aura, Roots: zscaler.Pool()})
		if err != nil || res.Interception != "Zscaler" {
			t.Errorf("err %v, interception %q", err, res.Interception)
		}
	})
}

func TestNoSystemRoots(t *testing.T) {
	root := mustCA(t, "Public Root")
	leaf := mustLeaf(t, root, certs.LeafOptions{})
	s := tlsServer(t, certs.ServerConfig(leaf))
	_, res, err := probe(t, s.addr, Config{ServerName: host, Roots: x509.NewCertPool(), RootsAreSystem: true})
	certErr(t, err, ErrNoSystemRoots)
	if res.Roots != "system" || !res.RootsEmpty {
		t.Errorf("roots %q empty %v", res.Roots, res.RootsEmpty)
	}
}

func TestExpired(t *testing.T) {
	now := time.Now()
	root := mustCA(t, "Test Root", certs.Validity(now.AddDate(-1, 0, 0), now.AddDate(9, 0, 0)))
	leaf := mustLeaf(t, root, certs.LeafOptions{NotBefore: now.AddDate(0, 0, -90), NotAfter: now.Add(-72*time.Hour - time.Minute)})
	s := tlsServer(t, certs.ServerConfig(leaf))
	_, res, err := probe(t, s.addr, Config{ServerName: host, Roots: root.Pool()})
	ce := certErr(t, err, ErrExpired)
	if ce.Delta < 72*time.Hour || ce.Delta > 73*time.Hour || !strings.Contains(ce.Detail, "3 days ago") || ce.Cert.Subject != "CN="+host {
		t.Errorf("delta %v detail %q", ce.Delta, ce.Detail)
	}
	if !*res.Trusted || res.DaysLeft != -4 || res.ExpiringSoon || !slices.Equal(res.Problems, []string{"expired"}) {
		t.Errorf("trusted %v days %d soon %v problems %v", *res.Trusted, res.DaysLeft, res.ExpiringSoon, res.Problems)
	}

	t.Run("CA younger than the leaf", func(t *testing.T) {
		young := mustCA(t, "Young Root") // valid from yesterday
		leaf := mustLeaf(t, young, certs.LeafOptions{NotBefore: now.AddDate(0, 0, -90), NotAfter: now.Add(-72 * time.Hour)})
		s := tlsServer(t, certs.ServerConfig(leaf))
		_, res, err := probe(t, s.addr, Config{ServerName: host, Roots: young.Pool()})
		if ce := certErr(t, err, ErrExpired); ce.Delta < 72*time.Hour || res.Trusted != nil {
			t.Errorf("delta %v trusted %v", ce.Delta, res.Trusted)
		}
	})
	t.Run("root expired", func(t *testing.T) {
		old := mustCA(t, "Old Root", certs.Validity(now.AddDate(-5, 0, 0), now.AddDate(0, 0, -1)))
		leaf := mustLeaf(t, old, certs.LeafOptions{NotBefore: now.AddDate(0, 0, -30), NotAfter: now.AddDate(0, 0, 30)})
		s := tlsServer(t, certs.ServerConfig(leaf))
		_, _, err := probe(t, s.addr, Config{ServerName: host, Roots: old.Pool()})
		if ce := certErr(t, err, ErrExpired); !strings.Contains(ce.Detail, "Old Root") {
			t.Errorf("detail %q", ce.Detail)
		}
	})
}

func TestExpiringSoon(t *testing.T) {
	root := mustCA(t, "Test Root")
	leaf := mustLeaf(t, root, certs.LeafOptions{NotAfter: time.Now().Add(10*24*time.Hour + time.Hour)})
	s := tlsServer(t, certs.ServerConfig(leaf))
	_, res, err := probe(t, s.addr, Config{ServerName: host, Roots: root.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	if !res.ExpiringSoon || res.DaysLeft != 10 || res.WarnDays != 30 || res.EarliestExpirySubject != "CN="+host {
		t.Errorf("soon %v days %d warn %d subject %q", res.ExpiringSoon, res.DaysLeft, res.WarnDays, res.EarliestExpirySubject)
	}
}

// TestExpiresWithinHours (issue 13): on a certificate's last day DaysLeft
// is 0, and ExpiresIn says how long is left, for the wording.
func TestExpiresWithinHours(t *testing.T) {
	root := mustCA(t, "Test Root")
	leaf := mustLeaf(t, root, certs.LeafOptions{NotAfter: time.Now().Add(23*time.Hour + 30*time.Minute)})
	s := tlsServer(t, certs.ServerConfig(leaf))
	_, res, err := probe(t, s.addr, Config{ServerName: host, Roots: root.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	if !res.ExpiringSoon || res.DaysLeft != 0 || res.ExpiresIn < 23*time.Hour || res.ExpiresIn > 23*time.Hour+30*time.Minute {
		t.Errorf("soon %v days %d expires in %v", res.ExpiringSoon, res.DaysLeft, res.ExpiresIn)
	}
	if got := HumanDuration(res.ExpiresIn); got != "23 hours" {
		t.Errorf("HumanDuration(ExpiresIn) = %q, want 23 hours", got)
	}
}

func TestNotYetValid(t *testing.T) {
	root := mustCA(t, "Test Root")
	t.Run("clock slightly behind", func(t *testing.T) {
		leaf := mustLeaf(t, root, certs.LeafOptions{})
		s := tlsServer(t, certs.ServerConfig(leaf))
		// The injected clock is 3 h behind: the leaf starts 1 h ago.
		clock := func() time.Time { return time.Now().Add(-3 * time.Hour) }
		_, _, err := probe(t, s.addr, Config{ServerName: host, Roots: root.Pool(), Now: clock})
		ce := certErr(t, err, ErrNotYetValid)
		if !ce.ClockSuspect || ce.Delta < time.Hour || ce.Delta > 3*time.Hour {
			t.Errorf("suspect %v delta %v", ce.ClockSuspect, ce.Delta)
		}
	})
	t.Run("issued for the future", func(t *testing.T) {
		start := time.Now().AddDate(0, 0, 90)
		leaf := mustLeaf(t, root, certs.LeafOptions{NotBefore: start, NotAfter: start.AddDate(1, 0, 0)})
		s := tlsServer(t, certs.ServerConfig(leaf))
		_, _, err := probe(t, s.addr, Config{ServerName: host, Roots: root.Pool()})
		if ce := certErr(t, err, ErrNotYetValid); ce.ClockSuspect {
			t.Error("a certificate valid in 90 days blamed on the clock")
		}
	})
}

func TestHostMismatch(t *testing.T) {
	root := mustCA(t, "Test Root")
	leaf := mustLeaf(t, root, certs.LeafOptions{DNSNames: []string{host, "*.db.example.com"}})
	for _, name := range []string{"neo4j.internal", "127.0.0.1"} {
		t.Run(name, func(t *testing.T) {
			s := tlsServer(t, certs.ServerConfig(leaf))
			_, res, err := probe(t, s.addr, Config{ServerName: name, Roots: root.Pool()})
			ce := certErr(t, err, ErrHostMismatch)
			if !slices.Equal(ce.SANs, []string{host, "*.db.example.com"}) || ce.Suggest != host ||
				!strings.Contains(ce.Detail, "connect with "+host) {
				t.Errorf("evidence %+v", ce)
			}
			if *res.HostnameMatch || !*res.Trusted {
				t.Errorf("host %v trusted %v", *res.HostnameMatch, *res.Trusted)
			}
		})
	}
}

func TestIncompleteChain(t *testing.T) {
	root := mustCA(t, "Test Root")
	inter, err := root.Intermediate("Test Issuing CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf := mustLeaf(t, inter, certs.LeafOptions{LeafOnly: true, IssuingCertificateURL: []string{"http://ca.example.com/issuing.crt"}})
	s := tlsServer(t, certs.ServerConfig(leaf))
	_, res, err := probe(t, s.addr, Config{ServerName: host, Roots: root.Pool()})
	ce := certErr(t, err, ErrIncompleteChain)
	if ce.Missing != "CN=Test Issuing CA" || !strings.Contains(ce.Detail, "only the leaf") || !strings.Contains(ce.Detail, "issuing.crt") {
		t.Errorf("evidence %+v", ce)
	}
	if len(res.Chain) != 1 {
		t.Errorf("chain %d", len(res.Chain))
	}
}

func TestPlaintextPort(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reply  []byte
		speaks string
	}{
		{"closes", nil, SpeaksNothing},
		{"http", []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), SpeaksHTTP},
		{"bolt", []byte{0, 0, 0, 0}, SpeaksBolt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := rawServer(t, tc.reply)
			_, res, err := probe(t, s.addr, Config{ServerName: host})
			he := handshakeErr(t, err, ErrPlaintextPort)
			if he.Speaks != tc.speaks || string(he.Bytes) != string(tc.reply) || string(res.Received) != string(tc.reply) || res.ServerSpokeTLS {
				t.Errorf("speaks %q bytes % X, detail %q", he.Speaks, he.Bytes, he.Detail)
			}
		})
	}
}

func TestHandshakeTimeout(t *testing.T) {
	s := listen(t)
	s.serve(func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	raw, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Probe(context.Background(), raw, Config{ServerName: host, Timeout: 200 * time.Millisecond})
	handshakeErr(t, err, ErrHandshakeTimeout)
}

func TestProtocolVersion(t *testing.T) {
	leaf := mustLeaf(t, nil, certs.LeafOptions{})
	cfg := certs.ServerConfig(leaf)
	cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	s := tlsServer(t, cfg)
	_, res, err := probe(t, s.addr, Config{ServerName: host, Mode: AcceptAny})
	he := handshakeErr(t, err, ErrProtocolVersion)
	if he.Alert != "protocol version not supported" || he.AlertCode != 70 || !res.ServerSpokeTLS || res.Handshake {
		t.Errorf("alert %q (%d), spoke TLS %v", he.Alert, he.AlertCode, res.ServerSpokeTLS)
	}
}

func TestCipherMismatch(t *testing.T) {
	leaf := mustLeaf(t, nil, certs.LeafOptions{})
	cfg := certs.ServerConfig(leaf)
	cfg.MaxVersion = tls.VersionTLS12
	cfg.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256} // not offered by Go clients
	s := tlsServer(t, cfg)
	_, _, err := probe(t, s.addr, Config{ServerName: host, Mode: AcceptAny})
	if he := handshakeErr(t, err, ErrCipher); he.AlertCode != 40 {
		t.Errorf("alert %q", he.Alert)
	}
}

func TestClientCertRequired(t *testing.T) {
	root := mustCA(t, "Test Root")
	leaf := mustLeaf(t, root, certs.LeafOptions{})
	for _, tc := range []struct {
		name  string
		max   uint16
		alert string
	}{
		{"TLS 1.3", tls.VersionTLS13, "certificate required"},
		{"TLS 1.2", tls.VersionTLS12, "handshake failure"}, // what Go servers send
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := certs.ServerConfig(leaf)
			cfg.ClientAuth, cfg.MaxVersion = tls.RequireAnyClientCert, tc.max
			s := tlsServer(t, cfg)
			_, res, err := probe(t, s.addr, Config{ServerName: host, Roots: root.Pool()})
			he := handshakeErr(t, err, ErrClientCertRequired)
			if he.Alert != tc.alert || !res.ClientCertRequested || res.ClientCertSent {
				t.Errorf("alert %q requested %v sent %v", he.Alert, res.ClientCertRequested, res.ClientCertSent)
			}
		})
	}
	t.Run("optional", func(t *testing.T) {
		cfg := certs.ServerConfig(leaf)
		cfg.ClientAuth = tls.RequestClientCert
		s := tlsServer(t, cfg)
		start := time.Now()
		// The server's session ticket ends the wait long before AlertWait.
		tc, res, err := probe(t, s.addr, Config{ServerName: host, Roots: root.Pool(), AlertWait: 4 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if el := time.Since(start); el > 3*time.Second {
			t.Errorf("waited %v for the server's verdict", el)
		}
		if !res.ClientCertRequested {
			t.Error("request not recorded")
		}
		echo(t, tc)
	})
	t.Run("sent", func(t *testing.T) {
		client := mustLeaf(t, root, certs.LeafOptions{CommonName: "neo4j-doctor", Client: true})
		cfg := certs.ServerConfig(leaf)
		cfg.ClientAuth, cfg.ClientCAs = tls.RequireAndVerifyClientCert, root.Pool()
		s := tlsServer(t, cfg)
		cert := client.TLSCertificate()
		tc, res, err := probe(t, s.addr, Config{ServerName: host, Roots: root.Pool(), ClientCert: &cert})
		if err != nil {
			t.Fatal(err)
		}
		if !res.ClientCertSent || !slices.Equal(res.ClientCAs, []string{"CN=Test Root"}) {
			t.Errorf("sent %v CAs %v", res.ClientCertSent, res.ClientCAs)
		}
		echo(t, tc)
	})
}

func TestAcceptAnySelfSigned(t *testing.T) {
	leaf := mustLeaf(t, nil, certs.LeafOptions{DNSNames: []string{"localhost"}})
	s := tlsServer(t, certs.ServerConfig(leaf))
	tc, res, err := probe(t, s.addr, Config{ServerName: host, Mode: AcceptAny, Roots: x509.NewCertPool()})
	if err != nil {
		t.Fatal(err)
	}
	echo(t, tc)
	if !res.AcceptedAny || res.AcceptedSHA != Fingerprint(leaf.Certificate) || *res.Verified {
		t.Errorf("accepted %v sha %q verified %v", res.AcceptedAny, res.AcceptedSHA, *res.Verified)
	}
	if !errors.Is(res.Unverified, ErrSelfSigned) || !slices.Equal(res.Problems, []string{"self_signed", "host_mismatch"}) ||
		len(res.Unverified.Also) != 1 || !errors.Is(res.Unverified.Also[0], ErrHostMismatch) || res.VerifyError == "" {
		t.Errorf("would-be error %v, problems %v", res.Unverified, res.Problems)
	}
}

func TestSpeaksTLS(t *testing.T) {
	t.Run("plaintext", func(t *testing.T) {
		s := rawServer(t, nil)
		raw, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		ok, _, err := SpeaksTLS(context.Background(), raw, Config{ServerName: host, Timeout: 5 * time.Second})
		if ok || !errors.Is(err, ErrPlaintextPort) {
			t.Errorf("speaks %v err %v", ok, err)
		}
	})
	t.Run("tls", func(t *testing.T) {
		leaf := mustLeaf(t, nil, certs.LeafOptions{})
		s := tlsServer(t, certs.ServerConfig(leaf))
		raw, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		ok, res, err := SpeaksTLS(context.Background(), raw, Config{ServerName: host, Timeout: 5 * time.Second, Roots: x509.NewCertPool()})
		if !ok || err != nil || !res.AcceptedAny || !errors.Is(res.Unverified, ErrSelfSigned) {
			t.Errorf("speaks %v err %v res %+v", ok, err, res)
		}
	})
}

func TestInterceptionProduct(t *testing.T) {
	for subject, want := range map[string]string{
		"DO_NOT_TRUST_FiddlerRoot":                   "Fiddler",
		"Fortinet_CA_SSL":                            "Fortinet FortiGate",
		"AVG Web/Mail Shield Root":                   "Avast / AVG",
		"mitmproxy":                                  "mitmproxy",
		"Charles Proxy CA (1 Jan 2026, mb)":          "Charles Proxy",
		"caadmin.netskope.com":                       "Netskope",
		"ESET SSL Filter CA":                         "ESET",
		"R11":                                        "",
		"DigiCert Global G2 TLS RSA SHA256 2020 CA1": "",
		"Savage Cavg Reset":                          "",
	} {
		ca := mustCA(t, subject)
		if got, _ := InterceptionProduct([]*x509.Certificate{ca.Certificate}); got != want {
			t.Errorf("%q: got %q, want %q", subject, got, want)
		}
	}
}
