package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// Decode reads back a document that JSON wrote: it checks it against
// SchemaJSON and returns the report and the tool that wrote it, so a
// report can be rendered again in any format (`neo4j-doctor report
// BUNDLE`). What JSON rounds is rounded here too: durations come back to
// the microsecond, and an empty setting source stays empty.
func Decode(doc []byte) (*checks.Report, ToolInfo, error) {
	if err := ValidateJSON(doc); err != nil {
		return nil, ToolInfo{}, err
	}
	var d jsonDoc
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&d); err != nil {
		return nil, ToolInfo{}, fmt.Errorf("report: decode: %w", err)
	}
	started, err := time.Parse(time.RFC3339Nano, d.StartedAt)
	if err != nil {
		return nil, ToolInfo{}, fmt.Errorf("report: startedAt: %w", err)
	}
	t := d.Target
	r := &checks.Report{
		Target: checks.TargetInfo{
			URI: t.URI, Scheme: t.Scheme, Host: t.Host, Port: t.Port, Username: t.Username,
			PasswordSource: t.PasswordSource, Database: t.Database, Resolver: t.Resolver,
			AuraInstance: t.AuraInstance, Settings: make(map[string]checks.Setting, len(t.Settings)),
		},
		Started:  started,
		Duration: fromMillis(d.DurationMs),
		Checks:   fromJSONChecks(d.Checks),
		Members:  make([]checks.Member, 0, len(d.Members)),
		Verdict:  checks.Status(d.Verdict),
		ExitCode: d.ExitCode,
	}
	for k, s := range t.Settings {
		r.Target.Settings[k] = checks.Setting{Value: s.Value, Source: s.Source, From: s.From}
	}
	for _, m := range d.Members {
		r.Members = append(r.Members, checks.Member{
			Address: m.Address, Roles: m.Roles, Status: checks.Status(m.Status), Checks: fromJSONChecks(m.Checks),
		})
	}
	return r, d.Tool, nil
}

func fromJSONChecks(cs []jsonCheck) []checks.Result {
	out := make([]checks.Result, 0, len(cs))
	for _, c := range cs {
		res := checks.Result{
			ID: c.ID, Title: c.Title, Status: checks.Status(c.Status), Summary: c.Summary,
			Duration: fromMillis(c.DurationMs), Facts: c.Facts, Evidence: c.Evidence, Hints: c.Hints,
		}
		if c.Error != nil {
			res.Error = *c.Error
		}
		out = append(out, res)
	}
	return out
}

// fromMillis undoes millis: the schema's milliseconds carry microseconds.
func fromMillis(ms float64) time.Duration {
	return time.Duration(math.Round(ms*1000)) * time.Microsecond
}
