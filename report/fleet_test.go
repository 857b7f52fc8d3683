package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"slices"
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
		"✗ self-managed  fail     auth     5.4   Neo4j/5.20.0             ",
		"! cluster-eu    warn     members  5.8   Neo4j/2025.01.0\\x1b[31m  ",
		"✓ 1 healthy target (--verbose lists them)",
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[2+i], w) {
			t.Errorf("table line %d:\n got %q\nwant %q…", i, lines[2+i], w)
		}
	}
	// The reports of the targets that did not pass follow, and only theirs.
	if strings.Contains(out, "aura-prod") {
		t.Error("the passing target is named")
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

// bigFleet is n outcomes in file order db-0000...: every twentieth fails
// (at 7), every twentieth warns (at 3), every hundredth (at 50) has no
// report, the rest pass.
func bigFleet(n int) *checks.FleetReport {
	outs := make([]checks.Outcome, n)
	for i := range outs {
		outs[i].Name = fmt.Sprintf("db-%04d", i)
		switch {
		case i%20 == 7:
			outs[i].Report = withVersion(failingReport(), "5.4", "Neo4j/5.20.0")
		case i%20 == 3:
			outs[i].Report = withVersion(clusterReport(), "5.8", "Neo4j/2025.01.0")
		case i%100 == 50:
		default:
			outs[i].Report = withVersion(healthyReport(), "5.7", "Neo4j/5.27-aura")
		}
	}
	v, code := checks.Worst(outs)
	return &checks.FleetReport{Outcomes: outs, Started: started, Duration: 6 * time.Second, Verdict: v, ExitCode: code}
}

// tableRows are the summary table's rows (after its heading), up to the
// blank line; each as its symbol and target name.
func tableRows(t *testing.T, out string) []string {
	t.Helper()
	lines := strings.Split(out, "\n")
	var rows []string
	for _, l := range lines[3:] {
		if l == "" {
			break
		}
		f := strings.Fields(l)
		rows = append(rows, f[0]+" "+f[1])
	}
	return rows
}

// The table shows fail, then warn, then any other verdict (no report),
// each in file order; the reports follow in the same order.
func TestFleetTextOrder(t *testing.T) {
	res := bigFleet(200)
	var b bytes.Buffer
	if err := FleetText(&b, res, TextOptions{Version: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, g := range []struct {
		sym  string
		keep func(int) bool
	}{
		{"✗", func(i int) bool { return i%20 == 7 }},
		{"!", func(i int) bool { return i%20 == 3 }},
		{"?", func(i int) bool { return i%100 == 50 }},
	} {
		for i := range res.Outcomes {
			if g.keep(i) {
				want = append(want, fmt.Sprintf("%s db-%04d", g.sym, i))
			}
		}
	}
	want = append(want, "✓ 178")
	if got := tableRows(t, b.String()); !slices.Equal(got, want) {
		t.Errorf("rows\n got %q\nwant %q", got, want)
	}
	// The reports follow in the table's order: every failure's before
	// the first warning's.
	out := b.String()
	lastFail, firstWarn := strings.LastIndex(out, "━━ db-0187 ━"), strings.Index(out, "━━ db-0003 ━")
	if lastFail < 0 || firstWarn < lastFail {
		t.Errorf("the last failure's report (at %d) is not before the first warning's (at %d)", lastFail, firstWarn)
	}
	if k := strings.Count(out, "━━ db-"); k != 20 {
		t.Errorf("%d reports, want 20 (10 failed, 10 warned)", k)
	}
}

// At a thousand targets the healthy ones are one count line, named nowhere;
// the table holds only those that did not pass.
func TestFleetTextCollapsesHealthy(t *testing.T) {
	var b bytes.Buffer
	if err := FleetText(&b, bigFleet(1000), TextOptions{Version: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	rows := tableRows(t, out)
	if len(rows) != 111 || rows[110] != "✓ 890" {
		t.Errorf("%d rows, the last %q; want 50 failed, 50 warned, 10 without a report, then ✓ 890", len(rows), rows[len(rows)-1])
	}
	if !strings.Contains(out, "\n✓ 890 healthy targets (--verbose lists them)\n") {
		t.Error("no count line for the healthy targets")
	}
	if strings.Contains(out, "db-0000") || strings.Contains(out, "db-0999") {
		t.Error("a healthy target is named")
	}
	if !strings.HasSuffix(out, "\n✗ fail — 1000 targets: 890 passed, 50 warned, 50 failed in 6.0s\n") {
		t.Errorf("closing line: %q", out[strings.LastIndex(out[:len(out)-1], "\n"):])
	}
	// Every target passes: the table is the count line alone.
	all := &checks.FleetReport{Outcomes: []checks.Outcome{{Name: "a", Report: healthyReport()}, {Name: "b", Report: healthyReport()}}, Verdict: checks.Pass}
	b.Reset()
	if err := FleetText(&b, all, TextOptions{Version: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	if want := "neo4j-doctor 1.2.3 — 2 targets\n\n✓ 2 healthy targets (--verbose lists them)\n\n✓ pass — 2 targets: 2 passed in 0ms\n"; b.String() != want {
		t.Errorf("all healthy:\n%s\nwant\n%s", b.String(), want)
	}
}

// --verbose lists every target: those that did not pass first, then the
// healthy ones in file order, and no count line.
func TestFleetTextVerboseListsAll(t *testing.T) {
	res := bigFleet(1000)
	var b bytes.Buffer
	if err := FleetText(&b, res, TextOptions{Version: "1.2.3", Verbose: true}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	rows := tableRows(t, out)
	if len(rows) != 1000 {
		t.Fatalf("%d rows, want all 1000", len(rows))
	}
	var healthy []string
	for i := range res.Outcomes {
		if i%20 != 7 && i%20 != 3 && i%100 != 50 {
			healthy = append(healthy, fmt.Sprintf("✓ db-%04d", i))
		}
	}
	if got := rows[110:]; !slices.Equal(got, healthy) {
		t.Errorf("the healthy rows are not the last 890 in file order: %q…", got[:3])
	}
	if strings.Contains(out, "healthy target") {
		t.Error("a count line with --verbose")
	}
	if k := strings.Count(out, "━━ db-"); k != 100 {
		t.Errorf("%d reports, want 100: --verbose prints no healthy target's report", k)
	}
}

// JSON keeps every target, in file order, whatever the text collapses.
func TestFleetJSONKeepsEveryTarget(t *testing.T) {
	res := bigFleet(1000)
	for i := range res.Outcomes {
		if res.Outcomes[i].Report == nil {
			res.Outcomes[i].Report = withVersion(healthyReport(), "5.7", "Neo4j/5.27-aura")
		}
	}
	var b bytes.Buffer
	if err := FleetJSON(&b, res, ToolInfo{Version: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	var doc struct{ Targets []struct{ Name string } }
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Targets) != 1000 {
		t.Fatalf("%d targets, want 1000", len(doc.Targets))
	}
	for i, tg := range doc.Targets {
		if want := fmt.Sprintf("db-%04d", i); tg.Name != want {
			t.Fatalf("target %d is %s, want %s: not the file's order", i, tg.Name, want)
		}
	}
}

// The fleet's text goldens: six targets whose file order mixes verdicts.
func TestFleetTextGolden(t *testing.T) {
	outs := []checks.Outcome{
		{Name: "aura-prod", Report: withVersion(healthyReport(), "5.7", "Neo4j/5.27-aura")},
		{Name: "cluster-eu", Report: withVersion(clusterReport(), "5.8", "Neo4j/2025.01.0")},
		{Name: "aura-dev", Report: withVersion(healthyReport(), "5.7", "Neo4j/5.27-aura")},
		{Name: "self-managed", Report: withVersion(failingReport(), "5.4", "Neo4j/5.20.0")},
		{Name: "reporting", Report: withVersion(healthyReport(), "5.7", "Neo4j/5.27-aura")},
		{Name: "legacy", Report: withVersion(failingReport(), "5.4", "Neo4j/5.20.0")},
	}
	v, code := checks.Worst(outs)
	res := &checks.FleetReport{Outcomes: outs, Started: started, Duration: 1234 * time.Millisecond, Verdict: v, ExitCode: code}
	for _, c := range []struct {
		name string
		opts TextOptions
	}{
		{"fleet.txt", TextOptions{Version: "1.0.0"}},
		{"fleet.color.txt", TextOptions{Version: "1.0.0", Color: true}},
		{"fleet.verbose.txt", TextOptions{Version: "1.0.0", Verbose: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := FleetText(&b, res, c.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name, b.Bytes())
		})
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

// interruptedReport is a target whose diagnosis a Ctrl-C cut at tcp.
func interruptedReport() *checks.Report {
	return &checks.Report{
		Started: started, Verdict: checks.Fail, ExitCode: checks.ExitFailed,
		Checks: []checks.Result{
			{ID: "config", Title: "config", Status: checks.Pass, Summary: "bolt to db:7687, plaintext"},
			{ID: "tcp", Title: "tcp", Status: checks.Fail, Code: checks.CodeInterrupted, Summary: "interrupted before tcp finished",
				Hints: []string{"the run was cancelled (Ctrl-C or a deadline); run it again to finish the diagnosis"}},
			{ID: "bolt", Title: "bolt", Status: checks.Skip, Code: checks.CodeBlocked, Summary: "not run: tcp failed"},
		},
	}
}

// After a Ctrl-C the targets whose only failure is the interruption are
// one line, without their reports; a target that failed for a reason of
// its own keeps its row and report; --verbose lists them all.
func TestFleetTextCollapsesInterrupted(t *testing.T) {
	outs := []checks.Outcome{
		{Name: "done", Report: withVersion(healthyReport(), "5.7", "Neo4j/5.27-aura")},
		{Name: "real-failure", Report: withVersion(failingReport(), "5.4", "Neo4j/5.20.0")},
	}
	for i := range 300 {
		outs = append(outs, checks.Outcome{Name: fmt.Sprintf("cut-%03d", i), Report: interruptedReport()})
	}
	v, code := checks.Worst(outs)
	res := &checks.FleetReport{Outcomes: outs, Started: started, Duration: time.Second, Verdict: v, ExitCode: code}
	var b bytes.Buffer
	if err := FleetText(&b, res, TextOptions{Version: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[3], "✗ real-failure  fail     auth") ||
		lines[4] != "✗ 300 targets interrupted before the diagnosis finished (--verbose lists them)" ||
		lines[5] != "✓ 1 healthy target (--verbose lists them)" || lines[6] != "" {
		t.Errorf("table:\n%s", strings.Join(lines[:7], "\n"))
	}
	if strings.Contains(out, "cut-") || strings.Count(out, "━━ ") != 1 {
		t.Errorf("an interrupted target is named, or has its report:\n%s", out)
	}
	if !strings.HasSuffix(out, "\n✗ fail — 302 targets: 1 passed, 301 failed in 1.0s\n") {
		t.Errorf("closing line: %q", lines[len(lines)-2])
	}

	b.Reset()
	if err := FleetText(&b, res, TextOptions{Version: "1.2.3", Verbose: true}); err != nil {
		t.Fatal(err)
	}
	out = b.String()
	if rows := tableRows(t, out); len(rows) != 302 || rows[0] != "✗ real-failure" || rows[1] != "✗ cut-000" || rows[301] != "✓ done" {
		t.Errorf("--verbose rows: %d, %q … %q", len(rows), rows[:2], rows[len(rows)-1])
	}
	if strings.Contains(out, "interrupted before the diagnosis finished") || strings.Count(out, "━━ ") != 301 {
		t.Errorf("--verbose: a count line, or not every report (%d)", strings.Count(out, "━━ "))
	}
}
