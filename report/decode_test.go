package report

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract/schemacheck"
)

// TestDecodeAgreesWithTheSchema: for every place a document can be broken
// in shape (a key missing, null, of the wrong type, one too many), Decode
// refuses exactly when the schema does. The binary has no schema library,
// so this is what keeps Decode to the contract.
func TestDecodeAgreesWithTheSchema(t *testing.T) {
	t.Parallel()
	ms, err := schemacheck.ShapeMutations(mustMarshal(t, validDoc(t)))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 200 {
		t.Fatalf("only %d mutations: the walk missed most of the document", len(ms))
	}
	refused := 0
	for _, m := range ms {
		schemaErr := validateJSON(m.Doc)
		_, _, decodeErr := Decode(m.Doc)
		if (schemaErr == nil) != (decodeErr == nil) {
			t.Errorf("%s: schema says %v, Decode says %v", m.Name, schemaErr, decodeErr)
		}
		if decodeErr != nil {
			refused++
			if strings.Contains(decodeErr.Error(), "\n") || !strings.HasPrefix(decodeErr.Error(), "report: ") {
				t.Errorf("%s: not one line starting report: %q", m.Name, decodeErr)
			}
		}
	}
	// Most breaks are refused; the rest (a setting deleted, null as
	// error) are documents JSON could have written.
	if refused < len(ms)*9/10 {
		t.Errorf("Decode refused only %d of %d broken documents", refused, len(ms))
	}
}

// TestDecodeRefuses: what a user sees when `report FILE` refuses a file:
// one line naming the place and the problem.
func TestDecodeRefuses(t *testing.T) {
	t.Parallel()
	valid := mustMarshal(t, validDoc(t))
	mutated := func(mutate func(d map[string]any)) []byte {
		d := validDoc(t)
		mutate(d)
		return mustMarshal(t, d)
	}
	tests := []struct {
		name string
		doc  []byte
		want string
	}{
		{"empty", []byte(" \n"), "report: empty: no JSON in it"},
		{"text", []byte("not a report\n"), "report: not JSON: invalid character 'o' in literal null (expecting 'u') at byte 2"},
		{"an array", []byte(`[{"schemaVersion": 1}]`), "report: want an object, got an array"},
		{"a string", []byte(`"report"`), "report: want an object, got a string"},
		{"no version", []byte(`{"verdict": "pass"}`), "report: no schemaVersion: not a neo4j-doctor document"},
		{"schema version 2", mutated(func(d map[string]any) { d["schemaVersion"] = 2 }), "report: schemaVersion is 2: this neo4j-doctor reads schemaVersion 1"},
		{"schema version as a string", mutated(func(d map[string]any) { d["schemaVersion"] = "1" }), `report: schemaVersion is "1": this neo4j-doctor reads schemaVersion 1`},
		{"truncated", valid[:len(valid)/2], fmt.Sprintf("report: not JSON: it ends in the middle of a value after %d bytes; was the file cut short?", len(valid)/2)},
		{"trailing garbage", append(slices.Clone(valid), "\n}oops"...), fmt.Sprintf(`report: not one JSON value: "}oops" follows it at byte %d`, len(valid)+1)},
		{"two documents", append(slices.Clone(valid), valid[:60]...), fmt.Sprintf(`report: not one JSON value: "{\"checks\":[{\"durationMs\":0.1,\"erro… follows it at byte %d`, len(valid))},
		{"no checks", mutated(func(d map[string]any) { delete(d, "checks") }), `report: missing "checks"`},
		{"no target", mutated(func(d map[string]any) { delete(d, "target") }), `report: missing "target"`},
		{"no target port", mutated(func(d map[string]any) { delete(d["target"].(map[string]any), "port") }), `report: target: missing "port"`},
		{"no hints", mutated(func(d map[string]any) { delete(firstCheck(d), "hints") }), `report: checks[0]: missing "hints"`},
		{"null facts", mutated(func(d map[string]any) { firstCheck(d)["facts"] = nil }), "report: checks[0].facts: want an array, got null"},
		{"checks an object", mutated(func(d map[string]any) { d["checks"] = map[string]any{} }), "report: checks: want an array, got an object"},
		{"duration a string", mutated(func(d map[string]any) { firstCheck(d)["durationMs"] = "12ms" }), "report: checks[0].durationMs: want a number, got a string"},
		{"port a fraction", mutated(func(d map[string]any) { d["target"].(map[string]any)["port"] = 7687.5 }), "report: target.port: want an integer, got 7687.5"},
		{"extra top-level key", mutated(func(d map[string]any) { d["extra"] = true }), `report: unknown key "extra"`},
		{"extra check key", mutated(func(d map[string]any) { firstCheck(d)["severity"] = "high" }), `report: checks[0]: unknown key "severity"`},
		{"hostile key", mutated(func(d map[string]any) { d["\x1b[31m"+strings.Repeat("k", 100)] = 1 }), `report: unknown key "\x1b[31mkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…`},
		{"status maybe", mutated(func(d map[string]any) { firstCheck(d)["status"] = "maybe" }), `report: checks[0].status: want pass, warn, fail or skip, got "maybe"`},
		{"not a check id", mutated(func(d map[string]any) { firstCheck(d)["id"] = "Ping!" }), `report: checks[0].id: not a check id: "Ping!"`},
		{"not a code", mutated(func(d map[string]any) { firstCheck(d)["code"] = "TLS self-signed" }), `report: checks[0].code: not a code: "TLS self-signed"`},
		{"an empty code", mutated(func(d map[string]any) { firstCheck(d)["code"] = "" }), "report: decode: a check's code is empty: it is absent or a code"},
		{"verbose false", mutated(func(d map[string]any) {
			firstCheck(d)["facts"] = []any{map[string]any{"name": "n", "value": "v", "verbose": false}}
		}), "report: decode: a fact's verbose is false: it is absent or true"},
		{"verdict skip", mutated(func(d map[string]any) { d["verdict"] = "skip" }), `report: verdict: want pass, warn or fail, got "skip"`},
		{"exit code 4", mutated(func(d map[string]any) { d["exitCode"] = 4 }), "report: exitCode: want 0 to 3, got 4"},
		{"startedAt not a date-time", mutated(func(d map[string]any) { d["startedAt"] = "yesterday" }), `report: startedAt: want an RFC 3339 date-time, got "yesterday"`},
		{"negative duration", mutated(func(d map[string]any) { d["durationMs"] = -1 }), "report: durationMs: negative (-1)"},
		{"member status maybe", mutated(func(d map[string]any) {
			d["members"].([]any)[1].(map[string]any)["status"] = "maybe"
		}), `report: members[1].status: want pass, warn, fail or skip, got "maybe"`},
		{"password value", mutated(func(d map[string]any) {
			d["target"].(map[string]any)["settings"].(map[string]any)["password"].(map[string]any)["value"] = "hunter2"
		}), "report: target.settings.password.value: not empty, and a report never holds the password"},
		{"setting source unknown", mutated(func(d map[string]any) {
			d["target"].(map[string]any)["settings"].(map[string]any)["uri"].(map[string]any)["source"] = "magic"
		}), `report: target.settings.uri.source: want flag, file, env, uri or default, got "magic"`},
		{"empty hint", mutated(func(d map[string]any) { firstCheck(d)["hints"] = []any{""} }), "report: checks[0].hints[0]: empty"},
		{"empty tool name", mutated(func(d map[string]any) { d["tool"].(map[string]any)["name"] = "" }), "report: tool.name: empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := validateJSON(tt.doc); err == nil {
				t.Fatalf("the schema accepts the document, so Decode must too")
			}
			r, _, err := Decode(tt.doc)
			if err == nil || r != nil {
				t.Fatalf("Decode accepted it: %+v", r)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Error("the error repeats the password")
			}
		})
	}
}

func TestDecodeVersionError(t *testing.T) {
	t.Parallel()
	for doc, got := range map[string]string{`{"schemaVersion": 2}`: "2", `{"checks": []}`: ""} {
		_, _, err := Decode([]byte(doc))
		var v *VersionError
		if !errors.As(err, &v) || v.Key != "schemaVersion" || v.Got != got || v.Want != SchemaVersion {
			t.Errorf("%s: %v, want a VersionError with Got %q", doc, err, got)
		}
	}
}

// TestDecodeTruncated: a report cut short anywhere is refused, never read
// as a smaller report.
func TestDecodeTruncated(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := JSON(&b, clusterReport(), ToolInfo{Version: "1.0.0"}); err != nil {
		t.Fatal(err)
	}
	doc := bytes.TrimSpace(b.Bytes())
	for n := 0; n < len(doc); n += 7 {
		if _, _, err := Decode(doc[:n]); err == nil {
			t.Fatalf("the first %d of %d bytes decode", n, len(doc))
		}
	}
}

// TestDecodeRoundTrip: what JSON writes, Decode reads back into a report
// that renders the same text, verbose or not.
func TestDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range cases {
		var js bytes.Buffer
		if err := JSON(&js, c.report(), ToolInfo{Name: "neo4j-doctor", Version: "1.0.0"}); err != nil {
			t.Fatal(err)
		}
		r, tool, err := Decode(js.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if tool.Version != "1.0.0" {
			t.Errorf("%s: tool %+v", c.name, tool)
		}
		for _, verbose := range []bool{false, true} {
			var want, got bytes.Buffer
			opts := TextOptions{Version: "1.0.0", Verbose: verbose}
			if err := Text(&want, c.report(), opts); err != nil {
				t.Fatal(err)
			}
			if err := Text(&got, r, opts); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%s verbose=%v: decoded report renders differently:\n--- want\n%s--- got\n%s", c.name, verbose, &want, &got)
			}
		}
	}
}

// TestDecodeStrictNeedsAStruct: a programming error, said as such.
func TestDecodeStrictNeedsAStruct(t *testing.T) {
	t.Parallel()
	var m map[string]any
	for _, v := range []any{nil, m, &m, jsonDoc{}} {
		if err := DecodeStrict([]byte(`{"schemaVersion": 1}`), v, "schemaVersion", 1); err == nil || !strings.Contains(err.Error(), "pointer to a struct") {
			t.Errorf("%T: %v", v, err)
		}
	}
}

// TestDecodeReadsCodesAndNewChecks: a check's code is read back, and a
// check this build does not know (a newer release's, or one a program
// registered) is read as the schema allows.
func TestDecodeReadsCodesAndNewChecks(t *testing.T) {
	t.Parallel()
	d := validDoc(t)
	firstCheck(d)["id"] = "ping"
	firstCheck(d)["code"] = "ping.no_answer"
	doc := mustMarshal(t, d)
	if err := validateJSON(doc); err != nil {
		t.Fatalf("schema: %v", err)
	}
	r, _, err := Decode(doc)
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Checks[0]; c.ID != "ping" || c.Code != "ping.no_answer" {
		t.Errorf("read %q with code %q", c.ID, c.Code)
	}
	// A verbose fact is read back as one, so the text report renders as it did.
	firstCheck(d)["facts"] = []any{map[string]any{"name": "received (hex)", "value": "48 54", "verbose": true}}
	if r, _, err = Decode(mustMarshal(t, d)); err != nil || !r.Checks[0].Facts[0].Verbose {
		t.Errorf("a verbose fact read back: %+v, %v", r.Checks[0].Facts, err)
	}
}

// driverDoc is validDoc with --driver's snippets on its first check.
func driverDoc(t *testing.T) map[string]any {
	d := validDoc(t)
	firstCheck(d)["driverHints"] = []any{
		map[string]any{"driver": "python", "topic": "trust_ca", "snippet": `GraphDatabase.driver("neo4j://h:7687", auth=auth)`, "doc": "https://neo4j.com/docs/api/python-driver/current/api.html"},
	}
	return d
}

// TestDecodeAgreesOnDriverHints: TestDecodeAgreesWithTheSchema for the
// driverHints a run with --driver adds, and their round trip: the
// decoded report renders the snippets as the original does.
func TestDecodeAgreesOnDriverHints(t *testing.T) {
	t.Parallel()
	doc := mustMarshal(t, driverDoc(t))
	if err := validateJSON(doc); err != nil {
		t.Fatalf("a report with driverHints is not schema-valid: %v", err)
	}
	ms, err := schemacheck.ShapeMutations(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if !strings.Contains(m.Name, "driverHints") {
			continue
		}
		schemaErr := validateJSON(m.Doc)
		_, _, decodeErr := Decode(m.Doc)
		if (schemaErr == nil) != (decodeErr == nil) {
			t.Errorf("%s: schema says %v, Decode says %v", m.Name, schemaErr, decodeErr)
		}
	}
	for name, mutate := range map[string]func(h map[string]any){
		"an unknown driver": func(h map[string]any) { h["driver"] = "cobol" },
		"an unknown topic":  func(h map[string]any) { h["topic"] = "colour" },
		"an empty snippet":  func(h map[string]any) { h["snippet"] = "" },
		"an empty doc":      func(h map[string]any) { h["doc"] = "" },
	} {
		d := driverDoc(t)
		mutate(firstCheck(d)["driverHints"].([]any)[0].(map[string]any))
		b := mustMarshal(t, d)
		if validateJSON(b) == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
		if _, _, err := Decode(b); err == nil {
			t.Errorf("%s: Decode accepts it", name)
		}
	}
	for _, topic := range checks.DriverTopics {
		d := driverDoc(t)
		firstCheck(d)["driverHints"].([]any)[0].(map[string]any)["topic"] = topic
		if err := validateJSON(mustMarshal(t, d)); err != nil {
			t.Errorf("topic %s: the schema refuses it: %v", topic, err)
		}
	}
	r, _, err := Decode(doc)
	if err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	if err := JSON(&js, r, ToolInfo{Version: "1.0.0"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(js.Bytes(), []byte(`"driverHints": [`)) || !strings.Contains(fmt.Sprint(r.Checks[0].DriverHints), "trust_ca") {
		t.Errorf("the driver hints did not survive the round trip:\n%s", &js)
	}
	var text bytes.Buffer
	if err := Text(&text, r, TextOptions{Version: "1.0.0", Verbose: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"python: trust the CA file:", `GraphDatabase.driver("neo4j://h:7687", auth=auth)`, "docs: https://neo4j.com/docs/api/python-driver/current/api.html"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the text report lacks %q:\n%s", want, &text)
		}
	}
}
