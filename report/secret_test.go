package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// leakyReport breaks every promise checks/ makes about secrets: the
// password setting has a value, the URIs carry credentials, and there is
// an extra secret-looking setting. The renderers must hide all of it.
func leakyReport() *checks.Report {
	r := failingReport()
	r.Target.URI = "bolt://neo4j:uri-secret-1@localhost:7687"
	r.Target.Settings["uri"] = checks.Setting{Value: "bolt://neo4j:uri-secret-2@localhost:7687", Source: "flag", From: "--uri"}
	r.Target.Settings["password"] = checks.Setting{Value: "hunter2", Source: "env", From: "NEO4J_PASSWORD"}
	r.Target.Settings["api-token"] = checks.Setting{Value: "token-secret", Source: "env", From: "NEO4J_API_TOKEN"}
	r.Target.Settings["client-secret"] = checks.Setting{Value: "client-secret-value", Source: "default"}
	return r
}

var secrets = []string{"uri-secret-1", "uri-secret-2", "hunter2", "token-secret", "client-secret-value"}

func TestTextNeverRendersSecrets(t *testing.T) {
	for _, opts := range []TextOptions{{}, {Verbose: true}, {Color: true}, {Verbose: true, Color: true}} {
		var b bytes.Buffer
		if err := Text(&b, leakyReport(), opts); err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if strings.Contains(b.String(), s) {
				t.Errorf("opts %+v: text contains %q:\n%s", opts, s, b.String())
			}
		}
		if !strings.Contains(b.String(), "NEO4J_PASSWORD") {
			t.Errorf("opts %+v: text does not say where the password came from:\n%s", opts, b.String())
		}
	}
}

func TestJSONNeverRendersSecrets(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, leakyReport(), ToolInfo{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if strings.Contains(b.String(), s) {
			t.Errorf("json contains %q:\n%s", s, b.String())
		}
	}
	if err := validateJSON(b.Bytes()); err != nil {
		t.Error(err)
	}
}

func TestRedactURI(t *testing.T) {
	for in, want := range map[string]string{
		"neo4j+s://u:p@h:7687?policy=x": "neo4j+s://u@h:7687?policy=x",
		"neo4j://h:7687":                "neo4j://h:7687",
		"bolt://user@h":                 "bolt://user@h",
		"":                              "",
		"::not a uri":                   "::not a uri",
	} {
		if got := redactURI(in); got != want {
			t.Errorf("redactURI(%q) = %q, want %q", in, got, want)
		}
	}
}
