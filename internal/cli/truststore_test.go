package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrustStoreJSON: the certifi-lacks-root scenario's JSON report
// carries every store judged, typed, the application's marked.
func TestTrustStoreJSON(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "certifi-lacks-root")
	r := runCLI(instEnv(inst), instArgs(inst, "--format", "json")...)
	decodeReport(t, r) // valid against the schema
	var doc struct {
		Checks []struct {
			ID, Code string
		}
		TrustStores []struct {
			Kind, Path, Status, Root string
			Application              bool
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	var code string
	for _, c := range doc.Checks {
		if c.ID == "tls" {
			code = c.Code
		}
	}
	if code != "tls.app_store_rejects" {
		t.Errorf("tls code %q", code)
	}
	var app, ca bool
	for _, s := range doc.TrustStores {
		switch {
		case s.Application:
			app = s.Kind == "certifi" && s.Path == inst.TrustStore && s.Status == "rejected" && s.Root == "CN=neo4j-doctor demo CA"
		case s.Kind == "ca-file":
			ca = s.Status == "accepted" && s.Path == inst.CAFile
		}
	}
	if !app || !ca {
		t.Errorf("trustStores: %+v", doc.TrustStores)
	}
}

// TestTrustStoreBadInput: a store that cannot be had is exit 3 with a
// hint, before anything is dialled.
func TestTrustStoreBadInput(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"ca-file", filepath.Join(t.TempDir(), "missing.pem")} {
		r := runCLI(nil, "--uri", "neo4j+s://db.example.test", "--trust-store", name)
		if r.code != 3 || !strings.Contains(r.stderr, "error: --trust-store") || !strings.Contains(r.stderr, "hint: name the store the application uses") {
			t.Errorf("--trust-store %s:\n%s", name, r)
		}
	}
}
