package bolt

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestAppendMessageSplits(t *testing.T) {
	msg := bytes.Repeat([]byte{0xAB}, 2*MaxChunk+10)
	out := AppendMessage(nil, msg)
	want := []struct{ at, size int }{{0, MaxChunk}, {2 + MaxChunk, MaxChunk}, {4 + 2*MaxChunk, 10}}
	for _, w := range want {
		if got := int(out[w.at])<<8 | int(out[w.at+1]); got != w.size {
			t.Fatalf("chunk header at %d = %d, want %d", w.at, got, w.size)
		}
	}
	if len(out) != len(msg)+3*2+2 || !bytes.HasSuffix(out, []byte{0, 0}) {
		t.Fatalf("framing length %d", len(out))
	}
	back, err := ReadMessage(bytes.NewReader(out), len(msg))
	if err != nil || !bytes.Equal(back, msg) {
		t.Fatalf("round trip: %v", err)
	}
	exact := AppendMessage(nil, make([]byte, MaxChunk))
	if exact[0] != 0xFF || exact[1] != 0xFF || len(exact) != MaxChunk+4 {
		t.Fatalf("65535-byte message framed as % X...", exact[:2])
	}
}

func TestReadMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		max  int
		want string
		err  error
	}{
		{"one chunk", "00 02 B0 0F 00 00", 100, "B0 0F", nil},
		{"two chunks", "00 01 B0 00 01 0F 00 00", 100, "B0 0F", nil},
		{"noops first", "00 00 00 00 00 02 B0 02 00 00", 100, "B0 02", nil},
		{"exactly max", "00 02 B0 0F 00 00", 2, "B0 0F", nil},
		{"over max in one chunk", "00 03 B0 0F 00 00 00", 2, "", ErrMessageTooLarge},
		{"over max across chunks", "00 02 B0 0F 00 02 01 02 00 00", 3, "", ErrMessageTooLarge},
		{"huge claimed chunk", "FF FF 00", 1024, "", ErrMessageTooLarge},
		{"eof", "", 100, "", io.EOF},
		{"eof after noop", "00 00", 100, "", io.EOF},
		{"header cut", "00", 100, "", io.ErrUnexpectedEOF},
		{"chunk cut", "00 05 B0", 100, "", io.ErrUnexpectedEOF},
		{"no end marker", "00 02 B0 0F", 100, "", io.ErrUnexpectedEOF},
	} {
		got, err := ReadMessage(bytes.NewReader(h(t, tc.in)), tc.max)
		if !errors.Is(err, tc.err) || !bytes.Equal(got, h(t, tc.want)) {
			t.Errorf("%s: % X, %v", tc.name, got, err)
		}
	}
}
