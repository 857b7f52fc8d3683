package checks

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
	"github.com/neo4j-doctor/neo4j-doctor/generation"
)

// TestJudgeAccess judges every outcome the access step can have, as a
// user reads it: the status, the code, a phrase of the summary and of the
// first hint.
func TestJudgeAccess(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	v5 := bolt.Version{Major: 5, Minor: 8}
	v526 := generation.Server{Gen: generation.V5}
	one := func(db string) bolt.QueryResult {
		return bolt.QueryResult{Fields: []string{"1"}, Records: [][]any{{int64(1)}}, Summary: map[string]any{"db": db}}
	}
	type row struct {
		name, access, current, requested string
		home, dflt, writer               bool
	}
	dbs := func(rows ...row) bolt.QueryResult {
		q := bolt.QueryResult{Fields: []string{"name", "type", "aliases", "access", "address", "role", "writer", "requestedStatus", "currentStatus", "statusMessage", "default", "home", "constituents"}}
		for _, r := range rows {
			q.Records = append(q.Records, []any{r.name, "standard", []any{}, r.access, "db.example.com:7687", "primary", r.writer, r.requested, r.current, "", r.dflt, r.home, []any{}})
		}
		return q
	}
	neo4j := row{name: "neo4j", access: "read-write", current: "online", requested: "online", home: true, dflt: true, writer: true}
	system := row{name: "system", access: "read-write", current: "online", requested: "online", writer: true}
	user := func(name string, home any, roles ...any) bolt.QueryResult {
		return bolt.QueryResult{Fields: []string{"user", "roles", "passwordChangeRequired", "suspended", "home"},
			Records: [][]any{{name, roles, false, false, home}}}
	}
	healthy := func() accessOutcome {
		return accessOutcome{version: v5, srv: v526, now: now, login: 3 * time.Millisecond,
			results: []bolt.QueryResult{one("neo4j"), dbs(neo4j, system), user("neo4j", nil, "PUBLIC", "admin")},
			errs:    make([]error, 3)}
	}
	on := func(out accessOutcome, f func(*accessOutcome)) accessOutcome { f(&out); return out }
	failure := func(request, code, msg string) error {
		return &bolt.ServerError{Request: request, Code: code, Message: msg, GQLStatus: "42NFF"}
	}
	ignored := &bolt.PeerError{Step: "RUN", Err: bolt.ErrIgnored}
	forbidden := failure("RUN", "Neo.ClientError.Security.Forbidden", "Database access is not allowed for user 'app' with roles [PUBLIC, reader].")
	refused := failure("RUN", "Neo.ClientError.Security.Forbidden", "Impersonating user 'bob' is not allowed for user 'neo4j' with roles [PUBLIC].")
	expired := failure("RUN", "Neo.ClientError.Security.AuthorizationExpired", "LDAP authorization info expired.")
	probe := func(err error) *probeOutcome {
		p := &probeOutcome{where: "db.example.com:7687", db: "neo4j", err: err, sent: true}
		if err != nil {
			p.rollback = ignored
		}
		return p
	}
	token := func(c tokenClaims) func(*accessOutcome) {
		return func(o *accessOutcome) { o.claims = &c }
	}
	clock := func(at time.Time) func(*accessOutcome) {
		return func(o *accessOutcome) {
			o.results = append(o.results, bolt.QueryResult{Fields: []string{"datetime.realtime()"},
				Records: [][]any{{&packstream.Struct{Tag: 'I', Fields: []any{at.Unix(), int64(0), int64(0)}}}}})
			o.errs = append(o.errs, nil)
		}
	}
	bearer := func(t *Target) {
		t.Username, t.Password, t.BearerToken = "", "", baqPassword
		t.Info.Settings = map[string]Setting{"bearer-token": {Source: "env", From: "NEO4J_BEARER_TOKEN"}}
	}
	named := func(db string) func(*Target) { return func(t *Target) { t.Database = db } }
	imp := func(user string) func(*Target) { return func(t *Target) { t.Impersonate = user } }

	cases := []struct {
		name   string
		target func(*Target)
		out    accessOutcome
		want   baqWant
		facts  map[string]string // facts that must be there, by name
		hint2  string
	}{
		{name: "pass", out: healthy(),
			want:  baqWant{Pass, "", "neo4j may access database neo4j", ""},
			facts: map[string]string{"user": "neo4j", "roles": "PUBLIC, admin", "home database": "neo4j", "database": "neo4j (the home database)", "DBMS default": "neo4j", "access": "read-write", "status": "online", "writer": "db.example.com:7687"}},
		{name: "pass, the write probe rolled back", target: func(t *Target) { t.WriteProbe = true }, out: on(healthy(), func(o *accessOutcome) { o.probe = probe(nil) }),
			want:  baqWant{Pass, "", "neo4j may read and write database neo4j (the write probe was rolled back)", ""},
			facts: map[string]string{"write probe": "CREATE () in a write transaction on database neo4j at db.example.com:7687 (the server in your URI), then ROLLBACK", "write probe outcome": "written, then rolled back"}},
		{name: "pass on Bolt 3", out: accessOutcome{version: bolt.Version{Major: 3}, srv: generation.Server{Gen: generation.V35}, now: now},
			want:  baqWant{Pass, "", "neo4j on the server's one database (Bolt 3.0)", ""},
			facts: map[string]string{"databases": "has one database, and no SHOW DATABASES or SHOW CURRENT USER"}},
		{name: "pass with authentication disabled", target: func(t *Target) { t.Username, t.Password = "", "" },
			out:   on(healthy(), func(o *accessOutcome) { o.results[stUser] = bolt.QueryResult{Fields: []string{"user"}} }),
			want:  baqWant{Pass, "", "anyone (authentication is disabled) may access database neo4j", ""},
			facts: map[string]string{"user": "none: authentication is disabled"}},
		{name: "pass on Community Edition", out: on(healthy(), func(o *accessOutcome) {
			o.results[stUser] = bolt.QueryResult{Fields: []string{"user", "passwordChangeRequired"}, Records: [][]any{{"neo4j", false}}}
		}),
			want: baqWant{Pass, "", "neo4j may access database neo4j", ""}, facts: map[string]string{"roles": "not shown (Community Edition has no roles)"}},
		{name: "RETURN 1 failed, not for access", target: named("movies"), out: on(healthy(), func(o *accessOutcome) {
			o.errs[stReturn] = failure("RUN", "Neo.ClientError.Database.DatabaseNotFound", "Database does not exist. Database name: 'movies'.")
		}),
			want:  baqWant{Pass, "", "neo4j: database movies not reached (DatabaseNotFound)", ""},
			facts: map[string]string{"RETURN 1": "failed: Neo.ClientError.Database.DatabaseNotFound"}},
		{name: "a read privilege refused is the query check's", out: on(healthy(), func(o *accessOutcome) {
			o.errs[stReturn] = failure("RUN", "Neo.ClientError.Security.Forbidden", "Read operations are not allowed for user 'neo4j'.")
		}),
			want: baqWant{Pass, "", "neo4j: database neo4j not reached (Forbidden)", ""}},

		{name: "forbidden", target: func(t *Target) { t.Username, t.Database = "app", "payroll" }, out: on(healthy(), func(o *accessOutcome) {
			o.errs[stReturn] = forbidden
			o.results[stUser] = user("app", nil, "PUBLIC", "reader")
		}),
			want:  baqWant{Fail, "access.forbidden", "user app may not access database payroll: the server refused it", "grant the role reader of app access to database payroll, as an admin on the system database: `GRANT ACCESS ON DATABASE payroll TO reader`"},
			hint2: "or connect to a database app may access: neo4j, system"},
		{name: "forbidden, the home database, only PUBLIC", target: func(t *Target) { t.Username = "app" }, out: on(healthy(), func(o *accessOutcome) {
			o.errs[stReturn] = forbidden
			o.results[stUser] = user("app", "payroll", "PUBLIC")
		}),
			want: baqWant{Fail, "access.forbidden", "user app may not access database payroll", "grant a role of app's access to database payroll (app has only PUBLIC, which every user has: give it a role of its own), as an admin on the system database: `GRANT ACCESS ON DATABASE payroll TO <role>`"}},
		{name: "forbidden, a name Cypher quotes", target: func(t *Target) { t.Username, t.Database = "app", "pay-roll" }, out: on(healthy(), func(o *accessOutcome) {
			o.errs[stReturn] = forbidden
			o.results[stUser] = user("app", nil, "PUBLIC", "reader")
		}),
			want: baqWant{Fail, "access.forbidden", "database pay-roll", "GRANT ACCESS ON DATABASE `pay-roll` TO reader"}},
		{name: "home database not the default", target: func(t *Target) { t.Username = "bob" }, out: on(healthy(), func(o *accessOutcome) {
			o.results[stReturn] = one("movies")
			o.results[stDatabases] = dbs(row{name: "neo4j", access: "read-write", current: "online", requested: "online", dflt: true, writer: true},
				row{name: "movies", access: "read-write", current: "online", requested: "online", home: true, writer: true}, system)
			o.results[stUser] = user("bob", "movies", "PUBLIC")
		}),
			want:  baqWant{Warn, "access.home_not_default", "the home database of bob is movies, not the DBMS default neo4j: applications that name no database use movies", "name the database your data is in: -d neo4j here"},
			hint2: "`ALTER USER bob SET HOME DATABASE neo4j`"},
		{name: "read-only", out: on(healthy(), func(o *accessOutcome) {
			o.results[stDatabases] = dbs(row{name: "neo4j", access: "read-only", current: "online", requested: "online", home: true, dflt: true, writer: true}, system)
		}),
			want:  baqWant{Warn, "access.read_only", "database neo4j is read-only: writes to it fail", "make it writable again, as an admin on the system database: `ALTER DATABASE neo4j SET ACCESS READ WRITE`"},
			hint2: "if a server setting makes it read-only there, change it in neo4j.conf: server.databases.read_only, or server.databases.default_to_read_only"},
		{name: "read-only on Aura", out: on(healthy(), func(o *accessOutcome) {
			o.srv.Aura = true
			o.results[stDatabases] = dbs(row{name: "neo4j", access: "read-only", current: "online", requested: "online", home: true, dflt: true, writer: true}, system)
		}),
			want: baqWant{Warn, "access.read_only", "is read-only", "Aura lets no user alter a database"}},
		{name: "read-only, the write probe refused", target: func(t *Target) { t.WriteProbe = true }, out: on(healthy(), func(o *accessOutcome) {
			o.results[stDatabases] = dbs(row{name: "neo4j", access: "read-only", current: "online", requested: "online", home: true, dflt: true, writer: true}, system)
			o.probe = probe(failure("PULL", "Neo.ClientError.General.WriteOnReadOnlyAccessDatabase", "No write operations are allowed on this database."))
		}),
			want:  baqWant{Fail, "access.read_only", "database neo4j is read-only: the write probe was refused", "`ALTER DATABASE neo4j SET ACCESS READ WRITE`"},
			facts: map[string]string{"write probe outcome": "refused: nothing was written, and the transaction was rolled back"}},
		{name: "a read replica refuses the write over bolt://", target: func(t *Target) { t.WriteProbe = true }, out: on(healthy(), func(o *accessOutcome) {
			o.srv = generation.Server{Gen: generation.V4}
			o.probe = probe(failure("PULL", "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase", "This is a read only Neo4j instance."))
		}),
			want:  baqWant{Fail, "access.read_only", "db.example.com:7687 refuses writes to database neo4j: it is a read-only server or database", "if this server is one of the read replicas, writes must go to the writer: connect with neo4j://"},
			hint2: "`ALTER DATABASE neo4j SET ACCESS READ WRITE`"},
		{name: "not online", out: on(healthy(), func(o *accessOutcome) {
			o.results[stDatabases] = dbs(row{name: "neo4j", access: "read-write", current: "starting", requested: "online", home: true, dflt: true, writer: true}, system)
		}),
			want:  baqWant{Warn, "access.database_not_online", "SHOW DATABASES says database neo4j is starting on 1 of 1 servers", "wait for it to come online"},
			facts: map[string]string{"status": "starting on 1 of 1 servers (requested online)"}},
		{name: "not online, and RETURN 1 says so: the routing or query check's", out: on(healthy(), func(o *accessOutcome) {
			o.errs[stReturn] = failure("RUN", "Neo.TransientError.General.DatabaseUnavailable", "Database 'neo4j' is unavailable.")
			o.results[stDatabases] = dbs(row{name: "neo4j", access: "read-write", current: "offline", requested: "offline", home: true, dflt: true}, system)
		}),
			want:  baqWant{Pass, "", "neo4j: database neo4j not reached (DatabaseUnavailable)", ""},
			facts: map[string]string{"status": "offline on 1 of 1 servers (requested offline)"}},
		{name: "impersonation refused", target: imp("bob"), out: on(healthy(), func(o *accessOutcome) {
			o.errs = []error{refused, ignored, ignored}
			o.errs[stDatabases], o.errs[stUser] = refused, refused
		}),
			want:  baqWant{Fail, "access.impersonation_refused", "neo4j may not impersonate bob: the server refused every statement run as bob", "grant a role of neo4j's the privilege to impersonate bob, as an admin on the system database: `GRANT IMPERSONATE (bob) ON DBMS TO <role>`"},
			hint2: "or leave out --impersonate to run the checks as neo4j"},
		{name: "impersonating", target: imp("bob"), out: on(healthy(), func(o *accessOutcome) {
			o.results[stReturn] = one("movies")
			o.results[stUser] = user("bob", "movies", "PUBLIC", "analyst")
			o.results[stDatabases] = dbs(row{name: "neo4j", access: "read-write", current: "online", requested: "online", dflt: true, writer: true},
				row{name: "movies", access: "read-write", current: "online", requested: "online", home: true, writer: true}, system)
		}),
			// bob's home is not the default: warned, as for bob himself.
			want:  baqWant{Warn, "access.home_not_default", "the home database of bob is movies", "-d neo4j"},
			facts: map[string]string{"ran as": "bob, impersonated by neo4j", "roles": "PUBLIC, analyst"}},
		{name: "impersonation before 4.4", target: imp("bob"), out: on(healthy(), func(o *accessOutcome) {
			o.version, o.srv = bolt.Version{Major: 4, Minor: 2}, generation.Server{Gen: generation.V4}
			o.results[stDatabases] = bolt.QueryResult{Fields: []string{"name", "address", "role", "requestedStatus", "currentStatus", "error", "default"},
				Records: [][]any{{"neo4j", "db.example.com:7687", "standalone", "online", "online", "", true}}}
		}),
			want: baqWant{Fail, "access.impersonation_unsupported", "--impersonate bob needs Bolt 4.4 (Neo4j 4.4 or later), and the server speaks Bolt 4.2: the statements ran as neo4j", "leave out --impersonate for this server, or upgrade it"}},
		{name: "authorization expired", out: on(healthy(), func(o *accessOutcome) {
			closed := errors.New("bolt: RUN: connection unusable after an earlier failure")
			o.errs = []error{expired, closed, closed}
		}),
			want:  baqWant{Fail, "access.authorization_expired", "the server's identity provider (LDAP/SSO) is failing; your credentials are probably fine", "could not renew what it said of the user when the server's cached copy expired"},
			hint2: "`dbms.security.ldap.authorization.use_system_account=true`"},
		{name: "authorization expired on Aura", out: on(healthy(), func(o *accessOutcome) {
			o.srv.Aura = true
			o.errs = []error{expired, ignored, ignored}
		}),
			want: baqWant{Fail, "access.authorization_expired", "your credentials are probably fine", "Aura has no LDAP"}},
		{name: "slow login", out: on(healthy(), func(o *accessOutcome) { o.login = 2500 * time.Millisecond }),
			want:  baqWant{Warn, "access.slow_login", "logging in takes seconds: the server's identity provider (LDAP/SSO) is slow to answer", "have the DBMS administrator check how fast the LDAP server of dbms.security.ldap.host, or the SSO provider of dbms.security.oidc.<provider>.well_known_discovery_uri answers"},
			facts: map[string]string{"login took": "2.5s"}},
		{name: "SHOW CURRENT USER refused", target: func(t *Target) { t.Username = "app" }, out: on(healthy(), func(o *accessOutcome) {
			o.errs[stUser] = failure("RUN", "Neo.ClientError.Security.Forbidden", "Permission denied for SHOW USER.")
		}),
			want: baqWant{Warn, "access.unknown_user", "the server refused SHOW CURRENT USER to app: its roles and home database are not known", "SHOW CURRENT USER needs no privilege"}},
		{name: "no SHOW CURRENT USER (4.0, 4.1)", out: on(healthy(), func(o *accessOutcome) {
			o.srv = generation.Server{Gen: generation.V4}
			o.errs[stUser] = failure("RUN", "Neo.ClientError.Statement.SyntaxError", "Invalid input 'CURRENT'")
		}),
			want: baqWant{Warn, "access.unknown_user", "the server has no SHOW CURRENT USER (Neo4j 4.0 and 4.1 lack it)", "upgrade the server to have it (SHOW CURRENT USER came with 4.2): no 4.x goes straight to 2025.x"}},

		{name: "write forbidden", target: func(t *Target) { t.Username, t.WriteProbe = "app", true }, out: on(healthy(), func(o *accessOutcome) {
			o.results[stUser] = user("app", nil, "PUBLIC", "reader")
			o.probe = probe(failure("PULL", "Neo.ClientError.Security.Forbidden", "Create node with labels '' on database 'neo4j' is not allowed for user 'app' with roles [PUBLIC, reader]."))
		}),
			want:  baqWant{Fail, "access.write_forbidden", "user app may read database neo4j but not write to it: the write probe was refused", "grant the role reader of app the write privilege on database neo4j, as an admin on the system database: `GRANT WRITE ON GRAPH neo4j TO reader`"},
			hint2: "or run the write probe as a user meant to write"},
		{name: "write forbidden on 3.5", target: func(t *Target) { t.Username, t.WriteProbe = "app", true }, out: on(healthy(), func(o *accessOutcome) {
			o.version, o.srv, o.results, o.errs = bolt.Version{Major: 3}, generation.Server{Gen: generation.V35}, nil, nil
			o.probe = probe(failure("PULL", "Neo.ClientError.Security.Forbidden", "Write operations are not allowed for user 'app' with roles [reader]."))
			o.probe.db = ""
		}),
			want: baqWant{Fail, "access.write_forbidden", "user app may read the home database but not write to it", "give app the built-in role that writes, as an admin: `CALL dbms.security.addRoleToUser('publisher', 'app')`"}},
		{name: "not the leader over bolt://", target: func(t *Target) { t.WriteProbe = true }, out: on(healthy(), func(o *accessOutcome) {
			o.probe = probe(failure("PULL", "Neo.ClientError.Cluster.NotALeader", "No write operations are allowed directly on this database."))
		}),
			want:  baqWant{Fail, "access.not_leader", "writes fail: db.example.com:7687 is not the leader of database neo4j, and bolt:// sends every write to it", "so that the driver sends writes to the leader and follows it when it changes, connect applications with `neo4j://db.example.com:7687`"},
			hint2: "on every server set `dbms.routing.enabled=true` and `dbms.routing.default_router=SERVER`"},
		{name: "not the leader over bolt+s://, 4.4", target: func(t *Target) { t.WriteProbe, t.Scheme, t.TLS = true, "bolt+s", TLSVerify }, out: on(healthy(), func(o *accessOutcome) {
			o.srv = generation.Server{Gen: generation.V4}
			o.probe = probe(failure("PULL", "Neo.ClientError.Cluster.NotALeader", "No write operations are allowed directly on this database."))
		}),
			want:  baqWant{Fail, "access.not_leader", "bolt+s:// sends every write to it", "`neo4j+s://db.example.com:7687`"},
			hint2: "`dbms.routing.enabled=true`"},
		{name: "not the leader the table named", target: func(t *Target) { t.WriteProbe, t.Scheme, t.Routing = true, "neo4j", true }, out: on(healthy(), func(o *accessOutcome) {
			o.probe = probe(failure("PULL", "Neo.ClientError.Cluster.NotALeader", "No write operations are allowed directly on this database."))
		}),
			want: baqWant{Fail, "access.not_leader", "the routing table names db.example.com:7687 as the writer of database neo4j, but it is not the leader", "run again in a moment: the leader may just have changed; if this stays, check the cluster's state with `SHOW SERVERS`"}},
		{name: "the probe failed", target: func(t *Target) { t.WriteProbe = true }, out: on(healthy(), func(o *accessOutcome) {
			o.probe = probe(failure("BEGIN", "Neo.TransientError.Transaction.Terminated", "The transaction has been terminated."))
		}),
			want: baqWant{Fail, "access.write_failed", "the write probe failed: Neo.TransientError.Transaction.Terminated", "see the server's message above"}},
		{name: "the probe's connection broke", target: func(t *Target) { t.WriteProbe = true }, out: on(healthy(), func(o *accessOutcome) {
			o.probe = probe(&bolt.PeerError{Step: "PULL", Err: bolt.ErrClosed})
		}),
			want: baqWant{Fail, "access.write_failed", "the write probe failed: the server closed the connection during PULL", "debug.log"}},
		{name: "no writer for the probe", target: func(t *Target) { t.WriteProbe, t.Routing = true, true }, out: on(healthy(), func(o *accessOutcome) {
			o.probe = &probeOutcome{noWriter: true, db: "neo4j"}
		}),
			want: baqWant{Fail, "access.write_failed", "the write probe found no server to write to: the routing table names no writer", "writes fail until the cluster has a leader for database neo4j: see its state with `SHOW SERVERS`"}},
		{name: "the writer unreachable", target: func(t *Target) { t.WriteProbe, t.Routing = true, true }, out: on(healthy(), func(o *accessOutcome) {
			o.probe = &probeOutcome{where: "core-0.example.com:7687", db: "neo4j",
				conn: &Result{ID: "tcp", Status: Fail, Summary: "core-0.example.com:7687 refused the connection", Hints: []string{"start the DBMS on core-0", "a note"}}}
		}),
			want: baqWant{Fail, "access.write_failed", "the write probe could not reach the writer core-0.example.com:7687: core-0.example.com:7687 refused the connection", "start the DBMS on core-0"}},
		{name: "ROLLBACK failed", target: func(t *Target) { t.WriteProbe = true }, out: on(healthy(), func(o *accessOutcome) {
			o.probe = probe(nil)
			o.probe.rollback = failure("ROLLBACK", "Neo.DatabaseError.Transaction.TransactionRollbackFailed", "boom")
		}),
			want: baqWant{Fail, "access.write_failed", "the write went through, but the server failed its ROLLBACK", "nothing is kept: the server discards an open transaction when its connection closes"}},

		{name: "a bearer token", target: bearer, out: on(on(healthy(), token(tokenClaims{Exp: now.Add(8 * time.Hour), Iss: "https://idp.example.com/", Aud: []string{"neo4j"}})), func(o *accessOutcome) {
			o.results[stUser] = user("alice", nil, "PUBLIC")
		}),
			want:  baqWant{Pass, "", "alice may access database neo4j", ""},
			facts: map[string]string{"token expires": "2026-12-05T20:00:00Z (in 8 hours)", "token issuer": "https://idp.example.com/", "token audience": "neo4j"}},
		{name: "a bearer token that is no JWT", target: bearer, out: on(healthy(), func(o *accessOutcome) { o.claims, o.claimsErr = &tokenClaims{}, errTokenNotJWT }),
			want: baqWant{Pass, "", "may access database neo4j", ""}, facts: map[string]string{"token": "not read: it is not a JWT"}},
		{name: "token expires soon", target: bearer, out: on(on(healthy(), token(tokenClaims{Exp: now.Add(25 * time.Minute)})), clock(now)),
			want:  baqWant{Warn, "access.token_expires_soon", "the bearer token expires in 25 minutes: connections outlive it", "renew the token before it expires"},
			facts: map[string]string{"server clock": "2026-12-05T12:00:00Z"}},
		{name: "token expired", target: bearer, out: on(healthy(), token(tokenClaims{Exp: now.Add(-3 * time.Minute)})),
			want: baqWant{Fail, "access.token_expired", "the bearer token expired 3 minutes ago by this machine's clock: new connections with it fail", "get a fresh token from your identity provider and pass it in place of NEO4J_BEARER_TOKEN from the environment"}},
		{name: "token expired by the server's clock", target: bearer, out: on(on(healthy(), token(tokenClaims{Exp: now.Add(2 * time.Hour)})), clock(now.Add(3*time.Hour))),
			want:  baqWant{Fail, "access.token_expired", "the bearer token has expired by the server's clock", "get a fresh token"},
			hint2: "this machine's clock is behind the server's", facts: map[string]string{"server clock": "(this machine's clock is 3 hours behind)"}},
		{name: "token not yet valid", target: bearer, out: on(healthy(), token(tokenClaims{Nbf: now.Add(10 * time.Minute), Exp: now.Add(5 * time.Hour)})),
			want: baqWant{Fail, "access.token_not_yet_valid", "the bearer token is not valid until 2026-12-05T12:10:00Z, in 10 minutes", "check the clocks of this machine, the server and the identity provider"}},
		{name: "the server's clock not read", target: bearer, out: on(on(healthy(), token(tokenClaims{Exp: now.Add(5 * time.Hour)})), func(o *accessOutcome) {
			o.results = append(o.results, bolt.QueryResult{})
			o.errs = append(o.errs, failure("RUN", "Neo.ClientError.Statement.SyntaxError", "Invalid input"))
		}),
			want: baqWant{Pass, "", "may access", ""}, facts: map[string]string{"server clock": "not read: Neo.ClientError.Statement.SyntaxError"}},

		// Several findings: the worst is the summary and the fix, the
		// others follow as facts and notes.
		{name: "read-only and slow", out: on(healthy(), func(o *accessOutcome) {
			o.login = 3 * time.Second
			o.results[stDatabases] = dbs(row{name: "neo4j", access: "read-only", current: "online", requested: "online", home: true, dflt: true, writer: true}, system)
		}),
			want:  baqWant{Warn, "access.read_only", "database neo4j is read-only", "`ALTER DATABASE neo4j SET ACCESS READ WRITE`"},
			facts: map[string]string{"also": "logging in takes seconds"}},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tt := baqTarget()
			if c.target != nil {
				c.target(tt)
			}
			res := judgeAccess(tt, c.out)
			baqCheck(t, res, c.want)
			seen[res.Code] = true
			for name, v := range c.facts {
				if got := baqFact(res, name); !strings.Contains(got, v) {
					t.Errorf("fact %s = %q, want it to say %q; facts %v", name, got, v, res.Facts)
				}
			}
			if c.hint2 != "" && (len(res.Hints) < 2 || !strings.Contains(res.Hints[1], c.hint2)) {
				t.Errorf("hints %q, want the second to say %q", res.Hints, c.hint2)
			}
			for _, f := range res.Facts {
				if f.Name == "login took" && f.Verbose != (c.out.login < slowLogin) {
					t.Errorf("login took %s: verbose %v", f.Value, f.Verbose)
				}
			}
			var se *bolt.ServerError
			for _, err := range append(c.out.errs, probeErr(c.out.probe)) {
				if res.Status == Fail && errors.As(err, &se) && statementFailure(err) != failNone && statementFailure(err) != failOther {
					if v, _ := baqEvidence(res, "code"); v != se.Code {
						t.Errorf("evidence %v, want the server's code %s", res.Evidence, se.Code)
					}
				}
			}
		})
	}
	baqCodes(t, accessCheck, seen, []string{"access.database_not_online"})
}

func probeErr(p *probeOutcome) error {
	if p == nil {
		return nil
	}
	return p.err
}

// TestServerClock reads datetime.realtime() as every Bolt version sends it.
func TestServerClock(t *testing.T) {
	want := time.Date(2026, 12, 5, 12, 0, 0, 5, time.UTC)
	one := func(v any) bolt.QueryResult { return bolt.QueryResult{Records: [][]any{{v}}} }
	for name, c := range map[string]struct {
		q  bolt.QueryResult
		ok bool
	}{
		"Bolt 5, offset":     {one(&packstream.Struct{Tag: 'I', Fields: []any{want.Unix(), int64(5), int64(3600)}}), true},
		"Bolt 5, zone":       {one(&packstream.Struct{Tag: 'i', Fields: []any{want.Unix(), int64(5), "Europe/Stockholm"}}), true},
		"Bolt 4, offset":     {one(&packstream.Struct{Tag: 'F', Fields: []any{want.Unix() + 3600, int64(5), int64(3600)}}), true},
		"Bolt 4, UTC zone":   {one(&packstream.Struct{Tag: 'f', Fields: []any{want.Unix(), int64(5), "UTC"}}), true},
		"not a date":         {one("12:00"), false},
		"a date of nonsense": {one(&packstream.Struct{Tag: 'I', Fields: []any{"x", int64(5), int64(0)}}), false},
		"nanos out of range": {one(&packstream.Struct{Tag: 'I', Fields: []any{want.Unix(), int64(2e9), int64(0)}}), false},
		"no record":          {bolt.QueryResult{}, false},
	} {
		got, ok := serverClock(c.q)
		if ok != c.ok || ok && !got.Equal(want) {
			t.Errorf("%s: %v %v, want %v %v", name, got, ok, want, c.ok)
		}
	}
}
