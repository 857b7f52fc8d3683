package checks

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/generation"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

// rmWant is what a user sees of one judged result: status, code, a key
// phrase of the summary and of the first hint ("" = no hints at all).
type rmWant struct {
	status        Status
	code          string
	summary, hint string
}

// rmCase is one judged outcome, built by hand.
type rmCase struct {
	name  string
	judge func() Result
	want  rmWant
	// more checks anything else the case is about: facts, evidence, the
	// hints after the first.
	more func(t *testing.T, res Result)
}

// rmRun judges every case against codes, the check's declared codes, and
// checks that the cases cover every one of them.
func rmRun(t *testing.T, codes []Code, cases []rmCase) {
	t.Helper()
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.want.code] = true
	}
	for _, c := range codes {
		if !covered[c.ID] {
			t.Errorf("declared code %s is covered by no case", c.ID)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := c.judge()
			rmAssert(t, codes, res, c.want)
			if c.more != nil && !t.Failed() {
				c.more(t, res)
			}
		})
	}
}

func rmAssert(t *testing.T, codes []Code, res Result, w rmWant) {
	t.Helper()
	if res.Status != w.status || res.Code != w.code {
		t.Fatalf("status %s code %q, want %s %q\nsummary: %s\nhints: %q", res.Status, res.Code, w.status, w.code, res.Summary, res.Hints)
	}
	if res.Status == Pass && res.Code != "" {
		t.Errorf("a pass carries code %q", res.Code)
	}
	if res.Status != Pass && !slices.ContainsFunc(codes, func(c Code) bool { return c.ID == res.Code }) {
		t.Errorf("code %q is not declared", res.Code)
	}
	if !strings.Contains(res.Summary, w.summary) {
		t.Errorf("summary %q, want it to contain %q", res.Summary, w.summary)
	}
	switch {
	case w.hint == "" && len(res.Hints) > 0:
		t.Errorf("hints %q, want none", res.Hints)
	case w.hint != "" && len(res.Hints) == 0:
		t.Errorf("no hints, want one containing %q", w.hint)
	case w.hint != "" && !strings.Contains(res.Hints[0], w.hint):
		t.Errorf("first hint %q, want it to contain %q", res.Hints[0], w.hint)
	}
}

func rmFact(t *testing.T, fs []Fact, name, want string) {
	t.Helper()
	for _, f := range fs {
		if f.Name == name {
			if !strings.Contains(f.Value, want) {
				t.Errorf("%s = %q, want it to contain %q", name, f.Value, want)
			}
			return
		}
	}
	t.Errorf("no %s in %v, want one containing %q", name, fs, want)
}

func rmNoFact(t *testing.T, fs []Fact, name string) {
	t.Helper()
	for _, f := range fs {
		if f.Name == name {
			t.Errorf("%s = %q, want none", name, f.Value)
		}
	}
}

func rmHint(t *testing.T, hints []string, want string) {
	t.Helper()
	for _, h := range hints {
		if strings.Contains(h, want) {
			return
		}
	}
	t.Errorf("hints %q, want one containing %q", hints, want)
}

var (
	rmV5 = bolt.Version{Major: 5, Minor: 4}
	rmV3 = bolt.Version{Major: 3}
)

// rmTarget is a neo4j:// target, changed by opts.
func rmTarget(opts ...func(*Target)) *Target {
	t := &Target{Scheme: "neo4j", Routing: true, Host: "db.example.com", Port: 7687, Username: "neo4j"}
	for _, o := range opts {
		o(t)
	}
	return t
}

func rmDB(name string) func(*Target) { return func(t *Target) { t.Database = name } }

func rmAll(t *Target) { t.AllDatabases = true }

func rmDirect(t *Target) { t.Scheme, t.Routing = "bolt", false }

// rmFailure is a FAILURE answering ROUTE.
func rmFailure(code, msg string) *bolt.ServerError {
	return &bolt.ServerError{Request: "ROUTE", Code: code, Message: msg}
}

// rmTable is a table of the database db with one writer a, readers b
// and c, and all three as routers.
func rmTable(db string, ttl int64) *routing.Table {
	return &routing.Table{TTL: ttl, Database: db,
		Writers: []string{"a:7687"}, Readers: []string{"b:7687", "c:7687"}, Routers: []string{"a:7687", "b:7687", "c:7687"}}
}

func rmWith(t *routing.Table, f func(*routing.Table)) *routing.Table { f(t); return t }

// rmParsed is a table as routing.Parse reads raw, which must parse.
func rmParsed(raw map[string]any) *routing.Table {
	t, err := routing.Parse(raw)
	if err != nil {
		panic(err)
	}
	return t
}

func rmOnline(name string, home bool) routing.Database {
	return routing.Database{Name: name, Home: home, Servers: []routing.DatabaseServer{
		{Address: "a:7687", Role: "primary", Writer: true, Requested: "online", Current: "online"},
	}}
}

func rmOutcome(t *routing.Table, err error) routingOutcome {
	return routingOutcome{table: t, err: err, method: routing.MethodRoute, version: rmV5, srv: generation.Server{Gen: generation.V5}}
}

func rmWithDBs(out routingOutcome, dbs *databasesOutcome) routingOutcome {
	out.dbs = dbs
	return out
}

func TestJudgeRouting(t *testing.T) {
	notFound := rmFailure("Neo.ClientError.Database.DatabaseNotFound", "Database does not exist. Database name: 'movis'.")
	unavailable := rmFailure("Neo.TransientError.General.DatabaseUnavailable", "Database 'neo4j' is unavailable.")
	malformedErr := func() error {
		_, err := routing.Parse(map[string]any{"ttl": int64(300), "servers": "a:7687"})
		return err
	}()
	quarantined := routing.Database{Name: "neo4j", Home: true, Servers: []routing.DatabaseServer{
		{Address: "a:7687", Requested: "online", Current: "quarantined", Message: "Wrapped IOException: disk full"},
	}}
	// Three databases; main is neo4j, whose table the check already has.
	three := []routing.Database{rmOnline("neo4j", true), rmOnline("system", false), rmOnline("movies", false)}

	cases := []rmCase{
		{name: "named database on Bolt 3",
			judge: func() Result {
				out := rmOutcome(nil, nil)
				out.version = rmV3
				return judgeRouting(rmTarget(rmDB("movies")), out)
			},
			want: rmWant{Fail, "routing.no_named_databases", "database movies was asked for, but Bolt 3.0", "leave the database out for this server (it comes from --database or NEO4J_DATABASE)"}},

		// A FAILURE for ROUTE, one code each.
		{name: "database not found, SHOW DATABASES lists the others",
			judge: func() Result {
				return judgeRouting(rmTarget(rmDB("movis")), rmWithDBs(rmOutcome(nil, notFound),
					&databasesOutcome{list: three, dropped: 2}))
			},
			want: rmWant{Fail, "routing.database_not_found", "database movis does not exist", "check the name (--database or NEO4J_DATABASE): SHOW DATABASES lists neo4j, system, movies and 2 more; or leave it out"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "databases that exist", "neo4j, system, movies and 2 more")
				if len(res.Hints) != 1 {
					t.Errorf("hints %q: the list says it all", res.Hints)
				}
				rmFact(t, res.Evidence, "code", "Neo.ClientError.Database.DatabaseNotFound")
				rmFact(t, res.Evidence, "message", "Database name: 'movis'")
				var se *bolt.ServerError
				if !errors.As(res.Err, &se) || se != notFound {
					t.Errorf("Err = %v, want the FAILURE", res.Err)
				}
			}},
		{name: "database not found, SHOW DATABASES failed too",
			judge: func() Result {
				return judgeRouting(rmTarget(rmDB("movis")), rmWithDBs(rmOutcome(nil, notFound),
					&databasesOutcome{err: errors.New("no access")}))
			},
			want: rmWant{Fail, "routing.database_not_found", "database movis does not exist", "check the name (--database or NEO4J_DATABASE): `SHOW DATABASES` lists the databases there are"},
			more: func(t *testing.T, res Result) { rmNoFact(t, res.Facts, "databases that exist") }},
		{name: "database not found, the name from a connection file",
			judge: func() Result {
				tt := rmTarget(rmDB("movis"))
				tt.Info.Settings = map[string]Setting{"database": {Value: "movis", Source: "file", From: "Neo4j-abcd1234.txt NEO4J_DATABASE"}}
				return judgeRouting(tt, rmOutcome(nil, notFound))
			},
			want: rmWant{Fail, "routing.database_not_found", "database movis does not exist", "check the name (Neo4j-abcd1234.txt NEO4J_DATABASE)"}},
		{name: "database unavailable",
			judge: func() Result { return judgeRouting(rmTarget(), rmOutcome(nil, unavailable)) },
			want:  rmWant{Fail, "routing.database_unavailable", "the home database is unavailable: it may be stopped, still starting or quarantined", "see its status on each server with `SHOW DATABASE <db>` on the system database; if it was stopped, start it: `START DATABASE <db>`"},
			more: func(t *testing.T, res Result) {
				// --wait reads the code's flag, and the Err's transient code.
				var se *bolt.ServerError
				if !errors.As(res.Err, &se) || !strings.HasPrefix(se.Code, "Neo.TransientError.") {
					t.Errorf("Err = %v, want the transient FAILURE", res.Err)
				}
			}},
		{name: "database unavailable: SHOW DATABASES says quarantined",
			judge: func() Result {
				return judgeRouting(rmTarget(), rmWithDBs(rmOutcome(nil, unavailable),
					&databasesOutcome{list: []routing.Database{quarantined, rmOnline("system", false)}}))
			},
			// What SHOW DATABASES said is the summary, without a guess, and
			// its fix comes alone.
			want: rmWant{Fail, "routing.database_unavailable", "database neo4j is quarantined on 1 of 1 servers", "database neo4j is quarantined after an error on a:7687"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "database neo4j", "quarantined on 1 of 1 servers; home")
				rmNoFact(t, res.Facts, "database system")
				rmFact(t, res.Evidence, "status message", "disk full")
				if strings.Contains(res.Summary, "may be") || len(res.Hints) != 1 {
					t.Errorf("summary %q, hints %q: SHOW DATABASES said which", res.Summary, res.Hints)
				}
				// Item 2 of issue 19: 5.x lifts a quarantine with
				// dbms.quarantineDatabase; dbms.unquarantineDatabase is 2025's.
				rmHint(t, res.Hints, "`CALL dbms.quarantineDatabase('neo4j', false)` on the server that holds the quarantined copy")
			}},
		{name: "database unavailable: SHOW DATABASES says quarantined, on 2025.x",
			judge: func() Result {
				out := rmWithDBs(rmOutcome(nil, unavailable), &databasesOutcome{list: []routing.Database{quarantined}})
				out.srv = generation.Server{Gen: generation.V2025}
				return judgeRouting(rmTarget(), out)
			},
			want: rmWant{Fail, "routing.database_unavailable", "database neo4j is quarantined", "`CALL dbms.unquarantineDatabase('<id>', 'neo4j', 'keepStateKeepStore')` (<id>: the server's id, from `SHOW SERVERS`)"}},
		{name: "database unavailable: SHOW DATABASES says stopped",
			judge: func() Result {
				stopped := routing.Database{Name: "movies", Servers: []routing.DatabaseServer{
					{Address: "a:7687", Requested: "offline", Current: "offline"}, {Address: "b:7687", Requested: "offline", Current: "offline"}}}
				return judgeRouting(rmTarget(rmDB("movies")), rmWithDBs(rmOutcome(nil, unavailable), &databasesOutcome{list: []routing.Database{stopped}}))
			},
			want: rmWant{Fail, "routing.database_unavailable", "database movies is offline on 2 of 2 servers: an administrator stopped it", "start it on the system database: `START DATABASE movies`"}},
		{name: "database unavailable on Aura: SHOW DATABASES says quarantined",
			judge: func() Result {
				out := rmWithDBs(rmOutcome(nil, unavailable), &databasesOutcome{list: []routing.Database{quarantined}})
				out.srv = generation.Server{Gen: generation.V5, Aura: true}
				return judgeRouting(rmTarget(), out)
			},
			want: rmWant{Fail, "routing.database_unavailable", "database neo4j is quarantined", "database neo4j is quarantined after an error on a:7687: Aura lets no user lift a quarantine: raise a ticket at https://support.neo4j.com"},
			more: func(t *testing.T, res Result) {
				if strings.Contains(res.Hints[0], "debug.log") || strings.Contains(res.Hints[0], "dbms.") {
					t.Errorf("hint %q: an Aura user reads no server log and calls no procedure", res.Hints[0])
				}
			}},
		{name: "database unavailable on Aura",
			judge: func() Result {
				out := rmOutcome(nil, unavailable)
				out.srv = generation.Server{Gen: generation.V5, Aura: true}
				return judgeRouting(rmTarget(), out)
			},
			want: rmWant{Fail, "routing.database_unavailable", "the home database is unavailable", "resume the instance"}},
		{name: "no routing procedure",
			judge: func() Result {
				out := rmOutcome(nil, &bolt.ServerError{Request: "RUN", Code: "Neo.ClientError.Procedure.ProcedureNotFound", Message: "There is no procedure with the name `dbms.cluster.routing.getRoutingTable`"})
				out.method, out.version = routing.MethodProcedure3, rmV3
				return judgeRouting(rmTarget(), out)
			},
			want: rmWant{Fail, "routing.not_a_cluster", "the server is not a cluster and cannot route", "use bolt://db.example.com:7687"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "fetched with", routing.MethodProcedure3)
				rmFact(t, res.Evidence, "request", "RUN")
			}},
		{name: "forbidden",
			judge: func() Result {
				return judgeRouting(rmTarget(rmDB("movies")), rmOutcome(nil, rmFailure("Neo.ClientError.Security.Forbidden", "Database access is not allowed for user 'neo4j' with roles [PUBLIC].")))
			},
			want: rmWant{Fail, "routing.forbidden", "user neo4j may not access database movies", "grant the user's role access to database movies, as an admin on the system database: `GRANT ACCESS ON DATABASE movies TO <role>`"},
			more: func(t *testing.T, res Result) { rmFact(t, res.Evidence, "message", "roles [PUBLIC]") }},
		{name: "another server error",
			judge: func() Result {
				return judgeRouting(rmTarget(), rmOutcome(nil, rmFailure("Neo.DatabaseError.General.UnknownError", "boom")))
			},
			want: rmWant{Fail, "routing.server_error", "fetching the routing table failed: Neo.DatabaseError.General.UnknownError", "see the server's message"},
			more: func(t *testing.T, res Result) { rmFact(t, res.Evidence, "message", "boom") }},
		{name: "the answer is not a routing table",
			judge: func() Result { return judgeRouting(rmTarget(), rmOutcome(nil, malformedErr)) },
			want:  rmWant{Fail, "routing.unreadable_table", "the routing table could not be read", "the server's answer to ROUTE is not a routing table"},
			more: func(t *testing.T, res Result) {
				if !errors.Is(res.Err, routing.ErrMalformed) {
					t.Errorf("Err = %v, want routing.ErrMalformed", res.Err)
				}
				rmNoFact(t, res.Evidence, "code")
			}},

		// Table shapes.
		{name: "healthy table of the home database",
			judge: func() Result { return judgeRouting(rmTarget(), rmOutcome(rmTable("", 300), nil)) },
			want:  rmWant{Pass, "", "the home database: 3 routers, 2 readers, 1 writer", ""},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "ttl", "300s")
				if f := res.Facts[0]; f.Name != "fetched with" || !f.Verbose {
					t.Errorf("fact %+v: how the table was fetched is for --verbose", f)
				}
				rmFact(t, res.Facts, "writers", "a:7687")
				if len(res.Evidence) != 0 || res.Err != nil {
					t.Errorf("evidence %v, err %v on a healthy table", res.Evidence, res.Err)
				}
			}},
		{name: "the table names its database",
			judge: func() Result {
				return judgeRouting(rmTarget(), rmOutcome(rmWith(rmTable("neo4j", 300), func(t *routing.Table) { t.Readers = t.Readers[:1] }), nil))
			},
			want: rmWant{Pass, "", "database neo4j: 3 routers, 1 reader, 1 writer", ""},
			more: func(t *testing.T, res Result) { rmFact(t, res.Facts, "database", "neo4j") }},
		{name: "no routers",
			judge: func() Result {
				return judgeRouting(rmTarget(), rmOutcome(rmWith(rmTable("neo4j", 300), func(t *routing.Table) { t.Routers = nil }), nil))
			},
			want: rmWant{Fail, "routing.no_routers", "database neo4j: the routing table lists no routers", "drivers cannot refresh a table without routers: see which servers are up with `SHOW SERVERS` on the system database"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Evidence, "table", "writers a:7687; readers b:7687, c:7687; routers (none)")
			}},
		{name: "an empty table: no routers comes first",
			judge: func() Result {
				return judgeRouting(rmTarget(), rmOutcome(rmParsed(map[string]any{"ttl": int64(300), "servers": []any{}}), nil))
			},
			want: rmWant{Fail, "routing.no_routers", "lists no routers", "drivers cannot refresh"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Evidence, "table", "writers (none); readers (none); routers (none)")
			}},
		{name: "malformed WRITE entry",
			judge: func() Result {
				return judgeRouting(rmTarget(), rmOutcome(rmParsed(map[string]any{"ttl": int64(300), "db": "neo4j", "servers": []any{
					map[string]any{"role": "WRITE", "addresses": []any{"a"}},
					map[string]any{"role": "READ", "addresses": []any{"b:7687"}},
					map[string]any{"role": "ROUTE", "addresses": []any{"a:7687", "b:7687"}},
				}}), nil))
			},
			want: rmWant{Fail, "routing.malformed_writer", "database neo4j: the routing table has no writers: its WRITE entry is malformed", "check server.bolt.advertised_address on the writer"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Evidence, "problem", `WRITE address "a"`)
				rmFact(t, res.Evidence, "table", "writers (none); readers b:7687; routers a:7687, b:7687")
				rmFact(t, res.Facts, "writers", "(none)")
			}},
		{name: "malformed WRITE entry on a 4.4 server names 4.x's setting",
			judge: func() Result {
				out := rmOutcome(rmWith(rmTable("neo4j", 300), func(t *routing.Table) {
					t.Writers = nil
					t.Problems = []routing.Problem{{Role: "WRITE", Text: "WRITE address is a int64, not a string"}}
				}), nil)
				out.srv = generation.Server{Gen: generation.V4}
				return judgeRouting(rmTarget(), out)
			},
			want: rmWant{Fail, "routing.malformed_writer", "its WRITE entry is malformed", "check dbms.connector.bolt.advertised_address on the writer"}},
		{name: "no writers",
			judge: func() Result {
				return judgeRouting(rmTarget(), rmOutcome(rmWith(rmTable("neo4j", 300), func(t *routing.Table) { t.Writers = nil }), nil))
			},
			want: rmWant{Fail, "routing.no_writers", "database neo4j: the routing table lists no writers: writes fail, reads still work", "check that a majority of the primaries is up: `SHOW SERVERS`"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Evidence, "table", "writers (none); readers b:7687, c:7687")
				if res.Err != nil {
					t.Errorf("Err = %v, want none: no server error decided it", res.Err)
				}
			}},
		{name: "no writers on 4.4: 4.x's procedure and words",
			judge: func() Result {
				out := rmOutcome(rmWith(rmTable("neo4j", 300), func(t *routing.Table) { t.Writers = nil }), nil)
				out.srv = generation.Server{Gen: generation.V4}
				return judgeRouting(rmTarget(), out)
			},
			want: rmWant{Fail, "routing.no_writers", "lists no writers", "check that a majority of the core members is up: `CALL dbms.cluster.overview()`"}},
		{name: "no writers on 3.5: no SHOW DATABASES",
			judge: func() Result {
				out := rmOutcome(rmWith(rmTable("", 300), func(t *routing.Table) { t.Writers = nil }), nil)
				out.srv, out.version = generation.Server{Gen: generation.V35}, rmV3
				return judgeRouting(rmTarget(), out)
			},
			want: rmWant{Fail, "routing.no_writers", "the home database: the routing table lists no writers", "check that a majority of the core members is up: `CALL dbms.cluster.overview()`"},
			more: func(t *testing.T, res Result) {
				if strings.Contains(res.Hints[0], "SHOW") {
					t.Errorf("a 3.5 hint names a 4.0+ statement: %q", res.Hints[0])
				}
			}},
		{name: "no writers on Aura",
			judge: func() Result {
				out := rmOutcome(rmWith(rmTable("neo4j", 300), func(t *routing.Table) { t.Writers = nil }), nil)
				out.srv = generation.Server{Gen: generation.V5, Aura: true}
				return judgeRouting(rmTarget(), out)
			},
			want: rmWant{Fail, "routing.no_writers", "lists no writers", "check the instance's status in https://console.neo4j.io"}},
		{name: "no writers, and a malformed READ entry: the role decides",
			judge: func() Result {
				return judgeRouting(rmTarget(), rmOutcome(rmWith(rmTable("neo4j", 300), func(t *routing.Table) {
					t.Writers = nil
					t.Problems = []routing.Problem{{Role: "READ", Text: `READ address "b": not host:port`}}
				}), nil))
			},
			want: rmWant{Fail, "routing.no_writers", "lists no writers", "check that a majority of the primaries is up"},
			more: func(t *testing.T, res Result) { rmFact(t, res.Evidence, "problem", `READ address "b"`) }},
		{name: "no writers, and a problem of no role",
			judge: func() Result {
				return judgeRouting(rmTarget(), rmOutcome(rmWith(rmTable("neo4j", 300), func(t *routing.Table) {
					t.Writers = nil
					t.Problems = []routing.Problem{{Text: `unknown role "LEAD" ignored`}}
				}), nil))
			},
			want: rmWant{Fail, "routing.no_writers", "lists no writers", "check that a majority of the primaries is up"}},
		{name: "no readers",
			judge: func() Result {
				return judgeRouting(rmTarget(), rmOutcome(rmWith(rmTable("neo4j", 300), func(t *routing.Table) { t.Readers = nil }), nil))
			},
			want: rmWant{Fail, "routing.no_readers", "database neo4j: the routing table lists no readers: read queries fail", "no server can serve reads: see where the database is online with `SHOW DATABASES`"},
			more: func(t *testing.T, res Result) { rmFact(t, res.Evidence, "table", "readers (none)") }},

		// TTLs.
		{name: "TTL zero",
			judge: func() Result { return judgeRouting(rmTarget(), rmOutcome(rmTable("neo4j", 0), nil)) },
			want:  rmWant{Warn, "routing.ttl_zero", "database neo4j: 3 routers, 2 readers, 1 writer; TTL 0s", "the table's TTL is 0s: drivers refetch it before every transaction; set it back to the default: `dbms.routing_ttl=300s`"},
			more:  func(t *testing.T, res Result) { rmNoFact(t, res.Evidence, "table") }},
		{name: "TTL negative",
			judge: func() Result { return judgeRouting(rmTarget(), rmOutcome(rmTable("neo4j", -5), nil)) },
			want:  rmWant{Warn, "routing.ttl_zero", "database neo4j: 3 routers", "the table's TTL is -5s"}},
		{name: "TTL zero on 3.5: 3.5's setting",
			judge: func() Result {
				out := rmOutcome(rmTable("", 0), nil)
				out.srv, out.version = generation.Server{Gen: generation.V35}, rmV3
				return judgeRouting(rmTarget(), out)
			},
			want: rmWant{Warn, "routing.ttl_zero", "the home database: 3 routers", "set it back to the default: `causal_clustering.cluster_routing_ttl=300s`"}},
		{name: "TTL zero on Aura",
			judge: func() Result {
				out := rmOutcome(rmTable("neo4j", 0), nil)
				out.srv = generation.Server{Gen: generation.V5, Aura: true}
				return judgeRouting(rmTarget(), out)
			},
			want: rmWant{Warn, "routing.ttl_zero", "database neo4j: 3 routers", "Aura manages the server configuration itself"}},
		{name: "TTL short",
			judge: func() Result { return judgeRouting(rmTarget(), rmOutcome(rmTable("neo4j", shortTTL-1), nil)) },
			want:  rmWant{Warn, "routing.ttl_short", "database neo4j: 3 routers", "the table's TTL is only 9s: drivers refetch it very often; raise it, the default is `dbms.routing_ttl=300s`"}},
		{name: "TTL at the short mark is fine",
			judge: func() Result { return judgeRouting(rmTarget(), rmOutcome(rmTable("neo4j", shortTTL), nil)) },
			want:  rmWant{Pass, "", "database neo4j: 3 routers", ""}},
		{name: "TTL long",
			judge: func() Result { return judgeRouting(rmTarget(), rmOutcome(rmTable("neo4j", longTTL+1), nil)) },
			want:  rmWant{Warn, "routing.ttl_long", "database neo4j: 3 routers", "the table's TTL is 86401s (over a day)"}},
		{name: "TTL of a day is fine",
			judge: func() Result { return judgeRouting(rmTarget(), rmOutcome(rmTable("neo4j", longTTL), nil)) },
			want:  rmWant{Pass, "", "database neo4j: 3 routers", ""}},

		// Malformed entries that leave the table usable.
		{name: "duplicate READ entry",
			judge: func() Result {
				return judgeRouting(rmTarget(), rmOutcome(rmParsed(map[string]any{"ttl": int64(300), "servers": []any{
					map[string]any{"role": "WRITE", "addresses": []any{"a:7687"}},
					map[string]any{"role": "READ", "addresses": []any{"b:7687", "b:7687"}},
					map[string]any{"role": "ROUTE", "addresses": []any{"a:7687"}},
				}}), nil))
			},
			want: rmWant{Warn, "routing.malformed_entries", "the home database: 1 router, 1 reader, 1 writer", "the routing table has malformed or duplicate entries (see evidence): check server.bolt.advertised_address on each member"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Evidence, "problem", "READ address b:7687 listed twice")
				rmNoFact(t, res.Evidence, "table")
			}},
		{name: "malformed WRITE entry beside a good writer",
			judge: func() Result {
				return judgeRouting(rmTarget(), rmOutcome(rmWith(rmTable("neo4j", 300), func(t *routing.Table) {
					t.Problems = []routing.Problem{{Role: "WRITE", Text: `WRITE address "x": not host:port`}}
				}), nil))
			},
			want: rmWant{Warn, "routing.malformed_entries", "database neo4j: 3 routers, 2 readers, 1 writer", "malformed or duplicate entries"}},
		{name: "TTL zero and malformed entries: the TTL came first",
			judge: func() Result {
				return judgeRouting(rmTarget(), rmOutcome(rmWith(rmTable("neo4j", 0), func(t *routing.Table) {
					t.Problems = []routing.Problem{{Text: `unknown role "LEAD" ignored`}}
				}), nil))
			},
			want: rmWant{Warn, "routing.ttl_zero", "database neo4j: 3 routers", "the table's TTL is 0s"},
			more: func(t *testing.T, res Result) {
				if len(res.Hints) != 2 || !strings.Contains(res.Hints[1], "malformed or duplicate entries") {
					t.Errorf("hints %q, want the TTL's and the entries'", res.Hints)
				}
			}},

		// --all-databases.
		{name: "all databases online",
			judge: func() Result {
				return judgeRouting(rmTarget(rmAll), rmWithDBs(rmOutcome(rmTable("neo4j", 300), nil), &databasesOutcome{list: three,
					tables: map[string]fetchedTable{"system": {table: rmTable("system", 300)}, "movies": {table: rmTable("movies", 300)}}}))
			},
			want: rmWant{Pass, "", "database neo4j: 3 routers, 2 readers, 1 writer; all 3 databases online", ""},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "databases", "3 visible to neo4j (SHOW DATABASES)")
				rmFact(t, res.Facts, "database movies", "online; writer a:7687; table 3 routers, 2 readers, 1 writer, ttl 300s")
				rmFact(t, res.Facts, "database neo4j", "online; home; writer a:7687")
			}},
		{name: "all databases on Bolt 3: there is one",
			judge: func() Result {
				out := rmOutcome(rmTable("", 300), nil)
				out.version = rmV3
				return judgeRouting(rmTarget(rmAll), out)
			},
			want: rmWant{Pass, "", "the home database: 3 routers", ""},
			more: func(t *testing.T, res Result) { rmFact(t, res.Facts, "all databases", "has a single database") }},
		{name: "all databases: SHOW DATABASES failed",
			judge: func() Result {
				return judgeRouting(rmTarget(rmAll), rmWithDBs(rmOutcome(rmTable("", 300), nil),
					&databasesOutcome{err: &bolt.ServerError{Request: "RUN", Code: "Neo.ClientError.Security.Forbidden", Message: "Database access is not allowed"}}))
			},
			// Item 3 of issue 19: SHOW DATABASES needs no ACCESS on system;
			// it lists what the role has ACCESS to.
			want: rmWant{Warn, "routing.show_databases_failed", "the home database: 3 routers", "SHOW DATABASES on the system database failed, so only the home database was checked: it lists only the databases the user's role has ACCESS to; to check them all, grant it on every database: `GRANT ACCESS ON DATABASE * TO <role>`"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Evidence, "SHOW DATABASES", "Neo.ClientError.Security.Forbidden: Database access is not allowed")
				if res.Err != nil {
					t.Errorf("Err = %v: the table itself is fine", res.Err)
				}
			}},
		{name: "all databases: SHOW DATABASES failed under a TTL warning keeps the TTL's code",
			judge: func() Result {
				return judgeRouting(rmTarget(rmAll, rmDB("movies")), rmWithDBs(rmOutcome(rmTable("movies", 0), nil),
					&databasesOutcome{err: errors.New("no access")}))
			},
			want: rmWant{Warn, "routing.ttl_zero", "database movies: 3 routers", "the table's TTL is 0s"},
			more: func(t *testing.T, res Result) {
				rmHint(t, res.Hints, "so only database movies was checked: see the error in the evidence")
				for _, h := range res.Hints {
					if strings.Contains(h, "ON DATABASE system") {
						t.Errorf("hint %q: SHOW DATABASES needs no ACCESS on system", h)
					}
				}
			}},
		{name: "all databases: another database's table failed",
			judge: func() Result {
				return judgeRouting(rmTarget(rmAll), rmWithDBs(rmOutcome(rmTable("neo4j", 300), nil), &databasesOutcome{list: three,
					tables: map[string]fetchedTable{"system": {table: rmTable("system", 300)},
						"movies": {err: rmFailure("Neo.ClientError.Security.Forbidden", "Database access is not allowed for user 'neo4j'")}}}))
			},
			want: rmWant{Warn, "routing.databases_problem", "database neo4j: 3 routers, 2 readers, 1 writer; 1 of the 2 other databases has a problem: movies (no routing table)", "grant the user's role access to database movies, as an admin on the system database: `GRANT ACCESS ON DATABASE movies TO <role>`"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "database movies", "online; writer a:7687; no routing table: Neo.ClientError.Security.Forbidden")
				rmFact(t, res.Evidence, "movies error", "ROUTE failed: Neo.ClientError.Security.Forbidden: Database access is not allowed for user 'neo4j'")
				if res.Err != nil {
					t.Errorf("Err = %v: the table asked for is fine", res.Err)
				}
			}},
		{name: "all databases: another database's table has no writers",
			judge: func() Result {
				return judgeRouting(rmTarget(rmAll), rmWithDBs(rmOutcome(rmTable("neo4j", 300), nil), &databasesOutcome{list: three,
					tables: map[string]fetchedTable{"system": {table: rmTable("system", 300)},
						"movies": {table: rmWith(rmTable("movies", 300), func(t *routing.Table) {
							t.Writers = nil
							t.Problems = []routing.Problem{{Role: "READ", Text: "READ address b:7687 listed twice"}}
						})}}}))
			},
			want: rmWant{Warn, "routing.databases_problem", "1 of the 2 other databases has a problem: movies (the routing table lists no writers: writes fail, reads still work)", "database movies: check that a majority of the primaries is up"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Evidence, "movies table", "writers (none); readers b:7687, c:7687")
				rmFact(t, res.Evidence, "movies problem", "listed twice")
				rmNoFact(t, res.Evidence, "table") // the main table is fine
			}},
		{name: "all databases: another database is stopped",
			judge: func() Result {
				stopped := routing.Database{Name: "movies", Servers: []routing.DatabaseServer{{Address: "a:7687", Requested: "offline", Current: "offline"}}}
				return judgeRouting(rmTarget(rmAll), rmWithDBs(rmOutcome(rmTable("neo4j", 300), nil), &databasesOutcome{list: []routing.Database{rmOnline("neo4j", true), stopped},
					tables: map[string]fetchedTable{}}))
			},
			want: rmWant{Warn, "routing.databases_problem", "database neo4j: 3 routers, 2 readers, 1 writer; the other database has a problem: movies (offline)", "start it on the system database: `START DATABASE movies`"},
			more: func(t *testing.T, res Result) { rmFact(t, res.Facts, "database movies", "offline on 1 of 1 servers") }},
		{name: "all databases: the main table's TTL is the summary's, once",
			judge: func() Result {
				return judgeRouting(rmTarget(rmAll), rmWithDBs(rmOutcome(rmTable("neo4j", 0), nil), &databasesOutcome{list: three,
					tables: map[string]fetchedTable{"system": {table: rmTable("system", 300)}, "movies": {table: rmTable("movies", 300)}}}))
			},
			want: rmWant{Warn, "routing.ttl_zero", "database neo4j: 3 routers, 2 readers, 1 writer; TTL 0s; the other 2 databases are fine", "the table's TTL is 0s"}},
		{name: "all databases: more than three problems are counted",
			judge: func() Result {
				list := []routing.Database{rmOnline("neo4j", true)}
				tables := map[string]fetchedTable{}
				for i := range 5 {
					name := fmt.Sprintf("db%d", i)
					list = append(list, rmOnline(name, false))
					tables[name] = fetchedTable{table: rmWith(rmTable(name, 300), func(t *routing.Table) { t.Routers = nil })}
				}
				return judgeRouting(rmTarget(rmAll), rmWithDBs(rmOutcome(rmTable("neo4j", 300), nil), &databasesOutcome{list: list, tables: tables, dropped: 7}))
			},
			want: rmWant{Warn, "routing.databases_problem", "5 of the 5 other databases have a problem: db0 (the routing table lists no routers), db1 (the routing table lists no routers), db2 (the routing table lists no routers), 2 more", "database db0: drivers cannot refresh"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "not checked", "7 more databases (at most 64 are checked)")
				rmFact(t, res.Evidence, "db4 table", "routers (none)")
			}},
		{name: "all databases: the main table failed",
			judge: func() Result {
				return judgeRouting(rmTarget(rmAll), rmWithDBs(rmOutcome(nil, unavailable), &databasesOutcome{list: []routing.Database{quarantined, rmOnline("movies", false)},
					tables: map[string]fetchedTable{"movies": {table: rmTable("movies", 300)}}}))
			},
			// SHOW DATABASES, asked for every database, says what the
			// error left open: the summary says it, and the fix is one.
			want: rmWant{Fail, "routing.database_unavailable", "database neo4j is quarantined on 1 of 1 servers; the other database is fine", "database neo4j is quarantined after an error"},
			more: func(t *testing.T, res Result) {
				if len(res.Hints) != 1 {
					t.Errorf("hints %q, want the quarantine's only", res.Hints)
				}
				rmNoFact(t, res.Facts, "databases that exist")
				rmFact(t, res.Evidence, "neo4j status message", "disk full")
				// explainMissingDatabase is for runs without --all-databases.
				rmNoFact(t, res.Evidence, "status message")
			}},
		{name: "all databases: no database at all fails as a table failure would",
			judge: func() Result {
				return judgeRouting(rmTarget(rmAll), rmWithDBs(rmOutcome(rmWith(rmTable("neo4j", 300), func(t *routing.Table) { t.Readers = nil }), nil),
					&databasesOutcome{list: []routing.Database{rmOnline("neo4j", true)}, tables: map[string]fetchedTable{}}))
			},
			want: rmWant{Fail, "routing.no_readers", "database neo4j: the routing table lists no readers: read queries fail", "no server can serve reads"},
			more: func(t *testing.T, res Result) {
				if res.Summary != "database neo4j: the routing table lists no readers: read queries fail" {
					t.Errorf("summary %q: the problem once, and no other database to speak of", res.Summary)
				}
			}},

		// bolt://: judgeDirect.
		{name: "direct, no table",
			judge: func() Result { return judgeDirect(rmTarget(rmDirect), "", nil, "", nil) },
			want:  rmWant{Skip, "routing.direct", "bolt:// connects directly; no routing table is used", ""}},
		{name: "direct, --all-databases",
			judge: func() Result { return judgeDirect(rmTarget(rmDirect, rmAll), "", nil, "", nil) },
			want:  rmWant{Skip, "routing.direct", "connects directly", ""},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "all databases", "--all-databases needs a neo4j:// URI")
			}},
		{name: "direct, the server refuses routing",
			judge: func() Result {
				return judgeDirect(rmTarget(rmDirect), "", nil, routing.MethodProcedure3,
					&bolt.ServerError{Request: "RUN", Code: "Neo.ClientError.Procedure.ProcedureNotFound", Message: "no procedure"})
			},
			want: rmWant{Skip, "routing.direct", "bolt:// connects directly; no routing table is used", ""}},
		{name: "direct to a standalone server",
			judge: func() Result {
				return judgeDirect(rmTarget(rmDirect), "", &routing.Table{TTL: 300, Writers: []string{"db.example.com:7687"},
					Readers: []string{"db.example.com:7687"}, Routers: []string{"db.example.com:7687"}}, routing.MethodRoute, nil)
			},
			want: rmWant{Skip, "routing.standalone", "bolt:// connects directly to a standalone server", ""}},
		{name: "direct to the writer of a cluster",
			judge: func() Result {
				return judgeDirect(rmTarget(rmDirect), "a:7687", rmTable("neo4j", 300), routing.MethodRoute, nil)
			},
			want: rmWant{Warn, "routing.bypassed", "bolt:// bypasses routing: this server is one of 3 cluster members", "in applications connect with `neo4j://db.example.com:7687`"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "this server", "a:7687 (WRITE, ROUTE)")
				rmFact(t, res.Facts, "cluster", "3 members")
			}},
		{name: "direct to a cluster under another name",
			judge: func() Result {
				tt := rmTarget(rmDirect)
				tt.Scheme, tt.TLS = "bolt+s", TLSVerify
				return judgeDirect(tt, "", rmTable("", 300), routing.MethodRoute, nil)
			},
			want: rmWant{Warn, "routing.bypassed", "bolt+s:// bypasses routing: this server is one of 3 cluster members", "in applications connect with `neo4j+s://db.example.com:7687`"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "this server", "not found in the table under db.example.com:7687")
				rmFact(t, res.Facts, "database", "the home database")
			}},
		{name: "direct to a reader of a cluster",
			judge: func() Result {
				tt := rmTarget(rmDirect, rmDB("movies"))
				tt.Scheme, tt.TLS = "bolt+ssc", TLSAcceptAny
				return judgeDirect(tt, "", rmWith(rmTable("", 300), func(t *routing.Table) {
					t.Readers = append(t.Readers, "db.example.com:7687")
				}), routing.MethodRoute, nil)
			},
			want: rmWant{Warn, "routing.bypassed_not_writer", "bolt+ssc:// bypasses routing, and this server is not the writer: writes sent here fail", "in applications connect with `neo4j+ssc://db.example.com:7687`"},
			more: func(t *testing.T, res Result) { rmFact(t, res.Facts, "this server", "db.example.com:7687 (READ)") }},

		// A router among the members: judgeRouterView.
		{name: "a router gives no table",
			judge: func() Result {
				res, v := judgeRouterView(say{generation.Server{Gen: generation.V5}}, rmTable("neo4j", 300), nil, routing.MethodRoute, rmFailure("Neo.ClientError.General.Unknown", "no"))
				if v.err == nil || v.table != nil {
					panic("the view does not keep the error")
				}
				return res
			},
			want: rmWant{Warn, "routing.router_no_table", "this router gives no routing table: Neo.ClientError.General.Unknown", "drivers that ask this router for a table get this error"},
			more: func(t *testing.T, res Result) { rmFact(t, res.Evidence, "message", "no") }},
		{name: "a router's answer is not a table",
			judge: func() Result {
				res, _ := judgeRouterView(say{generation.Server{Gen: generation.V5}}, rmTable("neo4j", 300), nil, routing.MethodRoute, malformedErr)
				return res
			},
			want: rmWant{Warn, "routing.router_no_table", "this router gives no routing table", "try the next router"},
			more: func(t *testing.T, res Result) {
				if res.Summary != "this router gives no routing table" || !errors.Is(res.Err, routing.ErrMalformed) {
					t.Errorf("summary %q, err %v", res.Summary, res.Err)
				}
			}},
		{name: "a router agrees",
			judge: func() Result {
				res, v := judgeRouterView(say{generation.Server{Gen: generation.V5}}, rmTable("neo4j", 300), rmWith(rmTable("neo4j", 10), func(t *routing.Table) { t.Readers = []string{"C:7687", "b:7687"} }), routing.MethodRoute, nil)
				if v.diff.Any() || v.table == nil {
					panic("the view disagrees")
				}
				return res
			},
			want: rmWant{Pass, "", "same writer and members as the server in your URI", ""}},
		{name: "a router names another writer",
			judge: func() Result {
				res, v := judgeRouterView(say{generation.Server{Gen: generation.V5}}, rmTable("neo4j", 300), rmWith(rmTable("neo4j", 300), func(t *routing.Table) { t.Writers = []string{"b:7687"} }), routing.MethodRoute, nil)
				if !v.diff.Writers || v.diff.Members {
					panic(fmt.Sprintf("diff %+v", v.diff))
				}
				return res
			},
			want: rmWant{Warn, "routing.router_disagrees", "disagrees with the server in your URI about the writer: it names writer b:7687, the server in your URI a:7687", ""},
			more: func(t *testing.T, res Result) {
				// The two views are the members check's evidence; here the
				// router's own is for --verbose, and not printed twice.
				rmFact(t, res.Facts, "this router's view", "writers b:7687;")
				if len(res.Evidence) != 0 {
					t.Errorf("evidence %v: the views are the members check's", res.Evidence)
				}
			}},
		{name: "a router knows other members",
			judge: func() Result {
				res, _ := judgeRouterView(say{generation.Server{Gen: generation.V5}}, rmTable("neo4j", 300), rmWith(rmTable("neo4j", 300), func(t *routing.Table) { t.Readers = append(t.Readers, "d:7687") }), routing.MethodRoute, nil)
				return res
			},
			want: rmWant{Warn, "routing.router_disagrees", "disagrees with the server in your URI about the member list", ""},
			more: func(t *testing.T, res Result) {
				if strings.Contains(res.Summary, "writer") {
					t.Errorf("summary %q names the writer, which agrees", res.Summary)
				}
			}},
	}
	rmRun(t, routingCodes, cases)
}

func TestExplainMissingDatabase(t *testing.T) {
	notFound := rmFailure("Neo.ClientError.Database.DatabaseNotFound", "no such database")
	unavailable := rmFailure("Neo.TransientError.General.DatabaseUnavailable", "unavailable")
	starting := routing.Database{Name: "movies", Servers: []routing.DatabaseServer{
		{Address: "a:7687", Requested: "online", Current: "starting", Message: "recovering"},
		{Address: "b:7687", Requested: "online", Current: "online"},
	}}
	online := rmOnline("movies", false)
	for _, c := range []struct {
		name     string
		target   *Target
		se       *bolt.ServerError
		dbs      *databasesOutcome
		facts    []Fact // wanted, in order, after the one already there
		evidence []Fact
		hint     string // the only hint, "" = the one already there
		summary  string // "" = the one already there
	}{
		{name: "no SHOW DATABASES", target: rmTarget(rmDB("movis")), se: notFound},
		{name: "SHOW DATABASES failed", target: rmTarget(rmDB("movis")), se: notFound, dbs: &databasesOutcome{err: errors.New("denied")}},
		{name: "not found: the names that exist", target: rmTarget(rmDB("movis")), se: notFound,
			dbs:   &databasesOutcome{list: []routing.Database{rmOnline("neo4j", true), online}},
			facts: []Fact{{Name: "databases that exist", Value: "neo4j, movies"}},
			hint:  "check the name (--database or NEO4J_DATABASE): SHOW DATABASES lists neo4j, movies; or leave it out to use the user's home database"},
		{name: "not found: none visible, some dropped", target: rmTarget(rmDB("movis")), se: notFound,
			dbs:   &databasesOutcome{dropped: 3},
			facts: []Fact{{Name: "databases that exist", Value: "(none) and 3 more"}}},
		{name: "unavailable: starting on one server", target: rmTarget(rmDB("MOVIES")), se: unavailable,
			dbs:      &databasesOutcome{list: []routing.Database{rmOnline("neo4j", true), starting}},
			facts:    []Fact{{Name: "database movies", Value: "starting on 1 of 2 servers; no writer"}},
			evidence: []Fact{{Name: "status message", Value: "recovering"}},
			hint:     "database movies is starting on some servers: wait for it to come online; if it does not, read neo4j.log and debug.log in the logs directory on the servers where it is not",
			summary:  "database movies is starting on 1 of 2 servers"},
		{name: "unavailable: the home database, online by now", target: rmTarget(), se: unavailable,
			dbs:   &databasesOutcome{list: []routing.Database{online, rmOnline("neo4j", true)}},
			facts: []Fact{{Name: "database neo4j", Value: "online; home; writer a:7687"}}},
		{name: "unavailable: not listed", target: rmTarget(rmDB("gone")), se: unavailable,
			dbs: &databasesOutcome{list: []routing.Database{online}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := Result{Summary: "the generic summary", Facts: []Fact{{Name: "fetched with", Value: "ROUTE"}}, Hints: []string{"the generic hint"}}
			explainMissingDatabase(c.target, say{generation.Server{Gen: generation.V5}}, &res, c.se, c.dbs, true)
			if got, want := res.Facts[1:], c.facts; !slices.Equal(got, want) {
				t.Errorf("facts %v, want %v", got, want)
			}
			if !slices.Equal(res.Evidence, c.evidence) {
				t.Errorf("evidence %v, want %v", res.Evidence, c.evidence)
			}
			want := c.hint
			if want == "" {
				want = "the generic hint"
			}
			if len(res.Hints) != 1 || res.Hints[0] != want {
				t.Errorf("hints %q, want only %q: what SHOW DATABASES said replaces the guess", res.Hints, want)
			}
			if c.summary == "" {
				c.summary = "the generic summary"
			}
			if res.Summary != c.summary {
				t.Errorf("summary %q, want %q", res.Summary, c.summary)
			}
		})
	}
}

func TestJudgeTable(t *testing.T) {
	for _, c := range []struct {
		name    string
		table   *routing.Table
		status  Status
		code    string
		problem string
	}{
		{"healthy", rmTable("", 300), Pass, "", ""},
		{"no routers", rmWith(rmTable("", 300), func(t *routing.Table) { t.Routers = nil }), Fail, "routing.no_routers", "the routing table lists no routers"},
		{"malformed writer", rmWith(rmTable("", 300), func(t *routing.Table) {
			t.Writers, t.Problems = nil, []routing.Problem{{Role: "WRITE", Text: "bad"}}
		}), Fail, "routing.malformed_writer", "the routing table has no writers: its WRITE entry is malformed"},
		{"no writers", rmWith(rmTable("", 300), func(t *routing.Table) { t.Writers = nil }), Fail, "routing.no_writers", "the routing table lists no writers: writes fail, reads still work"},
		{"no readers", rmWith(rmTable("", 300), func(t *routing.Table) { t.Readers = nil }), Fail, "routing.no_readers", "the routing table lists no readers: read queries fail"},
		{"no readers nor writers: writers first", rmWith(rmTable("", 300), func(t *routing.Table) { t.Readers, t.Writers = nil, nil }), Fail, "routing.no_writers", "the routing table lists no writers: writes fail, reads still work"},
		{"ttl zero", rmTable("", 0), Warn, "routing.ttl_zero", "TTL 0s"},
		{"ttl short", rmTable("", 3), Warn, "routing.ttl_short", "TTL only 3s"},
		{"ttl long", rmTable("", longTTL*2), Warn, "routing.ttl_long", "TTL 172800s"},
		{"malformed entries", rmWith(rmTable("", 300), func(t *routing.Table) { t.Problems = []routing.Problem{{Role: "ROUTE", Text: "bad"}} }), Warn, "routing.malformed_entries", "malformed or duplicate entries"},
		{"short ttl and malformed entries", rmWith(rmTable("", 1), func(t *routing.Table) { t.Problems = []routing.Problem{{Text: "bad"}} }), Warn, "routing.ttl_short", "TTL only 1s"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := judgeTable("movies", c.table, say{generation.Server{Gen: generation.V5}})
			if v.status != c.status || v.code != c.code || v.problem != c.problem {
				t.Errorf("verdict %s %q %q, want %s %q %q", v.status, v.code, v.problem, c.status, c.code, c.problem)
			}
			if (v.status == Pass) != (len(v.hints) == 0) {
				t.Errorf("status %s with hints %q", v.status, v.hints)
			}
			if v.status == Fail && v.summary != "database movies: "+c.problem {
				t.Errorf("summary %q, want the problem", v.summary)
			}
		})
	}
}

// TestRoutingCodesWait pins the codes --wait waits for: a table without
// writers or readers (no leader yet), and a database still starting. The
// rest waits only through a transient server error.
func TestRoutingCodesWait(t *testing.T) {
	var waiting []string
	seen := map[string]bool{}
	for _, c := range routingCodes {
		if seen[c.ID] {
			t.Errorf("code %s declared twice", c.ID)
		}
		seen[c.ID] = true
		if !strings.HasPrefix(c.ID, "routing.") || strings.ToLower(c.ID) != c.ID || c.Doc == "" {
			t.Errorf("code %+v: want routing.<outcome>, lower case, with a Doc", c)
		}
		if c.Wait {
			waiting = append(waiting, c.ID)
		}
	}
	if want := []string{"routing.database_unavailable", "routing.no_writers", "routing.no_readers"}; !slices.Equal(waiting, want) {
		t.Errorf("codes with Wait %q, want %q", waiting, want)
	}
}
