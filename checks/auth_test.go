package checks_test

import (
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

// Credentials travel in HELLO up to Bolt 5.0 and in LOGON from 5.1: every
// outcome is checked on both.
var authServers = []struct {
	name    string
	cfg     func() fixtures.Config
	request string // the message the FAILURE answers
}{
	{"4.4 HELLO", fixtures.Neo4j44, "HELLO"},
	{"5.26 LOGON", fixtures.Neo4j526, "LOGON"},
	{"5.22 LOGON without manifest", fixtures.Neo4j522, "LOGON"},
}

func TestAuthFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		auth    fixtures.AuthOutcome
		pass    string
		summary string
		hints   []string
		code    string
	}{
		{"wrong password", fixtures.AuthOK, "not-the-password", "wrong username or password",
			[]string{`rejected user "neo4j" with the password given with --password`, "NEO4J_AUTH", "dbms.security.auth_enabled=false"}, "Neo.ClientError.Security.Unauthorized"},
		{"unauthorized", fixtures.AuthUnauthorized, "", "wrong username or password",
			[]string{`user "neo4j"`}, "Neo.ClientError.Security.Unauthorized"},
		{"rate limited", fixtures.AuthRateLimited, "", "locked after too many failed logins",
			[]string{"dbms.security.auth_lock_time", "stop retrying", "dbms.security.auth_max_failed_attempts"}, "Neo.ClientError.Security.AuthenticationRateLimit"},
		{"token expired", fixtures.AuthTokenExpired, "", "SSO token has expired",
			[]string{"fresh token"}, "Neo.ClientError.Security.TokenExpired"},
	}
	for _, srv := range authServers {
		for _, c := range cases {
			t.Run(srv.name+" "+c.name, func(t *testing.T) {
				t.Parallel()
				cfg := withUsers(srv.cfg())
				cfg.Auth = c.auth
				s := startServer(t, cfg)
				rep := run(t, target{uri: s.URI("neo4j"), pass: c.pass})
				wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
				r := wantCheck(t, rep, "auth", checks.Fail, c.summary, c.hints...)
				if v, _ := evidence(r, "code"); v != c.code {
					t.Errorf("code evidence %q, want %s", v, c.code)
				}
				if v, _ := evidence(r, "request"); v != srv.request {
					t.Errorf("request evidence %q, want %s", v, srv.request)
				}
				// With LOGON the agent came in HELLO's SUCCESS before the
				// login failed: it is still reported.
				if v, _ := fact(r, "server"); srv.request == "LOGON" && v == "" {
					t.Error("the server agent is a fact even when LOGON fails")
				}
				wantStatuses(t, rep, map[string]checks.Status{"routing": checks.Skip, "members": checks.Skip, "query": checks.Skip})
				if firstNotPassing(rep).ID != "auth" && firstNotPassing(rep).ID != "version" {
					t.Errorf("first problem is %s", firstNotPassing(rep).ID)
				}
			})
		}
	}
}

func TestAuthCredentialsExpired(t *testing.T) {
	t.Parallel()
	for _, srv := range authServers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			cfg := withUsers(srv.cfg())
			cfg.Auth = fixtures.AuthCredentialsExpired
			s := startServer(t, cfg)
			rep := run(t, target{uri: s.URI("neo4j")})
			wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
			wantCheck(t, rep, "auth", checks.Fail, "has expired: it must be changed", "ALTER CURRENT USER", "set-initial-password")
			wantStatuses(t, rep, map[string]checks.Status{"query": checks.Skip, "routing": checks.Skip})
			// The login itself succeeded: the credentials went exactly once.
			var logins int
			for _, rec := range s.Received() {
				for _, m := range rec.Messages {
					if m.Credentials {
						logins++
						if m.Name != srv.request {
							t.Errorf("credentials in %s, want %s", m.Name, srv.request)
						}
					}
				}
			}
			if logins != 1 {
				t.Errorf("credentials sent %d times, want 1", logins)
			}
		})
	}
}

func TestAuthPassFacts(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.AdvertisedAddress = "db.example.test:7687" // sent in LOGON SUCCESS from 5.8
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("bolt")})
	r := wantCheck(t, rep, "auth", checks.Pass, "authenticated as neo4j")
	for name, want := range map[string]string{"server": "Neo4j/5.26.0", "user": "neo4j", "advertised address": "db.example.test:7687"} {
		if v, _ := fact(r, name); v != want {
			t.Errorf("fact %s = %q, want %q", name, v, want)
		}
	}
	if v, _ := fact(r, "connection id"); v == "" {
		t.Error("no connection id fact")
	}
}

func TestAuthServerClosesAfterHello(t *testing.T) {
	t.Parallel()
	s := startServer(t, misbehaving(fixtures.CloseAfterHello))
	rep := run(t, target{uri: s.URI("bolt")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	wantCheck(t, rep, "auth", checks.Fail, "broke off authentication", "debug.log")
}

func TestAuthOversizedAnswerIsBounded(t *testing.T) {
	t.Parallel()
	cfg := misbehaving(fixtures.OversizedMessage)
	cfg.Misbehave.Size = 20 << 20 // over the client's 8 MiB message limit
	s := startServer(t, cfg)
	// The limit decides this verdict, not the clock: a 1 s step racing an
	// 8 MiB read under -race on a busy machine would end as "no answer".
	rep := run(t, target{uri: s.URI("bolt"), timeout: bulkTimeout})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	wantCheck(t, rep, "auth", checks.Fail, "")
}

// TestAuthRejectedPasswordNamesItsSource: the hint says where the
// password that was rejected came from, as the user gave it.
func TestAuthRejectedPasswordNamesItsSource(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	file := writeFile(t, "Neo4j-abcd1234-Created-2025-01-01.txt", []byte("NEO4J_URI="+s.URI("neo4j")+"\nNEO4J_USERNAME=neo4j\nNEO4J_PASSWORD=from-the-file\n"))
	for _, c := range []struct {
		name string
		in   checks.Inputs
		want string
	}{
		{"environment", checks.Inputs{Flags: map[string]string{"uri": s.URI("neo4j"), "username": testUser},
			Env: func(k string) string {
				if k == "NEO4J_PASSWORD" {
					return "from-the-environment"
				}
				return ""
			}}, "with NEO4J_PASSWORD from the environment: check it, and the user name (--username)"},
		{"connection file", checks.Inputs{File: file}, "with NEO4J_PASSWORD in Neo4j-abcd1234-Created-2025-01-01.txt: check it, and the user name (Neo4j-abcd1234-Created-2025-01-01.txt NEO4J_USERNAME)"},
		{"flag", checks.Inputs{Flags: map[string]string{"uri": s.URI("neo4j"), "username": testUser, "password": "from-the-flag"}}, "with the password given with --password: check it"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.in.Timeout = stepTimeout
			tt, err := checks.Resolve(c.in)
			if err != nil {
				t.Fatal(err)
			}
			rep := diagnose(t, tt, nil)
			r := wantCheck(t, rep, "auth", checks.Fail, "wrong username or password", c.want)
			if len(r.Hints) == 0 || !strings.Contains(r.Hints[0], c.want) {
				t.Errorf("first hint %q, want the password's source", r.Hints)
			}
		})
	}
}
