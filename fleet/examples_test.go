package fleet_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/neo4j-doctor/neo4j-doctor/fleet"
)

// TestExamples: the targets files the README and examples/ show load as
// written, so a newcomer who copies one starts from a valid file.
func TestExamples(t *testing.T) {
	t.Parallel()
	f, err := fleet.Parse("../examples/targets.yml")
	if err != nil {
		t.Fatalf("examples/targets.yml: %v", err)
	}
	if got := f.Names(); len(got) != 5 || got[0] != "aura-prod" {
		t.Errorf("examples/targets.yml names %v", got)
	}
	onprem, _ := f.Lookup("onprem-eu")
	if onprem.Username != "monitoring" || onprem.DNSServer != "10.0.0.2:53" || onprem.CAFile == "" || onprem.WriteProbe {
		t.Errorf("onprem-eu = %+v: defaults not applied", onprem)
	}
	asApp, _ := f.Lookup("orders-as-app")
	if !asApp.WriteProbe || asApp.Impersonate != "orders-app" {
		t.Errorf("orders-as-app = %+v", asApp)
	}
	sso, _ := f.Lookup("sso-graph")
	if sso.BearerTokenFile == "" || sso.PasswordEnv != "" || sso.PasswordFile != "" {
		t.Errorf("sso-graph = %+v", sso)
	}

	// The targets file inside the Kubernetes example's ConfigMap.
	data, err := os.ReadFile("../examples/kubernetes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var found bool
	for {
		var doc struct {
			Kind string
			Data map[string]string
		}
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("examples/kubernetes.yaml: %v", err)
		}
		if doc.Kind != "ConfigMap" {
			continue
		}
		found = true
		p := filepath.Join(t.TempDir(), "targets.yml")
		if err := os.WriteFile(p, []byte(doc.Data["targets.yml"]), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := fleet.Parse(p)
		if err != nil {
			t.Fatalf("the ConfigMap's targets.yml: %v", err)
		}
		if len(f.Targets) != 2 || f.Targets[1].PasswordFile != "/etc/neo4j-doctor/passwords/orders" {
			t.Errorf("the ConfigMap's targets: %+v", f.Targets)
		}
	}
	if !found {
		t.Error("no ConfigMap in examples/kubernetes.yaml")
	}
}
