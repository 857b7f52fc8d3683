package bolt

import (
	"errors"
	"fmt"
	"strings"
)

// What the peer did instead of speaking Bolt. checks/ turns each into a hint;
// PeerError carries the bytes that prove it. The texts reach reports (a
// result's error), so they call the peer "the server", as reports do.
var (
	ErrHTTP        = errors.New("the server answered HTTP, not Bolt")
	ErrTLSRequired = errors.New("the server answered with a TLS record: the port expects TLS")
	ErrClosed      = errors.New("the server closed the connection without answering")
	ErrReset       = errors.New("the server reset the connection")
	ErrSilent      = errors.New("the server sent nothing before the deadline")
	// The peer began an answer and then stopped sending, or sent it so
	// slowly (a byte at a time) that it did not finish before the deadline.
	ErrStalled = errors.New("the server started to answer, then stalled before the deadline")
	// A write did not finish before the deadline: the peer stopped reading
	// (its receive window stayed full), as a half-open connection does.
	ErrNotReading      = errors.New("the server stopped reading: a write did not finish before the deadline")
	ErrNotBolt         = errors.New("the server is not a Bolt server")
	ErrNoCommonVersion = errors.New("the server accepted none of the proposed Bolt versions")
	ErrBadVersion      = errors.New("the server chose a Bolt version that was not proposed")
	// The server picked a version inside a proposed range that this client
	// does not speak (e.g. 5.5); distinct from ErrBadVersion because the
	// server did nothing wrong.
	ErrUnsupportedVersion = errors.New("the server chose a Bolt version this client does not implement")
	ErrBadManifest        = errors.New("the server sent a malformed handshake manifest")
	ErrProtocol           = errors.New("the server broke the Bolt protocol")
	// ErrUnexpectedMessage is the cause of an ErrProtocol when a message
	// arrived that cannot answer the request (RECORD before SUCCESS, an
	// undefined tag, a SUCCESS without its one metadata map).
	ErrUnexpectedMessage = errors.New("unexpected message")
	// IGNORED: the server is in its FAILED state because an earlier request
	// in the same pipeline failed.
	ErrIgnored = errors.New("the server ignored the request after an earlier failure")
	// A result had more records or bytes than Options allow.
	ErrResultTooLarge = errors.New("the result is larger than the limit")
)

// PeerError is a failure whose evidence is the raw bytes the peer sent
// (or the lack of them).
type PeerError struct {
	Step  string // "handshake", "HELLO", "ROUTE", ...
	Err   error  // one of the sentinels above
	Bytes []byte // what arrived, at most a few hundred bytes
	Cause error  // the underlying I/O or decoding error, if any
}

func (e *PeerError) Error() string {
	s := fmt.Sprintf("%s: %v", e.Step, e.Err)
	if len(e.Bytes) > 0 {
		s += fmt.Sprintf(" (received % X)", e.Bytes)
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

func (e *PeerError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

// Hex returns the evidence bytes as lower-case hex pairs separated by spaces.
func (e *PeerError) Hex() string {
	return fmt.Sprintf("% x", e.Bytes)
}

// ServerError is a FAILURE the server sent.
type ServerError struct {
	Request     string // the request it answered: "HELLO", "LOGON", "ROUTE", "RUN", ...
	Code        string // neo4j_code, else code
	Message     string
	GQLStatus   string
	Description string
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("%s failed: %s: %s", e.Request, e.Code, e.Message)
}

// Transient reports whether the server classes the failure as transient
// (Neo.TransientError.*): the same request may succeed later.
func (e *ServerError) Transient() bool {
	return strings.HasPrefix(e.Code, "Neo.TransientError.")
}
