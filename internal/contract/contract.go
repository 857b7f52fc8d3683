// Package contract checks documents against the JSON Schemas neo4j-doctor
// ships (report.SchemaJSON, report.FleetSchemaJSON,
// report.WatchSchemaJSON, report.ServedSchemaJSON, bundle.SchemaJSON)
// with a full JSON Schema validator, so tests can hold every document the
// tool writes to the contract it publishes.
//
// It is for tests only: import it from _test.go files and nowhere else.
// The binary reads documents back with strict decoding (report.Decode,
// bundle.Read) and links no schema library, whose package init cost every
// run 3–4 ms; TestOnlyTestsImportContract fails the build of that promise.
//
// report's and bundle's own in-package tests cannot import contract (it
// imports them); they call schemacheck.Validate with the same bytes.
package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/neo4j-doctor/neo4j-doctor/bundle"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract/schemacheck"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// Report checks that doc is exactly one JSON value that conforms to
// report.SchemaJSON, as --format json must write it.
func Report(doc []byte) error {
	return explain(schemacheck.Validate(doc, report.SchemaJSON), "report",
		fmt.Sprintf("json does not match schema version %d", report.SchemaVersion))
}

// Fleet checks that doc is exactly one JSON value that conforms to
// report.FleetSchemaJSON, every target's report included.
func Fleet(doc []byte) error {
	return explain(schemacheck.Validate(doc, report.FleetSchemaJSON, report.SchemaJSON), "report",
		fmt.Sprintf("json does not match the fleet schema version %d", report.SchemaVersion))
}

// Watch checks what `watch --format json` wrote: one JSON object per
// line, each conforming to report.WatchSchemaJSON; a start first, a
// summary last, changes between, and no empty line.
func Watch(out []byte) error {
	lines := bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n"))
	if len(out) == 0 || out[len(out)-1] != '\n' {
		return errors.New("watch: the output does not end with a newline")
	}
	for i, line := range lines {
		err := explain(schemacheck.Validate(line, report.WatchSchemaJSON, report.SchemaJSON), "watch",
			fmt.Sprintf("line %d does not match the watch schema version %d", i+1, report.WatchSchemaVersion))
		if err != nil {
			return err
		}
		var head struct{ Type string }
		_ = json.Unmarshal(line, &head) // valid: it conformed
		want := "change"
		switch {
		case i == 0:
			want = "start"
		case i == len(lines)-1:
			want = "summary"
		}
		if head.Type != want {
			return fmt.Errorf("watch: line %d is a %s, want a %s", i+1, head.Type, want)
		}
	}
	if len(lines) < 2 {
		return fmt.Errorf("watch: %d line, want a start and a summary at least", len(lines))
	}
	return nil
}

// Served checks what `demo --serve --format json` wrote: one JSON object
// on one line, conforming to report.ServedSchemaJSON.
func Served(out []byte) error {
	if len(out) == 0 || out[len(out)-1] != '\n' || bytes.Count(out, []byte("\n")) != 1 {
		return errors.New("served: want one line ending with a newline")
	}
	return explain(schemacheck.Validate(out, report.ServedSchemaJSON), "served",
		fmt.Sprintf("does not match the served schema version %d", report.ServedSchemaVersion))
}

// Bundle checks that doc is exactly one JSON value that conforms to
// bundle.SchemaJSON, its report included.
func Bundle(doc []byte) error {
	return explain(schemacheck.Validate(doc, bundle.SchemaJSON, report.SchemaJSON), "bundle",
		fmt.Sprintf("does not match bundle schema version %d", bundle.Version))
}

// explain gives err the words the validators had when they were part of
// report and bundle: "report: not json: …", "bundle: does not match …".
func explain(err error, pkg, mismatch string) error {
	var d *schemacheck.DocError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &d):
		return fmt.Errorf("%s: %w", pkg, err)
	case d.NotJSON:
		return fmt.Errorf("%s: not json: %w", pkg, d.Err)
	}
	return fmt.Errorf("%s: %s: %w", pkg, mismatch, d.Err)
}
