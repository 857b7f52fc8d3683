package routing_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

// show5 builds a 5.x SHOW DATABASES result from rows of
// name, address, role, writer, requested, current, message, home.
func show5(rows ...[]any) bolt.QueryResult {
	res := bolt.QueryResult{Fields: []string{"name", "type", "aliases", "access", "address", "role", "writer",
		"requestedStatus", "currentStatus", "statusMessage", "default", "home", "constituents"}}
	for _, r := range rows {
		res.Records = append(res.Records, []any{r[0], "standard", []any{}, "read-write", r[1], r[2], r[3], r[4], r[5], r[6], false, r[7], []any{}})
	}
	return res
}

func TestParseDatabases5(t *testing.T) {
	t.Parallel()
	dbs, dropped, err := routing.ParseDatabases(show5(
		[]any{"neo4j", "core-0:7687", "primary", true, "online", "online", "", true},
		[]any{"neo4j", "core-1:7687", "primary", false, "online", "online", "", true},
		[]any{"movies", "core-0:7687", "primary", false, "online", "quarantined", "disk full", false},
		[]any{"movies", "core-1:7687", "primary", false, "online", "online", "", false},
		[]any{"old", "core-0:7687", "primary", false, "offline", "offline", "", false},
		[]any{"NEO4J", "core-2:7687", "secondary", false, "online", "starting", "", true}, // names are case-insensitive
	))
	if err != nil || dropped != 0 {
		t.Fatalf("ParseDatabases: %v, %d dropped", err, dropped)
	}
	if len(dbs) != 3 {
		t.Fatalf("%d databases, want 3 (rows merged by name): %+v", len(dbs), dbs)
	}
	neo, movies, old := dbs[0], dbs[1], dbs[2]
	cases := []struct {
		name      string
		got, want any
	}{
		{"neo4j servers", len(neo.Servers), 3},
		{"neo4j home", neo.Home, true},
		{"neo4j primary", neo.Primary(), "core-0:7687"},
		{"neo4j online", neo.Online(), true},
		{"neo4j status", neo.Status(), "starting on 1 of 3 servers"},
		{"neo4j worst", neo.Worst(), "starting"},
		{"movies primary", movies.Primary(), ""},
		{"movies worst", movies.Worst(), "quarantined"},
		{"movies status", movies.Status(), "quarantined on 1 of 2 servers"},
		{"movies message", movies.Message(), "disk full"},
		{"old online", old.Online(), false},
		{"old status", old.Status(), "offline on 1 of 1 servers"},
		{"old worst", old.Worst(), "offline"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if s := (routing.Database{Name: "x", Servers: []routing.DatabaseServer{{Current: "online"}}}); s.Status() != "online" || s.Worst() != "" {
		t.Errorf("an online database: status %q worst %q", s.Status(), s.Worst())
	}
}

func TestParseDatabases4(t *testing.T) {
	t.Parallel()
	res := bolt.QueryResult{Fields: []string{"name", "address", "role", "requestedStatus", "currentStatus", "error", "default"}}
	res.Records = [][]any{
		{"neo4j", "core-0:7687", "follower", "online", "online", "", true},
		{"neo4j", "core-1:7687", "leader", "online", "online", "", true},
		{"solo", "db:7687", "standalone", "online", "offline", "Database failed to start", false},
		{nil, "db:7687", "standalone", "online", "online", "", false}, // no name: ignored
	}
	dbs, _, err := routing.ParseDatabases(res)
	if err != nil || len(dbs) != 2 {
		t.Fatalf("ParseDatabases = %+v, %v", dbs, err)
	}
	if p := dbs[0].Primary(); p != "core-1:7687" {
		t.Errorf("4.x primary %q, want the leader", p)
	}
	if !dbs[0].Default || dbs[0].Type != "" {
		t.Errorf("neo4j %+v", dbs[0])
	}
	if dbs[1].Message() != "Database failed to start" || dbs[1].Online() {
		t.Errorf("solo %+v: the 4.x error column is its message", dbs[1])
	}
	if p := dbs[1].Primary(); p != "" {
		t.Errorf("solo is offline, yet its primary is %q", p)
	}
}

func TestParseDatabasesBounded(t *testing.T) {
	t.Parallel()
	var rows [][]any
	for i := range routing.MaxDatabases + 10 {
		rows = append(rows, []any{fmt.Sprintf("db%d", i), "a:1", "primary", true, "online", "online", "", false})
	}
	dbs, dropped, err := routing.ParseDatabases(show5(rows...))
	if err != nil || len(dbs) != routing.MaxDatabases || dropped != 10 {
		t.Errorf("%d databases, %d dropped, %v; want %d and 10", len(dbs), dropped, err, routing.MaxDatabases)
	}
	long := strings.Repeat("x", 10_000)
	dbs, _, _ = routing.ParseDatabases(show5([]any{"db", "a:1", "primary", true, "online", "offline", long, false}))
	if len(dbs[0].Message()) > 300 {
		t.Errorf("a %d-byte status message: server text must be truncated", len(dbs[0].Message()))
	}
	if _, _, err := routing.ParseDatabases(bolt.QueryResult{Fields: []string{"db"}}); !errors.Is(err, routing.ErrMalformed) {
		t.Errorf("no name column: %v, want ErrMalformed", err)
	}
}

// SHOW DATABASES against fixture servers of each generation, as the
// routing check sends it.
func TestShowDatabases(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		member fixtures.Config
		role   string // of the writer's row
	}{
		{"5.26", fixtures.Neo4j526(), "primary"},
		{"4.4", fixtures.Neo4j44(), "leader"},
		{"4.2", fixtures.Neo4j42(), "leader"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.member
			cfg.Databases = []fixtures.Database{{Name: "neo4j"}, {Name: "system"}, {Name: "movies", Offline: true}}
			c, err := fixtures.StartCluster(3, fixtures.ClusterConfig{Member: cfg})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = c.Close() })
			ctx := ctxT(t)
			conn, v, _ := session(t, ctx, c.Members[1].Addr())
			dbs, _, err := routing.ShowDatabases(ctx, conn, v)
			if err != nil {
				t.Fatalf("ShowDatabases: %v", err)
			}
			var names []string
			for _, d := range dbs {
				names = append(names, d.Name)
				if len(d.Servers) != 3 {
					t.Errorf("%s on %d servers, want one row per member", d.Name, len(d.Servers))
				}
				if d.Name == "movies" {
					if p := d.Primary(); p != "" {
						t.Errorf("offline movies has primary %q", p)
					}
					continue
				}
				if p := d.Primary(); p != c.Members[0].Addr() {
					t.Errorf("%s primary %q, want member 0 %s", d.Name, p, c.Members[0].Addr())
				}
				if d.Servers[0].Role != tc.role {
					t.Errorf("%s writer row role %q, want %q", d.Name, d.Servers[0].Role, tc.role)
				}
			}
			if !slices.Equal(names, []string{"neo4j", "system", "movies"}) {
				t.Errorf("databases %v", names)
			}
			if dbs[2].Online() || dbs[2].Status() != "offline on 3 of 3 servers" || !dbs[0].Home {
				t.Errorf("movies %q online %v; neo4j home %v", dbs[2].Status(), dbs[2].Online(), dbs[0].Home)
			}
		})
	}
	t.Run("3.5", func(t *testing.T) {
		t.Parallel()
		s := start(t, fixtures.Neo4j35())
		ctx := ctxT(t)
		conn, v, _ := session(t, ctx, s.Addr())
		if _, _, err := routing.ShowDatabases(ctx, conn, v); !errors.Is(err, routing.ErrSingleDatabase) {
			t.Errorf("Bolt 3: %v, want ErrSingleDatabase", err)
		}
	})
}
