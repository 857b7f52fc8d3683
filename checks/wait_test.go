package checks_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
)

// TestRetryableScenarios pins Retryable, the --wait rule, to what each demo
// scenario really looks like on the wire: a server that may still be
// starting is waited for, a misconfiguration is not. strict is the same
// scenario under --strict, where warnings fail the run.
func TestRetryableScenarios(t *testing.T) {
	t.Parallel()
	type want struct{ plain, strict bool }
	wants := map[string]want{
		"healthy-cluster":       {false, false}, // healthy: nothing to wait for
		"healthy-single":        {false, false},
		"healthy-tls":           {false, false},
		"leader-switch":         {false, false}, // started, it holds still: healthy
		"wrong-password":        {false, false},
		"http-port":             {false, false},
		"self-signed":           {false, false},
		"expired-certificate":   {false, false},
		"wrong-hostname":        {false, false},
		"plaintext-to-tls-port": {false, false}, // the port answers TLS: a wrong scheme
		"database-not-found":    {false, false},
		"no-common-version":     {false, false},
		"credentials-expired":   {false, false},
		// The port closes a ClientHello without a byte, as a Docker port
		// proxy does before the container listens: waited for.
		"tls-to-plaintext-port": {true, true},
		"localhost-advertised":  {false, false}, // an address that cannot be right
		"unreachable-member":    {false, true},  // healthy with a warning; under --strict a member not up yet
		"partial-outage":        {false, true},
		"readers-down":          {true, true},
		"no-writers":            {true, true},
		"silent-server":         {true, true},
		"nothing-listening":     {true, true},
		"unknown-host":          {true, true},
	}
	for _, sc := range scenarios.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			inst, err := sc.Start()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = inst.Close() })
			tt, err := checks.Resolve(inst.Inputs())
			if err != nil {
				t.Fatal(err)
			}
			for _, strict := range []bool{false, true} {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				rep := checks.Diagnose(ctx, tt, testEnv(t), checks.Options{Strict: strict})
				cancel()
				got := checks.Retryable(rep)
				w, known := wants[sc.Name]
				if !known {
					// A scenario added since: hold it to the rules that do
					// not depend on judgement.
					switch rep.ExitCode {
					case checks.ExitHealthy:
						if got {
							t.Errorf("strict %v: a healthy report is retryable", strict)
						}
					case checks.ExitNoResponse:
						if !got {
							t.Errorf("strict %v: a report with no response is not retryable", strict)
						}
					}
					continue
				}
				want := w.plain
				if strict {
					want = w.strict
				}
				if got != want {
					t.Errorf("strict %v: Retryable = %v, want %v (exit %d)\n%s", strict, got, want, rep.ExitCode, render(rep))
				}
			}
		})
	}
}

// TestRetryableDatabaseStarting: a database that is still starting answers
// ROUTE with Neo.TransientError.General.DatabaseUnavailable, exit 1; --wait
// waits for it.
func TestRetryableDatabaseStarting(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.Databases = []fixtures.Database{{Name: "neo4j", Offline: true}, {Name: "system"}}
	s := startServer(t, cfg)
	rep := run(t, target{uri: s.URI("neo4j")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	if code, _ := evidence(result(t, rep, "routing"), "code"); code != "Neo.TransientError.General.DatabaseUnavailable" {
		t.Fatalf("routing evidence code %q, want DatabaseUnavailable", code)
	}
	if !checks.Retryable(rep) {
		t.Error("a database that is starting is not waited for")
	}
}

// TestRetryableProxyBeforeBackend: Docker's userland port proxy accepts a
// connection and closes it at once while the container's Neo4j does not
// listen yet. Plaintext and TLS both see a close without a byte; both are
// waited for.
func TestRetryableProxyBeforeBackend(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed by the cleanup
			}
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	for _, scheme := range []string{"bolt", "bolt+s", "neo4j"} {
		rep := run(t, target{uri: scheme + "://" + ln.Addr().String()})
		if rep.ExitCode != checks.ExitFailed {
			t.Fatalf("%s: exit %d, want 1\n%s", scheme, rep.ExitCode, render(rep))
		}
		if !checks.Retryable(rep) {
			t.Errorf("%s: a peer that closes without a byte is not waited for\n%s", scheme, render(rep))
		}
	}
}

// TestRetryableRules covers the rules on hand-made reports, for server
// answers the fixtures do not produce. The rules read the result's code
// and its typed error; the reports carry no prose at all.
func TestRetryableRules(t *testing.T) {
	t.Parallel()
	failing := func(id, code string, err error) *checks.Report {
		return &checks.Report{Verdict: checks.Fail, ExitCode: checks.ExitFailed, Checks: []checks.Result{
			{ID: "bolt", Status: checks.Pass},
			{ID: id, Status: checks.Fail, Code: code, Err: err},
		}}
	}
	server := func(code string) error { return &bolt.ServerError{Request: "RUN", Code: code} }
	for _, tc := range []struct {
		name string
		rep  *checks.Report
		want bool
	}{
		{"nil", nil, false},
		{"exit 3", &checks.Report{Verdict: checks.Fail, ExitCode: checks.ExitNoAttempt}, false},
		{"healthy with a warning", &checks.Report{Verdict: checks.Warn, ExitCode: checks.ExitHealthy, Checks: []checks.Result{{ID: "members", Status: checks.Warn}}}, false},
		{"no response", &checks.Report{Verdict: checks.Fail, ExitCode: checks.ExitNoResponse}, true},
		{"auth provider unreachable", failing("auth", "auth.provider_unavailable", server("Neo.TransientError.Security.AuthProviderTimeout")), true},
		{"query while the database starts", failing("query", "query.database_unavailable", server("Neo.TransientError.General.DatabaseUnavailable")), true},
		{"any transient server error", failing("query", "query.server_error", server("Neo.TransientError.Transaction.Outdated")), true},
		{"rate limited: retrying makes it worse", failing("auth", "auth.rate_limited", server("Neo.ClientError.Security.AuthenticationRateLimit")), false},
		{"forbidden", failing("query", "query.forbidden", server("Neo.ClientError.Security.Forbidden")), false},
		{"a routing table without writers", failing("routing", "routing.no_writers", nil), true},
		{"a malformed WRITE entry", failing("routing", "routing.malformed_writer", nil), false},
		{"a port that closes without a byte", failing("bolt", "bolt.closed", nil), true},
		{"a port that wants TLS", failing("bolt", "bolt.requires_tls", nil), false},
		{"version", failing("version", "version.end_of_life", nil), false},
		{"an unknown code", failing("query", "query.no_such_code", nil), false},
		{"exit 1 without a failing check", &checks.Report{Verdict: checks.Fail, ExitCode: checks.ExitFailed}, false},
	} {
		if got := checks.Retryable(tc.rep); got != tc.want {
			t.Errorf("%s: Retryable = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLeftOut(t *testing.T) {
	t.Parallel()
	all := checkIDs()
	for _, tc := range []struct {
		name       string
		only, skip []string
		run        []string // the checks that still run
	}{
		{"nothing chosen", nil, nil, all},
		{"skip query", nil, []string{"query"}, []string{"config", "dns", "tcp", "tls", "bolt", "version", "auth", "routing", "idle", "members", "access", "http", "websocket"}},
		{"skip members", nil, []string{"members"}, []string{"config", "dns", "tcp", "tls", "bolt", "version", "auth", "routing", "idle", "access", "query", "http", "websocket"}},
		{"skip access takes query", nil, []string{"access"}, []string{"config", "dns", "tcp", "tls", "bolt", "version", "auth", "routing", "idle", "members", "http", "websocket"}},
		{"skip bolt takes everything after it", nil, []string{"bolt"}, []string{"config", "dns", "tcp", "tls", "http", "websocket"}},
		{"skip routing takes members and query", nil, []string{"routing"}, []string{"config", "dns", "tcp", "tls", "bolt", "version", "auth", "idle", "access", "http", "websocket"}},
		{"skip idle", nil, []string{"idle"}, []string{"config", "dns", "tcp", "tls", "bolt", "version", "auth", "routing", "members", "access", "query", "http", "websocket"}},
		{"only auth brings what it needs", []string{"auth"}, nil, []string{"config", "dns", "tcp", "tls", "bolt", "auth"}},
		{"only query", []string{"query"}, nil, []string{"config", "dns", "tcp", "tls", "bolt", "auth", "routing", "access", "query"}},
		{"only access", []string{"access"}, nil, []string{"config", "dns", "tcp", "tls", "bolt", "auth", "access"}},
		{"only and skip", []string{"auth", "version"}, []string{"tls"}, []string{"config", "dns", "tcp"}},
		{"skip http and websocket", nil, []string{"http", "websocket"}, []string{"config", "dns", "tcp", "tls", "bolt", "version", "auth", "routing", "idle", "members", "access", "query"}},
		{"only websocket", []string{"websocket"}, nil, []string{"config", "dns", "websocket"}},
	} {
		left, err := checks.LeftOut(tc.only, tc.skip)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var ran []string
		for _, id := range all {
			if _, out := left[id]; !out {
				ran = append(ran, id)
			}
		}
		if !slices.Equal(ran, tc.run) {
			t.Errorf("%s: runs %v, want %v (left out: %v)", tc.name, ran, tc.run, left)
		}
	}

	for _, tc := range []struct{ only, skip []string }{{[]string{"quer"}, nil}, {nil, []string{"Query"}}} {
		_, err := checks.LeftOut(tc.only, tc.skip)
		var ie *checks.InputError
		if !errors.As(err, &ie) || !strings.Contains(ie.Hint, "config, dns, tcp") || !strings.Contains(ie.Msg, "no check is called") {
			t.Errorf("%v %v: error %v, want an InputError naming the checks", tc.only, tc.skip, err)
		}
	}
}

// TestSkipQuery: a monitoring user without read rights fails the query
// check; --skip query gives a healthy report that says what it left out.
// Skipping bolt leaves out every check that needs a Bolt connection.
func TestSkipQuery(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.Queries = map[string]fixtures.Result{"RETURN 1": {Failure: &fixtures.Failure{
		Code: "Neo.ClientError.Security.Forbidden", Message: "Read operations are not allowed for user 'neo4j'.",
	}}}
	s := startServer(t, cfg)
	tt := resolve(t, target{uri: s.URI("bolt")})

	rep := diagnose(t, tt, nil)
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	wantCheck(t, rep, "query", checks.Fail, "may not read", "GRANT ACCESS ON DATABASE")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep = checks.Diagnose(ctx, tt, testEnv(t), checks.Options{Skip: []string{"query"}})
	wantShape(t, rep)
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	wantCheck(t, rep, "query", checks.Skip, "not run: left out by --skip")
	wantCheck(t, rep, "auth", checks.Pass, "authenticated")

	before := len(s.Received())
	rep = checks.Diagnose(ctx, tt, testEnv(t), checks.Options{Skip: []string{"bolt"}})
	wantShape(t, rep)
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	wantCheck(t, rep, "auth", checks.Skip, "not run: needs bolt, which was left out")
	for _, r := range s.Received()[before:] {
		if r.SentCredentials() {
			t.Error("credentials were sent with bolt left out")
		}
	}
}
