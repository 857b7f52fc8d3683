package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

// shortTTL is where a routing table's time to live makes drivers refetch
// it so often that it costs more than it saves.
const shortTTL = 10

func checkRouting(ctx context.Context, r *Run) Result {
	if !r.T.Routing {
		return Result{Status: Skip, Summary: r.T.Scheme + ":// connects directly; no routing table is used"}
	}
	ctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
	defer cancel()
	var (
		table  *routing.Table
		method = routing.MethodRoute
		err    error
	)
	if r.T.Database != "" && r.hs.Version.Major < 4 {
		return Result{Status: Fail,
			Summary: fmt.Sprintf("database %q was asked for, but Bolt %s (Neo4j 3.5 or older) has no named databases", r.T.Database, r.hs.Version),
			Hints:   []string{"leave --database/NEO4J_DATABASE out for this server, or upgrade it: named databases need Neo4j 4.0 or later"}}
	}
	if r.hello.Route != nil || r.hello.RouteErr != nil {
		err = r.hello.RouteErr
		if err == nil {
			table, err = routing.Parse(r.hello.Route)
		}
	} else {
		table, method, err = routing.Fetch(ctx, r.bconn, r.hs.Version, r.T.routingContext(), r.T.Database)
	}
	res := Result{}
	res.Facts = append(res.Facts, Fact{"fetched with", method})
	db := r.T.Database
	if db == "" {
		db = "the home database"
	}
	if err != nil {
		res.Status = Fail
		res.Error = err.Error()
		var se *bolt.ServerError
		if errors.As(err, &se) {
			res.Evidence = append(res.Evidence, serverEvidence(se)...)
			res.Summary, res.Hints = routingFailure(r.T, se, db)
		} else {
			res.Summary = "the routing table could not be read"
			res.Hints = append(res.Hints, "the server's answer to "+method+" is not a routing table: check the server's logs")
		}
		return res
	}
	r.table = table
	if table.Database != "" {
		db = table.Database
	}
	res.Facts = append(res.Facts,
		Fact{"database", db},
		Fact{"ttl", fmt.Sprintf("%ds", table.TTL)},
		Fact{"routers", listOrNone(table.Routers)},
		Fact{"readers", listOrNone(table.Readers)},
		Fact{"writers", listOrNone(table.Writers)},
	)
	for _, p := range table.Problems {
		res.Evidence = append(res.Evidence, Fact{"problem", p})
	}
	res.Status = Pass
	res.Summary = fmt.Sprintf("%s: %s, %s, %s", db, count(len(table.Routers), "router"), count(len(table.Readers), "reader"), count(len(table.Writers), "writer"))
	switch {
	case len(table.Routers) == 0:
		res.Status = Fail
		res.Summary = db + ": the routing table lists no routers"
		res.Hints = append(res.Hints, "drivers cannot refresh a table without routers: check SHOW SERVERS and the servers' logs")
	case len(table.Writers) == 0:
		res.Status = Fail
		res.Summary = db + ": the routing table lists no writers; writes fail, reads still work"
		res.Hints = append(res.Hints, "the database has no leader (election in progress, lost quorum) or is read-only: run SHOW DATABASES and SHOW SERVERS on the system database, and check that a majority of primaries is up")
	case len(table.Readers) == 0:
		res.Status = Fail
		res.Summary = db + ": the routing table lists no readers"
		res.Hints = append(res.Hints, "no server can serve reads: run SHOW DATABASES to see where the database is online")
	}
	if res.Status == Pass {
		switch {
		case table.TTL <= 0:
			res.Status = Warn
			res.Hints = append(res.Hints, fmt.Sprintf("the table's TTL is %ds: drivers refetch it before every transaction; set dbms.routing_ttl (default 300s)", table.TTL))
		case table.TTL < shortTTL:
			res.Status = Warn
			res.Hints = append(res.Hints, fmt.Sprintf("the table's TTL is only %ds: drivers refetch it very often; dbms.routing_ttl defaults to 300s", table.TTL))
		case len(table.Problems) > 0:
			res.Status = Warn
			res.Hints = append(res.Hints, "the routing table has malformed or duplicate entries (see evidence): check server.bolt.advertised_address on each member")
		}
	}
	return res
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

func routingFailure(t *Target, se *bolt.ServerError, db string) (string, []string) {
	switch {
	case strings.HasSuffix(se.Code, "Database.DatabaseNotFound"):
		return fmt.Sprintf("database %q does not exist", t.Database), []string{
			"check the name with SHOW DATABASES, or leave --database/NEO4J_DATABASE out to use the user's home database (on Aura it is not always called neo4j; Community edition has only neo4j and system)",
		}
	case strings.HasSuffix(se.Code, "General.DatabaseUnavailable"):
		return db + " is unavailable (stopped, starting, or quarantined)", []string{
			"run SHOW DATABASES on the system database to see its currentStatus, START DATABASE it if stopped, and read neo4j.log/debug.log; an Aura instance that is resuming needs a minute",
		}
	case strings.HasSuffix(se.Code, "Procedure.ProcedureNotFound"):
		return "the server is not a cluster and cannot route", []string{
			"use bolt://" + t.Address() + ": routing needs a cluster (Neo4j 3.5 standalone servers have no routing procedure)",
		}
	case strings.HasSuffix(se.Code, "Security.Forbidden"):
		return fmt.Sprintf("user %q may not access %s", t.Username, db), []string{
			"grant access (GRANT ACCESS ON DATABASE <name> TO <role>) or choose a database the user may use",
		}
	}
	return "fetching the routing table failed: " + se.Code, []string{"see the server's message; retry, or use bolt:// to bypass routing while investigating"}
}
