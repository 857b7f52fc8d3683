package cli

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/exporter"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract"
)

// pingCheck is a check defined here, in a test: a new check is one file
// like this one plus one line in the list (here, the one Register call).
var pingCheck = checks.Check{
	ID: "ping", Title: "ping", Needs: []string{"auth"}, Phase: true,
	Doc:   "a check registered by a test, to prove that one file and one line add a check everywhere",
	Codes: []checks.Code{{ID: "ping.slow", Doc: "the ping took longer than a test likes"}},
	Run: func(context.Context, *checks.Run) checks.Result {
		return checks.Result{Status: checks.Warn, Code: "ping.slow", Summary: "the ping was slow",
			Facts: []checks.Fact{{Name: "ping", Value: "pong"}}, Hints: []string{"ping faster"}}
	},
}

// TestRegisterOneLine: a check registered in one line shows in the text
// report, the JSON (valid against the schema, with its code), JUnit,
// --list-checks and the exporter's metrics. Not parallel: the registry is
// the process's, and no other test may see the extra check.
func TestRegisterOneLine(t *testing.T) {
	defer checks.Register(pingCheck)()

	r := runCLI(nil, "--list-checks")
	if r.code != 0 || !strings.Contains(r.stdout, "ping") || !strings.Contains(r.stdout, "one file and one line") {
		t.Fatalf("--list-checks does not list the new check:\n%s", r)
	}

	inst := startScenario(t, "healthy-single")
	dir := t.TempDir()
	jsonPath, junitPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
	r = runCLI(nil, "--uri", inst.URI, "-u", inst.Username, "-p", inst.Password, "--dns-server", inst.DNSServer,
		"--format", "text", "-o", "-", "--format", "json", "-o", jsonPath, "--format", "junit", "-o", junitPath)
	if r.code != 0 || !strings.Contains(r.stdout, "! ping") || !strings.Contains(r.stdout, "ping faster") {
		t.Fatalf("the text report does not show the new check's warning and hint:\n%s", r)
	}

	doc, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := contract.Report(doc); err != nil {
		t.Fatalf("the JSON report is not schema-valid with the new check: %v", err)
	}
	var rep struct {
		Checks []struct{ ID, Status, Code string }
	}
	if err := json.Unmarshal(doc, &rep); err != nil {
		t.Fatal(err)
	}
	last := rep.Checks[len(rep.Checks)-1]
	if last.ID != "ping" || last.Status != "warn" || last.Code != "ping.slow" {
		t.Errorf("the JSON's last check is %+v, want ping, warn, ping.slow", last)
	}

	xmlDoc, err := os.ReadFile(junitPath)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Suites []struct {
			Cases []struct {
				Name string `xml:"name,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(xmlDoc, &suites); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			found = found || strings.Contains(c.Name, "ping")
		}
	}
	if !found {
		t.Errorf("JUnit has no test case for the new check:\n%s", xmlDoc)
	}

	targets := filepath.Join(dir, "targets.yml")
	yml := "targets:\n  - name: demo\n    uri: " + inst.URI + "\n    username: " + inst.Username +
		"\n    passwordEnv: DEMO_PASSWORD\n    dnsServer: " + inst.DNSServer + "\n"
	if err := os.WriteFile(targets, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	exp, err := exporter.New(exporter.Config{Path: targets, Getenv: func(k string) string {
		if k == "DEMO_PASSWORD" {
			return inst.Password
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(exp.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/probe?target=demo")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	for _, want := range []string{`neo4j_doctor_check_status{check="ping",status="warn"} 1`, `neo4j_doctor_phase_duration_seconds{phase="ping"}`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the metrics lack %s:\n%s", want, body)
		}
	}
}
