package bolt

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// Peers that stall, flood, or stop reading: every call ends by its deadline
// or sooner, with a sentinel that says what the peer did.

// TestWriteTimesOutWhenPeerStopsReading: a half-open peer that no longer
// reads fills the socket buffers; the write must give up at the deadline
// and say so, not report the peer as silent.
func TestWriteTimesOutWhenPeerStopsReading(t *testing.T) {
	stop := make(chan struct{})
	c, raw := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		_ = s.(*net.TCPConn).SetReadBuffer(1)
		helloOK(t, s)
		<-stop // read nothing more until the client gave up
	})
	defer close(stop)
	if _, err := c.Hello(ctxTimeout(t, 2*time.Second), HelloRequest{}); err != nil {
		t.Fatal(err)
	}
	// Small buffers on both sides, so a message of 1 MiB cannot fit: the
	// write blocks on the peer, not on encoding, which under the race
	// detector on a busy machine could otherwise eat the deadline itself.
	if err := raw.Conn.(*net.TCPConn).SetWriteBuffer(4096); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 1<<20)
	start := time.Now()
	_, err := c.Query(ctxTimeout(t, time.Second), "RETURN $x", map[string]any{"x": big}, nil)
	if !errors.Is(err, ErrNotReading) {
		t.Fatalf("err = %v, want ErrNotReading", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("the write took %s with a 1s deadline", took)
	}
	if _, err := c.Query(ctxTimeout(t, time.Second), "RETURN 1", nil, nil); !errors.Is(err, ErrNotReading) {
		t.Fatalf("after a failed write the connection must stay unusable: %v", err)
	}
	_ = c.Close()
}

func TestNoopFlood(t *testing.T) {
	flood := bytes.Repeat([]byte{0, 0}, MaxNoops)
	msg := []byte{0, 2, 0xB0, 0x0F, 0, 0}
	if got, err := ReadMessage(bytes.NewReader(append(flood, msg...)), 100); err != nil || !bytes.Equal(got, msg[2:4]) {
		t.Fatalf("%d NOOPs before a message: % X, %v", MaxNoops, got, err)
	}
	if _, err := ReadMessage(bytes.NewReader(append(append(flood, 0, 0), msg...)), 100); !errors.Is(err, ErrNoopFlood) {
		t.Fatalf("%d NOOPs: %v, want ErrNoopFlood", MaxNoops+1, err)
	}

	// A server that sends nothing but NOOPs is told apart from a slow one
	// at once, not at the deadline.
	c, _ := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		readMsg(t, s)
		readMsg(t, s)
		noops := bytes.Repeat([]byte{0, 0}, 4096)
		for range 1 << 10 {
			if _, err := s.Write(noops); err != nil {
				return
			}
		}
	})
	start := time.Now()
	_, err := c.Hello(ctxTimeout(t, 5*time.Second), HelloRequest{})
	if !errors.Is(err, ErrProtocol) || !errors.Is(err, ErrNoopFlood) {
		t.Fatalf("err = %v, want ErrProtocol from ErrNoopFlood", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("a NOOP flood took %s to detect", took)
	}
	_ = c.Close()
}

// TestStalledAnswer: part of an answer, then nothing, is a stall, not
// silence; the error says how much arrived.
func TestStalledAnswer(t *testing.T) {
	c, _ := session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		readMsg(t, s)
		readMsg(t, s)
		whole := success(t, map[string]any{"server": "Neo4j/5.26.0"})
		_, _ = s.Write(whole[:7])
		waitClose(s)
	})
	_, err := c.Hello(ctxTimeout(t, 300*time.Millisecond), HelloRequest{})
	if !errors.Is(err, ErrStalled) || !strings.Contains(err.Error(), "7 bytes of the answer arrived") {
		t.Fatalf("err = %v, want ErrStalled after 7 bytes", err)
	}
	_ = c.Close()

	c, _ = session(t, "00 00 08 05", Options{}, func(s net.Conn) {
		readMsg(t, s)
		readMsg(t, s)
		waitClose(s)
	})
	if _, err := c.Hello(ctxTimeout(t, 300*time.Millisecond), HelloRequest{}); !errors.Is(err, ErrSilent) {
		t.Fatalf("nothing at all: %v, want ErrSilent", err)
	}
	_ = c.Close()
}

func TestHandshakeStalls(t *testing.T) {
	for _, tc := range []struct {
		name, reply string
		want        error
	}{
		{"half a version", "00 00", ErrStalled},
		{"manifest entries that never come", "00 00 01 FF 03 00 08 08 05", ErrStalled},
		{"manifest without its capability mask", "00 00 01 FF 01 00 08 08 05", ErrStalled},
		{"nothing", "", ErrSilent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := serve(t, func(c net.Conn) {
				readFull(t, c, 20)
				_, _ = c.Write(h(t, tc.reply))
				waitClose(c)
			})
			raw := dial(t, addr)
			start := time.Now()
			_, err := Handshake(ctxTimeout(t, 300*time.Millisecond), raw, DefaultProposals)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if took := time.Since(start); took > time.Second {
				t.Fatalf("took %s with a 300ms deadline", took)
			}
		})
	}
}

// TestResultValueBudget: records that each pass the per-message limits
// still add up; a result is bounded as a whole.
func TestResultValueBudget(t *testing.T) {
	row := make([]any, 1000)
	for i := range row {
		row[i] = []any{}
	}
	c, _ := session(t, "00 00 08 05", Options{MaxResultValues: 5000}, func(s net.Conn) {
		helloOK(t, s)
		readMsg(t, s)
		readMsg(t, s)
		writeMsgs(s, success(t, map[string]any{"fields": []any{"x"}}))
		rec := encodeMsg(t, MsgRecord, []any{row})
		for range 100 {
			if _, err := s.Write(rec); err != nil {
				return
			}
		}
		waitClose(s)
	})
	ctx := ctxTimeout(t, 2*time.Second)
	if _, err := c.Hello(ctx, HelloRequest{}); err != nil {
		t.Fatal(err)
	}
	res, err := c.Query(ctx, "RETURN 1", nil, nil)
	if !errors.Is(err, ErrResultTooLarge) || len(res.Records) > 5 {
		t.Fatalf("%d records, err = %v; want ErrResultTooLarge within 5 records", len(res.Records), err)
	}
	_ = c.Close()
}
