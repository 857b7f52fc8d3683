package checks

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/generation"
)

var authCheck = Check{
	ID: "auth", Title: "authentication", Needs: []string{"bolt"}, Member: true, Phase: true,
	Doc: "HELLO/LOGON with the user and password or a bearer token: wrong password, rate limit, expired token, expired password, an identity provider (LDAP/SSO) that fails; a server that goes quiet, stops reading or breaks the protocol",
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
	res := judgeAuth(r.T, r.serverGen(), hello, err)
	if err != nil && noAnswer(err) {
		r.noResponse = true
	}
	if res.Status == Fail && r.T.BearerToken != "" {
		// The access check, which reads the token when the login
		// worked, does not run: what the token says of itself is the
		// evidence here.
		res.Facts = append(res.Facts, bearerFacts(r.T, r.Env.Now())...)
	}
	return res
}

// serverGen is the server as hints name things for it: its generation
// from the agent HELLO gave (from the Bolt version when it gave none), and
// whether it is Aura. The checks after auth read r.hello, which auth
// wrote before them.
func (r *Run) serverGen() generation.Server {
	agent := r.seedAgent
	if r.hello != nil && r.hello.Server != "" {
		agent = r.hello.Server
	}
	return generation.Detect(r.T.Host, agent, r.BoltVersion())
}

// judgeAuth reads the login's outcome; srv is the server as far as the
// login told.
func judgeAuth(t *Target, srv generation.Server, hello bolt.HelloResult, err error) Result {
	res := Result{}
	if hello.Server != "" {
		res.Facts = append(res.Facts, Fact{Name: "server", Value: hello.Server})
	}
	if hello.ConnectionID != "" {
		res.Facts = append(res.Facts, Fact{Name: "connection id", Value: hello.ConnectionID, Verbose: true})
	}
	if err != nil {
		if se := res.noteError(err); se != nil {
			summary, hints, code := authFailure(t, say{srv}, se)
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
	switch {
	case t.BearerToken != "":
		user = "the one the bearer token names"
	case user == "":
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
				res.Evidence = append(res.Evidence, Fact{Name: a.name, Value: serverValue(a.meta, t.secret())})
			}
		}
		res.Hints = append(res.Hints, fmt.Sprintf("Neo4j always sends these fields with the types Bolt defines: a server that is not Neo4j, or a proxy that rewrites Bolt, answers on port %d; check what listens there", t.Port))
		return res
	}
	if hello.CredentialsExpired {
		res.raise(Fail, "auth.credentials_expired")
		res.Summary = fmt.Sprintf("the password of %s has expired: it must be changed before any query runs", user)
		res.Hints = append(res.Hints, credentialsExpiredHints(say{srv})...)
		// The server's own word: the SUCCESS that says credentials_expired.
		for _, a := range loginAnswers(hello) {
			if exp, _ := a.meta["credentials_expired"].(bool); exp {
				res.Evidence = append(res.Evidence, Fact{Name: a.name, Value: serverValue(a.meta, t.secret())})
			}
		}
		return res
	}
	res.Status = Pass
	res.Summary = fmt.Sprintf("authenticated as %s", user)
	if t.BearerToken != "" {
		// The token names the user; SHOW CURRENT USER (the access
		// check) says who the server took it for.
		res.Summary = "authenticated with " + tokenOrigin(t)
	}
	// How long the login took is the access check's fact: a slow one
	// points at the server's identity provider.
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

// credentialsExpiredHints: change the expired password now, and how new
// servers avoid it.
func credentialsExpiredHints(s say) []string {
	code, note := s.split(generation.ChangePassword)
	if note != "" {
		note += ", "
	}
	hints := []string{"change it in cypher-shell or Browser, " + note + "with " + code}
	var first []string
	for _, it := range []generation.Item{generation.SetInitialPassword, generation.DockerAuth} {
		if l := s.Lookup(it); l.Text != "" && !l.Aura {
			first = append(first, s.code(it))
		}
	}
	if len(first) > 0 {
		hints = append(hints, "on a new DBMS, set the first password beforehand and none has to be changed: "+strings.Join(first, ", or "))
	}
	return hints
}

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
func authFailure(t *Target, s say, se *bolt.ServerError) (summary string, hints []string, code string) {
	switch {
	case strings.HasSuffix(se.Code, "Security.Unauthorized") && t.BearerToken != "":
		return "authentication failed: the server rejected the bearer token", bearerRejectedHints(t, s), "auth.unauthorized"
	case strings.HasSuffix(se.Code, "Security.Unauthorized"):
		return "authentication failed: wrong username or password", unauthorizedHints(t, s), "auth.unauthorized"
	case strings.HasSuffix(se.Code, "Security.AuthenticationRateLimit"):
		return "the account is locked after too many failed logins", rateLimitHints(s), "auth.rate_limited"
	case strings.HasSuffix(se.Code, "Security.TokenExpired"):
		return "the SSO token has expired", []string{"get a fresh token from your identity provider and pass it again, in place of " + tokenOrigin(t)}, "auth.token_expired"
	case strings.HasSuffix(se.Code, "Security.CredentialsExpired"):
		return "the password has expired and must be changed", credentialsExpiredHints(s), "auth.credentials_expired"
	case strings.HasPrefix(se.Code, "Neo.TransientError.Security.AuthProvider"):
		return identityProviderFailing, identityProviderHints(s, se), "auth.provider_unavailable"
	case strings.HasPrefix(se.Code, "Neo.ClientError.Request."):
		return "the server refused neo4j-doctor's request as malformed", []string{"this is a bug in neo4j-doctor, not your setup: please report it with a support bundle"}, "auth.request_refused"
	}
	return "authentication failed: " + se.Code, []string{"see the server's message above and its security.log"}, "auth.server_error"
}

// identityProviderFailing is the summary of every failure of the
// server's identity provider: the login (AuthProviderTimeout,
// AuthProviderFailed) or a statement after it (AuthorizationExpired).
const identityProviderFailing = "the server's identity provider (LDAP/SSO) is failing; your credentials are probably fine"

// identityProviderHints: the server's administrator looks at the
// provider the server is configured for, with the settings of its
// generation; the user retries once it answers. On Aura, the
// organization's SSO.
func identityProviderHints(s say, se *bolt.ServerError) []string {
	what := "did not answer the server in time"
	switch {
	case strings.HasSuffix(se.Code, "AuthProviderFailed"):
		what = "refused or failed the server's request"
	case strings.HasSuffix(se.Code, "AuthorizationExpired"):
		what = "could not renew what it said of the user when the server's cached copy expired"
	}
	if l := s.Lookup(generation.LDAPHost); l.Aura {
		return []string{"the identity provider " + what + ": " + l.Text}
	}
	where := []string{"LDAP: " + s.name(generation.LDAPHost) +
		" (timeouts " + s.name(generation.LDAPConnectionTimeout) + " and " + s.name(generation.LDAPReadTimeout) + ")"}
	if oidc := s.name(generation.OIDCDiscovery); oidc != "" {
		where = append(where, "SSO: "+oidc)
	}
	// The fix says who acts and where; the settings to look at follow, so
	// that the closing block stays short.
	fix := fmt.Sprintf("have the DBMS administrator check the identity provider from the Neo4j server: it %s (%s)",
		what, se.Code[strings.LastIndexByte(se.Code, '.')+1:])
	settings := fmt.Sprintf("%s names the provider; its settings are %s", s.name(generation.AuthProviders), strings.Join(where, "; "))
	hints := []string{fix}
	if strings.HasSuffix(se.Code, "AuthorizationExpired") {
		hints = append(hints, "so that the server renews a user's groups itself, without the user logging in again, set "+
			s.set(generation.LDAPSystemAccount, "true")+" with the LDAP system account's user name and password; "+
			s.name(generation.AuthCacheTTL)+" is how long the server keeps what the provider said")
		return append(hints, "meanwhile reconnect: a new login asks the provider again, and drivers do that themselves for this error", settings)
	}
	return append(hints, "retry once the provider answers: the same credentials should then work; "+s.name(generation.SecurityLog)+" on the server says what failed", settings)
}

// bearerRejectedHints: the token is not one the server accepts; what it
// says of itself is in the facts.
func bearerRejectedHints(t *Target, s say) []string {
	hints := []string{fmt.Sprintf("the server rejected %s: get a fresh token from the identity provider the server trusts, issued for this server (its issuer and audience are in the facts), and pass the whole token", tokenOrigin(t))}
	if l := s.Lookup(generation.OIDCDiscovery); l.Aura {
		return append(hints, l.Text)
	}
	if oidc := s.name(generation.OIDCDiscovery); oidc != "" {
		hints = append(hints, fmt.Sprintf("the server takes tokens from the provider %s names, when %s lists it", oidc, s.name(generation.AuthProviders)))
	}
	return hints
}

// secret is the credential the login carries: the bearer token, or the
// password. No evidence may show it.
func (t *Target) secret() string {
	if t.BearerToken != "" {
		return t.BearerToken
	}
	return t.Password
}

// bearerFacts are what the bearer token says of itself (never the
// token), or why it could not be read.
func bearerFacts(t *Target, now time.Time) []Fact {
	c, err := decodeJWT(t.BearerToken)
	if err != nil {
		return []Fact{{Name: "token", Value: "not read: " + err.Error()}}
	}
	return tokenFacts(c, now)
}

// unauthorizedHints: check the credentials where they came from; then
// what resets a password, which differs for a new DBMS, an existing one
// and Aura.
func unauthorizedHints(t *Target, s say) []string {
	user := t.Username
	var first string
	switch origin := passwordOrigin(t); {
	case t.Password == "" && origin == "":
		first = fmt.Sprintf("no password was given for user %q: set NEO4J_PASSWORD, or pass --password", user)
	case origin == "":
		first = fmt.Sprintf("the server rejected user %q with this password: check NEO4J_USERNAME/NEO4J_PASSWORD (or -u/-p) for typos and stray quotes or spaces", user)
	default:
		first = fmt.Sprintf("the server rejected user %q with %s: check it, and the user name%s, for typos and stray quotes or spaces", user, origin, usernameOrigin(t))
	}
	hints := []string{first}
	if l := s.Lookup(generation.AuthEnabled); l.Aura {
		// Aura: the credentials file, or another admin, or a clone.
		hints = append(hints, l.Text)
		if r := s.Lookup(generation.RecoverPassword); r.Text != "" {
			hints = append(hints, "if the password is lost: "+r.Text)
		}
		return hints
	}
	var first2 []string
	for _, it := range []generation.Item{generation.DockerAuth, generation.SetInitialPassword} {
		if c := s.code(it); c != "" {
			first2 = append(first2, c)
		}
	}
	if len(first2) > 0 {
		hints = append(hints, "these set only the first password of a new DBMS and change nothing on one that has started: "+strings.Join(first2, "; "))
	}
	if r := s.name(generation.RecoverPassword, "<user>", user); r != "" {
		hints = append(hints, "if the password of an existing DBMS is lost: "+r)
	}
	return hints
}

// rateLimitHints: stop, fix the credentials, wait out the lock; the
// settings that decide it.
func rateLimitHints(s say) []string {
	if l := s.Lookup(generation.AuthMaxFailedAttempts); l.Aura {
		return []string{l.Text}
	}
	return []string{
		fmt.Sprintf("stop retrying (CI loops make it worse), fix the credentials, and wait out the lock before the next try: %s (default 5s)", s.Text(generation.AuthLockTime)),
		fmt.Sprintf("the server locks an account after %s failed logins in a row (default 3)", s.Text(generation.AuthMaxFailedAttempts)),
	}
}

// passwordOrigin names where the password came from, as a user would
// recognise it: "the password given with --password", "NEO4J_PASSWORD
// from the environment", "NEO4J_PASSWORD in Neo4j-1234.txt", "the
// password in the URI (--uri)"; "" when the run does not say.
func passwordOrigin(t *Target) string {
	st, ok := t.Info.Settings["password"]
	if !ok || st.From == "" {
		return ""
	}
	switch {
	case strings.HasPrefix(st.From, "the URI"):
		return "the password in " + st.From
	case st.Source == "flag":
		return "the password given with " + st.From
	case st.Source == "env":
		return st.From + " from the environment"
	case st.Source == "file":
		if i := strings.LastIndexByte(st.From, ' '); i > 0 {
			return st.From[i+1:] + " in " + st.From[:i]
		}
	}
	return "the password from " + st.From
}

// usernameOrigin is " (--username)", " (NEO4J_USERNAME)" and the like:
// where the user name came from, "" when it is the default or unknown.
func usernameOrigin(t *Target) string {
	if st, ok := t.Info.Settings["username"]; ok && st.From != "" {
		return " (" + st.From + ")"
	}
	return ""
}

// say renders the names generation gives for the server in hints: a
// statement, command or setting=value to paste in backticks, the words
// the table puts after it (such as "on the system database") outside
// them.
type say struct{ generation.Server }

// severalForms matches a text that names several generations' forms
// ("X (4.x: Y)"), which is prose to read, not one thing to paste.
var severalForms = regexp.MustCompile(`\((3\.5|4\.x|5\.x|2025\.x)[,:]|; not on |\(not on `)

// code is item's text for a hint, with its placeholders filled (pairs:
// "<db>", "movies"; a database name is quoted as Cypher needs it): the
// thing to paste in backticks, then the table's note. On Aura, an item
// with a replacement gives the replacement (a whole instruction, check
// Lookup(it).Aura); "" when the server has no such thing.
func (s say) code(it generation.Item, fill ...string) string {
	l := s.Lookup(it)
	if l.Aura {
		return l.Text
	}
	return paste(l.Text, fill...)
}

// split is code's two parts apart: the thing to paste (in backticks) and
// the table's note ("on the system database"), so a hint can say the
// note first and end with what to paste. On Aura, code is the
// replacement and note is "".
func (s say) split(it generation.Item, fill ...string) (code, note string) {
	l := s.Lookup(it)
	if l.Aura || l.Text == "" || severalForms.MatchString(l.Text) {
		return s.code(it, fill...), ""
	}
	c, n := splitNote(l.Text)
	return paste(c, fill...), fillIn(n, fill)
}

// set is "`name=value`" for a setting; on Aura, the replacement.
func (s say) set(it generation.Item, value string) string {
	if l := s.Lookup(it); l.Aura {
		return l.Text
	}
	return paste(s.Set(it, value))
}

// name is the item's text as prose (a setting to check, a word), with
// its placeholders filled; nothing in backticks.
func (s say) name(it generation.Item, fill ...string) string {
	code, note := splitNote(s.Text(it))
	return joinNote(fillIn(code, fill), fillIn(note, fill))
}

// paste backticks the pasteable part of a text generation gave.
func paste(text string, fill ...string) string {
	if text == "" {
		return ""
	}
	if severalForms.MatchString(text) {
		return fillIn(text, fill) // several forms: each needs reading
	}
	code, note := splitNote(text)
	code, note = fillIn(code, fill), fillIn(note, fill)
	if strings.Contains(code, "`") {
		return joinNote(code, note) // a quoted name cannot sit inside a span
	}
	return joinNote("`"+code+"`", note)
}

func joinNote(code, note string) string {
	if note == "" {
		return code
	}
	return code + " " + note
}

// noteWords open the words generation puts after a statement or command:
// "on the system database", "before the DBMS first starts", "or, where
// ...". No statement or command of the table has one of them as a word.
var noteWords = map[string]bool{"on": true, "before": true, "or,": true, "in": true}

// splitNote cuts a generation text into the statement, command or
// setting and the note that follows it.
func splitNote(text string) (code, note string) {
	words := strings.Split(text, " ")
	for i, w := range words {
		if i > 0 && noteWords[w] {
			return strings.Join(words[:i], " "), strings.Join(words[i:], " ")
		}
	}
	return text, ""
}

// fillIn replaces placeholders: "'<db>'" becomes a Cypher string, a bare
// "<db>" a Cypher name (in backticks when it needs quoting).
func fillIn(text string, fill []string) string {
	for i := 0; i+1 < len(fill); i += 2 {
		ph, v := fill[i], fill[i+1]
		if v == ph || v == "" {
			continue // not known: the placeholder stays
		}
		if ph == "<db>" {
			text = strings.ReplaceAll(text, "'<db>'", "'"+strings.ReplaceAll(v, "'", "\\'")+"'")
			v = cypherName(v)
		}
		text = strings.ReplaceAll(text, ph, v)
	}
	return text
}

var plainName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// cypherName is a database name as a Cypher statement takes it.
func cypherName(name string) string {
	if plainName.MatchString(name) {
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}
