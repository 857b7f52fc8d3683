package checks_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// The access check against real fixture servers: who the user is, which
// database the run reaches, what the server lets it do there, and the
// write probe. Each test asserts what a user reads: the status, the code,
// a phrase of the summary and of the first hint.

// wantAccess asserts the access check's status, code, a phrase of its
// summary and one of its first hint ("" for none).
func wantAccess(t *testing.T, rep *checks.Report, status checks.Status, code, summary, fix string) checks.Result {
	t.Helper()
	r := result(t, rep, "access")
	if r.Status != status || r.Code != code {
		t.Errorf("access: %s %q (%q), want %s %q", r.Status, r.Code, r.Summary, status, code)
	}
	if !containsFold(r.Summary, summary) {
		t.Errorf("access: summary %q does not say %q", r.Summary, summary)
	}
	switch {
	case fix == "" && status != checks.Pass:
	case fix == "" && len(r.Hints) > 0:
		t.Errorf("access: a pass with hints %q", r.Hints)
	case fix != "" && (len(r.Hints) == 0 || !containsFold(r.Hints[0], fix)):
		t.Errorf("access: first hint %q, want it to say %q", r.Hints, fix)
	}
	return r
}

func wantFact(t *testing.T, r checks.Result, name, value string) {
	t.Helper()
	if v, ok := fact(r, name); !ok || !containsFold(v, value) {
		t.Errorf("%s: fact %s = %q (present %v), want it to say %q; facts %v", r.ID, name, v, ok, value, r.Facts)
	}
}

// accounts is a DBMS with a reader who may not see payroll, whose home is
// movies, and who may impersonate bob.
func accounts(c fixtures.Config) fixtures.Config {
	c.Users = map[string]string{testUser: testPass, "app": testPass, "bob": testPass}
	c.Databases = []fixtures.Database{{Name: "neo4j"}, {Name: "system"}, {Name: "movies"}, {Name: "payroll"}}
	c.Accounts = map[string]fixtures.Account{
		"app": {Roles: []string{"PUBLIC", "reader"}, DeniedDatabases: []string{"payroll"}},
		"bob": {Roles: []string{"PUBLIC", "analyst"}, Home: "movies"},
	}
	return c
}

func TestAccessHealthy(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"bolt", "neo4j"} {
		t.Run(scheme, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, withUsers(fixtures.Neo4j526()))
			rep := run(t, target{uri: s.URI(scheme)})
			wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
			r := wantAccess(t, rep, checks.Pass, "", "neo4j may access database neo4j", "")
			for name, value := range map[string]string{"user": "neo4j", "roles": "PUBLIC", "home database": "neo4j",
				"database": "neo4j (the home database)", "DBMS default": "neo4j", "access": "read-write", "status": "online", "writer": s.Addr()} {
				wantFact(t, r, name, value)
			}
			for _, f := range r.Facts {
				if f.Name == "login took" && !f.Verbose {
					t.Errorf("a fast login's time is not verbose: %+v", f)
				}
			}
			// Nothing is written without --write-probe.
			for _, m := range allMessages(s) {
				if m.Name == "BEGIN" || m.Name == "COMMIT" || m.Mode == "w" || strings.HasPrefix(strings.ToUpper(m.Query), "CREATE") {
					t.Errorf("without --write-probe the server got %+v", m)
				}
			}
		})
	}
}

func TestAccessForbidden(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"bolt", "neo4j"} {
		t.Run(scheme, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, accounts(fixtures.Neo4j526()))
			rep := run(t, target{uri: s.URI(scheme), user: "app", database: "payroll"})
			wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
			r := wantAccess(t, rep, checks.Fail, "access.forbidden", "user app may not access database payroll: the server refused it",
				"grant the role reader of app access to database payroll, as an admin on the system database: `GRANT ACCESS ON DATABASE payroll TO reader`")
			if v, _ := evidence(r, "code"); v != "Neo.ClientError.Security.Forbidden" {
				t.Errorf("code evidence %q", v)
			}
			if v, _ := evidence(r, "message"); !strings.Contains(v, "Database access is not allowed for user 'app'") {
				t.Errorf("message evidence %q", v)
			}
			wantFact(t, r, "roles", "PUBLIC, reader")
			wantCheck(t, rep, "query", checks.Skip, "not run: access failed")
			if scheme == "neo4j" {
				// ROUTE to a database the user may not access succeeds:
				// routing is not where it shows.
				wantCheck(t, rep, "routing", checks.Pass, "database payroll")
			}
			if len(r.Hints) < 2 || r.Hints[1] != "or connect to a database app may access: neo4j, system, movies" {
				t.Errorf("hints %q, want the databases app may access second, without payroll", r.Hints)
			}
		})
	}
}

// A home database the user may not access: the name comes from SHOW
// CURRENT USER, since Forbidden does not name it.
func TestAccessForbiddenHome(t *testing.T) {
	t.Parallel()
	cfg := accounts(fixtures.Neo4j526())
	cfg.Accounts["app"] = fixtures.Account{Roles: []string{"PUBLIC"}, Home: "payroll", DeniedDatabases: []string{"payroll"}}
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt"), user: "app"})
	r := wantAccess(t, rep, checks.Fail, "access.forbidden", "user app may not access database payroll",
		"grant a role of app's access to database payroll (app has only PUBLIC, which every user has: give it a role of its own)")
	if !anyContains(r.Hints[:1], "`GRANT ACCESS ON DATABASE payroll TO <role>`") {
		t.Errorf("first hint %q, want the statement with a role to fill in", r.Hints[0])
	}
}

func TestAccessHomeNotDefault(t *testing.T) {
	t.Parallel()
	s := startServer(t, accounts(fixtures.Neo4j526()))
	rep := run(t, target{uri: s.URI("neo4j"), user: "bob"})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantAccess(t, rep, checks.Warn, "access.home_not_default",
		"the home database of bob is movies, not the DBMS default neo4j: applications that name no database use movies",
		"name the database your data is in: -d neo4j here")
	if len(r.Hints) < 2 || !strings.Contains(r.Hints[1], "`ALTER USER bob SET HOME DATABASE neo4j`") {
		t.Errorf("hints %q, want the second to make neo4j bob's home", r.Hints)
	}
	wantCheck(t, rep, "query", checks.Pass, "database movies")
	// Named, the same database is no warning.
	rep = run(t, target{uri: s.URI("neo4j"), user: "bob", database: "movies"})
	wantAccess(t, rep, checks.Pass, "", "bob may access database movies", "")
}

func TestAccessReadOnly(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.Databases = []fixtures.Database{{Name: "neo4j", ReadOnly: true}, {Name: "system"}}
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt")})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantAccess(t, rep, checks.Warn, "access.read_only", "database neo4j is read-only: writes to it fail",
		"make it writable again, as an admin on the system database: `ALTER DATABASE neo4j SET ACCESS READ WRITE`")
	if !anyContains(r.Hints, "server.databases.read_only") {
		t.Errorf("hints %q, want the read-only setting of 5.x", r.Hints)
	}
	// With the write probe, the refusal is the verdict.
	rep = run(t, target{uri: s.URI("bolt"), writeProbe: true})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r = wantAccess(t, rep, checks.Fail, "access.read_only", "database neo4j is read-only: the write probe was refused",
		"`ALTER DATABASE neo4j SET ACCESS READ WRITE`")
	if v, _ := evidence(r, "code"); v != "Neo.ClientError.General.WriteOnReadOnlyAccessDatabase" {
		t.Errorf("code evidence %q", v)
	}
	wantFact(t, r, "write probe outcome", "refused: nothing was written")
	noCommit(t, s)
	if a := rep.Access; a == nil || a.Mode != "read-only" || a.WriteProbe != "Neo.ClientError.General.WriteOnReadOnlyAccessDatabase" {
		t.Errorf("Report.Access %+v, want read-only and the probe's code", a)
	}
}

// Before 4.3 a read-only database refuses as a read-only instance, and
// SHOW DATABASES has no access column: only the probe tells.
func TestAccessReadOnly42(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j42())
	cfg.Databases = []fixtures.Database{{Name: "neo4j", ReadOnly: true}, {Name: "system"}}
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt")})
	wantAccess(t, rep, checks.Pass, "", "neo4j may access database neo4j", "")
	rep = run(t, target{uri: s.URI("bolt"), writeProbe: true})
	r := wantAccess(t, rep, checks.Fail, "access.read_only", "refuses writes to database neo4j: it is a read-only server or database",
		"if this server is one of the read replicas, writes must go to the writer: connect with neo4j://")
	if !anyContains(r.Hints, "dbms.databases.read_only") || anyContains(r.Hints, "server.databases") {
		t.Errorf("hints %q, want 4.x's read-only settings", r.Hints)
	}
	noCommit(t, s)
}

func TestAccessDatabaseNotOnline(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.Databases = []fixtures.Database{{Name: "neo4j", CurrentStatus: "starting"}, {Name: "system"}}
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt")})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantAccess(t, rep, checks.Warn, "access.database_not_online", "SHOW DATABASES says database neo4j is starting on 1 of 1 servers",
		"wait for it to come online")
	wantFact(t, r, "status", "starting on 1 of 1 servers (requested online)")
}

func TestAccessImpersonation(t *testing.T) {
	t.Parallel()
	cfg := accounts(fixtures.Neo4j526())
	cfg.Accounts[testUser] = fixtures.Account{Roles: []string{"PUBLIC", "admin"}, Impersonate: []string{"bob"}}
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt"), impersonate: "bob", database: "movies"})
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantAccess(t, rep, checks.Pass, "", "bob (impersonated) may access database movies", "")
	wantFact(t, r, "ran as", "bob, impersonated by neo4j")
	wantFact(t, r, "roles", "PUBLIC, analyst")
	var imp int
	for _, m := range messages(s, "RUN") {
		if m.ImpUser == "bob" {
			imp++
		}
	}
	if imp != 3 {
		t.Errorf("%d statements ran as bob, want the access check's three", imp)
	}

	// Refused.
	rep = run(t, target{uri: s.URI("bolt"), impersonate: "app"})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r = wantAccess(t, rep, checks.Fail, "access.impersonation_refused", "neo4j may not impersonate app",
		"grant a role of neo4j's the privilege to impersonate app, as an admin on the system database: `GRANT IMPERSONATE (app) ON DBMS TO <role>`")
	if v, _ := evidence(r, "code"); v != "Neo.ClientError.Security.Forbidden" {
		t.Errorf("code evidence %q", v)
	}
	wantCheck(t, rep, "query", checks.Skip, "not run: access failed")
}

func TestAccessImpersonationUnsupported(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j42()))
	rep := run(t, target{uri: s.URI("bolt"), impersonate: "bob"})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	wantAccess(t, rep, checks.Fail, "access.impersonation_unsupported", "--impersonate bob needs Bolt 4.4 (Neo4j 4.4 or later), and the server speaks Bolt 4.2",
		"leave out --impersonate for this server, or upgrade it")
	for _, m := range allMessages(s) {
		if m.ImpUser != "" {
			t.Errorf("imp_user sent to a 4.2 server: %+v", m)
		}
	}
}

func TestAccessAuthorizationExpired(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.Auth = fixtures.AuthAuthorizationExpired
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	wantCheck(t, rep, "auth", checks.Pass, "authenticated as neo4j")
	r := wantAccess(t, rep, checks.Fail, "access.authorization_expired", "the server's identity provider (LDAP/SSO) is failing; your credentials are probably fine",
		"could not renew what it said of the user")
	if !anyContains(r.Hints, "`dbms.security.ldap.authorization.use_system_account=true`") {
		t.Errorf("hints %q, want the LDAP system account setting", r.Hints)
	}
	wantCheck(t, rep, "query", checks.Skip, "not run: access failed")
}

func TestAuthIdentityProviderDown(t *testing.T) {
	t.Parallel()
	for _, outcome := range []fixtures.AuthOutcome{fixtures.AuthProviderTimeout, fixtures.AuthProviderFailed} {
		for _, preset := range []func() fixtures.Config{fixtures.Neo4j526, fixtures.Neo4j44} {
			cfg := withUsers(preset())
			cfg.Auth = outcome
			t.Run(fmt.Sprintf("%d %s", outcome, cfg.Agent), func(t *testing.T) {
				t.Parallel()
				s := startServer(t, cfg)
				rep := run(t, target{uri: s.URI("neo4j")})
				wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
				r := wantCheck(t, rep, "auth", checks.Fail, "the server's identity provider (LDAP/SSO) is failing; your credentials are probably fine",
					"dbms.security.ldap.host", "retry once the provider answers")
				if r.Code != "auth.provider_unavailable" {
					t.Errorf("auth code %q", r.Code)
				}
				wantCheck(t, rep, "access", checks.Skip, "not run: auth failed")
			})
		}
	}
}

func TestAccessSlowLogin(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.LogonDelay = 2100 * time.Millisecond
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt"), timeout: 5 * time.Second})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantAccess(t, rep, checks.Warn, "access.slow_login", "logging in takes seconds: the server's identity provider (LDAP/SSO) is slow to answer",
		"have the DBMS administrator check how fast the LDAP server of dbms.security.ldap.host")
	for _, f := range r.Facts {
		if f.Name == "login took" && (f.Verbose || !strings.HasPrefix(f.Value, "2.")) {
			t.Errorf("a slow login's time: %+v, want it shown", f)
		}
	}
}

func TestAccessUnknownUser(t *testing.T) {
	t.Parallel()
	cfg := accounts(fixtures.Neo4j526())
	cfg.Accounts["app"] = fixtures.Account{Roles: []string{"PUBLIC"}, ShowCurrentUserDenied: true}
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt"), user: "app"})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	wantAccess(t, rep, checks.Warn, "access.unknown_user", "the server refused SHOW CURRENT USER to app: its roles and home database are not known",
		"SHOW CURRENT USER needs no privilege")
	wantCheck(t, rep, "query", checks.Pass, "RETURN 1 returned 1")

	// A server without the command (4.0 and 4.1).
	cfg = withUsers(fixtures.Neo4j526())
	cfg.Queries = map[string]fixtures.Result{"SHOW CURRENT USER": {Failure: &fixtures.Failure{Code: "Neo.ClientError.Statement.SyntaxError", Message: "Invalid input 'CURRENT'"}}}
	s = startServer(t, cfg)
	rep = run(t, target{uri: s.URI("bolt")})
	wantAccess(t, rep, checks.Warn, "access.unknown_user", "the server has no SHOW CURRENT USER (Neo4j 4.0 and 4.1 lack it)", "SHOW CURRENT USER came with 4.2")
}

func TestAccessBolt3(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j35()))
	rep := run(t, target{uri: s.URI("bolt")})
	r := wantAccess(t, rep, checks.Pass, "", "neo4j on the server's one database (Bolt 3.0)", "")
	wantFact(t, r, "databases", "no SHOW DATABASES or SHOW CURRENT USER")
	for _, m := range messages(s, "RUN") {
		if strings.HasPrefix(m.Query, "SHOW") {
			t.Errorf("Bolt 3 got %q", m.Query)
		}
	}
	// Bolt 3 has explicit transactions, without a database to name.
	rep = run(t, target{uri: s.URI("bolt"), writeProbe: true})
	wantAccess(t, rep, checks.Pass, "", "neo4j may read and write the server's one database (the write probe was rolled back)", "")
	wantProbe(t, s, 1, "")
	noCommit(t, s)
}

// jwtToken is an unsigned JWT with the given lifetime claims.
func jwtToken(t *testing.T, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc(b) + ".c2lnbmF0dXJlLW5vdC1jaGVja2Vk"
}

// bearerServer accepts each token as user alice; its clock is now+skew.
func bearerServer(t *testing.T, skew time.Duration, tokens ...string) *fixtures.Server {
	t.Helper()
	cfg := fixtures.Neo4j526()
	cfg.Bearer = map[string]fixtures.BearerToken{}
	for _, tok := range tokens {
		cfg.Bearer[tok] = fixtures.BearerToken{User: "alice"}
	}
	now := time.Now().Add(skew)
	cfg.Queries = map[string]fixtures.Result{"RETURN datetime.realtime()": {Fields: []string{"datetime.realtime()"},
		Records: [][]any{{&packstream.Struct{Tag: 'I', Fields: []any{now.Unix(), int64(now.Nanosecond()), int64(0)}}}}}}
	return startServer(t, cfg)
}

func TestAccessBearerToken(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for _, c := range []struct {
		name     string
		claims   map[string]any
		skew     time.Duration // the server's clock against this machine's
		status   checks.Status
		code     string
		summary  string
		fix      string
		expFacts map[string]string
	}{
		{name: "a good token", claims: map[string]any{"exp": now.Add(8 * time.Hour).Unix(), "iat": now.Add(-time.Minute).Unix(), "iss": "https://idp.example.com/", "aud": "neo4j"},
			status: checks.Pass, summary: "alice may access database neo4j",
			expFacts: map[string]string{"token expires": "(in 8 hours)", "token issuer": "https://idp.example.com/", "token audience": "neo4j", "user": "alice"}},
		{name: "expires soon", claims: map[string]any{"exp": now.Add(25 * time.Minute).Unix()},
			status: checks.Warn, code: "access.token_expires_soon", summary: "the bearer token expires in 25 minutes: connections outlive it",
			fix: "renew the token before it expires"},
		{name: "expired, the server took it", claims: map[string]any{"exp": now.Add(-10 * time.Minute).Unix()},
			status: checks.Fail, code: "access.token_expired", summary: "the bearer token expired 10 minutes ago by this machine's clock",
			fix: "get a fresh token from your identity provider and pass it in place of the bearer token given with --bearer-token"},
		{name: "expired by the server's clock", claims: map[string]any{"exp": now.Add(2 * time.Hour).Unix()}, skew: 3 * time.Hour,
			status: checks.Fail, code: "access.token_expired", summary: "the bearer token has expired by the server's clock",
			fix: "get a fresh token", expFacts: map[string]string{"server clock": "this machine's clock is 3 hours behind"}},
		{name: "not valid yet", claims: map[string]any{"nbf": now.Add(5 * time.Minute).Unix(), "exp": now.Add(5 * time.Hour).Unix()},
			status: checks.Fail, code: "access.token_not_yet_valid", summary: "the bearer token is not valid until",
			fix: "check the clocks of this machine, the server and the identity provider"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// A parallel subtest may wait a minute for its slot on a busy
			// machine: its times count from when it runs, not from now.
			claims := maps.Clone(c.claims)
			shift := int64(time.Since(now).Seconds())
			for _, k := range []string{"exp", "nbf", "iat"} {
				if v, ok := claims[k].(int64); ok {
					claims[k] = v + shift
				}
			}
			tok := jwtToken(t, claims)
			s := bearerServer(t, c.skew, tok)
			tt := resolve(t, target{uri: s.URI("bolt"), bearer: tok})
			rep := diagnose(t, tt, nil)
			wantCheck(t, rep, "config", checks.Pass, "bolt to")
			wantCheck(t, rep, "auth", checks.Pass, "authenticated with the bearer token given with --bearer-token")
			r := wantAccess(t, rep, c.status, c.code, c.summary, c.fix)
			if rep.Verdict != c.status {
				t.Errorf("verdict %s, want the access check's %s", rep.Verdict, c.status)
			}
			for name, v := range c.expFacts {
				wantFact(t, r, name, v)
			}
			for _, rec := range s.Received() {
				for _, m := range rec.Messages {
					if m.Name == "LOGON" && (m.Scheme != "bearer" || !m.Credentials) {
						t.Errorf("LOGON %+v, want scheme bearer with the token", m)
					}
				}
			}
			noToken(t, rep, tok)
			// The header says where the token came from, not what it is.
			var b bytes.Buffer
			if err := report.Text(&b, rep, report.TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`(?m)^  bearer-token +hidden +from --bearer-token$`).MatchString(b.String()) {
				t.Errorf("the header does not say where the token came from:\n%s", b.String())
			}
		})
	}
}

func TestAccessAuthDisabled(t *testing.T) {
	t.Parallel()
	s := startServer(t, fixtures.Neo4j526())
	rep := run(t, target{uri: s.URI("bolt"), noCreds: true})
	// config warns that no credentials were given.
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantAccess(t, rep, checks.Pass, "", "anyone (authentication is disabled) may access database neo4j", "")
	wantFact(t, r, "user", "none: authentication is disabled")
}

// A token the server rejects, and one that has expired at login: the
// auth check says so with what the token says of itself; never the token.
func TestAuthBearerTokenRejected(t *testing.T) {
	t.Parallel()
	good := jwtToken(t, map[string]any{"exp": time.Now().Add(time.Hour).Unix()})
	stale := jwtToken(t, map[string]any{"exp": time.Now().Add(-time.Hour).Unix(), "iss": "https://idp.example.com/"})
	cfg := fixtures.Neo4j526()
	cfg.Bearer = map[string]fixtures.BearerToken{good: {User: "alice"}, stale: {User: "alice", Expired: true}}
	s := startServer(t, cfg)

	rep := run(t, target{uri: s.URI("neo4j"), bearer: jwtToken(t, map[string]any{"iss": "https://other.example.com/"})})
	r := wantCheck(t, rep, "auth", checks.Fail, "the server rejected the bearer token", "get a fresh token from the identity provider the server trusts")
	wantFact(t, r, "token issuer", "https://other.example.com/")
	wantCheck(t, rep, "access", checks.Skip, "not run: auth failed")

	rep = run(t, target{uri: s.URI("neo4j"), bearer: stale})
	r = wantCheck(t, rep, "auth", checks.Fail, "the SSO token has expired", "in place of the bearer token given with --bearer-token")
	wantFact(t, r, "token expires", "(60 minutes ago)")
	noToken(t, rep, stale)
}

// noToken: no format of the report (text, JSON, JUnit, GitHub, Markdown)
// shows the token or any part of it.
func noToken(t *testing.T, rep *checks.Report, token string) {
	t.Helper()
	var b bytes.Buffer
	if err := report.Text(&b, rep, report.TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []func(*bytes.Buffer) error{
		func(w *bytes.Buffer) error { return report.JSON(w, rep, report.ToolInfo{}) },
		func(w *bytes.Buffer) error { return report.JUnit(w, rep, report.ToolInfo{}) },
		func(w *bytes.Buffer) error { return report.GitHub(w, rep, report.ToolInfo{}) },
		func(w *bytes.Buffer) error { return report.Markdown(w, rep, report.ToolInfo{}) },
	} {
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
	}
	for _, part := range strings.Split(token, ".") {
		if strings.Contains(b.String(), part) {
			t.Errorf("the report holds a part of the token (%.12s…)", part)
		}
	}
}

// The write probe on bolt://: on the server in the URI, the write is
// rolled back and never committed.
func TestWriteProbeBolt(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	rep := run(t, target{uri: s.URI("bolt"), writeProbe: true})
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantAccess(t, rep, checks.Pass, "", "neo4j may read and write database neo4j (the write probe was rolled back)", "")
	wantFact(t, r, "write probe", "CREATE () in a write transaction on database neo4j at "+s.Addr()+" (the server in your URI), then ROLLBACK")
	wantFact(t, r, "write probe outcome", "written, then rolled back")
	wantProbe(t, s, 1, "neo4j")
	noCommit(t, s)
	want := checks.AccessInfo{User: "neo4j", Roles: []string{"admin", "PUBLIC"}, Database: "neo4j", Home: "neo4j", Default: "neo4j",
		Mode: "read-write", Status: "online", Writer: s.Addr(), WriteProbe: "rolled back"}
	if rep.Access == nil || fmt.Sprint(*rep.Access) != fmt.Sprint(want) {
		t.Errorf("Report.Access %+v, want %+v", rep.Access, want)
	}
}

// On neo4j:// the probe goes to the writer the routing table names, on a
// connection of its own: pipelined with the login or not, on 5.26 and on
// 4.4.
func TestWriteProbeNeo4jGoesToTheWriter(t *testing.T) {
	t.Parallel()
	for _, preset := range []func() fixtures.Config{fixtures.Neo4j526, fixtures.Neo4j44} {
		for _, m := range modes {
			t.Run(preset().Agent+", "+m.name, func(t *testing.T) {
				t.Parallel()
				c := startCluster(t, 3, fixtures.ClusterConfig{Member: withUsers(preset())})
				tt := resolve(t, target{uri: c.Members[1].URI("neo4j"), writeProbe: true})
				tt.NoPipelining = !m.pipelining
				rep := diagnose(t, tt, nil)
				r := wantAccess(t, rep, checks.Pass, "", "may read and write database neo4j", "")
				wantFact(t, r, "write probe", "at "+c.Members[0].Addr()+" (the writer)")
				wantProbe(t, c.Members[0], 1, "neo4j")
				for _, m := range c.Members {
					noCommit(t, m)
				}
				for _, m := range c.Members[1:] {
					for _, msg := range allMessages(m) {
						if msg.Name == "BEGIN" {
							t.Errorf("a reader got %+v", msg)
						}
					}
				}
			})
		}
	}
}

func TestWriteProbeFollowerOverBolt(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{})
	follower := c.Members[1]
	rep := run(t, target{uri: follower.URI("bolt"), writeProbe: true})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantAccess(t, rep, checks.Fail, "access.not_leader", "writes fail: "+follower.Addr()+" is not the leader of database neo4j, and bolt:// sends every write to it",
		"connect applications with `neo4j://"+follower.Addr()+"`")
	if !strings.HasSuffix(r.Hints[0], "`") {
		t.Errorf("first hint %q: what to paste comes last", r.Hints[0])
	}
	if len(r.Hints) < 2 || !strings.Contains(r.Hints[1], "`dbms.routing.enabled=true`") || !strings.Contains(r.Hints[1], "`dbms.routing.default_router=SERVER`") {
		t.Errorf("hints %q, want server-side routing's settings second", r.Hints)
	}
	if v, _ := evidence(r, "code"); v != "Neo.ClientError.Cluster.NotALeader" {
		t.Errorf("code evidence %q", v)
	}
	wantFact(t, r, "write probe outcome", "refused: nothing was written")
	wantProbe(t, follower, 1, "neo4j")
	noCommit(t, follower)
	// routing says it first, as a warning; the probe proves it.
	wantCheck(t, rep, "routing", checks.Warn, "this server is not the writer")
}

func TestWriteProbeForbidden(t *testing.T) {
	t.Parallel()
	cfg := accounts(fixtures.Neo4j526())
	cfg.Accounts["app"] = fixtures.Account{Roles: []string{"PUBLIC", "reader"}, NoWrite: true}
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt"), user: "app", writeProbe: true})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantAccess(t, rep, checks.Fail, "access.write_forbidden", "user app may read database neo4j but not write to it",
		"grant the role reader of app the write privilege on database neo4j, as an admin on the system database: `GRANT WRITE ON GRAPH neo4j TO reader`")
	if v, _ := evidence(r, "message"); !strings.Contains(v, "is not allowed for user 'app'") {
		t.Errorf("message evidence %q", v)
	}
	noCommit(t, s)
	wantCheck(t, rep, "query", checks.Skip, "not run: access failed")
}

func TestWriteProbeFailed(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.FailRequests = map[string]fixtures.Failure{"BEGIN": {Code: "Neo.TransientError.Transaction.Terminated", Message: "The transaction has been terminated."}}
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt"), writeProbe: true})
	r := wantAccess(t, rep, checks.Fail, "access.write_failed", "the write probe failed: Neo.TransientError.Transaction.Terminated", "see the server's message above")
	if v, _ := evidence(r, "request"); v != "BEGIN" {
		t.Errorf("request evidence %q", v)
	}
	noCommit(t, s)

	// The writer the table names is down.
	down := startCluster(t, 3, fixtures.ClusterConfig{Dead: []int{0}})
	rep = run(t, target{uri: down.Members[1].URI("neo4j"), writeProbe: true})
	r = wantAccess(t, rep, checks.Fail, "access.write_failed", "the write probe could not reach the writer "+down.Members[0].Addr()+": ", "")
	if len(r.Hints) == 0 {
		t.Error("no hint for an unreachable writer")
	}

	// No writer to write to.
	c := startCluster(t, 3, fixtures.ClusterConfig{NoWriters: true})
	rep = run(t, target{uri: c.URI("neo4j"), writeProbe: true})
	wantAccess(t, rep, checks.Fail, "access.write_failed", "the write probe found no server to write to: the routing table names no writer", "`SHOW SERVERS`")
	for _, m := range c.Members {
		for _, msg := range allMessages(m) {
			if msg.Name == "BEGIN" {
				t.Errorf("a member got %+v with no writer in the table", msg)
			}
		}
	}
}

// allMessages is every request every connection to s sent.
func allMessages(s *fixtures.Server) []fixtures.Message {
	var out []fixtures.Message
	for _, rec := range s.Received() {
		out = append(out, rec.Messages...)
	}
	return out
}

// wantProbe: s got n write probes, each BEGIN in write mode on db, then
// RUN `CREATE ()`, PULL and ROLLBACK, in that order, on one connection.
func wantProbe(t *testing.T, s *fixtures.Server, n int, db string) {
	t.Helper()
	got := 0
	for _, rec := range s.Received() {
		for i, m := range rec.Messages {
			if m.Name != "BEGIN" {
				continue
			}
			got++
			var names []string
			for _, next := range rec.Messages[i:min(i+4, len(rec.Messages))] {
				names = append(names, strings.TrimSuffix(next.Name, "_ALL")) // Bolt 3 pulls with PULL_ALL
			}
			if !slices.Equal(names, []string{"BEGIN", "RUN", "PULL", "ROLLBACK"}) || m.Mode != "w" || m.DB != db || rec.Messages[i+1].Query != "CREATE ()" {
				t.Errorf("connection %d: probe %v from %+v, want BEGIN {mode: w, db: %s}, RUN CREATE (), PULL, ROLLBACK", rec.Conn, names, m, db)
			}
		}
	}
	if got != n {
		t.Errorf("%d write probes, want %d", got, n)
	}
}

// noCommit is the write probe's safety: no connection ever sent COMMIT,
// and every write is followed, on its connection, by its PULL and then
// ROLLBACK, which went out in the same flight.
func noCommit(t *testing.T, s *fixtures.Server) {
	t.Helper()
	for _, rec := range s.Received() {
		for i, m := range rec.Messages {
			if m.Name == "COMMIT" {
				t.Errorf("connection %d sent COMMIT", rec.Conn)
			}
			if m.Name != "RUN" || !strings.HasPrefix(m.Query, "CREATE") {
				continue
			}
			var after []string
			for _, next := range rec.Messages[i+1 : min(i+3, len(rec.Messages))] {
				after = append(after, strings.TrimSuffix(next.Name, "_ALL"))
			}
			if !slices.Equal(after, []string{"PULL", "ROLLBACK"}) {
				t.Errorf("connection %d: the write is followed by %v, want PULL then ROLLBACK", rec.Conn, after)
			}
		}
	}
}
