package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract/schemacheck"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
	"github.com/neo4j-doctor/neo4j-doctor/watch"
)

var watchStart = time.Date(2026, 12, 1, 14, 3, 5, 0, time.UTC)

// watchState is what one synthetic run finds.
type watchState struct {
	writer string        // "" : the table lists none
	down   string        // a member that fails tcp
	took   time.Duration // 0: 9ms
}

// watchReport is the report a diagnosis of a 3-member cluster in st
// gives: routing fails without a writer (the checks after it skipped),
// a member down makes members warn.
func watchReport(st watchState) *checks.Report {
	addrs := []string{"core-0.neo4j-doctor.test:7687", "core-1.neo4j-doctor.test:7687", "core-2.neo4j-doctor.test:7687"}
	took := st.took
	if took == 0 {
		took = 9 * ms
	}
	rep := &checks.Report{Target: healthyClusterTarget(), Duration: took, Verdict: checks.Pass}
	for _, id := range []string{"config", "dns", "tcp"} {
		rep.Checks = append(rep.Checks, checks.Result{ID: id, Status: checks.Pass})
	}
	rep.Checks = append(rep.Checks, checks.Result{ID: "tls", Status: checks.Skip, Summary: "neo4j:// does not use TLS"})
	for _, id := range []string{"bolt", "version", "auth"} {
		rep.Checks = append(rep.Checks, checks.Result{ID: id, Status: checks.Pass})
	}
	tbl := &routing.Table{Routers: addrs}
	for _, a := range addrs {
		if strings.HasPrefix(a, st.writer+".") {
			tbl.Writers = append(tbl.Writers, a)
		} else {
			tbl.Readers = append(tbl.Readers, a)
		}
	}
	rep.Table = tbl
	if st.writer == "" {
		rep.Checks = append(rep.Checks, checks.Result{ID: "routing", Status: checks.Fail, Code: "routing.no_writers",
			Summary: "database neo4j has no writer: the routing table lists no writers"})
		for _, id := range []string{"members", "access", "query"} {
			rep.Checks = append(rep.Checks, checks.Result{ID: id, Status: checks.Skip, Summary: "not run: routing failed"})
		}
		rep.Verdict, rep.ExitCode = checks.Fail, checks.ExitFailed
		return rep
	}
	rep.Checks = append(rep.Checks, checks.Result{ID: "routing", Status: checks.Pass, Summary: "database neo4j: 3 routers, 2 readers, 1 writer"})
	members := checks.Result{ID: "members", Status: checks.Pass}
	for _, a := range addrs {
		m := checks.Member{Address: a, Status: checks.Pass}
		if strings.HasPrefix(a, st.down+".") {
			m.Status = checks.Fail
			m.Checks = []checks.Result{{ID: "tcp", Status: checks.Fail, Code: "tcp.refused", Summary: "127.0.0.1:7687 refused the connection\x1b[2J"}}
			members.Status, members.Code, members.Summary = checks.Warn, "members.some_failed", "1 of 3 members unreachable: "+a
			rep.Verdict = checks.Warn
		}
		rep.Members = append(rep.Members, m)
	}
	rep.Checks = append(rep.Checks, members, checks.Result{ID: "access", Status: checks.Pass}, checks.Result{ID: "query", Status: checks.Pass})
	return rep
}

func healthyClusterTarget() checks.TargetInfo {
	return checks.TargetInfo{
		URI: "neo4j://core-0.neo4j-doctor.test:7687", Scheme: "neo4j", Host: "core-0.neo4j-doctor.test", Port: 7687,
		Username: "neo4j", PasswordSource: "NEO4J_PASSWORD",
		Settings: map[string]checks.Setting{
			"uri":      {Value: "neo4j://core-0.neo4j-doctor.test:7687", Source: "flag", From: "--uri"},
			"username": {Value: "neo4j", Source: "flag", From: "--username"},
			"password": {Source: "env", From: "NEO4J_PASSWORD"},
		},
	}
}

// renderWatch renders a watch of states, one second apart, ending a
// second after the last, in format.
func renderWatch(t *testing.T, format string, width int, interrupted bool, states ...watchState) []byte {
	t.Helper()
	var b bytes.Buffer
	r, ok := NewWatch(format, &b, Options{Tool: ToolInfo{Version: "1.0.0"}, Width: width})
	if !ok {
		t.Fatalf("no watch renderer for %s", format)
	}
	if err := r.Header(WatchHeader{Tool: ToolInfo{Version: "1.0.0"}, Target: healthyClusterTarget(), Interval: time.Second, For: time.Minute, Started: watchStart}); err != nil {
		t.Fatal(err)
	}
	tr := watch.NewTracker(watchStart)
	for i, st := range states {
		at := watchStart.Add(time.Duration(i) * time.Second)
		run := watch.Run{N: i + 1, Started: at, Elapsed: at.Sub(watchStart), Report: watchReport(st)}
		if err := r.Run(run, tr.Observe(run)); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Summary(tr.Summary(watchStart.Add(time.Duration(len(states))*time.Second), interrupted)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// leaderSwitch: writer core-0, an election, core-1 with core-2 down, all
// up, a slow run, back to usual, and an election still on at the end.
var leaderSwitch = []watchState{
	{writer: "core-0"}, {writer: "core-0"}, {}, {}, {writer: "core-1", down: "core-2"},
	{writer: "core-1"}, {writer: "core-1"}, {writer: "core-1"}, {writer: "core-1", took: 1200 * ms}, {writer: "core-1"}, {},
}

// TestWatchText: the header once, the first run in two lines, a line per
// change, the summary; no line wider than the width; server text cleaned.
func TestWatchText(t *testing.T) {
	for _, w := range []int{100, 80} {
		out := renderWatch(t, "text", w, true, leaderSwitch...)
		golden(t, "watch.w"+map[int]string{100: "100", 80: "80"}[w]+".txt", out)
		for i, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
			if n := len([]rune(l)); n > w && strings.Contains(strings.TrimSpace(l), " ") {
				t.Errorf("width %d: line %d is %d wide: %s", w, i+1, n, l)
			}
		}
		if bytes.Contains(out, []byte("\x1b")) {
			t.Errorf("an escape sequence reached the text:\n%s", out)
		}
	}
	out := string(renderWatch(t, "text", 100, false, watchState{writer: "core-0"}, watchState{writer: "core-0"}))
	for _, want := range []string{"watch ended after 2.0s: --for is over", "no writer  never", "leader     no change", "failures   none", "✓ pass — exit 0 (healthy), the worst of 2 runs"} {
		if !strings.Contains(out, want) {
			t.Errorf("a healthy watch lacks %q:\n%s", want, out)
		}
	}
}

// TestWatchJSON: one object per line, each valid against the watch
// schema; a start, the changes in order, a summary with the figures.
func TestWatchJSON(t *testing.T) {
	out := renderWatch(t, "json", 0, true, leaderSwitch...)
	golden(t, "watch.jsonl", out)
	lines := bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n"))
	var types, kinds []string
	for i, l := range lines {
		if err := schemacheck.Validate(l, WatchSchemaJSON, SchemaJSON); err != nil {
			t.Errorf("line %d: %v\n%s", i+1, err, l)
		}
		var head struct{ Type, Kind string }
		if err := json.Unmarshal(l, &head); err != nil {
			t.Fatal(err)
		}
		types = append(types, head.Type)
		if head.Kind == "writer" || head.Kind == "latency" {
			kinds = append(kinds, head.Kind)
		}
	}
	if types[0] != "start" || types[len(types)-1] != "summary" || slices.Contains(types[1:len(types)-1], "start") || slices.Contains(types[1:len(types)-1], "summary") {
		t.Errorf("types %q: want start, changes, summary", types)
	}
	if want := []string{"writer", "writer", "writer", "latency", "latency", "writer"}; !slices.Equal(kinds, want) {
		t.Errorf("writer and latency changes %q, want %q", kinds, want)
	}
	var sum struct {
		Runs            int
		Ended           string
		NoWriterWindows []struct {
			Open       bool
			DurationMs float64
			From, To   *string
		}
		LeaderChanges []struct{ From, To string }
		ExitCode      int
	}
	if err := json.Unmarshal(lines[len(lines)-1], &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Runs != 11 || sum.Ended != "interrupted" || sum.ExitCode != 1 || len(sum.NoWriterWindows) != 2 || len(sum.LeaderChanges) != 1 {
		t.Fatalf("summary %+v", sum)
	}
	if w := sum.NoWriterWindows[0]; w.Open || w.DurationMs != 2000 || *w.From != "core-0.neo4j-doctor.test:7687" || *w.To != "core-1.neo4j-doctor.test:7687" {
		t.Errorf("first window %+v", w)
	}
	if w := sum.NoWriterWindows[1]; !w.Open || w.DurationMs != 1000 || w.To != nil {
		t.Errorf("open window %+v", w)
	}
}

// TestWatchSchemaRefuses: the schema is closed and typed, so it catches
// a renderer that drifts.
func TestWatchSchemaRefuses(t *testing.T) {
	for _, doc := range []string{
		`{"type":"change","kind":"writer","run":1,"at":"2026-12-01T14:03:05Z","elapsedMs":0,"from":null,"to":null,"noWriterMs":null,"extra":1}`,
		`{"type":"change","kind":"weather","run":1,"at":"2026-12-01T14:03:05Z","elapsedMs":0}`,
		`{"type":"change","kind":"member","run":1,"at":"2026-12-01T14:03:05Z","elapsedMs":0,"address":"a:1","from":null,"to":"sideways","check":null,"code":null,"summary":null}`,
		`{"type":"summary"}`,
	} {
		if err := schemacheck.Validate([]byte(doc), WatchSchemaJSON, SchemaJSON); err == nil {
			t.Errorf("the schema accepts %s", doc)
		}
	}
}
