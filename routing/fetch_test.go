package routing_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func start(t *testing.T, cfg fixtures.Config) *fixtures.Server {
	t.Helper()
	cfg.Databases = []fixtures.Database{{Name: "neo4j"}, {Name: "system"}, {Name: "movies"}}
	s, err := fixtures.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// session opens a Bolt connection to addr as a routing driver would:
// handshake, then HELLO (and LOGON) with the routing context.
func session(t *testing.T, ctx context.Context, addr string) (*bolt.Conn, bolt.Version, map[string]string) {
	t.Helper()
	raw, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := bolt.Handshake(ctx, raw, bolt.DefaultProposals)
	if err != nil {
		_ = raw.Close()
		t.Fatalf("handshake: %v", err)
	}
	c := bolt.NewConn(raw, hs, bolt.Options{})
	t.Cleanup(func() { _ = c.Close() })
	rctx := map[string]string{"address": addr}
	if _, err := c.Hello(ctx, bolt.HelloRequest{Auth: bolt.BasicAuth("neo4j", "pw"), Routing: rctx}); err != nil {
		t.Fatalf("hello: %v", err)
	}
	return c, hs.Version, rctx
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestFetchByVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		cfg     fixtures.Config
		db      string
		method  string
		wantDB  string
		version string
	}{
		{"5.26 home database", fixtures.Neo4j526(), "", routing.MethodRoute, "neo4j", "5.8"},
		{"5.26 named database", fixtures.Neo4j526(), "movies", routing.MethodRoute, "movies", "5.8"},
		{"4.4 named database", fixtures.Neo4j44(), "movies", routing.MethodRoute, "movies", "4.4"},
		// 4.3's ROUTE names the database as a string and its answer has no db.
		{"4.3 named database", neo4j43(), "movies", routing.MethodRoute, "", "4.3"},
		{"4.3 home database", neo4j43(), "", routing.MethodRoute, "", "4.3"},
		{"4.2 home database", fixtures.Neo4j42(), "", routing.MethodProcedure4, "", "4.2"},
		{"4.2 named database", fixtures.Neo4j42(), "movies", routing.MethodProcedure4, "", "4.2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, c.cfg)
			ctx := ctxT(t)
			conn, v, rctx := session(t, ctx, s.Addr())
			if v.String() != c.version {
				t.Fatalf("negotiated %s", v)
			}
			tb, method, err := routing.Fetch(ctx, conn, v, rctx, c.db)
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if method != c.method || tb.Database != c.wantDB || tb.TTL != 300 {
				t.Errorf("method %s db %q ttl %d", method, tb.Database, tb.TTL)
			}
			// A standalone server echoes the routing context's address.
			for _, l := range [][]string{tb.Routers, tb.Readers, tb.Writers} {
				if !slices.Equal(l, []string{s.Addr()}) {
					t.Errorf("table %+v, want %s in every role", tb, s.Addr())
				}
			}
		})
	}
}

func TestFetchBolt3Cluster(t *testing.T) {
	t.Parallel()
	c, err := fixtures.StartCluster(3, fixtures.ClusterConfig{Member: fixtures.Neo4j35()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx := ctxT(t)
	conn, v, rctx := session(t, ctx, c.Members[0].Addr())
	tb, method, err := routing.Fetch(ctx, conn, v, rctx, "")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if method != routing.MethodProcedure3 || len(tb.Routers) != 3 || len(tb.Readers) != 2 || len(tb.Writers) != 1 {
		t.Errorf("method %s table %+v", method, tb)
	}
}

func TestFetchServerErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		cfg    fixtures.Config
		db     string
		method string
		code   string
	}{
		{"3.5 standalone has no routing procedure", fixtures.Neo4j35(), "", routing.MethodProcedure3, "Neo.ClientError.Procedure.ProcedureNotFound"},
		{"ROUTE for a missing database", fixtures.Neo4j526(), "nope", routing.MethodRoute, "Neo.ClientError.Database.DatabaseNotFound"},
		{"4.4 ROUTE for a missing database", fixtures.Neo4j44(), "nope", routing.MethodRoute, "Neo.ClientError.Database.DatabaseNotFound"},
		{"procedure for a missing database", fixtures.Neo4j42(), "nope", routing.MethodProcedure4, "Neo.ClientError.Database.DatabaseNotFound"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, c.cfg)
			ctx := ctxT(t)
			conn, v, rctx := session(t, ctx, s.Addr())
			tb, method, err := routing.Fetch(ctx, conn, v, rctx, c.db)
			var se *bolt.ServerError
			if !errors.As(err, &se) {
				t.Fatalf("Fetch = %+v, %v; want a *bolt.ServerError", tb, err)
			}
			if se.Code != c.code || method != c.method {
				t.Errorf("code %s method %s", se.Code, method)
			}
		})
	}
}

func TestFetchMalformedProcedureAnswers(t *testing.T) {
	t.Parallel()
	servers := []any{map[string]any{"role": "ROUTE", "addresses": []any{"a:1"}}}
	cases := []struct {
		name   string
		result fixtures.Result
		want   string
	}{
		{"no record", fixtures.Result{Fields: []string{"ttl", "servers"}}, "0 records"},
		{"two records", fixtures.Result{Fields: []string{"ttl", "servers"}, Records: [][]any{{int64(1), servers}, {int64(1), servers}}}, "2 records"},
		{"no ttl column", fixtures.Result{Fields: []string{"servers"}, Records: [][]any{{servers}}}, "no ttl"},
		{"servers a string", fixtures.Result{Fields: []string{"ttl", "servers"}, Records: [][]any{{int64(1), "a:1"}}}, "not a list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := fixtures.Neo4j42()
			cfg.Queries = map[string]fixtures.Result{"CALL dbms.routing.getRoutingTable($context, $database)": c.result}
			s := start(t, cfg)
			ctx := ctxT(t)
			conn, v, rctx := session(t, ctx, s.Addr())
			_, _, err := routing.Fetch(ctx, conn, v, rctx, "")
			if !errors.Is(err, routing.ErrMalformed) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Fetch error %v, want ErrMalformed saying %q", err, c.want)
			}
		})
	}
}

// neo4j43 is a 4.3 server: the first with ROUTE, before 4.4 moved the
// database into an extra map.
func neo4j43() fixtures.Config {
	c := fixtures.Neo4j44()
	c.Agent = "Neo4j/4.3.24"
	c.Versions = []fixtures.Range{fixtures.R(4, 3, 0), fixtures.R(3, 0, 0)}
	return c
}

// The database reaches the server in either encoding of ROUTE.
func TestFetchRouteDatabaseEncoding(t *testing.T) {
	t.Parallel()
	for _, cfg := range []fixtures.Config{neo4j43(), fixtures.Neo4j44(), fixtures.Neo4j526()} {
		t.Run(cfg.Agent, func(t *testing.T) {
			t.Parallel()
			s := start(t, cfg)
			ctx := ctxT(t)
			conn, v, rctx := session(t, ctx, s.Addr())
			if _, _, err := routing.Fetch(ctx, conn, v, rctx, "movies"); err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			var dbs []string
			for _, rec := range s.Received() {
				for _, m := range rec.Messages {
					if m.Name == "ROUTE" {
						dbs = append(dbs, m.DB)
					}
				}
			}
			if !slices.Equal(dbs, []string{"movies"}) {
				t.Errorf("ROUTE databases %q, want [movies]", dbs)
			}
		})
	}
}
