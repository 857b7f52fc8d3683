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

// speculativeVersion encodes the pipelined requests; any version of
// SpeculativeProposals would give the same bytes.
var speculativeVersion = Version{5, 8}

// ErrSpeculationRefused: the server did not take HELLO sent together with
// the handshake (it picked a version outside SpeculativeProposals, closed
// or reset the connection, or failed HELLO). The connection is closed; a
// fresh one with Handshake and Hello gives the verdict.
var ErrSpeculationRefused = errors.New("the server did not take HELLO pipelined with the handshake")

// speculated is what a pipelined HELLO got, kept for Conn.Hello.
type speculated struct {
	reqs []request
	res  HelloResult
	err  error
}

// Speculate writes the magic, SpeculativeProposals, HELLO, LOGON, with
// req.Route ROUTE, and req.Statements in one write, so a healthy server
// costs one round trip for all of them. RUN and PULL, too, encode the same
// in every speculative version; their answers are left for Conn.Queries,
// as Conn.Hello leaves them. On success the next Conn.Hello with the same request
// returns the answers without I/O. A LOGON failure (wrong password) is the
// server's verdict, returned by that Hello as usual: it is not retried, so
// a login is never attempted twice.
//
// When the speculation fails the error wraps ErrSpeculationRefused and the
// connection is closed. Any other error is the handshake's own verdict,
// the same a sequential Handshake would have reached, since a server
// judges a connection by its first bytes (HTTP, TLS, silence, a non-Bolt
// answer).
//
// Credentials go out before the server has said anything: call it only
// on a plaintext connection the user chose, or on a TLS connection whose
// certificate was accepted.
func Speculate(ctx context.Context, conn net.Conn, req HelloRequest, opts Options) (*Conn, HandshakeResult, error) {
	start := time.Now()
	var hs HandshakeResult
	release, err := bindContext(ctx, conn)
	if err != nil {
		sentinel := ErrClosed
		if ctx.Err() != nil {
			sentinel = ctx.Err()
		}
		return nil, hs, &PeerError{Step: "handshake", Err: sentinel, Cause: err}
	}
	defer release()

	reqs, logon, route, res := helloRequests(speculativeVersion, req)
	pre := statementRequests(speculativeVersion, req.Statements)
	all := append(reqs[:len(reqs):len(reqs)], pre...)
	out := append([]byte(nil), Magic[:]...)
	for _, p := range SpeculativeProposals {
		out = binary.BigEndian.AppendUint32(out, p)
	}
	hs.Sent = append([]byte(nil), out...)
	for _, r := range all {
		out = AppendMessage(out, r.msg)
	}
	if _, err := conn.Write(out); err != nil {
		hs.Duration = time.Since(start)
		return nil, hs, refused(conn, withContext(ctx, &PeerError{Step: "handshake", Err: writeSentinel(err), Cause: err}))
	}

	p := newReplyParser(ctx, conn, SpeculativeProposals)
	reply, err := p.parse()
	hs.Received = p.got
	hs.Duration = time.Since(start)
	if err != nil {
		err = withContext(ctx, err)
		if speculationFault(err) {
			return nil, hs, refused(conn, err)
		}
		return nil, hs, err
	}
	hs.Version = reply.version
	c := NewConn(conn, hs, opts)
	c.log.secret = req.Auth.Credentials
	for _, r := range all {
		c.log.add("C", r.summary, r.msg, r.secret)
	}
	herr := c.helloAnswers(ctx, start, reqs, logon, route, &res, pre)
	if herr != nil {
		var se *ServerError
		if !(errors.As(herr, &se) && se.Request == "LOGON") && (errors.As(herr, &se) || speculationFault(herr)) {
			// A FAILURE to HELLO may be the server refusing what it
			// received before it chose; only the sequential exchange can
			// tell, and only its answer is a verdict.
			_ = c.Close()
			return nil, hs, refused(conn, herr)
		}
	}
	c.spec = &speculated{reqs: all, res: res, err: herr}
	return c, hs, nil
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
