package checks_test

import (
	"slices"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

func TestQueryReturnOne(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.Edition = "community"
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("neo4j")})
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantCheck(t, rep, "query", checks.Pass, "RETURN 1 returned 1 on database neo4j")
	if v, _ := fact(r, "database"); v != "neo4j" {
		t.Errorf("database fact %q", v)
	}
	if v, _ := fact(r, "Neo4j Kernel"); !containsFold(v, "5.26.0") || !containsFold(v, "community") {
		t.Errorf("edition fact %q", v)
	}
	// The access check's RETURN 1 names no database (it rides the
	// login); the query check's names the one the routing table gave.
	runs := messages(s, "RUN")
	if i := slices.IndexFunc(runs, func(m fixtures.Message) bool { return m.Query == "RETURN 1" && m.DB == "neo4j" }); i < 0 {
		t.Errorf("RUN messages %+v, want RETURN 1 on database neo4j", runs)
	}
}

func TestQueryFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		result  fixtures.Result
		summary string
		hint    string
	}{
		{"credentials expired", fixtures.Result{Failure: &fixtures.Failure{
			Code:    "Neo.ClientError.Security.CredentialsExpired",
			Message: "Permission denied. The credentials you provided were valid, but must be changed before you can use this instance.",
		}}, "password has expired", "ALTER CURRENT USER"},
		{"forbidden", fixtures.Result{Failure: &fixtures.Failure{
			Code: "Neo.ClientError.Security.Forbidden", Message: "Read operations are not allowed for user 'neo4j'.",
		}}, "may not read", "grant"},
		{"unexpected server error", fixtures.Result{Failure: &fixtures.Failure{
			Code: "Neo.DatabaseError.General.UnknownError", Message: "boom",
		}}, "Neo.DatabaseError.General.UnknownError", "server's message"},
		{"wrong answer", fixtures.Result{Fields: []string{"1"}, Records: [][]any{{int64(2)}}}, "RETURN 1 returned", "proxy"},
		{"no record", fixtures.Result{Fields: []string{"1"}}, "RETURN 1 returned", "proxy"},
	}
	// On bolt:// the queries ride with HELLO when pipelined, and with the
	// HELLO write when sequential: the verdict is the query check's either
	// way, and the same.
	for _, c := range cases {
		for _, m := range modes {
			t.Run(c.name+", "+m.name, func(t *testing.T) {
				t.Parallel()
				cfg := withUsers(fixtures.Neo4j526())
				cfg.Queries = map[string]fixtures.Result{"RETURN 1": c.result}
				s := startServer(t, cfg)
				rep := diagnosePipelined(t, target{uri: s.URI("bolt")}, m.pipelining)
				wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
				wantCheck(t, rep, "auth", checks.Pass, "authenticated as")
				wantCheck(t, rep, "query", checks.Fail, c.summary, c.hint)
				if firstNotPassing(rep).ID != "query" {
					t.Errorf("first problem is %s", firstNotPassing(rep).ID)
				}
			})
		}
	}
}

func TestQueryDatabaseOnBolt(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, withUsers(fixtures.Neo4j526()))
			rep := diagnosePipelined(t, target{uri: s.URI("bolt"), database: "movies"}, m.pipelining)
			wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
			wantCheck(t, rep, "auth", checks.Pass, "")
			wantCheck(t, rep, "query", checks.Fail, "database movies does not exist", "`SHOW DATABASES`")
		})
	}
}

func TestQueryDatabaseUnavailableOnBolt(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			cfg := withUsers(fixtures.Neo4j526())
			cfg.Databases = []fixtures.Database{{Name: "neo4j", Offline: true}, {Name: "system"}}
			s := startServer(t, cfg)
			rep := diagnosePipelined(t, target{uri: s.URI("bolt")}, m.pipelining)
			wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
			wantCheck(t, rep, "auth", checks.Pass, "")
			wantCheck(t, rep, "query", checks.Fail, "the home database is unavailable", "`START DATABASE <db>`")
		})
	}
}

// dbms.components() is a bonus: a user without procedure rights still has
// a healthy connection.
func TestQueryComponentsRefusedStillPasses(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			cfg := withUsers(fixtures.Neo4j526())
			cfg.Queries = map[string]fixtures.Result{"CALL dbms.components()": {Failure: &fixtures.Failure{
				Code: "Neo.ClientError.Security.Forbidden", Message: "Executing procedure is not allowed for user 'neo4j'.",
			}}}
			s := startServer(t, cfg)
			rep := diagnosePipelined(t, target{uri: s.URI("bolt")}, m.pipelining)
			wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
			r := wantCheck(t, rep, "query", checks.Pass, "RETURN 1 returned 1")
			if _, ok := fact(r, "Neo4j Kernel"); ok {
				t.Error("edition fact without dbms.components()")
			}
		})
	}
}

// TestQueryPeerBreaksOnRun: a server that logs in and answers ROUTE, then
// goes silent or closes on RUN. The queries went out with HELLO, but
// their answers are the query check's to wait for: auth passes, the query
// check fails naming what the peer did, within 2 × --timeout.
func TestQueryPeerBreaksOnRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		stall         bool
		exit          int
		summary, hint string
	}{
		{"stall", true, checks.ExitNoResponse, "stopped answering: nothing came back to RUN in 1s", ""},
		{"close", false, checks.ExitFailed, "closed the connection during RUN", "debug.log"},
	} {
		for _, m := range modes {
			t.Run(tc.name+", "+m.name, func(t *testing.T) {
				t.Parallel()
				cfg := withUsers(fixtures.Neo4j526())
				if tc.stall {
					cfg.StallOn = "RUN"
				} else {
					cfg.CloseOn = "RUN"
				}
				s := startServer(t, cfg)
				tt := resolve(t, target{uri: s.URI("bolt"), timeout: hostileTimeout})
				tt.NoPipelining = !m.pipelining
				start := time.Now()
				rep := diagnose(t, tt, nil)
				if took := time.Since(start); took > 2*hostileTimeout {
					t.Errorf("the diagnosis took %s, over 2 × the %s timeout", took, hostileTimeout)
				}
				wantVerdict(t, rep, checks.Fail, tc.exit)
				wantCheck(t, rep, "auth", checks.Pass, "authenticated as "+testUser)
				wantCheck(t, rep, "routing", checks.Skip, "standalone server")
				wantCheck(t, rep, "query", checks.Fail, "RETURN 1 failed: the server "+tc.summary, tc.hint)
				if f := firstFailing(rep); f.ID != "query" {
					t.Errorf("the first check that fails is %s (%s), want query", f.ID, f.Summary)
				}
			})
		}
	}
}

// Neo4j 3.5 has no named databases and drivers refuse to select one over
// Bolt 3 ("multi-database requires at least server v4"): a --database the
// server cannot honour must not pass as if RETURN 1 ran there.
func TestQueryDatabaseOnBolt3IsNotAPass(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j35()))
	c := startCluster(t, 3, fixtures.ClusterConfig{Member: withUsers(fixtures.Neo4j35())})
	for name, uri := range map[string]string{"bolt://": s.URI("bolt"), "neo4j:// cluster": c.URI("neo4j")} {
		t.Run(name, func(t *testing.T) {
			rep := run(t, target{uri: uri, database: "movies"})
			var named bool
			for _, r := range rep.Checks {
				if r.Status == checks.Fail && (containsFold(r.Summary, "database") || anyContains(r.Hints, "database")) {
					named = true
				}
			}
			if rep.Verdict != checks.Fail || !named {
				t.Errorf("BUG: --database movies against Neo4j 3.5 (Bolt 3) gives %s (routing %q, query %q); "+
					"want a failure saying databases need Neo4j 4.0+", rep.Verdict, result(t, rep, "routing").Summary, result(t, rep, "query").Summary)
			}
		})
	}
}
