package exporter_test

import (
	"html"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	tparse "text/template/parse"

	"github.com/neo4j-doctor/neo4j-doctor/exporter"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

// TestStatusPage: the page lists every target with its last result, and
// keeps the report of a failure after the target recovered, until newer
// failures push it out.
func TestStatusPage(t *testing.T) {
	t.Parallel()
	r := start(t, exporter.Config{KeepFailures: 2}, "healthy-single", "no-writers")

	_, page := r.get(t, "/", nil)
	for _, want := range []string{"healthy-single", "no-writers", "2 not probed yet", "No probe has failed"} {
		if !strings.Contains(page, want) {
			t.Errorf("fresh page lacks %q", want)
		}
	}

	// healthy-single fails with a wrong password, then recovers.
	right := r.pw.getenv("HEALTHY_SINGLE_PASSWORD")
	r.pw.set("healthy-single", "wrong-"+canary)
	r.probe(t, "healthy-single").must(t, "neo4j_doctor_probe_success", 0)
	r.pw.set("healthy-single", right)
	r.probe(t, "healthy-single").must(t, "neo4j_doctor_probe_success", 1)
	r.probe(t, "no-writers").must(t, "neo4j_doctor_probe_success", 0)

	_, page = r.get(t, "/", nil)
	text := html.UnescapeString(page)
	for _, want := range []string{
		"✓ 1 healthy", "✗ 1 failing",
		`<td class="badge pass" title="exit code 0">✓ pass</td>`, // healthy-single's row is its last probe
		"failing step <strong>auth</strong>",                     // its failure is kept
		"authentication failed",                                  // with the report
		"failing step <strong>routing</strong>",
		"the routing table lists no writers",
		`href="probe?target=no-writers&amp;debug=true"`,
	} {
		if !strings.Contains(page, want) && !strings.Contains(text, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Index(page, "failing step <strong>routing</strong>") > strings.Index(page, "failing step <strong>auth</strong>") {
		t.Error("failures are not newest first")
	}

	// A third failure pushes the oldest out (KeepFailures: 2).
	r.probe(t, "no-writers")
	_, page = r.get(t, "/", nil)
	if strings.Contains(page, "failing step <strong>auth</strong>") {
		t.Error("the oldest failure is still kept past KeepFailures")
	}
	if n := strings.Count(page, "failing step <strong>routing</strong>"); n != 2 {
		t.Errorf("%d no-writers failures kept, want 2", n)
	}
}

// TestStatusPageWarning: a target that warns (a dead reader, every role
// still served) is healthy, and its row carries the text report's warning
// mark "!", not the "✓" of a pass.
func TestStatusPageWarning(t *testing.T) {
	t.Parallel()
	r := start(t, exporter.Config{}, "partial-outage", "healthy-single")
	r.probe(t, "partial-outage").must(t, "neo4j_doctor_probe_success", 1)
	r.probe(t, "healthy-single").must(t, "neo4j_doctor_probe_success", 1)
	_, page := r.get(t, "/", nil)
	for _, want := range []string{
		`<td class="badge warn" title="exit code 0">! warn</td>`,
		`<td class="badge pass" title="exit code 0">✓ pass</td>`,
		"✓ 2 healthy", "✗ 0 failing",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "✓ warn") {
		t.Error(`a warning shows as "✓ warn"`)
	}
}

// TestStatusPageEscapes: what a server sends (here its agent string) is
// text on the page, never markup.
func TestStatusPageEscapes(t *testing.T) {
	t.Parallel()
	cfg := fixtures.Neo4j526()
	cfg.Agent = "Neo4j/5.26.0<script>alert(1)</script>"
	cfg.Users = map[string]string{"neo4j": canary}
	srv, err := fixtures.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	p := filepath.Join(t.TempDir(), "targets.yml")
	body := "targets:\n  - {name: hostile, uri: '" + srv.URI("bolt") + "', username: neo4j, passwordEnv: PW}\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	exp, err := exporter.New(exporter.Config{Path: p, Getenv: func(k string) string {
		if k == "PW" {
			return "wrong"
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{exp: exp, srv: httptest.NewServer(exp.Handler())}
	t.Cleanup(func() { r.srv.Client().CloseIdleConnections(); r.srv.Close() })
	r.probe(t, "hostile").must(t, "neo4j_doctor_probe_success", 0)
	_, page := r.get(t, "/", nil)
	if strings.Contains(page, "<script>") {
		t.Error("the server's agent string is markup on the page")
	}
	if n := strings.Count(page, "&lt;script&gt;alert(1)&lt;/script&gt;"); n < 2 {
		t.Errorf("the agent shows escaped %d times, want in the row and in the report", n)
	}
}

// TestStatusTemplateEscapesEveryOutput: the status page is text/template
// (see statusTemplate), so every action that prints must end in h or q,
// or server text (an agent, a message) would reach the page as HTML.
func TestStatusTemplateEscapesEveryOutput(t *testing.T) {
	tmpl := exporter.StatusTemplateForTest()
	var walk func(n tparse.Node)
	outputs := 0
	walk = func(n tparse.Node) {
		switch n := n.(type) {
		case *tparse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *tparse.ActionNode:
			outputs++
			cmds := n.Pipe.Cmds
			last := cmds[len(cmds)-1].Args[0]
			if id, ok := last.(*tparse.IdentifierNode); !ok || (id.Ident != "h" && id.Ident != "q") || len(n.Pipe.Decl) > 0 {
				t.Errorf("%s prints without h or q", n)
			}
		case *tparse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *tparse.RangeNode:
			walk(n.List)
			walk(n.ElseList)
		case *tparse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(tmpl.Tree.Root)
	if outputs < 20 {
		t.Fatalf("only %d printing actions found: the walk missed the page", outputs)
	}
}
