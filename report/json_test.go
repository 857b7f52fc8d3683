package report

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract/schemacheck"
)

// validateJSON and validateFleetJSON are contract.Report and
// contract.Fleet for this package's own tests, which cannot import
// contract: it imports report.
func validateJSON(doc []byte) error { return schemacheck.Validate(doc, SchemaJSON) }

func validateFleetJSON(doc []byte) error {
	return schemacheck.Validate(doc, FleetSchemaJSON, SchemaJSON)
}

// validDoc returns the cluster report as a generic JSON value, for tests
// that break one thing and expect the schema to notice.
func validDoc(t *testing.T) map[string]any {
	t.Helper()
	var b bytes.Buffer
	if err := JSON(&b, clusterReport(), ToolInfo{Version: "1.0.0"}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func firstCheck(doc map[string]any) map[string]any {
	return doc["checks"].([]any)[0].(map[string]any)
}

func TestSchemaRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(doc map[string]any)
	}{
		{"status maybe", func(d map[string]any) { firstCheck(d)["status"] = "maybe" }},
		{"not a check id", func(d map[string]any) { firstCheck(d)["id"] = "Ping!" }},
		{"not a code", func(d map[string]any) { firstCheck(d)["code"] = "TLS self-signed" }},
		{"an empty code", func(d map[string]any) { firstCheck(d)["code"] = "" }},
		{"verbose false", func(d map[string]any) {
			firstCheck(d)["facts"] = []any{map[string]any{"name": "n", "value": "v", "verbose": false}}
		}},
		{"verdict skip", func(d map[string]any) { d["verdict"] = "skip" }},
		{"exit code 4", func(d map[string]any) { d["exitCode"] = 4 }},
		{"schema version 2", func(d map[string]any) { d["schemaVersion"] = 2 }},
		{"null facts", func(d map[string]any) { firstCheck(d)["facts"] = nil }},
		{"missing hints", func(d map[string]any) { delete(firstCheck(d), "hints") }},
		{"extra top-level key", func(d map[string]any) { d["extra"] = true }},
		{"extra check key", func(d map[string]any) { firstCheck(d)["severity"] = "high" }},
		{"startedAt not a date-time", func(d map[string]any) { d["startedAt"] = "yesterday" }},
		{"negative duration", func(d map[string]any) { d["durationMs"] = -1 }},
		{"member status maybe", func(d map[string]any) {
			d["members"].([]any)[0].(map[string]any)["status"] = "maybe"
		}},
		{"password value", func(d map[string]any) {
			d["target"].(map[string]any)["settings"].(map[string]any)["password"].(map[string]any)["value"] = "hunter2"
		}},
		{"setting source unknown", func(d map[string]any) {
			d["target"].(map[string]any)["settings"].(map[string]any)["uri"].(map[string]any)["source"] = "magic"
		}},
	}
	if err := validateJSON(mustMarshal(t, validDoc(t))); err != nil {
		t.Fatalf("unbroken document is invalid: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := validDoc(t)
			tt.mutate(doc)
			if err := validateJSON(mustMarshal(t, doc)); err == nil {
				t.Error("the schema accepted a broken document")
			}
		})
	}
}

func TestValidateJSONRejectsNonDocuments(t *testing.T) {
	for _, in := range []string{"", "not json", "[]", `{"schemaVersion":1}`} {
		if err := validateJSON([]byte(in)); err == nil {
			t.Errorf("validateJSON(%q) = nil", in)
		}
	}
	var b bytes.Buffer
	if err := JSON(&b, healthyReport(), ToolInfo{}); err != nil {
		t.Fatal(err)
	}
	// Two documents on stdout would break `| jq`; the validator must see it.
	twice := append(bytes.Clone(b.Bytes()), b.Bytes()...)
	if err := validateJSON(twice); err == nil {
		t.Error("the schema accepted two documents")
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A report straight from a runner that never initialised a slice must
// still give [] everywhere, not null.
func TestJSONNilSlicesAreEmptyArrays(t *testing.T) {
	r := &checks.Report{
		Started: started, Verdict: checks.Fail, ExitCode: checks.ExitNoResponse,
		Checks: []checks.Result{
			{ID: "dns", Status: checks.Fail, Summary: "no such host", Error: "lookup x: no such host"},
		},
		Members: []checks.Member{{Address: "a:7687", Status: checks.Skip}},
	}
	var b bytes.Buffer
	if err := JSON(&b, r, ToolInfo{Name: "neo4j-doctor", Version: "dev"}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b.Bytes(), []byte("null")) {
		t.Errorf("null in document:\n%s", b.Bytes())
	}
	if err := validateJSON(b.Bytes()); err != nil {
		t.Error(err)
	}

	// And with no checks or members at all.
	b.Reset()
	if err := JSON(&b, &checks.Report{Verdict: checks.Fail, ExitCode: checks.ExitNoAttempt}, ToolInfo{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"checks": []`, `"members": []`, `"settings": {}`, `"name": "neo4j-doctor"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %s in:\n%s", want, b.Bytes())
		}
	}
	if err := validateJSON(b.Bytes()); err != nil {
		t.Error(err)
	}
}

func TestJSONDeterministic(t *testing.T) {
	var first bytes.Buffer
	if err := JSON(&first, clusterReport(), ToolInfo{Version: "1.0.0"}); err != nil {
		t.Fatal(err)
	}
	for range 20 { // map iteration order differs run to run
		var b bytes.Buffer
		if err := JSON(&b, clusterReport(), ToolInfo{Version: "1.0.0"}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), first.Bytes()) {
			t.Fatal("JSON output differs between runs of the same report")
		}
	}
}

func TestJSONTimesAndDurations(t *testing.T) {
	r := healthyReport()
	r.Started = time.Date(2025, 3, 14, 10, 26, 53, 5, time.FixedZone("CET", 3600))
	r.Checks[0].Duration = 1500 * time.Nanosecond
	var b bytes.Buffer
	if err := JSON(&b, r, ToolInfo{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		StartedAt  string
		DurationMs float64
		Checks     []struct{ DurationMs float64 }
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.StartedAt != "2025-03-14T09:26:53.000000005Z" {
		t.Errorf("startedAt = %s, want UTC with nanoseconds", doc.StartedAt)
	}
	if doc.DurationMs != 412.345 {
		t.Errorf("durationMs = %v, want 412.345", doc.DurationMs)
	}
	if doc.Checks[0].DurationMs != 0.001 {
		t.Errorf("check durationMs = %v, want 0.001 (microsecond precision)", doc.Checks[0].DurationMs)
	}
}

func TestJSONNilReport(t *testing.T) {
	if err := JSON(new(bytes.Buffer), nil, ToolInfo{}); err == nil {
		t.Error("JSON(nil) = nil error")
	}
}

func TestSchemaFileIsEmbedded(t *testing.T) {
	disk, err := os.ReadFile("schema/report.v1.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(disk, SchemaJSON) {
		t.Error("SchemaJSON differs from schema/report.v1.schema.json")
	}
	var s struct {
		ID string `json:"$id"`
	}
	if err := json.Unmarshal(SchemaJSON, &s); err != nil {
		t.Fatal(err)
	}
	if s.ID != SchemaID {
		t.Errorf("$id = %q, SchemaID = %q", s.ID, SchemaID)
	}
}
