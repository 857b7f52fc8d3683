package bundle

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/internal/contract/schemacheck"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// TestReadAgreesWithTheSchema: a bundle broken in shape anywhere (a key
// missing, null, of the wrong type, one too many) is refused by Read
// exactly when the schema refuses it.
func TestReadAgreesWithTheSchema(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"healthy-tls", "wrong-password"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := diagnoseScenario(t, name, "")
			env := testEnv(t, map[string]string{"HTTPS_PROXY": "http://u:pw@proxy.example.com:3128/x"})
			data, _ := build(t, d.rep, Options{Password: d.t.Password, Env: env})
			// The report has its own such test, and a member's artifacts
			// are shaped like the target's.
			ms, err := schemacheck.ShapeMutations(data, ".report", ".artifacts.members[0].artifacts")
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) < 200 {
				t.Fatalf("only %d mutations: the walk missed most of the bundle", len(ms))
			}
			for _, m := range ms {
				schemaErr := schemacheck.Validate(m.Doc, SchemaJSON, report.SchemaJSON)
				_, readErr := Read(m.Doc)
				if (schemaErr == nil) != (readErr == nil) {
					t.Errorf("%s: schema says %v, Read says %v", m.Name, schemaErr, readErr)
				}
				if readErr != nil && (strings.Contains(readErr.Error(), "\n") || !strings.HasPrefix(readErr.Error(), "bundle: ")) {
					t.Errorf("%s: not one line starting bundle: %q", m.Name, readErr)
				}
			}
		})
	}
}

// TestReadRefuses: the one line `report FILE` shows for a bundle it
// cannot read.
func TestReadRefuses(t *testing.T) {
	t.Parallel()
	d := diagnoseScenario(t, "wrong-password", canary)
	data, _ := build(t, d.rep, Options{Password: canary, Env: testEnv(t, nil)})
	mutated := func(mutate func(d map[string]any)) []byte {
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		mutate(doc)
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rep := func(d map[string]any) map[string]any { return d["report"].(map[string]any) }
	cut := len(data) * 2 / 3
	for _, tc := range []struct {
		name string
		doc  []byte
		want string
	}{
		{"a JSON array", []byte("[]\n"), "bundle: want an object, got an array"},
		{"bundle version 2", mutated(func(d map[string]any) { d["bundleVersion"] = 2 }), "bundle: bundleVersion is 2: this neo4j-doctor reads bundleVersion 1"},
		{"a plain report", mutated(func(d map[string]any) {
			for k := range d {
				delete(d, k)
			}
			d["schemaVersion"] = 1
		}), "bundle: no bundleVersion: not a neo4j-doctor document"},
		{"truncated", data[:cut], fmt.Sprintf("bundle: not JSON: it ends in the middle of a value after %d bytes; was the file cut short?", cut)},
		{"trailing garbage", append(append([]byte{}, data...), "garbage"...), fmt.Sprintf(`bundle: not one JSON value: "garbage" follows it at byte %d`, len(data))},
		{"no report", mutated(func(d map[string]any) { delete(d, "report") }), `bundle: missing "report"`},
		{"null artifacts", mutated(func(d map[string]any) { d["artifacts"] = nil }), "bundle: artifacts: want an object, got null"},
		{"a transcript frame of text", mutated(func(d map[string]any) {
			d["artifacts"].(map[string]any)["transcript"].([]any)[1] = "C: HELLO"
		}), "bundle: artifacts.transcript[1]: want an object, got a string"},
		{"negative timing", mutated(func(d map[string]any) {
			d["artifacts"].(map[string]any)["timings"].([]any)[2].(map[string]any)["ns"] = -5
		}), "bundle: artifacts.timings[2].ns: negative (-5)"},
		{"createdAt not a date-time", mutated(func(d map[string]any) { d["createdAt"] = "today" }), `bundle: createdAt: want an RFC 3339 date-time, got "today"`},
		{"report of another schema version", mutated(func(d map[string]any) { rep(d)["schemaVersion"] = 2 }), "bundle: report: schemaVersion is 2: this neo4j-doctor reads schemaVersion 1"},
		{"report without checks", mutated(func(d map[string]any) { delete(rep(d), "checks") }), `bundle: report: missing "checks"`},
		{"report holding the password", mutated(func(d map[string]any) {
			rep(d)["target"].(map[string]any)["settings"].(map[string]any)["password"].(map[string]any)["value"] = canary
		}), "bundle: report: target.settings.password.value: not empty, and a report never holds the password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := schemacheck.Validate(tc.doc, SchemaJSON, report.SchemaJSON); err == nil {
				t.Fatal("the schema accepts it, so Read must too")
			}
			b, err := Read(tc.doc)
			if err == nil || b != nil {
				t.Fatalf("Read accepted it")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
			if strings.Contains(err.Error(), canary) {
				t.Error("the error repeats the password")
			}
			var v *report.VersionError
			if wantVersion := strings.Contains(tc.want, "Version"); errors.As(err, &v) != wantVersion {
				t.Errorf("errors.As(VersionError) = %v, want %v", !wantVersion, wantVersion)
			}
		})
	}
}
