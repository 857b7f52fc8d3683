package packstream

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"slices"
)

// Append encodes v in its smallest form and appends it to buf. Maps are
// written with sorted keys so the same value always gives the same bytes.
// Accepted types: nil, bool, all Go integer types, float32/64, string,
// []byte, []any, []string, map[string]any, map[string]string, Struct and *Struct.
func Append(buf []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(buf, 0xC0), nil
	case bool:
		if x {
			return append(buf, 0xC3), nil
		}
		return append(buf, 0xC2), nil
	case int:
		return AppendInt(buf, int64(x)), nil
	case int8:
		return AppendInt(buf, int64(x)), nil
	case int16:
		return AppendInt(buf, int64(x)), nil
	case int32:
		return AppendInt(buf, int64(x)), nil
	case int64:
		return AppendInt(buf, x), nil
	case uint8:
		return AppendInt(buf, int64(x)), nil
	case uint16:
		return AppendInt(buf, int64(x)), nil
	case uint32:
		return AppendInt(buf, int64(x)), nil
	case float32:
		return AppendFloat(buf, float64(x)), nil
	case float64:
		return AppendFloat(buf, x), nil
	case string:
		return AppendString(buf, x), nil
	case []byte:
		return appendSized(buf, len(x), 0, 0xCC, 0xCD, 0xCE, x...), nil
	case []string:
		buf = AppendListHeader(buf, len(x))
		for _, s := range x {
			buf = AppendString(buf, s)
		}
		return buf, nil
	case []any:
		buf = AppendListHeader(buf, len(x))
		for _, e := range x {
			var err error
			if buf, err = Append(buf, e); err != nil {
				return nil, err
			}
		}
		return buf, nil
	case map[string]string:
		buf = AppendMapHeader(buf, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			buf = AppendString(buf, k)
			buf = AppendString(buf, x[k])
		}
		return buf, nil
	case map[string]any:
		buf = AppendMapHeader(buf, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			buf = AppendString(buf, k)
			var err error
			if buf, err = Append(buf, x[k]); err != nil {
				return nil, err
			}
		}
		return buf, nil
	case Struct:
		return appendStruct(buf, &x)
	case *Struct:
		return appendStruct(buf, x)
	}
	return nil, fmt.Errorf("%w: %T", ErrUnsupported, v)
}

func appendStruct(buf []byte, s *Struct) ([]byte, error) {
	if len(s.Fields) > 15 {
		return nil, fmt.Errorf("%w: structure with %d fields", ErrUnsupported, len(s.Fields))
	}
	buf = append(buf, 0xB0|byte(len(s.Fields)), s.Tag)
	for _, f := range s.Fields {
		var err error
		if buf, err = Append(buf, f); err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// AppendInt writes i in the smallest integer form.
func AppendInt(buf []byte, i int64) []byte {
	switch {
	case i >= -16 && i <= 127:
		return append(buf, byte(int8(i)))
	case i >= math.MinInt8 && i <= math.MaxInt8:
		return append(buf, 0xC8, byte(int8(i)))
	case i >= math.MinInt16 && i <= math.MaxInt16:
		return binary.BigEndian.AppendUint16(append(buf, 0xC9), uint16(int16(i)))
	case i >= math.MinInt32 && i <= math.MaxInt32:
		return binary.BigEndian.AppendUint32(append(buf, 0xCA), uint32(int32(i)))
	}
	return binary.BigEndian.AppendUint64(append(buf, 0xCB), uint64(i))
}

// AppendFloat writes f as a 64-bit float.
func AppendFloat(buf []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(append(buf, 0xC1), math.Float64bits(f))
}

// AppendString writes s with the smallest length form.
func AppendString(buf []byte, s string) []byte {
	return append(appendSized(buf, len(s), 0x80, 0xD0, 0xD1, 0xD2), s...)
}

// AppendListHeader writes the header of a list of n items.
func AppendListHeader(buf []byte, n int) []byte { return appendSized(buf, n, 0x90, 0xD4, 0xD5, 0xD6) }

// AppendMapHeader writes the header of a map of n entries.
func AppendMapHeader(buf []byte, n int) []byte { return appendSized(buf, n, 0xA0, 0xD8, 0xD9, 0xDA) }

// appendSized writes a marker for size n (tiny when tiny != 0 and n < 16)
// followed by payload.
func appendSized(buf []byte, n int, tiny, m8, m16, m32 byte, payload ...byte) []byte {
	switch {
	case tiny != 0 && n < 16:
		buf = append(buf, tiny|byte(n))
	case n <= math.MaxUint8:
		buf = append(buf, m8, byte(n))
	case n <= math.MaxUint16:
		buf = binary.BigEndian.AppendUint16(append(buf, m16), uint16(n))
	default:
		buf = binary.BigEndian.AppendUint32(append(buf, m32), uint32(n))
	}
	return append(buf, payload...)
}
