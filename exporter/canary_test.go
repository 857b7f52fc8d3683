package exporter_test

import (
	"html"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/exporter"
)

// call answers one request of any method, and fails the test when the
// status line, a header or the body holds the canary password.
func (r *rig) call(t *testing.T, method, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, r.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var head strings.Builder
	_ = resp.Header.Write(&head)
	for what, text := range map[string]string{"status": resp.Status, "headers": head.String(), "body": string(b), "unescaped body": html.UnescapeString(string(b))} {
		if strings.Contains(text, canary) {
			t.Errorf("%s %s: the %s holds the password", method, path, what)
		}
	}
	return resp.StatusCode, string(b)
}

// TestNoSecretOnAnyEndpoint: whatever is shown, and with reports shown or
// hidden, no endpoint answers a password: not the metrics, a probe, a
// debug report, the status page with its failures' reports, the reload
// answers (taken, refused with a password in the new file's URI, or
// forbidden), nor an error.
func TestNoSecretOnAnyEndpoint(t *testing.T) {
	t.Parallel()
	for _, hide := range []bool{false, true} {
		r := start(t, exporter.Config{EnableLifecycle: !hide, HideReports: hide}, "healthy-single", "no-writers")
		r.pw.set("healthy-single", "wrong-"+canary) // a failure with a report
		paths := []string{
			"/probe?target=healthy-single", "/probe?target=healthy-single&debug=true",
			"/probe?target=no-writers", "/probe?target=no-writers&debug=true",
			"/probe?target=nope", "/probe", "/metrics", "/", "/-/healthy", "/nothing-here",
		}
		for _, p := range paths {
			r.call(t, http.MethodGet, p)
		}
		good, err := os.ReadFile(r.file)
		if err != nil {
			t.Fatal(err)
		}
		r.call(t, http.MethodPost, "/-/reload")
		// A file with the password in a URI's userinfo is refused; the
		// refusal is answered, logged and shown.
		bad := strings.Replace(string(good), "uri: neo4j://", "uri: neo4j://neo4j:"+canary+"@", 1)
		if bad == string(good) {
			bad = strings.Replace(string(good), "uri: bolt://", "uri: bolt://neo4j:"+canary+"@", 1)
		}
		if bad == string(good) {
			t.Fatalf("no URI to put a password in:\n%s", good)
		}
		if err := os.WriteFile(r.file, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := r.exp.Reload(); err == nil || strings.Contains(err.Error(), canary) {
			t.Errorf("Reload of a file with a password in a URI = %v", err)
		}
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodGet} {
			r.call(t, m, "/-/reload")
		}
		for _, p := range paths {
			r.call(t, http.MethodGet, p)
		}
	}
}

// TestReloadNeedsLifecycle: without EnableLifecycle (serve's
// --web.enable-lifecycle), POST and PUT /-/reload answer 403 with
// Prometheus's words and the file is not reread.
func TestReloadNeedsLifecycle(t *testing.T) {
	t.Parallel()
	r := start(t, exporter.Config{}, "healthy-single")
	good, err := os.ReadFile(r.file)
	if err != nil {
		t.Fatal(err)
	}
	renamed := strings.Replace(string(good), "name: healthy-single", "name: renamed", 1)
	if err := os.WriteFile(r.file, []byte(renamed), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{http.MethodPost, http.MethodPut} {
		if code, body := r.call(t, m, "/-/reload"); code != http.StatusForbidden || body != "Lifecycle API is not enabled.\n" {
			t.Errorf("%s /-/reload: %d %q, want 403 Lifecycle API is not enabled.", m, code, body)
		}
	}
	if code, _ := r.call(t, http.MethodGet, "/-/reload"); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /-/reload: %d, want 405", code)
	}
	r.probe(t, "healthy-single").must(t, "neo4j_doctor_probe_success", 1)
	if code, _ := r.get(t, "/probe?target=renamed", nil); code != http.StatusBadRequest {
		t.Errorf("the file was reread: the new target answers %d", code)
	}
}

// TestHideReports: with HideReports (serve's --web.hide-reports) the
// status page keeps to verdicts and failing steps: no URI, address,
// server agent, certificate or report text, no link to a report; a debug
// report is refused before anything touches the network.
func TestHideReports(t *testing.T) {
	t.Parallel()
	r := start(t, exporter.Config{HideReports: true}, "no-writers", "healthy-tls")
	r.probe(t, "no-writers").must(t, "neo4j_doctor_probe_success", 0)
	r.probe(t, "healthy-tls").must(t, "neo4j_doctor_probe_success", 1)

	_, page := r.get(t, "/", nil)
	for _, want := range []string{"no-writers", "healthy-tls", "✓ 1 healthy", "✗ 1 failing", "failing step <strong>routing</strong>", "--web.hide-reports"} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, hidden := range []string{"127.0.0.1", "neo4j://", "bolt://", "Neo4j/5", "expires in", "the routing table lists no writers", "debug=true", "<pre>", "core-"} {
		if strings.Contains(html.UnescapeString(page), hidden) {
			t.Errorf("the page shows %q:\n%s", hidden, page)
		}
	}

	lr, srv := loginRig(t, exporter.Config{HideReports: true}, 0)
	if code, body := lr.get(t, "/probe?target=db&debug=true", nil); code != http.StatusForbidden || !strings.Contains(body, "reports are hidden (--web.hide-reports)") {
		t.Errorf("debug report: %d %q, want 403", code, body)
	}
	if n := len(srv.Received()); n != 0 {
		t.Errorf("a refused debug report connected to the server %d times", n)
	}
}
