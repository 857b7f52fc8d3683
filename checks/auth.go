package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
)

// routingContext is what drivers send in HELLO and ROUTE for neo4j://
// URIs: the URI's query plus the address the user typed, on every
// connection, members' included.
func (t *Target) routingContext() map[string]string {
	if !t.Routing {
		return nil
	}
	addr := t.seed
	if addr == "" {
		addr = t.Address()
	}
	m := map[string]string{"address": addr}
	for k, v := range t.RoutingContext {
		m[k] = v
	}
	return m
}

func supportsRoute(v bolt.Version) bool { return v.Major > 4 || v.Major == 4 && v.Minor >= 3 }

// helloRequest is HELLO (and LOGON from 5.1) plus, on Bolt 4.3+, ROUTE
// for a routing URI's seed, for a router's own view, and for a bolt://
// run's direct-routing check, so a healthy server costs one round trip.
// Before the handshake (speculation) it is built for the speculative
// versions, all 4.3+.
//
// A bolt:// run's own connection also carries the query check's
// statements when that check is to run: nothing else is sent on it before
// the query check, so their answers wait on the connection for that check
// (see bolt.HelloRequest.Statements). Only with the ROUTE: without it
// (3.0, 4.0-4.2) the direct-routing check asks the routing procedure
// first, and would have to read through the queries' answers to get its
// own.
func helloRequest(r *Run) bolt.HelloRequest {
	req := bolt.HelloRequest{
		UserAgent: "neo4j-doctor/" + r.Env.Version,
		BoltAgent: "neo4j-doctor/" + r.Env.Version,
		Auth:      bolt.BasicAuth(r.T.Username, r.T.Password),
		Routing:   r.T.routingContext(),
	}
	routeOK := r.bconn == nil || supportsRoute(r.hs.Version)
	switch {
	case !routeOK:
	case !r.T.Routing && !r.member:
		// The direct-routing check asks whether this server is one of a
		// cluster. HELLO still carries no routing context, as drivers
		// send for bolt://: only the ROUTE names the address.
		req.Route = &bolt.RouteRequest{Context: directRoutingContext(r.T), Database: r.T.Database}
	case !r.T.Routing:
	case !r.member:
		req.Route = &bolt.RouteRequest{Context: req.Routing, Database: r.T.Database}
	case r.T.routerView:
		req.Route = &bolt.RouteRequest{Context: req.Routing, Database: r.T.routerViewDB}
	}
	if !r.T.Routing && !r.member && req.Route != nil && r.willRun("query") {
		v := r.hs.Version
		if r.bconn == nil {
			v = bolt.Version{Major: 5, Minor: 8} // any speculative version encodes the same
		}
		// r.table is never set on bolt://: this is queryDatabase's answer.
		req.Statements = queryStatements(r.T.Database, v)
	}
	return req
}

// checkAuth sends the HELLO of helloRequest, or collects its answers when
// the bolt check sent it with the handshake.
func checkAuth(ctx context.Context, r *Run) Result {
	ctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
	defer cancel()
	hello, err := r.bconn.Hello(ctx, helloRequest(r))
	// HELLO's answer (the server agent) is worth keeping even when LOGON
	// failed: the version check reports it.
	r.hello = &hello
	res := Result{}
	if hello.Server != "" {
		res.Facts = append(res.Facts, Fact{"server", hello.Server})
	}
	if hello.ConnectionID != "" {
		res.Facts = append(res.Facts, Fact{"connection id", hello.ConnectionID})
	}
	if err != nil {
		res.Status = Fail
		if se := res.noteError(err); se != nil {
			res.Summary, res.Hints = authFailure(r.T, se)
			return res
		}
		var silent bool
		res.Summary, res.Hints, silent = peerFailure(r.T, peerStep(err, "HELLO"), err)
		if errors.Is(err, bolt.ErrClosed) {
			res.Summary = "the server broke off authentication: it closed the connection during " + peerStep(err, "HELLO")
		}
		r.noResponse = r.noResponse || silent
		return res
	}
	user := r.T.Username
	if user == "" {
		user = "(no credentials)"
	}
	res.Facts = append(res.Facts, Fact{"user", user})
	if hello.AdvertisedAddress != "" {
		res.Facts = append(res.Facts, Fact{"advertised address", hello.AdvertisedAddress})
	}
	if len(hello.Malformed) > 0 {
		// Neo4j never does this; passing would vouch for whatever it is.
		res.Status = Fail
		res.Summary = "the server's answer to HELLO breaks the Bolt protocol: " + hello.Malformed[0]
		for _, m := range hello.Malformed {
			res.Evidence = append(res.Evidence, Fact{"malformed", m})
		}
		res.Hints = append(res.Hints, fmt.Sprintf("Neo4j always sends these fields with the types Bolt defines: a server that is not Neo4j, or a proxy that rewrites Bolt, answers on port %d; check what listens there", r.T.Port))
		return res
	}
	if hello.CredentialsExpired {
		res.Status = Fail
		res.Summary = fmt.Sprintf("%s logged in, but the password has expired and must be changed before any query runs", user)
		res.Hints = append(res.Hints, credentialsExpiredHint)
		return res
	}
	res.Status = Pass
	res.Summary = fmt.Sprintf("authenticated as %s", user)
	if d := hello.HelloDuration + hello.LogonDuration; d > 0 {
		res.Summary += fmt.Sprintf(" in %s", roundDur(d))
	}
	return res
}

const credentialsExpiredHint = "change the password: in cypher-shell or Browser run ALTER CURRENT USER SET PASSWORD FROM '<old>' TO '<new>' (on the system database); for new servers set it beforehand with neo4j-admin dbms set-initial-password or Docker's NEO4J_AUTH"

// noteError records err on res and, when it is a FAILURE the server sent,
// the server's code and message as evidence; it returns that FAILURE, or
// nil when the error is the peer's behaviour or ours.
func (res *Result) noteError(err error) *bolt.ServerError {
	res.Error = err.Error()
	var se *bolt.ServerError
	if !errors.As(err, &se) {
		return nil
	}
	res.Evidence = append(res.Evidence, Fact{"request", se.Request}, Fact{"code", se.Code}, Fact{"message", se.Message})
	if se.GQLStatus != "" {
		res.Evidence = append(res.Evidence, Fact{"gql status", se.GQLStatus})
	}
	return se
}

func authFailure(t *Target, se *bolt.ServerError) (string, []string) {
	user := t.Username
	switch {
	case strings.HasSuffix(se.Code, "Security.Unauthorized"):
		h := []string{fmt.Sprintf("the server rejected user %q with this password: check NEO4J_USERNAME/NEO4J_PASSWORD (or -u/-p) for typos and stray quotes or spaces", user)}
		if IsAuraHost(t.Host) {
			h = append(h, "on Aura use the credentials file downloaded when the instance was created; a lost password is reset in https://console.neo4j.io")
		} else {
			h = append(h, "Docker's NEO4J_AUTH=neo4j/<password> only applies on the first start of an empty data volume; reset with neo4j-admin dbms set-initial-password on a stopped, empty DBMS")
		}
		return "authentication failed: wrong username or password", h
	case strings.HasSuffix(se.Code, "Security.AuthenticationRateLimit"):
		return "the account is locked after too many failed logins",
			[]string{"stop retrying (CI loops make it worse), fix the credentials, and wait dbms.security.auth_lock_time (default 5s) before the next try"}
	case strings.HasSuffix(se.Code, "Security.TokenExpired"):
		return "the SSO token has expired", []string{"get a fresh token from your identity provider and pass it again"}
	case strings.HasSuffix(se.Code, "Security.CredentialsExpired"):
		return "the password has expired and must be changed", []string{credentialsExpiredHint}
	case strings.HasPrefix(se.Code, "Neo.TransientError.Security.AuthProvider"):
		return "the server could not reach its identity provider", []string{"the LDAP/OIDC provider is slow or down: retry, and check the server's security.log"}
	case strings.HasPrefix(se.Code, "Neo.ClientError.Request."):
		return "the server refused neo4j-doctor's request as malformed", []string{"this is a bug in neo4j-doctor, not your setup: please report it with a support bundle"}
	}
	return "authentication failed: " + se.Code, []string{"see the server's message above and its security.log"}
}
