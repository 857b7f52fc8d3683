package checks

import (
	"errors"
	"fmt"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
)

// peerFailure turns an error that is not a server FAILURE, met after the
// handshake (HELLO, LOGON, RUN, ...), into a summary that says what the peer
// did and a hint. silent is true when nothing (or not enough) came back in
// time, which the exit code reports as no response.
func peerFailure(t *Target, step string, err error) (summary string, hints []string, silent bool) {
	port := fmt.Sprint(t.Port)
	notNeo4j := "a server that is not Neo4j, or a proxy that corrupts Bolt, answers on port " + port + ": check what listens there (Neo4j's debug.log, the proxy's upstream)"
	switch {
	case errors.Is(err, bolt.ErrSilent):
		return fmt.Sprintf("the server stopped answering: nothing came back to %s in %s", step, t.Timeout),
			[]string{"the server accepted the Bolt handshake and then went quiet: it is overloaded or stuck, or a proxy stops forwarding after the handshake; check the server's debug.log, or retry with a longer --timeout"}, true
	case errors.Is(err, bolt.ErrStalled):
		return fmt.Sprintf("the server's answer to %s stalled: %s", step, causeOf(err)),
			[]string{"the server sent part of an answer and then stopped, or trickles it a byte at a time: an overloaded server, or a proxy or tarpit in between; check the server's debug.log, or retry with a longer --timeout"}, true
	case errors.Is(err, bolt.ErrNotReading):
		return fmt.Sprintf("the server stopped reading: the %s request could not be sent in %s", step, t.Timeout),
			[]string{"the connection is half-open: the server (or a proxy or NAT in between) keeps it but no longer reads; check that the server is alive, and the idle timeouts of firewalls and load balancers"}, true
	case errors.Is(err, bolt.ErrReset):
		return "the server reset the connection during " + step,
			[]string{"the server (or a firewall in between) reset the connection: check the server's debug.log for the reason"}, false
	case errors.Is(err, bolt.ErrClosed):
		return "the server closed the connection during " + step,
			[]string{"the server closed the connection during " + step + ": check its logs (debug.log) for the reason"}, false
	case errors.Is(err, bolt.ErrResultTooLarge):
		return "the server's answer to " + step + " is larger than neo4j-doctor accepts",
			[]string{"a trivial query got a huge answer: " + notNeo4j}, false
	case errors.Is(err, bolt.ErrProtocol):
		return fmt.Sprintf("the server's answer to %s breaks the Bolt protocol: it %s", step, protocolBreach(err)),
			[]string{notNeo4j}, false
	}
	return "the connection failed during " + step, []string{"check the server's logs (debug.log)"}, false
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

func isPrintable(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 || c > 0x7E) && c != '\r' && c != '\n' && c != '\t' {
			return false
		}
	}
	return true
}
