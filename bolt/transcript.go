package bolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// maxFrames bounds the transcript: the last exchanges explain a failure,
// a long result stream must not grow memory.
const maxFrames = 64

// minScrub: shorter secrets would match ordinary text and hex everywhere.
const minScrub = 4

// Frame is one message in the transcript.
type Frame struct {
	Dir     string // "C" client to server, "S" server to client
	Message string // short summary, e.g. `HELLO {user_agent: "neo4j-doctor"}`
	Hex     string // the message bytes without chunk framing, cut at 256 bytes; empty when they carry credentials
}

// transcript is a ring of the most recent frames.
type transcript struct {
	frames []Frame
	next   int // where the next frame goes once the ring is full
	secret string
}

func (t *transcript) add(dir, summary string, raw []byte, secret bool) {
	f := Frame{Dir: dir, Message: t.scrub(summary)}
	if !secret && !t.holdsSecret(raw) {
		f.Hex = hexDump(raw)
	}
	if len(t.frames) < maxFrames {
		t.frames = append(t.frames, f)
		return
	}
	t.frames[t.next] = f
	t.next = (t.next + 1) % maxFrames
}

func (t *transcript) list() []Frame {
	out := make([]Frame, 0, len(t.frames))
	out = append(out, t.frames[t.next:]...)
	return append(out, t.frames[:t.next]...)
}

// scrub masks the password wherever a peer echoed it back.
func (t *transcript) scrub(s string) string {
	if len(t.secret) < minScrub {
		return s
	}
	return strings.ReplaceAll(s, t.secret, redacted)
}

func (t *transcript) holdsSecret(raw []byte) bool {
	return len(t.secret) >= minScrub && bytes.Contains(raw, []byte(t.secret))
}

// scrubBytes is scrub for evidence bytes: the secret's bytes become '*'.
func (t *transcript) scrubBytes(raw []byte) []byte {
	if !t.holdsSecret(raw) {
		return raw
	}
	mask := bytes.Repeat([]byte{'*'}, len(t.secret))
	return bytes.ReplaceAll(raw, []byte(t.secret), mask)
}

// addHandshake records the version negotiation so a transcript tells the
// whole story from the first byte.
func (t *transcript) addHandshake(hs HandshakeResult) {
	if len(hs.Sent) >= 20 {
		var props [4]uint32
		for i := range props {
			props[i] = binary.BigEndian.Uint32(hs.Sent[4+4*i:])
		}
		t.add("C", "MAGIC + PROPOSALS "+describeProposals(props), hs.Sent[:20], false)
	}
	if len(hs.Received) > 0 {
		s := "VERSION " + hs.Version.String()
		if hs.Manifest {
			s = fmt.Sprintf("MANIFEST [%s] capabilities 0x%X", describeRanges(hs.Offered), hs.Capabilities)
		}
		t.add("S", s, hs.Received, false)
	}
	if len(hs.Sent) > 20 {
		t.add("C", "CHOOSE "+hs.Version.String(), hs.Sent[20:], false)
	}
}
