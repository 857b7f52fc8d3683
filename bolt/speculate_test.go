package bolt

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

var specReq = HelloRequest{UserAgent: "neo4j-doctor/test", Auth: BasicAuth("neo4j", password),
	Routing: map[string]string{"address": "db:7687"}, Route: &RouteRequest{Context: map[string]string{"address": "db:7687"}}}

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
	c, hs, err := Speculate(ctx, raw, specReq, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if raw.Writes() != 1 || hs.Version != (Version{5, 7}) || hs.Manifest {
		t.Fatalf("%d writes, handshake %+v", raw.Writes(), hs)
	}
	res, err := c.Hello(ctx, specReq)
	if err != nil || res.Server != "Neo4j/5.22.0" || res.Route["db"] != "neo4j" || res.RouteErr != nil {
		t.Fatalf("Hello: %+v, %v", res, err)
	}
	if raw.Writes() != 1 {
		t.Fatalf("Hello wrote again: %d writes", raw.Writes())
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
			c, _, err := Speculate(ctxTimeout(t, 2*time.Second), raw, specReq, Options{})
			if c != nil || !errors.Is(err, ErrSpeculationRefused) {
				t.Fatalf("conn %v, err %v: want ErrSpeculationRefused", c, err)
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
	req := specReq
	req.Route = nil
	raw := dial(t, addr)
	ctx := ctxTimeout(t, 2*time.Second)
	c, _, err := Speculate(ctx, raw, req, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Hello(ctx, req)
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
	ctx := ctxTimeout(t, 2*time.Second)
	c, _, err := Speculate(ctx, raw, specReq, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := c.Hello(ctx, specReq)
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
	_, _, err := Speculate(ctxTimeout(t, 2*time.Second), dial(t, addr), specReq, Options{})
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
