package checks_test

import (
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

func TestVersion44WarnsEndOfSupport(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j44()))
	rep := run(t, target{uri: s.URI("bolt")})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantCheck(t, rep, "version", checks.Warn, "Neo4j 4.4.40 is out of support", "4.4", "5.26 LTS")
	if v, _ := fact(r, "server agent"); v != "Neo4j/4.4.40" {
		t.Errorf("server agent fact %q", v)
	}
	if _, ok := fact(r, "offered by the server"); ok {
		t.Error("a legacy handshake has no offered list")
	}
	if firstNotPassing(rep).ID != "version" {
		t.Errorf("first warning is %s", firstNotPassing(rep).ID)
	}
}

func TestVersionEndOfLifeBolt(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]fixtures.Config{"4.2": fixtures.Neo4j42(), "3.5": fixtures.Neo4j35()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, withUsers(cfg))
			rep := run(t, target{uri: s.URI("bolt")})
			wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
			// The agent is known: the summary names the release and what
			// is wrong with it, the hint the way through 4.4.
			wantCheck(t, rep, "version", checks.Warn, "Neo4j "+name+".", "4.4 first")
			if r := result(t, rep, "version"); !strings.Contains(r.Summary, "is at end of life: 6.x drivers do not speak Bolt") || strings.Contains(r.Hints[0], "or older") {
				t.Errorf("version: summary %q, hint %q", r.Summary, r.Hints[0])
			}
		})
	}
}

// TestVersionManifestOfferedList: the server's whole list is shown either
// way when asked for (--verbose): pipelined it is read on the parallel
// listing connection. Only a
// connection that negotiated by the manifest gets protocol_version in
// HELLO's answer, so pipelined (HELLO sent before any choice) it is absent.
func TestVersionManifestOfferedList(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, withUsers(fixtures.Neo4j526()))
			rep := diagnosePipelined(t, target{uri: s.URI("bolt"), listVersions: true}, m.pipelining)
			wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
			r := wantCheck(t, rep, "version", checks.Pass, "Bolt 5.8, Neo4j/5.26.0")
			offered, ok := fact(r, "offered by the server")
			if !ok {
				t.Fatal("no offered-by-the-server fact from a manifest server")
			}
			// Ranges low to high (issue 19).
			if offered != "4.0–4.4, 5.0–5.4, 5.6–5.8" {
				t.Errorf("offered %q, want 4.0–4.4, 5.0–5.4, 5.6–5.8", offered)
			}
			want := map[bool]string{true: "", false: "5.8"}[m.pipelining]
			if v, _ := fact(r, "protocol_version"); v != want {
				t.Errorf("protocol_version fact %q, want %q", v, want)
			}
			if len(r.Hints) != 0 {
				t.Errorf("a current server gets hints: %q", r.Hints)
			}
		})
	}
}

func TestVersion2025OffersBolt6(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j2025()))
	rep := run(t, target{uri: s.URI("bolt"), listVersions: true})
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantCheck(t, rep, "version", checks.Pass, "Neo4j/2025.10.0")
	// Low to high: 6.0 last.
	if v, _ := fact(r, "offered by the server"); !strings.HasSuffix(v, ", 6.0") {
		t.Errorf("offered %q should list 6.0 last", v)
	}
}

// version runs after auth for the agent string, but needs only bolt: a
// failed login still gets the protocol judged.
func TestVersionRunsWhenAuthFails(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j44()))
	rep := run(t, target{uri: s.URI("bolt"), pass: "wrong"})
	wantCheck(t, rep, "auth", checks.Fail, "wrong username or password")
	r := result(t, rep, "version")
	if r.Status == checks.Skip {
		t.Fatalf("version skipped: %q", r.Summary)
	}
	if !strings.Contains(r.Summary, "Bolt 4.4") {
		t.Errorf("version summary %q", r.Summary)
	}
}
