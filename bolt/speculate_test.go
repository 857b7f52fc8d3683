package bolt

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

var specReq = HelloRequest{UserAgent: "neo4j-doctor/test", Auth: BasicAuth("neo4j", password),
	Routing: map[string]string{"address": "db:7687"}}

// specFlight is a routing driver's first flight: HELLO, LOGON and ROUTE.
func specFlight() []Request {
	return append(Login(SpeculativeVersion, specReq), Route(RouteRequest{Context: map[string]string{"address": "db:7687"}}))
}

// speculate runs Speculate and, as its callers do, judges the login's
// answers: a refusal closes the connection.
func speculate(t *testing.T, raw net.Conn, reqs []Request) (*Conn, []*Reply, HelloResult, error) {
	t.Helper()
	ctx := ctxTimeout(t, 2*time.Second)
	c, replies, _, err := Speculate(ctx, raw, reqs, Options{})
	if err != nil {
		return nil, nil, HelloResult{}, err
	}
	res, err := ReadLogin(ctx, replies[:2])
	if SpeculationRefused(err) {
		_ = c.Close()
		return nil, nil, res, err
	}
	return c, replies, res, err
}

// TestSpeculateOneWrite: handshake, HELLO, LOGON and ROUTE leave in one
// write, the server reads them all before it says anything, and Hello
// hands over the answers without touching the socket.
func TestSpeculateOneWrite(t *testing.T) {
	t.Parallel()
	addr := serve(t, func(s net.Conn) {
		hs := readFull(t, s, 20)
		if hs == nil || string(hs[4:8]) != string(h(t, "00 05 08 05")) || string(hs[8:]) != string(make([]byte, 12)) {
			t.Errorf("server: proposals % x, want 5.8..5.3 alone", hs)
		}
		hello, logon, route := readMsg(t, s), readMsg(t, s), readMsg(t, s)
		if hello == nil || hello.Tag != MsgHello || logon == nil || logon.Tag != MsgLogon || route == nil || route.Tag != MsgRoute {
			t.Errorf("server: got %v %v %v", hello, logon, route)
			return
		}
		writeMsgs(s, h(t, "00 00 07 05"),
			success(t, map[string]any{"server": "Neo4j/5.22.0", "connection_id": "bolt-1"}),
			success(t, map[string]any{}),
			success(t, map[string]any{"rt": map[string]any{"ttl": int64(300), "db": "neo4j", "servers": []any{}}}))
		waitClose(s)
	})
	raw := dial(t, addr)
	ctx := ctxTimeout(t, 2*time.Second)
	c, replies, hs, err := Speculate(ctx, raw, specFlight(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if raw.Writes() != 1 || hs.Version != (Version{5, 7}) || hs.Manifest || len(replies) != 3 {
		t.Fatalf("%d writes, %d replies, handshake %+v", raw.Writes(), len(replies), hs)
	}
	res, err := ReadLogin(ctx, replies[:2])
	if err != nil || res.Server != "Neo4j/5.22.0" {
		t.Fatalf("login: %+v, %v", res, err)
	}
	rt, err := ReadRoute(ctx, replies[2])
	if err != nil || rt["db"] != "neo4j" {
		t.Fatalf("route: %v, %v", rt, err)
	}
	if raw.Writes() != 1 {
		t.Fatalf("reading the answers wrote again: %d writes", raw.Writes())
	}
	assertNoSecret(t, c, err)
	_ = c.Close()
}

// TestSpeculateFallbacks: whatever the server does with the pipelined
// bytes, the error says to fall back, and the connection is closed.
func TestSpeculateFallbacks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		script func(t *testing.T, s net.Conn)
	}{
		{"picks 4.4", func(t *testing.T, s net.Conn) {
			readFull(t, s, 20)
			writeMsgs(s, h(t, "00 00 04 04"))
			waitClose(s)
		}},
		{"no common version", func(t *testing.T, s net.Conn) {
			readFull(t, s, 20)
			writeMsgs(s, h(t, "00 00 00 00"))
		}},
		{"closes on the pipelined bytes", func(t *testing.T, s net.Conn) {
			readFull(t, s, 20)
		}},
		{"closes after choosing", func(t *testing.T, s net.Conn) {
			readFull(t, s, 20)
			writeMsgs(s, h(t, "00 00 08 05"))
		}},
		{"fails HELLO", func(t *testing.T, s net.Conn) {
			readFull(t, s, 20)
			readMsg(t, s)
			writeMsgs(s, h(t, "00 00 08 05"), encodeMsg(t, MsgFailure, map[string]any{
				"code": "Neo.ClientError.Request.Invalid", "message": "unexpected bytes"}))
			waitClose(s)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := serve(t, func(s net.Conn) { tc.script(t, s) })
			raw := dial(t, addr)
			c, _, _, err := speculate(t, raw, specFlight())
			if c != nil || !errors.Is(err, ErrSpeculationRefused) && !SpeculationRefused(err) {
				t.Fatalf("conn %v, err %v: want a refusal", c, err)
			}
			if _, werr := raw.Write([]byte{0}); werr == nil {
				t.Error("the refused connection is still open")
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error holds the password: %v", err)
			}
		})
	}
}

// TestSpeculateWrongPassword: a LOGON failure is the verdict, not a
// reason to log in a second time.
func TestSpeculateWrongPassword(t *testing.T) {
	t.Parallel()
	addr := serve(t, func(s net.Conn) {
		readFull(t, s, 20)
		readMsg(t, s)
		readMsg(t, s)
		writeMsgs(s, h(t, "00 00 08 05"), success(t, map[string]any{"server": "Neo4j/5.26.0"}),
			encodeMsg(t, MsgFailure, map[string]any{"neo4j_code": "Neo.ClientError.Security.Unauthorized", "message": "no"}))
		waitClose(s)
	})
	raw := dial(t, addr)
	c, _, _, err := speculate(t, raw, Login(SpeculativeVersion, specReq))
	if c == nil {
		t.Fatalf("refused: %v", err)
	}
	defer c.Close()
	var se *ServerError
	if !errors.As(err, &se) || se.Request != "LOGON" || se.Code != "Neo.ClientError.Security.Unauthorized" {
		t.Fatalf("err = %v", err)
	}
	assertNoSecret(t, c, err)
}

// TestSpeculateWrongPasswordRouteIgnored: with ROUTE pipelined behind
// LOGON, a server that answers the ROUTE with IGNORED after the failed
// LOGON (instead of closing) still gives the LOGON failure as the verdict.
func TestSpeculateWrongPasswordRouteIgnored(t *testing.T) {
	t.Parallel()
	addr := serve(t, func(s net.Conn) {
		readFull(t, s, 20)
		readMsg(t, s)
		readMsg(t, s)
		readMsg(t, s)
		writeMsgs(s, h(t, "00 00 08 05"), success(t, map[string]any{"server": "Neo4j/5.26.0"}),
			encodeMsg(t, MsgFailure, map[string]any{"neo4j_code": "Neo.ClientError.Security.Unauthorized", "message": "no"}),
			encodeMsg(t, MsgIgnored))
		waitClose(s)
	})
	raw := dial(t, addr)
	c, replies, res, err := speculate(t, raw, specFlight())
	if c == nil {
		t.Fatalf("refused: %v", err)
	}
	defer c.Close()
	if _, rerr := ReadRoute(ctxTimeout(t, 2*time.Second), replies[2]); !errors.Is(rerr, ErrIgnored) {
		t.Errorf("ROUTE after the failed LOGON: %v, want IGNORED", rerr)
	}
	var se *ServerError
	if !errors.As(err, &se) || se.Request != "LOGON" || se.Code != "Neo.ClientError.Security.Unauthorized" {
		t.Fatalf("err = %v, want the LOGON failure", err)
	}
	if res.Server != "Neo4j/5.26.0" {
		t.Errorf("HELLO's answer lost: %+v", res)
	}
	assertNoSecret(t, c, err)
}

// TestSpeculateHTTP: a verdict the first bytes decide is not retried.
func TestSpeculateHTTP(t *testing.T) {
	t.Parallel()
	addr := serve(t, func(s net.Conn) {
		readFull(t, s, 20)
		writeMsgs(s, []byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
	})
	_, _, _, err := Speculate(ctxTimeout(t, 2*time.Second), dial(t, addr), specFlight(), Options{})
	if !errors.Is(err, ErrHTTP) || errors.Is(err, ErrSpeculationRefused) {
		t.Fatalf("err = %v, want ErrHTTP alone", err)
	}
}

// TestQueriesOneWrite: n queries go out in one write; after a failure the
// rest are reported as ignored, and the connection still works.
func TestQueriesOneWrite(t *testing.T) {
	t.Parallel()
	c, raw := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		for range 6 {
			readMsg(t, s)
		}
		writeMsgs(s, success(t, map[string]any{"fields": []any{"1"}}), encodeMsg(t, MsgRecord, []any{int64(1)}), success(t, map[string]any{}),
			encodeMsg(t, MsgFailure, map[string]any{"code": "Neo.ClientError.Security.Forbidden", "message": "no"}),
			encodeMsg(t, MsgIgnored), encodeMsg(t, MsgIgnored), encodeMsg(t, MsgIgnored))
		if m := readMsg(t, s); m == nil || m.Tag != MsgReset {
			t.Errorf("server: got %v, want RESET", m)
			return
		}
		readMsg(t, s)
		readMsg(t, s)
		writeMsgs(s, success(t, map[string]any{}), success(t, map[string]any{"fields": []any{}}), success(t, map[string]any{}))
		waitClose(s)
	})
	ctx := ctxTimeout(t, 2*time.Second)
	writes := raw.Writes()
	res, errs := c.Queries(ctx, Statement{Query: "RETURN 1"}, Statement{Query: "CALL dbms.components()"}, Statement{Query: "RETURN 2"})
	if raw.Writes()-writes != 1 {
		t.Fatalf("%d writes for three queries", raw.Writes()-writes)
	}
	var se *ServerError
	if errs[0] != nil || len(res[0].Records) != 1 || !errors.As(errs[1], &se) || !errors.Is(errs[2], ErrIgnored) {
		t.Fatalf("results %+v, errors %v", res, errs)
	}
	if _, err := c.Query(ctx, "RETURN 3", nil, nil); err != nil {
		t.Fatalf("query after the failed pipeline: %v", err)
	}
}
