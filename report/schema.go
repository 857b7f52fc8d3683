package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SchemaJSON is the JSON Schema (draft 2020-12) of the document JSON
// writes, shipped in the binary so any user can check a report against
// the exact contract of the version that wrote it.
//
// The binary itself links no JSON Schema validator: its package init
// alone cost every run 3–4 ms. Documents are read back with DecodeStrict
// and Decode's value checks instead, and the tests hold both ends to the
// schema with a full validator (internal/contract): everything written
// conforms, and a document broken in shape anywhere is refused exactly
// when the schema refuses it (TestDecodeAgreesWithTheSchema).
//
//go:embed schema/report.v1.schema.json
var SchemaJSON []byte

// SchemaID is the $id of SchemaJSON.
const SchemaID = "https://github.com/neo4j-doctor/neo4j-doctor/report/schema/report.v1.schema.json"

// VersionError is a document whose version key (schemaVersion,
// bundleVersion) is missing, Got == "", or holds a version this build
// does not read.
type VersionError struct {
	Key  string
	Got  string // the key's value as JSON, shortened
	Want int
}

func (e *VersionError) Error() string {
	if e.Got == "" {
		return fmt.Sprintf("no %s: not a neo4j-doctor document", e.Key)
	}
	return fmt.Sprintf("%s is %s: this neo4j-doctor reads %s %d", e.Key, e.Got, e.Key, e.Want)
}

// DecodeStrict decodes doc into v, a pointer to a struct, holding the
// document to the shape JSON and bundle.Build write: exactly one JSON
// value; an object whose versionKey is version, checked first so that a
// document of another version is refused as such; every key v's type
// declares present, at every depth (the writers always write every key),
// and no other key; null only where the type has a pointer or an
// interface (a json.RawMessage or an interface takes any value); and each
// value of the JSON type the field needs, integers where it is an
// integer. Value rules (enums, ranges) are the caller's.
//
// The error is one line naming the path of the first problem, e.g.
// `checks[2]: missing "status"`; JSON from a file may hold anything, so
// keys and values in it are quoted and shortened.
func DecodeStrict(doc []byte, v any, versionKey string, version int) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("DecodeStrict needs a pointer to a struct, not %T", v)
	}
	tree, err := oneValue(doc)
	if err != nil {
		return err
	}
	if err := checkVersion(tree, versionKey, version); err != nil {
		return err
	}
	if err := checkShape(tree, rv.Elem().Type(), ""); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		// checkShape has seen every key and type; what is left is a
		// number out of its Go type's range.
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// oneValue parses the single JSON value doc holds into a generic tree
// (numbers as json.Number), which checkShape walks: one parse for the
// whole check rather than one per level.
func oneValue(doc []byte) (any, error) {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, errors.New("empty: no JSON in it")
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("not JSON: it ends in the middle of a value after %d bytes; was the file cut short?", len(doc))
		case errors.As(err, &syn):
			return nil, fmt.Errorf("not JSON: %v at byte %d", syn, syn.Offset)
		}
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	end := dec.InputOffset()
	if rest := bytes.TrimLeft(doc[end:], " \t\r\n"); len(rest) > 0 {
		at := int(end) + len(doc[end:]) - len(rest)
		return nil, fmt.Errorf("not one JSON value: %s follows it at byte %d", excerpt(rest), at)
	}
	return tree, nil
}

func checkVersion(tree any, key string, want int) error {
	top, ok := tree.(map[string]any)
	if !ok {
		return fmt.Errorf("want an object, got %s", jsonKind(tree))
	}
	got, ok := top[key]
	if !ok {
		return &VersionError{Key: key, Want: want}
	}
	if n, ok := got.(json.Number); !ok || n.String() != strconv.Itoa(want) {
		b, _ := json.Marshal(got) // a value that came out of Unmarshal
		return &VersionError{Key: key, Got: shorten(string(b)), Want: want}
	}
	return nil
}

var rawMessage = reflect.TypeFor[json.RawMessage]()

// checkShape holds v, a value of the generic tree, to the shape of t.
// path is where v is in the document, for the error.
func checkShape(v any, t reflect.Type, path string) error {
	if t == rawMessage || t.Kind() == reflect.Interface {
		return nil
	}
	if t.Kind() == reflect.Pointer {
		if v == nil {
			return nil
		}
		t = t.Elem()
	}
	want := ""
	switch t.Kind() {
	case reflect.String:
		if _, ok := v.(string); ok {
			return nil
		}
		want = "a string"
	case reflect.Bool:
		if _, ok := v.(bool); ok {
			return nil
		}
		want = "a boolean"
	case reflect.Float32, reflect.Float64:
		if _, ok := v.(json.Number); ok {
			return nil
		}
		want = "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n, ok := v.(json.Number); ok {
			if _, err := strconv.ParseInt(n.String(), 10, t.Bits()); err != nil {
				return fmt.Errorf("%swant an integer, got %s", at(path), shorten(n.String()))
			}
			return nil
		}
		want = "an integer"
	case reflect.Slice:
		items, ok := v.([]any)
		if !ok {
			want = "an array"
			break
		}
		for i, it := range items {
			if err := checkShape(it, t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map, reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			want = "an object"
			break
		}
		if t.Kind() == reflect.Struct {
			return checkFields(obj, t, path)
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if err := checkShape(obj[k], t.Elem(), join(path, k)); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("%scannot check a Go %s", at(path), t.Kind())
	}
	return fmt.Errorf("%swant %s, got %s", at(path), want, jsonKind(v))
}

// checkFields requires obj to have exactly the keys encoding/json maps to
// t's fields, each of its field's shape.
func checkFields(obj map[string]any, t reflect.Type, path string) error {
	known := 0
	for _, f := range reflect.VisibleFields(t) {
		name, omitempty, ok := jsonName(f)
		if !ok {
			continue
		}
		v, ok := obj[name]
		if !ok {
			if omitempty {
				continue
			}
			return fmt.Errorf("%smissing %q", at(path), name)
		}
		known++
		if err := checkShape(v, f.Type, join(path, name)); err != nil {
			return err
		}
	}
	if known == len(obj) {
		return nil
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !hasJSONField(t, k) {
			return fmt.Errorf("%sunknown key %s", at(path), shorten(strconv.Quote(k)))
		}
	}
	return nil
}

func hasJSONField(t reflect.Type, key string) bool {
	for _, f := range reflect.VisibleFields(t) {
		if name, _, ok := jsonName(f); ok && name == key {
			return true
		}
	}
	return false
}

// jsonName is the key encoding/json gives f; ok is false for a field it
// does not map to a key of its own: unexported, "-", or an embedded
// struct whose fields are promoted (VisibleFields lists them too).
func jsonName(f reflect.StructField) (name string, omitempty, ok bool) {
	tag := f.Tag.Get("json")
	if !f.IsExported() || (f.Anonymous && tag == "") || tag == "-" {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name, slices.Contains(strings.Split(opts, ","), "omitempty"), true
}

// jsonKind names the JSON type of a value of the generic tree.
func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a number"
}

func at(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

func join(path, key string) string {
	if key == "" || strings.ContainsAny(key, ".[]\" :") || !utf8.ValidString(key) {
		key = strconv.Quote(key)
	}
	key = shorten(key)
	if path == "" {
		return key
	}
	return path + "." + key
}

// shorten keeps an error about a hostile file to one readable line.
func shorten(s string) string {
	const limit = 40
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit]) + "…"
}

// excerpt quotes the start of b.
func excerpt(b []byte) string {
	const limit = 40
	if len(b) > 4*limit {
		b = b[:4*limit]
	}
	return shorten(strconv.Quote(string(b)))
}
