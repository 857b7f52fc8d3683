package bolt

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

const defaultHandshake = "60 60 B0 17 00 00 01 FF 00 08 08 05 00 02 04 04 00 00 00 03"

func TestDefaultProposalsBytes(t *testing.T) {
	var got []byte
	for _, p := range DefaultProposals {
		got = append(got, byte(p>>24), byte(p>>16), byte(p>>8), byte(p))
	}
	if want := h(t, defaultHandshake)[4:]; !bytes.Equal(got, want) {
		t.Fatalf("proposals % X, want % X", got, want)
	}
}

func TestSupported(t *testing.T) {
	yes := []Version{{3, 0}, {4, 0}, {4, 1}, {4, 4}, {5, 0}, {5, 4}, {5, 6}, {5, 8}}
	no := []Version{{1, 0}, {2, 0}, {3, 1}, {4, 5}, {5, 5}, {5, 9}, {6, 0}, {0xF2, 7}}
	for _, v := range yes {
		if !Supported(v) {
			t.Errorf("%s should be supported", v)
		}
	}
	for _, v := range no {
		if Supported(v) {
			t.Errorf("%s should not be supported", v)
		}
	}
}

func TestHandshakeLegacy(t *testing.T) {
	for _, tc := range []struct {
		reply string
		want  Version
	}{
		{"00 00 08 05", Version{5, 8}},
		{"00 00 00 05", Version{5, 0}},
		{"00 00 04 04", Version{4, 4}},
		{"00 00 02 04", Version{4, 2}},
		{"00 00 00 03", Version{3, 0}},
	} {
		t.Run(tc.want.String(), func(t *testing.T) {
			got := make(chan []byte, 1)
			addr := serve(t, func(c net.Conn) {
				got <- readFull(t, c, 20)
				_, _ = c.Write(h(t, tc.reply))
				waitClose(c)
			})
			conn := dial(t, addr)
			res, err := Handshake(ctxTimeout(t, 2*time.Second), conn, DefaultProposals)
			if err != nil {
				t.Fatal(err)
			}
			if res.Version != tc.want || res.Manifest {
				t.Fatalf("got %+v", res)
			}
			if conn.Writes() != 1 {
				t.Fatalf("%d writes, want magic and proposals in one", conn.Writes())
			}
			if g := <-got; !bytes.Equal(g, h(t, defaultHandshake)) {
				t.Fatalf("server got % X", g)
			}
			if !bytes.Equal(res.Received, h(t, tc.reply)) || !bytes.Equal(res.Sent, h(t, defaultHandshake)) {
				t.Fatalf("evidence sent % X received % X", res.Sent, res.Received)
			}
		})
	}
}

// manifestServer offers reply and hands back the client's choice bytes.
func manifestServer(t *testing.T, reply string, choice chan<- []byte) string {
	return serve(t, func(c net.Conn) {
		if readFull(t, c, 20) == nil {
			return
		}
		_, _ = c.Write(h(t, reply))
		choice <- readFull(t, c, 5)
		waitClose(c)
	})
}

func TestHandshakeManifest(t *testing.T) {
	for _, tc := range []struct {
		name, reply, choice string
		want                Version
		offered             []Range
	}{
		{"testkit", "00 00 01 FF 03 00 07 07 05 00 04 04 04 00 00 00 03 00", "00 00 07 05 00", Version{5, 7},
			[]Range{{5, 7, 7}, {4, 4, 4}, {3, 0, 0}}},
		{"testkit reordered", "00 00 01 FF 03 00 00 00 03 00 04 04 04 00 07 07 05 00", "00 00 07 05 00", Version{5, 7},
			[]Range{{3, 0, 0}, {4, 4, 4}, {5, 7, 7}}},
		{"unknown major ignored", "00 00 01 FF 02 00 07 07 F2 00 07 07 05 00", "00 00 07 05 00", Version{5, 7},
			[]Range{{0xF2, 7, 7}, {5, 7, 7}}},
		{"6.0 ignored", "00 00 01 FF 03 00 00 00 06 00 02 08 05 00 04 04 04 00", "00 00 08 05 00", Version{5, 8},
			[]Range{{6, 0, 0}, {5, 8, 2}, {4, 4, 4}}},
		{"never 5.5", "00 00 01 FF 02 00 00 05 05 00 00 04 05 00", "00 00 04 05 00", Version{5, 4},
			[]Range{{5, 5, 0}, {5, 4, 0}}},
		{"only 4.x", "00 00 01 FF 01 00 04 04 04 00", "00 00 04 04 00", Version{4, 4},
			[]Range{{4, 4, 4}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			choice := make(chan []byte, 1)
			conn := dial(t, manifestServer(t, tc.reply, choice))
			res, err := Handshake(ctxTimeout(t, 2*time.Second), conn, DefaultProposals)
			if err != nil {
				t.Fatal(err)
			}
			if got := <-choice; !bytes.Equal(got, h(t, tc.choice)) {
				t.Fatalf("client chose % X, want %s", got, tc.choice)
			}
			if res.Version != tc.want || !res.Manifest || res.Capabilities != 0 {
				t.Fatalf("got %+v", res)
			}
			if len(res.Offered) != len(tc.offered) {
				t.Fatalf("offered %v", res.Offered)
			}
			for i := range tc.offered {
				if res.Offered[i] != tc.offered[i] {
					t.Fatalf("offered %v, want %v", res.Offered, tc.offered)
				}
			}
			if !bytes.Equal(res.Received, h(t, tc.reply)) {
				t.Fatalf("received % X", res.Received)
			}
			if !bytes.Equal(res.Sent[20:], h(t, tc.choice)) {
				t.Fatalf("sent % X", res.Sent)
			}
		})
	}
}

func TestHandshakeManifestNoMatch(t *testing.T) {
	choice := make(chan []byte, 1)
	conn := dial(t, manifestServer(t, "00 00 01 FF 02 00 00 00 06 00 00 01 06 00", choice))
	_, err := Handshake(ctxTimeout(t, 2*time.Second), conn, DefaultProposals)
	if !errors.Is(err, ErrNoCommonVersion) {
		t.Fatalf("err = %v", err)
	}
	if got := <-choice; !bytes.Equal(got, make([]byte, 5)) {
		t.Fatalf("client sent % X, want 00 00 00 00 00", got)
	}
	if !strings.Contains(err.Error(), "6.0, 6.1") {
		t.Fatalf("error should list the offer: %v", err)
	}
}

func TestHandshakeManifestCapabilities(t *testing.T) {
	choice := make(chan []byte, 1)
	// FF 82 71 is the docs' varint example: 1 851 775.
	conn := dial(t, manifestServer(t, "00 00 01 FF 01 00 08 08 05 FF 82 71", choice))
	res, err := Handshake(ctxTimeout(t, 2*time.Second), conn, DefaultProposals)
	if err != nil {
		t.Fatal(err)
	}
	if res.Capabilities != 1851775 {
		t.Fatalf("capabilities %d", res.Capabilities)
	}
	if got := <-choice; !bytes.Equal(got, h(t, "00 00 08 05 00")) {
		t.Fatalf("client sent % X: it must claim no capabilities", got)
	}
}

// classify runs Handshake against a server script and returns the error.
func classify(t *testing.T, timeout time.Duration, script func(c net.Conn)) (*PeerError, time.Duration) {
	t.Helper()
	conn := dial(t, serve(t, script))
	start := time.Now()
	_, err := Handshake(ctxTimeout(t, timeout), conn, DefaultProposals)
	took := time.Since(start)
	conn.Close() // lets scripts that wait for the client end now
	var pe *PeerError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *PeerError", err, err)
	}
	if pe.Step != "handshake" {
		t.Fatalf("step %q", pe.Step)
	}
	return pe, took
}

func TestHandshakeClassifier(t *testing.T) {
	writeAfterHandshake := func(reply []byte) func(c net.Conn) {
		return func(c net.Conn) {
			if readFull(t, c, 20) == nil {
				return
			}
			_, _ = c.Write(reply)
		}
	}
	httpReply := []byte("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nBad Request")
	for _, tc := range []struct {
		name   string
		script func(c net.Conn)
		want   error
		bytes  []byte // expected evidence prefix
	}{
		{"http", writeAfterHandshake(httpReply), ErrHTTP, []byte("HTTP/1.1 400 Bad Request\r\n")},
		{"tls alert", writeAfterHandshake(h(t, "15 03 03 00 02 02 28")), ErrTLSRequired, h(t, "15 03 03 00 02 02 28")},
		{"tls handshake", writeAfterHandshake(h(t, "16 03 01 00 04 02 00 00 00")), ErrTLSRequired, h(t, "16 03 01 00 04 02 00 00 00")},
		{"tls alert alone", writeAfterHandshake(h(t, "15 03")), ErrTLSRequired, h(t, "15 03")},
		{"close", func(c net.Conn) { readFull(t, c, 20) }, ErrClosed, nil},
		{"reset", func(c net.Conn) {
			readFull(t, c, 20)
			_ = c.(*net.TCPConn).SetLinger(0)
		}, ErrReset, nil},
		{"ssh banner", func(c net.Conn) {
			_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"))
			waitClose(c)
		}, ErrNotBolt, []byte("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n")},
		{"smtp banner", func(c net.Conn) {
			_, _ = c.Write([]byte("220 mail.example.com ESMTP\r\n"))
			waitClose(c)
		}, ErrNotBolt, []byte("220 mail.example.com ESMTP\r\n")},
		{"binary garbage", writeAfterHandshake(h(t, "01 02 03 04")), ErrNotBolt, h(t, "01 02 03 04")},
		{"short reply", writeAfterHandshake(h(t, "00 00")), ErrNotBolt, h(t, "00 00")},
		{"no common version", writeAfterHandshake(h(t, "00 00 00 00")), ErrNoCommonVersion, h(t, "00 00 00 00")},
		{"not proposed", writeAfterHandshake(h(t, "00 00 FF FF")), ErrBadVersion, h(t, "00 00 FF FF")},
		{"bolt 1", writeAfterHandshake(h(t, "00 00 00 01")), ErrBadVersion, h(t, "00 00 00 01")},
		{"4.1 not proposed", writeAfterHandshake(h(t, "00 00 01 04")), ErrBadVersion, h(t, "00 00 01 04")},
		{"range in reply", writeAfterHandshake(h(t, "00 02 04 04")), ErrBadVersion, h(t, "00 02 04 04")},
		{"5.5", writeAfterHandshake(h(t, "00 00 05 05")), ErrUnsupportedVersion, h(t, "00 00 05 05")},
		{"manifest cut", writeAfterHandshake(h(t, "00 00 01 FF 02 00 08 08 05")), ErrBadManifest, h(t, "00 00 01 FF 02 00 08 08 05")},
		{"manifest count 65", writeAfterHandshake(h(t, "00 00 01 FF 41")), ErrBadManifest, h(t, "00 00 01 FF 41")},
		{"manifest huge count", writeAfterHandshake(h(t, "00 00 01 FF FF FF FF FF 0F")), ErrBadManifest, nil},
		{"manifest varint 11 bytes", writeAfterHandshake(h(t, "00 00 01 FF 80 80 80 80 80 80 80 80 80 80 00")), ErrBadManifest, nil},
		{"manifest varint overflow", writeAfterHandshake(h(t, "00 00 01 FF 80 80 80 80 80 80 80 80 80 02")), ErrBadManifest, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pe, _ := classify(t, 2*time.Second, tc.script)
			if !errors.Is(pe, tc.want) {
				t.Fatalf("err = %v, want %v", pe, tc.want)
			}
			if !bytes.HasPrefix(pe.Bytes, tc.bytes) {
				t.Fatalf("evidence % X, want prefix % X", pe.Bytes, tc.bytes)
			}
			if tc.bytes == nil && tc.want != ErrBadManifest && len(pe.Bytes) != 0 {
				t.Fatalf("evidence % X, want none", pe.Bytes)
			}
			if len(pe.Bytes) > 300 {
				t.Fatalf("evidence unbounded: %d bytes", len(pe.Bytes))
			}
		})
	}
}

func TestHandshakeSilent(t *testing.T) {
	pe, took := classify(t, 200*time.Millisecond, func(c net.Conn) { waitClose(c) })
	if !errors.Is(pe, ErrSilent) || len(pe.Bytes) != 0 {
		t.Fatalf("err = %v", pe)
	}
	if took < 150*time.Millisecond || took > 2*time.Second {
		t.Fatalf("took %v for a 200ms deadline", took)
	}
}

// A peer that says "HTTP" and stalls must not hold the verdict hostage
// for the whole deadline: the rest is only evidence.
func TestHandshakeHTTPStall(t *testing.T) {
	pe, took := classify(t, 3*time.Second, func(c net.Conn) {
		readFull(t, c, 20)
		_, _ = c.Write([]byte("HTTP"))
		waitClose(c)
	})
	if !errors.Is(pe, ErrHTTP) || string(pe.Bytes) != "HTTP" {
		t.Fatalf("err = %v", pe)
	}
	if took > time.Second {
		t.Fatalf("took %v", took)
	}
}

func TestHandshakeCancel(t *testing.T) {
	conn := dial(t, serve(t, func(c net.Conn) { waitClose(c) }))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := Handshake(ctx, conn, DefaultProposals)
	conn.Close()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("took %v", took)
	}

	// Already cancelled: nothing is written.
	_, err = Handshake(ctx, conn, DefaultProposals)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// The deadline a cancelled call left behind must not poison the next call.
func TestHandshakeDeadlineCleared(t *testing.T) {
	conn := dial(t, serve(t, func(c net.Conn) {
		readFull(t, c, 20)
		time.Sleep(100 * time.Millisecond)
		_, _ = c.Write(h(t, "00 00 08 05"))
		waitClose(c)
	}))
	_ = conn.SetDeadline(time.Now().Add(-time.Second))
	res, err := Handshake(context.Background(), conn, DefaultProposals)
	if err != nil || res.Version != (Version{5, 8}) {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestLegacyProposalsFor40(t *testing.T) {
	got := make(chan []byte, 1)
	conn := dial(t, serve(t, func(c net.Conn) {
		got <- readFull(t, c, 20)
		_, _ = c.Write(h(t, "00 00 00 04"))
		waitClose(c)
	}))
	res, err := Handshake(ctxTimeout(t, 2*time.Second), conn, LegacyProposals)
	if err != nil || res.Version != (Version{4, 0}) {
		t.Fatalf("%+v %v", res, err)
	}
	if g := <-got; !bytes.Equal(g[4:], h(t, "00 02 04 04 00 00 01 04 00 00 00 04 00 00 00 03")) {
		t.Fatalf("sent % X", g)
	}
}

func TestHandshakeManifestNotProposed(t *testing.T) {
	conn := dial(t, serve(t, func(c net.Conn) {
		readFull(t, c, 20)
		_, _ = c.Write(h(t, "00 00 01 FF 01 00 00 08 05 00"))
	}))
	_, err := Handshake(ctxTimeout(t, 2*time.Second), conn, LegacyProposals)
	if !errors.Is(err, ErrBadVersion) {
		t.Fatalf("err = %v", err)
	}
}
