package bolt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/internal/clip"

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

// Conn is a Bolt session over a negotiated connection. Requests go out with
// Send, which returns one Reply per request; answers are read, in the
// order the server sends them, when a Reply is waited on. The Conn knows
// nothing of who sent what: it matches answers to requests by position.
// It is safe for concurrent use. After a FAILURE it sends RESET ahead of
// the next request, as drivers do; after an I/O or protocol error every
// call fails.
type Conn struct {
	mu      sync.Mutex
	conn    net.Conn
	r       *bufio.Reader
	hs      HandshakeResult
	v       Version
	opts    Options
	log     transcript
	pending []*Reply // sent, not yet answered, oldest first
	dirty   bool     // the server is FAILED or mid-stream: RESET goes first
	broken  error    // the byte stream is out of step; nothing more can be read
	// budget, when positive, is how many decoded values the reply being
	// read may still receive: a result is bounded as a whole, not per
	// record.
	budget int
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
func (c *Conn) Transcript() []Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.list()
}

// Close closes the socket without GOODBYE.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.broken == nil {
		c.broken = net.ErrClosed
	}
	c.mu.Unlock()
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
	// Route, for Conn.Hello only, pipelines a ROUTE behind HELLO/LOGON
	// when the version has ROUTE.
	Route *RouteRequest
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
	// LogonMetadata is the LOGON SUCCESS metadata as sent (5.1+), the
	// server's own word on the login, e.g. {credentials_expired: true}.
	LogonMetadata map[string]any
	// Malformed lists metadata of the wrong type, e.g. `HELLO SUCCESS
	// "server" is an integer, not a string`. Such fields read as absent; a
	// Neo4j server never sends them, so the peer is something else.
	Malformed     []string
	Route         map[string]any // rt of the ROUTE Conn.Hello pipelined
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

// Statement is one auto-commit query.
type Statement struct {
	Query  string
	Params map[string]any
	Extra  map[string]any
}

// Request is one client message. It is encoded for the connection's
// version when it is sent, so the same Request serves a speculative flight
// and a negotiated connection.
type Request struct {
	name  string
	build func(v Version) (request, error)
}

// Name is the message's name: HELLO, LOGON, ROUTE, RUN, PULL, ...
func (r Request) Name() string { return r.name }

// Login is HELLO and, from 5.1, LOGON: the requests that open a session
// on version v.
func Login(v Version, h HelloRequest) []Request {
	out := []Request{{name: "HELLO", build: func(v Version) (request, error) { return helloMessage(v, h), nil }}}
	if v.atLeast(5, 1) {
		out = append(out, Request{name: "LOGON", build: func(Version) (request, error) { return logonMessage(h.Auth), nil }})
	}
	return out
}

// Route asks for a routing table (4.3+).
func Route(rr RouteRequest) Request {
	return Request{name: "ROUTE", build: func(v Version) (request, error) { return routeMessage(v, rr) }}
}

// Query is RUN and PULL {n: -1} for each statement, in order; ReadQueries
// reads their answers.
func Query(stmts ...Statement) []Request {
	var out []Request
	for _, st := range stmts {
		out = append(out,
			Request{name: "RUN", build: func(v Version) (request, error) { return runMessage(v, st.Query, st.Params, st.Extra) }},
			Request{name: "PULL", build: func(v Version) (request, error) { return pullMessage(v, -1), nil }})
	}
	return out
}

// Begin opens an explicit transaction (Bolt 3+). extra is BEGIN's
// dictionary: "mode" ("r" or "w"; absent means w), "db" (4.0+),
// "imp_user" (4.4+), "tx_metadata", "tx_timeout" (ms), "bookmarks". A key
// the version cannot carry fails the send with ErrUnsupportedRequest
// rather than being dropped. Statements in the transaction go out with
// Query and no extra: the transaction already names the database and the
// user.
//
//	reqs := append([]bolt.Request{bolt.Begin(map[string]any{"mode": "w", "db": "neo4j"})},
//		bolt.Query(bolt.Statement{Query: "CREATE ()"})...)
//	reqs = append(reqs, bolt.Rollback())
//	replies, err := conn.Send(ctx, reqs...) // BEGIN, RUN, PULL, ROLLBACK in one write
func Begin(extra map[string]any) Request {
	return Request{name: "BEGIN", build: func(v Version) (request, error) { return beginMessage(v, extra) }}
}

// Rollback ends the open transaction and undoes everything in it (Bolt
// 3+). After a FAILURE in the transaction the server answers it IGNORED
// and the RESET that Send puts ahead of the next request rolls the
// transaction back instead.
//
// There is deliberately no Commit: neo4j-doctor must never change a
// user's data, so a transaction it opens (the write probe) always ends in
// ROLLBACK, a RESET or a closed connection, each of which the server
// rolls back.
func Rollback() Request {
	return Request{name: "ROLLBACK", build: rollbackMessage}
}

func resetRequest() Request {
	return Request{name: "RESET", build: func(Version) (request, error) { return resetMessage(), nil }}
}

// Answer is the server's answer to one request.
type Answer struct {
	Meta    map[string]any // the SUCCESS metadata
	Records [][]any        // the RECORDs before it (PULL)
	// Elapsed runs from the write that sent the request to the moment its
	// answer was read.
	Elapsed time.Duration
}

// Reply is the answer due to one request sent.
type Reply struct {
	c       *Conn
	name    string
	records bool // RECORDs may come before the summary (PULL)
	sent    time.Time
	done    bool
	ans     Answer
	err     error
}

// Name is the request's name.
func (r *Reply) Name() string { return r.name }

// Wait reads answers, oldest first, until this request's has arrived,
// under ctx's deadline; the answers to earlier requests are kept for their
// own Wait. A FAILURE is a *ServerError; an IGNORED (an earlier request
// failed) wraps ErrIgnored.
func (r *Reply) Wait(ctx context.Context) (Answer, error) {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.done {
		return r.ans, r.err
	}
	release, err := c.begin(ctx, r.name)
	if err != nil {
		return Answer{}, err
	}
	defer release()
	for !r.done {
		c.readReply(ctx, c.pending[0])
	}
	return r.ans, r.err
}

// Send writes reqs in one write and returns their replies, in order. It
// first reads every answer still due, so that a RESET can go ahead of reqs
// when the server is in its FAILED state; those answers stay with their
// own replies. A request the version cannot express fails Send before
// anything is written.
func (c *Conn) Send(ctx context.Context, reqs ...Request) ([]*Reply, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	msgs, err := buildAll(c.v, reqs)
	if err != nil {
		return nil, err
	}
	release, err := c.begin(ctx, reqs[0].name)
	if err != nil {
		return nil, err
	}
	defer release()
	for len(c.pending) > 0 {
		c.readReply(ctx, c.pending[0])
		if c.broken != nil {
			return nil, c.unusable(reqs[0].name)
		}
	}
	if c.dirty {
		reset, _ := resetRequest().build(c.v)
		msgs = append([]request{reset}, msgs...)
	}
	replies, err := c.write(ctx, msgs)
	if err != nil {
		return nil, err
	}
	if c.dirty {
		// Nobody waits for RESET: the next Wait reads through its answer,
		// and a server that refuses it cannot be talked to.
		replies = replies[1:]
		c.dirty = false
	}
	return replies, nil
}

// Expressible returns nil when version v can carry every request of reqs,
// else the error sending them would meet (it wraps ErrUnsupportedRequest
// when the version lacks the message or a field).
func Expressible(v Version, reqs ...Request) error {
	_, err := buildAll(v, reqs)
	return err
}

func buildAll(v Version, reqs []Request) ([]request, error) {
	msgs := make([]request, len(reqs))
	for i, r := range reqs {
		m, err := r.build(v)
		if err != nil {
			return nil, err
		}
		msgs[i] = m
	}
	return msgs, nil
}

// write puts msgs on the wire in one write and queues their replies.
func (c *Conn) write(ctx context.Context, msgs []request) ([]*Reply, error) {
	var wire []byte
	for _, m := range msgs {
		wire = AppendMessage(wire, m.msg)
		if m.credentials != "" {
			c.log.secret = m.credentials
		}
		c.log.add("C", m.summary, m.msg, m.secret)
	}
	if _, err := c.conn.Write(wire); err != nil {
		pe := &PeerError{Step: msgs[0].name, Err: writeSentinel(err), Cause: err}
		c.broken = pe
		return nil, withContext(ctx, pe)
	}
	return c.queue(time.Now(), msgs), nil
}

func (c *Conn) queue(sent time.Time, msgs []request) []*Reply {
	replies := make([]*Reply, len(msgs))
	for i, m := range msgs {
		replies[i] = &Reply{c: c, name: m.name, records: m.name == "PULL" || m.name == "PULL_ALL", sent: sent}
	}
	c.pending = append(c.pending, replies...)
	return replies
}

// readReply reads the answer to rep, the oldest pending request. Any
// error that leaves the stream out of step ends every pending reply.
func (c *Conn) readReply(ctx context.Context, rep *Reply) {
	if rep.records {
		c.budget = c.opts.MaxResultValues
		defer func() { c.budget = 0 }()
	}
	size := 0
	for {
		r, err := c.read(ctx, rep.name)
		if err != nil {
			c.breakAll(err)
			return
		}
		if r.tag == MsgRecord && rep.records {
			size += len(r.raw)
			if len(rep.ans.Records) >= c.opts.MaxRecords || size > c.opts.MaxResultBytes {
				c.breakAll(&PeerError{Step: rep.name, Err: ErrResultTooLarge,
					Cause: fmt.Errorf("over %d records or %d bytes", c.opts.MaxRecords, c.opts.MaxResultBytes)})
				return
			}
			rep.ans.Records = append(rep.ans.Records, r.values)
			continue
		}
		meta, err := c.summary(rep.name, r)
		if c.broken != nil {
			c.breakAll(err)
			return
		}
		if more, _ := meta["has_more"].(bool); more && rep.records {
			c.dirty = true // the stream is still open on the server
		}
		c.finish(rep, meta, err)
		return
	}
}

func (c *Conn) finish(rep *Reply, meta map[string]any, err error) {
	rep.ans.Meta, rep.err, rep.done = meta, err, true
	rep.ans.Elapsed = time.Since(rep.sent)
	if len(c.pending) > 0 && c.pending[0] == rep {
		c.pending = c.pending[1:]
	}
}

// breakAll marks the stream unusable: the reply being read gets err, every
// later one an error that wraps it.
func (c *Conn) breakAll(err error) {
	if c.broken == nil {
		c.broken = err
	}
	for i, rep := range c.pending {
		rep.done, rep.ans.Elapsed = true, time.Since(rep.sent)
		if i == 0 {
			rep.err = err
		} else {
			rep.err = c.unusable(rep.name)
		}
	}
	c.pending = nil
}

func (c *Conn) unusable(step string) error {
	return fmt.Errorf("bolt: %s: connection unusable after an earlier failure: %w", step, c.broken)
}

// Hello sends HELLO, LOGON (5.1+) and, with req.Route, ROUTE (4.3+) in
// one write and reads the answers in order. An auth failure is a
// *ServerError with Request "HELLO" (up to 5.0) or "LOGON". A ROUTE
// problem does not fail the login: it lands in RouteErr.
func (c *Conn) Hello(ctx context.Context, req HelloRequest) (HelloResult, error) {
	reqs := Login(c.v, req)
	var routeErr error
	if req.Route != nil {
		if _, err := routeMessage(c.v, *req.Route); err != nil {
			routeErr = err
		} else {
			reqs = append(reqs, Route(*req.Route))
		}
	}
	replies, err := c.Send(ctx, reqs...)
	if err != nil {
		return HelloResult{}, err
	}
	login := replies
	if req.Route != nil && routeErr == nil {
		login = replies[:len(replies)-1]
	}
	res, err := ReadLogin(ctx, login)
	if err != nil {
		return res, err
	}
	res.RouteErr = routeErr
	if len(login) < len(replies) {
		res.Route, res.RouteErr = ReadRoute(ctx, replies[len(replies)-1])
	}
	return res, nil
}

// ReadLogin waits for the answers to the requests of Login, in order, and
// reads what the server said about itself and the login.
func ReadLogin(ctx context.Context, replies []*Reply) (HelloResult, error) {
	var res HelloResult
	if len(replies) == 0 {
		return res, errors.New("bolt: no login was sent")
	}
	hello, err := replies[0].Wait(ctx)
	res.HelloDuration = hello.Elapsed
	if err != nil {
		return res, err
	}
	meta := hello.Meta
	res.Metadata = meta
	res.Malformed = append(res.Malformed, wrongTypes("HELLO", meta, helloTypes)...)
	res.Server = str(meta, "server")
	res.ConnectionID = str(meta, "connection_id")
	res.ProtocolVersion = str(meta, "protocol_version")
	res.Hints, _ = meta["hints"].(map[string]any)
	res.CredentialsExpired, _ = meta["credentials_expired"].(bool)
	if len(replies) < 2 {
		return res, nil
	}
	logon, err := replies[1].Wait(ctx)
	res.LogonDuration = max(logon.Elapsed-hello.Elapsed, 0)
	if err != nil {
		return res, err
	}
	res.LogonMetadata = logon.Meta
	res.Malformed = append(res.Malformed, wrongTypes("LOGON", logon.Meta, logonTypes)...)
	if exp, _ := logon.Meta["credentials_expired"].(bool); exp {
		res.CredentialsExpired = true
	}
	res.AdvertisedAddress = str(logon.Meta, "advertised_address")
	return res, nil
}

// ReadRoute waits for the answer to a ROUTE and returns its routing
// table, the rt map.
func ReadRoute(ctx context.Context, reply *Reply) (map[string]any, error) {
	a, err := reply.Wait(ctx)
	if err != nil {
		return nil, err
	}
	return routingTable(a.Meta)
}

// ReadQueries waits for the answers to the RUN/PULL pairs of Query and
// assembles each result. After a failure the server ignores the rest:
// their errors wrap ErrIgnored.
func ReadQueries(ctx context.Context, replies []*Reply) ([]QueryResult, []error) {
	n := len(replies) / 2
	res := make([]QueryResult, n)
	errs := make([]error, n)
	for i := range n {
		run, err := replies[2*i].Wait(ctx)
		if err != nil {
			errs[i] = err
			// The PULL's answer is IGNORED or the stream is broken; read
			// it so it is not left for somebody else.
			_, _ = replies[2*i+1].Wait(ctx)
			continue
		}
		res[i].Fields = stringList(run.Meta["fields"])
		pull, err := replies[2*i+1].Wait(ctx)
		res[i].Records, res[i].Summary, errs[i] = pull.Records, pull.Meta, err
	}
	return res, errs
}

// Route fetches a routing table with the ROUTE message (4.3+). Older
// versions need the routing procedure, which is the caller's job: the error
// wraps ErrUnsupportedRequest.
func (c *Conn) Route(ctx context.Context, req RouteRequest) (map[string]any, error) {
	replies, err := c.Send(ctx, Route(req))
	if err != nil {
		return nil, err
	}
	return ReadRoute(ctx, replies[0])
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

// Queries runs every statement's RUN and PULL {n: -1} in one write, so n
// queries cost one round trip, and collects the results in order. After
// a failure the server ignores the rest: their errors wrap ErrIgnored.
// Each result is bounded as Query's is.
func (c *Conn) Queries(ctx context.Context, stmts ...Statement) ([]QueryResult, []error) {
	replies, err := c.Send(ctx, Query(stmts...)...)
	if err != nil {
		errs := make([]error, len(stmts))
		for i := range errs {
			errs[i] = err
		}
		return make([]QueryResult, len(stmts)), errs
	}
	return ReadQueries(ctx, replies)
}

// Reset returns the server to READY, reading every answer still due.
func (c *Conn) Reset(ctx context.Context) error {
	c.mu.Lock()
	c.dirty = false // the RESET below is the one Send would put first
	c.mu.Unlock()
	replies, err := c.Send(ctx, resetRequest())
	if err != nil {
		return err
	}
	_, err = replies[0].Wait(ctx)
	return err
}

// Goodbye announces the close; the server does not answer it, and answers
// still due are not read.
func (c *Conn) Goodbye(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	release, err := c.begin(ctx, "GOODBYE")
	if err != nil {
		return err
	}
	defer release()
	bye := goodbyeMessage()
	_, err = c.conn.Write(AppendMessage(nil, bye.msg))
	c.log.add("C", bye.summary, bye.msg, false)
	if c.broken == nil {
		c.broken = errors.New("bolt: connection ended with GOODBYE")
	}
	return err
}

func (c *Conn) begin(ctx context.Context, step string) (func(), error) {
	if c.broken != nil {
		return nil, c.unusable(step)
	}
	release, err := bindContext(ctx, c.conn)
	if err != nil {
		return nil, fmt.Errorf("bolt: %s: %w", step, err)
	}
	return release, nil
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

func (c *Conn) summary(step string, r response) (map[string]any, error) {
	switch r.tag {
	case MsgSuccess:
		return r.meta, nil
	case MsgFailure:
		c.dirty = true
		return nil, c.serverError(step, r.meta)
	case MsgIgnored:
		c.dirty = true
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
	text := func(k string) string { return clip.String(c.log.scrub(str(meta, k)), maxErrorText) }
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
