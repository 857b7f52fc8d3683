package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
)

var queryCheck = Check{
	ID: "query", Title: "query", Needs: []string{"auth", "routing"}, Phase: true,
	Doc:  "`RETURN 1` in read mode, and the server's edition from `dbms.components()`",
	Ride: queryRide,
	Codes: append([]Code{
		{ID: "query.no_named_databases", Doc: "a database was asked for, but the server (Bolt 3, Neo4j 3.5 or older) has no named databases"},
		{ID: "query.credentials_expired", Doc: "the password has expired: queries are refused until it is changed"},
		{ID: "query.database_not_found", Doc: "the database asked for does not exist"},
		{ID: "query.database_unavailable", Doc: "the database exists but is not available (starting, stopped, or without a leader)", Wait: true},
		{ID: "query.forbidden", Doc: "the user may not read the database"},
		{ID: "query.server_error", Doc: "the server failed RETURN 1 with a code none of the other codes names"},
		{ID: "query.wrong_answer", Doc: "the server answered RETURN 1 with something other than one record holding 1"},
	}, peerCodes("query", "RETURN 1")...),
	Run: checkQuery,
}

// queryRide sends the statements with the login on a bolt:// connection,
// where nothing else goes before them: the database they run in is known
// (the one asked for, or the home database). Only with ROUTE (4.3+): on
// older versions the routing check asks the routing procedure after the
// login, and would have to read through these answers to get its own. A
// neo4j:// run asks after the routing table, which names the home
// database.
func queryRide(f Flight) []bolt.Request {
	if f.Target.Routing || f.Member || !supportsRoute(f.Version) {
		return nil
	}
	return bolt.Query(queryStatements(f.Target.Database, f.Version)...)
}

// checkQuery runs RETURN 1 in read mode: the only proof that the user can
// use the database, since an expired password still authenticates. The
// edition (dbms.components()) rides in the same write.
func checkQuery(ctx context.Context, r *Run) Result {
	ctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
	defer cancel()
	out := queryOutcome{version: r.BoltVersion()}
	if r.T.Database == "" || out.version.Major >= 4 {
		out.results, out.errs = r.runQueries(ctx)
		if noAnswer(out.errs[0]) {
			r.noResponse = true
		}
	}
	return judgeQuery(r.T, out)
}

// runQueries returns the answers of RETURN 1 and dbms.components(): both
// in one flight, so the edition costs no round trip of its own. On bolt://
// they went out with the login (queryRide): only their answers are read,
// here, under this check's deadline.
func (r *Run) runQueries(ctx context.Context) ([]bolt.QueryResult, []error) {
	qs, errs := r.readRide(ctx, "query")
	if qs == nil || errors.Is(errs[0], bolt.ErrIgnored) {
		// Nothing rode along, or an earlier request of the flight (ROUTE)
		// failed and the server never ran them: run them now, so the
		// answer is the statements' own.
		qs, errs = r.Bolt().Queries(ctx, queryStatements(r.queryDatabase(), r.BoltVersion())...)
	}
	return qs, errs
}

// readRide reads the results of the statements check id sent with the
// first flight; nil when none went.
func (r *Run) readRide(ctx context.Context, id string) ([]bolt.QueryResult, []error) {
	replies, err := r.Rides(id)
	if err != nil || len(replies) == 0 {
		return nil, nil
	}
	return bolt.ReadQueries(ctx, replies)
}

// queryOutcome is what the query step found.
type queryOutcome struct {
	version bolt.Version // negotiated
	// results and errs answer RETURN 1 and dbms.components(), in that
	// order; nil when the statements could not be sent (a database asked
	// of a server without named databases).
	results []bolt.QueryResult
	errs    []error
}

// judgeQuery reads the answers of RETURN 1 and dbms.components().
func judgeQuery(t *Target, out queryOutcome) Result {
	if t.Database != "" && out.version.Major < 4 {
		return Result{Status: Fail, Code: "query.no_named_databases",
			Summary: fmt.Sprintf("database %q was asked for, but Bolt %s (Neo4j 3.5 or older) has no named databases", t.Database, out.version),
			Hints:   []string{"leave --database/NEO4J_DATABASE out for this server, or upgrade it: named databases need Neo4j 4.0 or later"}}
	}
	res := Result{}
	qs, errs := out.results, out.errs
	q, err := qs[0], errs[0]
	if err != nil {
		se := res.noteError(err)
		if se == nil {
			res.notePeerBytes(err)
			summary, hints, kind := peerFailure(t, peerStep(err, "RUN"), err)
			res.raise(Fail, kind.code("query"))
			res.Summary = "RETURN 1 failed: " + summary
			res.Hints = append(res.Hints, hints...)
			return res
		}
		var code string
		switch {
		case strings.HasSuffix(se.Code, "Security.CredentialsExpired"):
			code = "query.credentials_expired"
			res.Summary = "the password has expired: queries are refused until it is changed"
			res.Hints = append(res.Hints, credentialsExpiredHint)
		case strings.HasSuffix(se.Code, "Database.DatabaseNotFound"):
			code = "query.database_not_found"
			res.Summary = fmt.Sprintf("database %q does not exist", t.Database)
			res.Hints = append(res.Hints, "check the name with SHOW DATABASES, or leave --database out to use the home database")
		case strings.HasSuffix(se.Code, "General.DatabaseUnavailable"):
			code = "query.database_unavailable"
			res.Summary = "the database is unavailable"
			res.Hints = append(res.Hints, "run SHOW DATABASES to see its status; START DATABASE it if stopped")
		case strings.HasSuffix(se.Code, "Security.Forbidden"):
			code = "query.forbidden"
			res.Summary = "the user may not read this database"
			res.Hints = append(res.Hints, "grant the user's role ACCESS and read privileges on the database, or skip this check with a user meant only for health checks")
		default:
			code = "query.server_error"
			res.Summary = "RETURN 1 failed: " + se.Code
			res.Hints = append(res.Hints, "see the server's message above")
		}
		res.raise(Fail, code)
		return res
	}
	if len(q.Records) != 1 || len(q.Records[0]) != 1 || q.Records[0][0] != int64(1) {
		res.raise(Fail, "query.wrong_answer")
		// What a hostile server sends is bounded and masked here too: it
		// may echo the password it received.
		records := serverValue(q.Records, t.Password)
		res.Summary = "RETURN 1 returned " + records
		res.Evidence = append(res.Evidence, Fact{Name: "records", Value: records})
		res.Hints = append(res.Hints, "the server answered a trivial query wrongly: a proxy or a non-Neo4j server may be in between")
		return res
	}
	res.Status = Pass
	res.Summary = "RETURN 1 returned 1"
	if db, ok := q.Summary["db"].(string); ok && db != "" {
		res.Facts = append(res.Facts, Fact{Name: "database", Value: db})
		res.Summary += " on " + db
	}
	// The edition is worth knowing but not worth failing for: a user
	// without procedure rights still has a healthy connection.
	if c, err := qs[1], errs[1]; err == nil {
		for _, rec := range c.Records {
			if len(rec) == 3 {
				res.Facts = append(res.Facts, Fact{Name: fmt.Sprint(rec[0]), Value: fmt.Sprintf("%v %v", rec[1], rec[2])})
			}
		}
	}
	return res
}

// queryStatements are the query check's RETURN 1 and dbms.components(),
// in read mode, in db when the version has named databases.
func queryStatements(db string, v bolt.Version) []bolt.Statement {
	extra := map[string]any{"mode": "r"}
	if db != "" && v.Major >= 4 {
		extra["db"] = db
	}
	return []bolt.Statement{{Query: "RETURN 1", Extra: extra}, {Query: "CALL dbms.components()", Extra: extra}}
}

// queryDatabase is the database RETURN 1 runs in: the one asked for, or the
// home database the routing table named.
func (r *Run) queryDatabase() string {
	if r.T.Database != "" {
		return r.T.Database
	}
	if r.table != nil {
		return r.table.Database
	}
	return ""
}
