// Package clip shortens text for messages. Host names, server messages and
// file contents reach it from hostile places, so it cuts on a character
// boundary and never leaves half a UTF-8 sequence behind.
package clip

import "unicode/utf8"

// String returns s when it has at most n bytes, else its longest prefix of
// whole characters within n bytes followed by "…". Invalid UTF-8 in the
// kept prefix is left as it is: the caller quotes or escapes what it
// prints.
func String(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
