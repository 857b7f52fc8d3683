package bolt

import (
	"context"
	"encoding/hex"
	"errors"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
)

const password = "s3cr3t-Passw0rd"

// session starts a server that accepts the handshake with reply and then
// runs script, and returns a client Conn on it.
func session(t *testing.T, reply string, opts Options, script func(c net.Conn)) (*Conn, *countingConn) {
	t.Helper()
	addr := serve(t, func(c net.Conn) {
		if acceptLegacy(t, c, reply) {
			script(c)
		}
	})
	raw := dial(t, addr)
	hs, err := Handshake(ctxTimeout(t, 2*time.Second), raw, DefaultProposals)
	if err != nil {
		t.Fatal(err)
	}
	return NewConn(raw, hs, opts), raw
}

// assertNoSecret checks every frame and error text for the password, in
// clear and in hex.
func assertNoSecret(t *testing.T, c *Conn, errs ...error) {
	t.Helper()
	hx := hex.EncodeToString([]byte(password))
	spaced := hexDump([]byte(password))
	for _, f := range c.Transcript() {
		for _, s := range []string{f.Message, f.Hex} {
			if strings.Contains(s, password) || strings.Contains(s, hx) || strings.Contains(s, spaced) {
				t.Fatalf("frame leaks the password: %+v", f)
			}
		}
	}
	for _, err := range errs {
		if err != nil && strings.Contains(err.Error(), password) {
			t.Fatalf("error leaks the password: %v", err)
		}
	}
}

func TestHelloLogonPipelined(t *testing.T) {
	got := make(chan [2]*packstream.Struct, 1)
	c, raw := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		// Both messages must arrive before the server says anything:
		// a client waiting for HELLO's SUCCESS would stall here.
		hello, logon := readMsg(t, s), readMsg(t, s)
		got <- [2]*packstream.Struct{hello, logon}
		writeMsgs(s,
			success(t, map[string]any{"server": "Neo4j/5.26.0", "connection_id": "bolt-7",
				"hints": map[string]any{"connection.recv_timeout_seconds": int64(120)}}),
			success(t, map[string]any{"advertised_address": "db.example.com:7687"}))
		waitClose(s)
	})
	writes := raw.Writes()
	res, err := c.Hello(ctxTimeout(t, 2*time.Second), HelloRequest{UserAgent: "neo4j-doctor/test", Auth: BasicAuth("neo4j", password)})
	if err != nil {
		t.Fatal(err)
	}
	if n := raw.Writes() - writes; n != 1 {
		t.Fatalf("HELLO and LOGON took %d writes", n)
	}
	msgs := <-got
	if msgs[0].Tag != MsgHello || msgs[1].Tag != MsgLogon {
		t.Fatalf("got %v %v", msgs[0], msgs[1])
	}
	hello, logon := fieldMap(msgs[0], 0), fieldMap(msgs[1], 0)
	if _, ok := hello["credentials"]; ok || hello["user_agent"] != "neo4j-doctor/test" || hello["bolt_agent"] == nil {
		t.Fatalf("HELLO %v", hello)
	}
	if logon["credentials"] != password || logon["principal"] != "neo4j" || logon["scheme"] != "basic" {
		t.Fatal("LOGON lacks the token")
	}
	if res.Server != "Neo4j/5.26.0" || res.ConnectionID != "bolt-7" || res.AdvertisedAddress != "db.example.com:7687" ||
		res.Hints["connection.recv_timeout_seconds"] != int64(120) || res.CredentialsExpired {
		t.Fatalf("result %+v", res)
	}
	frames := c.Transcript()
	var logonFrame *Frame
	for i := range frames {
		if strings.HasPrefix(frames[i].Message, "LOGON") {
			logonFrame = &frames[i]
		}
	}
	if logonFrame == nil || logonFrame.Hex != "" || !strings.Contains(logonFrame.Message, `credentials: "******"`) {
		t.Fatalf("LOGON frame %+v", logonFrame)
	}
	if frames[0].Dir != "C" || !strings.HasPrefix(frames[0].Hex, "60 60 b0 17") || frames[1].Message != "VERSION 5.8" {
		t.Fatalf("handshake frames %+v", frames[:2])
	}
	assertNoSecret(t, c)
}

func TestHello44WithRoute(t *testing.T) {
	c, raw := session(t, "00 00 04 04", Options{}, func(s net.Conn) {
		hello, route := readMsg(t, s), readMsg(t, s)
		if m := fieldMap(hello, 0); m["credentials"] != password || !reflect.DeepEqual(m["routing"], map[string]any{"address": "db:7687"}) {
			t.Errorf("HELLO %v", hello)
		}
		if route == nil || route.Tag != MsgRoute || !reflect.DeepEqual(route.Fields[2], map[string]any{}) {
			t.Errorf("ROUTE %v", route)
		}
		rt := map[string]any{"ttl": int64(300), "db": "neo4j", "servers": []any{
			map[string]any{"addresses": []any{"db:7687"}, "role": "ROUTE"}}}
		writeMsgs(s, success(t, map[string]any{"server": "Neo4j/4.4.30", "connection_id": "bolt-1", "credentials_expired": true}),
			success(t, map[string]any{"rt": rt}))
		waitClose(s)
	})
	writes := raw.Writes()
	routing := map[string]string{"address": "db:7687"}
	res, err := c.Hello(ctxTimeout(t, 2*time.Second), HelloRequest{Auth: BasicAuth("neo4j", password), Routing: routing,
		Route: &RouteRequest{Context: routing}})
	if err != nil {
		t.Fatal(err)
	}
	if raw.Writes()-writes != 1 {
		t.Fatal("HELLO and ROUTE were not pipelined")
	}
	if !res.CredentialsExpired || res.RouteErr != nil || res.Route["db"] != "neo4j" || res.Route["ttl"] != int64(300) {
		t.Fatalf("result %+v", res)
	}
	for _, f := range c.Transcript() {
		if strings.HasPrefix(f.Message, "HELLO") && (f.Hex != "" || !strings.Contains(f.Message, `credentials: "******"`)) {
			t.Fatalf("HELLO frame %+v", f)
		}
	}
	assertNoSecret(t, c)
}

func TestHelloRouteNeeds43(t *testing.T) {
	c, _ := session(t, "00 00 02 04", Options{}, func(s net.Conn) {
		readMsg(t, s)
		writeMsgs(s, success(t, map[string]any{"server": "Neo4j/4.2.0"}))
		waitClose(s)
	})
	res, err := c.Hello(ctxTimeout(t, 2*time.Second), HelloRequest{Route: &RouteRequest{}})
	if err != nil || !errors.Is(res.RouteErr, ErrUnsupportedRequest) {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := c.Route(ctxTimeout(t, time.Second), RouteRequest{}); !errors.Is(err, ErrUnsupportedRequest) {
		t.Fatalf("Route on 4.2: %v", err)
	}
}

func TestAuthFailure(t *testing.T) {
	for _, tc := range []struct {
		name, reply, request string
		failure              map[string]any
		wantCode             string
	}{
		{"5.8 LOGON neo4j_code", "00 00 08 05", "LOGON", map[string]any{
			"neo4j_code": "Neo.ClientError.Security.Unauthorized", "code": "ignored",
			"message": "The client is unauthorized due to authentication failure.", "gql_status": "42NFF",
			"description": "error: syntax error or access rule violation - permission/access denied"},
			"Neo.ClientError.Security.Unauthorized"},
		{"5.4 LOGON code", "00 00 04 05", "LOGON", map[string]any{
			"code": "Neo.ClientError.Security.Unauthorized", "message": "The client is unauthorized due to authentication failure."},
			"Neo.ClientError.Security.Unauthorized"},
		{"4.4 HELLO code", "00 00 04 04", "HELLO", map[string]any{
			"code": "Neo.ClientError.Security.AuthenticationRateLimit", "message": "too many times " + password},
			"Neo.ClientError.Security.AuthenticationRateLimit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := session(t, tc.reply, Options{}, func(s net.Conn) {
				readMsg(t, s)
				if tc.request == "LOGON" {
					readMsg(t, s)
					writeMsgs(s, success(t, map[string]any{"server": "Neo4j/5"}))
				}
				writeMsgs(s, encodeMsg(t, MsgFailure, tc.failure))
			})
			_, err := c.Hello(ctxTimeout(t, 2*time.Second), HelloRequest{Auth: BasicAuth("neo4j", password)})
			var se *ServerError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v", err)
			}
			if se.Request != tc.request || se.Code != tc.wantCode || se.Message == "" {
				t.Fatalf("%+v", se)
			}
			if tc.failure["gql_status"] != nil && (se.GQLStatus != "42NFF" || se.Description == "") {
				t.Fatalf("%+v", se)
			}
			assertNoSecret(t, c, err)
			// The server closed after the failure: the next call must fail
			// cleanly, not hang.
			_, err = c.Query(ctxTimeout(t, 2*time.Second), "RETURN 1", nil, nil)
			if err == nil {
				t.Fatal("query after auth failure succeeded")
			}
			assertNoSecret(t, c, err)
		})
	}
}

func TestQuery(t *testing.T) {
	c, raw := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		readMsg(t, s)
		readMsg(t, s)
		writeMsgs(s, success(t, map[string]any{}), success(t, map[string]any{}))
		run, pull := readMsg(t, s), readMsg(t, s)
		if run == nil || pull == nil || run.Tag != MsgRun || pull.Tag != MsgPull || run.Fields[0] != "RETURN 1 AS x, 'a' AS y" {
			t.Errorf("RUN %v PULL %v", run, pull)
			return
		}
		// NOOP keep-alives between and before messages must be skipped.
		writeMsgs(s, []byte{0, 0}, success(t, map[string]any{"fields": []any{"x", "y"}, "t_first": int64(1)}),
			[]byte{0, 0, 0, 0},
			encodeMsg(t, MsgRecord, []any{int64(1), "a"}),
			encodeMsg(t, MsgRecord, []any{int64(2), "b"}),
			success(t, map[string]any{"type": "r", "db": "neo4j"}))
		waitClose(s)
	})
	ctx := ctxTimeout(t, 2*time.Second)
	if _, err := c.Hello(ctx, HelloRequest{Auth: BasicAuth("neo4j", password)}); err != nil {
		t.Fatal(err)
	}
	writes := raw.Writes()
	res, err := c.Query(ctx, "RETURN 1 AS x, 'a' AS y", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if raw.Writes()-writes != 1 {
		t.Fatal("RUN and PULL not pipelined")
	}
	want := QueryResult{Fields: []string{"x", "y"}, Records: [][]any{{int64(1), "a"}, {int64(2), "b"}},
		Summary: map[string]any{"type": "r", "db": "neo4j"}}
	if !reflect.DeepEqual(res, want) {
		t.Fatalf("got %+v", res)
	}
}

func TestQueryBolt3(t *testing.T) {
	c, _ := session(t, "00 00 00 03", Options{}, func(s net.Conn) {
		readMsg(t, s)
		writeMsgs(s, success(t, map[string]any{"server": "Neo4j/3.5.35"}))
		readMsg(t, s)
		if raw := readFull(t, s, 6); string(raw) != string(h(t, "00 02 B0 3F 00 00")) {
			t.Errorf("PULL_ALL % X", raw)
		}
		writeMsgs(s, success(t, map[string]any{"fields": []any{"1"}}), encodeMsg(t, MsgRecord, []any{int64(1)}), success(t, map[string]any{}))
		waitClose(s)
	})
	ctx := ctxTimeout(t, 2*time.Second)
	if _, err := c.Hello(ctx, HelloRequest{}); err != nil {
		t.Fatal(err)
	}
	res, err := c.Query(ctx, "RETURN 1", nil, nil)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("%+v %v", res, err)
	}
}

// After a FAILURE the server is FAILED: the next request must go behind a
// RESET, and the answers still owed must be skipped.
func TestResetAfterFailure(t *testing.T) {
	c, _ := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		readMsg(t, s)
		readMsg(t, s)
		route := readMsg(t, s)
		writeMsgs(s, success(t, map[string]any{}), success(t, map[string]any{}),
			encodeMsg(t, MsgFailure, map[string]any{"code": "Neo.ClientError.Database.DatabaseNotFound", "message": "no db"}))
		if route == nil || !reflect.DeepEqual(route.Fields[2], map[string]any{"db": "nope"}) {
			t.Errorf("ROUTE %v", route)
		}
		// RUN fails, PULL is IGNORED.
		readMsg(t, s)
		run, pull := readMsg(t, s), readMsg(t, s)
		if run == nil || run.Tag != MsgRun || pull == nil || pull.Tag != MsgPull {
			t.Errorf("want RESET RUN PULL, got RUN %v PULL %v", run, pull)
			return
		}
		writeMsgs(s, success(t, map[string]any{}),
			encodeMsg(t, MsgFailure, map[string]any{"neo4j_code": "Neo.ClientError.Statement.SyntaxError", "message": "bad"}),
			encodeMsg(t, MsgIgnored))
		// Next query: RESET, RUN, PULL again.
		for _, want := range []byte{MsgReset, MsgRun, MsgPull} {
			if m := readMsg(t, s); m == nil || m.Tag != want {
				t.Errorf("got %v, want tag %02X", m, want)
				return
			}
		}
		writeMsgs(s, success(t, map[string]any{}), success(t, map[string]any{"fields": []any{"1"}}),
			encodeMsg(t, MsgRecord, []any{int64(1)}), success(t, map[string]any{}))
		waitClose(s)
	})
	ctx := ctxTimeout(t, 2*time.Second)
	res, err := c.Hello(ctx, HelloRequest{Route: &RouteRequest{Database: "nope"}})
	var se *ServerError
	if err != nil || !errors.As(res.RouteErr, &se) || se.Request != "ROUTE" || se.Code != "Neo.ClientError.Database.DatabaseNotFound" {
		t.Fatalf("%+v %v", res, err)
	}
	_, err = c.Query(ctx, "RETRUN 1", nil, nil)
	if !errors.As(err, &se) || se.Request != "RUN" || se.Code != "Neo.ClientError.Statement.SyntaxError" {
		t.Fatalf("err = %v", err)
	}
	qr, err := c.Query(ctx, "RETURN 1", nil, nil)
	if err != nil || len(qr.Records) != 1 {
		t.Fatalf("%+v %v", qr, err)
	}
}

// TestResetAndGoodbye: RESET is answered, GOODBYE ends the connection and
// nothing is sent after it.
func TestResetAndGoodbye(t *testing.T) {
	c, _ := session(t, "00 00 04 04", Options{}, func(s net.Conn) {
		readMsg(t, s)
		writeMsgs(s, success(t, map[string]any{}))
		if m := readMsg(t, s); m == nil || m.Tag != MsgReset {
			t.Errorf("RESET %v", m)
		}
		writeMsgs(s, success(t, map[string]any{}))
		if raw := readFull(t, s, 6); string(raw) != string(h(t, "00 02 B0 02 00 00")) {
			t.Errorf("GOODBYE % X", raw)
		}
	})
	ctx := ctxTimeout(t, 2*time.Second)
	if _, err := c.Hello(ctx, HelloRequest{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Goodbye(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Query(ctx, "RETURN 1", nil, nil); err == nil {
		t.Fatal("query after GOODBYE")
	}
	_ = c.Close()
}

// TestRepliesInOrder: answers are matched to requests by position, whoever
// waits first; waiting on a later reply keeps the earlier answers for
// their own Wait, and a new Send reads every answer still due first.
func TestRepliesInOrder(t *testing.T) {
	c, raw := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		for range 5 { // HELLO, LOGON, ROUTE, RUN, PULL: one flight
			if m := readMsg(t, s); m == nil {
				return
			}
		}
		writeMsgs(s, success(t, map[string]any{"server": "Neo4j/5.26.0"}), success(t, map[string]any{}),
			success(t, map[string]any{"rt": map[string]any{"ttl": int64(300), "db": "neo4j", "servers": []any{}}}),
			success(t, map[string]any{"fields": []any{"1"}}), encodeMsg(t, MsgRecord, []any{int64(1)}), success(t, map[string]any{}))
		readMsg(t, s)
		readMsg(t, s)
		writeMsgs(s, success(t, map[string]any{"fields": []any{"x"}}), encodeMsg(t, MsgRecord, []any{int64(2)}), success(t, map[string]any{}))
		waitClose(s)
	})
	ctx := ctxTimeout(t, 2*time.Second)
	reqs := append(Login(c.Version(), HelloRequest{Auth: BasicAuth("neo4j", password)}), Route(RouteRequest{}))
	reqs = append(reqs, Query(Statement{Query: "RETURN 1"})...)
	replies, err := c.Send(ctx, reqs...)
	if err != nil || len(replies) != 5 || raw.Writes() != 2 { // the handshake, then one write
		t.Fatalf("%d replies, %d writes, %v", len(replies), raw.Writes(), err)
	}
	// The query's answer first: the login's and the table's are kept.
	qs, errs := ReadQueries(ctx, replies[3:])
	if errs[0] != nil || len(qs[0].Records) != 1 || qs[0].Records[0][0] != int64(1) {
		t.Fatalf("query %+v %v", qs, errs)
	}
	rt, err := ReadRoute(ctx, replies[2])
	if err != nil || rt["db"] != "neo4j" {
		t.Fatalf("table %v %v", rt, err)
	}
	login, err := ReadLogin(ctx, replies[:2])
	if err != nil || login.Server != "Neo4j/5.26.0" {
		t.Fatalf("login %+v %v", login, err)
	}
	if q, err := c.Query(ctx, "RETURN 2", nil, nil); err != nil || q.Records[0][0] != int64(2) {
		t.Fatalf("second query %+v %v", q, err)
	}
	assertNoSecret(t, c)
}

// TestSendReadsWhatIsDue: a Send while answers are still unread reads
// them first (keeping them for their replies) and, after a FAILURE among
// them, puts RESET ahead of the new request.
func TestSendReadsWhatIsDue(t *testing.T) {
	c, raw := session(t, "00 00 04 04", Options{}, func(s net.Conn) {
		readMsg(t, s)
		readMsg(t, s)
		writeMsgs(s, encodeMsg(t, MsgFailure, map[string]any{"code": "Neo.ClientError.Statement.SyntaxError", "message": "no"}),
			encodeMsg(t, MsgIgnored))
		if m := readMsg(t, s); m == nil || m.Tag != MsgReset {
			t.Errorf("server: got %v, want RESET first", m)
			return
		}
		readMsg(t, s)
		readMsg(t, s)
		writeMsgs(s, success(t, map[string]any{}), success(t, map[string]any{"fields": []any{}}), success(t, map[string]any{}))
		waitClose(s)
	})
	ctx := ctxTimeout(t, 2*time.Second)
	first, err := c.Send(ctx, Query(Statement{Query: "RETURN"})...)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Send(ctx, Query(Statement{Query: "RETURN 1"})...)
	if err != nil || raw.Writes() != 3 {
		t.Fatalf("second send: %v, %d writes", err, raw.Writes())
	}
	var se *ServerError
	if _, errs := ReadQueries(ctx, first); !errors.As(errs[0], &se) || se.Code != "Neo.ClientError.Statement.SyntaxError" {
		t.Fatalf("first: %v", errs)
	}
	if _, errs := ReadQueries(ctx, second); errs[0] != nil {
		t.Fatalf("second: %v", errs)
	}
}

// TestConcurrentWaits: replies waited on from several goroutines at once
// each get their own answer (run under -race).
func TestConcurrentWaits(t *testing.T) {
	const n = 8
	c, _ := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		for range 2 * n {
			readMsg(t, s)
		}
		for i := range n {
			writeMsgs(s, success(t, map[string]any{"fields": []any{"n"}}), encodeMsg(t, MsgRecord, []any{int64(i)}), success(t, map[string]any{}))
		}
		waitClose(s)
	})
	ctx := ctxTimeout(t, 2*time.Second)
	var stmts []Statement
	for range n {
		stmts = append(stmts, Statement{Query: "RETURN $n"})
	}
	replies, err := c.Send(ctx, Query(stmts...)...)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]any, n)
	var wg sync.WaitGroup
	for i := n - 1; i >= 0; i-- {
		wg.Add(1)
		go func() {
			defer wg.Done()
			qs, errs := ReadQueries(ctx, replies[2*i:2*i+2])
			if errs[0] == nil && len(qs[0].Records) == 1 {
				got[i] = qs[0].Records[0][0]
			}
		}()
	}
	wg.Wait()
	for i, v := range got {
		if v != int64(i) {
			t.Fatalf("reply %d got %v: %v", i, v, got)
		}
	}
}

// helloOK answers the HELLO/LOGON pair of a 5.8 session.
func helloOK(t *testing.T, s net.Conn) {
	readMsg(t, s)
	readMsg(t, s)
	writeMsgs(s, success(t, map[string]any{}), success(t, map[string]any{}))
}

func TestHostileServers(t *testing.T) {
	big := make([]byte, 3000)
	for _, tc := range []struct {
		name  string
		opts  Options
		reply func(t *testing.T) []byte // after RUN+PULL
		want  error
		hex   string // expected in the PeerError evidence
	}{
		{"record before RUN SUCCESS", Options{}, func(t *testing.T) []byte {
			return encodeMsg(t, MsgRecord, []any{int64(1)})
		}, ErrProtocol, "b1 71 91 01"},
		{"unknown tag", Options{}, func(t *testing.T) []byte { return encodeMsg(t, 0x55, map[string]any{}) }, ErrProtocol, "b1 55 a0"},
		{"SUCCESS without a map", Options{}, func(t *testing.T) []byte { return encodeMsg(t, MsgSuccess, "x") }, ErrProtocol, "b1 70 81 78"},
		{"not a structure", Options{}, func(t *testing.T) []byte { return AppendMessage(nil, []byte{0x01}) }, ErrProtocol, "01"},
		{"undecodable", Options{}, func(t *testing.T) []byte { return AppendMessage(nil, h(t, "B1 70 D6 FF FF FF FF")) }, ErrProtocol, "b1 70 d6 ff ff ff ff"},
		{"deep nesting", Options{}, func(t *testing.T) []byte {
			deep := append([]byte{0xB1, 0x70}, bytes91(100000)...)
			return AppendMessage(nil, deep)
		}, ErrProtocol, "b1 70 91 91"},
		{"too large", Options{MaxMessage: 1024}, func(t *testing.T) []byte { return AppendMessage(nil, big) }, ErrMessageTooLarge, ""},
		{"closed", Options{}, func(t *testing.T) []byte { return nil }, ErrClosed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := session(t, "00 00 08 05", tc.opts, func(s net.Conn) {
				helloOK(t, s)
				readMsg(t, s)
				readMsg(t, s)
				writeMsgs(s, tc.reply(t))
			})
			ctx := ctxTimeout(t, 2*time.Second)
			if _, err := c.Hello(ctx, HelloRequest{}); err != nil {
				t.Fatal(err)
			}
			_, err := c.Query(ctx, "RETURN 1", nil, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var pe *PeerError
			if !errors.As(err, &pe) || pe.Step != "RUN" || !strings.HasPrefix(pe.Hex(), tc.hex) {
				t.Fatalf("evidence %q, want %q (%v)", pe.Hex(), tc.hex, err)
			}
			if len(pe.Bytes) > 256 {
				t.Fatalf("evidence unbounded: %d", len(pe.Bytes))
			}
			// The stream is out of step now: every further call refuses.
			if _, err := c.Query(ctx, "RETURN 1", nil, nil); !errors.Is(err, tc.want) {
				t.Fatalf("second call: %v", err)
			}
		})
	}
}

func bytes91(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 0x91
	}
	return b
}

func TestRecordFlood(t *testing.T) {
	c, _ := session(t, "00 00 08 05", Options{MaxRecords: 100}, func(s net.Conn) {
		helloOK(t, s)
		readMsg(t, s)
		readMsg(t, s)
		rec := encodeMsg(t, MsgRecord, []any{"row"})
		writeMsgs(s, success(t, map[string]any{"fields": []any{"x"}}))
		for { // until the client hangs up
			if _, err := s.Write(rec); err != nil {
				return
			}
		}
	})
	ctx := ctxTimeout(t, 2*time.Second)
	if _, err := c.Hello(ctx, HelloRequest{}); err != nil {
		t.Fatal(err)
	}
	res, err := c.Query(ctx, "UNWIND range(1, 1000000000) AS x RETURN x", nil, nil)
	if !errors.Is(err, ErrResultTooLarge) || len(res.Records) != 100 {
		t.Fatalf("%d records, err = %v", len(res.Records), err)
	}
	if n := len(c.Transcript()); n != maxFrames {
		t.Fatalf("transcript has %d frames", n)
	}
	_ = c.Close()
}

func TestResultBytesLimit(t *testing.T) {
	c, _ := session(t, "00 00 08 05", Options{MaxResultBytes: 1000}, func(s net.Conn) {
		helloOK(t, s)
		readMsg(t, s)
		readMsg(t, s)
		writeMsgs(s, success(t, map[string]any{"fields": []any{"x"}}))
		for range 5 {
			writeMsgs(s, encodeMsg(t, MsgRecord, []any{strings.Repeat("x", 400)}))
		}
		waitClose(s)
	})
	ctx := ctxTimeout(t, 2*time.Second)
	if _, err := c.Hello(ctx, HelloRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Query(ctx, "RETURN 1", nil, nil); !errors.Is(err, ErrResultTooLarge) {
		t.Fatalf("err = %v", err)
	}
	_ = c.Close()
}

// Metadata of the wrong types is reported as absent, never a panic, and
// listed in Malformed.
func TestHelloWrongTypes(t *testing.T) {
	c, _ := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		readMsg(t, s)
		readMsg(t, s)
		readMsg(t, s)
		writeMsgs(s,
			success(t, map[string]any{"server": int64(5), "connection_id": map[string]any{}, "hints": []any{1},
				"protocol_version": nil, "credentials_expired": "yes"}),
			success(t, map[string]any{"advertised_address": []any{}, "credentials_expired": int64(1)}),
			success(t, map[string]any{"rt": "table"}))
		waitClose(s)
	})
	res, err := c.Hello(ctxTimeout(t, 2*time.Second), HelloRequest{Route: &RouteRequest{}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Server != "" || res.ConnectionID != "" || res.Hints != nil || res.CredentialsExpired || res.AdvertisedAddress != "" {
		t.Fatalf("%+v", res)
	}
	want := []string{
		`HELLO SUCCESS "server" is an integer, not a string`,
		`HELLO SUCCESS "connection_id" is a map, not a string`,
		`HELLO SUCCESS "hints" is a list, not a map`,
		`HELLO SUCCESS "credentials_expired" is a string, not a boolean`,
		`LOGON SUCCESS "credentials_expired" is an integer, not a boolean`,
		`LOGON SUCCESS "advertised_address" is a list, not a string`,
	}
	if strings.Join(res.Malformed, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Malformed = %q, want %q", res.Malformed, want)
	}
	if !errors.Is(res.RouteErr, ErrProtocol) {
		t.Fatalf("route err %v", res.RouteErr)
	}
}

func TestQueryCancel(t *testing.T) {
	c, _ := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		helloOK(t, s)
		waitClose(s)
	})
	if _, err := c.Hello(ctxTimeout(t, 2*time.Second), HelloRequest{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Query(ctx, "RETURN 1", nil, nil)
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
	_ = c.Close()
}

func TestQueryDeadline(t *testing.T) {
	c, _ := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		helloOK(t, s)
		waitClose(s)
	})
	if _, err := c.Hello(ctxTimeout(t, 2*time.Second), HelloRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Query(ctxTimeout(t, 100*time.Millisecond), "RETURN 1", nil, nil)
	if !errors.Is(err, ErrSilent) {
		t.Fatalf("err = %v", err)
	}
	_ = c.Close()
}

// A server that echoes the password must not get it into the transcript.
func TestEchoedPasswordScrubbed(t *testing.T) {
	c, _ := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		readMsg(t, s)
		readMsg(t, s)
		writeMsgs(s, success(t, map[string]any{"server": "echo " + password}),
			encodeMsg(t, 0x55, map[string]any{"x": password}))
	})
	_, err := c.Hello(ctxTimeout(t, 2*time.Second), HelloRequest{Auth: BasicAuth("neo4j", password)})
	if !errors.Is(err, ErrProtocol) {
		t.Fatalf("err = %v", err)
	}
	var pe *PeerError
	errors.As(err, &pe)
	if strings.Contains(string(pe.Bytes), password) {
		t.Fatal("evidence bytes hold the password")
	}
	assertNoSecret(t, c, err)
}

func TestTranscriptRing(t *testing.T) {
	var tr transcript
	for i := range 100 {
		tr.add("S", strings.Repeat("x", i%3)+string(rune('A'+i%26)), []byte{byte(i)}, false)
	}
	l := tr.list()
	if len(l) != maxFrames || l[len(l)-1].Hex != "63" || l[0].Hex != "24" {
		t.Fatalf("ring order wrong: first %+v last %+v", l[0], l[len(l)-1])
	}
	long := make([]byte, 1000)
	if hx := hexDump(long); len(hx) > 3*maxHex+32 || !strings.HasSuffix(hx, "(1000 bytes)") {
		t.Fatalf("hex %q", hx)
	}
}
