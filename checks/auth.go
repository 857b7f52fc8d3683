package checks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/internal/aura"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
)

var authCheck = Check{
	ID: "auth", Title: "authentication", Needs: []string{"bolt"}, Member: true, Phase: true,
	Doc: "HELLO/LOGON: wrong password, rate limit, expired token, expired password; a server that goes quiet, stops reading or breaks the protocol",
	Codes: append([]Code{
		{ID: "auth.unauthorized", Doc: "the server rejected the username or password"},
		{ID: "auth.rate_limited", Doc: "the account is locked after too many failed logins"},
		{ID: "auth.token_expired", Doc: "the SSO token has expired"},
		{ID: "auth.credentials_expired", Doc: "the password has expired and must be changed before any query runs"},
		{ID: "auth.provider_unavailable", Doc: "the server could not reach its identity provider (LDAP, OIDC)", Wait: true},
		{ID: "auth.request_refused", Doc: "the server refused neo4j-doctor's login request as malformed: a bug in neo4j-doctor"},
		{ID: "auth.server_error", Doc: "the server failed the login with a code none of the other codes names"},
		{ID: "auth.malformed_reply", Doc: "the server took the login, but its answer carries metadata of the wrong type: it is not Neo4j, or a proxy rewrites Bolt"},
	}, peerCodes("auth", "the login")...),
	Run: checkAuth,
}

// routingContext is what drivers send in HELLO and ROUTE for neo4j://
// URIs: the URI's query plus the address the user typed, on every
// connection, members' included.
func (r *Run) routingContext() map[string]string {
	if !r.T.Routing {
		return nil
	}
	addr := r.seed
	if addr == "" {
		addr = r.T.Address()
	}
	m := map[string]string{"address": addr}
	for k, v := range r.T.RoutingContext {
		m[k] = v
	}
	return m
}

func supportsRoute(v bolt.Version) bool { return v.Major > 4 || v.Major == 4 && v.Minor >= 3 }

// checkAuth reads the server's answer to HELLO and LOGON (see
// session.login): sent with the handshake, or now.
func checkAuth(ctx context.Context, r *Run) Result {
	hello, err := r.s.login(ctx)
	// HELLO's answer (the server agent) is worth keeping even when LOGON
	// failed: the version check reports it.
	r.hello = &hello
	res := judgeAuth(r.T, hello, err)
	if err != nil && noAnswer(err) {
		r.noResponse = true
	}
	return res
}

// judgeAuth reads the login's outcome.
func judgeAuth(t *Target, hello bolt.HelloResult, err error) Result {
	res := Result{}
	if hello.Server != "" {
		res.Facts = append(res.Facts, Fact{Name: "server", Value: hello.Server})
	}
	if hello.ConnectionID != "" {
		res.Facts = append(res.Facts, Fact{Name: "connection id", Value: hello.ConnectionID})
	}
	if err != nil {
		if se := res.noteError(err); se != nil {
			summary, hints, code := authFailure(t, se)
			res.Summary, res.Hints = summary, hints
			res.raise(Fail, code)
			return res
		}
		res.notePeerBytes(err)
		var kind peerKind
		res.Summary, res.Hints, kind = peerFailure(t, peerStep(err, "HELLO"), err)
		res.raise(Fail, kind.code("auth"))
		if errors.Is(err, bolt.ErrClosed) {
			res.Summary = "the server broke off authentication: it closed the connection during " + peerStep(err, "HELLO")
		}
		return res
	}
	user := t.Username
	if user == "" {
		user = "(no credentials)"
	}
	res.Facts = append(res.Facts, Fact{Name: "user", Value: user})
	if hello.AdvertisedAddress != "" {
		res.Facts = append(res.Facts, Fact{Name: "advertised address", Value: hello.AdvertisedAddress})
	}
	if len(hello.Malformed) > 0 {
		// Neo4j never does this; passing would vouch for whatever it is.
		res.raise(Fail, "auth.malformed_reply")
		res.Summary = "the server's answer to HELLO breaks the Bolt protocol: " + hello.Malformed[0]
		for _, m := range hello.Malformed {
			res.Evidence = append(res.Evidence, Fact{Name: "malformed", Value: m})
		}
		// The answers themselves, as the server sent them.
		for _, a := range loginAnswers(hello) {
			if slices.ContainsFunc(hello.Malformed, func(m string) bool { return strings.HasPrefix(m, a.name+" ") }) {
				res.Evidence = append(res.Evidence, Fact{Name: a.name, Value: serverValue(a.meta, t.Password)})
			}
		}
		res.Hints = append(res.Hints, fmt.Sprintf("Neo4j always sends these fields with the types Bolt defines: a server that is not Neo4j, or a proxy that rewrites Bolt, answers on port %d; check what listens there", t.Port))
		return res
	}
	if hello.CredentialsExpired {
		res.raise(Fail, "auth.credentials_expired")
		res.Summary = fmt.Sprintf("%s logged in, but the password has expired and must be changed before any query runs", user)
		res.Hints = append(res.Hints, credentialsExpiredHint)
		// The server's own word: the SUCCESS that says credentials_expired.
		for _, a := range loginAnswers(hello) {
			if exp, _ := a.meta["credentials_expired"].(bool); exp {
				res.Evidence = append(res.Evidence, Fact{Name: a.name, Value: serverValue(a.meta, t.Password)})
			}
		}
		return res
	}
	res.Status = Pass
	res.Summary = fmt.Sprintf("authenticated as %s", user)
	if d := hello.HelloDuration + hello.LogonDuration; d > 0 {
		res.Summary += fmt.Sprintf(" in %s", roundDur(d))
	}
	return res
}

// loginAnswer is the metadata of one SUCCESS the login got.
type loginAnswer struct {
	name string // "HELLO SUCCESS", "LOGON SUCCESS"
	meta map[string]any
}

// loginAnswers are the SUCCESS answers to HELLO and (5.1+) LOGON, in
// order, as the server sent them.
func loginAnswers(hello bolt.HelloResult) []loginAnswer {
	var out []loginAnswer
	if hello.Metadata != nil {
		out = append(out, loginAnswer{"HELLO SUCCESS", hello.Metadata})
	}
	if hello.LogonMetadata != nil {
		out = append(out, loginAnswer{"LOGON SUCCESS", hello.LogonMetadata})
	}
	return out
}

const credentialsExpiredHint = "change the password: in cypher-shell or Browser run ALTER CURRENT USER SET PASSWORD FROM '<old>' TO '<new>' (on the system database); for new servers set it beforehand with neo4j-admin dbms set-initial-password or Docker's NEO4J_AUTH"

// noteError records err on res and, when it is a FAILURE the server sent,
// the server's code and message as evidence; it returns that FAILURE, or
// nil when the error is the peer's behaviour or ours.
func (res *Result) noteError(err error) *bolt.ServerError {
	res.Err = err
	var se *bolt.ServerError
	if !errors.As(err, &se) {
		return nil
	}
	res.Evidence = append(res.Evidence, Fact{Name: "request", Value: se.Request}, Fact{Name: "code", Value: se.Code}, Fact{Name: "message", Value: se.Message})
	if se.GQLStatus != "" {
		res.Evidence = append(res.Evidence, Fact{Name: "gql status", Value: se.GQLStatus})
	}
	return se
}

// authFailure says what a FAILURE to the login means: a summary, hints,
// and the result's code.
func authFailure(t *Target, se *bolt.ServerError) (summary string, hints []string, code string) {
	user := t.Username
	switch {
	case strings.HasSuffix(se.Code, "Security.Unauthorized"):
		h := []string{fmt.Sprintf("the server rejected user %q with this password: check NEO4J_USERNAME/NEO4J_PASSWORD (or -u/-p) for typos and stray quotes or spaces", user)}
		if aura.IsHost(t.Host) {
			h = append(h, "on Aura use the credentials file downloaded when the instance was created; a lost password is reset in https://console.neo4j.io")
		} else {
			h = append(h, "Docker's NEO4J_AUTH=neo4j/<password> only applies on the first start of an empty data volume; reset with neo4j-admin dbms set-initial-password on a stopped, empty DBMS")
		}
		return "authentication failed: wrong username or password", h, "auth.unauthorized"
	case strings.HasSuffix(se.Code, "Security.AuthenticationRateLimit"):
		return "the account is locked after too many failed logins",
			[]string{"stop retrying (CI loops make it worse), fix the credentials, and wait dbms.security.auth_lock_time (default 5s) before the next try"}, "auth.rate_limited"
	case strings.HasSuffix(se.Code, "Security.TokenExpired"):
		return "the SSO token has expired", []string{"get a fresh token from your identity provider and pass it again"}, "auth.token_expired"
	case strings.HasSuffix(se.Code, "Security.CredentialsExpired"):
		return "the password has expired and must be changed", []string{credentialsExpiredHint}, "auth.credentials_expired"
	case strings.HasPrefix(se.Code, "Neo.TransientError.Security.AuthProvider"):
		return "the server could not reach its identity provider", []string{"the LDAP/OIDC provider is slow or down: retry, and check the server's security.log"}, "auth.provider_unavailable"
	case strings.HasPrefix(se.Code, "Neo.ClientError.Request."):
		return "the server refused neo4j-doctor's request as malformed", []string{"this is a bug in neo4j-doctor, not your setup: please report it with a support bundle"}, "auth.request_refused"
	}
	return "authentication failed: " + se.Code, []string{"see the server's message above and its security.log"}, "auth.server_error"
}
