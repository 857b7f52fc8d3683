package checks

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
)

// peerKind is what the peer did when a step after the handshake failed
// without a FAILURE: the suffix of the failing check's code (see
// peerCodes), so every check that talks Bolt names these outcomes alike.
type peerKind string

const (
	peerSilent     peerKind = "server_silent"      // nothing came back in time
	peerStalled    peerKind = "server_stalled"     // part of an answer, then nothing
	peerNotReading peerKind = "server_not_reading" // a request could not be written in time
	peerReset      peerKind = "server_reset"
	peerClosed     peerKind = "server_closed"
	peerTooLarge   peerKind = "answer_too_large"
	peerProtocol   peerKind = "protocol_violation"
	peerOther      peerKind = "connection_failed"
)

// code is check's code for k, e.g. "auth.server_silent".
func (k peerKind) code(check string) string { return check + "." + string(k) }

// peerCodes documents the codes of peerFailure for check, whose requests
// are what (e.g. "the login"). None waits: a server that stops answering
// after the handshake has already shown it is up.
func peerCodes(check, what string) []Code {
	docs := []struct {
		kind peerKind
		doc  string
	}{
		{peerSilent, "nothing came back to " + what + " in time: the server went quiet after the handshake"},
		{peerStalled, "the server's answer to " + what + " started, then stalled before the deadline"},
		{peerNotReading, "the server stopped reading: " + what + " could not be sent in time"},
		{peerReset, "the server reset the connection during " + what},
		{peerClosed, "the server closed the connection during " + what},
		{peerTooLarge, "the server's answer to " + what + " is larger than neo4j-doctor accepts"},
		{peerProtocol, "the server's answer to " + what + " breaks the Bolt protocol"},
		{peerOther, "the connection failed during " + what + " for another reason"},
	}
	out := make([]Code, len(docs))
	for i, d := range docs {
		out[i] = Code{ID: d.kind.code(check), Doc: d.doc}
	}
	return out
}

// peerFailure turns an error that is not a server FAILURE, met after the
// handshake (HELLO, LOGON, RUN, ...), into a summary that says what the peer
// did, a hint, and the kind of failure, which names the result's code.
func peerFailure(t *Target, step string, err error) (summary string, hints []string, kind peerKind) {
	port := fmt.Sprint(t.Port)
	notNeo4j := "a server that is not Neo4j, or a proxy that corrupts Bolt, answers on port " + port + ": check what listens there (Neo4j's debug.log, the proxy's upstream)"
	switch {
	case errors.Is(err, bolt.ErrSilent):
		return fmt.Sprintf("the server stopped answering: nothing came back to %s in %s", step, t.Timeout),
			[]string{"the server accepted the Bolt handshake and then went quiet: it is overloaded or stuck, or a proxy stops forwarding after the handshake; check the server's debug.log, or retry with a longer --timeout"}, peerSilent
	case errors.Is(err, bolt.ErrStalled):
		return fmt.Sprintf("the server's answer to %s stalled: %s", step, causeOf(err)),
			[]string{"the server sent part of an answer and then stopped, or trickles it a byte at a time: an overloaded server, or a proxy or tarpit in between; check the server's debug.log, or retry with a longer --timeout"}, peerStalled
	case errors.Is(err, bolt.ErrNotReading):
		return fmt.Sprintf("the server stopped reading: the %s request could not be sent in %s", step, t.Timeout),
			[]string{"the connection is half-open: the server (or a proxy or NAT in between) keeps it but no longer reads; check that the server is alive, and the idle timeouts of firewalls and load balancers"}, peerNotReading
	case errors.Is(err, bolt.ErrReset):
		return "the server reset the connection during " + step,
			[]string{"the server (or a firewall in between) reset the connection: check the server's debug.log for the reason"}, peerReset
	case errors.Is(err, bolt.ErrClosed):
		return "the server closed the connection during " + step,
			[]string{"the server closed the connection during " + step + ": check its logs (debug.log) for the reason"}, peerClosed
	case errors.Is(err, bolt.ErrResultTooLarge):
		return "the server's answer to " + step + " is larger than neo4j-doctor accepts",
			[]string{"a trivial query got a huge answer: " + notNeo4j}, peerTooLarge
	case errors.Is(err, bolt.ErrProtocol):
		return fmt.Sprintf("the server's answer to %s breaks the Bolt protocol: it %s", step, protocolBreach(err)),
			[]string{notNeo4j}, peerProtocol
	}
	return "the connection failed during " + step, []string{"check the server's logs (debug.log)"}, peerOther
}

// notePeerBytes adds to res's evidence the bytes a *bolt.PeerError quotes
// (what the peer sent instead of a valid answer; bolt has masked the
// password in them), when there are any.
func (res *Result) notePeerBytes(err error) {
	var pe *bolt.PeerError
	if errors.As(err, &pe) && len(pe.Bytes) > 0 {
		res.Evidence = append(res.Evidence, Fact{Name: "received", Value: hexBytes(pe.Bytes)})
	}
}

// protocolBreach says in words what a peer did that broke the protocol.
func protocolBreach(err error) string {
	var de *packstream.DecodeError
	switch {
	case errors.Is(err, bolt.ErrMessageTooLarge):
		return "sent a message larger than the limit (" + strings.TrimPrefix(causeOf(err), bolt.ErrMessageTooLarge.Error()+": ") + ")"
	case errors.Is(err, bolt.ErrNoopFlood):
		return "sent nothing but a flood of NOOP keep-alives"
	case errors.Is(err, bolt.ErrUnexpectedMessage):
		return "sent " + strings.TrimPrefix(causeOf(err), bolt.ErrUnexpectedMessage.Error()+": ")
	case errors.As(err, &de) && errors.Is(err, packstream.ErrTooDeep):
		return fmt.Sprintf("sent values nested too deep (%s, at byte %d)", de.Detail, de.Offset)
	case errors.As(err, &de) && errors.Is(err, packstream.ErrTooLarge):
		return fmt.Sprintf("sent a value that claims too much (%s, at byte %d)", de.Detail, de.Offset)
	case errors.As(err, &de) && errors.Is(err, packstream.ErrTruncated):
		return fmt.Sprintf("sent a value that claims more than the message holds (%s, at byte %d)", de.Detail, de.Offset)
	case errors.As(err, &de):
		return fmt.Sprintf("sent bytes that are not PackStream (%v)", de.Err)
	}
	return "sent " + causeOf(err)
}

// peerStep is the request a *bolt.PeerError failed on, else def.
func peerStep(err error, def string) string {
	var pe *bolt.PeerError
	if errors.As(err, &pe) && pe.Step != "" {
		return pe.Step
	}
	return def
}

// causeOf is the underlying error of a *bolt.PeerError, in words.
func causeOf(err error) string {
	var pe *bolt.PeerError
	if errors.As(err, &pe) && pe.Cause != nil {
		return pe.Cause.Error()
	}
	return err.Error()
}

// answered quotes the start of what a non-Bolt peer sent, as text when it
// is a banner, else as hex.
func answered(err error) string {
	var pe *bolt.PeerError
	if !errors.As(err, &pe) || len(pe.Bytes) == 0 {
		return ""
	}
	b := pe.Bytes[:min(len(pe.Bytes), 16)]
	if text := strings.TrimSpace(string(b)); isPrintable(b) && text != "" {
		return fmt.Sprintf(": it answered %q", text)
	}
	return fmt.Sprintf(": it answered % X", b)
}

// receivedEvidence is what a server answered instead of the protocol
// asked for: in words, `"HTTP/1.1 400 Bad Request" (128 bytes)`, and,
// for --verbose, in hex; nothing when it answered nothing.
func receivedEvidence(b []byte) []Fact {
	if len(b) == 0 {
		return nil
	}
	words := describeBytes(b)
	ev := []Fact{{Name: "received", Value: words}}
	if hex := hexBytes(b); hex != words {
		ev = append(ev, Fact{Name: "received (hex)", Value: hex, Verbose: true})
	}
	return ev
}

// describeBytes says what b is: the first line of a text answer, quoted;
// a TLS record by its type; else the bytes in hex, the first 16 of them.
// Each with its length, unless the hex already shows it.
func describeBytes(b []byte) string {
	line := b
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		line = b[:i]
	}
	if len(line) >= 3 && isPrintable(line) {
		text := string(line)
		if len(text) > 60 {
			text = text[:60] + "…"
		}
		return fmt.Sprintf("%q (%d bytes)", text, len(b))
	}
	if len(b) >= 3 && b[0] >= 0x14 && b[0] <= 0x17 && b[1] == 3 {
		kind := [...]string{"change cipher spec", "alert", "handshake", "application data"}[b[0]-0x14]
		return fmt.Sprintf("a TLS %s record (%d bytes)", kind, len(b))
	}
	if len(b) <= 16 {
		return hexBytes(b)
	}
	return fmt.Sprintf("% X … (%d bytes)", b[:16], len(b))
}

func isPrintable(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 || c > 0x7E) && c != '\r' && c != '\n' && c != '\t' {
			return false
		}
	}
	return true
}

// Bounds of a server value rendered as evidence: enough for any metadata
// or record Neo4j sends a health check, never a hostile server's megabyte.
const (
	maxValueText  = 512 // characters of the whole rendering
	maxValueStr   = 120 // characters of one string
	maxValueItems = 64  // entries of one map or list
	maxValueDepth = 8
)

// masked stands in for the password wherever a server echoed it.
const masked = "******"

// serverValue renders a value the server sent (metadata, records) for
// evidence, compactly: JSON-like, map keys unquoted and sorted, cut
// short (with "…") past the bounds above, and with secret, the password,
// masked wherever it appears, as bolt's transcript masks it.
func serverValue(v any, secret string) string {
	w := valueWriter{secret: secret}
	w.value(v, 0)
	s := w.b.String()
	if len(s) > maxValueText {
		s = strings.ToValidUTF8(s[:maxValueText], "") + "…"
	}
	return s
}

type valueWriter struct {
	b      strings.Builder
	secret string
}

// mask hides the password in s: whole when s is the password, and as a
// substring when it is long enough not to match ordinary text (bolt's
// transcript uses the same bound).
func (w *valueWriter) mask(s string) string {
	switch {
	case w.secret == "":
		return s
	case s == w.secret:
		return masked
	case len(w.secret) >= 4:
		return strings.ReplaceAll(s, w.secret, masked)
	}
	return s
}

func (w *valueWriter) str(s string) {
	s = w.mask(s) // before clipping, which could leave part of it
	if len(s) > maxValueStr {
		s = strings.ToValidUTF8(s[:maxValueStr], "") + "…"
	}
	w.b.WriteString(strconv.Quote(s))
}

func (w *valueWriter) full() bool { return w.b.Len() > maxValueText }

func (w *valueWriter) value(v any, depth int) {
	if w.full() || depth > maxValueDepth {
		w.b.WriteString("…")
		return
	}
	switch x := v.(type) {
	case nil:
		w.b.WriteString("null")
	case bool:
		w.b.WriteString(strconv.FormatBool(x))
	case int64:
		w.b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		w.b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case string:
		w.str(x)
	case []byte:
		fmt.Fprintf(&w.b, "bytes(%d)", len(x))
	case [][]any:
		list := make([]any, min(len(x), maxValueItems+1))
		for i := range list {
			list[i] = x[i]
		}
		w.list(list, len(x), depth)
	case []any:
		w.list(x, len(x), depth)
	case map[string]any:
		w.dict(x, depth)
	case *packstream.Struct:
		fmt.Fprintf(&w.b, "Struct(0x%02X)", x.Tag)
		w.list(x.Fields, len(x.Fields), depth)
	case packstream.Struct:
		w.value(&x, depth)
	default:
		fmt.Fprintf(&w.b, "(%T)", x)
	}
}

// list writes the first entries of l, which holds n in all.
func (w *valueWriter) list(l []any, n, depth int) {
	w.b.WriteByte('[')
	for i, e := range l {
		if i > 0 {
			w.b.WriteString(", ")
		}
		if i == maxValueItems || w.full() {
			fmt.Fprintf(&w.b, "… (%d in all)", n)
			break
		}
		w.value(e, depth+1)
	}
	w.b.WriteByte(']')
}

func (w *valueWriter) dict(m map[string]any, depth int) {
	if len(m) > maxValueItems {
		// Sorting a hostile million-key map for one line is not worth it.
		fmt.Fprintf(&w.b, "{%d entries}", len(m))
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w.b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			w.b.WriteString(", ")
		}
		if w.full() {
			w.b.WriteString("…")
			break
		}
		if plainKey(k) && w.mask(k) == k {
			w.b.WriteString(k)
		} else {
			w.str(k)
		}
		w.b.WriteString(": ")
		if k == "credentials" && m[k] != nil {
			w.b.WriteString(strconv.Quote(masked))
			continue
		}
		w.value(m[k], depth+1)
	}
	w.b.WriteByte('}')
}

// plainKey: k reads unquoted (metadata keys: server, connection_id, ...);
// anything else is quoted, so a hostile key cannot pass for two or carry
// control characters into a report.
func plainKey(k string) bool {
	if k == "" || len(k) > maxValueStr {
		return false
	}
	for _, c := range k {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
