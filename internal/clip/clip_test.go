package clip

import (
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijk", 10, "abcdefghij…"},
		{"ééééé", 3, "é…"}, // é is two bytes: the second é would be cut in half
		{"日本語", 4, "日…"},
		{"日本語", 0, "…"},
	} {
		got := String(tc.s, tc.n)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("String(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func FuzzString(f *testing.F) {
	f.Add("héllo wörld", 4)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 0 || n > 1<<16 {
			return
		}
		got := String(s, n)
		if len(s) <= n && got != s {
			t.Fatalf("cut %q at %d", s, n)
		}
		if len(s) > n && (len(got) > n+len("…") || utf8.ValidString(s) && !utf8.ValidString(got)) {
			t.Fatalf("String(%q, %d) = %q", s, n, got)
		}
	})
}
