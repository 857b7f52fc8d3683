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
// skipped. Memory grows only with bytes that actually arrived.
func ReadMessage(r io.Reader, max int) ([]byte, error) {
	var hdr [2]byte
	var msg []byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			if len(msg) > 0 && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		n := int(binary.BigEndian.Uint16(hdr[:]))
		if n == 0 {
			if len(msg) == 0 {
				continue // NOOP
			}
			return msg, nil
		}
		if len(msg)+n > max {
			return nil, fmt.Errorf("%w: over %d bytes", ErrMessageTooLarge, max)
		}
		start := len(msg)
		msg = append(msg, make([]byte, n)...)
		if _, err := io.ReadFull(r, msg[start:]); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}
