package checks_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

// messages returns every request of a given name the server received.
func messages(s *fixtures.Server, name string) []fixtures.Message {
	var out []fixtures.Message
	for _, rec := range s.Received() {
		for _, m := range rec.Messages {
			if m.Name == name {
				out = append(out, m)
			}
		}
	}
	return out
}

func withMovies(c fixtures.Config) fixtures.Config {
	c.Databases = []fixtures.Database{{Name: "neo4j"}, {Name: "system"}, {Name: "movies"}}
	return withUsers(c)
}

func TestRoutingRoute44WithDatabase(t *testing.T) {
	t.Parallel()
	s := startServer(t, withMovies(fixtures.Neo4j44()))
	rep := run(t, target{uri: s.URI("neo4j"), database: "movies"})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy) // 4.4 is out of support
	r := wantCheck(t, rep, "routing", checks.Pass, "database movies: 1 router, 1 reader, 1 writer")
	for name, want := range map[string]string{"fetched with": "ROUTE", "database": "movies", "ttl": "300s", "writers": s.Addr()} {
		if v, _ := fact(r, name); v != want {
			t.Errorf("fact %s = %q, want %q", name, v, want)
		}
	}
	// 4.4's ROUTE carries the database in an extra map, not as a string:
	// one ROUTE from the seed, which is also its only router's own view.
	routes := messages(s, "ROUTE")
	if len(routes) != 1 || routes[0].DB != "movies" {
		t.Errorf("ROUTE messages %+v, want one for movies", routes)
	}
	wantCheck(t, rep, "query", checks.Pass, "on database movies")
	for _, m := range messages(s, "RUN") {
		if m.Query == "RETURN 1" && m.DB != "movies" {
			t.Errorf("RETURN 1 ran on %q", m.DB)
		}
	}
}

func TestRoutingRouteHomeDatabase(t *testing.T) {
	t.Parallel()
	cfg := withMovies(fixtures.Neo4j526())
	cfg.HomeDatabase = "movies"
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("neo4j")})
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantCheck(t, rep, "routing", checks.Pass, "database movies:")
	if v, _ := fact(r, "database"); v != "movies" {
		t.Errorf("database fact %q: the table's rt.db names the home database", v)
	}
	wantCheck(t, rep, "query", checks.Pass, "RETURN 1 returned 1 on database movies")
}

func TestRoutingProcedure42(t *testing.T) {
	t.Parallel()
	s := startServer(t, withMovies(fixtures.Neo4j42()))
	for _, db := range []string{"", "movies"} {
		t.Run("db="+db, func(t *testing.T) {
			rep := run(t, target{uri: s.URI("neo4j"), database: db})
			wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
			r := wantCheck(t, rep, "routing", checks.Pass, "1 router, 1 reader, 1 writer")
			if v, _ := fact(r, "fetched with"); v != "dbms.routing.getRoutingTable" {
				t.Errorf("fetched with %q", v)
			}
			wantStatuses(t, rep, map[string]checks.Status{"members": checks.Pass, "query": checks.Pass})
		})
	}
	var calls int
	for _, m := range messages(s, "RUN") {
		if strings.Contains(strings.ToLower(m.Query), "dbms.routing.getroutingtable") {
			calls++
			if m.DB != "system" {
				t.Errorf("the routing procedure ran on %q, want system", m.DB)
			}
		}
	}
	// Per run: the seed's call alone. The seed is the only router, and
	// its view is the table it gave: the members check asks it nothing.
	if calls != 2 {
		t.Errorf("routing procedure called %d times, want 2", calls)
	}
	if len(messages(s, "ROUTE")) != 0 {
		t.Error("ROUTE sent to a 4.2 server")
	}
}

func TestRouting35Standalone(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j35()))
	rep := run(t, target{uri: s.URI("neo4j")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "routing", checks.Fail, "not a cluster", "bolt://"+s.Addr())
	if v, _ := evidence(r, "code"); v != "Neo.ClientError.Procedure.ProcedureNotFound" {
		t.Errorf("code evidence %q", v)
	}
	if v, _ := fact(r, "fetched with"); v != "dbms.cluster.routing.getRoutingTable" {
		t.Errorf("fetched with %q", v)
	}
	// The stop-gap the hint names works.
	rep = run(t, target{uri: "bolt://" + s.Addr()})
	wantCheck(t, rep, "query", checks.Pass, "RETURN 1 returned 1")
}

func TestRouting35Cluster(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{Member: withUsers(fixtures.Neo4j35())})
	rep := run(t, target{uri: c.URI("neo4j")})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy) // Bolt 3 is end of life
	r := wantCheck(t, rep, "routing", checks.Pass, "3 routers, 2 readers, 1 writer")
	if v, _ := fact(r, "fetched with"); v != "dbms.cluster.routing.getRoutingTable" {
		t.Errorf("fetched with %q", v)
	}
	wantStatuses(t, rep, map[string]checks.Status{"members": checks.Pass, "query": checks.Pass})
	if len(rep.Members) != 3 {
		t.Errorf("%d members", len(rep.Members))
	}
}

func TestRoutingDatabaseNotFound(t *testing.T) {
	t.Parallel()
	for _, cfg := range []func() fixtures.Config{fixtures.Neo4j526, fixtures.Neo4j44, fixtures.Neo4j42} {
		c := cfg()
		t.Run(c.Agent, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, withUsers(c))
			rep := run(t, target{uri: s.URI("neo4j"), database: "movies"})
			wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
			r := wantCheck(t, rep, "routing", checks.Fail, "database movies does not exist", "SHOW DATABASES", "--database")
			if v, _ := evidence(r, "code"); v != "Neo.ClientError.Database.DatabaseNotFound" {
				t.Errorf("code evidence %q", v)
			}
			wantStatuses(t, rep, map[string]checks.Status{"members": checks.Skip, "query": checks.Skip})
		})
	}
}

func TestRoutingDatabaseUnavailable(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.Databases = []fixtures.Database{{Name: "neo4j", Offline: true}, {Name: "system"}}
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("neo4j")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	// SHOW DATABASES said why: its word is the summary, without a guess.
	r := wantCheck(t, rep, "routing", checks.Fail, "database neo4j is offline on 1 of 1 servers: an administrator stopped it", "`START DATABASE neo4j`")
	if strings.Contains(r.Summary, "may be") {
		t.Errorf("summary %q hedges although SHOW DATABASES answered", r.Summary)
	}
	if v, _ := evidence(r, "code"); v != "Neo.TransientError.General.DatabaseUnavailable" {
		t.Errorf("code evidence %q", v)
	}
}

func TestRoutingNoWriters(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{NoWriters: true})
	rep := run(t, target{uri: c.URI("neo4j")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "routing", checks.Fail, "no writers", "SHOW SERVERS", "majority")
	if v, _ := fact(r, "writers"); v != "(none)" {
		t.Errorf("writers fact %q", v)
	}
}

func TestRoutingNoReaders(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{NoReaders: true})
	rep := run(t, target{uri: c.URI("neo4j")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	wantCheck(t, rep, "routing", checks.Fail, "no readers", "SHOW DATABASES")
}

func TestRoutingNoRouters(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 2, fixtures.ClusterConfig{})
	tb := c.Table()
	tb.Routers = nil
	c.SetTable(tb)
	rep := run(t, target{uri: c.URI("neo4j")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	wantCheck(t, rep, "routing", checks.Fail, "no routers", "SHOW SERVERS")
}

func TestRoutingShortTTLWarns(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{TTL: 5})
	rep := run(t, target{uri: c.URI("neo4j")})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	wantCheck(t, rep, "routing", checks.Warn, "3 routers", "only 5s", "dbms.routing_ttl")
}

// procedureTable is a 4.x routing procedure answer; the fixture's ROUTE
// cannot send ttl 0 (0 means "the default" in its config), the canned
// procedure can.
func procedureTable(addr string, ttl int64, servers any) fixtures.Config {
	cfg := withUsers(fixtures.Neo4j42())
	if servers == nil {
		role := func(r string) map[string]any { return map[string]any{"role": r, "addresses": []any{addr}} }
		servers = []any{role("WRITE"), role("READ"), role("ROUTE")}
	}
	cfg.Queries = map[string]fixtures.Result{
		"CALL dbms.routing.getRoutingTable($context, $database)": {
			Fields: []string{"ttl", "servers"}, Records: [][]any{{ttl, servers}},
		},
	}
	return cfg
}

// startOnOwnPort starts a server whose config needs its own address, by
// reserving a port first.
func startOnOwnPort(t *testing.T, mk func(addr string) fixtures.Config) *fixtures.Server {
	t.Helper()
	port := closedPort(t)
	cfg := mk("127.0.0.1:" + port)
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Port = n
	return startServer(t, cfg)
}

func TestRoutingZeroTTLWarns(t *testing.T) {
	t.Parallel()
	s := startOnOwnPort(t, func(addr string) fixtures.Config { return procedureTable(addr, 0, nil) })
	rep := run(t, target{uri: s.URI("neo4j")})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantCheck(t, rep, "routing", checks.Warn, "1 router", "TTL is 0s", "before every transaction", "dbms.routing_ttl")
	if v, _ := fact(r, "ttl"); v != "0s" {
		t.Errorf("ttl fact %q", v)
	}
	wantStatuses(t, rep, map[string]checks.Status{"members": checks.Pass, "query": checks.Pass})
}

func TestRoutingMalformedTable(t *testing.T) {
	t.Parallel()
	s := startServer(t, procedureTable("", 300, "not a list"))
	rep := run(t, target{uri: s.URI("neo4j")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "routing", checks.Fail, "could not be read", "dbms.routing.getRoutingTable")
	if !strings.Contains(r.Error, "not a list") {
		t.Errorf("error %q", r.Error)
	}
}

func TestRoutingForbidden(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j42())
	cfg.Queries = map[string]fixtures.Result{
		"CALL dbms.routing.getRoutingTable($context, $database)": {Failure: &fixtures.Failure{
			Code: "Neo.ClientError.Security.Forbidden", Message: "Database access is not allowed for user 'neo4j' with roles [PUBLIC].",
		}},
	}
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("neo4j")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	wantCheck(t, rep, "routing", checks.Fail, "user neo4j may not access the home database", "`GRANT ACCESS ON DATABASE <db> TO <role>`")
}

func TestRoutingDuplicateAndPortlessEntriesWarn(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 2, fixtures.ClusterConfig{})
	a0, a1 := c.Members[0].Addr(), c.Members[1].Addr()
	c.SetTable(fixtures.RoutingTable{
		Routers: []string{a0, a1, a1},
		Writers: []string{a0},
		Readers: []string{a1, "core-9-without-port"},
	})
	rep := run(t, target{uri: c.URI("neo4j")})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantCheck(t, rep, "routing", checks.Warn, "2 routers, 1 reader, 1 writer", "server.bolt.advertised_address")
	var problems []string
	for _, e := range r.Evidence {
		if e.Name == "problem" {
			problems = append(problems, e.Value)
		}
	}
	if len(problems) != 2 || !anyContains(problems, "listed twice") || !anyContains(problems, "core-9-without-port") {
		t.Errorf("problems %q", problems)
	}
	wantCheck(t, rep, "members", checks.Pass, "all 2 members")
}

func TestRoutingSkippedForBoltAndQueryStillRuns(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	rep := run(t, target{uri: s.URI("bolt")})
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantCheck(t, rep, "routing", checks.Skip, "connects directly to a standalone server")
	if len(r.Hints) != 0 {
		t.Errorf("hints for a standalone server: %q", r.Hints)
	}
	wantCheck(t, rep, "members", checks.Skip, "connects directly")
	wantCheck(t, rep, "query", checks.Pass, "RETURN 1 returned 1 on database neo4j")
	// One ROUTE tells a standalone server from a cluster member; nothing
	// else of routing is sent.
	if n := len(messages(s, "ROUTE")); n != 1 {
		t.Errorf("bolt:// sent %d ROUTE messages, want 1", n)
	}
	if len(rep.Members) != 0 || rep.Members == nil {
		t.Errorf("Members %#v, want empty and non-nil", rep.Members)
	}
}

// A hostile or broken server's table must not turn into an unbounded
// report: the evidence of a table of 100,000 bad entries stays readable.
func TestRoutingHostileTableKeepsTheReportBounded(t *testing.T) {
	t.Parallel()
	const n = 100_000
	addrs := make([]any, n)
	for i := range addrs {
		addrs[i] = "c" + strconv.Itoa(i) // no port: every entry is a problem
	}
	s := startOnOwnPort(t, func(addr string) fixtures.Config {
		servers := []any{
			map[string]any{"role": "WRITE", "addresses": []any{addr}},
			map[string]any{"role": "READ", "addresses": []any{addr}},
			map[string]any{"role": "ROUTE", "addresses": append([]any{addr}, addrs...)},
		}
		return procedureTable(addr, 300, servers)
	})
	rep := run(t, target{uri: s.URI("neo4j")})
	r := wantCheck(t, rep, "routing", checks.Warn, "1 router", "advertised_address")
	if len(r.Evidence) > 2*1024 {
		t.Errorf("BUG: the routing check carries %d evidence lines for one hostile table (routing.Parse caps addresses at MaxAddresses but not Problems)", len(r.Evidence))
	}
}
