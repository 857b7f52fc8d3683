package checks

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/generation"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

var queryCheck = Check{
	ID: "query", Title: "query", Needs: []string{"auth", "routing", "access"}, Phase: true,
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
// cold neo4j:// run asks after the routing table, which names the home
// database; a warm one knows it from the remembered table, and checkQuery
// runs them again if the fresh table names another.
func queryRide(f Flight) []bolt.Request {
	if f.Target.Routing && f.Remembered == nil || f.Member || !supportsRoute(f.Version) {
		return nil
	}
	return bolt.Query(queryStatements(rideDatabase(f.Target, f.Remembered), f.Version)...)
}

// rideDatabase is the database the statements that rode with the login
// ran in: the one asked for, else the remembered table's (a warm
// neo4j:// run), else the home database ("").
func rideDatabase(t *Target, remembered *routing.Table) string {
	if t.Database != "" || !t.Routing || remembered == nil {
		return t.Database
	}
	return remembered.Database
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
	out.srv = r.serverGen()
	out.db = r.queryDatabase()
	return judgeQuery(r.T, out)
}

// runQueries returns the answers of RETURN 1 and dbms.components(): both
// in one flight, so the edition costs no round trip of its own. On bolt://
// they went out with the login (queryRide): only their answers are read,
// here, under this check's deadline.
func (r *Run) runQueries(ctx context.Context) ([]bolt.QueryResult, []error) {
	qs, errs := r.readRide(ctx, "query")
	if qs != nil && rideDatabase(r.T, r.remembered) != r.queryDatabase() {
		// A warm run whose fresh table names another database than the
		// remembered one: the answers are for the wrong database.
		qs = nil
	}
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
	srv     generation.Server // for the names hints give
	db      string            // the database RETURN 1 ran in, "" for the home database when the table named none
}

// judgeQuery reads the answers of RETURN 1 and dbms.components().
func judgeQuery(t *Target, out queryOutcome) Result {
	if t.Database != "" && out.version.Major < 4 {
		return noNamedDatabases(t, out.version, "query.no_named_databases")
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
		sy := say{out.srv}
		db := out.db
		if db == "" {
			db = t.Database
		}
		switch {
		case strings.HasSuffix(se.Code, "Security.CredentialsExpired"):
			code = "query.credentials_expired"
			res.Summary = "the password has expired: queries are refused until it is changed"
			res.Hints = append(res.Hints, credentialsExpiredHints(sy)...)
		case strings.HasSuffix(se.Code, "Database.DatabaseNotFound"):
			code = "query.database_not_found"
			res.Summary = databaseName(db) + " does not exist"
			res.Hints = append(res.Hints, fmt.Sprintf("check the name%s: %s lists the databases there are; or leave it out to use the user's home database", databaseOrigin(t), sy.code(generation.ShowDatabases)))
		case strings.HasSuffix(se.Code, "General.DatabaseUnavailable"):
			code = "query.database_unavailable"
			res.Summary = databaseName(db) + " is unavailable"
			res.Hints = append(res.Hints, unavailableHints(sy, db)...)
		case strings.HasSuffix(se.Code, "Security.Forbidden"):
			code = "query.forbidden"
			res.Summary = fmt.Sprintf("user %s may not read %s", userName(t), databaseName(db))
			res.Hints = append(res.Hints, accessHint(sy, db),
				"or run the checks as a user meant for health checks, or leave this one out with --skip query")
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
		// may echo the password or bearer token it received.
		records := serverValue(q.Records, t.secret())
		res.Summary = "RETURN 1 returned " + records
		res.Evidence = append(res.Evidence, Fact{Name: "records", Value: records})
		res.Hints = append(res.Hints, "the server answered a trivial query wrongly: a proxy or a non-Neo4j server may be in between")
		return res
	}
	res.Status = Pass
	res.Summary = "RETURN 1 returned 1"
	if db, ok := q.Summary["db"].(string); ok && db != "" {
		res.Facts = append(res.Facts, Fact{Name: "database", Value: db})
		res.Summary += " on " + databaseName(db)
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

// noNamedDatabases is the result of asking a Bolt 3 server (3.5 or
// older, one database) for a named database.
func noNamedDatabases(t *Target, v bolt.Version, code string) Result {
	return Result{Status: Fail, Code: code,
		Summary: fmt.Sprintf("%s was asked for, but Bolt %s (Neo4j 3.5 or older) has no named databases", databaseName(t.Database), v),
		Hints:   []string{fmt.Sprintf("leave the database out for this server (it comes from %s), or upgrade the server: named databases need Neo4j 4.0 or later", databaseFrom(t))}}
}

// databaseName is "database movies", or "the home database" when the
// name is not known; a name that is not a plain word is quoted, so that
// stray spaces show.
func databaseName(db string) string {
	switch {
	case db == "":
		return "the home database"
	case wordName.MatchString(db):
		return "database " + db
	}
	return fmt.Sprintf("database %q", db)
}

var wordName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// databaseFrom names where the database came from: "--database",
// "NEO4J_DATABASE", "Neo4j-1234.txt NEO4J_DATABASE"; "--database or
// NEO4J_DATABASE" when the run does not say.
func databaseFrom(t *Target) string {
	if st, ok := t.Info.Settings["database"]; ok && st.From != "" {
		return st.From
	}
	return "--database or NEO4J_DATABASE"
}

// databaseOrigin is " given with --database" and the like, for a
// database the user named; "" for the home database.
func databaseOrigin(t *Target) string {
	if t.Database == "" {
		return ""
	}
	return " (" + databaseFrom(t) + ")"
}

func userName(t *Target) string {
	if t.Username == "" {
		return "(no credentials)"
	}
	return t.Username
}

// unavailableHints is what to do about a database that is unavailable
// when SHOW DATABASES has not said why: look, start it if stopped, read
// the logs; on Aura, resume the instance.
func unavailableHints(s say, db string) []string {
	if l := s.Lookup(generation.StartDatabase); l.Aura {
		return []string{s.Text(generation.ResumeInstance), auraFreePause, l.Text}
	}
	show := s.code(generation.ShowDatabase, "<db>", dbOrPlaceholder(db))
	start := s.code(generation.StartDatabase, "<db>", dbOrPlaceholder(db))
	if show == "" || start == "" {
		return []string{readLogs(s, "on each server: they say why the database is not available")}
	}
	return []string{
		fmt.Sprintf("see its status on each server with %s on the system database; if it was stopped, start it: %s", show, start),
		"if it does not come online, " + readLogs(s, "on each server: they say why"),
	}
}

// readLogs says to read the server's logs, where: on Aura, which shows
// no server log, what to do instead.
func readLogs(s say, where string) string {
	if l := s.Lookup(generation.ServerLogs); l.Aura {
		return l.Text
	}
	return "read " + s.name(generation.ServerLogs) + " " + where
}

// accessHint grants the ACCESS privilege on db, which connecting to a
// database (and seeing it in SHOW DATABASES) needs.
func accessHint(s say, db string) string {
	return fmt.Sprintf("grant the user's role access to %s, as an admin on the system database: %s", databaseName(db), s.code(generation.GrantAccess, "<db>", dbOrPlaceholder(db)))
}

// dbOrPlaceholder keeps "<db>" when the database's name is not known.
func dbOrPlaceholder(db string) string {
	if db == "" {
		return "<db>"
	}
	return db
}
