package exporter_test

import (
	"html"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/exporter"
)

// TestReload: a good file replaces the targets; a bad one (an inline
// password here) is refused, the targets in use stay, and /metrics and
// the status page say the reload failed. Reload is what serve's SIGHUP
// handler and POST /-/reload call.
func TestReload(t *testing.T) {
	t.Parallel()
	r := start(t, exporter.Config{EnableLifecycle: true}, "healthy-single")
	good, err := os.ReadFile(r.file)
	if err != nil {
		t.Fatal(err)
	}
	reloadOK := func(want float64) {
		t.Helper()
		_, body := r.get(t, "/metrics", nil)
		m := parse(t, body)
		m.must(t, "neo4j_doctor_exporter_config_last_reload_successful", want)
	}
	reloadOK(1)

	bad := strings.Replace(string(good), "passwordEnv: HEALTHY_SINGLE_PASSWORD", "password: "+canary, 1)
	if err := os.WriteFile(r.file, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	err = r.exp.Reload()
	if err == nil || !strings.Contains(err.Error(), "never holds a password inline") || strings.Contains(err.Error(), canary) {
		t.Fatalf("Reload of a file with an inline password = %v", err)
	}
	reloadOK(0)
	m := r.probe(t, "healthy-single") // the previous file is still in use
	m.must(t, "neo4j_doctor_probe_success", 1)
	_, page := r.get(t, "/", nil)
	if !strings.Contains(page, "was refused; the previous targets file stays in use") || !strings.Contains(html.UnescapeString(page), "never holds a password inline") {
		t.Errorf("the status page does not show the refused reload:\n%s", page)
	}

	// A good file with another target: the old one is gone, the new one probes.
	next := strings.Replace(string(good), "name: healthy-single", "name: renamed", 1)
	if err := os.WriteFile(r.file, []byte(next), 0o600); err != nil {
		t.Fatal(err)
	}
	// Through the HTTP endpoint this time.
	resp, err := r.srv.Client().Post(r.srv.URL+"/-/reload", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /-/reload: %d", resp.StatusCode)
	}
	reloadOK(1)
	if _, body := r.get(t, "/metrics", nil); strings.Contains(body, `target="healthy-single"`) {
		t.Error("the removed target's probe counters are still exported")
	}
	if code, _ := r.get(t, "/probe?target=healthy-single", nil); code != http.StatusBadRequest {
		t.Errorf("the removed target answers %d, want 400", code)
	}
	// The password variable is still HEALTHY_SINGLE_PASSWORD in the file.
	r.probe(t, "renamed").must(t, "neo4j_doctor_probe_success", 1)
	if code, _ := r.get(t, "/-/reload", nil); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /-/reload: %d, want 405", code)
	}

	// A file that is not there at all is refused as well.
	if err := os.Remove(r.file); err != nil {
		t.Fatal(err)
	}
	if err := r.exp.Reload(); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Reload of a missing file = %v", err)
	}
	r.probe(t, "renamed").must(t, "neo4j_doctor_probe_success", 1)
}

// TestNewRefusesBadFile: serve refuses to start on a bad file with the
// same error as check --targets.
func TestNewRefusesBadFile(t *testing.T) {
	t.Parallel()
	p := t.TempDir() + "/targets.yml"
	if err := os.WriteFile(p, []byte("targets:\n  - {name: a, uri: 'bolt://127.0.0.1:1', passwordEnv: UNSET_VARIABLE}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := exporter.New(exporter.Config{Path: p, Getenv: func(string) string { return "" }})
	if err == nil || !strings.Contains(err.Error(), "UNSET_VARIABLE (its passwordEnv) is not set") {
		t.Errorf("New = %v", err)
	}
}
