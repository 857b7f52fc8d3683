package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportRefuses: `report FILE` refuses a file it cannot read, whether
// it looks like a bundle or like a --format json report, with exit 3,
// nothing on stdout, one error: line saying what is wrong and where, and
// one hint: line. The binary has no schema validator; these are the
// cases the strict decoding must catch on its own.
func TestReportRefuses(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "wrong-password")
	dir := t.TempDir()
	bundlePath, reportPath := filepath.Join(dir, "case.json"), filepath.Join(dir, "report.json")
	if r := runCLI(instEnv(inst), instArgs(inst, "bundle", "-o", bundlePath)...); r.code != 1 {
		t.Fatalf("bundle: want exit 1 (wrong password):\n%s", r)
	}
	if r := runCLI(instEnv(inst), instArgs(inst, "--format", "json", "-o", reportPath)...); r.code != 1 {
		t.Fatalf("--format json: want exit 1 (wrong password):\n%s", r)
	}
	bundleDoc, reportDoc := readTestFile(t, bundlePath), readTestFile(t, reportPath)
	for _, p := range []string{bundlePath, reportPath} {
		if r := runCLI(nil, "report", p); r.code != 1 || !strings.Contains(r.stdout, "✗ auth") {
			t.Fatalf("report %s, unbroken: want the run's exit 1 and its report:\n%s", filepath.Base(p), r)
		}
	}
	edit := func(doc []byte, f func(d map[string]any)) []byte {
		var d map[string]any
		if err := json.Unmarshal(doc, &d); err != nil {
			t.Fatal(err)
		}
		f(d)
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	obj := func(v any) map[string]any { return v.(map[string]any) }
	firstCheck := func(d map[string]any) map[string]any { return obj(d["checks"].([]any)[0]) }
	const canaryPassword = "canary-Zx9-pw"
	cut := len(bundleDoc) / 2
	const other = "another release"
	for _, tc := range []struct {
		name    string
		content []byte
		want    string
		hint    string // default: what report reads
	}{
		{"text", []byte("not a report\n"), "not JSON: invalid character 'o' in literal null (expecting 'u') at byte 2", ""},
		{"empty", nil, "empty: no JSON in it", ""},
		{"a JSON array", []byte("[" + string(reportDoc) + "]"), "want an object, got an array", ""},
		{"truncated bundle", bundleDoc[:cut], fmt.Sprintf("not JSON: it ends in the middle of a value after %d bytes; was the file cut short?", cut), ""},
		{"trailing garbage", append(append([]byte{}, reportDoc...), "garbage\n"...), fmt.Sprintf(`not one JSON value: "garbage\n" follows it at byte %d`, len(reportDoc)), ""},
		{"neither bundle nor report", []byte(`{"name": "case"}`), "neither a bundle (no bundleVersion) nor a report (no schemaVersion)", ""},
		{"bundle of another version", edit(bundleDoc, func(d map[string]any) { d["bundleVersion"] = 2 }), "bundle: bundleVersion is 2: this neo4j-doctor reads bundleVersion 1", other},
		{"report of another version", edit(reportDoc, func(d map[string]any) { d["schemaVersion"] = 2 }), "report: schemaVersion is 2: this neo4j-doctor reads schemaVersion 1", other},
		{"bundle without report", edit(bundleDoc, func(d map[string]any) { delete(d, "report") }), `bundle: missing "report"`, ""},
		{"bundle's report without target", edit(bundleDoc, func(d map[string]any) { delete(obj(d["report"]), "target") }), `bundle: report: missing "target"`, ""},
		{"report without checks", edit(reportDoc, func(d map[string]any) { delete(d, "checks") }), `report: missing "checks"`, ""},
		{"report without target", edit(reportDoc, func(d map[string]any) { delete(d, "target") }), `report: missing "target"`, ""},
		{"check without status", edit(reportDoc, func(d map[string]any) { delete(firstCheck(d), "status") }), `report: checks[0]: missing "status"`, ""},
		{"duration as text", edit(reportDoc, func(d map[string]any) { firstCheck(d)["durationMs"] = "12ms" }), "report: checks[0].durationMs: want a number, got a string", ""},
		{"checks as an object", edit(reportDoc, func(d map[string]any) { d["checks"] = map[string]any{} }), "report: checks: want an array, got an object", ""},
		{"bundle's os as a number", edit(bundleDoc, func(d map[string]any) { obj(d["environment"])["os"] = 7 }), "bundle: environment.os: want a string, got a number", ""},
		{"unknown key", edit(reportDoc, func(d map[string]any) { d["colour"] = "red" }), `report: unknown key "colour"`, ""},
		{"exit code 42", edit(reportDoc, func(d map[string]any) { d["exitCode"] = 42 }), "report: exitCode: want 0 to 3, got 42", ""},
		{"a password in the report", edit(reportDoc, func(d map[string]any) {
			obj(obj(obj(d["target"])["settings"])["password"])["value"] = canaryPassword
		}), "report: target.settings.password.value: not empty, and a report never holds the password", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "case.json")
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			r := runCLI(nil, "report", path)
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if r.code != 3 || r.stdout != "" || len(lines) != 2 {
				t.Fatalf("want exit 3, no stdout and two lines on stderr:\n%s", r)
			}
			if want := "error: " + path + " is not a neo4j-doctor bundle or report: " + tc.want; lines[0] != want {
				t.Errorf("error line\n got %s\nwant %s", lines[0], want)
			}
			hint := tc.hint
			if hint == "" {
				hint = "written by neo4j-doctor bundle -o FILE (or --format json)"
			}
			if !strings.HasPrefix(lines[1], "hint: ") || !strings.Contains(lines[1], hint) {
				t.Errorf("hint line %q, want one about %q", lines[1], hint)
			}
			if strings.Contains(r.stderr, canaryPassword) {
				t.Errorf("the password is printed:\n%s", r.stderr)
			}
		})
	}
}

func readTestFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
