// Package packstream encodes and decodes PackStream v1, the value format of
// Bolt messages.
//
// Decoded values are nil, bool, int64, float64, string, []byte, []any,
// map[string]any and *Struct. The decoder is meant for bytes from an
// untrusted peer: every length the peer claims is checked against the bytes
// that are actually there and against Limits before anything is allocated,
// and nesting is bounded, so hostile input yields an error, never a panic or
// an allocation larger than the input.
package packstream

import (
	"errors"
	"fmt"
)

// Struct is a PackStream structure: a tag byte and up to 15 fields.
type Struct struct {
	Tag    byte
	Fields []any
}

func (s *Struct) String() string {
	return fmt.Sprintf("Struct(0x%02X, %d fields)", s.Tag, len(s.Fields))
}

// Limits bound what the decoder accepts. A zero field takes the default.
type Limits struct {
	MaxDepth      int // nesting of lists, maps and structures
	MaxCollection int // entries in one list or map
	MaxString     int // bytes in one string or byte array
	// MaxValues bounds the values in one decoded message, counted at every
	// nesting level. It is what bounds memory: a one-byte empty list costs
	// the decoder some 50 bytes, so without it a 16 MiB message of empty
	// lists would cost most of a gigabyte.
	MaxValues int
}

// DefaultLimits are generous for Bolt metadata and small results while
// keeping a hostile message harmless: at most a few tens of MiB of decoded
// values, whatever the message.
var DefaultLimits = Limits{MaxDepth: 64, MaxCollection: 1 << 20, MaxString: 16 << 20, MaxValues: 1 << 18}

func (l Limits) withDefaults() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxCollection <= 0 {
		l.MaxCollection = DefaultLimits.MaxCollection
	}
	if l.MaxString <= 0 {
		l.MaxString = DefaultLimits.MaxString
	}
	if l.MaxValues <= 0 {
		l.MaxValues = DefaultLimits.MaxValues
	}
	return l
}

// Errors that DecodeError wraps; test with errors.Is.
var (
	ErrTruncated      = errors.New("packstream: value truncated")
	ErrReservedMarker = errors.New("packstream: reserved marker")
	ErrTooDeep        = errors.New("packstream: nesting too deep")
	ErrTooLarge       = errors.New("packstream: size over limit")
	ErrNonStringKey   = errors.New("packstream: map key is not a string")
	ErrTrailingBytes  = errors.New("packstream: bytes after the value")
	ErrUnsupported    = errors.New("packstream: value type cannot be encoded")
)

// DecodeError says where in the input decoding stopped and why.
type DecodeError struct {
	Offset int    // byte offset of the marker that failed
	Marker byte   // that marker
	Err    error  // one of the sentinels above
	Detail string // e.g. the claimed size
}

func (e *DecodeError) Error() string {
	s := fmt.Sprintf("%v at offset %d (marker 0x%02X)", e.Err, e.Offset, e.Marker)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func (e *DecodeError) Unwrap() error { return e.Err }
