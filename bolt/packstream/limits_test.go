package packstream

import (
	"bytes"
	"errors"
	"runtime"
	"testing"
)

// listOf is a LIST_32 header for n entries followed by n copies of elem.
func listOf(n int, elem []byte) []byte {
	out := []byte{0xD6, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	return append(out, bytes.Repeat(elem, n)...)
}

// allocated runs f and returns the bytes it allocated.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestMaxValuesBoundsMemory: a message of one-byte values must not cost
// the decoder tens of bytes per input byte without end. Every case is a
// message a 16 MiB limit lets through.
func TestMaxValuesBoundsMemory(t *testing.T) {
	const limit = 1 << 18
	lim := Limits{MaxValues: limit}
	inner := listOf(limit/2, []byte{0x90}) // half the budget each: [[], [], ...]
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"one list of 1M empty lists", listOf(1<<20, []byte{0x90})},
		{"one list of 1M empty maps", listOf(1<<20, []byte{0xA0})},
		{"16 lists of 512K empty lists", append([]byte{0xD4, 16}, bytes.Repeat(listOf(1<<19, []byte{0x90}), 16)...)},
		{"lists that each fit, together over", append([]byte{0x93}, bytes.Repeat(inner, 3)...)},
		{"map of 600K distinct keys", func() []byte {
			n := 600_000
			out := []byte{0xDA, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
			for i := range n {
				out = append(out, 0x83, byte(i>>16), byte(i>>8), byte(i), 0xC0)
			}
			return out
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			n := allocated(func() { _, err = decodeOne(tc.data, lim) })
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			// 64 bytes is the most one decoded value costs (an empty map).
			if max := uint64(64*limit + 1<<20); n > max {
				t.Errorf("allocated %d MiB for %d input bytes, over %d MiB", n>>20, len(tc.data), max>>20)
			}
		})
	}
	t.Run("exactly the limit decodes", func(t *testing.T) {
		if _, err := decodeOne(listOf(limit-1, []byte{0x90}), lim); err != nil {
			t.Fatal(err)
		}
		if _, err := decodeOne(listOf(limit, []byte{0x90}), lim); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("limit+1 values: %v", err)
		}
	})
	t.Run("default", func(t *testing.T) {
		if _, err := decodeOne(listOf(1<<20, []byte{0x01}), Limits{}); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("1M values under the default limit: %v", err)
		}
	})
	t.Run("count reported", func(t *testing.T) {
		s, n, err := DecodeMessage([]byte{0xB2, 0x71, 0x92, 0x01, 0x02, 0xA1, 0x81, 'k', 0xC0}, lim)
		if err != nil || s.Tag != 0x71 || n != 7 {
			t.Fatalf("%v, %d values, %v; want 7 (struct, list, 2 ints, map, key, value)", s, n, err)
		}
	})
}
