package cli

import (
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/neo4j-doctor/neo4j-doctor/exporter"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
)

// scrapePassword is Prometheus's basic-auth password in these tests; like
// fleetCanary, no answer or log line may hold it.
const scrapePassword = "Scrape-Canary-5e0a"

// do sends one request with client, with basic auth when user is set, and
// answers the status and body; code 0 when the request failed, body then
// the error.
func (p *serveProc) do(client *http.Client, method, path, user, pass string) (int, string) {
	p.t.Helper()
	req, err := http.NewRequest(method, p.base+path, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, secret := range []string{fleetCanary, scrapePassword} {
		if strings.Contains(string(b), secret) {
			p.t.Errorf("%s %s answers a password", method, path)
		}
	}
	return resp.StatusCode, string(b)
}

// webTarget starts a fixture server whose user neo4j has the password
// fleetCanary and writes a targets file with it as target "db".
func webTarget(t *testing.T) string {
	t.Helper()
	cfg := fixtures.Neo4j526()
	cfg.Users = map[string]string{"neo4j": fleetCanary}
	srv, err := fixtures.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return writeFile(t, "targets.yml", fmt.Sprintf("targets:\n  - {name: db, uri: '%s', username: neo4j, passwordEnv: SERVE_PW}\n", srv.URI("bolt")))
}

// serverTLS issues the exporter's certificate for 127.0.0.1 from a new CA
// and writes cert.pem, key.pem and ca.pem in a new directory.
func serverTLS(t *testing.T) (ca *certs.CA, certFile, keyFile, caFile string) {
	t.Helper()
	ca, err := certs.NewCA("neo4j-doctor serve test CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf(certs.LeafOptions{CommonName: "127.0.0.1", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, caFile, err = leaf.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return ca, certFile, keyFile, caFile
}

func tlsClient(cfg *tls.Config) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
}

// TestServeWebConfigTLSAndBasicAuth: with a web configuration file of TLS
// and a bcrypt-hashed user, serve answers only HTTPS, and only to that
// user with the right password; reload stays off without
// --web.enable-lifecycle.
func TestServeWebConfigTLSAndBasicAuth(t *testing.T) {
	t.Parallel()
	ca, certFile, keyFile, _ := serverTLS(t)
	hash, err := bcrypt.GenerateFromPassword([]byte(scrapePassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webFile := writeFile(t, "web.yml", fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  prometheus: '%s'\n", certFile, keyFile, hash))
	p := startServe(t, []string{"SERVE_PW=" + fleetCanary}, "--targets", webTarget(t), "--web.config.file", webFile)
	if !strings.HasPrefix(p.base, "https://") {
		t.Fatalf("serve with TLS announces %s", p.base)
	}
	if line := strings.Join(p.all, "\n"); !strings.Contains(line, "tls=true client_auth=NoClientCert basic_auth_users=1 lifecycle=false") {
		t.Errorf("the listening line does not say what the web config does:\n%s", line)
	}
	client := tlsClient(&tls.Config{RootCAs: ca.Pool()})
	defer client.CloseIdleConnections()

	// Plain HTTP on the same port gets Go's refusal, never an answer.
	plain, err := http.Get("http://" + strings.TrimPrefix(p.base, "https://") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(plain.Body)
	plain.Body.Close()
	if plain.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "Client sent an HTTP request to an HTTPS server") {
		t.Errorf("plain HTTP: %d %q, want 400 and the refusal", plain.StatusCode, b)
	}

	for _, c := range []struct {
		what, user, pass string
		code             int
	}{
		{"no credentials", "", "", http.StatusUnauthorized},
		{"a wrong password", "prometheus", "wrong-" + scrapePassword, http.StatusUnauthorized},
		{"an unknown user", "admin", scrapePassword, http.StatusUnauthorized},
		{"the right password", "prometheus", scrapePassword, http.StatusOK},
	} {
		for _, path := range []string{"/probe?target=db", "/metrics", "/", "/probe?target=db&debug=true"} {
			code, body := p.do(client, http.MethodGet, path, c.user, c.pass)
			if code != c.code {
				t.Errorf("%s, GET %s: %d, want %d: %s", c.what, path, code, c.code, body)
			}
			if c.code == http.StatusUnauthorized && strings.Contains(body, "neo4j_doctor") {
				t.Errorf("%s, GET %s: answered %q", c.what, path, body)
			}
		}
	}
	if code, body := p.do(client, http.MethodGet, "/probe?target=db", "prometheus", scrapePassword); !strings.Contains(body, "\nneo4j_doctor_probe_success 1\n") {
		t.Errorf("the probe through TLS and basic auth: %d\n%s", code, body)
	}
	if code, body := p.do(client, http.MethodPost, "/-/reload", "prometheus", scrapePassword); code != http.StatusForbidden || body != "Lifecycle API is not enabled.\n" {
		t.Errorf("POST /-/reload without --web.enable-lifecycle: %d %q, want 403", code, body)
	}
	p.stop()
	for _, secret := range []string{fleetCanary, scrapePassword, string(hash)} {
		if strings.Contains(strings.Join(p.all, "\n"), secret) {
			t.Errorf("serve logged a secret (%.6s…)", secret)
		}
	}
}

// TestServeWebConfigClientCertificate: with client_auth_type
// RequireAndVerifyClientCert, a client without a certificate from the
// configured CA is refused in the handshake and one with it is served;
// --web.enable-lifecycle lets POST /-/reload through, and
// --web.hide-reports refuses debug reports.
func TestServeWebConfigClientCertificate(t *testing.T) {
	t.Parallel()
	ca, certFile, keyFile, caFile := serverTLS(t)
	webFile := writeFile(t, "web.yml", fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: %s\n", certFile, keyFile, caFile))
	p := startServe(t, []string{"SERVE_PW=" + fleetCanary}, "--targets", webTarget(t), "--web.config.file", webFile,
		"--web.enable-lifecycle", "--web.hide-reports", "--min-probe-interval", "0")

	anon := tlsClient(&tls.Config{RootCAs: ca.Pool()})
	defer anon.CloseIdleConnections()
	if code, msg := p.do(anon, http.MethodGet, "/metrics", "", ""); code != 0 || !strings.Contains(msg, "certificate required") {
		t.Errorf("a client without a certificate: %d %q, want the handshake refused", code, msg)
	}
	other, err := certs.NewCA("another CA")
	if err != nil {
		t.Fatal(err)
	}
	for name, issuer := range map[string]*certs.CA{"the configured CA": ca, "another CA": other} {
		leaf, err := issuer.Leaf(certs.LeafOptions{CommonName: "prometheus", Client: true})
		if err != nil {
			t.Fatal(err)
		}
		c := tlsClient(&tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{leaf.TLSCertificate()}})
		code, body := p.do(c, http.MethodGet, "/probe?target=db", "", "")
		c.CloseIdleConnections()
		switch {
		case issuer == ca && (code != http.StatusOK || !strings.Contains(body, "\nneo4j_doctor_probe_success 1\n")):
			t.Errorf("a certificate from %s: %d\n%s", name, code, body)
		case issuer != ca && code != 0:
			t.Errorf("a certificate from %s: %d, want the handshake refused", name, code)
		}
	}

	leaf, err := ca.Leaf(certs.LeafOptions{CommonName: "prometheus", Client: true})
	if err != nil {
		t.Fatal(err)
	}
	client := tlsClient(&tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{leaf.TLSCertificate()}})
	defer client.CloseIdleConnections()
	if code, body := p.do(client, http.MethodPost, "/-/reload", "", ""); code != http.StatusOK || !strings.Contains(body, "reloaded ") || !strings.Contains(body, filepath.Base("targets.yml")) {
		t.Errorf("POST /-/reload with --web.enable-lifecycle: %d %q", code, body)
	}
	if code, body := p.do(client, http.MethodGet, "/probe?target=db&debug=true", "", ""); code != http.StatusForbidden || !strings.Contains(body, "--web.hide-reports") {
		t.Errorf("a debug report with --web.hide-reports: %d %q", code, body)
	}
	if code, page := p.do(client, http.MethodGet, "/", "", ""); code != http.StatusOK || strings.Contains(page, "bolt://") || !strings.Contains(page, "verdicts and failing steps only") {
		t.Errorf("the status page with --web.hide-reports: %d\n%s", code, page)
	}
	p.stop()
}

// TestServeLimits: a client that sends its headers too slowly is cut off,
// oversized headers get 431 and an oversized body 413, with the server's
// limits scaled down so the test takes milliseconds, not seconds.
func TestServeLimits(t *testing.T) {
	t.Parallel()
	exp, err := exporter.New(exporter.Config{Path: webTarget(t), Getenv: func(string) string { return fleetCanary }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lim := serveLimits
	lim.readHeader, lim.read = 200*time.Millisecond, 400*time.Millisecond
	sigs := make(chan os.Signal, 1)
	done := make(chan error, 1)
	go func() { done <- serveLoop(ln, exp, "", lim, sigs, slog.New(slog.DiscardHandler)) }()
	defer func() {
		sigs <- syscall.SIGTERM
		if err := <-done; err != nil {
			t.Errorf("serveLoop: %v", err)
		}
	}()
	base := "http://" + ln.Addr().String()

	// Half a request line, then nothing: the server closes the
	// connection after readHeader (given 10 s here, for a busy machine).
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("GET /metrics HTTP/1.1\r\nHost: x\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Errorf("a client stalled in its headers was not cut off within 10s (read timeout %s)", lim.readHeader)
	} else if len(got) > 0 && !strings.HasPrefix(string(got), "HTTP/1.1 408") {
		t.Errorf("a stalled client got %q", got)
	}

	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	req.Header.Set("X-Padding", strings.Repeat("a", 2*lim.maxHeaderBytes))
	if resp, err := client.Do(req); err != nil {
		t.Error(err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("%d bytes of headers: %d, want 431", 2*lim.maxHeaderBytes, resp.StatusCode)
		}
	}
	resp, err := client.Post(base+"/-/reload", "text/plain", strings.NewReader(strings.Repeat("a", exporter.MaxRequestBody+1)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a %d-byte body: %d, want 413", exporter.MaxRequestBody+1, resp.StatusCode)
	}
	// The exporter's own handler, not net/http's DefaultServeMux (where
	// x/net/trace, linked in by the web configuration's dependencies,
	// registers /debug/requests), answers.
	resp, err = client.Get(base + "/debug/requests")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/debug/requests: %d, want 404", resp.StatusCode)
	}
}
