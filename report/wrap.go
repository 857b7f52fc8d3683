package report

import (
	"strings"
	"unicode/utf8"
)

// Wrapping for the text report. Every paragraph (a summary, a hint, a
// fact's value) is laid out after a lead (a symbol and id, "fix: ", a
// fact's "name: ") with its continuation lines under the text after the
// lead, within a right-hand limit. Widths are counted in runes of text
// that has already been through clean, so no escape sequence is counted.

// A laidLine is one output line of a paragraph: indent blanks, then text.
// The first line of a paragraph follows its lead instead, and its indent
// is the lead's width.
type laidLine struct {
	indent int
	text   string
	code   bool // text is a span to paste
}

// A span is a run of a paragraph: words that wrap, or something to paste
// (a command, a setting=value, a Cypher statement), which was written in
// backticks and stands on its own line.
type span struct {
	text string
	code bool
}

// spans splits text at backticks: the runs between a pair are code. A
// backtick without its pair is text. Text left after the last code span
// that is only punctuation (a closing ".") is dropped rather than left
// alone on a line.
func spans(text string) []span {
	var out []span
	for {
		open := strings.IndexByte(text, '`')
		if open < 0 {
			break
		}
		end := strings.IndexByte(text[open+1:], '`')
		if end < 0 {
			break
		}
		code := strings.TrimSpace(text[open+1 : open+1+end])
		if code == "" {
			// `` is not a thing to paste; keep it as written.
			out = append(out, span{text: text[:open+2+end]})
			text = text[open+2+end:]
			continue
		}
		out = append(out, span{text: text[:open]}, span{text: code, code: true})
		text = text[open+2+end:]
	}
	if len(out) > 0 && out[len(out)-1].code && strings.Trim(text, " .,;:") == "" {
		return out
	}
	return append(out, span{text: text})
}

// layout lays out text after a lead of width leadW: words wrap at blanks
// with continuation lines at column hang, and no line passes column limit,
// except a word longer than limit, which stands alone at column 0. A word
// that fits within limit but not after hang moves left until it fits.
// With code set, backticked spans stand on their own lines at hang+2,
// without the backticks (see layoutCode). The first laidLine is the lead's
// line; its text may be empty when the first word or span does not fit
// there.
func layout(leadW, hang, limit int, text string, code bool) []laidLine {
	parts := []span{{text: text}}
	if code {
		parts = spans(text)
	}
	var out []laidLine
	cur := laidLine{indent: leadW}
	curW := leadW
	empty := true
	flush := func() {
		out = append(out, cur)
		cur, curW, empty = laidLine{indent: hang}, hang, true
	}
	// alone starts a fresh line for a word that does not fit after hang.
	place := func(w string, n int) {
		if hang+n > limit {
			cur.indent = max(0, min(hang, limit-n))
			cur.text = w
			flush()
			return
		}
		cur.text, curW, empty = w, hang+n, false
	}
	for _, sp := range parts {
		if sp.code {
			if !empty || len(out) == 0 {
				flush()
			}
			out = append(out, layoutCode(hang+2, limit, sp.text)...)
			continue
		}
		for _, w := range strings.Fields(sp.text) {
			n := utf8.RuneCountInString(w)
			switch {
			case !empty && curW+1+n <= limit:
				cur.text += " " + w
				curW += 1 + n
			case !empty:
				flush()
				place(w, n)
			case len(out) == 0 && leadW+n <= limit:
				// The first word, on the lead's line.
				cur.text, curW, empty = w, leadW+n, false
			case len(out) == 0:
				flush() // the lead stands alone
				place(w, n)
			default:
				place(w, n)
			}
		}
	}
	if !empty || len(out) == 0 {
		out = append(out, cur)
	}
	return out
}

// layoutCode lays out a span to paste at column indent: on one line when
// it fits within limit, moved left when only that makes it fit, and only
// when it is longer than limit broken at blanks, with continuation lines
// two columns further in.
func layoutCode(indent, limit int, code string) []laidLine {
	n := utf8.RuneCountInString(code)
	if indent+n <= limit || n > limit && !strings.Contains(code, " ") {
		if indent+n > limit {
			indent = 0
		}
		return []laidLine{{indent: indent, text: code, code: true}}
	}
	if n <= limit {
		return []laidLine{{indent: limit - n, text: code, code: true}}
	}
	lines := layout(indent, indent+2, limit, code, false)
	if lines[0].text == "" {
		lines = lines[1:]
	}
	for i := range lines {
		lines[i].code = true
	}
	return lines
}
