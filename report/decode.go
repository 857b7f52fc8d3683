package report

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// Decode reads back a document that JSON wrote and returns the report
// and the tool that wrote it, so a report can be rendered again in any
// format (`neo4j-doctor report BUNDLE`). It refuses, with a one-line
// error, anything JSON would not have written: see DecodeStrict for the
// shape, checkValues for the values. What JSON rounds is rounded here
// too: durations come back to the microsecond.
func Decode(doc []byte) (*checks.Report, ToolInfo, error) {
	var d jsonDoc
	if err := DecodeStrict(doc, &d, "schemaVersion", SchemaVersion); err != nil {
		return nil, ToolInfo{}, fmt.Errorf("report: %w", err)
	}
	if err := checkValues(&d); err != nil {
		return nil, ToolInfo{}, fmt.Errorf("report: %w", err)
	}
	started, err := time.Parse(time.RFC3339Nano, d.StartedAt)
	if err != nil {
		return nil, ToolInfo{}, fmt.Errorf("report: startedAt: want an RFC 3339 date-time, got %s", shorten(strconv.Quote(d.StartedAt)))
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
		Idle:     fromJSONIdle(d.Idle),

		Connections: d.Connections, Logons: d.Logons, Warm: d.Warm, TableChange: fromJSONRoutingChange(d.TableChange),

		TrustStores: fromJSONTrustStores(d.TrustStores),
	}
	for k, s := range t.Settings {
		r.Target.Settings[k] = checks.Setting{Value: s.Value, Source: s.Source, From: s.From}
	}
	for _, m := range d.Members {
		r.Members = append(r.Members, checks.Member{
			Address: m.Address, Roles: m.Roles, Status: checks.Status(m.Status), Seed: m.Seed, Checks: fromJSONChecks(m.Checks),
		})
	}
	return r, d.Tool, nil
}

// checkValues holds a decoded document to SchemaJSON's value rules that
// matter when it is rendered again: the exit code becomes the process's,
// statuses pick symbols and colours, and a password value must never be
// shown (JSON never writes one).
func checkValues(d *jsonDoc) error {
	switch {
	case d.Tool.Name == "":
		return errors.New("tool.name: empty")
	case !slices.Contains([]string{"pass", "warn", "fail"}, d.Verdict):
		return fmt.Errorf("verdict: want pass, warn or fail, got %s", shorten(strconv.Quote(d.Verdict)))
	case d.ExitCode < checks.ExitHealthy || d.ExitCode > checks.ExitNoAttempt:
		return fmt.Errorf("exitCode: want 0 to 3, got %d", d.ExitCode)
	case d.DurationMs < 0:
		return fmt.Errorf("durationMs: negative (%v)", d.DurationMs)
	case d.Target.Port < 0 || d.Target.Port > 65535:
		return fmt.Errorf("target.port: want 0 to 65535, got %d", d.Target.Port)
	}
	for _, k := range slices.Sorted(maps.Keys(d.Target.Settings)) {
		s := d.Target.Settings[k]
		if !slices.Contains([]string{"flag", "file", "env", "uri", "default"}, s.Source) {
			return fmt.Errorf("%s.source: want flag, file, env, uri or default, got %s", join("target.settings", k), shorten(strconv.Quote(s.Source)))
		}
		if k == "password" && s.Value != "" {
			return errors.New("target.settings.password.value: not empty, and a report never holds the password")
		}
	}
	if err := checkChecks(d.Checks, "checks"); err != nil {
		return err
	}
	if err := checkIdle(d.Idle); err != nil {
		return err
	}
	for i, m := range d.Members {
		path := fmt.Sprintf("members[%d]", i)
		if m.Address == "" {
			return fmt.Errorf("%s.address: empty", path)
		}
		if !validStatus(m.Status) {
			return fmt.Errorf("%s.status: want pass, warn, fail or skip, got %s", path, shorten(strconv.Quote(m.Status)))
		}
		if err := checkChecks(m.Checks, path+".checks"); err != nil {
			return err
		}
	}
	return nil
}

func checkChecks(cs []jsonCheck, path string) error {
	for i, c := range cs {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case !checks.ValidCheckID(c.ID):
			return fmt.Errorf("%s.id: not a check id: %s", p, shorten(strconv.Quote(c.ID)))
		case c.Code != "" && !checks.ValidCode(string(c.Code)):
			return fmt.Errorf("%s.code: not a code: %s", p, shorten(strconv.Quote(string(c.Code))))
		case !validStatus(c.Status):
			return fmt.Errorf("%s.status: want pass, warn, fail or skip, got %s", p, shorten(strconv.Quote(c.Status)))
		case c.DurationMs < 0:
			return fmt.Errorf("%s.durationMs: negative (%v)", p, c.DurationMs)
		}
		for _, fs := range []struct {
			name  string
			facts []jsonFact
		}{{"facts", c.Facts}, {"evidence", c.Evidence}} {
			for j, f := range fs.facts {
				if f.Name == "" {
					return fmt.Errorf("%s.%s[%d].name: empty", p, fs.name, j)
				}
			}
		}
		for j, h := range c.Hints {
			if h == "" {
				return fmt.Errorf("%s.hints[%d]: empty", p, j)
			}
		}
		for j, d := range c.DriverHints {
			if !slices.Contains(checks.Drivers, d.Driver) || checks.DriverTopicWords(d.Topic) == "" || d.Snippet == "" || d.Doc == "" {
				return fmt.Errorf("%s.driverHints[%d]: an unknown driver or topic, or no snippet or doc", p, j)
			}
		}
	}
	return nil
}

// idleOutcomes are the values of idle.probes[].outcome.
var idleOutcomes = []string{checks.IdleAnswered, checks.IdleReset, checks.IdleSilent, checks.IdleNotOpened, checks.IdleInterrupted}

// maxIdleMs bounds the idle object's milliseconds: a day, the longest
// idle time --idle-probe takes.
const maxIdleMs = 86_400_000

func checkIdle(j *jsonIdle) error {
	if j == nil {
		return nil
	}
	for i, p := range j.Probes {
		path := fmt.Sprintf("idle.probes[%d]", i)
		switch {
		case p.IdleMs <= 0 || p.IdleMs > maxIdleMs:
			return fmt.Errorf("%s.idleMs: want more than 0 and at most a day, got %v", path, p.IdleMs)
		case p.AfterMs < 0 || p.AfterMs > maxIdleMs:
			return fmt.Errorf("%s.afterMs: want 0 to a day, got %v", path, p.AfterMs)
		case !slices.Contains(idleOutcomes, p.Outcome):
			return fmt.Errorf("%s.outcome: want answered, reset, silent, not_opened or interrupted, got %s", path, shorten(strconv.Quote(p.Outcome)))
		}
	}
	for _, v := range []struct {
		name string
		ms   *float64
	}{{"idle.safeMs", j.SafeMs}, {"idle.cutMs", j.CutMs}} {
		if v.ms != nil && (*v.ms <= 0 || *v.ms > maxIdleMs) {
			return fmt.Errorf("%s: want more than 0 and at most a day, or null, got %v", v.name, *v.ms)
		}
	}
	if s := j.RecvTimeoutSeconds; s != nil && (*s <= 0 || *s > math.MaxInt32) {
		return fmt.Errorf("idle.recvTimeoutSeconds: want 1 to %d, or null, got %d", math.MaxInt32, *s)
	}
	return nil
}

func validStatus(s string) bool {
	return slices.Contains([]string{"pass", "warn", "fail", "skip"}, s)
}

func fromJSONChecks(cs []jsonCheck) []checks.Result {
	out := make([]checks.Result, 0, len(cs))
	for _, c := range cs {
		res := checks.Result{
			ID: c.ID, Title: c.Title, Status: checks.Status(c.Status), Code: string(c.Code), Summary: c.Summary,
			Duration: fromMillis(c.DurationMs), Facts: fromJSONFacts(c.Facts), Evidence: fromJSONFacts(c.Evidence), Hints: c.Hints,
		}
		for _, d := range c.DriverHints {
			res.DriverHints = append(res.DriverHints, checks.DriverHint(d))
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
