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
	Doc:  "RETURN 1 in read mode, and the server's edition",
	Ride: queryRide,
	Run:  checkQuery,
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
	v := r.BoltVersion()
	if r.T.Database != "" && v.Major < 4 {
		return Result{Status: Fail,
			Summary: fmt.Sprintf("database %q was asked for, but Bolt %s (Neo4j 3.5 or older) has no named databases", r.T.Database, v),
			Hints:   []string{"leave --database/NEO4J_DATABASE out for this server, or upgrade it: named databases need Neo4j 4.0 or later"}}
	}
	stmts := queryStatements(r.queryDatabase(), v)
	// Both queries in one flight: the edition costs no round trip of its
	// own. On bolt:// they went out with the login (queryRide): only their
	// answers are read, here, under this check's deadline.
	qs, errs := r.readRide(ctx, "query")
	if qs == nil || errors.Is(errs[0], bolt.ErrIgnored) {
		// Nothing rode along, or an earlier request of the flight (ROUTE)
		// failed and the server never ran them: run them now, so the
		// answer is the statements' own.
		qs, errs = r.Bolt().Queries(ctx, stmts...)
	}
	if noAnswer(errs[0]) {
		r.noResponse = true
	}
	return judgeQuery(r.T, qs, errs)
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

// judgeQuery reads the answers of RETURN 1 and dbms.components().
func judgeQuery(t *Target, qs []bolt.QueryResult, errs []error) Result {
	res := Result{}
	q, err := qs[0], errs[0]
	if err != nil {
		res.Status = Fail
		se := res.noteError(err)
		if se == nil {
			summary, hints, _ := peerFailure(t, peerStep(err, "RUN"), err)
			res.Summary = "RETURN 1 failed: " + summary
			res.Hints = append(res.Hints, hints...)
			return res
		}
		switch {
		case strings.HasSuffix(se.Code, "Security.CredentialsExpired"):
			res.Summary = "the password has expired: queries are refused until it is changed"
			res.Hints = append(res.Hints, credentialsExpiredHint)
		case strings.HasSuffix(se.Code, "Database.DatabaseNotFound"):
			res.Summary = fmt.Sprintf("database %q does not exist", t.Database)
			res.Hints = append(res.Hints, "check the name with SHOW DATABASES, or leave --database out to use the home database")
		case strings.HasSuffix(se.Code, "General.DatabaseUnavailable"):
			res.Summary = "the database is unavailable"
			res.Hints = append(res.Hints, "run SHOW DATABASES to see its status; START DATABASE it if stopped")
		case strings.HasSuffix(se.Code, "Security.Forbidden"):
			res.Summary = "the user may not read this database"
			res.Hints = append(res.Hints, "grant the user's role ACCESS and read privileges on the database, or skip this check with a user meant only for health checks")
		default:
			res.Summary = "RETURN 1 failed: " + se.Code
			res.Hints = append(res.Hints, "see the server's message above")
		}
		return res
	}
	if len(q.Records) != 1 || len(q.Records[0]) != 1 || q.Records[0][0] != int64(1) {
		res.Status = Fail
		res.Summary = fmt.Sprintf("RETURN 1 returned %v", q.Records)
		res.Hints = append(res.Hints, "the server answered a trivial query wrongly: a proxy or a non-Neo4j server may be in between")
		return res
	}
	res.Status = Pass
	res.Summary = "RETURN 1 returned 1"
	if db, ok := q.Summary["db"].(string); ok && db != "" {
		res.Facts = append(res.Facts, Fact{"database", db})
		res.Summary += " on " + db
	}
	// The edition is worth knowing but not worth failing for: a user
	// without procedure rights still has a healthy connection.
	if c, err := qs[1], errs[1]; err == nil {
		for _, rec := range c.Records {
			if len(rec) == 3 {
				res.Facts = append(res.Facts, Fact{fmt.Sprint(rec[0]), fmt.Sprintf("%v %v", rec[1], rec[2])})
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
