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

// Seeds beyond these live in testdata/fuzz/<Name>/.

func FuzzReadMessage(f *testing.F) {
	f.Add([]byte{0, 2, 0xB0, 0x0F, 0, 0})
	f.Add([]byte{0, 0, 0, 1, 0xB0, 0, 1, 0x02, 0, 0})
	f.Add([]byte{0xFF, 0xFF, 1, 2})
	const max = 1024
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := ReadMessage(bytes.NewReader(data), max)
		if err != nil {
			return
		}
		if len(msg) == 0 || len(msg) > max {
			t.Fatalf("message of %d bytes", len(msg))
		}
		back, err := ReadMessage(bytes.NewReader(AppendMessage(nil, msg)), max)
		if err != nil || !bytes.Equal(back, msg) {
			t.Fatalf("re-chunked message differs: %v", err)
		}
	})
}

// maxReply is the most a handshake answer can make the parser read.
const maxReply = 4 + maxVarintLen + 4*maxManifestEntries + maxVarintLen

func FuzzHandshakeReply(f *testing.F) {
	f.Add([]byte{0, 0, 8, 5}, false)
	f.Add([]byte{0, 0, 1, 0xFF, 1, 0, 8, 8, 5, 0}, false)
	f.Add([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"), false)
	f.Add([]byte{0, 0, 0, 4}, true)
	f.Fuzz(func(t *testing.T, data []byte, legacy bool) {
		proposals := DefaultProposals
		if legacy {
			proposals = LegacyProposals
		}
		p := replyParser{r: bytes.NewReader(data), proposals: proposals}
		reply, err := p.parse()
		if !bytes.HasPrefix(data, p.got) {
			t.Fatalf("evidence % X is not what was read", p.got)
		}
		if len(p.got) > max(maxReply, maxEvidence) {
			t.Fatalf("read %d bytes", len(p.got))
		}
		if err != nil {
			var pe *PeerError
			if !errors.As(err, &pe) || pe.Step != "handshake" || pe.Err == nil || !bytes.Equal(pe.Bytes, p.got) {
				t.Fatalf("error %v (%T)", err, err)
			}
			_ = pe.Error()
			return
		}
		if reply.manifest {
			if len(reply.offered) > maxManifestEntries || proposals != DefaultProposals {
				t.Fatalf("manifest %+v", reply)
			}
			return
		}
		if !Supported(reply.version) {
			t.Fatalf("accepted %s", reply.version)
		}
	})
}

func FuzzManifest(f *testing.F) {
	f.Add([]byte{3, 0, 7, 7, 5, 0, 4, 4, 4, 0, 0, 0, 3, 0})
	f.Add([]byte{2, 0, 7, 7, 0xF2, 0, 7, 7, 5, 0})
	f.Add([]byte{1, 0, 0, 5, 5, 0xFF, 0x82, 0x71})
	f.Add([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02})
	f.Fuzz(func(t *testing.T, data []byte) {
		p := replyParser{r: bytes.NewReader(data)}
		offered, _, err := p.manifest()
		if !bytes.HasPrefix(data, p.got) {
			t.Fatal("evidence is not what was read")
		}
		if err != nil {
			if !errors.Is(err, ErrBadManifest) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if len(offered) > maxManifestEntries {
			t.Fatalf("%d offers", len(offered))
		}
		v, ok := chooseVersion(offered)
		var best Version
		found := false
		for _, r := range offered {
			for m := 0; m <= 255; m++ {
				w := Version{r.Major, uint8(m)}
				if r.Contains(w) && Supported(w) && (!found || best.less(w)) {
					best, found = w, true
				}
			}
		}
		if ok != found || v != best {
			t.Fatalf("chose %s/%v, want %s/%v from %v", v, ok, best, found, offered)
		}
	})
}

// memConn is a net.Conn whose peer is a byte string: the client's writes
// vanish and its reads get the fuzzer's bytes.
type memConn struct{ r *bytes.Reader }

func (c memConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c memConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c memConn) Close() error                     { return nil }
func (c memConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c memConn) SetDeadline(time.Time) error      { return nil }
func (c memConn) SetReadDeadline(time.Time) error  { return nil }
func (c memConn) SetWriteDeadline(time.Time) error { return nil }

var fuzzVersions = []Version{{3, 0}, {4, 0}, {4, 2}, {4, 3}, {4, 4}, {5, 0}, {5, 1}, {5, 4}, {5, 8}}

// FuzzConn feeds arbitrary server bytes to a whole session: whatever the
// server says, the client must not panic, must stay within its bounds and
// must not leak the password.
func FuzzConn(f *testing.F) {
	f.Add(byte(8), append(success(f, map[string]any{"server": "Neo4j/5.26.0"}), success(f, map[string]any{})...))
	f.Add(byte(4), append(append(success(f, map[string]any{"hints": []any{}}), success(f, map[string]any{"rt": map[string]any{}})...),
		encodeMsg(f, MsgFailure, map[string]any{"code": 1, "message": password})...))
	f.Add(byte(8), append(append(success(f, map[string]any{}), success(f, map[string]any{})...),
		append(append(success(f, map[string]any{"fields": []any{"x"}}), encodeMsg(f, MsgRecord, []any{int64(1)})...),
			success(f, map[string]any{"has_more": true})...)...))
	f.Fuzz(func(t *testing.T, version byte, data []byte) {
		v := fuzzVersions[int(version)%len(fuzzVersions)]
		c := NewConn(memConn{bytes.NewReader(data)}, HandshakeResult{Version: v}, Options{MaxMessage: 4096, MaxRecords: 20})
		ctx := context.Background()
		routing := map[string]string{"address": "db:7687"}
		var errs []error
		res, err := c.Hello(ctx, HelloRequest{Auth: BasicAuth("neo4j", password), Routing: routing, Route: &RouteRequest{Context: routing}})
		errs = append(errs, err, res.RouteErr)
		qr, err := c.Query(ctx, "RETURN 1", map[string]any{"p": password[:3]}, nil)
		errs = append(errs, err)
		if len(qr.Records) > 20 {
			t.Fatalf("%d records", len(qr.Records))
		}
		_, err = c.Route(ctx, RouteRequest{Context: routing})
		errs = append(errs, err, c.Reset(ctx), c.Goodbye(ctx))
		frames := c.Transcript()
		if len(frames) > maxFrames {
			t.Fatalf("%d frames", len(frames))
		}
		for _, fr := range frames {
			if strings.Contains(fr.Message, password) || strings.Contains(fr.Hex, hexDump([]byte(password))) {
				t.Fatalf("frame leaks: %+v", fr)
			}
			if len(fr.Message) > maxSummary+8 || len(fr.Hex) > 3*maxHex+32 {
				t.Fatalf("frame too long: %d/%d", len(fr.Message), len(fr.Hex))
			}
		}
		for _, err := range errs {
			if err != nil && strings.Contains(err.Error(), password) {
				t.Fatalf("error leaks: %v", err)
			}
		}
	})
}
