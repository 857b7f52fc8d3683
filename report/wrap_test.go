package report

import (
	"slices"
	"strings"
	"testing"
)

func TestSpans(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []span
	}{
		{"plain", []span{{text: "plain"}}},
		{"run `a b` now", []span{{text: "run "}, {text: "a b", code: true}, {text: " now"}}},
		{"run `a b`.", []span{{text: "run "}, {text: "a b", code: true}}}, // a closing "." alone is dropped
		{"`a`", []span{{text: ""}, {text: "a", code: true}}},
		{"one ` only", []span{{text: "one ` only"}}},
		{"empty `` pair", []span{{text: "empty ``"}, {text: " pair"}}},
		{"`a` and `b`", []span{{text: ""}, {text: "a", code: true}, {text: " and "}, {text: "b", code: true}}},
	} {
		if got := spans(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("spans(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// show renders laid-out lines after a lead of "L" padded to leadW.
func show(leadW int, ls []laidLine) string {
	var b strings.Builder
	for i, l := range ls {
		if i == 0 {
			b.WriteString(strings.Repeat("L", leadW) + l.text + "\n")
			continue
		}
		b.WriteString(strings.Repeat(" ", l.indent) + l.text + "\n")
	}
	return b.String()
}

func TestLayout(t *testing.T) {
	for _, tc := range []struct {
		name               string
		leadW, hang, limit int
		text               string
		want               string
	}{
		{"fits", 4, 4, 20, "a b c", "LLLLa b c\n"},
		{"wraps under the text", 4, 4, 12, "aaa bbb ccc ddd", "LLLLaaa bbb\n    ccc ddd\n"},
		{"exactly the limit", 4, 4, 11, "aaa bbb ccc", "LLLLaaa bbb\n    ccc\n"},
		{"a word too long for the lead's line", 8, 2, 12, "abcdefghij", "LLLLLLLL\n  abcdefghij\n"},
		{"a word that fits only further left", 4, 6, 12, "aa bbbbbbbbb cc", "LLLLaa\n   bbbbbbbbb\n      cc\n"},
		{"a word longer than the width", 4, 4, 10, "aa bbbbbbbbbbbbbbb cc", "LLLLaa\nbbbbbbbbbbbbbbb\n    cc\n"},
		{"blanks collapse", 2, 2, 20, "  a   b  ", "LLa b\n"},
		{"empty", 4, 4, 20, "", "LLLL\n"},
		{"code on its own line", 6, 6, 40, "set `x=1` and restart", "LLLLLLset\n        x=1\n      and restart\n"},
		{"code first", 6, 6, 40, "`x=1` then", "LLLLLL\n        x=1\n      then\n"},
		{"code moves left to fit", 6, 6, 20, "run `abcdefghijklmnopq`", "LLLLLLrun\n   abcdefghijklmnopq\n"},
		{"code longer than the width breaks at blanks", 2, 2, 16, "`aaaa bbbb cccc dddd eeee`", "LL\n    aaaa bbbb\n      cccc dddd\n      eeee\n"},
	} {
		got := show(tc.leadW, layout(tc.leadW, tc.hang, tc.limit, tc.text, true))
		if got != tc.want {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}
	// Without code, backticks are text.
	if got := show(2, layout(2, 2, 40, "a `b` c", false)); got != "LLa `b` c\n" {
		t.Errorf("backticks without code: %q", got)
	}
}
