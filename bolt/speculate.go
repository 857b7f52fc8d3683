package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"time"
)

// SpeculativeProposals offer only 5.8 down to 5.3: every version in that
// range encodes HELLO (with bolt_agent), LOGON and ROUTE byte for byte the
// same, so they can be written before the server has picked one. No
// manifest: its answer needs a choice from the client before HELLO.
var SpeculativeProposals = [4]uint32{Range{Major: 5, Minor: 8, Back: 5}.Uint32()}

// ErrSpeculationRefused: the server did not take HELLO sent together with
// the handshake (it picked a version outside SpeculativeProposals, closed
// or reset the connection, or failed HELLO). The connection is closed; a
// fresh one with Handshake and Hello gives the verdict.
var ErrSpeculationRefused = errors.New("the server did not take HELLO pipelined with the handshake")

// SpeculativeVersion encodes the requests of a speculative flight; any
// version of SpeculativeProposals gives the same bytes.
var SpeculativeVersion = Version{5, 8}

// Speculate writes the magic, SpeculativeProposals and reqs (encoded for
// SpeculativeVersion: HELLO, LOGON, ROUTE, RUN and PULL encode the same in
// every speculative version) in one write, so a healthy server costs one
// round trip for all of them, and reads the handshake's answer. It returns
// a Conn with reqs sent and one Reply per request, in order.
//
// The server may still refuse what came with the handshake: the caller
// judges the login's replies with SpeculationRefused, and falls back to a
// fresh connection (Handshake, then the same requests) when it says so. A
// LOGON failure (wrong password) is the server's verdict, not a refusal,
// so a login is never attempted twice.
//
// When the handshake's answer shows the speculation failed (a version
// outside SpeculativeProposals, a close or reset on the pipelined bytes)
// the error wraps ErrSpeculationRefused and the connection is closed. Any
// other error is the handshake's own verdict, the same a sequential
// Handshake would have reached, since a server judges a connection by its
// first bytes (HTTP, TLS, silence, a non-Bolt answer).
//
// Credentials go out before the server has said anything: call it only
// on a plaintext connection the user chose, or on a TLS connection whose
// certificate was accepted.
func Speculate(ctx context.Context, conn net.Conn, reqs []Request, opts Options) (*Conn, []*Reply, HandshakeResult, error) {
	start := time.Now()
	var hs HandshakeResult
	msgs, err := buildAll(SpeculativeVersion, reqs)
	if err != nil {
		return nil, nil, hs, err
	}
	release, err := bindContext(ctx, conn)
	if err != nil {
		sentinel := ErrClosed
		if ctx.Err() != nil {
			sentinel = ctx.Err()
		}
		return nil, nil, hs, &PeerError{Step: "handshake", Err: sentinel, Cause: err}
	}
	defer release()

	out := append([]byte(nil), Magic[:]...)
	for _, p := range SpeculativeProposals {
		out = binary.BigEndian.AppendUint32(out, p)
	}
	hs.Sent = append([]byte(nil), out...)
	for _, m := range msgs {
		out = AppendMessage(out, m.msg)
	}
	if _, err := conn.Write(out); err != nil {
		hs.Duration = time.Since(start)
		return nil, nil, hs, refused(conn, withContext(ctx, &PeerError{Step: "handshake", Err: writeSentinel(err), Cause: err}))
	}

	p := newReplyParser(ctx, conn, SpeculativeProposals)
	reply, err := p.parse()
	hs.Received = p.got
	hs.Duration = time.Since(start)
	if err != nil {
		err = withContext(ctx, err)
		if speculationFault(err) {
			return nil, nil, hs, refused(conn, err)
		}
		return nil, nil, hs, err
	}
	hs.Version = reply.version
	c := NewConn(conn, hs, opts)
	for _, m := range msgs {
		if m.credentials != "" {
			c.log.secret = m.credentials
		}
		c.log.add("C", m.summary, m.msg, m.secret)
	}
	return c, c.queue(start, msgs), hs, nil
}

// SpeculationRefused reports whether err, the first error among the
// answers to a speculative flight's HELLO and LOGON, means the server did
// not take the pipelined requests: a FAILURE to HELLO may be the server
// refusing what it received before it chose a version, and a close or
// reset may be its reaction to bytes sent ahead. Only a fresh connection's
// sequential exchange gives a verdict then. A FAILURE to LOGON is the
// verdict itself.
func SpeculationRefused(err error) bool {
	var se *ServerError
	if errors.As(err, &se) {
		return se.Request == "HELLO"
	}
	return err != nil && speculationFault(err)
}

// speculationFault reports errors that pipelined bytes may have caused.
func speculationFault(err error) bool {
	return errors.Is(err, ErrClosed) || errors.Is(err, ErrReset) ||
		errors.Is(err, ErrNoCommonVersion) || errors.Is(err, ErrBadVersion) ||
		errors.Is(err, ErrUnsupportedVersion) || errors.Is(err, ErrIgnored)
}

func refused(conn net.Conn, cause error) error {
	_ = conn.Close()
	return fmt.Errorf("%w: %w", ErrSpeculationRefused, cause)
}
