package checks

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/generation"
)

// TestJudgeQuery judges every answer RETURN 1 can get, as a user sees
// it, with the server's answer as the evidence.
func TestJudgeQuery(t *testing.T) {
	v5 := bolt.Version{Major: 5, Minor: 8}
	one := bolt.QueryResult{Fields: []string{"1"}, Records: [][]any{{int64(1)}}, Summary: map[string]any{"db": "neo4j"}}
	edition := bolt.QueryResult{Fields: []string{"name", "versions", "edition"},
		Records: [][]any{{"Neo4j Kernel", []any{"5.26.0"}, "enterprise"}}}
	v526 := generation.Server{Gen: generation.V5}
	answered := func(q bolt.QueryResult) queryOutcome {
		return queryOutcome{version: v5, results: []bolt.QueryResult{q, edition}, errs: []error{nil, nil}, srv: v526}
	}
	failed := func(err error) queryOutcome {
		ignored := &bolt.PeerError{Step: "RUN", Err: bolt.ErrIgnored}
		return queryOutcome{version: v5, results: make([]bolt.QueryResult, 2), errs: []error{err, ignored}, srv: v526}
	}
	on := func(out queryOutcome, f func(*queryOutcome)) queryOutcome { f(&out); return out }
	failure := func(code string) error {
		return &bolt.ServerError{Request: "RUN", Code: code, Message: "the server's message"}
	}
	pe := func(step string, sentinel error) error { return &bolt.PeerError{Step: step, Err: sentinel} }
	named := func(t *Target) { t.Database = "movies" }

	cases := []struct {
		name   string
		target func(*Target)
		out    queryOutcome
		want   baqWant
		// facts that must be there; evidence exactly, beyond a FAILURE's
		facts    []Fact
		evidence []Fact
	}{
		{name: "pass", out: answered(one),
			want:  baqWant{Pass, "", "RETURN 1 returned 1 on database neo4j", ""},
			facts: []Fact{{Name: "database", Value: "neo4j"}, {Name: "Neo4j Kernel", Value: "[5.26.0] enterprise"}}},
		{name: "pass without the edition", out: queryOutcome{version: v5, results: []bolt.QueryResult{one, {}},
			errs: []error{nil, failure("Neo.ClientError.Security.Forbidden")}},
			want:  baqWant{Pass, "", "RETURN 1 returned 1", ""},
			facts: []Fact{{Name: "database", Value: "neo4j"}}},
		{name: "pass on Bolt 3", out: queryOutcome{version: bolt.Version{Major: 3}, results: []bolt.QueryResult{{Records: [][]any{{int64(1)}}}, edition}, errs: make([]error, 2)},
			want: baqWant{Pass, "", "RETURN 1 returned 1", ""}},
		{name: "a database on Bolt 3", target: named, out: queryOutcome{version: bolt.Version{Major: 3}},
			want: baqWant{Fail, "query.no_named_databases", "database movies was asked for, but Bolt 3.0 (Neo4j 3.5 or older) has no named databases", "named databases need Neo4j 4.0"}},

		// The server's FAILURE.
		{name: "credentials expired", out: failed(failure("Neo.ClientError.Security.CredentialsExpired")),
			want: baqWant{Fail, "query.credentials_expired", "queries are refused until it is changed", "change it in cypher-shell or Browser, on the system database, with `ALTER CURRENT USER SET PASSWORD FROM '<old>' TO '<new>'`"}},
		{name: "credentials expired on 3.5", out: on(failed(failure("Neo.ClientError.Security.CredentialsExpired")), func(o *queryOutcome) { o.srv.Gen = generation.V35 }),
			want: baqWant{Fail, "query.credentials_expired", "queries are refused until it is changed", "change it in cypher-shell or Browser, with `CALL dbms.security.changePassword('<new>')`"}},
		{name: "no such database", target: named, out: failed(failure("Neo.ClientError.Database.DatabaseNotFound")),
			want: baqWant{Fail, "query.database_not_found", "database movies does not exist", "check the name (--database or NEO4J_DATABASE): `SHOW DATABASES` lists the databases there are"}},
		{name: "database unavailable", out: failed(failure("Neo.TransientError.General.DatabaseUnavailable")),
			want: baqWant{Fail, "query.database_unavailable", "the home database is unavailable", "`START DATABASE <db>`"}},
		{name: "database unavailable, the table named it", out: on(failed(failure("Neo.TransientError.General.DatabaseUnavailable")), func(o *queryOutcome) { o.db = "neo4j" }),
			want: baqWant{Fail, "query.database_unavailable", "database neo4j is unavailable", "see its status on each server with `SHOW DATABASE neo4j` on the system database; if it was stopped, start it: `START DATABASE neo4j`"}},
		{name: "database unavailable on Aura", out: on(failed(failure("Neo.TransientError.General.DatabaseUnavailable")), func(o *queryOutcome) { o.srv.Aura = true }),
			want: baqWant{Fail, "query.database_unavailable", "the home database is unavailable", "resume the instance"}},
		{name: "forbidden", out: failed(failure("Neo.ClientError.Security.Forbidden")),
			want: baqWant{Fail, "query.forbidden", "user neo4j may not read the home database", "grant the user's role access to the home database, as an admin on the system database: `GRANT ACCESS ON DATABASE <db> TO <role>`"}},
		{name: "forbidden, a named database with a dash", target: func(t *Target) { t.Database = "movies-2024" }, out: failed(failure("Neo.ClientError.Security.Forbidden")),
			// A name Cypher quotes in backticks cannot stand in a span to
			// paste: the statement is written out instead.
			want: baqWant{Fail, "query.forbidden", "user neo4j may not read database movies-2024", "GRANT ACCESS ON DATABASE `movies-2024` TO <role>"}},
		{name: "another code", out: failed(failure("Neo.ClientError.Statement.SyntaxError")),
			want: baqWant{Fail, "query.server_error", "RETURN 1 failed: Neo.ClientError.Statement.SyntaxError", "server's message above"}},
		{name: "another transient code", out: failed(failure("Neo.TransientError.Transaction.LockClientStopped")),
			want: baqWant{Fail, "query.server_error", "RETURN 1 failed: Neo.TransientError.Transaction.LockClientStopped", "server's message above"}},

		// The peer's behaviour.
		{name: "silent", out: failed(pe("PULL", bolt.ErrSilent)),
			want: baqWant{Fail, "query.server_silent", "RETURN 1 failed: the server stopped answering: nothing came back to PULL in 5s", "went quiet"}},
		{name: "stalled", out: failed(pe("RUN", bolt.ErrStalled)),
			want: baqWant{Fail, "query.server_stalled", "RETURN 1 failed: the server's answer to RUN stalled", "trickles"}},
		{name: "not reading", out: failed(pe("RUN", bolt.ErrNotReading)),
			want: baqWant{Fail, "query.server_not_reading", "RETURN 1 failed: the server stopped reading", "half-open"}},
		{name: "reset", out: failed(pe("RUN", bolt.ErrReset)),
			want: baqWant{Fail, "query.server_reset", "RETURN 1 failed: the server reset the connection during RUN", "firewall"}},
		{name: "closed", out: failed(pe("PULL", bolt.ErrClosed)),
			want: baqWant{Fail, "query.server_closed", "RETURN 1 failed: the server closed the connection during PULL", "debug.log"}},
		{name: "too large", out: failed(pe("PULL", bolt.ErrResultTooLarge)),
			want: baqWant{Fail, "query.answer_too_large", "answer to PULL is larger than neo4j-doctor accepts", "a trivial query got a huge answer"}},
		{name: "protocol", out: failed(&bolt.PeerError{Step: "PULL", Err: bolt.ErrProtocol, Bytes: []byte{0xB1, 0x71, 0x91, 0x01}, Cause: errors.New("RECORD after the summary")}),
			want:     baqWant{Fail, "query.protocol_violation", "breaks the Bolt protocol: it sent RECORD after the summary", "not Neo4j"},
			evidence: []Fact{{Name: "received", Value: "B1 71 91 01"}}},
		{name: "ignored twice", out: failed(pe("RUN", bolt.ErrIgnored)),
			want: baqWant{Fail, "query.connection_failed", "RETURN 1 failed: the connection failed during RUN", "debug.log"}},

		// A wrong answer: the records are the evidence.
		{name: "two", out: answered(bolt.QueryResult{Records: [][]any{{int64(2)}}}),
			want:     baqWant{Fail, "query.wrong_answer", "RETURN 1 returned [[2]]", "answered a trivial query wrongly"},
			evidence: []Fact{{Name: "records", Value: "[[2]]"}}},
		{name: "a string", out: answered(bolt.QueryResult{Records: [][]any{{"1"}}}),
			want:     baqWant{Fail, "query.wrong_answer", `RETURN 1 returned [["1"]]`, "a proxy or a non-Neo4j server"},
			evidence: []Fact{{Name: "records", Value: `[["1"]]`}}},
		{name: "the password echoed in a string", out: answered(bolt.QueryResult{Records: [][]any{{"x" + baqPassword}}}),
			want:     baqWant{Fail, "query.wrong_answer", `RETURN 1 returned [["x******"]]`, "a proxy or a non-Neo4j server"},
			evidence: []Fact{{Name: "records", Value: `[["x******"]]`}}},
		{name: "no records", out: answered(bolt.QueryResult{}),
			want:     baqWant{Fail, "query.wrong_answer", "RETURN 1 returned []", "wrongly"},
			evidence: []Fact{{Name: "records", Value: "[]"}}},
		{name: "two records", out: answered(bolt.QueryResult{Records: [][]any{{int64(1)}, {int64(1), nil}}}),
			want:     baqWant{Fail, "query.wrong_answer", "RETURN 1 returned", "wrongly"},
			evidence: []Fact{{Name: "records", Value: "[[1], [1, null]]"}}},
		{name: "the password echoed", out: answered(bolt.QueryResult{Records: [][]any{{map[string]any{"echo": baqPassword}}}}),
			want:     baqWant{Fail, "query.wrong_answer", `RETURN 1 returned [[{echo: "******"}]]`, "wrongly"},
			evidence: []Fact{{Name: "records", Value: `[[{echo: "******"}]]`}}},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tt := baqTarget()
			if c.target != nil {
				c.target(tt)
			}
			res := judgeQuery(tt, c.out)
			baqCheck(t, res, c.want)
			baqSameWait(t, queryCheck, res)
			seen[res.Code] = true
			for _, f := range c.facts {
				if got := baqFact(res, f.Name); got != f.Value {
					t.Errorf("fact %s = %q, want %q", f.Name, got, f.Value)
				}
			}
			var err error
			if len(c.out.errs) > 0 {
				err = c.out.errs[0]
			}
			if res.Err != err {
				t.Errorf("Err %v, want %v", res.Err, err)
			}
			want := c.evidence
			var se *bolt.ServerError
			if errors.As(err, &se) {
				want = append([]Fact{{Name: "request", Value: se.Request}, {Name: "code", Value: se.Code}, {Name: "message", Value: se.Message}}, want...)
			}
			if fmt.Sprint(res.Evidence) != fmt.Sprint(want) {
				t.Errorf("evidence\n%v\nwant\n%v", res.Evidence, want)
			}
			if res.Status == Pass && strings.Contains(res.Summary, "failed") {
				t.Errorf("a pass that says it failed: %q", res.Summary)
			}
		})
	}
	baqCodes(t, queryCheck, seen, []string{"query.database_unavailable"})
}
