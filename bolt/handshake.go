package bolt

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"time"
)

// Magic opens every Bolt connection.
var Magic = [4]byte{0x60, 0x60, 0xB0, 0x17}

// Manifest bounds: real servers list a handful of ranges; anything larger is
// a broken or hostile peer, and must not make us read or allocate more.
const (
	maxManifestEntries = 64
	maxVarintLen       = binary.MaxVarintLen64
)

// evidenceWait bounds the extra wait for bytes that only serve as evidence
// (an HTTP status line after "HTTP"): the verdict is already known.
const evidenceWait = 250 * time.Millisecond

// HandshakeResult is what the version negotiation established and the bytes
// that prove it.
type HandshakeResult struct {
	Version      Version
	Manifest     bool    // the server answered with a manifest
	Offered      []Range // every range in the manifest, in the server's order
	Capabilities uint64  // the manifest's capability mask
	Sent         []byte  // magic, proposals and, after a manifest, our choice
	Received     []byte
	Duration     time.Duration
}

// Handshake sends the magic and proposals in one write (a server sniffs at
// least 5 bytes before it answers) and negotiates a version. Every failure
// is a *PeerError with Step "handshake" whose Err says what the peer is:
// ErrHTTP, ErrTLSRequired, ErrClosed, ErrReset, ErrSilent, ErrNotBolt,
// ErrNoCommonVersion, ErrBadVersion, ErrUnsupportedVersion, ErrBadManifest,
// or context.Canceled.
func Handshake(ctx context.Context, conn net.Conn, proposals [4]uint32) (HandshakeResult, error) {
	start := time.Now()
	var res HandshakeResult
	release, err := bindContext(ctx, conn)
	if err != nil {
		sentinel := ErrClosed
		if ctx.Err() != nil {
			sentinel = ctx.Err()
		}
		return res, &PeerError{Step: "handshake", Err: sentinel, Cause: err}
	}
	defer release()

	out := append([]byte(nil), Magic[:]...)
	for _, p := range proposals {
		out = binary.BigEndian.AppendUint32(out, p)
	}
	res.Sent = out
	if _, err := conn.Write(out); err != nil {
		res.Duration = time.Since(start)
		return res, withContext(ctx, &PeerError{Step: "handshake", Err: writeSentinel(err), Cause: err})
	}

	p := newReplyParser(ctx, conn, proposals)
	reply, err := p.parse()
	res.Received = p.got
	if err != nil {
		res.Duration = time.Since(start)
		return res, withContext(ctx, err)
	}
	if !reply.manifest {
		res.Version = reply.version
		res.Duration = time.Since(start)
		return res, nil
	}

	res.Manifest, res.Offered, res.Capabilities = true, reply.offered, reply.caps
	v, ok := chooseVersion(reply.offered)
	// Choice in 4.0 style (no range) plus an empty capability mask; all
	// zeros tells the server nothing matched, so it closes rather than
	// waiting for a HELLO that will never come.
	choice := []byte{0, 0, v.Minor, v.Major, 0}
	res.Sent = append(res.Sent, choice...)
	_, werr := conn.Write(choice)
	res.Duration = time.Since(start)
	if !ok {
		return res, &PeerError{Step: "handshake", Err: ErrNoCommonVersion, Bytes: p.got,
			Cause: fmt.Errorf("server offered %s; this client implements %s", describeRanges(reply.offered), supportedList)}
	}
	if werr != nil {
		return res, withContext(ctx, &PeerError{Step: "handshake", Err: writeSentinel(werr), Bytes: p.got, Cause: werr})
	}
	res.Version = v
	return res, nil
}

// chooseVersion picks the highest offered version this client implements;
// unknown majors (6.x, testkit's 242.x) simply never match.
func chooseVersion(offered []Range) (Version, bool) {
	var best Version
	found := false
	for _, r := range offered {
		for m := int(r.Minor); m >= int(r.low()); m-- {
			v := Version{r.Major, uint8(m)}
			if Supported(v) && (!found || best.less(v)) {
				best, found = v, true
			}
		}
	}
	return best, found
}

// handshakeReply is the parsed server answer.
type handshakeReply struct {
	version  Version // legacy answer
	manifest bool
	offered  []Range
	caps     uint64
}

// replyParser reads and judges the server's handshake answer. It is pure
// over an io.Reader so it can be fuzzed without sockets; got keeps every
// byte read as evidence.
type replyParser struct {
	r         io.Reader
	proposals [4]uint32
	got       []byte
	// beforeEvidence runs before reading bytes that only decorate a verdict,
	// so a socket caller can shorten its deadline. May be nil.
	beforeEvidence func()
}

func (p *replyParser) fail(sentinel, cause error) *PeerError {
	return &PeerError{Step: "handshake", Err: sentinel, Bytes: p.got, Cause: cause}
}

func (p *replyParser) evidence(want int, line bool) {
	if p.beforeEvidence != nil {
		p.beforeEvidence()
	}
	p.got = readEvidence(p.r, p.got, want, maxEvidence, line)
}

func (p *replyParser) parse() (handshakeReply, error) {
	var buf [4]byte
	n, err := io.ReadFull(p.r, buf[:])
	p.got = append(p.got, buf[:n]...)
	if err != nil {
		switch {
		case n == 0:
			return handshakeReply{}, p.fail(ioSentinel(err), err)
		case looksTLS(p.got):
			return handshakeReply{}, p.fail(ErrTLSRequired, err)
		case ioSentinel(err) == ErrSilent:
			return handshakeReply{}, p.fail(ErrStalled, fmt.Errorf("%d of the 4 reply bytes arrived, then nothing: %w", n, err))
		}
		return handshakeReply{}, p.fail(ErrNotBolt, fmt.Errorf("reply cut short after %d of 4 bytes: %w", n, err))
	}
	u := binary.BigEndian.Uint32(buf[:])
	switch {
	case looksTLS(p.got):
		// Record header: type, version (2), length (2); an alert body is 2 bytes.
		p.evidence(5, false)
		if len(p.got) >= 5 {
			p.evidence(5+min(int(binary.BigEndian.Uint16(p.got[3:5])), maxTLSPayload), false)
		}
		return handshakeReply{}, p.fail(ErrTLSRequired, nil)
	case string(p.got) == "HTTP":
		p.evidence(maxEvidence, true)
		return handshakeReply{}, p.fail(ErrHTTP, nil)
	case u == ManifestV1 && p.proposed(ManifestV1):
		offered, caps, err := p.manifest()
		if err != nil {
			return handshakeReply{}, err
		}
		return handshakeReply{manifest: true, offered: offered, caps: caps}, nil
	case u == 0:
		return handshakeReply{}, p.fail(ErrNoCommonVersion, fmt.Errorf("proposed %s", describeProposals(p.proposals)))
	case buf[0] == 0:
		return p.legacy(buf)
	case printable(p.got):
		p.evidence(maxEvidence, true)
		return handshakeReply{}, p.fail(ErrNotBolt, nil)
	}
	return handshakeReply{}, p.fail(ErrNotBolt, nil)
}

func (p *replyParser) proposed(u uint32) bool {
	for _, q := range p.proposals {
		if q == u {
			return true
		}
	}
	return false
}

// legacy checks a 4-byte version answer against what was proposed.
func (p *replyParser) legacy(buf [4]byte) (handshakeReply, error) {
	v := Version{Major: buf[3], Minor: buf[2]}
	answer := RangeFromUint32(binary.BigEndian.Uint32(buf[:]))
	switch {
	case buf[3] == 0xFF:
		return handshakeReply{}, p.fail(ErrBadVersion, fmt.Errorf("server answered with %s, which was not proposed; proposed %s",
			answer, describeProposals(p.proposals)))
	case buf[1] != 0:
		return handshakeReply{}, p.fail(ErrBadVersion, fmt.Errorf("server answered with the range %s, not a single version; proposed %s",
			answer, describeProposals(p.proposals)))
	}
	covered := false
	for _, q := range p.proposals {
		if q != 0 && q != ManifestV1 && RangeFromUint32(q).Contains(v) {
			covered = true
		}
	}
	if !covered {
		return handshakeReply{}, p.fail(ErrBadVersion, fmt.Errorf("server chose %s; proposed %s", v, describeProposals(p.proposals)))
	}
	if !Supported(v) {
		return handshakeReply{}, p.fail(ErrUnsupportedVersion, fmt.Errorf("server chose %s; this client implements %s", v, supportedList))
	}
	return handshakeReply{version: v}, nil
}

// manifest reads the rest of a manifest v1 answer: varint count, that many
// 4-byte ranges, varint capability mask.
func (p *replyParser) manifest() ([]Range, uint64, error) {
	count, err := p.varint()
	if err != nil {
		return nil, 0, p.manifestFail(fmt.Errorf("reading the version count: %w", err))
	}
	// Checked before the allocation it sizes.
	if count > maxManifestEntries {
		return nil, 0, p.fail(ErrBadManifest, fmt.Errorf("%d versions offered, limit %d", count, maxManifestEntries))
	}
	offered := make([]Range, 0, count)
	for i := range count {
		var b [4]byte
		n, err := io.ReadFull(p.r, b[:])
		p.got = append(p.got, b[:n]...)
		if err != nil {
			return nil, 0, p.manifestFail(fmt.Errorf("reading version %d of %d: %w", i+1, count, err))
		}
		offered = append(offered, RangeFromUint32(binary.BigEndian.Uint32(b[:])))
	}
	caps, err := p.varint()
	if err != nil {
		return nil, 0, p.manifestFail(fmt.Errorf("reading the capability mask: %w", err))
	}
	return offered, caps, nil
}

// manifestFail blames a manifest that stopped arriving on the stall, not
// on its contents.
func (p *replyParser) manifestFail(cause error) *PeerError {
	if ioSentinel(cause) == ErrSilent {
		return p.fail(ErrStalled, fmt.Errorf("manifest: %w", cause))
	}
	return p.fail(ErrBadManifest, cause)
}

// varint reads an unsigned LEB128 value one byte at a time, so nothing past
// it is consumed, and never more than 10 bytes.
func (p *replyParser) varint() (uint64, error) {
	start := len(p.got)
	var b [1]byte
	for range maxVarintLen {
		if _, err := io.ReadFull(p.r, b[:]); err != nil {
			return 0, err
		}
		p.got = append(p.got, b[0])
		if b[0]&0x80 == 0 {
			v, n := binary.Uvarint(p.got[start:])
			if n <= 0 {
				return 0, fmt.Errorf("varint overflows 64 bits")
			}
			return v, nil
		}
	}
	return 0, fmt.Errorf("varint longer than %d bytes", maxVarintLen)
}

// newReplyParser reads a handshake reply from conn; once the reply is known
// not to be Bolt, it waits at most evidenceWait (within ctx's deadline) for
// more bytes to quote.
func newReplyParser(ctx context.Context, conn net.Conn, proposals [4]uint32) replyParser {
	return replyParser{r: conn, proposals: proposals, beforeEvidence: func() {
		d := time.Now().Add(evidenceWait)
		if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
			d = cd
		}
		if ctx.Err() == nil {
			_ = conn.SetReadDeadline(d)
		}
	}}
}
