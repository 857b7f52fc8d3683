package checks

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/generation"
)

// TestJudgeAuth judges every answer a login can get, as a user sees it,
// and holds the evidence to the server's own words: the FAILURE, the
// SUCCESS metadata that failed the check, or the bytes a peer sent
// instead.
func TestJudgeAuth(t *testing.T) {
	helloMeta := map[string]any{"server": "Neo4j/5.26.0", "connection_id": "bolt-7"}
	ok := bolt.HelloResult{Server: "Neo4j/5.26.0", ConnectionID: "bolt-7", Metadata: helloMeta,
		LogonMetadata: map[string]any{}, HelloDuration: 2 * time.Millisecond, LogonDuration: time.Millisecond}
	failure := func(request, code string) error {
		return &bolt.ServerError{Request: request, Code: code, Message: "the server's message", GQLStatus: "42NFF"}
	}
	pe := func(step string, sentinel error, b []byte) error {
		return &bolt.PeerError{Step: step, Err: sentinel, Bytes: b}
	}
	aura := func(t *Target) {
		t.Host, t.Scheme, t.TLS, t.Routing = "abcd1234.databases.neo4j.io", "neo4j+s", TLSVerify, true
	}
	// password sets where the password came from, as Resolve records it.
	password := func(source, from string) func(*Target) {
		return func(t *Target) {
			t.Info.Settings = map[string]Setting{"password": {Source: source, From: from}, "username": {Value: "neo4j", Source: "flag", From: "--username"}}
		}
	}
	v44 := bolt.Version{Major: 4, Minor: 4}
	bearer := func(t *Target) {
		t.Username, t.Password, t.BearerToken = "", "", baqPassword
		t.Info.Settings = map[string]Setting{"bearer-token": {Source: "flag", From: "--bearer-token"}}
	}

	cases := []struct {
		name   string
		target func(*Target)
		hello  bolt.HelloResult
		err    error
		want   baqWant
		// evidence must hold exactly these facts, beyond a FAILURE's
		// request, code, message and gql status
		evidence []Fact
		hint2    string
		// version is the negotiated Bolt version (default 5.8); more are
		// phrases the hints must hold, and never phrases none may.
		version     bolt.Version
		more, never []string
	}{
		{name: "pass", hello: ok,
			want: baqWant{Pass, "", "authenticated as neo4j", ""}},
		{name: "pass without credentials", target: func(t *Target) { t.Username, t.Password = "", "" }, hello: bolt.HelloResult{Server: "Neo4j/5.26.0"},
			want: baqWant{Pass, "", "authenticated as (no credentials)", ""}},

		// The server's FAILURE.
		{name: "unauthorized", hello: ok, err: failure("LOGON", "Neo.ClientError.Security.Unauthorized"),
			want: baqWant{Fail, "auth.unauthorized", "wrong username or password", `rejected user "neo4j" with this password: check NEO4J_USERNAME/NEO4J_PASSWORD`}, hint2: "`NEO4J_AUTH=neo4j/<password>` on a container whose /data volume is still empty",
			// Item 4 of issue 19: set-initial-password is no reset of an
			// existing DBMS; the documented recovery is.
			more:  []string{"`neo4j-admin dbms set-initial-password <password>` before the DBMS first starts", "change nothing on one that has started", "set dbms.security.auth_enabled=false", "ALTER USER neo4j SET PASSWORD"},
			never: []string{"on a stopped, empty DBMS"}},
		{name: "unauthorized, the password from --password", target: password("flag", "--password"), hello: ok, err: failure("LOGON", "Neo.ClientError.Security.Unauthorized"),
			want: baqWant{Fail, "auth.unauthorized", "wrong username or password", `rejected user "neo4j" with the password given with --password: check it, and the user name (--username)`}},
		{name: "unauthorized, the password from the environment", target: password("env", "NEO4J_PASSWORD"), hello: ok, err: failure("LOGON", "Neo.ClientError.Security.Unauthorized"),
			want: baqWant{Fail, "auth.unauthorized", "wrong username or password", "with NEO4J_PASSWORD from the environment: check it"}},
		{name: "unauthorized, the password from a connection file", target: password("file", "Neo4j-abcd1234-Created-2025-01-01.txt NEO4J_PASSWORD"), hello: ok, err: failure("LOGON", "Neo.ClientError.Security.Unauthorized"),
			want: baqWant{Fail, "auth.unauthorized", "wrong username or password", "with NEO4J_PASSWORD in Neo4j-abcd1234-Created-2025-01-01.txt: check it"}},
		{name: "unauthorized, the password from the URI", target: password("env", "the URI (NEO4J_URI)"), hello: ok, err: failure("LOGON", "Neo.ClientError.Security.Unauthorized"),
			want: baqWant{Fail, "auth.unauthorized", "wrong username or password", "with the password in the URI (NEO4J_URI): check it"}},
		{name: "unauthorized without a password", target: func(t *Target) { t.Password = "" }, hello: ok, err: failure("LOGON", "Neo.ClientError.Security.Unauthorized"),
			want: baqWant{Fail, "auth.unauthorized", "wrong username or password", `no password was given for user "neo4j": set NEO4J_PASSWORD`}},
		{name: "unauthorized by a 4.4 server: 4.4's command", version: v44, err: failure("HELLO", "Neo.ClientError.Security.Unauthorized"),
			want:  baqWant{Fail, "auth.unauthorized", "wrong username or password", `rejected user "neo4j"`},
			more:  []string{"`neo4j-admin set-initial-password <password>` before the DBMS first starts", "set dbms.security.auth_enabled=false"},
			never: []string{"neo4j-admin dbms set-initial-password"}},
		{name: "unauthorized on Aura", target: aura, hello: ok, err: failure("LOGON", "Neo.ClientError.Security.Unauthorized"),
			want: baqWant{Fail, "auth.unauthorized", "wrong username or password", "NEO4J_PASSWORD"}, hint2: "the credentials file downloaded when the instance was created",
			more:  []string{"https://console.neo4j.io"},
			never: []string{"set-initial-password", "auth_enabled", "NEO4J_AUTH"}},
		{name: "rate limited", version: v44, err: failure("HELLO", "Neo.ClientError.Security.AuthenticationRateLimit"),
			want:  baqWant{Fail, "auth.rate_limited", "locked after too many failed logins", "wait out the lock before the next try: dbms.security.auth_lock_time"},
			hint2: "dbms.security.auth_max_failed_attempts"},
		{name: "rate limited on Aura", target: aura, err: failure("HELLO", "Neo.ClientError.Security.AuthenticationRateLimit"),
			want:  baqWant{Fail, "auth.rate_limited", "locked after too many failed logins", "Aura's lockout settings cannot be changed"},
			never: []string{"dbms.security."}},
		{name: "token expired", hello: ok, err: failure("LOGON", "Neo.ClientError.Security.TokenExpired"),
			want: baqWant{Fail, "auth.token_expired", "SSO token has expired", "fresh token"}},
		{name: "credentials expired, a FAILURE", hello: ok, err: failure("LOGON", "Neo.ClientError.Security.CredentialsExpired"),
			want: baqWant{Fail, "auth.credentials_expired", "the password has expired and must be changed", "change it in cypher-shell or Browser, on the system database, with `ALTER CURRENT USER SET PASSWORD FROM '<old>' TO '<new>'`"}},
		{name: "identity provider timed out", hello: ok, err: failure("LOGON", "Neo.TransientError.Security.AuthProviderTimeout"),
			want:  baqWant{Fail, "auth.provider_unavailable", "the server's identity provider (LDAP/SSO) is failing; your credentials are probably fine", "did not answer the server in time"},
			more:  []string{"dbms.security.authentication_providers", "dbms.security.ldap.host", "dbms.security.ldap.connection_timeout", "dbms.security.oidc.<provider>.well_known_discovery_uri"},
			hint2: "retry once the provider answers: the same credentials should then work; security.log in the logs directory"},
		{name: "identity provider failed", hello: ok, err: failure("LOGON", "Neo.TransientError.Security.AuthProviderFailed"),
			want: baqWant{Fail, "auth.provider_unavailable", "your credentials are probably fine", "refused or failed the server's request (AuthProviderFailed)"}},
		// A failed HELLO names no release: Bolt 3 is 3.5 or later, and
		// the hint names each form.
		{name: "identity provider timed out, Bolt 3", version: bolt.Version{Major: 3}, err: failure("HELLO", "Neo.TransientError.Security.AuthProviderTimeout"),
			want: baqWant{Fail, "auth.provider_unavailable", "your credentials are probably fine", "have the DBMS administrator check the identity provider from the Neo4j server"},
			more: []string{"dbms.security.authentication_providers (3.5: dbms.security.auth_provider) names the provider", "LDAP: dbms.security.ldap.host",
				"dbms.security.oidc.<provider>.well_known_discovery_uri (not on 3.5)"}},
		{name: "identity provider timed out on Aura", target: aura, hello: ok, err: failure("LOGON", "Neo.TransientError.Security.AuthProviderTimeout"),
			want:  baqWant{Fail, "auth.provider_unavailable", "your credentials are probably fine", "set up in https://console.neo4j.io"},
			never: []string{"dbms.security"}},
		{name: "bearer token rejected", target: bearer, hello: ok, err: failure("LOGON", "Neo.ClientError.Security.Unauthorized"),
			want:  baqWant{Fail, "auth.unauthorized", "the server rejected the bearer token", "the server rejected the bearer token given with --bearer-token: get a fresh token"},
			hint2: "dbms.security.oidc.<provider>.well_known_discovery_uri",
			never: []string{"password", "NEO4J_AUTH"}},
		{name: "bearer token expired", target: bearer, hello: ok, err: failure("LOGON", "Neo.ClientError.Security.TokenExpired"),
			want: baqWant{Fail, "auth.token_expired", "SSO token has expired", "in place of the bearer token given with --bearer-token"}},
		{name: "pass with a bearer token", target: bearer, hello: ok,
			want: baqWant{Pass, "", "authenticated with the bearer token given with --bearer-token", ""}},
		{name: "request refused", err: failure("HELLO", "Neo.ClientError.Request.Invalid"),
			want: baqWant{Fail, "auth.request_refused", "refused neo4j-doctor's request as malformed", "bug in neo4j-doctor"}},
		{name: "another code", hello: ok, err: failure("LOGON", "Neo.DatabaseError.General.UnknownError"),
			want: baqWant{Fail, "auth.server_error", "authentication failed: Neo.DatabaseError.General.UnknownError", "security.log"}},
		{name: "another transient code", hello: ok, err: failure("LOGON", "Neo.TransientError.General.OutOfMemoryError"),
			want: baqWant{Fail, "auth.server_error", "authentication failed: Neo.TransientError.General.OutOfMemoryError", "security.log"}},

		// The peer's behaviour.
		{name: "silent", hello: ok, err: pe("LOGON", bolt.ErrSilent, nil),
			want: baqWant{Fail, "auth.server_silent", "nothing came back to LOGON in 5s", "went quiet"}},
		{name: "stalled", err: pe("HELLO", bolt.ErrStalled, nil),
			want: baqWant{Fail, "auth.server_stalled", "answer to HELLO stalled", "trickles"}},
		{name: "not reading", err: pe("HELLO", bolt.ErrNotReading, nil),
			want: baqWant{Fail, "auth.server_not_reading", "the HELLO request could not be sent in 5s", "half-open"}},
		{name: "reset", err: pe("HELLO", bolt.ErrReset, nil),
			want: baqWant{Fail, "auth.server_reset", "reset the connection during HELLO", "firewall"}},
		{name: "closed", hello: ok, err: pe("LOGON", bolt.ErrClosed, nil),
			want: baqWant{Fail, "auth.server_closed", "broke off authentication: it closed the connection during LOGON", "check its logs"}},
		{name: "too large", err: pe("HELLO", bolt.ErrResultTooLarge, nil),
			want: baqWant{Fail, "auth.answer_too_large", "larger than neo4j-doctor accepts", "huge answer"}},
		{name: "protocol", err: &bolt.PeerError{Step: "HELLO", Err: bolt.ErrProtocol, Bytes: []byte{0xB1, 0x99, 0xA0},
			Cause: fmt.Errorf("%w: a message of tag 0x99, which Bolt does not define", bolt.ErrUnexpectedMessage)},
			want:     baqWant{Fail, "auth.protocol_violation", "breaks the Bolt protocol: it sent a message of tag 0x99", "not Neo4j"},
			evidence: []Fact{{Name: "received", Value: "B1 99 A0"}}},
		{name: "no login sent", err: errors.New("bolt: no login was sent"),
			want: baqWant{Fail, "auth.connection_failed", "the connection failed during HELLO", "debug.log"}},

		// The server took the login and said more.
		{name: "credentials expired, LOGON SUCCESS",
			hello: bolt.HelloResult{Server: "Neo4j/5.26.0", Metadata: helloMeta, LogonMetadata: map[string]any{"credentials_expired": true}, CredentialsExpired: true},
			want:  baqWant{Fail, "auth.credentials_expired", "the password of neo4j has expired", "ALTER CURRENT USER"},
			// The LOGON answer decided; HELLO's did not.
			evidence: []Fact{{Name: "LOGON SUCCESS", Value: "{credentials_expired: true}"}}},
		{name: "credentials expired, HELLO SUCCESS (Bolt 4)",
			hello: bolt.HelloResult{Server: "Neo4j/4.4.30", CredentialsExpired: true,
				Metadata: map[string]any{"server": "Neo4j/4.4.30", "connection_id": "bolt-3", "credentials_expired": true}},
			want:    baqWant{Fail, "auth.credentials_expired", "must be changed before any query runs", "ALTER CURRENT USER"},
			version: v44, hint2: "`neo4j-admin set-initial-password <password>` before the DBMS first starts",
			evidence: []Fact{{Name: "HELLO SUCCESS", Value: `{connection_id: "bolt-3", credentials_expired: true, server: "Neo4j/4.4.30"}`}}},
		{name: "credentials expired, the password echoed",
			hello: bolt.HelloResult{Server: "Neo4j/5.26.0", Metadata: helloMeta, CredentialsExpired: true,
				LogonMetadata: map[string]any{"credentials_expired": true, "note": "password " + baqPassword + " expired", "credentials": baqPassword}},
			want:     baqWant{Fail, "auth.credentials_expired", "has expired: it must be changed", "ALTER CURRENT USER"},
			evidence: []Fact{{Name: "LOGON SUCCESS", Value: `{credentials: "******", credentials_expired: true, note: "password ****** expired"}`}}},
		{name: "malformed HELLO",
			hello: bolt.HelloResult{ConnectionID: "bolt-1", Metadata: map[string]any{"server": int64(7), "connection_id": "bolt-1"}, LogonMetadata: map[string]any{},
				Malformed: []string{`HELLO SUCCESS "server" is an integer, not a string`}},
			want: baqWant{Fail, "auth.malformed_reply", `the server's answer to HELLO breaks the Bolt protocol: HELLO SUCCESS "server" is an integer`, "Neo4j always sends these fields"},
			evidence: []Fact{{Name: "malformed", Value: `HELLO SUCCESS "server" is an integer, not a string`},
				{Name: "HELLO SUCCESS", Value: `{connection_id: "bolt-1", server: 7}`}}},
		{name: "malformed LOGON, credentials expired too",
			hello: bolt.HelloResult{Server: "Neo4j/5.26.0", Metadata: helloMeta, CredentialsExpired: true,
				LogonMetadata: map[string]any{"advertised_address": int64(1), "credentials_expired": true},
				Malformed:     []string{`LOGON SUCCESS "advertised_address" is an integer, not a string`}},
			want: baqWant{Fail, "auth.malformed_reply", `LOGON SUCCESS "advertised_address" is an integer`, "port 7687"},
			evidence: []Fact{{Name: "malformed", Value: `LOGON SUCCESS "advertised_address" is an integer, not a string`},
				{Name: "LOGON SUCCESS", Value: `{advertised_address: 1, credentials_expired: true}`}}},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tt := baqTarget()
			if c.target != nil {
				c.target(tt)
			}
			v := c.version
			if v == (bolt.Version{}) {
				v = bolt.Version{Major: 5, Minor: 8}
			}
			res := judgeAuth(tt, generation.Detect(tt.Host, c.hello.Server, v), c.hello, c.err)
			baqCheck(t, res, c.want)
			all := strings.Join(res.Hints, "\n")
			for _, m := range c.more {
				if !strings.Contains(all, m) {
					t.Errorf("hints %q, want one saying %q", res.Hints, m)
				}
			}
			for _, n := range c.never {
				if strings.Contains(all, n) {
					t.Errorf("hints %q say %q", res.Hints, n)
				}
			}
			if res.Status == Pass && regexp.MustCompile(`[0-9](µs|ms|s)\b`).MatchString(res.Summary) {
				t.Errorf("summary %q: timings belong in the time column", res.Summary)
			}
			baqSameWait(t, authCheck, res)
			seen[res.Code] = true
			if c.hint2 != "" && (len(res.Hints) < 2 || !strings.Contains(res.Hints[1], c.hint2)) {
				t.Errorf("hints %q, want the second to say %q", res.Hints, c.hint2)
			}
			if res.Err != c.err {
				t.Errorf("Err %v, want %v", res.Err, c.err)
			}
			if c.hello.Server != "" && baqFact(res, "server") != c.hello.Server {
				t.Errorf("facts %v: the server agent is a fact whenever HELLO answered", res.Facts)
			}
			want := c.evidence
			var se *bolt.ServerError
			if errors.As(c.err, &se) {
				// noteError's, as it was.
				want = append([]Fact{{Name: "request", Value: se.Request}, {Name: "code", Value: se.Code}, {Name: "message", Value: se.Message}, {Name: "gql status", Value: se.GQLStatus}}, want...)
			}
			if fmt.Sprint(res.Evidence) != fmt.Sprint(want) {
				t.Errorf("evidence\n%v\nwant\n%v", res.Evidence, want)
			}
		})
	}
	baqCodes(t, authCheck, seen, []string{"auth.provider_unavailable"})
}

// TestSayPastesOnlyWhatToPaste: for every statement, command and setting
// of the table, on every generation, the span in backticks is the thing
// to paste and nothing else: the table's note ("on the system database")
// stays outside it. Several generations' forms are prose, never a span.
func TestSayPastesOnlyWhatToPaste(t *testing.T) {
	prose := regexp.MustCompile(`\b(the|a|an|on|before|or|where|of|is)\b`)
	span := regexp.MustCompile("`([^`]*)`")
	for _, g := range []generation.Gen{generation.V35, generation.V4, generation.V5, generation.V2025} {
		s := say{generation.Server{Gen: g}}
		for it := generation.Item(0); it.String() != "Item(?)"; it++ {
			var got string
			switch it.Kind() {
			case generation.Setting:
				got = s.set(it, "<value>")
			case generation.Cypher, generation.Command:
				got = s.code(it, "<db>", "movies")
			default:
				continue
			}
			if got == "" {
				continue // the generation lacks it
			}
			spans := span.FindAllStringSubmatch(got, -1)
			if len(spans) != 1 || !strings.HasPrefix(got, "`") {
				t.Errorf("%s %s: %q, want one span to paste, first", g, it, got)
				continue
			}
			if code := spans[0][1]; prose.MatchString(strings.ToLower(code)) && !strings.Contains(code, "ON DATABASE") && !strings.Contains(code, "ON GRAPH") && !strings.Contains(code, "ON DBMS") {
				t.Errorf("%s %s: the span %q carries prose", g, it, code)
			}
		}
	}
	unknown := say{generation.Server{Gen: generation.Unknown}}
	if got := unknown.set(generation.BoltAdvertisedAddress, "<host>:<port>"); strings.Contains(got, "`") || !strings.Contains(got, "4.x: dbms.connector.bolt.advertised_address=<host>:<port>") {
		t.Errorf("unknown generation: %q, want every form, as prose", got)
	}
	v5 := say{generation.Server{Gen: generation.V5}}
	for _, c := range []struct {
		db, want string
	}{
		{"movies", "`START DATABASE movies`"},
		{"movies-2024", "START DATABASE `movies-2024`"}, // quoted: no span can hold it
	} {
		if got := v5.code(generation.StartDatabase, "<db>", c.db); got != c.want {
			t.Errorf("START DATABASE for %q: %q, want %q", c.db, got, c.want)
		}
	}
	if got := v5.code(generation.LiftQuarantine, "<db>", "it's"); got != "`CALL dbms.quarantineDatabase('it\\'s', false)` on the server that holds the quarantined copy" {
		t.Errorf("a quoted name in a string: %q", got)
	}
}
