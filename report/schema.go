package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaJSON is the JSON Schema (draft 2020-12) of the document JSON
// writes, shipped in the binary so any package, and any user, can check a
// report against the exact contract of the version that wrote it.
//
//go:embed schema/report.v1.schema.json
var SchemaJSON []byte

// SchemaID is the $id of SchemaJSON.
const SchemaID = "https://github.com/neo4j-doctor/neo4j-doctor/report/schema/report.v1.schema.json"

// compiledSchema compiles SchemaJSON once per process; the embedded bytes
// cannot change, so neither can the result.
var compiledSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON))
	if err != nil {
		return nil, fmt.Errorf("report: embedded schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	// format is only an annotation in 2020-12 unless asserted; startedAt
	// must really be a date-time.
	c.AssertFormat()
	if err := c.AddResource(SchemaID, doc); err != nil {
		return nil, fmt.Errorf("report: embedded schema: %w", err)
	}
	s, err := c.Compile(SchemaID)
	if err != nil {
		return nil, fmt.Errorf("report: embedded schema: %w", err)
	}
	return s, nil
})

// ValidateJSON checks that doc is exactly one JSON value that conforms to
// SchemaJSON. It lives outside the tests so that checks/ and the CLI tests
// can assert their --json output against the same contract.
func ValidateJSON(doc []byte) error {
	s, err := compiledSchema()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("report: not json: %w", err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("report: json does not match schema version %d: %w", SchemaVersion, err)
	}
	return nil
}
