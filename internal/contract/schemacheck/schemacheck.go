// Package schemacheck validates a JSON document against JSON Schemas
// (draft 2020-12) given as bytes. It is the engine of package contract,
// split out because report's and bundle's own tests (package report,
// package bundle) cannot import contract, which imports both: they call
// Validate with their package's schema bytes instead.
//
// Like contract it is for tests only; nothing the binary links may import
// it (see contract's TestOnlyTestsImportContract).
package schemacheck

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// DocError is a document that is not exactly one JSON value (NotJSON) or
// that does not conform to the schema; Err says where and why.
type DocError struct {
	NotJSON bool
	Err     error
}

func (e *DocError) Error() string {
	if e.NotJSON {
		return "not json: " + e.Err.Error()
	}
	return "does not match the schema: " + e.Err.Error()
}

func (e *DocError) Unwrap() error { return e.Err }

// Validate checks that doc is exactly one JSON value that conforms to the
// schema root; refs are the schemas root refers to by their $id. Format
// is asserted, not just annotated: a startedAt must really be a
// date-time. Each set of schemas is compiled once per process. An error
// that is not a *DocError means a schema itself is broken.
func Validate(doc, root []byte, refs ...[]byte) error {
	s, err := compile(append([][]byte{root}, refs...))
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return &DocError{NotJSON: true, Err: err}
	}
	if err := s.Validate(v); err != nil {
		return &DocError{Err: err}
	}
	return nil
}

type compiled struct {
	s   *jsonschema.Schema
	err error
}

var (
	mu    sync.Mutex
	cache = map[string]compiled{}
)

// compile keys the cache by the schemas' bytes: callers pass embedded
// schemas, so a test run compiles each set once.
func compile(schemas [][]byte) (*jsonschema.Schema, error) {
	key := string(bytes.Join(schemas, []byte{0}))
	mu.Lock()
	defer mu.Unlock()
	c, ok := cache[key]
	if !ok {
		c.s, c.err = compileNew(schemas)
		cache[key] = c
	}
	return c.s, c.err
}

func compileNew(schemas [][]byte) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	var root string
	for i, b := range schemas {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("embedded schema %d: %w", i, err)
		}
		obj, _ := doc.(map[string]any)
		id, _ := obj["$id"].(string)
		if id == "" {
			return nil, fmt.Errorf("embedded schema %d has no $id", i)
		}
		if err := c.AddResource(id, doc); err != nil {
			return nil, fmt.Errorf("embedded schema %s: %w", id, err)
		}
		if i == 0 {
			root = id
		}
	}
	s, err := c.Compile(root)
	if err != nil {
		return nil, fmt.Errorf("embedded schema %s: %w", root, err)
	}
	return s, nil
}
