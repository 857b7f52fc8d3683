package report

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// clean makes text that may have come from the network safe for a terminal.
// Control characters other than newline (escape, carriage return, backspace,
// ...) and bidirectional overrides are shown as \x.. / \u.... escapes so a
// server message or certificate field cannot move the cursor, recolour the
// screen or reorder what the user reads. Newlines are kept; the renderers
// indent continuation lines.
func clean(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case !unsafeRune(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	if r == '\n' {
		return false
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

// oneLine is clean for places that promise a single line (error: and hint:
// diagnostics): line breaks become "; ".
func oneLine(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	return clean(strings.ReplaceAll(s, "\n", "; "))
}

// redactURI drops a password from a URI's user info. checks/ promises
// TargetInfo.URI is already stripped; doing it again here is defence in
// depth, because a leaked password in a pasted report is not recoverable.
// The user name stays: it is shown anyway and helps the diagnosis.
func redactURI(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, has := u.User.Password(); !has {
		return s
	}
	u.User = url.User(u.User.Username())
	return u.String()
}

// secretKey says whether a setting's value must never be rendered. It is
// wider than "password" on purpose: a future "token" or "client-secret"
// setting should be hidden without anyone remembering to update this file.
func secretKey(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"password", "passwd", "secret", "token", "credential"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
