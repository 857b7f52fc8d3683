package packstream

import (
	"encoding/binary"
	"fmt"
	"math"
)

func decode(data []byte, lim Limits) (any, int, error) {
	d := decoder{buf: data, lim: lim.withDefaults()}
	v, err := d.value(0)
	if err != nil {
		return nil, d.values, err
	}
	if d.pos != len(data) {
		return nil, d.values, &DecodeError{Offset: d.pos, Marker: data[d.pos], Err: ErrTrailingBytes,
			Detail: fmt.Sprintf("%d bytes left", len(data)-d.pos)}
	}
	return v, d.values, nil
}

// DecodeStruct decodes a message: one structure filling data.
func DecodeStruct(data []byte, lim Limits) (*Struct, error) {
	s, _, err := DecodeMessage(data, lim)
	return s, err
}

// DecodeMessage is DecodeStruct that also says how many values the message
// held (the count Limits.MaxValues bounds), so a caller can bound a stream
// of messages as a whole.
func DecodeMessage(data []byte, lim Limits) (*Struct, int, error) {
	v, n, err := decode(data, lim)
	if err != nil {
		return nil, n, err
	}
	s, ok := v.(*Struct)
	if !ok {
		return nil, n, &DecodeError{Offset: 0, Marker: data[0], Err: ErrUnsupported, Detail: fmt.Sprintf("message is a %T, not a structure", v)}
	}
	return s, n, nil
}

type decoder struct {
	buf    []byte
	pos    int
	lim    Limits
	values int // decoded so far, at every level
}

func (d *decoder) fail(at int, err error, detail string) error {
	var m byte
	if at < len(d.buf) {
		m = d.buf[at]
	}
	return &DecodeError{Offset: at, Marker: m, Err: err, Detail: detail}
}

// take returns the next n bytes, or an error when fewer remain.
func (d *decoder) take(at, n int) ([]byte, error) {
	if n < 0 || n > len(d.buf)-d.pos {
		return nil, d.fail(at, ErrTruncated, fmt.Sprintf("need %d bytes, %d left", n, len(d.buf)-d.pos))
	}
	b := d.buf[d.pos : d.pos+n]
	d.pos += n
	return b, nil
}

// size reads a big-endian unsigned length of w bytes.
func (d *decoder) size(at, w int) (int, error) {
	b, err := d.take(at, w)
	if err != nil {
		return 0, err
	}
	switch w {
	case 1:
		return int(b[0]), nil
	case 2:
		return int(binary.BigEndian.Uint16(b)), nil
	default:
		return int(binary.BigEndian.Uint32(b)), nil
	}
}

func (d *decoder) value(depth int) (any, error) {
	at := d.pos
	if d.pos >= len(d.buf) {
		return nil, d.fail(at, ErrTruncated, "no marker")
	}
	if d.values >= d.lim.MaxValues {
		return nil, d.fail(at, ErrTooLarge, fmt.Sprintf("more than %d values in one message", d.lim.MaxValues))
	}
	d.values++
	m := d.buf[d.pos]
	d.pos++
	switch {
	case m < 0x80:
		return int64(m), nil
	case m >= 0xF0:
		return int64(int8(m)), nil
	case m <= 0x8F:
		return d.str(at, int(m&0x0F))
	case m <= 0x9F:
		return d.list(at, int(m&0x0F), depth)
	case m <= 0xAF:
		return d.dict(at, int(m&0x0F), depth)
	case m <= 0xBF:
		return d.structure(at, int(m&0x0F), depth)
	}
	switch m {
	case 0xC0:
		return nil, nil
	case 0xC1:
		b, err := d.take(at, 8)
		if err != nil {
			return nil, err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case 0xC2:
		return false, nil
	case 0xC3:
		return true, nil
	case 0xC8:
		b, err := d.take(at, 1)
		if err != nil {
			return nil, err
		}
		return int64(int8(b[0])), nil
	case 0xC9:
		b, err := d.take(at, 2)
		if err != nil {
			return nil, err
		}
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case 0xCA:
		b, err := d.take(at, 4)
		if err != nil {
			return nil, err
		}
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case 0xCB:
		b, err := d.take(at, 8)
		if err != nil {
			return nil, err
		}
		return int64(binary.BigEndian.Uint64(b)), nil
	case 0xCC, 0xCD, 0xCE:
		n, err := d.size(at, 1<<(m-0xCC))
		if err != nil {
			return nil, err
		}
		if n > d.lim.MaxString {
			return nil, d.fail(at, ErrTooLarge, fmt.Sprintf("byte array of %d bytes, limit %d", n, d.lim.MaxString))
		}
		b, err := d.take(at, n)
		if err != nil {
			return nil, err
		}
		return append([]byte(nil), b...), nil
	case 0xD0, 0xD1, 0xD2:
		n, err := d.size(at, 1<<(m-0xD0))
		if err != nil {
			return nil, err
		}
		return d.str(at, n)
	case 0xD4, 0xD5, 0xD6:
		n, err := d.size(at, 1<<(m-0xD4))
		if err != nil {
			return nil, err
		}
		return d.list(at, n, depth)
	case 0xD8, 0xD9, 0xDA:
		n, err := d.size(at, 1<<(m-0xD8))
		if err != nil {
			return nil, err
		}
		return d.dict(at, n, depth)
	}
	return nil, d.fail(at, ErrReservedMarker, "")
}

func (d *decoder) str(at, n int) (string, error) {
	if n > d.lim.MaxString {
		return "", d.fail(at, ErrTooLarge, fmt.Sprintf("string of %d bytes, limit %d", n, d.lim.MaxString))
	}
	b, err := d.take(at, n)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// collection checks a claimed entry count before anything is allocated:
// every entry needs at least perEntry bytes, so a count larger than the
// remaining input is a lie.
func (d *decoder) collection(at, n, perEntry, depth int) error {
	if depth >= d.lim.MaxDepth {
		return d.fail(at, ErrTooDeep, fmt.Sprintf("limit %d", d.lim.MaxDepth))
	}
	if n > d.lim.MaxCollection {
		return d.fail(at, ErrTooLarge, fmt.Sprintf("%d entries, limit %d", n, d.lim.MaxCollection))
	}
	if left := len(d.buf) - d.pos; n > left/perEntry {
		return d.fail(at, ErrTruncated, fmt.Sprintf("%d entries claimed, %d bytes left", n, left))
	}
	// Checked before make: the entries would each cost a value anyway.
	if left := d.lim.MaxValues - d.values; n > left/perEntry {
		return d.fail(at, ErrTooLarge, fmt.Sprintf("%d entries, more than the %d values left of the limit %d", n, left, d.lim.MaxValues))
	}
	return nil
}

func (d *decoder) list(at, n, depth int) ([]any, error) {
	if err := d.collection(at, n, 1, depth); err != nil {
		return nil, err
	}
	l := make([]any, n)
	for i := range l {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		l[i] = v
	}
	return l, nil
}

func (d *decoder) dict(at, n, depth int) (map[string]any, error) {
	if err := d.collection(at, n, 2, depth); err != nil {
		return nil, err
	}
	m := make(map[string]any, n)
	for range n {
		kat := d.pos
		k, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		ks, ok := k.(string)
		if !ok {
			return nil, d.fail(kat, ErrNonStringKey, fmt.Sprintf("key is %T", k))
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		m[ks] = v // duplicate key: last wins, as the spec says
	}
	return m, nil
}

func (d *decoder) structure(at, n, depth int) (*Struct, error) {
	if err := d.collection(at, n, 1, depth); err != nil {
		return nil, err
	}
	tag, err := d.take(at, 1)
	if err != nil {
		return nil, err
	}
	s := &Struct{Tag: tag[0], Fields: make([]any, n)}
	for i := range s.Fields {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		s.Fields[i] = v
	}
	return s, nil
}
