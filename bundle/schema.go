package bundle

import (
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// SchemaJSON is the JSON Schema (draft 2020-12) of a bundle. Its report
// is described by report.SchemaJSON, which it references by $id.
//
// Like report.SchemaJSON it is shipped, not enforced by the binary: Read
// decodes strictly (report.DecodeStrict and checkValues) and the tests
// check every bundle Build writes against it with a full validator
// (internal/contract).
//
//go:embed schema/bundle.v1.schema.json
var SchemaJSON []byte

// SchemaID is the $id of SchemaJSON.
const SchemaID = "https://github.com/neo4j-doctor/neo4j-doctor/bundle/schema/bundle.v1.schema.json"

// checkValues holds a decoded bundle to the value rules of SchemaJSON that
// Read relies on: the origin line prints the tool and createdAt, and the
// artifacts' timings restore the report's durations. The report inside is
// report.Decode's to check.
func checkValues(d *Document) error {
	if d.Tool.Name == "" {
		return errors.New("tool.name: empty")
	}
	if _, err := time.Parse(time.RFC3339Nano, d.CreatedAt); err != nil {
		return fmt.Errorf("createdAt: want an RFC 3339 date-time, got %.40s", strconv.Quote(d.CreatedAt))
	}
	if d.Artifacts == nil {
		return errors.New("artifacts: want an object, got null")
	}
	return checkTimings(d.Artifacts, "artifacts")
}

func checkTimings(a *checks.Artifacts, path string) error {
	for i, t := range a.Timings {
		if t.Nanos < 0 {
			return fmt.Errorf("%s.timings[%d].ns: negative (%d)", path, i, t.Nanos)
		}
	}
	for i, m := range a.Members {
		if m.Artifacts != nil {
			if err := checkTimings(m.Artifacts, fmt.Sprintf("%s.members[%d].artifacts", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}
