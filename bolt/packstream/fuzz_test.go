package packstream

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecode: hostile bytes give a *DecodeError, never a panic; whatever
// decodes re-encodes canonically and decodes to the same canonical bytes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{0xB1, 0x70, 0xA1, 0x86, 's', 'e', 'r', 'v', 'e', 'r', 0x80})
	f.Add([]byte{0xD6, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add(bytes.Repeat([]byte{0x91}, 200))
	f.Add([]byte{0xA1, 0x01, 0x02})
	f.Add([]byte{0xC9, 0x00, 0x80})
	lim := Limits{MaxDepth: 32, MaxCollection: 4096, MaxString: 4096, MaxValues: 2048}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, n, err := decode(data, lim)
		if n > lim.MaxValues {
			t.Fatalf("decoded %d values, limit %d", n, lim.MaxValues)
		}
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) || de.Offset < 0 || de.Offset > len(data) {
				t.Fatalf("error %v (%T)", err, err)
			}
			_ = de.Error()
			return
		}
		canon, err := Append(nil, v)
		if err != nil {
			t.Fatalf("decoded %T does not re-encode: %v", v, err)
		}
		if len(canon) > len(data) {
			t.Fatalf("canonical form (%d bytes) longer than the input (%d)", len(canon), len(data))
		}
		v2, err := decodeOne(canon, lim)
		if err != nil {
			t.Fatalf("canonical bytes % X do not decode: %v", canon, err)
		}
		again, _ := Append(nil, v2)
		if !bytes.Equal(again, canon) {
			t.Fatalf("not stable: % X then % X", canon, again)
		}
	})
}
