package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
)

// checkQuery runs RETURN 1 in read mode: the only proof that the user can
// use the database, since an expired password still authenticates. The
// edition (dbms.components()) rides in the same write.
func checkQuery(ctx context.Context, r *Run) Result {
	ctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
	defer cancel()
	res := Result{}
	if r.T.Database != "" && r.hs.Version.Major < 4 {
		res.Status = Fail
		res.Summary = fmt.Sprintf("database %q was asked for, but Bolt %s (Neo4j 3.5 or older) has no named databases", r.T.Database, r.hs.Version)
		res.Hints = append(res.Hints, "leave --database/NEO4J_DATABASE out for this server, or upgrade it: named databases need Neo4j 4.0 or later")
		return res
	}
	// Both queries in one flight: the edition costs no round trip of its
	// own. On bolt:// they may have gone out with HELLO (helloRequest):
	// then only their answers are read, here, under this check's deadline.
	qs, errs := r.bconn.Queries(ctx, queryStatements(r.queryDatabase(), r.hs.Version)...)
	q, err := qs[0], errs[0]
	if err != nil {
		res.Status = Fail
		se := res.noteError(err)
		if se == nil {
			summary, hints, silent := peerFailure(r.T, peerStep(err, "RUN"), err)
			res.Summary = "RETURN 1 failed: " + summary
			res.Hints = append(res.Hints, hints...)
			r.noResponse = r.noResponse || silent
			return res
		}
		switch {
		case strings.HasSuffix(se.Code, "Security.CredentialsExpired"):
			res.Summary = "the password has expired: queries are refused until it is changed"
			res.Hints = append(res.Hints, credentialsExpiredHint)
		case strings.HasSuffix(se.Code, "Database.DatabaseNotFound"):
			res.Summary = fmt.Sprintf("database %q does not exist", r.T.Database)
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
	} else {
		_ = r.bconn.Reset(ctx)
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
