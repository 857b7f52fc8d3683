package checks_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
)

var update = flag.Bool("update", false, "rewrite docs/codes.md and the README's check table from the checks' declarations")

// codesDoc is docs/codes.md, made from every check's Codes.
func codesDoc() []byte {
	var b bytes.Buffer
	b.WriteString("# Result codes\n\n")
	b.WriteString("Every check that does not pass carries a `code` in the JSON report (`checks[].code`,\n")
	b.WriteString("`members[].checks[].code`): a stable, machine-readable name for what it found. A pass has none.\n")
	b.WriteString("A released code never changes its spelling or meaning; new codes are added. \"waits\" marks the\n")
	b.WriteString("codes `--wait` diagnoses again for (a server still starting); a result whose server error is a\n")
	b.WriteString("`Neo.TransientError` waits too, and `members` waits when every failed member may still come up.\n\n")
	b.WriteString("This file is generated from the checks' declarations (`Check.Codes` in checks/): run\n")
	b.WriteString("`go test ./checks -run TestCodesDocumented -update` after adding one.\n")
	section := func(title string, codes []checks.Code) {
		fmt.Fprintf(&b, "\n## %s\n\n| code | waits | meaning |\n| --- | --- | --- |\n", title)
		for _, c := range codes {
			wait := ""
			if c.Wait {
				wait = "yes"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.ID, wait, c.Doc)
		}
	}
	all := checks.AllCodes()
	var runner []checks.Code
	for _, c := range all {
		if !strings.Contains(c.ID, ".") {
			runner = append(runner, c)
		}
	}
	section("Any check", runner)
	for _, c := range checks.Checks() {
		section("`"+c.ID+"`", c.Codes)
	}
	return b.Bytes()
}

// checksTable is the README's table of checks, made from CheckDocs.
func checksTable() string {
	var b strings.Builder
	b.WriteString("| id | what it checks |\n| --- | --- |\n")
	for _, d := range checks.CheckDocs() {
		fmt.Fprintf(&b, "| `%s` | %s |\n", d.ID, d.Doc)
	}
	return b.String()
}

const (
	tableStart = "<!-- the checks: generated from checks.CheckDocs() by go test ./checks -update -->\n"
	tableEnd   = "<!-- end of the checks -->\n"
)

// TestCodesDocumented: docs/codes.md is the list of every code, and each
// code is declared once, with a meaning.
func TestCodesDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range checks.AllCodes() {
		if seen[c.ID] || !checks.ValidCode(c.ID) || c.Doc == "" {
			t.Errorf("code %q: declared twice, not a code, or without a meaning", c.ID)
		}
		seen[c.ID] = true
	}
	golden(t, "../docs/codes.md", codesDoc())
}

// TestREADMEChecksTable: the README's table of checks is CheckDocs.
func TestREADMEChecksTable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i, j := strings.Index(s, tableStart), strings.Index(s, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q … %q section", tableStart, tableEnd)
	}
	got := s[:i+len(tableStart)] + checksTable() + s[j:]
	golden(t, "../README.md", []byte(got))
}

func golden(t *testing.T, path string, want []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./checks -update makes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what the checks declare: go test ./checks -update rewrites it", path)
	}
}

// TestEveryScenarioCarriesCodes: in every demo scenario's report, each
// result that did not pass (members' own included) has a code its check
// declares, and each pass has none.
func TestEveryScenarioCarriesCodes(t *testing.T) {
	t.Parallel()
	declared := map[string]bool{}
	for _, c := range checks.AllCodes() {
		declared[c.ID] = true
	}
	for _, sc := range scenarios.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			inst, err := sc.Start()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = inst.Close() })
			tt, err := checks.Resolve(inst.Inputs())
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			rep := checks.Diagnose(ctx, tt, testEnv(t), checks.Options{})
			results := rep.Checks
			for _, m := range rep.Members {
				results = append(results, m.Checks...)
			}
			for _, r := range results {
				switch {
				case r.Status == checks.Pass && r.Code != "":
					t.Errorf("%s passed with code %q", r.ID, r.Code)
				case r.Status != checks.Pass && !declared[r.Code]:
					t.Errorf("%s %s (%s) has code %q, which no check declares", r.ID, r.Status, r.Summary, r.Code)
				}
			}
		})
	}
}
