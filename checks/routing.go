package checks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/internal/clip"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/generation"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

// shortTTL is where a routing table's time to live makes drivers refetch
// it so often that it costs more than it saves.
const shortTTL = 10

// longTTL is where drivers would keep a table long after the cluster
// changed.
const longTTL = 24 * 60 * 60

var routingCheck = Check{
	ID: "routing", Title: "routing table", Needs: []string{"auth"}, Phase: true,
	Doc:   "the routing table as the server's generation gives it (ROUTE from 4.3, `dbms.routing.getRoutingTable` on `system` for 4.0–4.2, `dbms.cluster.routing.getRoutingTable` for 3.5), with the URI's routing context; no routers, writers or readers, a short TTL, malformed or duplicate addresses; a missing or unavailable database with what `SHOW DATABASES` says of it; with `--all-databases` every database's status, writer and table. For `bolt://` it only asks whether the server is a cluster member, and says that routing is bypassed",
	Ride:  routingRide,
	Codes: routingCodes,
	Run:   checkRouting,
}

var routingCodes = []Code{
	{ID: "routing.direct", Doc: "skipped: a bolt:// URI connects directly and uses no routing table"},
	{ID: "routing.standalone", Doc: "skipped: a bolt:// URI connects directly to a standalone server, which has no cluster to route in"},
	{ID: "routing.bypassed", Doc: "a bolt:// URI connects to one member of a cluster: nothing fails over when it goes down"},
	{ID: "routing.bypassed_not_writer", Doc: "a bolt:// URI connects to a cluster member that is not the writer of the database: writes sent to it fail"},
	{ID: "routing.no_named_databases", Doc: "a database was named, but the server (Bolt 3, Neo4j 3.5 or older) has a single database"},
	{ID: "routing.database_not_found", Doc: "the database asked for does not exist"},
	{ID: "routing.database_unavailable", Doc: "the database is unavailable: stopped, still starting, or quarantined", Wait: true},
	{ID: "routing.not_a_cluster", Doc: "the server has no routing procedure: a neo4j:// URI needs a server that can route"},
	{ID: "routing.forbidden", Doc: "the user may not access the database"},
	{ID: "routing.server_error", Doc: "the server answered the request for a routing table with another error"},
	{ID: "routing.unreadable_table", Doc: "the server's answer is not a routing table, or none came"},
	{ID: "routing.no_routers", Doc: "the routing table lists no routers: drivers cannot refresh it"},
	{ID: "routing.malformed_writer", Doc: "the routing table has no writer because its WRITE entry is malformed"},
	{ID: "routing.no_writers", Doc: "the routing table lists no writers (no leader yet, or read-only): writes fail", Wait: true},
	{ID: "routing.no_readers", Doc: "the routing table lists no readers: reads fail", Wait: true},
	{ID: "routing.ttl_zero", Doc: "the routing table's TTL is zero or negative: drivers refetch it before every transaction"},
	{ID: "routing.ttl_short", Doc: "the routing table's TTL is so short that drivers refetch it very often"},
	{ID: "routing.ttl_long", Doc: "the routing table's TTL is over a day: drivers keep a stale table long after members change"},
	{ID: "routing.malformed_entries", Doc: "the routing table has malformed, duplicate or unknown entries, which drivers skip"},
	{ID: "routing.show_databases_failed", Doc: "--all-databases: SHOW DATABASES failed, so only the database asked for was checked"},
	{ID: "routing.databases_problem", Doc: "--all-databases: a database is not online on every server, or its routing table is missing or broken"},
	// The routing check each router among the members gets (routerCheck).
	{ID: "routing.router_no_table", Doc: "a cluster member: this router gives no routing table"},
	{ID: "routing.router_disagrees", Doc: "a cluster member: this router's table names another writer or other members than the server in your URI does"},
}

// routingRide asks for the table with the login, so a healthy server
// costs no round trip for it: for a neo4j:// URI the table drivers use,
// for bolt:// the server's own, which tells a cluster member from a
// standalone server. HELLO itself carries no routing context on bolt://,
// as drivers send it; only the ROUTE names the address. Before 4.3 there
// is no ROUTE: the check calls the routing procedure after the login.
func routingRide(f Flight) []bolt.Request {
	if f.Member || !supportsRoute(f.Version) {
		return nil
	}
	rctx := f.Routing
	if !f.Target.Routing {
		rctx = directRoutingContext(f.Target)
	}
	return []bolt.Request{bolt.Route(bolt.RouteRequest{Context: rctx, Database: f.Target.Database})}
}

// routingOutcome is what asking for the table (and, where it helps, for
// the list of databases) gave.
type routingOutcome struct {
	table  *routing.Table
	method string
	err    error
	// dbs is SHOW DATABASES: asked for when the database asked for is
	// missing or unavailable, to say which exist or what state it is in,
	// and for --all-databases.
	dbs     *databasesOutcome
	version bolt.Version
	srv     generation.Server // for the names hints give
}

// databasesOutcome is SHOW DATABASES and, for --all-databases, the table
// of every other online database.
type databasesOutcome struct {
	list    []routing.Database
	dropped int
	err     error
	tables  map[string]fetchedTable // by name, lower-cased
}

type fetchedTable struct {
	table *routing.Table
	err   error
}

func checkRouting(ctx context.Context, r *Run) Result {
	if !r.T.Routing {
		return r.directRouting(ctx)
	}
	out := routingOutcome{version: r.BoltVersion(), srv: r.serverGen()}
	if r.T.Database != "" && out.version.Major < 4 {
		return judgeRouting(r.T, out)
	}
	var raw map[string]any
	out.table, out.method, raw, out.err = r.fetchRawTable(ctx, r.routingContext(), r.T.Database)
	if out.err == nil {
		r.table, r.tableMethod, r.tableRaw = out.table, out.method, raw
	}
	switch {
	case r.T.AllDatabases:
		out.dbs = r.allDatabases(ctx, out.table)
	case out.version.Major >= 4 && missingDatabase(out.err):
		ctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
		defer cancel()
		d := &databasesOutcome{}
		d.list, d.dropped, d.err = routing.ShowDatabases(ctx, r.Bolt(), out.version)
		out.dbs = d
	}
	res := judgeRouting(r.T, out)
	if out.err == nil && r.remembered != nil {
		// A warm run: what changed since the last probe is news (a
		// leader election, a member gone), not a cache detail.
		if c := compareTables(r.remembered, out.table); c != nil {
			r.tableChange = c
			if res.Status == Pass {
				// A problem's summary says the problem; the fact says
				// the change either way.
				res.Summary += "; changed since the last probe"
			}
			res.Facts = append(res.Facts, Fact{Name: "since the last probe", Value: c.String()})
		}
	}
	return res
}

// compareTables says how after differs from before: the writers, and the
// members that joined or left; nil when neither changed.
func compareTables(before, after *routing.Table) *TableChange {
	var c TableChange
	if routing.Compare(before, after).Writers {
		c.WritersBefore, c.WritersAfter = slices.Clone(before.Writers), slices.Clone(after.Writers)
	}
	c.Joined, c.Left = routing.Membership(before, after)
	if c.WritersBefore == nil && c.WritersAfter == nil && c.Joined == nil && c.Left == nil {
		return nil
	}
	return &c
}

// missingDatabase: the database asked for does not exist or is not
// available, which SHOW DATABASES can explain.
func missingDatabase(err error) bool {
	var se *bolt.ServerError
	return errors.As(err, &se) && (strings.HasSuffix(se.Code, "Database.DatabaseNotFound") || strings.HasSuffix(se.Code, "General.DatabaseUnavailable"))
}

// allDatabases asks SHOW DATABASES and, for every online database but the
// one main is the table of, its own routing table.
func (r *Run) allDatabases(ctx context.Context, main *routing.Table) *databasesOutcome {
	d := &databasesOutcome{tables: map[string]fetchedTable{}}
	v := r.BoltVersion()
	if v.Major < 4 {
		return d
	}
	qctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
	d.list, d.dropped, d.err = routing.ShowDatabases(qctx, r.Bolt(), v)
	cancel()
	mainDB := r.T.Database
	if main != nil && main.Database != "" {
		mainDB = main.Database
	}
	for _, db := range d.list {
		if !db.Online() || main != nil && strings.EqualFold(db.Name, mainDB) {
			continue
		}
		fctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
		t, _, err := routing.Fetch(fctx, r.Bolt(), v, r.routingContext(), db.Name)
		cancel()
		d.tables[strings.ToLower(db.Name)] = fetchedTable{t, err}
	}
	return d
}

// judgeRouting reads the routing table of a neo4j:// run.
func judgeRouting(t *Target, out routingOutcome) Result {
	if t.Database != "" && out.version.Major < 4 {
		return noNamedDatabases(t, out.version, "routing.no_named_databases")
	}
	sy := say{out.srv}
	res := Result{}
	res.Facts = append(res.Facts, Fact{Name: "fetched with", Value: out.method, Verbose: true})
	db := t.Database
	if out.err != nil {
		if se := res.noteError(out.err); se != nil {
			var code string
			code, res.Summary, res.Hints = routingFailure(t, sy, se, db)
			res.raise(Fail, code)
			// With --all-databases, judgeAllDatabases lists every
			// database's facts; the explanation is the summary and fix.
			explainMissingDatabase(t, sy, &res, se, out.dbs, !t.AllDatabases)
		} else {
			res.raise(Fail, "routing.unreadable_table")
			res.Summary = "the routing table could not be read"
			res.Hints = append(res.Hints, "the server's answer to "+out.method+" is not a routing table: check the server's logs")
		}
		if t.AllDatabases {
			judgeAllDatabases(t, &res, out, t.Database, nil)
		}
		return res
	}
	table := out.table
	if table.Database != "" {
		db = table.Database
	}
	shown := db
	if shown == "" {
		shown = "the home database"
	}
	res.Facts = append(res.Facts,
		Fact{Name: "database", Value: shown},
		Fact{Name: "ttl", Value: fmt.Sprintf("%ds", table.TTL)},
		Fact{Name: "routers", Value: listOrNone(table.Routers)},
		Fact{Name: "readers", Value: listOrNone(table.Readers)},
		Fact{Name: "writers", Value: listOrNone(table.Writers)},
	)
	for _, p := range table.Problems {
		res.Evidence = append(res.Evidence, Fact{Name: "problem", Value: p.Text})
	}
	v := judgeTable(db, table, sy)
	res.Status, res.Code, res.Summary, res.Hints = v.status, v.code, v.summary, v.hints
	if v.status == Fail {
		// What decided it: the table as it came, beside the facts' lists.
		res.Evidence = append(res.Evidence, Fact{Name: "table", Value: table.View()})
	}
	if t.AllDatabases {
		judgeAllDatabases(t, &res, out, db, table)
	}
	return res
}

// tableVerdict is what one routing table means for the drivers using it.
type tableVerdict struct {
	status  Status
	code    string // the result's Code; "" when the table is fine
	summary string
	problem string // short, for a list of databases; "" when the table is fine
	hints   []string
}

// judgeTable reads a table of database db ("" for the home database) the
// way a driver will use it: without routers it cannot refresh, without
// writers every write fails, without readers every read does; a short
// TTL and malformed entries cost less.
func judgeTable(db string, t *routing.Table, s say) tableVerdict {
	label := databaseName(db)
	v := tableVerdict{status: Pass,
		summary: fmt.Sprintf("%s: %s, %s, %s", label, count(len(t.Routers), "router"), count(len(t.Readers), "reader"), count(len(t.Writers), "writer"))}
	fail := func(code, problem string, hints ...string) {
		v.status, v.code, v.problem = Fail, code, problem
		v.summary = label + ": " + problem
		v.hints = append(v.hints, hints...)
	}
	switch {
	case len(t.Routers) == 0:
		fail("routing.no_routers", "the routing table lists no routers",
			"drivers cannot refresh a table without routers: "+serversUp(s))
	case len(t.Writers) == 0 && slices.ContainsFunc(t.Problems, func(p routing.Problem) bool { return p.Role == "WRITE" }):
		fail("routing.malformed_writer", "the routing table has no writers: its WRITE entry is malformed",
			"the server sent a WRITE entry drivers cannot read (see evidence): "+advertisedCheck(s, "on the writer")+"; an address is a \"host:port\" string")
	case len(t.Writers) == 0:
		fail("routing.no_writers", "the routing table lists no writers: writes fail, reads still work", noWriterHints(s)...)
	case len(t.Readers) == 0:
		fail("routing.no_readers", "the routing table lists no readers: read queries fail", noReaderHint(s))
	}
	if v.status != Pass {
		return v
	}
	ttl := s.set(generation.RoutingTTL, "300s")
	switch {
	case t.TTL <= 0:
		v.status, v.code, v.problem = Warn, "routing.ttl_zero", fmt.Sprintf("TTL %ds", t.TTL)
		v.hints = append(v.hints, fmt.Sprintf("the table's TTL is %ds: drivers refetch it before every transaction; set it back to the default: %s", t.TTL, ttl))
	case t.TTL < shortTTL:
		v.status, v.code, v.problem = Warn, "routing.ttl_short", fmt.Sprintf("TTL only %ds", t.TTL)
		v.hints = append(v.hints, fmt.Sprintf("the table's TTL is only %ds: drivers refetch it very often; raise it, the default is %s", t.TTL, ttl))
	case t.TTL > longTTL:
		v.status, v.code, v.problem = Warn, "routing.ttl_long", fmt.Sprintf("TTL %ds", t.TTL)
		v.hints = append(v.hints, fmt.Sprintf("the table's TTL is %ds (over a day): drivers keep a stale table that long after members change; lower it, the default is %s", t.TTL, ttl))
	}
	if len(t.Problems) > 0 {
		v.status = Warn
		if v.problem == "" {
			v.code, v.problem = "routing.malformed_entries", "malformed or duplicate entries"
		}
		v.hints = append(v.hints, "the routing table has malformed or duplicate entries (see evidence): "+advertisedCheck(s, "on each member")+"; an address needs host and port")
	}
	if v.problem != "" {
		v.summary += "; " + v.problem // the summary names the cause
	}
	return v
}

// advertisedCheck says to check the advertised-address setting where,
// or on Aura what to do instead.
func advertisedCheck(s say, where string) string {
	if l := s.Lookup(generation.BoltAdvertisedAddress); l.Aura {
		return l.Text
	}
	return "check " + s.name(generation.BoltAdvertisedAddress) + " " + where
}

// serversUp says how to see which servers of the cluster are up.
func serversUp(s say) string {
	if l := s.Lookup(generation.ListServers); l.Aura {
		return l.Text
	}
	return fmt.Sprintf("see which servers are up with %s on the system database, and %s", s.code(generation.ListServers), readLogs(s, "on the others"))
}

// noWriterHints: the database has no leader, or is read-only.
func noWriterHints(s say) []string {
	why := "the database has no leader (an election in progress, or quorum lost) or is read-only"
	if l := s.Lookup(generation.ListServers); l.Aura {
		return []string{why + ": " + l.Text}
	}
	hints := []string{"check that a majority of the " + s.name(generation.Primaries) + " is up: " + s.code(generation.ListServers)}
	if c := s.code(generation.ShowDatabases); c != "" {
		why += "; the database's status on each server: " + c + " on the system database"
	}
	return append(hints, why)
}

// noReaderHint: no server serves reads of the database.
func noReaderHint(s say) string {
	if c := s.code(generation.ShowDatabases); c != "" {
		return "no server can serve reads: see where the database is online with " + c + " on the system database"
	}
	return "no server can serve reads: " + serversUp(s)
}

// fetchTable is the table of db that the ROUTE sent with the login got
// (routingRide asked for the same database), or else the one the routing
// procedure gives now (Bolt 3, 4.0-4.2).
func (r *Run) fetchTable(ctx context.Context, rctx map[string]string, db string) (*routing.Table, string, error) {
	t, method, _, err := r.fetchRawTable(ctx, rctx, db)
	return t, method, err
}

// fetchRawTable is fetchTable that also returns the table as the server
// sent it, when it came with the login (ROUTE); nil otherwise.
func (r *Run) fetchRawTable(ctx context.Context, rctx map[string]string, db string) (*routing.Table, string, map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
	defer cancel()
	if replies, err := r.Rides("routing"); err == nil && len(replies) == 1 {
		rt, err := bolt.ReadRoute(ctx, replies[0])
		if err != nil {
			return nil, routing.MethodRoute, nil, err
		}
		t, err := routing.Parse(rt)
		return t, routing.MethodRoute, rt, err
	}
	t, method, err := routing.Fetch(ctx, r.Bolt(), r.BoltVersion(), rctx, db)
	return t, method, nil, err
}

// directRoutingContext is the ROUTE context of the direct-routing check:
// the address the user typed, which a standalone server echoes back.
func directRoutingContext(t *Target) map[string]string {
	return map[string]string{"address": t.Address()}
}

// directRouting answers for bolt:// URIs, which bypass routing: against a
// cluster member that is worth saying, because writes then fail whenever
// that member is not the leader and nothing fails over. The server's own
// routing table tells a cluster from a standalone server. On Bolt 4.3+
// the table came with the login (see routingRide); older servers are
// asked through the routing procedure now.
func (r *Run) directRouting(ctx context.Context) Result {
	if r.T.Database != "" && r.BoltVersion().Major < 4 {
		return judgeDirect(r.T, "", nil, "", nil)
	}
	table, method, err := r.fetchTable(ctx, directRoutingContext(r.T), r.T.Database)
	if err == nil && len(table.Members()) > 1 {
		r.directTable = table
	}
	return judgeDirect(r.T, r.hello.AdvertisedAddress, table, method, err)
}

// judgeDirect reads the table a bolt:// server gave for itself; advertised
// is the address it advertises for itself (LOGON, 5.8+).
func judgeDirect(t *Target, advertised string, table *routing.Table, method string, err error) Result {
	skip := Result{Status: Skip, Code: "routing.direct", Summary: t.Scheme + ":// connects directly; no routing table is used"}
	if t.AllDatabases {
		skip.Facts = append(skip.Facts, Fact{Name: "all databases", Value: "--all-databases needs a neo4j:// URI"})
	}
	if table == nil || err != nil {
		// A standalone 3.5 server has no routing procedure, and a server
		// may refuse routing to a direct connection: either way bolt:// is
		// what the user asked for. After a FAILURE the connection sends
		// RESET ahead of the query check's next request.
		return skip
	}
	members := table.Members()
	if len(members) <= 1 {
		skip.Code = "routing.standalone"
		skip.Summary = t.Scheme + ":// connects directly to a standalone server; no routing table is used"
		return skip
	}
	res := Result{Status: Warn, Code: "routing.bypassed", Facts: []Fact{{Name: "fetched with", Value: method, Verbose: true}}}
	self, roles := identifySelf(members, advertised, t.Address())
	db := table.Database
	if db == "" {
		db = t.Database
	}
	shown := db
	if shown == "" {
		shown = "the home database"
	}
	res.Facts = append(res.Facts,
		Fact{Name: "database", Value: shown},
		Fact{Name: "cluster", Value: fmt.Sprintf("%d members", len(members))},
		Fact{Name: "routers", Value: listOrNone(table.Routers)},
		Fact{Name: "readers", Value: listOrNone(table.Readers)},
		Fact{Name: "writers", Value: listOrNone(table.Writers)},
	)
	res.Summary = fmt.Sprintf("%s:// bypasses routing: this server is one of %d cluster members", t.Scheme, len(members))
	switch {
	case self == "":
		res.Facts = append(res.Facts, Fact{Name: "this server", Value: "not found in the table under " + t.Address()})
	case !slices.Contains(roles, "WRITE"):
		res.Facts = append(res.Facts, Fact{Name: "this server", Value: self + " (" + strings.Join(roles, ", ") + ")"})
		res.Code = "routing.bypassed_not_writer"
		res.Summary = fmt.Sprintf("%s:// bypasses routing, and this server is not the writer: writes sent here fail", t.Scheme)
	default:
		res.Facts = append(res.Facts, Fact{Name: "this server", Value: self + " (" + strings.Join(roles, ", ") + ")"})
	}
	scheme := "neo4j://"
	if t.TLS == TLSVerify {
		scheme = "neo4j+s://"
	} else if t.TLS == TLSAcceptAny {
		scheme = "neo4j+ssc://"
	}
	res.Hints = append(res.Hints, fmt.Sprintf("in applications connect with `%s%s`", scheme, t.Address()),
		fmt.Sprintf("with neo4j:// the driver sends writes to the current leader and fails over when a member goes down; keep %s:// for tools that must talk to this one server", t.Scheme))
	return res
}

// identifySelf finds the connected server among the table's members by
// the address it advertises (LOGON, 5.8+) or the address the user typed.
func identifySelf(members []routing.Member, names ...string) (string, []string) {
	for _, n := range names {
		if n == "" {
			continue
		}
		for _, m := range members {
			if strings.EqualFold(m.Address, n) {
				roles := append([]string(nil), m.Roles...)
				sortRoles(roles)
				return m.Address, roles
			}
		}
	}
	return "", nil
}

// tableDatabase is the database the members' own tables are asked for:
// the one the seed's table named (4.4+ say which home database they
// chose), else the one asked for.
func (r *Run) tableDatabase() string {
	if r.table != nil && r.table.Database != "" {
		return r.table.Database
	}
	return r.T.Database
}

// explainMissingDatabase adds what SHOW DATABASES said when the database
// asked for does not exist or is not available: the names that do exist,
// or the state the database is in on each server, which then is the
// summary and the fix, in place of what the error alone could say. With
// facts it adds the database's facts and evidence too.
func explainMissingDatabase(t *Target, s say, res *Result, se *bolt.ServerError, dbs *databasesOutcome, facts bool) {
	if dbs == nil || dbs.err != nil {
		return // only a better explanation was at stake
	}
	if strings.HasSuffix(se.Code, "Database.DatabaseNotFound") {
		var names []string
		for _, d := range dbs.list {
			names = append(names, d.Name)
		}
		list := listOrNone(names)
		if dbs.dropped > 0 {
			list += fmt.Sprintf(" and %d more", dbs.dropped)
		}
		if facts {
			res.Facts = append(res.Facts, Fact{Name: "databases that exist", Value: list})
		}
		if len(names) > 0 {
			// The list says more than any note about editions.
			res.Hints = []string{fmt.Sprintf("check the name%s: SHOW DATABASES lists %s; or leave it out to use the user's home database", databaseOrigin(t), list)}
		}
		return
	}
	want := t.Database
	for _, d := range dbs.list {
		if want == "" && d.Home || strings.EqualFold(d.Name, want) {
			if facts {
				res.Facts = append(res.Facts, Fact{Name: "database " + d.Name, Value: describeDatabase(d)})
				if m := d.Message(); m != "" {
					res.Evidence = append(res.Evidence, Fact{Name: "status message", Value: m})
				}
			}
			if worst := d.Worst(); worst != "" {
				// What SHOW DATABASES says beats the guesses the error
				// alone leaves.
				res.Summary = statusSummary(d, worst)
				res.Hints = []string{statusHint(s, d, worst)}
			}
		}
	}
}

// judgeAllDatabases adds every database the user can see (SHOW DATABASES
// on the system database) to res: its status on each server, the server
// that takes its writes, and its own routing table. A problem with a
// database other than the one asked for is a warning: the connection
// works, but the user asked to hear about every database.
func judgeAllDatabases(t *Target, res *Result, out routingOutcome, mainDB string, mainTable *routing.Table) {
	if out.version.Major < 4 {
		res.Facts = append(res.Facts, Fact{Name: "all databases", Value: "Bolt 3 (Neo4j 3.5 and older) has a single database"})
		return
	}
	dbs := out.dbs
	if dbs.err != nil {
		res.raise(Warn, "routing.show_databases_failed")
		res.Evidence = append(res.Evidence, Fact{Name: "SHOW DATABASES", Value: dbs.err.Error()})
		res.Hints = append(res.Hints, showDatabasesFailedHint(say{out.srv}, mainDB, dbs.err))
		return
	}
	user := t.Username
	if user == "" {
		user = "this user"
	}
	res.Facts = append(res.Facts, Fact{Name: "databases", Value: fmt.Sprintf("%d visible to %s (SHOW DATABASES)", len(dbs.list), user)})
	sy := say{out.srv}
	// The database asked for has its problem in the summary already: the
	// list names the others'.
	var problems []string
	mainProblem, others := false, 0
	seenHint := map[string]bool{}
	for _, h := range res.Hints {
		seenHint[h] = true
	}
	hint := func(h string) {
		if !seenHint[h] {
			seenHint[h] = true
			res.Hints = append(res.Hints, h)
		}
	}
	for _, d := range dbs.list {
		line := describeDatabase(d)
		problem := ""
		if worst := d.Worst(); worst != "" {
			problem = d.Name + " (" + worst + ")"
			hint(statusHint(sy, d, worst))
		}
		if d.Online() {
			var tbl *routing.Table
			if mainTable != nil && strings.EqualFold(d.Name, mainDB) {
				tbl = mainTable
			} else if f, ok := dbs.tables[strings.ToLower(d.Name)]; ok && f.err != nil {
				line += "; no routing table: " + oneLineError(f.err)
				if problem == "" {
					problem = d.Name + " (no routing table)"
				}
				// The fact keeps the code; the server's own words are here.
				res.Evidence = append(res.Evidence, Fact{Name: d.Name + " error", Value: f.err.Error()})
				var se *bolt.ServerError
				if errors.As(f.err, &se) {
					dt := *t
					dt.Database = d.Name
					_, _, hs := routingFailure(&dt, sy, se, d.Name)
					for _, h := range hs {
						hint(h)
					}
				}
			} else if ok {
				tbl = f.table
			}
			if tbl != nil {
				v := judgeTable(d.Name, tbl, sy)
				line += fmt.Sprintf("; table %s, %s, %s, ttl %ds", count(len(tbl.Routers), "router"), count(len(tbl.Readers), "reader"), count(len(tbl.Writers), "writer"), tbl.TTL)
				if v.problem != "" && problem == "" {
					problem = d.Name + " (" + v.problem + ")"
				}
				if tbl != mainTable { // the main table's hints and evidence are there already
					for _, h := range v.hints {
						hint(databaseName(d.Name) + ": " + h)
					}
					if v.problem != "" {
						for _, p := range tbl.Problems {
							res.Evidence = append(res.Evidence, Fact{Name: d.Name + " problem", Value: p.Text})
						}
						if v.status == Fail {
							res.Evidence = append(res.Evidence, Fact{Name: d.Name + " table", Value: tbl.View()})
						}
					}
				}
			}
		}
		res.Facts = append(res.Facts, Fact{Name: "database " + d.Name, Value: line})
		isMain := strings.EqualFold(d.Name, mainDB) || mainDB == "" && d.Home
		if !isMain {
			others++
		}
		if problem != "" {
			if isMain {
				mainProblem = true
			} else {
				problems = append(problems, problem)
			}
			if m := d.Message(); m != "" {
				res.Evidence = append(res.Evidence, Fact{Name: d.Name + " status message", Value: m})
			}
		}
	}
	if dbs.dropped > 0 {
		res.Facts = append(res.Facts, Fact{Name: "not checked", Value: fmt.Sprintf("%d more databases (at most %d are checked)", dbs.dropped, routing.MaxDatabases)})
	}
	switch {
	case len(problems) == 0 && !mainProblem:
		res.Summary += fmt.Sprintf("; all %d databases online", len(dbs.list))
		return
	case len(problems) == 0 && others == 1:
		res.Summary += "; the other database is fine"
	case len(problems) == 0 && others > 1:
		res.Summary += fmt.Sprintf("; the other %d databases are fine", others)
	case len(problems) > 0:
		shown := problems
		if len(shown) > 3 {
			shown = append(shown[:3:3], fmt.Sprintf("%d more", len(problems)-3))
		}
		if others == 1 {
			res.Summary += "; the other database has a problem: " + shown[0]
		} else {
			res.Summary += fmt.Sprintf("; %d of the %d other databases %s a problem: %s", len(problems), others, plural(len(problems), "has", "have"), strings.Join(shown, ", "))
		}
	}
	res.raise(Warn, "routing.databases_problem")
}

// describeDatabase is one line per database: its status, what it is, and
// where it takes writes.
func describeDatabase(d routing.Database) string {
	parts := []string{d.Status()}
	switch {
	case d.Home:
		parts = append(parts, "home")
	case d.Default:
		parts = append(parts, "default")
	}
	if d.Type != "" && d.Type != "standard" {
		parts = append(parts, d.Type)
	}
	switch p := d.Primary(); {
	case p != "":
		parts = append(parts, "writer "+p)
	case d.Online():
		parts = append(parts, "no writer")
	}
	return strings.Join(parts, "; ")
}

// statusSummary says what SHOW DATABASES said of a database that is not
// online everywhere: the cause, not a guess.
func statusSummary(d routing.Database, worst string) string {
	name := databaseName(d.Name)
	if worst == "offline" && stoppedByAdmin(d) {
		return fmt.Sprintf("%s is %s: an administrator stopped it", name, d.Status())
	}
	return fmt.Sprintf("%s is %s", name, d.Status())
}

// stoppedByAdmin: every server's requested status is offline.
func stoppedByAdmin(d routing.Database) bool {
	for _, s := range d.Servers {
		if !strings.EqualFold(s.Requested, "offline") {
			return false
		}
	}
	return len(d.Servers) > 0
}

// statusHint is the fix for a database that is not online everywhere.
func statusHint(s say, d routing.Database, worst string) string {
	name := databaseName(d.Name)
	switch {
	case worst == "quarantined":
		var where []string
		for _, srv := range d.Servers {
			if strings.EqualFold(srv.Current, "quarantined") && srv.Address != "" {
				where = append(where, srv.Address)
			}
		}
		on := ""
		if len(where) > 0 {
			on = " on " + listOrNone(where)
		}
		lift := s.Lookup(generation.LiftQuarantine)
		if lift.Aura {
			return fmt.Sprintf("%s is quarantined after an error%s: %s", name, on, lift.Text)
		}
		h := fmt.Sprintf("%s is quarantined after an error%s: its statusMessage (SHOW DATABASES) says which, and %s", name, on, readLogs(s, "there"))
		if lift.Text != "" {
			h += "; once the cause is fixed, lift the quarantine: " + s.code(generation.LiftQuarantine, "<db>", d.Name)
			if strings.Contains(lift.Text, "<id>") {
				h += " (<id>: the server's id, from " + s.code(generation.ListServers) + ")"
			}
		}
		return h
	case worst == "offline" && stoppedByAdmin(d):
		if l := s.Lookup(generation.StartDatabase); l.Aura {
			return name + " was stopped: " + l.Text
		}
		return fmt.Sprintf("start it on the system database: %s", s.code(generation.StartDatabase, "<db>", d.Name))
	case worst == "offline":
		return fmt.Sprintf("%s should be online but is not: its statusMessage (SHOW DATABASES) says why it failed to start; %s", name, readLogs(s, "on each server for more"))
	}
	return fmt.Sprintf("%s is %s on some servers: wait for it to come online; if it does not, %s", name, worst, readLogs(s, "on the servers where it is not"))
}

// showDatabasesFailedHint: what SHOW DATABASES failing leaves out, and
// why it may have failed. It needs no privilege on the system database;
// the list it gives is the databases the user has ACCESS to.
func showDatabasesFailedHint(s say, mainDB string, err error) string {
	h := fmt.Sprintf("SHOW DATABASES on the system database failed, so only %s was checked", databaseName(mainDB))
	var se *bolt.ServerError
	if errors.As(err, &se) && strings.HasSuffix(se.Code, "Security.Forbidden") {
		return h + ": it lists only the databases the user's role has ACCESS to; to check them all, grant it on every database: " + s.code(generation.GrantAccessAll)
	}
	return h + ": see the error in the evidence, and run it again"
}

func oneLineError(err error) string {
	var se *bolt.ServerError
	if errors.As(err, &se) {
		return se.Code
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return clip.String(s, 120)
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "(none)"
	}
	const show = 10
	if len(l) > show {
		return strings.Join(l[:show], ", ") + fmt.Sprintf(" and %d more", len(l)-show)
	}
	return strings.Join(l, ", ")
}

// routingFailure is the code, summary and hints for a FAILURE in answer
// to the request for the table of database db ("" for the home database).
func routingFailure(t *Target, s say, se *bolt.ServerError, db string) (string, string, []string) {
	switch {
	case strings.HasSuffix(se.Code, "Database.DatabaseNotFound"):
		hints := []string{fmt.Sprintf("check the name%s: %s lists the databases there are; or leave it out to use the user's home database", databaseOrigin(t), s.code(generation.ShowDatabases))}
		if s.Aura {
			hints = append(hints, "on Aura the home database is not always called neo4j")
		} else {
			hints = append(hints, "Community Edition has only the databases neo4j and system")
		}
		return "routing.database_not_found", databaseName(t.Database) + " does not exist", hints
	case strings.HasSuffix(se.Code, "General.DatabaseUnavailable"):
		// SHOW DATABASES may say which (explainMissingDatabase); until
		// then, the summary says what the error leaves open.
		return "routing.database_unavailable", databaseName(db) + " is unavailable: it may be stopped, still starting or quarantined", unavailableHints(s, db)
	case strings.HasSuffix(se.Code, "Procedure.ProcedureNotFound"):
		return "routing.not_a_cluster", "the server is not a cluster and cannot route", []string{
			"use bolt://" + t.Address() + ": routing needs a cluster (Neo4j 3.5 standalone servers have no routing procedure)",
		}
	case strings.HasSuffix(se.Code, "Security.Forbidden"):
		return "routing.forbidden", fmt.Sprintf("user %s may not access %s", userName(t), databaseName(db)), []string{
			accessHint(s, db), "or choose a database the user may use",
		}
	}
	return "routing.server_error", "fetching the routing table failed: " + se.Code, []string{"see the server's message; retry, or use bolt:// to bypass routing while investigating"}
}
