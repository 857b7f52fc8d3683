package bolt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// Evidence bounds: enough for an HTTP status line, a TLS alert or a service
// banner, never enough to matter for memory.
const (
	maxEvidence   = 128
	maxTLSPayload = 32
)

// looksTLS matches the first two bytes of a TLS alert (15) or handshake (16)
// record; every TLS version since SSL 3.0 starts its record version with 03.
func looksTLS(b []byte) bool {
	return len(b) >= 2 && (b[0] == 0x15 || b[0] == 0x16) && b[1] == 0x03
}

// printable reports whether b reads as text, i.e. a banner from some other
// line-based service (SSH, SMTP, FTP, Redis errors, ...).
func printable(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if (c < 0x20 || c > 0x7E) && c != '\r' && c != '\n' && c != '\t' {
			return false
		}
	}
	return true
}

// ioSentinel names what an I/O error means about the peer. Deadlines count
// as silence; the caller swaps in the context error when the user cancelled.
func ioSentinel(err error) error {
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		return ErrReset
	case errors.Is(err, os.ErrDeadlineExceeded):
		return ErrSilent
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return ErrClosed
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrSilent
	}
	return ErrClosed
}

// writeSentinel is ioSentinel for a write: a deadline there means the peer
// stopped reading, not that it was silent.
func writeSentinel(err error) error {
	if s := ioSentinel(err); s != ErrSilent {
		return s
	}
	return ErrNotReading
}

// withContext reports a user cancellation as such: the socket only saw a
// deadline in the past, which would otherwise read as a silent peer.
func withContext(ctx context.Context, err error) error {
	if ctx.Err() == nil || !errors.Is(ctx.Err(), context.Canceled) {
		return err
	}
	var pe *PeerError
	if errors.As(err, &pe) && errors.Is(pe.Cause, os.ErrDeadlineExceeded) {
		pe.Err = context.Canceled
	}
	return err
}

// readEvidence reads more of a non-Bolt reply so the report can quote it:
// up to the first newline (text) or want bytes, never past limit. Read
// errors end it quietly; what arrived so far is the evidence.
func readEvidence(r io.Reader, got []byte, want, limit int, line bool) []byte {
	want = min(want, limit)
	buf := make([]byte, limit)
	for len(got) < want {
		if line && bytes.IndexByte(got, '\n') >= 0 {
			break
		}
		n, err := r.Read(buf[:want-len(got)])
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	return got
}
