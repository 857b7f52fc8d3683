package bolt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
)

// Options bound what a server can make the client hold. Zero fields take
// the defaults.
//
// The defaults keep what a hostile server can make the client hold to a
// few tens of MiB in all: a message of 8 MiB at most (a routing table of
// 100,000 addresses is 3 or 4 MiB), strings of 1 MiB at most (Bolt
// metadata is never near that), and packstream.DefaultLimits.MaxValues
// decoded values (about 64 bytes each at worst) per message and per result.
type Options struct {
	MaxMessage      int // bytes in one message; default 8 MiB
	Limits          packstream.Limits
	MaxRecords      int // records in one Query result; default 10,000
	MaxResultBytes  int // RECORD bytes in one Query result; default 8 MiB
	MaxResultValues int // decoded values in one Query result; default Limits.MaxValues
}

// DefaultMaxString bounds one string or byte array a server may send when
// Options.Limits does not say.
const DefaultMaxString = 1 << 20

func (o Options) withDefaults() Options {
	if o.MaxMessage <= 0 {
		o.MaxMessage = 8 << 20
	}
	if o.Limits.MaxString <= 0 {
		o.Limits.MaxString = DefaultMaxString
	}
	if o.Limits.MaxValues <= 0 {
		o.Limits.MaxValues = packstream.DefaultLimits.MaxValues
	}
	if o.MaxRecords <= 0 {
		o.MaxRecords = 10_000
	}
	if o.MaxResultBytes <= 0 {
		o.MaxResultBytes = 8 << 20
	}
	if o.MaxResultValues <= 0 {
		o.MaxResultValues = o.Limits.MaxValues
	}
	return o
}

// maxErrorText bounds server-supplied text copied into errors.
const maxErrorText = 1024

// Conn is a Bolt session over a negotiated connection. It is not safe for
// concurrent use. After a FAILURE it sends RESET ahead of the next request,
// as drivers do; after an I/O or protocol error every call fails.
type Conn struct {
	conn      net.Conn
	r         *bufio.Reader
	hs        HandshakeResult
	v         Version
	opts      Options
	log       transcript
	owed      int   // responses still due to requests whose caller stopped reading
	needReset bool  // the server is FAILED or mid-stream
	broken    error // the byte stream is out of step; nothing more can be read
	// budget, when positive, is how many decoded values the current Query
	// may still receive: a result is bounded as a whole, not per record.
	budget int
	// spec holds the answers to a HELLO sent with the handshake until Hello
	// collects them.
	spec *speculated
	// presented are the RUN/PULL pairs of HelloRequest.Statements, sent
	// with HELLO, whose answers only Queries with the same statements
	// reads: they are another caller's verdict, not the login's.
	presented []request
}

// NewConn wraps a connection on which Handshake succeeded.
func NewConn(conn net.Conn, hs HandshakeResult, opts Options) *Conn {
	c := &Conn{conn: conn, r: bufio.NewReaderSize(conn, 64<<10), hs: hs, v: hs.Version, opts: opts.withDefaults()}
	c.log.addHandshake(hs)
	return c
}

// Version is the negotiated protocol version.
func (c *Conn) Version() Version { return c.v }

// Transcript returns the last frames exchanged, oldest first.
func (c *Conn) Transcript() []Frame { return c.log.list() }

// Close closes the socket without GOODBYE.
func (c *Conn) Close() error {
	if c.broken == nil {
		c.broken = net.ErrClosed
	}
	return c.conn.Close()
}

// RouteRequest asks for a routing table. An empty Database means the user's
// home database, which the answer names in rt.db.
type RouteRequest struct {
	Context   map[string]string // must hold "address" for 4.3
	Bookmarks []string
	Database  string
	ImpUser   string
}

// HelloRequest opens the session.
type HelloRequest struct {
	UserAgent string // default DefaultUserAgent
	BoltAgent string // bolt_agent.product from 5.3; default UserAgent
	Auth      Auth
	Routing   map[string]string // nil = direct (bolt://); for neo4j:// at least {"address": "host:port"}
	Route     *RouteRequest     // pipelined behind HELLO/LOGON when the version has ROUTE
	// Statements ride behind HELLO, LOGON and ROUTE in the same write.
	// Hello does not read their answers: they stay owed until Queries is
	// called with the same statements, which then sends nothing and reads
	// them under its own deadline. Any other request first discards them
	// (RESET), and after a failed login they are never read.
	Statements []Statement
}

// HelloResult is what the server said about itself and the login.
type HelloResult struct {
	Server             string
	ConnectionID       string
	ProtocolVersion    string // 5.7+ after a manifest handshake
	Hints              map[string]any
	CredentialsExpired bool
	AdvertisedAddress  string         // LOGON SUCCESS, 5.8+
	Metadata           map[string]any // the HELLO SUCCESS metadata as sent
	// Malformed lists metadata of the wrong type, e.g. `HELLO SUCCESS
	// "server" is an integer, not a string`. Such fields read as absent; a
	// Neo4j server never sends them, so the peer is something else.
	Malformed     []string
	Route         map[string]any // rt of the pipelined ROUTE
	RouteErr      error          // why Route is empty when a ROUTE was asked for
	HelloDuration time.Duration
	LogonDuration time.Duration
}

// QueryResult is a fully pulled result.
type QueryResult struct {
	Fields  []string
	Records [][]any
	Summary map[string]any
}

// Hello sends HELLO, LOGON (5.1+) and optionally ROUTE (4.3+) in one write
// and reads the answers in order. An auth failure is a *ServerError with
// Request "HELLO" (up to 5.0) or "LOGON". A ROUTE problem does not fail the
// login: it lands in RouteErr.
func (c *Conn) Hello(ctx context.Context, req HelloRequest) (HelloResult, error) {
	if sp := c.spec; sp != nil {
		// The requests already went out with the handshake: hand over
		// their answers, but only for the very request that was sent.
		c.spec = nil
		reqs, _, _, _ := helloRequests(c.v, req)
		if !sameWire(append(reqs, statementRequests(c.v, req.Statements)...), sp.reqs) {
			return sp.res, fmt.Errorf("bolt: HELLO: a different HELLO was already sent with the handshake")
		}
		return sp.res, sp.err
	}
	c.log.secret = req.Auth.Credentials
	reqs, logon, route, res := helloRequests(c.v, req)
	pre := statementRequests(c.v, req.Statements)
	release, err := c.begin(ctx, "HELLO")
	if err != nil {
		return res, err
	}
	defer release()
	start := time.Now()
	if err := c.send(ctx, append(reqs[:len(reqs):len(reqs)], pre...)...); err != nil {
		return res, err
	}
	err = c.helloAnswers(ctx, start, reqs, logon, route, &res, pre)
	return res, err
}

// statementRequests encodes the RUN/PULL pairs of stmts for v; nil when
// one cannot be encoded, so Queries meets that error itself.
func statementRequests(v Version, stmts []Statement) []request {
	var out []request
	for _, st := range stmts {
		run, err := runMessage(v, st.Query, st.Params, st.Extra)
		if err != nil {
			return nil
		}
		out = append(out, run, pullMessage(v, -1))
	}
	return out
}

// helloRequests encodes HELLO, LOGON (5.1+) and the optional ROUTE for v.
// A ROUTE that v cannot carry lands in res.RouteErr.
func helloRequests(v Version, req HelloRequest) (reqs []request, logon, route bool, res HelloResult) {
	reqs = []request{helloMessage(v, req)}
	logon = v.atLeast(5, 1)
	if logon {
		reqs = append(reqs, logonMessage(req.Auth))
	}
	if req.Route != nil {
		m, err := routeMessage(v, *req.Route)
		if err != nil {
			res.RouteErr = err
		} else {
			reqs, route = append(reqs, m), true
		}
	}
	return reqs, logon, route, res
}

func sameWire(a, b []request) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if string(a[i].msg) != string(b[i].msg) {
			return false
		}
	}
	return true
}

// helloAnswers reads the answers to reqs, sent at start, into res. The
// answers to pre, sent after reqs, are left for Queries after a login,
// and owed after a failed one.
func (c *Conn) helloAnswers(ctx context.Context, start time.Time, reqs []request, logon, route bool, res *HelloResult, pre []request) error {
	meta, err := c.answer(ctx, "HELLO")
	res.HelloDuration = time.Since(start)
	if err != nil {
		c.owe(len(reqs) - 1 + len(pre))
		return err
	}
	res.Metadata = meta
	res.Malformed = append(res.Malformed, wrongTypes("HELLO", meta, helloTypes)...)
	res.Server = str(meta, "server")
	res.ConnectionID = str(meta, "connection_id")
	res.ProtocolVersion = str(meta, "protocol_version")
	res.Hints, _ = meta["hints"].(map[string]any)
	res.CredentialsExpired, _ = meta["credentials_expired"].(bool)

	if logon {
		t := time.Now()
		meta, err := c.answer(ctx, "LOGON")
		res.LogonDuration = time.Since(t)
		if err != nil {
			c.owe(len(reqs) - 2 + len(pre))
			return err
		}
		res.Malformed = append(res.Malformed, wrongTypes("LOGON", meta, logonTypes)...)
		if exp, _ := meta["credentials_expired"].(bool); exp {
			res.CredentialsExpired = true
		}
		res.AdvertisedAddress = str(meta, "advertised_address")
	}
	// Set before ROUTE's answer: a failed ROUTE leaves the statements
	// IGNORED, which Queries, not the login, has to deal with.
	c.presented = pre
	if route {
		meta, err := c.answer(ctx, "ROUTE")
		if err != nil {
			res.RouteErr = err
			return nil
		}
		res.Route, res.RouteErr = routingTable(meta)
	}
	return nil
}

// Route fetches a routing table with the ROUTE message (4.3+). Older
// versions need the routing procedure, which is the caller's job: the error
// wraps ErrUnsupportedRequest.
func (c *Conn) Route(ctx context.Context, req RouteRequest) (map[string]any, error) {
	m, err := routeMessage(c.v, req)
	if err != nil {
		return nil, err
	}
	meta, err := c.exchange(ctx, m)
	if err != nil {
		return nil, err
	}
	return routingTable(meta)
}

func routingTable(meta map[string]any) (map[string]any, error) {
	rt, ok := meta["rt"].(map[string]any)
	if !ok {
		return nil, &PeerError{Step: "ROUTE", Err: ErrProtocol, Cause: fmt.Errorf("SUCCESS without an rt map (rt is %T)", meta["rt"])}
	}
	return rt, nil
}

// Query runs RUN and PULL {n: -1} in one write and collects the result,
// at most Options.MaxRecords records and MaxResultBytes bytes.
func (c *Conn) Query(ctx context.Context, query string, params, extra map[string]any) (QueryResult, error) {
	res, errs := c.Queries(ctx, Statement{Query: query, Params: params, Extra: extra})
	return res[0], errs[0]
}

// Statement is one auto-commit query of Queries.
type Statement struct {
	Query  string
	Params map[string]any
	Extra  map[string]any
}

// Queries runs every statement's RUN and PULL {n: -1} in one write, so n
// queries cost one round trip, and collects the results in order. After
// a failure the server ignores the rest: their errors wrap ErrIgnored.
// Each result is bounded as Query's is.
//
// When the same statements went out with HELLO (HelloRequest.Statements)
// it sends nothing and reads their answers. If the server ignored them
// (a request before them failed) it runs them once more, after RESET.
func (c *Conn) Queries(ctx context.Context, stmts ...Statement) ([]QueryResult, []error) {
	res := make([]QueryResult, len(stmts))
	errs := make([]error, len(stmts))
	fill := func(from int, err error) ([]QueryResult, []error) {
		for i := from; i < len(stmts); i++ {
			if errs[i] == nil {
				errs[i] = err
			}
		}
		return res, errs
	}
	var reqs []request
	for _, st := range stmts {
		run, err := runMessage(c.v, st.Query, st.Params, st.Extra)
		if err != nil {
			return fill(0, err)
		}
		reqs = append(reqs, run, pullMessage(c.v, -1))
	}
	release, err := c.begin(ctx, "RUN")
	if err != nil {
		return fill(0, err)
	}
	defer release()
	if c.presented != nil && sameWire(reqs, c.presented) {
		c.presented = nil
		res, errs = c.collect(ctx, reqs, len(stmts))
		// IGNORED: an earlier request of the flight (ROUTE) failed, so
		// the server never ran them. Run them now, once, after RESET,
		// so the answer is the statements' own.
		if !errors.Is(errs[0], ErrIgnored) || c.broken != nil {
			return res, errs
		}
	}
	if err := c.send(ctx, reqs...); err != nil {
		return fill(0, err)
	}
	return c.collect(ctx, reqs, len(stmts))
}

// collect reads the answers to the n RUN/PULL pairs of reqs, sent.
func (c *Conn) collect(ctx context.Context, reqs []request, n int) ([]QueryResult, []error) {
	res := make([]QueryResult, n)
	errs := make([]error, n)
	fill := func(from int) ([]QueryResult, []error) {
		for i := from; i < n; i++ {
			errs[i] = fmt.Errorf("bolt: not run after an earlier failure: %w", ErrIgnored)
		}
		return res, errs
	}
	for i := range n {
		pull := reqs[2*i+1]
		left := len(reqs) - 2*i - 2 // answers still due after this PULL's
		c.budget = c.opts.MaxResultValues
		meta, err := c.answer(ctx, "RUN")
		if err != nil {
			errs[i] = err
			c.owe(left + 1)
			c.budget = 0
			return fill(i + 1)
		}
		res[i].Fields = stringList(meta["fields"])
		res[i], errs[i] = c.pulled(ctx, pull.name, res[i])
		c.budget = 0
		if errs[i] != nil {
			if c.broken == nil {
				c.owe(left)
			}
			return fill(i + 1)
		}
	}
	return res, errs
}

// pulled reads the records and the summary of one PULL.
func (c *Conn) pulled(ctx context.Context, step string, res QueryResult) (QueryResult, error) {
	size := 0
	for {
		r, err := c.read(ctx, step)
		if err != nil {
			return res, err
		}
		if r.tag != MsgRecord {
			meta, err := c.summary(step, r)
			if err != nil {
				return res, err
			}
			res.Summary = meta
			if more, _ := meta["has_more"].(bool); more {
				c.needReset = true // the stream is still open on the server
			}
			return res, nil
		}
		size += len(r.raw)
		if len(res.Records) >= c.opts.MaxRecords || size > c.opts.MaxResultBytes {
			err := &PeerError{Step: step, Err: ErrResultTooLarge,
				Cause: fmt.Errorf("over %d records or %d bytes", c.opts.MaxRecords, c.opts.MaxResultBytes)}
			c.broken = err // the rest of the stream is unread
			return res, err
		}
		res.Records = append(res.Records, r.values)
	}
}

// Begin opens an explicit transaction.
func (c *Conn) Begin(ctx context.Context, extra map[string]any) error {
	m, err := beginMessage(c.v, extra)
	if err != nil {
		return err
	}
	_, err = c.exchange(ctx, m)
	return err
}

// Commit commits and returns the SUCCESS metadata (with the bookmark).
func (c *Conn) Commit(ctx context.Context) (map[string]any, error) {
	return c.exchange(ctx, commitMessage())
}

// Rollback rolls the open transaction back.
func (c *Conn) Rollback(ctx context.Context) error {
	_, err := c.exchange(ctx, rollbackMessage())
	return err
}

// Telemetry sends TELEMETRY (5.4+). Only useful when the HELLO hints say
// telemetry.enabled; a diagnostic run normally should not send it.
func (c *Conn) Telemetry(ctx context.Context, api int) error {
	m, err := telemetryMessage(c.v, int64(api))
	if err != nil {
		return err
	}
	_, err = c.exchange(ctx, m)
	return err
}

// Reset returns the server to READY, draining answers still owed.
func (c *Conn) Reset(ctx context.Context) error {
	release, err := c.begin(ctx, "RESET")
	if err != nil {
		return err
	}
	defer release()
	c.needReset = true
	return c.send(ctx)
}

// Goodbye announces the close; the server does not answer it.
func (c *Conn) Goodbye(ctx context.Context) error {
	release, err := c.begin(ctx, "GOODBYE")
	if err != nil {
		return err
	}
	defer release()
	err = c.write(ctx, []request{goodbyeMessage()})
	if c.broken == nil {
		c.broken = errors.New("bolt: connection ended with GOODBYE")
	}
	return err
}

// exchange is one request with one summary answer.
func (c *Conn) exchange(ctx context.Context, m request) (map[string]any, error) {
	release, err := c.begin(ctx, m.name)
	if err != nil {
		return nil, err
	}
	defer release()
	if err := c.send(ctx, m); err != nil {
		return nil, err
	}
	return c.answer(ctx, m.name)
}

func (c *Conn) begin(ctx context.Context, step string) (func(), error) {
	if c.broken != nil {
		return nil, fmt.Errorf("bolt: %s: connection unusable after an earlier failure: %w", step, c.broken)
	}
	release, err := bindContext(ctx, c.conn)
	if err != nil {
		return nil, fmt.Errorf("bolt: %s: %w", step, err)
	}
	return release, nil
}

// owe records answers a failed pipeline still has coming (IGNORED, as a
// rule), so the next call can skip them.
func (c *Conn) owe(n int) {
	c.owed += n
	c.needReset = true
}

// send writes reqs in one write; when the server is FAILED or answers are
// owed it puts RESET first and reads up to and including its SUCCESS.
func (c *Conn) send(ctx context.Context, reqs ...request) error {
	if c.presented != nil {
		// Answers nobody asked for yet are in the way: skip them.
		c.owe(len(c.presented))
		c.presented = nil
	}
	reset := c.needReset || c.owed > 0
	if reset {
		reqs = append([]request{resetMessage()}, reqs...)
	}
	if len(reqs) == 0 {
		return nil
	}
	if err := c.write(ctx, reqs); err != nil {
		return err
	}
	if !reset {
		return nil
	}
	for c.owed > 0 {
		r, err := c.read(ctx, "RESET")
		if err != nil {
			return err
		}
		if r.tag != MsgRecord {
			c.owed--
		}
	}
	if _, err := c.answer(ctx, "RESET"); err != nil {
		c.broken = err // a server that refuses RESET cannot be talked to
		return err
	}
	c.needReset = false
	return nil
}

func (c *Conn) write(ctx context.Context, reqs []request) error {
	var wire []byte
	for _, r := range reqs {
		wire = AppendMessage(wire, r.msg)
		c.log.add("C", r.summary, r.msg, r.secret)
	}
	if _, err := c.conn.Write(wire); err != nil {
		pe := &PeerError{Step: reqs[0].name, Err: writeSentinel(err), Cause: err}
		c.broken = pe
		return withContext(ctx, pe)
	}
	return nil
}

// response is one decoded server message.
type response struct {
	tag    byte
	meta   map[string]any // SUCCESS, FAILURE
	values []any          // RECORD
	raw    []byte
}

func tagName(tag byte) string {
	switch tag {
	case MsgSuccess:
		return "SUCCESS"
	case MsgRecord:
		return "RECORD"
	case MsgIgnored:
		return "IGNORED"
	case MsgFailure:
		return "FAILURE"
	}
	return fmt.Sprintf("MESSAGE(0x%02X)", tag)
}

// read reads one message and checks its shape. Anything that leaves the
// stream in an unknown state breaks the connection.
func (c *Conn) read(ctx context.Context, step string) (response, error) {
	raw, n, err := readMessage(c.r, c.opts.MaxMessage)
	if err != nil {
		sentinel := ioSentinel(err)
		switch {
		case errors.Is(err, ErrMessageTooLarge), errors.Is(err, ErrNoopFlood):
			sentinel = ErrProtocol
		case sentinel == ErrSilent && n > 0:
			sentinel = ErrStalled
			err = fmt.Errorf("%d bytes of the answer arrived, then nothing: %w", n, err)
		}
		pe := &PeerError{Step: step, Err: sentinel, Cause: err}
		c.broken = pe
		return response{}, withContext(ctx, pe)
	}
	lim := c.opts.Limits
	byBudget := c.budget > 0 && c.budget < lim.MaxValues
	if byBudget {
		lim.MaxValues = c.budget
	}
	s, values, err := packstream.DecodeMessage(raw, lim)
	if c.budget > 0 {
		// Never 0, which means no budget: a spent budget stays a limit.
		c.budget = max(c.budget-values, 1)
	}
	if err != nil {
		c.log.add("S", "undecodable message", raw, false)
		if byBudget && errors.Is(err, packstream.ErrTooLarge) {
			pe := &PeerError{Step: step, Err: ErrResultTooLarge,
				Cause: fmt.Errorf("over %d decoded values: %w", c.opts.MaxResultValues, err)}
			c.broken = pe // the rest of the stream is unread
			return response{}, pe
		}
		return response{}, c.protocolError(step, raw, err)
	}
	c.log.add("S", summarize(tagName(s.Tag), s.Fields...), raw, false)
	r := response{tag: s.Tag, raw: raw}
	ok := false
	switch s.Tag {
	case MsgSuccess, MsgFailure:
		if len(s.Fields) == 1 {
			r.meta, ok = s.Fields[0].(map[string]any)
		}
	case MsgRecord:
		if len(s.Fields) == 1 {
			r.values, ok = s.Fields[0].([]any)
		}
	case MsgIgnored:
		ok = true
	}
	if !ok {
		what := fmt.Sprintf("%s with %d fields", tagName(s.Tag), len(s.Fields))
		switch s.Tag {
		case MsgSuccess, MsgFailure, MsgRecord, MsgIgnored:
		default:
			what = fmt.Sprintf("a message of tag 0x%02X, which Bolt does not define", s.Tag)
		}
		return response{}, c.protocolError(step, raw, fmt.Errorf("%w: %s", ErrUnexpectedMessage, what))
	}
	return r, nil
}

// answer reads the summary that ends a request.
func (c *Conn) answer(ctx context.Context, step string) (map[string]any, error) {
	r, err := c.read(ctx, step)
	if err != nil {
		return nil, err
	}
	return c.summary(step, r)
}

func (c *Conn) summary(step string, r response) (map[string]any, error) {
	switch r.tag {
	case MsgSuccess:
		return r.meta, nil
	case MsgFailure:
		c.needReset = true
		return nil, c.serverError(step, r.meta)
	case MsgIgnored:
		c.needReset = true
		return nil, &PeerError{Step: step, Err: ErrIgnored}
	}
	return nil, c.protocolError(step, r.raw, fmt.Errorf("%w: %s where the answer to %s was due", ErrUnexpectedMessage, tagName(r.tag), step))
}

func (c *Conn) protocolError(step string, raw []byte, cause error) error {
	pe := &PeerError{Step: step, Err: ErrProtocol, Bytes: c.log.scrubBytes(raw[:min(len(raw), maxHex)]), Cause: cause}
	c.broken = pe
	return pe
}

// serverError reads FAILURE metadata: 5.7+ servers send neo4j_code, older
// ones code.
func (c *Conn) serverError(step string, meta map[string]any) *ServerError {
	text := func(k string) string { return clip(c.log.scrub(str(meta, k)), maxErrorText) }
	e := &ServerError{Request: step, Code: text("neo4j_code"), Message: text("message"),
		GQLStatus: text("gql_status"), Description: text("description")}
	if e.Code == "" {
		e.Code = text("code")
	}
	return e
}

// helloTypes and logonTypes are the SUCCESS metadata whose type a client
// relies on; a present value of another type is reported.
var (
	helloTypes = map[string]string{"server": "string", "connection_id": "string", "protocol_version": "string",
		"hints": "map", "credentials_expired": "boolean"}
	logonTypes = map[string]string{"credentials_expired": "boolean", "advertised_address": "string"}
)

// wrongTypes lists the fields of meta that are present with another type
// than want says, in a fixed order so reports are stable. null counts as
// absent.
func wrongTypes(msg string, meta map[string]any, want map[string]string) []string {
	var out []string
	for _, k := range []string{"server", "connection_id", "protocol_version", "hints", "credentials_expired", "advertised_address"} {
		w, ok := want[k]
		v, present := meta[k]
		if !ok || !present || v == nil {
			continue
		}
		if got := typeName(v); got != w {
			out = append(out, fmt.Sprintf("%s SUCCESS %q is %s, not a %s", msg, k, article(got), w))
		}
	}
	return out
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case map[string]any:
		return "map"
	case bool:
		return "boolean"
	case int64:
		return "integer"
	case float64:
		return "float"
	case []any:
		return "list"
	case []byte:
		return "byte array"
	case *packstream.Struct:
		return "structure"
	}
	return fmt.Sprintf("%T", v)
}

func article(noun string) string {
	if strings.IndexByte("aeiou", noun[0]) >= 0 {
		return "an " + noun
	}
	return "a " + noun
}

// str reads a string field; a value of another type counts as absent, as
// metadata is evidence to report, not something to crash on.
func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		} else {
			var b strings.Builder
			formatValue(&b, e)
			out = append(out, b.String())
		}
	}
	return out
}
