package checks_test

// Routing and clusters in depth: every server generation, every database
// (--all-databases), bolt:// against a cluster member. Each test runs a
// real fixture cluster on 127.0.0.1 and asserts what the user reads.

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// neo4j43 is a 4.3 server: the first with ROUTE, which then carried the
// database as a plain string.
func neo4j43() fixtures.Config {
	c := fixtures.Neo4j44()
	c.Agent = "Neo4j/4.3.24"
	c.Versions = []fixtures.Range{fixtures.R(4, 3, 0), fixtures.R(3, 0, 0)}
	return c
}

// routingRequests lists the database of every routing request s received:
// ROUTE messages, and RUNs of the routing procedures (whose database is a
// parameter the fixture does not record, so "?").
func routingRequests(s *fixtures.Server) []string {
	var out []string
	for _, rec := range s.Received() {
		for _, m := range rec.Messages {
			switch {
			case m.Name == "ROUTE":
				out = append(out, m.DB)
			case m.Name == "RUN" && strings.Contains(strings.ToLower(m.Query), "getroutingtable"):
				out = append(out, "?")
			}
		}
	}
	return out
}

// TestRoutingEveryGeneration diagnoses a healthy 3-member cluster of each
// server generation, for the home database and a named one, and checks
// that every member was asked for its table the way a driver of that
// generation asks: ROUTE from 4.3 (the database a string on 4.3, an extra
// map from 4.4), dbms.routing.getRoutingTable on system for 4.0-4.2,
// dbms.cluster.routing.getRoutingTable for 3.5.
func TestRoutingEveryGeneration(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		member  fixtures.Config
		method  string
		verdict checks.Status // 4.4 and older servers are out of support: version warns
		named   bool          // has named databases
	}{
		{"3.5 procedure", fixtures.Neo4j35(), "dbms.cluster.routing.getRoutingTable", checks.Warn, false},
		{"4.2 procedure", fixtures.Neo4j42(), "dbms.routing.getRoutingTable", checks.Warn, true},
		{"4.3 ROUTE", neo4j43(), "ROUTE", checks.Warn, true},
		{"4.4 ROUTE", fixtures.Neo4j44(), "ROUTE", checks.Warn, true},
		{"5.26 ROUTE", fixtures.Neo4j526(), "ROUTE", checks.Pass, true},
		{"2025.10 ROUTE", fixtures.Neo4j2025(), "ROUTE", checks.Pass, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := startCluster(t, 3, fixtures.ClusterConfig{Member: withMovies(tc.member)})
			dbs := []string{""}
			if tc.named {
				dbs = append(dbs, "movies")
			}
			for _, db := range dbs {
				rep := run(t, target{uri: c.URI("neo4j"), database: db})
				wantVerdict(t, rep, tc.verdict, checks.ExitHealthy)
				r := wantCheck(t, rep, "routing", checks.Pass, "3 routers, 2 readers, 1 writer")
				if v, _ := fact(r, "fetched with"); v != tc.method {
					t.Errorf("db %q: fetched with %q, want %s", db, v, tc.method)
				}
				m := wantCheck(t, rep, "members", checks.Pass, "all 3 members reachable")
				if v, _ := fact(m, "router views"); v != "3 asked, all agree with the server in your URI" {
					t.Errorf("db %q: router views %q", db, v)
				}
				q := wantCheck(t, rep, "query", checks.Pass, "RETURN 1 returned 1")
				if db != "" && !strings.Contains(q.Summary, "on database movies") {
					t.Errorf("query %q did not run on movies", q.Summary)
				}
			}
			// Every member is a router, so each got one routing request per
			// run: member 0 the seed's, which is its own view, the others
			// from the members check.
			for i, s := range c.Members {
				got := routingRequests(s)
				want := len(dbs)
				if len(got) != want {
					t.Errorf("member %d got routing requests %q, want %d", i, got, want)
				}
				if tc.method == "ROUTE" && tc.named && !strings.Contains(strings.Join(got, ","), "movies") {
					t.Errorf("member %d was never asked for movies: %q", i, got)
				}
			}
		})
	}
}

func TestRoutingClusterDatabaseNotFound(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{})
	rep := run(t, target{uri: c.URI("neo4j"), database: "movies"})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "routing", checks.Fail, "database movies does not exist", "SHOW DATABASES lists neo4j, system")
	// What does exist, so a typo is obvious.
	if v, _ := fact(r, "databases that exist"); v != "neo4j, system" {
		t.Errorf("databases that exist: %q", v)
	}
	wantStatuses(t, rep, map[string]checks.Status{"members": checks.Skip, "query": checks.Skip})
}

// A database that is offline on every member: routing fails with the
// server's DatabaseUnavailable, and SHOW DATABASES says why.
func TestRoutingClusterDatabaseOffline(t *testing.T) {
	t.Parallel()
	member := withUsers(fixtures.Neo4j526())
	member.Databases = []fixtures.Database{{Name: "neo4j"}, {Name: "system"}, {Name: "movies", Offline: true}}
	c := startCluster(t, 3, fixtures.ClusterConfig{Member: member})
	rep := run(t, target{uri: c.URI("neo4j"), database: "movies"})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "routing", checks.Fail, "database movies is offline on 3 of 3 servers: an administrator stopped it", "`START DATABASE movies`")
	if v, _ := fact(r, "database movies"); !strings.HasPrefix(v, "offline on 3 of 3 servers") {
		t.Errorf("database movies fact %q", v)
	}
	if v, _ := evidence(r, "code"); v != "Neo.TransientError.General.DatabaseUnavailable" {
		t.Errorf("code %q", v)
	}
}

// allDatabases resolves tg with --all-databases.
func allDatabases(t *testing.T, tg target) *checks.Report {
	t.Helper()
	tt := resolve(t, tg)
	tt.AllDatabases = true
	return diagnose(t, tt, nil)
}

// TestRoutingAllDatabases: every database the user can see, with its
// status, where it takes writes and its own table; an offline database
// that was not asked for is a warning with the command that starts it.
func TestRoutingAllDatabases(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		member fixtures.Config
	}{
		{"5.26", fixtures.Neo4j526()},
		{"4.4", fixtures.Neo4j44()},
		{"4.2", fixtures.Neo4j42()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			member := withUsers(tc.member)
			member.Databases = []fixtures.Database{{Name: "neo4j"}, {Name: "system"}, {Name: "movies"}, {Name: "archive", Offline: true}}
			c := startCluster(t, 3, fixtures.ClusterConfig{Member: member})
			writer := c.Members[0].Addr()
			rep := allDatabases(t, target{uri: c.URI("neo4j")})
			wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
			r := wantCheck(t, rep, "routing", checks.Warn, "; 1 of the 3 other databases has a problem: archive (offline)",
				"`START DATABASE archive`")
			if v, _ := fact(r, "databases"); v != "4 visible to neo4j (SHOW DATABASES)" {
				t.Errorf("databases fact %q", v)
			}
			for db, want := range map[string]string{
				"neo4j":   "online; home; writer " + writer + "; table 3 routers, 2 readers, 1 writer, ttl 300s",
				"movies":  "online; writer " + writer + "; table 3 routers, 2 readers, 1 writer, ttl 300s",
				"system":  "online; ",
				"archive": "offline on 3 of 3 servers",
			} {
				if v, _ := fact(r, "database "+db); !strings.HasPrefix(v, want) {
					t.Errorf("database %s: %q, want it to start with %q", db, v, want)
				}
			}
			if v, _ := fact(r, "database archive"); strings.Contains(v, "writer") {
				t.Errorf("database archive %q: a stopped database has no writer", v)
			}
			// The database the user asked for is fine, so the rest of the
			// diagnosis runs.
			wantStatuses(t, rep, map[string]checks.Status{"members": checks.Pass, "query": checks.Pass})
			// One table per online database that was not the seed's: movies
			// and system, on the seed.
			if got := len(routingRequests(c.Members[0])); got < 3 {
				t.Errorf("the seed got %d routing requests, want the seed's own and one per other online database", got)
			}
			assertRenders(t, rep, "database archive", "offline on 3 of 3 servers", "START DATABASE archive")
		})
	}
}

// Without --all-databases nothing but the requested database is asked for.
func TestRoutingAllDatabasesOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{Member: withMovies(fixtures.Neo4j526())})
	rep := run(t, target{uri: c.URI("neo4j")})
	r := wantCheck(t, rep, "routing", checks.Pass, "database neo4j: 3 routers")
	if _, ok := fact(r, "databases"); ok {
		t.Error("databases listed without --all-databases")
	}
	// The access check's SHOW DATABASES rides the first flight; the
	// routing check sends none of its own.
	shows := 0
	for _, m := range messages(c.Members[0], "RUN") {
		if strings.EqualFold(m.Query, "SHOW DATABASES") {
			shows++
		}
	}
	if shows != 1 {
		t.Errorf("SHOW DATABASES sent %d times without --all-databases, want once (the access check's)", shows)
	}
	if got := routingRequests(c.Members[0]); len(got) != 1 {
		t.Errorf("the seed got routing requests %q, want 1 (its table, which is its own view)", got)
	}
}

// A database whose own table has no writer: reads work, writes do not.
func TestRoutingAllDatabasesNoWriterInOne(t *testing.T) {
	t.Parallel()
	s := startOnOwnPort(t, func(addr string) fixtures.Config {
		cfg := withUsers(fixtures.Neo4j526())
		cfg.Databases = []fixtures.Database{{Name: "neo4j"}, {Name: "system"},
			{Name: "movies", Routing: &fixtures.RoutingTable{Routers: []string{addr}, Readers: []string{addr}}}}
		return cfg
	})
	rep := allDatabases(t, target{uri: s.URI("neo4j")})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantCheck(t, rep, "routing", checks.Warn, "movies (the routing table lists no writers", "database movies: check that a majority of the primaries is up")
	if v, _ := fact(r, "database movies"); !strings.Contains(v, "0 writers") {
		t.Errorf("database movies %q", v)
	}
}

// A quarantined database: the fix names the procedure of the server's
// generation (5.26: dbms.quarantineDatabase; dbms.unquarantineDatabase
// is 2025.01's), and the server's reason is in the evidence.
func TestRoutingAllDatabasesQuarantined(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.Queries = map[string]fixtures.Result{"SHOW DATABASES": {
		Fields: []string{"name", "address", "role", "writer", "requestedStatus", "currentStatus", "statusMessage", "home"},
		Records: [][]any{
			{"neo4j", "db:7687", "primary", true, "online", "online", "", true},
			{"sales", "db:7687", "primary", false, "online", "quarantined", "Disk full while applying a transaction", false},
		},
	}}
	s := startServer(t, cfg)
	rep := allDatabases(t, target{uri: s.URI("neo4j")})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantCheck(t, rep, "routing", checks.Warn, "sales (quarantined)", "`CALL dbms.quarantineDatabase('sales', false)` on the server that holds the quarantined copy")
	if anyContains(r.Hints, "unquarantineDatabase") {
		t.Errorf("a 5.26 hint names 2025's procedure: %q", r.Hints)
	}
	if v, _ := evidence(r, "sales status message"); v != "Disk full while applying a transaction" {
		t.Errorf("status message evidence %q", v)
	}
	if v, _ := fact(r, "database sales"); !strings.HasPrefix(v, "quarantined on 1 of 1 servers") {
		t.Errorf("database sales %q", v)
	}
}

func TestRoutingAllDatabasesNotPermitted(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.Queries = map[string]fixtures.Result{"SHOW DATABASES": {Failure: &fixtures.Failure{
		Code: "Neo.ClientError.Security.Forbidden", Message: "Database access is not allowed for user 'neo4j' with roles [PUBLIC].",
	}}}
	s := startServer(t, cfg)
	rep := allDatabases(t, target{uri: s.URI("neo4j")})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	// SHOW DATABASES needs no ACCESS on system; what it lists is filtered
	// by ACCESS on each database.
	r := wantCheck(t, rep, "routing", checks.Warn, "database neo4j: 1 router", "`GRANT ACCESS ON DATABASE * TO <role>`")
	if anyContains(r.Hints, "ON DATABASE system") {
		t.Errorf("hints %q grant ACCESS on system", r.Hints)
	}
	if v, _ := evidence(r, "SHOW DATABASES"); !strings.Contains(v, "Security.Forbidden") {
		t.Errorf("evidence %q", v)
	}
	// The connection is fine after the failure: the query check runs on it.
	wantCheck(t, rep, "query", checks.Pass, "RETURN 1 returned 1")
}

func TestRoutingAllDatabasesBolt3(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{Member: withUsers(fixtures.Neo4j35())})
	rep := allDatabases(t, target{uri: c.URI("neo4j")})
	r := wantCheck(t, rep, "routing", checks.Pass, "3 routers")
	if v, _ := fact(r, "all databases"); !strings.Contains(v, "single database") {
		t.Errorf("all databases fact %q", v)
	}
	wantCheck(t, rep, "query", checks.Pass, "RETURN 1 returned 1")
}

// bolt:// to a cluster member bypasses routing: said, with the neo4j://
// URI to use; to a reader, that writes fail there.
func TestRoutingDirectToClusterMember(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		member fixtures.Config
	}{
		{"5.26", fixtures.Neo4j526()},
		{"4.2", fixtures.Neo4j42()},
		{"3.5", fixtures.Neo4j35()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := startCluster(t, 3, fixtures.ClusterConfig{Member: withUsers(tc.member)})
			reader := c.Members[1]
			rep := run(t, target{uri: reader.URI("bolt")})
			wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
			r := wantCheck(t, rep, "routing", checks.Warn, "bolt:// bypasses routing, and this server is not the writer", "neo4j://"+reader.Addr())
			if v, _ := fact(r, "this server"); v != reader.Addr()+" (READ, ROUTE)" {
				t.Errorf("this server %q", v)
			}
			wantCheck(t, rep, "members", checks.Skip, "connects directly")
			wantCheck(t, rep, "query", checks.Pass, "RETURN 1 returned 1")

			rep = run(t, target{uri: c.Members[0].URI("bolt")})
			wantCheck(t, rep, "routing", checks.Warn, "bypasses routing: this server is one of 3 cluster members", "neo4j://")
		})
	}
	t.Run("3.5 standalone", func(t *testing.T) {
		t.Parallel()
		// No routing procedure at all: bolt:// is simply right, and the
		// failed probe leaves the connection usable.
		s := startServer(t, withUsers(fixtures.Neo4j35()))
		rep := run(t, target{uri: s.URI("bolt")})
		wantCheck(t, rep, "routing", checks.Skip, "connects directly")
		wantCheck(t, rep, "query", checks.Pass, "RETURN 1 returned 1")
	})
}

// assertRenders renders rep as text and as JSON, validates the JSON
// against the schema, and checks that both carry each of want.
func assertRenders(t *testing.T, rep *checks.Report, want ...string) {
	t.Helper()
	var text, js bytes.Buffer
	if err := report.Text(&text, rep, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := report.JSON(&js, rep, report.ToolInfo{Name: "neo4j-doctor", Version: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := contract.Report(js.Bytes()); err != nil {
		t.Errorf("JSON report: %v", err)
	}
	// Every string of the document, decoded, so escaping does not matter.
	var doc any
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var strs []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			strs = append(strs, v)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
	for _, w := range want {
		if !strings.Contains(text.String(), w) {
			t.Errorf("text report lacks %q:\n%s", w, text.String())
		}
		if !anyContains(strs, w) {
			t.Errorf("JSON report lacks %q", w)
		}
	}
	if strings.Contains(text.String()+js.String(), testPass) {
		t.Error("the password is in the report")
	}
}
