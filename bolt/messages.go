package bolt

import (
	"errors"
	"fmt"

	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
)

// Message tags.
const (
	MsgHello     byte = 0x01
	MsgGoodbye   byte = 0x02
	MsgReset     byte = 0x0F
	MsgRun       byte = 0x10
	MsgBegin     byte = 0x11
	MsgCommit    byte = 0x12
	MsgRollback  byte = 0x13
	MsgDiscard   byte = 0x2F
	MsgPull      byte = 0x3F
	MsgTelemetry byte = 0x54
	MsgRoute     byte = 0x66
	MsgLogon     byte = 0x6A
	MsgLogoff    byte = 0x6B

	MsgSuccess byte = 0x70
	MsgRecord  byte = 0x71
	MsgIgnored byte = 0x7E
	MsgFailure byte = 0x7F
)

// DefaultUserAgent is sent when the caller names no agent; 5.3+ servers
// reject a HELLO without bolt_agent.product.
const DefaultUserAgent = "neo4j-doctor"

// ErrUnsupportedRequest means the negotiated version cannot express the
// request (ROUTE before 4.3, a database on Bolt 3, ...): a caller decision,
// not a server fault.
var ErrUnsupportedRequest = errors.New("bolt: request not available in the negotiated protocol version")

// redacted replaces credentials in every summary.
const redacted = "******"

// Auth is an auth token. Credentials never reach a transcript or an error.
type Auth struct {
	Scheme, Principal, Credentials, Realm string
}

// BasicAuth is the user/password token; no user and no password means the
// server runs without auth, which is scheme "none".
func BasicAuth(user, pass string) Auth {
	if user == "" && pass == "" {
		return Auth{Scheme: "none"}
	}
	return Auth{Scheme: "basic", Principal: user, Credentials: pass}
}

// String keeps the password out of anything that formats an Auth.
func (a Auth) String() string {
	c := ""
	if a.Credentials != "" {
		c = redacted
	}
	return fmt.Sprintf("Auth{Scheme:%q Principal:%q Credentials:%q Realm:%q}", a.Scheme, a.Principal, c, a.Realm)
}

// GoString covers %#v.
func (a Auth) GoString() string { return a.String() }

func (a Auth) token() map[string]any {
	scheme := a.Scheme
	if scheme == "" {
		scheme = "none"
	}
	t := map[string]any{"scheme": scheme}
	if scheme == "none" {
		return t
	}
	if a.Principal != "" || scheme == "basic" {
		t["principal"] = a.Principal
	}
	if a.Credentials != "" || scheme == "basic" {
		t["credentials"] = a.Credentials
	}
	if a.Realm != "" {
		t["realm"] = a.Realm
	}
	return t
}

// request is one encoded client message plus what the transcript may show.
type request struct {
	name    string
	msg     []byte // one PackStream structure, not chunked
	summary string // credentials already redacted
	secret  bool   // msg holds credentials: keep its bytes out of evidence
	// credentials is the secret msg carries, for the transcript to mask
	// wherever a server echoes it.
	credentials string
}

func encode(name string, tag byte, fields ...any) (request, error) {
	msg, err := packstream.Append(nil, &packstream.Struct{Tag: tag, Fields: fields})
	if err != nil {
		return request{}, fmt.Errorf("bolt: encoding %s: %w", name, err)
	}
	return request{name: name, msg: msg, summary: summarize(name, fields...)}, nil
}

// mustEncode is for messages built only from types packstream accepts.
func mustEncode(name string, tag byte, fields ...any) request {
	r, err := encode(name, tag, fields...)
	if err != nil {
		panic(err)
	}
	return r
}

func unsupported(v Version, format string, args ...any) error {
	return fmt.Errorf("%w (negotiated %s): %s", ErrUnsupportedRequest, v, fmt.Sprintf(format, args...))
}

// withSecret encodes a message carrying an auth token: the bytes go on the
// wire, the summary shows the token with its credentials masked, and the
// bytes are flagged so they never become evidence.
func withSecret(name string, tag byte, token map[string]any) request {
	msg, err := packstream.Append(nil, &packstream.Struct{Tag: tag, Fields: []any{token}})
	if err != nil {
		panic(err) // only strings and string maps: cannot fail
	}
	shown, secret, credentials := token, false, ""
	if c, ok := token["credentials"]; ok {
		secret = true
		credentials, _ = c.(string)
		shown = make(map[string]any, len(token))
		for k, v := range token {
			shown[k] = v
		}
		if c != "" {
			shown["credentials"] = redacted
		}
	}
	return request{name: name, msg: msg, summary: summarize(name, shown), secret: secret, credentials: credentials}
}

func helloMessage(v Version, req HelloRequest) request {
	ua := req.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	extra := map[string]any{"user_agent": ua}
	if req.Routing != nil && v.atLeast(4, 1) {
		extra["routing"] = req.Routing
	}
	if v.atLeast(5, 3) {
		product := req.BoltAgent
		if product == "" {
			product = ua
		}
		extra["bolt_agent"] = map[string]any{"product": product}
	}
	if !v.atLeast(5, 1) {
		for k, val := range req.Auth.token() {
			if _, taken := extra[k]; !taken {
				extra[k] = val
			}
		}
	}
	return withSecret("HELLO", MsgHello, extra)
}

func logonMessage(a Auth) request { return withSecret("LOGON", MsgLogon, a.token()) }

func routeMessage(v Version, req RouteRequest) (request, error) {
	if !v.atLeast(4, 3) {
		return request{}, unsupported(v, "ROUTE needs Bolt 4.3+; call the routing procedure (dbms.routing.getRoutingTable) instead")
	}
	ctx := req.Context
	if ctx == nil {
		ctx = map[string]string{}
	}
	bookmarks := req.Bookmarks
	if bookmarks == nil {
		bookmarks = []string{}
	}
	if v == (Version{4, 3}) {
		if req.ImpUser != "" {
			return request{}, unsupported(v, "impersonation needs Bolt 4.4+")
		}
		var db any // null = default database
		if req.Database != "" {
			db = req.Database
		}
		return encode("ROUTE", MsgRoute, ctx, bookmarks, db)
	}
	extra := map[string]any{}
	if req.Database != "" {
		extra["db"] = req.Database
	}
	if req.ImpUser != "" {
		extra["imp_user"] = req.ImpUser
	}
	return encode("ROUTE", MsgRoute, ctx, bookmarks, extra)
}

// checkExtra rejects RUN/BEGIN keys the version cannot carry; dropping them
// silently would run the probe against the wrong database or user. A mode
// other than "r" or "w" is refused too: the server would take it as a
// write.
func checkExtra(v Version, extra map[string]any) error {
	if _, ok := extra["db"]; ok && v.Major < 4 {
		return unsupported(v, "Bolt 3 cannot select a database")
	}
	if _, ok := extra["imp_user"]; ok && !v.atLeast(4, 4) {
		return unsupported(v, "impersonation needs Bolt 4.4+")
	}
	if m, ok := extra["mode"]; ok && m != "r" && m != "w" {
		return fmt.Errorf("bolt: access mode %v: want \"r\" or \"w\"", m)
	}
	return nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func runMessage(v Version, query string, params, extra map[string]any) (request, error) {
	if err := checkExtra(v, extra); err != nil {
		return request{}, err
	}
	return encode("RUN", MsgRun, query, orEmpty(params), orEmpty(extra))
}

// beginMessage opens an explicit transaction (Bolt 3+); extra carries
// mode, db (4.0+), imp_user (4.4+), tx_metadata, tx_timeout and
// bookmarks.
func beginMessage(v Version, extra map[string]any) (request, error) {
	if v.Major < 3 {
		return request{}, unsupported(v, "explicit transactions (BEGIN) need Bolt 3+")
	}
	if err := checkExtra(v, extra); err != nil {
		return request{}, err
	}
	return encode("BEGIN", MsgBegin, orEmpty(extra))
}

// rollbackMessage ends the open transaction, undoing it (Bolt 3+). There
// is no commitMessage on purpose: see Rollback.
func rollbackMessage(v Version) (request, error) {
	if v.Major < 3 {
		return request{}, unsupported(v, "explicit transactions (ROLLBACK) need Bolt 3+")
	}
	return mustEncode("ROLLBACK", MsgRollback), nil
}

// pullMessage asks for n records (-1 = all); Bolt 3 only has PULL_ALL.
func pullMessage(v Version, n int64) request {
	if v.Major < 4 {
		return mustEncode("PULL_ALL", MsgPull)
	}
	return mustEncode("PULL", MsgPull, map[string]any{"n": n})
}

func resetMessage() request   { return mustEncode("RESET", MsgReset) }
func goodbyeMessage() request { return mustEncode("GOODBYE", MsgGoodbye) }
