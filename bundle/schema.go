package bundle

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// SchemaJSON is the JSON Schema (draft 2020-12) of a bundle. Its report
// is described by report.SchemaJSON, which it references by $id.
//
//go:embed schema/bundle.v1.schema.json
var SchemaJSON []byte

// SchemaID is the $id of SchemaJSON.
const SchemaID = "https://github.com/neo4j-doctor/neo4j-doctor/bundle/schema/bundle.v1.schema.json"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, s := range []struct {
		id  string
		doc []byte
	}{{SchemaID, SchemaJSON}, {report.SchemaID, report.SchemaJSON}} {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(s.doc))
		if err != nil {
			return nil, fmt.Errorf("bundle: embedded schema %s: %w", s.id, err)
		}
		if err := c.AddResource(s.id, v); err != nil {
			return nil, fmt.Errorf("bundle: embedded schema %s: %w", s.id, err)
		}
	}
	s, err := c.Compile(SchemaID)
	if err != nil {
		return nil, fmt.Errorf("bundle: embedded schema: %w", err)
	}
	return s, nil
})

// Validate checks that doc is one JSON value that conforms to SchemaJSON,
// its report included.
func Validate(doc []byte) error {
	s, err := compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("bundle: not json: %w", err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("bundle: does not match bundle schema version %d: %w", Version, err)
	}
	return nil
}
