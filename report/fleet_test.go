package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// withVersion sets the version check's facts as checks/version.go records
// them, and the handshake and HELLO artifacts the summary table reads.
func withVersion(r *checks.Report, bolt, agent string) *checks.Report {
	for i := range r.Checks {
		if r.Checks[i].ID == "version" {
			r.Checks[i].Facts = fact("bolt", bolt, "server agent", agent)
		}
	}
	if r.Artifacts == nil {
		r.Artifacts = &checks.Artifacts{}
	}
	r.Artifacts.Handshake = &checks.HandshakeArtifact{Version: bolt}
	r.Artifacts.Hello = &checks.HelloArtifact{Server: agent}
	return r
}

func fleetResult() *checks.FleetReport {
	outs := []checks.Outcome{
		{Name: "aura-prod", Report: withVersion(healthyReport(), "5.7", "Neo4j/5.27-aura")},
		{Name: "self-managed", Report: withVersion(failingReport(), "5.4", "Neo4j/5.20.0")},
		{Name: "cluster-eu", Report: withVersion(clusterReport(), "5.8", "Neo4j/2025.01.0\x1b[31m")},
	}
	v, code := checks.Worst(outs)
	return &checks.FleetReport{Outcomes: outs, Started: started, Duration: 1234 * time.Millisecond, Verdict: v, ExitCode: code}
}

func TestFleetText(t *testing.T) {
	var b bytes.Buffer
	if err := FleetText(&b, fleetResult(), TextOptions{Version: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(out, "\n")
	if lines[0] != "neo4j-doctor 1.2.3 — 3 targets" {
		t.Errorf("heading %q", lines[0])
	}
	want := []string{
		"  target        verdict  failing  bolt  server agent             time",
		"✓ aura-prod     pass     –        5.7   Neo4j/5.27-aura          412ms",
		"✗ self-managed  fail     auth     5.4   Neo4j/5.20.0             ",
		"! cluster-eu    warn     members  5.8   Neo4j/2025.01.0\\x1b[31m  ",
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[2+i], w) {
			t.Errorf("table line %d:\n got %q\nwant %q…", i, lines[2+i], w)
		}
	}
	// The reports of the targets that did not pass follow, and only theirs.
	if strings.Contains(out, "━━ aura-prod") {
		t.Error("the passing target's report is printed")
	}
	fail := strings.Index(out, "━━ self-managed ━")
	warn := strings.Index(out, "━━ cluster-eu ━")
	if fail < 0 || warn < fail {
		t.Fatalf("reports of the failing and warning targets are missing or out of order:\n%s", out)
	}
	if !strings.Contains(out[fail:warn], "✗ auth") || !strings.Contains(out[fail:warn], "fix:") {
		t.Errorf("self-managed's report lacks its failing check and fix:\n%s", out[fail:warn])
	}
	if strings.Count(out, "neo4j-doctor 1.2.3") != 1 {
		t.Error("each report repeats the tool's line")
	}
	if !strings.HasSuffix(out, "\n✗ fail — 3 targets: 1 passed, 1 warned, 1 failed in 1.2s\n") {
		t.Errorf("closing line: %q", lines[len(lines)-2])
	}
	if strings.Contains(out, "\x1b") {
		t.Error("an escape sequence from the server reached the terminal")
	}
}

func TestFleetJSON(t *testing.T) {
	var b bytes.Buffer
	if err := FleetJSON(&b, fleetResult(), ToolInfo{Version: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	if err := validateFleetJSON(b.Bytes()); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	var doc struct {
		Verdict  string
		ExitCode int
		Targets  []struct {
			Name   string
			Report json.RawMessage
		}
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Verdict != "fail" || doc.ExitCode != 1 || len(doc.Targets) != 3 || doc.Targets[1].Name != "self-managed" {
		t.Errorf("doc = %+v", doc)
	}
	for _, tg := range doc.Targets {
		// Each report is the single-target document, valid on its own.
		if err := validateJSON(tg.Report); err != nil {
			t.Errorf("%s: %v", tg.Name, err)
		}
	}
	// The schema is closed: a document without targets is refused.
	if err := validateFleetJSON([]byte(`{"schemaVersion":1,"tool":{"name":"x","version":""},"verdict":"pass","exitCode":0,"startedAt":"2025-01-01T00:00:00Z","durationMs":1,"targets":[],"extra":1}`)); err == nil {
		t.Error("an empty, extended document validates")
	}
}

func TestFleetJUnit(t *testing.T) {
	var b bytes.Buffer
	if err := FleetJUnit(&b, fleetResult(), ToolInfo{Version: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Props []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
			Cases []struct {
				Name      string    `xml:"name,attr"`
				Classname string    `xml:"classname,attr"`
				Failure   *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	var names []string
	failed := map[string]bool{}
	for _, s := range doc.Suites {
		names = append(names, s.Name)
		if len(s.Props) == 0 || s.Props[0].Name != "target" || !strings.HasPrefix(s.Name, s.Props[0].Value+" ") {
			t.Errorf("suite %s: first property %+v, want the target", s.Name, s.Props)
		}
		for _, c := range s.Cases {
			if !strings.HasPrefix(c.Classname, "neo4j-doctor."+strings.Fields(s.Name)[0]+".") {
				t.Errorf("case %s: classname %s does not name the target", c.Name, c.Classname)
			}
			if c.Failure != nil {
				failed[c.Classname+"/"+c.Name] = true
			}
		}
	}
	if got := strings.Join(names, ","); got != "aura-prod checks,aura-prod members,self-managed checks,cluster-eu checks,cluster-eu members" {
		t.Errorf("suites %s", got)
	}
	if !failed["neo4j-doctor.self-managed.checks/auth"] {
		t.Errorf("self-managed's auth is not a failure: %v", failed)
	}
	if doc.Failures != len(failed) || doc.Tests == 0 {
		t.Errorf("totals: %d tests, %d failures, counted %d", doc.Tests, doc.Failures, len(failed))
	}
}
