package report

import (
	"io"
	"strings"
)

// Error writes a diagnostic to w (stderr): one `error: ...` line, then one
// `hint: ...` line when hint is not empty. The CLI uses it for input it
// could not act on (exit code 3), where there is no report to carry the
// message. Both are flattened to one line each so scripts can grep them;
// a nil err writes nothing. Write errors are ignored: this is the last
// thing a failing program says, and there is nowhere left to report them.
func Error(w io.Writer, err error, hint string, color bool) {
	if err == nil {
		return
	}
	p := newPalette(color)
	var b strings.Builder
	b.WriteString(paint(p.errLabel, "error:") + " " + oneLine(err.Error()) + "\n")
	if h := oneLine(hint); h != "" {
		b.WriteString(paint(p.hint, "hint: "+h) + "\n")
	}
	_, _ = io.WriteString(w, b.String())
}
