package packstream

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func h(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func enc(t testing.TB, v any) []byte {
	t.Helper()
	b, err := Append(nil, v)
	if err != nil {
		t.Fatalf("Append(%T): %v", v, err)
	}
	return b
}

func TestIntegerBoundaries(t *testing.T) {
	for _, tc := range []struct {
		v    int64
		want string
	}{
		{0, "00"}, {1, "01"}, {127, "7F"}, {128, "C9 00 80"}, {-1, "FF"}, {-16, "F0"}, {-17, "C8 EF"},
		{-128, "C8 80"}, {-129, "C9 FF 7F"}, {32767, "C9 7F FF"}, {32768, "CA 00 00 80 00"},
		{-32768, "C9 80 00"}, {-32769, "CA FF FF 7F FF"},
		{1<<31 - 1, "CA 7F FF FF FF"}, {1 << 31, "CB 00 00 00 00 80 00 00 00"},
		{-1 << 31, "CA 80 00 00 00"}, {-1<<31 - 1, "CB FF FF FF FF 7F FF FF FF"},
		{math.MaxInt64, "CB 7F FF FF FF FF FF FF FF"}, {math.MinInt64, "CB 80 00 00 00 00 00 00 00"},
	} {
		got := enc(t, tc.v)
		if !bytes.Equal(got, h(t, tc.want)) {
			t.Errorf("%d: % X, want %s", tc.v, got, tc.want)
		}
		back, err := decodeOne(got, Limits{})
		if err != nil || back != tc.v {
			t.Errorf("%d: decoded %v, %v", tc.v, back, err)
		}
	}
	// Non-canonical widths still decode.
	for s, want := range map[string]int64{"C8 01": 1, "C9 00 01": 1, "CA 00 00 00 01": 1, "CB FF FF FF FF FF FF FF FF": -1} {
		if v, err := decodeOne(h(t, s), Limits{}); err != nil || v != want {
			t.Errorf("%s: %v %v", s, v, err)
		}
	}
	// Every Go integer type the encoder accepts.
	for _, v := range []any{int(5), int8(5), int16(5), int32(5), uint8(5), uint16(5), uint32(5)} {
		if got := enc(t, v); !bytes.Equal(got, []byte{5}) {
			t.Errorf("%T: % X", v, got)
		}
	}
}

func TestScalars(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{nil, "C0"}, {true, "C3"}, {false, "C2"},
		{1.1, "C1 3F F1 99 99 99 99 99 9A"}, {float32(1.5), "C1 3F F8 00 00 00 00 00 00"},
		{"", "80"}, {"A", "81 41"}, {[]byte{}, "CC 00"}, {[]byte{1, 2}, "CC 02 01 02"},
	} {
		got := enc(t, tc.v)
		if !bytes.Equal(got, h(t, tc.want)) {
			t.Errorf("%v: % X, want %s", tc.v, got, tc.want)
		}
	}
	for _, f := range []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), math.SmallestNonzeroFloat64, math.MaxFloat64} {
		v, err := decodeOne(enc(t, f), Limits{})
		if err != nil || math.Float64bits(v.(float64)) != math.Float64bits(f) {
			t.Errorf("%v: %v %v", f, v, err)
		}
	}
	if _, err := Append(nil, struct{}{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("struct{}: %v", err)
	}
	if _, err := Append(nil, uint64(1)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("uint64 should be refused (it may not fit): %v", err)
	}
}

// header returns the expected size marker for n items of a kind.
func header(tiny, m8, m16, m32 byte, n int) []byte {
	switch {
	case tiny != 0 && n < 16:
		return []byte{tiny | byte(n)}
	case n < 1<<8:
		return []byte{m8, byte(n)}
	case n < 1<<16:
		return []byte{m16, byte(n >> 8), byte(n)}
	}
	return []byte{m32, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

var sizes = []int{0, 1, 15, 16, 255, 256, 65535, 65536}

func TestSizedRoundTrip(t *testing.T) {
	for _, n := range sizes {
		s := strings.Repeat("x", n)
		b := enc(t, s)
		if !bytes.HasPrefix(b, header(0x80, 0xD0, 0xD1, 0xD2, n)) || len(b) != len(header(0x80, 0xD0, 0xD1, 0xD2, n))+n {
			t.Errorf("string %d: header % X", n, b[:min(len(b), 5)])
		}
		if v, err := decodeOne(b, Limits{}); err != nil || v != s {
			t.Errorf("string %d: %v", n, err)
		}

		raw := bytes.Repeat([]byte{7}, n)
		b = enc(t, raw)
		if !bytes.HasPrefix(b, header(0, 0xCC, 0xCD, 0xCE, n)) {
			t.Errorf("bytes %d: header % X", n, b[:min(len(b), 5)])
		}
		if v, err := decodeOne(b, Limits{}); err != nil || !bytes.Equal(v.([]byte), raw) {
			t.Errorf("bytes %d: %v", n, err)
		}

		list := make([]any, n)
		for i := range list {
			list[i] = int64(i % 100)
		}
		b = enc(t, list)
		if !bytes.HasPrefix(b, header(0x90, 0xD4, 0xD5, 0xD6, n)) {
			t.Errorf("list %d: header % X", n, b[:min(len(b), 5)])
		}
		if v, err := decodeOne(b, Limits{}); err != nil || !reflect.DeepEqual(v, list) {
			t.Errorf("list %d: %v", n, err)
		}

		m := make(map[string]any, n)
		for i := range n {
			m[string(AppendInt(nil, int64(i)))+"k"] = i%2 == 0
		}
		b = enc(t, m)
		if !bytes.HasPrefix(b, header(0xA0, 0xD8, 0xD9, 0xDA, n)) {
			t.Errorf("map %d: header % X", n, b[:min(len(b), 5)])
		}
		if v, err := decodeOne(b, Limits{}); err != nil || !reflect.DeepEqual(v, m) {
			t.Errorf("map %d: %v", n, err)
		}
	}
}

func TestNestedRoundTrip(t *testing.T) {
	v := map[string]any{
		"list":   []any{nil, true, int64(-17), 2.5, "s", []byte{1}, map[string]any{}, []any{}},
		"struct": &Struct{Tag: 0x4E, Fields: []any{int64(1), []any{"Label"}, map[string]any{"p": "v"}, "4:x:1"}},
		"empty":  &Struct{Tag: 0x70, Fields: []any{}},
	}
	got, err := decodeOne(enc(t, v), Limits{})
	if err != nil || !reflect.DeepEqual(got, v) {
		t.Fatalf("%v %v", got, err)
	}
	// Convenience types come back as their generic forms.
	got, _ = decodeOne(enc(t, map[string]string{"a": "b"}), Limits{})
	if !reflect.DeepEqual(got, map[string]any{"a": "b"}) {
		t.Fatalf("map[string]string: %v", got)
	}
	got, _ = decodeOne(enc(t, []string{"a"}), Limits{})
	if !reflect.DeepEqual(got, []any{"a"}) {
		t.Fatalf("[]string: %v", got)
	}
	for n := range 16 {
		s := &Struct{Tag: 1, Fields: make([]any, n)}
		b := enc(t, s)
		if b[0] != 0xB0|byte(n) {
			t.Fatalf("struct %d: % X", n, b)
		}
		if got, err := DecodeStruct(b, Limits{}); err != nil || len(got.Fields) != n {
			t.Fatalf("struct %d: %v", n, err)
		}
	}
	if _, err := Append(nil, &Struct{Fields: make([]any, 16)}); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("16 fields: %v", err)
	}
	// Sorted keys: the same map always gives the same bytes.
	a := enc(t, map[string]any{"b": 1, "a": 2, "c": 3})
	if !bytes.Equal(a, h(t, "A3 81 61 02 81 62 01 81 63 03")) {
		t.Fatalf("map order % X", a)
	}
}

func TestDecodeHostile(t *testing.T) {
	deep := bytes.Repeat([]byte{0x91}, 100000)
	deepMap := bytes.Repeat([]byte{0xA1, 0x81, 0x6B}, 50000)
	deepStruct := bytes.Repeat([]byte{0xB1, 0x01}, 50000)
	for _, tc := range []struct {
		name string
		in   []byte
		lim  Limits
		want error
	}{
		{"empty", nil, Limits{}, ErrTruncated},
		{"deep list", deep, Limits{}, ErrTooDeep},
		{"deep map", deepMap, Limits{}, ErrTooDeep},
		{"deep struct", deepStruct, Limits{}, ErrTooDeep},
		{"huge list", h(t, "D6 FF FF FF FF"), Limits{}, ErrTooLarge},
		{"huge map", h(t, "DA FF FF FF FF"), Limits{}, ErrTooLarge},
		{"huge string", h(t, "D2 FF FF FF FF"), Limits{}, ErrTooLarge},
		{"huge bytes", h(t, "CE FF FF FF FF"), Limits{}, ErrTooLarge},
		{"list longer than input", h(t, "D6 00 0F FF FF 01"), Limits{}, ErrTruncated},
		{"map longer than input", h(t, "D9 FF FF 81 61"), Limits{}, ErrTruncated},
		{"string cut", h(t, "85 61 62"), Limits{}, ErrTruncated},
		{"int cut", h(t, "CB 00 00"), Limits{}, ErrTruncated},
		{"float cut", h(t, "C1 00"), Limits{}, ErrTruncated},
		{"size cut", h(t, "D1 00"), Limits{}, ErrTruncated},
		{"struct without tag", h(t, "B0"), Limits{}, ErrTruncated},
		{"non-string key", h(t, "A1 01 02"), Limits{}, ErrNonStringKey},
		{"null key", h(t, "A1 C0 02"), Limits{}, ErrNonStringKey},
		{"trailing", h(t, "01 02"), Limits{}, ErrTrailingBytes},
		{"collection limit", h(t, "94 01 02 03 04"), Limits{MaxCollection: 3}, ErrTooLarge},
		{"string limit", h(t, "85 61 61 61 61 61"), Limits{MaxString: 4}, ErrTooLarge},
		{"depth limit", h(t, "91 91 91 01"), Limits{MaxDepth: 2}, ErrTooDeep},
	} {
		_, err := decodeOne(tc.in, tc.lim)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		var de *DecodeError
		if err != nil && !errors.As(err, &de) {
			t.Errorf("%s: %T is not a *DecodeError", tc.name, err)
		}
	}
	reserved := []byte{0xC4, 0xC5, 0xC6, 0xC7, 0xCF, 0xD3, 0xD7}
	for m := 0xDB; m <= 0xEF; m++ {
		reserved = append(reserved, byte(m))
	}
	for _, m := range reserved {
		_, err := decodeOne([]byte{m, 0, 0, 0, 0}, Limits{})
		var de *DecodeError
		if !errors.Is(err, ErrReservedMarker) || !errors.As(err, &de) || de.Marker != m || de.Offset != 0 {
			t.Errorf("marker %02X: %v", m, err)
		}
	}
	// Nested inside a valid prefix, the offset points at the bad marker.
	_, err := decodeOne(h(t, "92 01 C4"), Limits{})
	var de *DecodeError
	if !errors.As(err, &de) || de.Offset != 2 {
		t.Errorf("offset: %v", err)
	}
	if _, err := DecodeStruct(h(t, "01"), Limits{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("DecodeStruct(int): %v", err)
	}
}

// Duplicate keys: the last one wins, as the spec says.
func TestDuplicateKeys(t *testing.T) {
	v, err := decodeOne(h(t, "A2 81 61 01 81 61 02"), Limits{})
	if err != nil || !reflect.DeepEqual(v, map[string]any{"a": int64(2)}) {
		t.Fatalf("%v %v", v, err)
	}
}

// decodeOne decodes exactly one value that fills data.
func decodeOne(data []byte, lim Limits) (any, error) {
	v, _, err := decode(data, lim)
	return v, err
}
