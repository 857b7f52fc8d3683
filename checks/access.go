package checks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
	"github.com/neo4j-doctor/neo4j-doctor/generation"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

var accessCheck = Check{
	ID: "access", Title: "access", Needs: []string{"auth"}, After: []string{"routing"}, Phase: true,
	Doc: "who the user is (`SHOW CURRENT USER`), the database the run reaches and its state (`SHOW DATABASES`), as the user or as `--impersonate`: " +
		"Forbidden, a home database other than the DBMS default, a read-only or offline database, an identity provider (LDAP/SSO) that fails or is slow, " +
		"a bearer token's lifetime; with `--write-probe`, `CREATE ()` on the writer in a transaction that is always rolled back",
	Ride:  accessRide,
	Codes: accessCodes,
	Run:   checkAccess,
}

var accessCodes = []Code{
	{ID: "access.forbidden", Doc: "the user may not access the database: the server refused it (no ACCESS privilege)"},
	{ID: "access.home_not_default", Doc: "no database was named, and the user's home database is not the DBMS default: applications that name none use the home database"},
	{ID: "access.read_only", Doc: "the database is read-only: a warning, and a failure when --write-probe was refused for it"},
	{ID: "access.database_not_online", Doc: "SHOW DATABASES says the database is not online on every server that hosts it", Wait: true},
	{ID: "access.impersonation_refused", Doc: "the user may not impersonate the user --impersonate names (no IMPERSONATE privilege)"},
	{ID: "access.impersonation_unsupported", Doc: "--impersonate needs Bolt 4.4 (Neo4j 4.4) or later"},
	{ID: "access.authorization_expired", Doc: "the server's identity provider (LDAP/SSO) could not renew the user's authorization when the server's cached copy expired"},
	{ID: "access.slow_login", Doc: "the login took 2 seconds or more: the server's identity provider (LDAP/SSO) is slow to answer"},
	{ID: "access.token_expired", Doc: "the bearer token has expired, by this machine's clock or the server's"},
	{ID: "access.token_not_yet_valid", Doc: "the bearer token is not valid yet (its nbf is still to come)"},
	{ID: "access.token_expires_soon", Doc: "the bearer token expires within the hour, before a typical connection lifetime ends"},
	{ID: "access.write_forbidden", Doc: "--write-probe: the user may not write to the database (no WRITE privilege)"},
	{ID: "access.not_leader", Doc: "--write-probe: the server the write went to is not the database's leader (NotALeader)"},
	{ID: "access.write_failed", Doc: "--write-probe: the write failed for another reason, or no server to write to could be reached"},
	{ID: "access.unknown_user", Doc: "the server or the user's privileges do not allow SHOW CURRENT USER: the user's roles and home database are not known"},
}

// Thresholds of the access check.
const (
	// slowLogin is where a login points at a slow identity provider:
	// native users log in in milliseconds.
	slowLogin = 2 * time.Second
	// tokenLifetime is a typical connection lifetime (the drivers' default
	// max_connection_lifetime): a token that expires within it is cut off
	// under a connection that is still in use.
	tokenLifetime = time.Hour
)

// The statements of the access check, in the order they ride the first
// flight (accessStatements). SHOW CURRENT USER is last but for the clock:
// 4.0 and 4.1 lack it, and after a failure the server ignores the rest.
const (
	stReturn    = iota // RETURN 1 on the database the run reaches
	stDatabases        // SHOW DATABASES on system
	stUser             // SHOW CURRENT USER on system
	stClock            // RETURN datetime.realtime(), with a bearer token only
)

// probeStatement is the write probe's one write: it needs the write
// privilege and creates no label or property name, which would outlive
// the rollback.
const probeStatement = "CREATE ()"

// clockStatement reads the server's clock.
const clockStatement = "RETURN datetime.realtime()"

func supportsImpersonation(v bolt.Version) bool { return v.Major > 4 || v.Major == 4 && v.Minor >= 4 }

// accessRide sends the access check's statements with the login, so a
// healthy run costs no round trip for them. Bolt 3 has no named databases
// and no SHOW: nothing rides.
func accessRide(f Flight) []bolt.Request {
	if f.Member || f.Version.Major < 4 {
		return nil
	}
	return bolt.Query(accessStatements(f.Target, f.Version)...)
}

// accessStatements are RETURN 1 on the database the run reaches (the one
// named, or the user's home), SHOW DATABASES and SHOW CURRENT USER on
// system, and with a bearer token the server's clock; each in read mode,
// as the user --impersonate names when v can say so.
func accessStatements(t *Target, v bolt.Version) []bolt.Statement {
	extra := func(db string) map[string]any {
		e := map[string]any{"mode": "r"}
		if db != "" {
			e["db"] = db
		}
		if t.Impersonate != "" && supportsImpersonation(v) {
			e["imp_user"] = t.Impersonate
		}
		return e
	}
	stmts := []bolt.Statement{
		{Query: "RETURN 1", Extra: extra(t.Database)},
		{Query: "SHOW DATABASES", Extra: extra("system")},
		{Query: "SHOW CURRENT USER", Extra: extra("system")},
	}
	if t.BearerToken != "" {
		stmts = append(stmts, bolt.Statement{Query: clockStatement, Extra: extra(t.Database)})
	}
	return stmts
}

// accessOutcome is what the access step found, for judgeAccess.
type accessOutcome struct {
	version bolt.Version
	srv     generation.Server
	login   time.Duration // HELLO and LOGON, as the auth step timed them
	now     time.Time     // this machine's clock
	// results and errs answer accessStatements, in order; nil on Bolt 3,
	// where none is sent.
	results []bolt.QueryResult
	errs    []error
	// tableDB is the database the routing table named (the home database
	// when none was asked for); "" when none did or the statements ran as
	// another user.
	tableDB string
	// claims is what the bearer token says of itself; nil without a
	// token. claimsErr says why it could not be read.
	claims    *tokenClaims
	claimsErr error
	// probe is the write probe's outcome; nil without --write-probe, or
	// when what came before ruled it out.
	probe *probeOutcome
}

// probeOutcome is what the write probe found.
type probeOutcome struct {
	where string // the server written to: its address
	db    string // the database BEGIN named, "" for the home database
	// err is the first failure of BEGIN, RUN or PULL; nil when the write
	// went through.
	err error
	// rollback is ROLLBACK's answer: nil, or IGNORED after a failure
	// (the server then discards the transaction itself).
	rollback error
	sent     bool // the probe's requests went out
	// noWriter: the routing table names no writer to write to.
	noWriter bool
	// conn is the step of the writer's own connection (dns to auth) that
	// failed; nil when it logged in.
	conn *Result
}

func checkAccess(ctx context.Context, r *Run) Result {
	out := accessOutcome{version: r.BoltVersion(), srv: r.serverGen(), now: r.Env.Now()}
	if r.hello != nil {
		out.login = r.hello.HelloDuration + r.hello.LogonDuration
	}
	if r.table != nil && r.T.Impersonate == "" {
		out.tableDB = r.table.Database
	}
	if r.T.BearerToken != "" {
		c, err := decodeJWT(r.T.BearerToken)
		out.claims, out.claimsErr = &c, err
	}
	if out.version.Major >= 4 {
		sctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
		out.results, out.errs = r.accessQueries(sctx)
		cancel()
	}
	if r.T.WriteProbe && probeMayRun(r.T, out) {
		db := out.reached(r.T)
		if r.T.Routing {
			out.probe = r.probeWriter(ctx, db)
		} else {
			pctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
			out.probe = r.probeHere(pctx, db)
			cancel()
		}
	}
	r.access = out.info(r.T)
	return judgeAccess(r.T, out)
}

// AccessInfo is what the access check established, typed for programs;
// the report says it in words. Empty fields are not known.
type AccessInfo struct {
	User     string   // as SHOW CURRENT USER names them: the impersonated one with --impersonate
	Roles    []string // nil when the server did not say
	Database string   // the database the run reached: named, or the home database
	Home     string   // the user's home database
	Default  string   // the DBMS default database
	// Mode is the database's access as SHOW DATABASES gives it:
	// "read-write" or "read-only"; "" before 4.4 or when not shown.
	Mode string
	// Status is the database's current status: "online", or what
	// routing.Database.Status says otherwise.
	Status string
	Writer string // the server that takes its writes
	// WriteProbe is the write probe's outcome: "" without --write-probe,
	// "rolled back", the code of the FAILURE that refused it, "not run"
	// (no writer could be reached) or "rollback failed".
	WriteProbe string
}

// DatabaseAccess is the database the run reached and its access mode
// ("read-write" or "read-only"), for the exporter; ok is false when the
// access check did not learn the mode.
func (r *Report) DatabaseAccess() (database, mode string, ok bool) {
	if r.Access == nil || r.Access.Mode == "" {
		return "", "", false
	}
	return r.Access.Database, r.Access.Mode, true
}

// info is the outcome as AccessInfo.
func (o accessOutcome) info(t *Target) *AccessInfo {
	in := &AccessInfo{Database: o.reached(t)}
	if q, ok := o.answer(stUser); ok {
		u := readCurrentUser(q)
		in.User, in.Home = u.name, u.home
		if u.rolesShown {
			in.Roles = u.roles
		}
	}
	if q, ok := o.answer(stDatabases); ok {
		state, home, dflt, _ := readDatabases(q, in.Database)
		in.Default = dflt
		if in.Home == "" {
			in.Home = home
		}
		if state != nil {
			in.Mode, in.Status, in.Writer = state.access, state.db.Status(), state.db.Primary()
		}
	}
	var se *bolt.ServerError
	switch p := o.probe; {
	case p == nil:
	case errors.As(p.err, &se):
		in.WriteProbe = se.Code
	case p.err != nil:
		in.WriteProbe = oneLineError(p.err)
	case !p.sent:
		in.WriteProbe = "not run"
	case p.rollback != nil:
		in.WriteProbe = "rollback failed"
	default:
		in.WriteProbe = "rolled back"
	}
	return in
}

// accessQueries returns the answers of accessStatements: those that rode
// the first flight, and, where an earlier request failed and the server
// ignored them, their own answers, asked again after the RESET the
// connection sends first (a round trip only then).
func (r *Run) accessQueries(ctx context.Context) ([]bolt.QueryResult, []error) {
	stmts := accessStatements(r.T, r.BoltVersion())
	qs, errs := r.readRide(ctx, "access")
	if qs == nil {
		qs, errs = r.Bolt().Queries(ctx, stmts...)
	}
	// Each round gets at least the first statement's own answer, so this
	// ends within len(stmts) rounds.
	for range stmts {
		var again []int
		for i, err := range errs {
			if errors.Is(err, bolt.ErrIgnored) {
				again = append(again, i)
			}
		}
		if len(again) == 0 {
			break
		}
		var redo []bolt.Statement
		for _, i := range again {
			redo = append(redo, stmts[i])
		}
		q2, e2 := r.Bolt().Queries(ctx, redo...)
		for j, i := range again {
			qs[i], errs[i] = q2[j], e2[j]
		}
	}
	return qs, errs
}

// probeMayRun: the write probe runs unless what came before already
// shows the user cannot get there (no access, a refused or unsupported
// impersonation, an expired authorization).
func probeMayRun(t *Target, out accessOutcome) bool {
	if t.Impersonate != "" && !supportsImpersonation(out.version) {
		return false
	}
	for _, err := range out.errs {
		switch statementFailure(err) {
		case failForbidden, failImpersonation, failAuthorization:
			return false
		}
	}
	return true
}

// probeExtra is BEGIN's dictionary for the write probe on version v:
// write mode, the database (4.0+), the user to impersonate (4.4+).
func probeExtra(t *Target, v bolt.Version, db string) map[string]any {
	extra := map[string]any{"mode": "w"}
	if db != "" && v.Major >= 4 {
		extra["db"] = db
	}
	if t.Impersonate != "" && supportsImpersonation(v) {
		extra["imp_user"] = t.Impersonate
	}
	return extra
}

// probeRequests are the write probe: BEGIN, RUN `CREATE ()`, PULL and
// ROLLBACK, in one flight. Never COMMIT: bolt has none to send.
func probeRequests(extra map[string]any) []bolt.Request {
	reqs := []bolt.Request{bolt.Begin(extra)}
	reqs = append(reqs, bolt.Query(bolt.Statement{Query: probeStatement})...)
	return append(reqs, bolt.Rollback())
}

// readProbe reads the answers of probeRequests into out.
func readProbe(ctx context.Context, replies []*bolt.Reply, err error, out *probeOutcome) {
	if err != nil {
		out.err = err
		return
	}
	if len(replies) != 4 {
		out.err = errors.New("the write probe did not go out with the login")
		return
	}
	out.sent = true
	for _, rep := range replies[:3] {
		if _, err := rep.Wait(ctx); err != nil && out.err == nil {
			out.err = err
		}
	}
	_, out.rollback = replies[3].Wait(ctx)
}

// probeHere writes on the run's own connection: bolt:// talks to one
// server, and that is where an application's writes go.
func (r *Run) probeHere(ctx context.Context, db string) *probeOutcome {
	out := &probeOutcome{where: r.T.Address(), db: db}
	replies, err := r.Bolt().Send(ctx, probeRequests(probeExtra(r.T, r.BoltVersion(), db))...)
	readProbe(ctx, replies, err, out)
	return out
}

// probeWriter writes on the writer the routing table names, as a driver
// sends a write for neo4j://: on a connection of its own (the connection
// steps of a member, then the login with the probe riding along), closed
// after.
func (r *Run) probeWriter(ctx context.Context, db string) *probeOutcome {
	out := &probeOutcome{db: db}
	if r.table == nil || len(r.table.Writers) == 0 {
		out.noWriter = true
		return out
	}
	out.where = r.table.Writers[0]
	host, port, err := routing.SplitAddress(out.where)
	if err != nil {
		res := malformedMember(out.where, say{r.serverGen()})
		out.conn = &res
		return out
	}
	sub := r.memberRun(host, port, r.Env)
	defer sub.Close()
	probe := Check{ID: "write-probe", Title: "write probe", Needs: []string{"auth"},
		Ride: func(f Flight) []bolt.Request { return probeRequests(probeExtra(r.T, f.Version, db)) },
		Run: func(ctx context.Context, sub *Run) Result {
			ctx, cancel := context.WithTimeout(ctx, sub.T.Timeout)
			defer cancel()
			replies, err := sub.Rides("write-probe")
			readProbe(ctx, replies, err, out)
			return Result{Status: Pass}
		}}
	for _, res := range Execute(ctx, sub, append(slices.Clone(r.memberChecks), probe)) {
		if res.Status == Fail {
			out.conn = &res
			break
		}
	}
	return out
}

// failure is what a FAILURE to one of the access check's requests means
// for it.
type failure int

const (
	failNone          failure = iota // no FAILURE, or one of no concern here
	failForbidden                    // no ACCESS to the database
	failImpersonation                // the impersonation was refused
	failAuthorization                // AuthorizationExpired
	failOther                        // another FAILURE
)

// statementFailure classes err. Neo4j says Forbidden for every missing
// privilege, with the same GQL status; only the message tells database
// access ("Database access is not allowed for user …") and impersonation
// from a missing read or write privilege.
func statementFailure(err error) failure {
	var se *bolt.ServerError
	if !errors.As(err, &se) {
		return failNone
	}
	msg := strings.ToLower(se.Message)
	switch {
	case strings.HasSuffix(se.Code, "Security.AuthorizationExpired"):
		return failAuthorization
	case strings.HasSuffix(se.Code, "Security.Forbidden") && strings.Contains(msg, "impersonat"):
		return failImpersonation
	case strings.HasSuffix(se.Code, "Security.Forbidden") && strings.Contains(msg, "database access"):
		return failForbidden
	}
	return failOther
}

// currentUser is what SHOW CURRENT USER said.
type currentUser struct {
	known bool   // it answered
	none  bool   // it answered with no row: authentication is disabled
	name  string // "user"
	roles []string
	// rolesShown: the answer has roles (Community Edition has none).
	rolesShown bool
	home       string // "" when none is set, or the column is missing (before 4.3)
}

func readCurrentUser(res bolt.QueryResult) currentUser {
	u := currentUser{known: true}
	if len(res.Records) == 0 {
		u.none = true
		return u
	}
	rec := res.Records[0]
	for i, f := range res.Fields {
		if i >= len(rec) {
			break
		}
		switch f {
		case "user":
			u.name, _ = rec[i].(string)
			u.name = claimText(u.name)
		case "roles":
			if list, ok := rec[i].([]any); ok {
				u.rolesShown = true
				for _, r := range list {
					if s, ok := r.(string); ok && len(u.roles) < 20 {
						u.roles = append(u.roles, claimText(s))
					}
				}
			}
		case "home":
			u.home, _ = rec[i].(string)
			u.home = claimText(u.home)
		}
	}
	return u
}

// databaseState is what SHOW DATABASES said of one database.
type databaseState struct {
	db     routing.Database
	access string // "read-only", "read-write"; "" before 4.4
}

// readDatabases finds db (case-insensitively) in a SHOW DATABASES answer,
// with the DBMS default and the user's home as the answer marks them.
func readDatabases(res bolt.QueryResult, db string) (state *databaseState, home, dflt string, names []string) {
	list, _, err := routing.ParseDatabases(res)
	if err != nil {
		return nil, "", "", nil
	}
	for _, d := range list {
		names = append(names, d.Name)
		if d.Home {
			home = d.Name
		}
		if d.Default {
			dflt = d.Name
		}
		if db != "" && strings.EqualFold(d.Name, db) {
			state = &databaseState{db: d}
		}
	}
	if state == nil {
		return nil, home, dflt, names
	}
	col := slices.Index(res.Fields, "access")
	name := slices.Index(res.Fields, "name")
	for _, rec := range res.Records {
		if col < 0 || col >= len(rec) || name >= len(rec) {
			break
		}
		if n, _ := rec[name].(string); !strings.EqualFold(n, state.db.Name) {
			continue
		}
		switch a, _ := rec[col].(string); {
		case strings.EqualFold(a, "read-only"):
			state.access = "read-only"
		case strings.EqualFold(a, "read-write") && state.access == "":
			state.access = "read-write"
		}
	}
	return state, home, dflt, names
}

// answer is statement i's result, when it answered.
func (o accessOutcome) answer(i int) (bolt.QueryResult, bool) {
	if i >= len(o.errs) || o.errs[i] != nil {
		return bolt.QueryResult{}, false
	}
	return o.results[i], true
}

// reached is the database the run reaches: the one named, else the home
// database as RETURN 1, SHOW CURRENT USER, SHOW DATABASES or the routing
// table named it; "" when none did.
func (o accessOutcome) reached(t *Target) string {
	if t.Database != "" {
		return t.Database
	}
	if q, ok := o.answer(stReturn); ok {
		if db, _ := q.Summary["db"].(string); db != "" {
			return claimText(db)
		}
	}
	if q, ok := o.answer(stUser); ok {
		if u := readCurrentUser(q); u.home != "" {
			return u.home
		}
	}
	if q, ok := o.answer(stDatabases); ok {
		if _, home, _, _ := readDatabases(q, ""); home != "" {
			return home
		}
	}
	return o.tableDB
}

// serverClock reads RETURN datetime.realtime(): a DateTime, as Bolt 5
// ('I', 'i') or Bolt 4 ('F', 'f') sends it.
func serverClock(q bolt.QueryResult) (time.Time, bool) {
	if len(q.Records) != 1 || len(q.Records[0]) != 1 {
		return time.Time{}, false
	}
	s, ok := q.Records[0][0].(*packstream.Struct)
	if !ok || len(s.Fields) != 3 {
		return time.Time{}, false
	}
	sec, ok1 := s.Fields[0].(int64)
	nano, ok2 := s.Fields[1].(int64)
	if !ok1 || !ok2 || nano < 0 || nano >= 1e9 {
		return time.Time{}, false
	}
	switch s.Tag {
	case 'I', 'i': // seconds since 1970 in UTC
		return time.Unix(sec, nano).UTC(), true
	case 'F': // local seconds, and the offset in seconds
		if off, ok := s.Fields[2].(int64); ok {
			return time.Unix(sec-off, nano).UTC(), true
		}
	case 'f': // local seconds in a named zone
		zone, _ := s.Fields[2].(string)
		if loc, err := time.LoadLocation(zone); err == nil {
			w := time.Unix(sec, nano).UTC()
			return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc).UTC(), true
		}
	}
	return time.Time{}, false
}

// finding is one thing the access check found wrong.
type finding struct {
	status  Status
	code    string
	summary string
	hints   []string
}

// judgeAccess reads what the access step found.
func judgeAccess(t *Target, out accessOutcome) Result {
	res := Result{}
	s := say{out.srv}
	var found []finding
	add := func(st Status, code, summary string, hints ...string) {
		found = append(found, finding{st, code, summary, hints})
	}

	// Who the user is.
	user := currentUser{}
	var userErr error
	if q, ok := out.answer(stUser); ok {
		user = readCurrentUser(q)
	} else if len(out.errs) > stUser {
		userErr = out.errs[stUser]
	}
	login := t.Username
	switch {
	case t.BearerToken != "":
		login = "the user of the bearer token"
	case t.Username == "" && t.Password == "":
		login = "(no credentials)"
	}
	who := login
	switch {
	case user.none:
		who = "anyone (authentication is disabled)"
		res.Facts = append(res.Facts, Fact{Name: "user", Value: "none: authentication is disabled"})
	case user.name != "":
		who = user.name
	}
	if !user.none {
		res.Facts = append(res.Facts, Fact{Name: "user", Value: who})
	}
	impersonating := t.Impersonate != "" && supportsImpersonation(out.version)
	if impersonating {
		if user.name == "" {
			who = t.Impersonate
		}
		res.Facts = append(res.Facts, Fact{Name: "ran as", Value: fmt.Sprintf("%s, impersonated by %s", t.Impersonate, login)})
	}
	switch {
	case user.rolesShown:
		res.Facts = append(res.Facts, Fact{Name: "roles", Value: orNone(user.roles)})
	case user.known && !user.none:
		res.Facts = append(res.Facts, Fact{Name: "roles", Value: "not shown (Community Edition has no roles)"})
	}

	// Which database the run reaches, and its state.
	db := out.reached(t)
	var state *databaseState
	var home, dflt string
	var visible []string
	dbsAnswered := false
	if q, ok := out.answer(stDatabases); ok {
		dbsAnswered = true
		state, home, dflt, visible = readDatabases(q, db)
	}
	if user.home != "" {
		home = user.home
	}
	if t.Database == "" && db != "" {
		home = db // where a request naming none went
	}
	switch {
	case home != "":
		res.Facts = append(res.Facts, Fact{Name: "home database", Value: home})
	case user.known && !user.none && out.version.Major >= 4:
		res.Facts = append(res.Facts, Fact{Name: "home database", Value: "none set: the DBMS default"})
	}
	if db != "" {
		how := "the home database"
		if t.Database != "" {
			how = "named with " + databaseFrom(t)
		}
		res.Facts = append(res.Facts, Fact{Name: "database", Value: db + " (" + how + ")"})
	}
	switch {
	case dflt != "":
		res.Facts = append(res.Facts, Fact{Name: "DBMS default", Value: dflt})
	case dbsAnswered:
		res.Facts = append(res.Facts, Fact{Name: "DBMS default", Value: "not shown: SHOW DATABASES lists only the databases the user may access"})
	}
	if state != nil {
		if state.access != "" {
			res.Facts = append(res.Facts, Fact{Name: "access", Value: state.access})
		}
		status := state.db.Status()
		if req := requested(state.db); req != "" && (status != "online" || req != "online") {
			status += " (requested " + req + ")"
		}
		res.Facts = append(res.Facts, Fact{Name: "status", Value: status})
		if w := state.db.Primary(); w != "" {
			res.Facts = append(res.Facts, Fact{Name: "writer", Value: w})
		}
	}
	if len(visible) > 0 && (state == nil || db == "") {
		res.Facts = append(res.Facts, Fact{Name: "databases the user may access", Value: strings.Join(visible, ", ")})
	}

	// The login.
	if out.login > 0 {
		res.Facts = append(res.Facts, Fact{Name: "login took", Value: roundDur(out.login).String(), Verbose: out.login < slowLogin})
	}

	// Bolt 3: nothing more to ask.
	if out.version.Major < 4 {
		res.Facts = append(res.Facts, Fact{Name: "databases", Value: fmt.Sprintf("Bolt %s (Neo4j 3.5 or older) has one database, and no SHOW DATABASES or SHOW CURRENT USER", out.version)})
	}

	// What the statements' FAILUREs say.
	var retFailed error
	for i, err := range out.errs {
		switch statementFailure(err) {
		case failAuthorization:
			if !slices.ContainsFunc(found, func(f finding) bool { return f.code == "access.authorization_expired" }) {
				res.noteError(err)
				var se *bolt.ServerError
				errors.As(err, &se)
				add(Fail, "access.authorization_expired", identityProviderFailing+": the server's cached authorization of "+who+" expired and could not be renewed",
					identityProviderHints(s, se)...)
			}
		case failImpersonation:
			if !slices.ContainsFunc(found, func(f finding) bool { return f.code == "access.impersonation_refused" }) {
				res.noteError(err)
				add(Fail, "access.impersonation_refused", fmt.Sprintf("%s may not impersonate %s: the server refused every statement run as %s", login, t.Impersonate, t.Impersonate),
					impersonateHints(s, login, t.Impersonate)...)
			}
		case failForbidden:
			// SHOW DATABASES and SHOW CURRENT USER run on system, which
			// every user may access; the clock runs where RETURN 1 did.
			if i == stReturn {
				res.noteError(err)
				add(Fail, "access.forbidden", fmt.Sprintf("user %s may not access %s: the server refused it", who, databaseName(db)),
					forbiddenHints(s, who, user, db, visible)...)
			}
		case failOther, failNone:
			if i == stReturn && err != nil {
				retFailed = err
			}
		}
	}
	if retFailed != nil {
		res.Facts = append(res.Facts, Fact{Name: "RETURN 1", Value: "failed: " + oneLineError(retFailed)})
	}
	if len(out.errs) > stDatabases && out.errs[stDatabases] != nil && statementFailure(out.errs[stDatabases]) != failImpersonation {
		res.Facts = append(res.Facts, Fact{Name: "SHOW DATABASES", Value: "failed: " + oneLineError(out.errs[stDatabases])})
	}

	// Impersonation the server cannot do.
	if t.Impersonate != "" && !supportsImpersonation(out.version) {
		add(Fail, "access.impersonation_unsupported",
			fmt.Sprintf("--impersonate %s needs Bolt 4.4 (Neo4j 4.4 or later), and the server speaks Bolt %s: the statements ran as %s", t.Impersonate, out.version, login),
			"leave out --impersonate for this server, or upgrade it: "+s.name(generation.UpgradePath))
	}

	// The write probe.
	if p := out.probe; p != nil {
		judgeProbe(t, s, p, who, user, db, add, &res)
	}

	// The bearer token.
	if out.claims != nil {
		judgeToken(t, out, add, &res)
	}

	// The database's state as the server sees it.
	probeReadOnly := slices.ContainsFunc(found, func(f finding) bool { return f.code == "access.read_only" })
	if state != nil && state.access == "read-only" && !probeReadOnly {
		add(Warn, "access.read_only", databaseName(state.db.Name)+" is read-only: writes to it fail", readOnlyHints(s, state.db.Name, false, false)...)
	}
	// When RETURN 1 itself found the database unavailable, the routing or
	// the query check says so with this explanation: here it is a fact.
	if worst := worstStatus(state); worst != "" && !unavailable(out.errs) {
		add(Warn, "access.database_not_online", "SHOW DATABASES says "+statusSummary(state.db, worst), statusHint(s, state.db, worst))
	}

	// A home database that is not the DBMS default, when none was named.
	if t.Database == "" && home != "" && dflt != "" && !strings.EqualFold(home, dflt) {
		add(Warn, "access.home_not_default",
			fmt.Sprintf("the home database of %s is %s, not the DBMS default %s: applications that name no database use %s", who, home, dflt, home),
			homeHints(s, who, dflt, t.Driver != "")...)
	}

	// A slow login.
	if out.login >= slowLogin {
		add(Warn, "access.slow_login", "logging in takes seconds: the server's identity provider (LDAP/SSO) is slow to answer", slowLoginHints(s)...)
	}

	// Who the user is, when the server would not say.
	if userErr != nil && statementFailure(userErr) != failImpersonation && statementFailure(userErr) != failAuthorization && !noAnswer(userErr) && errors.As(userErr, new(*bolt.ServerError)) {
		var se *bolt.ServerError
		errors.As(userErr, &se)
		res.Facts = append(res.Facts, Fact{Name: "SHOW CURRENT USER", Value: "failed: " + se.Code})
		summary := fmt.Sprintf("the server refused SHOW CURRENT USER to %s: its roles and home database are not known", who)
		hint := "SHOW CURRENT USER needs no privilege: ask the DBMS administrator why the server refuses it, and for the user's roles and home database"
		if strings.HasSuffix(se.Code, "Statement.SyntaxError") || strings.HasSuffix(se.Code, "Statement.NotSystemDatabaseError") {
			summary = "the server has no SHOW CURRENT USER (Neo4j 4.0 and 4.1 lack it): the user's roles and home database are not known"
			hint = "upgrade the server to have it (SHOW CURRENT USER came with 4.2): " + s.name(generation.UpgradePath)
		}
		add(Warn, "access.unknown_user", summary, hint)
	}

	// The worst finding is the summary and the fix; the others follow.
	slices.SortStableFunc(found, func(a, b finding) int { return rank(b.status) - rank(a.status) })
	for i, f := range found {
		res.raise(f.status, f.code)
		if i == 0 {
			res.Summary, res.Hints = f.summary, f.hints
			continue
		}
		res.Facts = append(res.Facts, Fact{Name: "also", Value: f.summary})
		if len(f.hints) > 0 {
			res.Hints = append(res.Hints, f.hints[0])
		}
	}
	if len(found) == 0 {
		res.Status = Pass
		res.Summary = passSummary(t, out, who, db, retFailed)
		if state != nil && state.access != "" && retFailed == nil && !strings.Contains(res.Summary, "write probe") {
			// "may read" alone reads as "may only read".
			res.Summary += ", which is " + state.access
		}
	}
	return res
}

// unavailable: RETURN 1 failed because the database is not available.
func unavailable(errs []error) bool {
	var se *bolt.ServerError
	return len(errs) > stReturn && errors.As(errs[stReturn], &se) && strings.HasSuffix(se.Code, "General.DatabaseUnavailable")
}

func worstStatus(state *databaseState) string {
	if state == nil {
		return ""
	}
	return state.db.Worst()
}

func rank(s Status) int { return map[Status]int{Skip: 0, Pass: 1, Warn: 2, Fail: 3}[s] }

// requested is what an administrator asked of the database: the
// requested status of its servers, when they agree.
func requested(d routing.Database) string {
	req := ""
	for _, sv := range d.Servers {
		switch {
		case sv.Requested == "":
		case req == "":
			req = sv.Requested
		case !strings.EqualFold(req, sv.Requested):
			return ""
		}
	}
	return strings.ToLower(req)
}

// passSummary says who reached which database, and how it is.
func passSummary(t *Target, out accessOutcome, who, db string, retFailed error) string {
	probed := out.probe != nil && out.probe.err == nil && out.probe.sent
	if out.version.Major < 4 {
		if probed {
			return fmt.Sprintf("%s may read and write the server's one database (the write probe was rolled back)", who)
		}
		return fmt.Sprintf("%s on the server's one database (Bolt %s)", who, out.version)
	}
	if t.Impersonate != "" {
		who += " (impersonated)"
	}
	switch {
	case retFailed != nil:
		// Not the access check's to judge: routing or query says why.
		why := oneLineError(retFailed)
		var se *bolt.ServerError
		if errors.As(retFailed, &se) {
			why = se.Code[strings.LastIndexByte(se.Code, '.')+1:]
		}
		return fmt.Sprintf("%s: %s not reached (%s)", who, databaseName(db), why)
	case probed:
		return fmt.Sprintf("%s may read and write %s (the write probe was rolled back)", who, databaseName(db))
	}
	return fmt.Sprintf("%s may access %s", who, databaseName(db))
}

// roleFor is the role a GRANT for user names: one of its roles other than
// PUBLIC, which every user has; "<role>" and why when it has none, or
// they are not known.
func roleFor(user string, u currentUser) (role, why string) {
	for _, r := range u.roles {
		if !strings.EqualFold(r, "PUBLIC") {
			return cypherName(r), ""
		}
	}
	if u.rolesShown {
		return "<role>", fmt.Sprintf(" (%s has only PUBLIC, which every user has: give it a role of its own)", user)
	}
	return "<role>", ""
}

// forbiddenHints: grant the user's role ACCESS to the database; or pick a
// database the user may access.
func forbiddenHints(s say, who string, u currentUser, db string, visible []string) []string {
	role, why := roleFor(who, u)
	hints := []string{fmt.Sprintf("grant %s access to %s%s, as an admin on the system database: %s",
		roleWords(who, role), databaseName(db), why, s.code(generation.GrantAccess, "<db>", dbOrPlaceholder(db), "<role>", role))}
	if len(visible) > 0 {
		hints = append(hints, fmt.Sprintf("or connect to a database %s may access: %s", who, strings.Join(visible, ", ")))
	}
	return hints
}

// roleWords is "the role reader of app", or "a role of app's" for the
// placeholder.
func roleWords(who, role string) string {
	if role == "<role>" {
		return "a role of " + who + "'s"
	}
	return "the role " + strings.Trim(role, "`") + " of " + who
}

// impersonateHints: grant the IMPERSONATE privilege, or run without it.
// SHOW CURRENT USER runs as the impersonated user, so the roles of the
// user who logged in are not known: the role is a placeholder.
func impersonateHints(s say, login, target string) []string {
	return []string{
		fmt.Sprintf("grant a role of %s's the privilege to impersonate %s, as an admin on the system database: %s",
			login, target, s.code(generation.GrantImpersonate, "<user>", cypherName(target), "<role>", "<role>")),
		"or leave out --impersonate to run the checks as " + login,
	}
}

// readOnlyHints: make the database writable again, or the setting that
// makes it read-only; for a server that refused as a read-only instance
// over bolt://, the writer that takes writes.
func readOnlyHints(s say, db string, instance, direct bool) []string {
	var hints []string
	if instance && direct {
		hints = append(hints, fmt.Sprintf("if this server is one of the %s, writes must go to the writer: connect with neo4j:// and the driver sends them there", s.name(generation.Secondaries)))
	}
	if l := s.Lookup(generation.SetReadWrite); l.Aura {
		return append(hints, l.Text)
	}
	if c := s.code(generation.SetReadWrite, "<db>", dbOrPlaceholder(db)); c != "" {
		hints = append(hints, "make it writable again, as an admin on the system database: "+c)
	}
	var settings []string
	for _, it := range []generation.Item{generation.ReadOnlyDatabases, generation.DefaultToReadOnly} {
		if n := s.name(it); n != "" {
			settings = append(settings, n)
		}
	}
	if len(settings) > 0 {
		hints = append(hints, "if a server setting makes it read-only there, change it in neo4j.conf: "+strings.Join(settings, ", or "))
	}
	return hints
}

// homeHints: name the database; or make the default the user's home.
// With --driver the driver's snippet stands under the hints, so the
// Python example is left out.
func homeHints(s say, who, dflt string, driver bool) []string {
	hints := []string{fmt.Sprintf("name the database your data is in: -d %s here; in applications, the session's (Python: driver.session(database=\"%s\"))", dflt, dflt)}
	if driver {
		hints[0] = fmt.Sprintf("name the database your data is in: -d %s here; in applications, the session's database", dflt)
	}
	if c := s.code(generation.SetHomeDatabase, "<user>", cypherName(who), "<db>", dflt); c != "" {
		hints = append(hints, fmt.Sprintf("or, if %s is where %s's data should be, make it its home, as an admin on the system database: %s", dflt, who, c))
	}
	return hints
}

// slowLoginHints: look at the identity provider's speed.
func slowLoginHints(s say) []string {
	if l := s.Lookup(generation.LDAPHost); l.Aura {
		return []string{l.Text}
	}
	where := "the LDAP server of " + s.name(generation.LDAPHost)
	if oidc := s.name(generation.OIDCDiscovery); oidc != "" {
		where += ", or the SSO provider of " + oidc
	}
	return []string{
		fmt.Sprintf("have the DBMS administrator check how fast %s answers the Neo4j server: a driver whose connection timeout is shorter than the login fails to connect", where),
		"the server keeps what the provider said for " + s.name(generation.AuthCacheTTL) + ": a longer time means fewer slow logins",
	}
}

// judgeProbe adds what the write probe found.
func judgeProbe(t *Target, s say, p *probeOutcome, who string, u currentUser, db string, add func(Status, string, string, ...string), res *Result) {
	where := p.where
	if !t.Routing {
		where += " (the server in your URI)"
	} else if where != "" {
		where += " (the writer)"
	}
	on := databaseName(p.db)
	res.Facts = append(res.Facts, Fact{Name: "write probe", Value: fmt.Sprintf("%s in a write transaction on %s at %s, then ROLLBACK", probeStatement, on, where)})
	switch {
	case p.noWriter:
		res.Facts = append(res.Facts, Fact{Name: "write probe outcome", Value: "not run: no writer"})
		add(Fail, "access.write_failed", "the write probe found no server to write to: the routing table names no writer",
			"writes fail until the cluster has a leader for "+databaseName(db)+": see its state with "+s.code(generation.ListServers))
		return
	case p.conn != nil:
		res.Facts = append(res.Facts, Fact{Name: "write probe outcome", Value: "not run: the writer could not be reached"})
		hints := p.conn.Hints
		if len(hints) > 1 {
			hints = hints[:1]
		}
		if len(hints) == 0 {
			hints = []string{fmt.Sprintf("the %s step failed on the writer's own connection: the evidence says how", p.conn.ID)}
		}
		for _, e := range p.conn.Evidence {
			res.Evidence = append(res.Evidence, Fact{Name: "writer " + p.conn.ID + " " + e.Name, Value: e.Value})
		}
		res.Err = p.conn.Err
		add(Fail, "access.write_failed", fmt.Sprintf("the write probe could not reach the writer %s: %s", p.where, strings.TrimPrefix(p.conn.Summary, p.where+": ")), hints...)
		return
	case p.err == nil && p.rollback == nil:
		res.Facts = append(res.Facts, Fact{Name: "write probe outcome", Value: "written, then rolled back: nothing was kept"})
		return
	case p.err == nil:
		res.Facts = append(res.Facts, Fact{Name: "write probe outcome", Value: "written; ROLLBACK failed (" + oneLineError(p.rollback) + "): the server discards the transaction as the connection closes"})
		add(Fail, "access.write_failed", "the write went through, but the server failed its ROLLBACK: "+oneLineError(p.rollback),
			"nothing is kept: the server discards an open transaction when its connection closes, as this one now does; "+readLogs(s, "for why ROLLBACK failed"))
		return
	}
	res.Facts = append(res.Facts, Fact{Name: "write probe outcome", Value: "refused: nothing was written, and the transaction was rolled back"})
	var se *bolt.ServerError
	if !errors.As(p.err, &se) {
		res.notePeerBytes(p.err)
		res.Err = p.err
		summary, hints, _ := peerFailure(t, peerStep(p.err, "RUN"), p.err)
		add(Fail, "access.write_failed", "the write probe failed: "+summary, hints...)
		return
	}
	res.noteError(p.err)
	switch {
	case strings.HasSuffix(se.Code, "General.WriteOnReadOnlyAccessDatabase"), strings.HasSuffix(se.Code, "General.ForbiddenOnReadOnlyDatabase"):
		instance := strings.HasSuffix(se.Code, "ForbiddenOnReadOnlyDatabase")
		summary := databaseName(dbOr(p.db, db)) + " is read-only: the write probe was refused"
		if instance {
			summary = fmt.Sprintf("%s refuses writes to %s: it is a read-only server or database", p.where, databaseName(dbOr(p.db, db)))
		}
		add(Fail, "access.read_only", summary, readOnlyHints(s, dbOr(p.db, db), instance, !t.Routing)...)
	case strings.HasSuffix(se.Code, "Cluster.NotALeader"):
		if t.Routing {
			add(Fail, "access.not_leader", fmt.Sprintf("the routing table names %s as the writer of %s, but it is not the leader: writes sent by this table fail", p.where, databaseName(dbOr(p.db, db))),
				"run again in a moment: the leader may just have changed; if this stays, check the cluster's state with "+s.code(generation.ListServers))
			return
		}
		add(Fail, "access.not_leader", fmt.Sprintf("writes fail: %s is not the leader of %s, and %s:// sends every write to it", p.where, databaseName(dbOr(p.db, db)), t.Scheme),
			notLeaderHints(t, s)...)
	case statementFailure(p.err) == failImpersonation:
		add(Fail, "access.impersonation_refused", fmt.Sprintf("%s may not impersonate %s: the server refused the write probe run as %s", t.Username, t.Impersonate, t.Impersonate),
			impersonateHints(s, t.Username, t.Impersonate)...)
	case statementFailure(p.err) == failForbidden:
		add(Fail, "access.forbidden", fmt.Sprintf("user %s may not access %s on the writer: the server refused it", who, databaseName(dbOr(p.db, db))),
			forbiddenHints(s, who, u, dbOr(p.db, db), nil)...)
	case statementFailure(p.err) == failAuthorization:
		add(Fail, "access.authorization_expired", identityProviderFailing+": the server's cached authorization of "+who+" expired and could not be renewed", identityProviderHints(s, se)...)
	case strings.HasSuffix(se.Code, "Security.Forbidden"):
		role, why := roleFor(who, u)
		grant := s.code(generation.GrantWrite, "<db>", dbOrPlaceholder(dbOr(p.db, db)), "<role>", role, "<user>", cypherName(who))
		fix := fmt.Sprintf("grant %s the write privilege on %s%s, as an admin on the system database: %s", roleWords(who, role), databaseName(dbOr(p.db, db)), why, grant)
		if !strings.Contains(s.Text(generation.GrantWrite), "GRANT") {
			// 3.5 has built-in roles, not privileges.
			fix = fmt.Sprintf("give %s the built-in role that writes, as an admin: %s", who, grant)
		}
		add(Fail, "access.write_forbidden", fmt.Sprintf("user %s may read %s but not write to it: the write probe was refused", who, databaseName(dbOr(p.db, db))),
			fix, "or run the write probe as a user meant to write")
	default:
		add(Fail, "access.write_failed", "the write probe failed: "+se.Code, "see the server's message above")
	}
}

// notLeaderHints: bolt:// lands writes on whatever server it reaches;
// neo4j:// sends them to the leader, and server-side routing lets any
// member take them over neo4j://.
func notLeaderHints(t *Target, s say) []string {
	scheme := "neo4j://"
	switch t.TLS {
	case TLSVerify:
		scheme = "neo4j+s://"
	case TLSAcceptAny:
		scheme = "neo4j+ssc://"
	}
	hints := []string{fmt.Sprintf("so that the driver sends writes to the leader and follows it when it changes, connect applications with `%s%s`", scheme, t.Address())}
	if l := s.Lookup(generation.ServerSideRouting); l.Aura {
		return hints
	}
	var sets []string
	for _, it := range []struct {
		item  generation.Item
		value string
	}{{generation.ServerSideRouting, "true"}, {generation.DefaultRouter, "SERVER"}} {
		if c := s.set(it.item, it.value); c != "" {
			sets = append(sets, c)
		}
	}
	if len(sets) > 0 {
		hints = append(hints, "behind a load balancer or a Kubernetes Service, where clients cannot reach each member, let the servers forward writes to the leader (server-side routing; it serves neo4j:// connections, not bolt://): on every server set "+strings.Join(sets, " and "))
	}
	return hints
}

// judgeToken adds what the bearer token says of its lifetime, against
// this machine's clock and the server's.
func judgeToken(t *Target, out accessOutcome, add func(Status, string, string, ...string), res *Result) {
	if out.claimsErr != nil {
		res.Facts = append(res.Facts, Fact{Name: "token", Value: "not read: " + out.claimsErr.Error()})
		return
	}
	c := *out.claims
	res.Facts = append(res.Facts, tokenFacts(c, out.now)...)
	var server time.Time
	if len(out.errs) > stClock {
		if q, ok := out.answer(stClock); ok {
			server, _ = serverClock(q)
		}
		switch {
		case !server.IsZero():
			skew := out.now.Sub(server)
			v := server.Format(time.RFC3339)
			switch {
			case skew >= time.Second:
				v += " (this machine's clock is " + roughly(skew) + " ahead)"
			case skew <= -time.Second:
				v += " (this machine's clock is " + roughly(-skew) + " behind)"
			}
			res.Facts = append(res.Facts, Fact{Name: "server clock", Value: v})
		case out.errs[stClock] != nil:
			res.Facts = append(res.Facts, Fact{Name: "server clock", Value: "not read: " + oneLineError(out.errs[stClock])})
		}
	}
	origin := tokenOrigin(t)
	fresh := "get a fresh token from your identity provider and pass it in place of " + origin
	switch {
	case !c.Exp.IsZero() && !c.Exp.After(out.now):
		add(Fail, "access.token_expired", fmt.Sprintf("the bearer token expired %s by this machine's clock: new connections with it fail", relative(c.Exp, out.now)), fresh,
			"the server took it: if its clock is behind this machine's, set both right (NTP)")
	case !c.Exp.IsZero() && !server.IsZero() && !c.Exp.After(server):
		add(Fail, "access.token_expired", "the bearer token has expired by the server's clock: new connections with it fail", fresh,
			"this machine's clock is behind the server's: set both right (NTP)")
	case !c.Nbf.IsZero() && (c.Nbf.After(out.now) || !server.IsZero() && c.Nbf.After(server)):
		add(Fail, "access.token_not_yet_valid", fmt.Sprintf("the bearer token is not valid until %s, %s", c.Nbf.UTC().Format(time.RFC3339), relative(c.Nbf, out.now)),
			"check the clocks of this machine, the server and the identity provider (NTP): a token is valid from when its provider says", fresh)
	case !c.Exp.IsZero() && c.Exp.Sub(out.now) < tokenLifetime:
		add(Warn, "access.token_expires_soon", fmt.Sprintf("the bearer token expires %s: connections outlive it", relative(c.Exp, out.now)),
			"renew the token before it expires: the drivers take an auth token manager that asks for a fresh one",
			"drivers keep a pooled connection up to an hour by default; once its token has expired, its requests fail with TokenExpired")
	}
}

func dbOr(db, fallback string) string {
	if db != "" {
		return db
	}
	return fallback
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}
