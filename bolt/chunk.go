package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MaxChunk is the largest chunk payload a 2-byte header can announce.
const MaxChunk = 65535

// ErrMessageTooLarge means the peer kept sending chunks past the limit the
// reader was given; the message was abandoned before it was buffered.
var ErrMessageTooLarge = errors.New("bolt: message larger than the limit")

// AppendMessage appends msg to dst as Bolt chunks followed by the 00 00 end
// marker.
func AppendMessage(dst, msg []byte) []byte {
	for len(msg) > 0 {
		n := min(len(msg), MaxChunk)
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
		dst = append(dst, msg[:n]...)
		msg = msg[n:]
	}
	return append(dst, 0, 0)
}

// ReadMessage reads one chunked message of at most max bytes. Empty chunks
// before the first data chunk are NOOP keep-alives (Bolt 4.1+) and are
// skipped, at most MaxNoops of them in a row. Memory grows only with bytes
// that actually arrived.
func ReadMessage(r io.Reader, max int) ([]byte, error) {
	msg, _, err := readMessage(r, max)
	return msg, err
}

// MaxNoops bounds the NOOP chunks read while waiting for one message. A
// server sends one every few seconds of a long query; a flood of them is a
// broken peer keeping the reader spinning until the deadline.
const MaxNoops = 1 << 12

// ErrNoopFlood means more than MaxNoops NOOP chunks arrived in a row.
var ErrNoopFlood = errors.New("bolt: a flood of NOOP chunks")

// readMessage is ReadMessage that also says how many bytes it consumed, so
// a caller can tell a silent peer from one that stalled mid-message.
func readMessage(r io.Reader, max int) ([]byte, int, error) {
	var hdr [2]byte
	var msg []byte
	read, noops := 0, 0
	for {
		n, err := io.ReadFull(r, hdr[:])
		read += n
		if err != nil {
			if len(msg) > 0 && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, read, err
		}
		size := int(binary.BigEndian.Uint16(hdr[:]))
		if size == 0 {
			if len(msg) > 0 {
				return msg, read, nil
			}
			if noops++; noops > MaxNoops {
				return nil, read, fmt.Errorf("%w: over %d in a row", ErrNoopFlood, MaxNoops)
			}
			continue
		}
		if len(msg)+size > max {
			return nil, read, fmt.Errorf("%w: over %d bytes", ErrMessageTooLarge, max)
		}
		msg = grow(msg, size, max)
		start := len(msg)
		msg = msg[:start+size]
		n, err = io.ReadFull(r, msg[start:])
		read += n
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, read, err
		}
	}
}

// grow makes room for n more bytes, doubling (never past max) so a large
// message costs one final buffer and at most as much again in garbage,
// rather than the many copies of growing chunk by chunk.
func grow(msg []byte, n, limit int) []byte {
	need := len(msg) + n
	if need <= cap(msg) {
		return msg
	}
	c := min(max(2*cap(msg), need), limit)
	return append(make([]byte, 0, c), msg...)
}
