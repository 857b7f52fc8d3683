package contract_test

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

const module = "github.com/neo4j-doctor/neo4j-doctor"

// TestOnlyTestsImportContract: no package of the module, the binary
// included, depends on contract or on the schema library outside its
// tests; `go version -m` of the binary does not list jsonschema.
func TestOnlyTestsImportContract(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "list", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 10 || !strings.HasPrefix(lines[0], module) {
		t.Fatalf("go list listed %d packages, starting %.80q", len(lines), lines[0])
	}
	for _, line := range lines {
		pkg, deps, _ := strings.Cut(line, " ")
		if strings.HasPrefix(pkg, module+"/internal/contract") {
			continue
		}
		for _, d := range strings.Fields(deps) {
			if strings.HasPrefix(d, module+"/internal/contract") || strings.HasPrefix(d, "github.com/santhosh-tekuri/jsonschema") {
				t.Errorf("%s depends on %s outside its tests", pkg, d)
			}
		}
	}
}

// TestErrorTexts: the words of the validators that lived in report and
// bundle, which test failures print.
func TestErrorTexts(t *testing.T) {
	t.Parallel()
	var doc bytes.Buffer
	if err := report.JSON(&doc, &checks.Report{Verdict: checks.Fail, ExitCode: checks.ExitNoAttempt}, report.ToolInfo{}); err != nil {
		t.Fatal(err)
	}
	if err := contract.Report(doc.Bytes()); err != nil {
		t.Fatalf("a report JSON wrote does not validate: %v", err)
	}
	twice := append(bytes.Clone(doc.Bytes()), doc.Bytes()...)
	for _, tc := range []struct {
		name  string
		check func([]byte) error
		doc   []byte
		want  string
	}{
		{"report, not json", contract.Report, []byte("not json"), "report: not json: "},
		{"report, two documents", contract.Report, twice, "report: not json: "},
		{"report, empty", contract.Report, nil, "report: not json: "},
		{"report, not the schema", contract.Report, []byte(`{"schemaVersion": 1}`), "report: json does not match schema version 1: "},
		{"fleet, a report", contract.Fleet, doc.Bytes(), "report: json does not match the fleet schema version 1: "},
		{"bundle, not json", contract.Bundle, []byte("{"), "bundle: not json: "},
		{"bundle, a report", contract.Bundle, doc.Bytes(), "bundle: does not match bundle schema version 1: "},
	} {
		err := tc.check(tc.doc)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q…", tc.name, err, tc.want)
		}
	}
}
