package checks

// Unit tests of peerFailure and serverValue, and the helpers the bolt,
// auth and query judge tests share (judge_bolt_test.go,
// judge_auth_test.go, judge_query_test.go). Helpers are prefixed baq so
// that they cannot collide with those of other internal test files.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
)

// baqPassword is every test target's password: no evidence may hold it.
const baqPassword = "Canary-Secret-9f3"

func baqTarget() *Target {
	return &Target{Scheme: "bolt", Host: "db.example.com", Port: 7687, Username: "neo4j", Password: baqPassword, Timeout: 5 * time.Second}
}

// baqWant is what a user sees of one judged outcome: status, code, and a
// phrase of the summary and of the first hint ("" for none expected).
type baqWant struct {
	status  Status
	code    string
	summary string
	hint    string
}

// baqCheck asserts res against w, and that a pass has no code and any
// other status one.
func baqCheck(t *testing.T, res Result, w baqWant) {
	t.Helper()
	if res.Status != w.status || res.Code != w.code {
		t.Errorf("status %s code %q, want %s %q (summary %q)", res.Status, res.Code, w.status, w.code, res.Summary)
	}
	if !strings.Contains(res.Summary, w.summary) {
		t.Errorf("summary %q does not say %q", res.Summary, w.summary)
	}
	switch {
	case w.hint == "" && len(res.Hints) > 0 && res.Status == Pass:
		t.Errorf("a pass with hints %q", res.Hints)
	case w.hint != "" && len(res.Hints) == 0:
		t.Errorf("no hint, want one saying %q", w.hint)
	case w.hint != "" && !strings.Contains(res.Hints[0], w.hint):
		t.Errorf("first hint %q does not say %q", res.Hints[0], w.hint)
	}
	if (res.Status == Pass) != (res.Code == "") {
		t.Errorf("status %s with code %q: a pass has no code, anything else one", res.Status, res.Code)
	}
	for _, fs := range [][]Fact{res.Facts, res.Evidence} {
		for _, f := range fs {
			if strings.Contains(f.Value, baqPassword) || strings.Contains(f.Name, baqPassword) {
				t.Errorf("the password is in %s = %q", f.Name, f.Value)
			}
		}
	}
}

// baqCodes checks check's declared codes (named <check>.<outcome>, each
// once, each documented, exactly those in wait waiting) against seen,
// the codes its judge tests produced: every declared code must be
// covered, and nothing undeclared produced.
func baqCodes(t *testing.T, check Check, seen map[string]bool, wait []string) {
	t.Helper()
	form := regexp.MustCompile(`^` + check.ID + `\.[a-z][a-z0-9_]*[a-z0-9]$`)
	declared := map[string]bool{}
	var waits []string
	for _, c := range check.Codes {
		if !form.MatchString(c.ID) {
			t.Errorf("code %q is not %s.<outcome> in lower case with underscores", c.ID, check.ID)
		}
		if declared[c.ID] {
			t.Errorf("code %q declared twice", c.ID)
		}
		declared[c.ID] = true
		if strings.TrimSpace(c.Doc) == "" || strings.Contains(c.Doc, "\n") {
			t.Errorf("code %q: Doc %q is not one line", c.ID, c.Doc)
		}
		if c.Wait {
			waits = append(waits, c.ID)
		}
		if !seen[c.ID] {
			t.Errorf("code %q is declared but no test case produces it", c.ID)
		}
	}
	for c := range seen {
		if c != "" && !declared[c] {
			t.Errorf("code %q is produced but not declared in %s's Codes", c, check.ID)
		}
	}
	slices.Sort(waits)
	slices.Sort(wait)
	if !slices.Equal(waits, wait) {
		t.Errorf("codes that wait: %q, want %q", waits, wait)
	}
}

// baqWaits is the --wait rule the codes stand for: the code's Wait flag,
// or a Neo.TransientError FAILURE.
func baqWaits(check Check, res Result) bool {
	var se *bolt.ServerError
	if errors.As(res.Err, &se) && strings.HasPrefix(se.Code, "Neo.TransientError.") {
		return true
	}
	for _, c := range check.Codes {
		if c.ID == res.Code {
			return c.Wait
		}
	}
	return false
}

// baqLegacyWaits is the --wait rule for a failing bolt, auth or query
// result as checks/wait.go had it before codes, reading strings: kept
// here so the codes are held to it after wait.go moves to them.
func baqLegacyWaits(res Result) bool {
	res = normalise(res)
	lookup := func(name string) string {
		for _, f := range res.Evidence {
			if f.Name == name {
				return f.Value
			}
		}
		return ""
	}
	if strings.HasPrefix(lookup("code"), "Neo.TransientError.") {
		return true
	}
	if res.ID != "bolt" || lookup("received") != "" {
		return false
	}
	for _, e := range []error{bolt.ErrSilent, bolt.ErrClosed, bolt.ErrReset} {
		if strings.Contains(res.Error, e.Error()) {
			return !strings.Contains(res.Summary, "requires TLS")
		}
	}
	return false
}

// baqSameWait asserts that res's code waits exactly when the rule of
// before codes would have waited.
func baqSameWait(t *testing.T, check Check, res Result) {
	t.Helper()
	if res.Status != Fail {
		return
	}
	res.ID = check.ID
	if got, want := baqWaits(check, res), baqLegacyWaits(res); got != want {
		t.Errorf("code %q waits: %v; the rule before codes: %v", res.Code, got, want)
	}
}

func baqEvidence(res Result, name string) (string, bool) {
	for _, f := range res.Evidence {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

func baqFact(res Result, name string) string {
	for _, f := range res.Facts {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func TestPeerFailure(t *testing.T) {
	tt := baqTarget()
	pe := func(step string, sentinel error, cause error) error {
		return &bolt.PeerError{Step: step, Err: sentinel, Cause: cause}
	}
	cases := []struct {
		name    string
		err     error
		kind    peerKind
		summary string
		hint    string
	}{
		{"silent", pe("LOGON", bolt.ErrSilent, nil), peerSilent, "nothing came back to LOGON in 5s", "went quiet"},
		{"stalled", pe("RUN", bolt.ErrStalled, errors.New("12 bytes of the answer arrived, then nothing")), peerStalled, "answer to RUN stalled: 12 bytes of the answer arrived", "trickles"},
		{"not reading", pe("HELLO", bolt.ErrNotReading, nil), peerNotReading, "the HELLO request could not be sent in 5s", "half-open"},
		{"reset", pe("HELLO", bolt.ErrReset, nil), peerReset, "reset the connection during HELLO", "firewall"},
		{"closed", pe("LOGON", bolt.ErrClosed, nil), peerClosed, "closed the connection during LOGON", "debug.log"},
		{"closed behind an earlier failure", fmt.Errorf("bolt: RUN: connection unusable after an earlier failure: %w", pe("PULL", bolt.ErrClosed, nil)), peerClosed, "closed the connection during PULL", "during PULL"},
		{"too large", pe("PULL", bolt.ErrResultTooLarge, nil), peerTooLarge, "answer to PULL is larger than neo4j-doctor accepts", "huge answer"},
		{"message too large", pe("PULL", bolt.ErrProtocol, fmt.Errorf("%w: over 1048576 bytes", bolt.ErrMessageTooLarge)), peerProtocol, "it sent a message larger than the limit (over 1048576 bytes)", "port 7687"},
		{"noop flood", pe("HELLO", bolt.ErrProtocol, fmt.Errorf("%w: over 1000 in a row", bolt.ErrNoopFlood)), peerProtocol, "a flood of NOOP keep-alives", "not Neo4j"},
		{"unexpected message", pe("HELLO", bolt.ErrProtocol, fmt.Errorf("%w: RECORD where the answer to HELLO was due", bolt.ErrUnexpectedMessage)), peerProtocol, "it sent RECORD where the answer to HELLO was due", "not Neo4j"},
		{"too deep", pe("RUN", bolt.ErrProtocol, &packstream.DecodeError{Offset: 40, Err: packstream.ErrTooDeep, Detail: "depth 65"}), peerProtocol, "nested too deep (depth 65, at byte 40)", "not Neo4j"},
		{"claims too much", pe("RUN", bolt.ErrProtocol, &packstream.DecodeError{Offset: 3, Err: packstream.ErrTooLarge, Detail: "list of 1e9"}), peerProtocol, "claims too much (list of 1e9, at byte 3)", "not Neo4j"},
		{"truncated", pe("RUN", bolt.ErrProtocol, &packstream.DecodeError{Offset: 9, Err: packstream.ErrTruncated, Detail: "string of 50"}), peerProtocol, "claims more than the message holds (string of 50, at byte 9)", "not Neo4j"},
		{"not packstream", pe("RUN", bolt.ErrProtocol, &packstream.DecodeError{Err: packstream.ErrReservedMarker}), peerProtocol, "not PackStream (packstream: reserved marker)", "not Neo4j"},
		{"other protocol", pe("ROUTE", bolt.ErrProtocol, errors.New("SUCCESS without an rt map")), peerProtocol, "it sent SUCCESS without an rt map", "not Neo4j"},
		{"ignored", pe("RUN", bolt.ErrIgnored, nil), peerOther, "the connection failed during RUN", "debug.log"},
		{"ours", context.Canceled, peerOther, "the connection failed during RUN", "debug.log"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			summary, hints, kind := peerFailure(tt, peerStep(c.err, "RUN"), c.err)
			if kind != c.kind {
				t.Errorf("kind %q, want %q", kind, c.kind)
			}
			if !strings.Contains(summary, c.summary) {
				t.Errorf("summary %q does not say %q", summary, c.summary)
			}
			if len(hints) == 0 || !strings.Contains(hints[0], c.hint) {
				t.Errorf("hints %q, want the first to say %q", hints, c.hint)
			}
		})
	}
}

// Every kind peerFailure returns has a code per check, documented, and
// none waits.
func TestPeerCodes(t *testing.T) {
	kinds := []peerKind{peerSilent, peerStalled, peerNotReading, peerReset, peerClosed, peerTooLarge, peerProtocol, peerOther}
	codes := peerCodes("auth", "the login")
	if len(codes) != len(kinds) {
		t.Fatalf("%d codes for %d kinds", len(codes), len(kinds))
	}
	for i, k := range kinds {
		c := codes[i]
		if c.ID != "auth."+string(k) || c.ID != k.code("auth") || c.Wait || !strings.Contains(c.Doc, "the login") {
			t.Errorf("code %+v for kind %q", c, k)
		}
	}
}

func TestServerValue(t *testing.T) {
	long := strings.Repeat("x", 300)
	many := map[string]any{}
	for i := range 100 {
		many[fmt.Sprintf("k%03d", i)] = int64(i)
	}
	deep := any(int64(1))
	for range 20 {
		deep = []any{deep}
	}
	var rows [][]any
	for i := range 100 {
		rows = append(rows, []any{int64(i)})
	}
	cases := []struct {
		name   string
		v      any
		want   string // exactly, or
		prefix string // the start, for values cut short
	}{
		{name: "metadata", v: map[string]any{"server": "Neo4j/5.26.0", "connection_id": "bolt-3", "credentials_expired": true},
			want: `{connection_id: "bolt-3", credentials_expired: true, server: "Neo4j/5.26.0"}`},
		{name: "logon", v: map[string]any{"credentials_expired": true}, want: `{credentials_expired: true}`},
		{name: "empty map", v: map[string]any{}, want: `{}`},
		{name: "scalars", v: []any{nil, false, int64(-3), 1.5, []byte{1, 2}, "a\"b\n"}, want: `[null, false, -3, 1.5, bytes(2), "a\"b\n"]`},
		{name: "records", v: [][]any{{int64(2)}, {"x", []any{int64(1)}}}, want: `[[2], ["x", [1]]]`},
		{name: "no records", v: [][]any{}, want: `[]`},
		{name: "odd key", v: map[string]any{"a b\n": int64(1)}, want: `{"a b\n": 1}`},
		{name: "struct", v: &packstream.Struct{Tag: 0x4E, Fields: []any{int64(7)}}, want: `Struct(0x4E)[7]`},
		{name: "unknown type", v: struct{}{}, want: `(struct {})`},
		{name: "long string", v: long, want: `"` + strings.Repeat("x", maxValueStr) + `…"`},
		{name: "wide map", v: many, want: `{100 entries}`},
		{name: "deep list", v: deep, prefix: `[[[[[[[[[…]]]]]]]]]`},
		{name: "many records", v: rows, prefix: `[[0], [1], [2]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := serverValue(c.v, baqPassword)
			switch {
			case c.want != "" && got != c.want:
				t.Errorf("got  %s\nwant %s", got, c.want)
			case c.prefix != "" && !strings.HasPrefix(got, c.prefix):
				t.Errorf("got %s, want it to start %s", got, c.prefix)
			}
			if len(got) > maxValueText+len("…") {
				t.Errorf("%d characters, over the bound %d", len(got), maxValueText)
			}
		})
	}
	if got := serverValue(rows, ""); !strings.Contains(got, "(100 in all)") && !strings.HasSuffix(got, "…") {
		t.Errorf("100 records rendered as %s: the cut is not said", got)
	}
}

// The password never shows, wherever a server puts it back.
func TestServerValueMasksThePassword(t *testing.T) {
	for _, secret := range []string{baqPassword, "abc"} {
		v := map[string]any{
			"credentials":       "anything",
			"echo":              secret,
			"note":              "your password " + secret + " has expired",
			secret:              "a key",
			"list":              []any{secret, strings.Repeat("y", 110) + secret},
			"credentials_nulls": nil,
		}
		got := serverValue(v, secret)
		if strings.Contains(got, `"anything"`) || strings.Contains(got, `echo: "`+secret) {
			t.Errorf("secret %q: %s", secret, got)
		}
		if len(secret) >= 4 && strings.Contains(got, secret) {
			t.Errorf("the password is in %s", got)
		}
		if !strings.Contains(got, `echo: "******"`) || !strings.Contains(got, `credentials: "******"`) {
			t.Errorf("secret %q: %s does not mask the password as ******", secret, got)
		}
	}
	// Clipping a long string must not leave the start of the password.
	got := serverValue(strings.Repeat("y", maxValueStr-5)+baqPassword, baqPassword)
	if strings.Contains(got, baqPassword[:5]) {
		t.Errorf("the start of the password is in %s", got)
	}
}

// TestDescribeBytes: what a server answered instead of the protocol is
// said in words where it has words (issue 19: http-port's evidence is
// `received: "HTTP/1.1 400 Bad Request" (128 bytes)`), and in hex, short,
// where it has none.
func TestDescribeBytes(t *testing.T) {
	long := make([]byte, 40)
	for i := range long {
		long[i] = byte(i)
	}
	for _, c := range []struct {
		in   []byte
		want string
	}{
		{[]byte("HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<h1>"), `"HTTP/1.1 400 Bad Request" (57 bytes)`},
		{[]byte("SSH-2.0-OpenSSH_9.6\r\n"), `"SSH-2.0-OpenSSH_9.6" (21 bytes)`},
		{[]byte(strings.Repeat("a", 70)), `"` + strings.Repeat("a", 60) + `…" (70 bytes)`},
		{[]byte{0x15, 3, 3, 0, 2, 2, 70}, "a TLS alert record (7 bytes)"},
		{[]byte{0x16, 3, 1, 0, 0x5C}, "a TLS handshake record (5 bytes)"},
		{[]byte{0, 0, 0, 0}, "00 00 00 00"},
		{[]byte("ok"), "6F 6B"},
		{long, "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F … (40 bytes)"},
	} {
		if got := describeBytes(c.in); got != c.want {
			t.Errorf("describeBytes(% X) = %s, want %s", c.in, got, c.want)
		}
	}
	if ev := receivedEvidence(nil); ev != nil {
		t.Errorf("nothing received: evidence %v", ev)
	}
	ev := receivedEvidence([]byte("HTTP/1.1 400 Bad Request\r\n"))
	if len(ev) != 2 || ev[0].Name != "received" || ev[0].Verbose || ev[1].Name != "received (hex)" || !ev[1].Verbose {
		t.Errorf("evidence %+v: want the words, then the hex for --verbose", ev)
	}
	if ev := receivedEvidence([]byte{0, 0, 0, 0}); len(ev) != 1 || ev[0].Value != "00 00 00 00" {
		t.Errorf("evidence %+v: hex that is its own words is said once", ev)
	}
}
