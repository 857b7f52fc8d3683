package bolt

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
)

// Every test server goroutine and every context watcher must be gone when
// the package's tests end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// h parses "00 0D b3" style hex.
func h(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// serve runs script on the first connection to a fresh loopback listener.
// The script gets a 5 s deadline as a backstop; the cleanup waits for it,
// so no server goroutine outlives its test.
func serve(t *testing.T, script func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		script(c)
	}()
	t.Cleanup(func() {
		ln.Close()
		select {
		case <-done:
		case <-time.After(6 * time.Second):
			t.Error("test server did not finish")
		}
	})
	return ln.Addr().String()
}

// countingConn counts Write calls, to prove pipelining is one write.
type countingConn struct {
	net.Conn
	mu     sync.Mutex
	writes int
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *countingConn) Writes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}

func dial(t *testing.T, addr string) *countingConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &countingConn{Conn: c}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// Server-side helpers. They report with t.Errorf, which is safe from the
// server goroutine, and return zero values on failure so the script ends.

func readFull(t *testing.T, c net.Conn, n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Errorf("server: reading %d bytes: %v", n, err)
		return nil
	}
	return b
}

// acceptLegacy reads the 20-byte handshake and answers with one version.
func acceptLegacy(t *testing.T, c net.Conn, reply string) bool {
	if readFull(t, c, 20) == nil {
		return false
	}
	_, err := c.Write(h(t, reply))
	return err == nil
}

func readMsg(t *testing.T, c net.Conn) *packstream.Struct {
	raw, err := ReadMessage(c, 1<<20)
	if err != nil {
		t.Errorf("server: reading a message: %v", err)
		return nil
	}
	s, err := packstream.DecodeStruct(raw, packstream.Limits{})
	if err != nil {
		t.Errorf("server: decoding % X: %v", raw, err)
		return nil
	}
	return s
}

func encodeMsg(t testing.TB, tag byte, fields ...any) []byte {
	b, err := packstream.Append(nil, &packstream.Struct{Tag: tag, Fields: fields})
	if err != nil {
		t.Fatalf("encoding: %v", err)
	}
	return AppendMessage(nil, b)
}

func writeMsgs(c net.Conn, msgs ...[]byte) {
	_, _ = c.Write(bytes.Join(msgs, nil))
}

func success(t testing.TB, meta map[string]any) []byte { return encodeMsg(t, MsgSuccess, meta) }

// waitClose blocks until the client closes, so a silent server stays silent.
func waitClose(c net.Conn) { _, _ = io.Copy(io.Discard, c) }

// field returns the i-th field's map, or nil.
func fieldMap(s *packstream.Struct, i int) map[string]any {
	if s == nil || len(s.Fields) <= i {
		return nil
	}
	m, _ := s.Fields[i].(map[string]any)
	return m
}
