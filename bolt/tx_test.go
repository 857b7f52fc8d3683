package bolt

import (
	"bytes"
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The bytes of the requests an explicit, rolled-back transaction and
// impersonation need (computed with an independent PackStream encoder;
// map keys sorted).
func TestTxMessageBytes(t *testing.T) {
	must := mustFn(t)
	build := func(r Request, v Version) request {
		t.Helper()
		return must(r.build(v))
	}
	ctx := map[string]string{"address": "localhost:7687"}
	for _, tc := range []struct {
		name string
		got  request
		want string
	}{
		{"BEGIN {}", build(Begin(nil), v58), "00 03 B1 11 A0 00 00"},
		{"BEGIN {} on Bolt 3", build(Begin(map[string]any{}), v3), "00 03 B1 11 A0 00 00"},
		{"BEGIN mode w", build(Begin(map[string]any{"mode": "w"}), v58), "00 0A B1 11 A1 84 6D 6F 64 65 81 77 00 00"},
		{"BEGIN mode, db, imp_user", build(Begin(map[string]any{"mode": "w", "db": "neo4j", "imp_user": "bob"}), v44),
			"00 20 B1 11 A3 82 64 62 85 6E 65 6F 34 6A 88 69 6D 70 5F 75 73 65 72 83 62 6F 62 84 6D 6F 64 65 81 77 00 00"},
		{"ROLLBACK", build(Rollback(), v58), "00 02 B0 13 00 00"},
		{"ROLLBACK on Bolt 3", build(Rollback(), v3), "00 02 B0 13 00 00"},
		{"RUN with imp_user", build(Query(Statement{Query: "RETURN 1", Extra: map[string]any{"imp_user": "bob"}})[0], v44),
			"00 1A B3 10 88 52 45 54 55 52 4E 20 31 A0 A1 88 69 6D 70 5F 75 73 65 72 83 62 6F 62 00 00"},
		{"RUN of the write probe", build(Query(Statement{Query: "CREATE ()"})[0], v58),
			"00 0E B3 10 89 43 52 45 41 54 45 20 28 29 A0 A0 00 00"},
		{"ROUTE with imp_user", build(Route(RouteRequest{Context: ctx, ImpUser: "bob"}), v58),
			"00 29 B3 66 A1 87 61 64 64 72 65 73 73 8E 6C 6F 63 61 6C 68 6F 73 74 3A 37 36 38 37 90 A1 88 69 6D 70 5F 75 73 65 72 83 62 6F 62 00 00"},
	} {
		if got := wire(tc.got); !bytes.Equal(got, h(t, tc.want)) {
			t.Errorf("%s:\n got % X\nwant %s", tc.name, got, tc.want)
		}
	}
	if r := build(Begin(map[string]any{"mode": "w", "db": "neo4j", "imp_user": "bob"}), v44); r.summary != `BEGIN {db: "neo4j", imp_user: "bob", mode: "w"}` {
		t.Errorf("BEGIN summary %s", r.summary)
	}
	if Begin(nil).Name() != "BEGIN" || Rollback().Name() != "ROLLBACK" {
		t.Error("request names")
	}
}

// A version that cannot carry a request or one of its keys fails before
// anything is written; nothing is silently dropped.
func TestTxRequestsTheVersionCannotCarry(t *testing.T) {
	v2 := Version{2, 0}
	for _, tc := range []struct {
		name        string
		v           Version
		req         Request
		unsupported bool
	}{
		{"BEGIN on Bolt 2", v2, Begin(nil), true},
		{"ROLLBACK on Bolt 2", v2, Rollback(), true},
		{"BEGIN db on Bolt 3", v3, Begin(map[string]any{"db": "neo4j"}), true},
		{"BEGIN imp_user on 4.3", v43, Begin(map[string]any{"imp_user": "bob"}), true},
		{"RUN imp_user on 4.3", v43, Query(Statement{Query: "RETURN 1", Extra: map[string]any{"imp_user": "bob"}})[0], true},
		{"ROUTE imp_user on 4.3", v43, Route(RouteRequest{ImpUser: "bob"}), true},
		{"BEGIN with a bad mode", v58, Begin(map[string]any{"mode": "write"}), false},
	} {
		err := Expressible(tc.v, tc.req)
		if err == nil || errors.Is(err, ErrUnsupportedRequest) != tc.unsupported {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if err := Expressible(v44, Begin(map[string]any{"mode": "r", "db": "x", "imp_user": "bob", "tx_metadata": map[string]any{"app": "doctor"}})); err != nil {
		t.Errorf("4.4 BEGIN with every key: %v", err)
	}
}

// BEGIN, RUN, PULL and ROLLBACK go out in one write, before the server has
// answered anything, and each reply gets its own answer, in order — even
// when the last one is waited on first.
func TestTxPipelinedAndAnsweredInOrder(t *testing.T) {
	got := make(chan []byte, 4)
	c, raw := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		for range 4 {
			m := readMsg(t, s)
			if m == nil {
				return
			}
			got <- []byte{m.Tag}
		}
		writeMsgs(s,
			success(t, map[string]any{}),
			success(t, map[string]any{"fields": []any{}, "t_first": int64(1)}),
			success(t, map[string]any{"type": "w", "stats": map[string]any{"nodes-created": int64(1)}, "db": "neo4j"}),
			success(t, map[string]any{}))
		waitClose(s)
	})
	reqs := append([]Request{Begin(map[string]any{"mode": "w", "db": "neo4j"})}, Query(Statement{Query: "CREATE ()"})...)
	reqs = append(reqs, Rollback())
	writes := raw.Writes()
	ctx := ctxTimeout(t, 2*time.Second)
	replies, err := c.Send(ctx, reqs...)
	if err != nil {
		t.Fatal(err)
	}
	if n := raw.Writes() - writes; n != 1 {
		t.Fatalf("the flight took %d writes", n)
	}
	var names []string
	for _, r := range replies {
		names = append(names, r.Name())
	}
	if strings.Join(names, " ") != "BEGIN RUN PULL ROLLBACK" {
		t.Fatalf("replies %v", names)
	}
	// Wait on ROLLBACK first: the earlier answers are read and kept.
	if a, err := replies[3].Wait(ctx); err != nil || len(a.Meta) != 0 {
		t.Fatalf("ROLLBACK: %v %v", a, err)
	}
	if a, err := replies[0].Wait(ctx); err != nil || len(a.Meta) != 0 {
		t.Fatalf("BEGIN: %v %v", a, err)
	}
	if a, err := replies[1].Wait(ctx); err != nil || a.Meta["t_first"] != int64(1) {
		t.Fatalf("RUN: %v %v", a, err)
	}
	a, err := replies[2].Wait(ctx)
	if err != nil || a.Meta["type"] != "w" || !reflect.DeepEqual(a.Meta["stats"], map[string]any{"nodes-created": int64(1)}) {
		t.Fatalf("PULL: %v %v", a, err)
	}
	var tags []byte
	for range 4 {
		tags = append(tags, (<-got)[0])
	}
	if !bytes.Equal(tags, []byte{MsgBegin, MsgRun, MsgPull, MsgRollback}) {
		t.Fatalf("server read % X", tags)
	}
}

// A write that fails as it executes: PULL gets the FAILURE, ROLLBACK is
// IGNORED, and the next request goes out behind a RESET, which ends the
// transaction on the server.
func TestTxFailedWriteThenReset(t *testing.T) {
	next := make(chan []byte, 1)
	c, _ := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		for range 4 {
			if readMsg(t, s) == nil {
				return
			}
		}
		writeMsgs(s,
			success(t, map[string]any{}),
			success(t, map[string]any{"fields": []any{}}),
			encodeMsg(t, MsgFailure, map[string]any{"neo4j_code": "Neo.ClientError.Cluster.NotALeader",
				"message":    "No write operations are allowed directly on this database. Writes must pass through the leader. The role of this server is: FOLLOWER",
				"gql_status": "08N07", "description": "error: connection exception - not the leader. This member is not the leader."}),
			encodeMsg(t, MsgIgnored))
		var tags []byte
		for range 3 {
			m := readMsg(t, s)
			if m == nil {
				return
			}
			tags = append(tags, m.Tag)
		}
		next <- tags
		writeMsgs(s, success(t, map[string]any{}), success(t, map[string]any{"fields": []any{"1"}}),
			encodeMsg(t, MsgRecord, []any{int64(1)}), success(t, map[string]any{"type": "r"}))
		waitClose(s)
	})
	ctx := ctxTimeout(t, 2*time.Second)
	reqs := append([]Request{Begin(map[string]any{"mode": "w"})}, Query(Statement{Query: "CREATE ()"})...)
	replies, err := c.Send(ctx, append(reqs, Rollback())...)
	if err != nil {
		t.Fatal(err)
	}
	_, err = replies[2].Wait(ctx)
	var se *ServerError
	if !errors.As(err, &se) || se.Request != "PULL" || se.Code != "Neo.ClientError.Cluster.NotALeader" || se.GQLStatus != "08N07" ||
		!strings.Contains(se.Message, "FOLLOWER") {
		t.Fatalf("PULL: %v", err)
	}
	if _, err := replies[3].Wait(ctx); !errors.Is(err, ErrIgnored) {
		t.Fatalf("ROLLBACK after the failure: %v", err)
	}
	res, err := c.Query(ctx, "RETURN 1", nil, nil)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("after RESET: %+v %v", res, err)
	}
	if tags := <-next; !bytes.Equal(tags, []byte{MsgReset, MsgRun, MsgPull}) {
		t.Fatalf("the next flight was % X, want RESET first", tags)
	}
}
