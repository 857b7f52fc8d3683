package report

import (
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/internal/truststore"
)

func init() { registerFormat(Format{Name: "json", order: 2, render: withTool(JSON)}) }

// SchemaVersion is the version of the JSON document JSON writes and
// SchemaJSON describes.
const SchemaVersion = 1

// ToolInfo names the program that wrote a JSON report.
type ToolInfo struct {
	Name    string `json:"name"`    // "neo4j-doctor" when empty
	Version string `json:"version"` // as printed by --version
}

// The document types below are report-side on purpose: they fix key order
// (struct order, not map order), turn nil slices into [], carry durations
// as milliseconds, and never hold a secret, independently of how checks/
// shapes its types.

type jsonDoc struct {
	SchemaVersion int          `json:"schemaVersion"`
	Tool          ToolInfo     `json:"tool"`
	Target        jsonTarget   `json:"target"`
	Verdict       string       `json:"verdict"`
	ExitCode      int          `json:"exitCode"`
	StartedAt     string       `json:"startedAt"`
	DurationMs    float64      `json:"durationMs"`
	Checks        []jsonCheck  `json:"checks"`
	Members       []jsonMember `json:"members"`
	// Connections and Logons are what the diagnosis cost the servers;
	// Warm says it started from what the process remembered, and
	// TableChange (absent when none) how the routing table changed since
	// the process's last diagnosis of the target.
	// They are absent when zero or false, so that reports written before
	// them still decode.
	Connections int                `json:"connections,omitempty"`
	Logons      int                `json:"logons,omitempty"`
	Warm        bool               `json:"warm,omitempty"`
	TableChange *jsonRoutingChange `json:"tableChange,omitempty"`
	// Idle is what the idle check measured (--idle-probe); absent when
	// it did not run.
	Idle *jsonIdle `json:"idle,omitempty"`
	// TrustStores says which trust stores accept the server's chain (the
	// tls check); absent when none was judged.
	TrustStores []jsonTrustStore `json:"trustStores,omitempty"`
}

// jsonTrustStore is one truststore.Verdict.
type jsonTrustStore struct {
	Kind        string `json:"kind"`
	Path        string `json:"path"`
	From        string `json:"from"`
	Status      string `json:"status"` // accepted, rejected or unreadable
	Root        string `json:"root"`
	Reason      string `json:"reason"`
	Application bool   `json:"application"`
}

func toJSONTrustStores(in []truststore.Verdict) []jsonTrustStore {
	var out []jsonTrustStore
	for _, v := range in {
		status := "rejected"
		switch {
		case v.Accepted:
			status = "accepted"
		case v.Unreadable:
			status = "unreadable"
		}
		out = append(out, jsonTrustStore{Kind: v.Kind, Path: v.Path, From: v.From, Status: status, Root: v.Root, Reason: v.Reason, Application: v.Picked})
	}
	return out
}

func fromJSONTrustStores(in []jsonTrustStore) []truststore.Verdict {
	var out []truststore.Verdict
	for _, j := range in {
		out = append(out, truststore.Verdict{Kind: j.Kind, Path: j.Path, From: j.From, Accepted: j.Status == "accepted",
			Unreadable: j.Status == "unreadable", Root: j.Root, Reason: j.Reason, Picked: j.Application})
	}
	return out
}

// jsonIdle is checks.IdleInfo: milliseconds, and null for what is not
// known.
type jsonIdle struct {
	Server             string          `json:"server"`
	Writer             bool            `json:"writer"`
	KeepAlive          bool            `json:"keepAlive"`
	Probes             []jsonIdleProbe `json:"probes"`
	SafeMs             *float64        `json:"safeMs"`
	CutMs              *float64        `json:"cutMs"`
	RecvTimeoutSeconds *int64          `json:"recvTimeoutSeconds"`
	Interrupted        bool            `json:"interrupted"`
}

type jsonIdleProbe struct {
	IdleMs  float64 `json:"idleMs"`
	Outcome string  `json:"outcome"`
	AfterMs float64 `json:"afterMs"`
}

func toJSONIdle(in *checks.IdleInfo) *jsonIdle {
	if in == nil {
		return nil
	}
	j := &jsonIdle{Server: in.Server, Writer: in.Writer, KeepAlive: in.KeepAlive, Probes: make([]jsonIdleProbe, 0, len(in.Probes)), Interrupted: in.Interrupted}
	for _, p := range in.Probes {
		j.Probes = append(j.Probes, jsonIdleProbe{IdleMs: millis(p.Idle), Outcome: p.Outcome, AfterMs: millis(p.After)})
	}
	if in.Safe > 0 {
		ms := millis(in.Safe)
		j.SafeMs = &ms
	}
	if in.Cut > 0 {
		ms := millis(in.Cut)
		j.CutMs = &ms
	}
	if in.RecvTimeout > 0 {
		s := int64(in.RecvTimeout / time.Second)
		j.RecvTimeoutSeconds = &s
	}
	return j
}

func fromJSONIdle(j *jsonIdle) *checks.IdleInfo {
	if j == nil {
		return nil
	}
	in := &checks.IdleInfo{Server: j.Server, Writer: j.Writer, KeepAlive: j.KeepAlive, Interrupted: j.Interrupted, Probes: make([]checks.IdleProbe, 0, len(j.Probes))}
	for _, p := range j.Probes {
		in.Probes = append(in.Probes, checks.IdleProbe{Idle: fromMillis(p.IdleMs), Outcome: p.Outcome, After: fromMillis(p.AfterMs)})
	}
	if j.SafeMs != nil {
		in.Safe = fromMillis(*j.SafeMs)
	}
	if j.CutMs != nil {
		in.Cut = fromMillis(*j.CutMs)
	}
	if j.RecvTimeoutSeconds != nil {
		in.RecvTimeout = time.Duration(*j.RecvTimeoutSeconds) * time.Second
	}
	return in
}

type jsonTarget struct {
	URI            string                 `json:"uri"`
	Scheme         string                 `json:"scheme"`
	Host           string                 `json:"host"`
	Port           int                    `json:"port"`
	Username       string                 `json:"username"`
	PasswordSource string                 `json:"passwordSource"`
	Database       string                 `json:"database"` // "" = home database
	Resolver       string                 `json:"resolver"`
	AuraInstance   string                 `json:"auraInstance"`
	Settings       map[string]jsonSetting `json:"settings"` // encoding/json sorts map keys
}

type jsonSetting struct {
	Value  string `json:"value"`
	Source string `json:"source"`
	From   string `json:"from"`
}

type jsonCheck struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Status     string     `json:"status"`
	Code       jsonCode   `json:"code,omitempty"` // absent on a pass, and in reports written before codes existed
	Summary    string     `json:"summary"`
	DurationMs float64    `json:"durationMs"`
	Facts      []jsonFact `json:"facts"`
	Evidence   []jsonFact `json:"evidence"`
	Hints      []string   `json:"hints"`
	// DriverHints are the snippets of --driver for the fix; the key is
	// there only when the run named a driver, so reports without one
	// keep their bytes.
	DriverHints []jsonDriverHint `json:"driverHints,omitempty"`
	// Error is null rather than "" when there is none: in jq, "" is truthy
	// and null is not, so `select(.error)` does what it reads as.
	Error *string `json:"error"`
}

// jsonDriverHint is checks.DriverHint: one driver's snippet.
type jsonDriverHint struct {
	Driver  string `json:"driver"`
	Topic   string `json:"topic"`
	Snippet string `json:"snippet"`
	Doc     string `json:"doc"`
}

type jsonMember struct {
	Address string      `json:"address"`
	Roles   []string    `json:"roles"`
	Status  string      `json:"status"`
	Seed    bool        `json:"seed,omitempty"`
	Checks  []jsonCheck `json:"checks"`
}

// jsonRoutingChange is checks.TableChange.
type jsonRoutingChange struct {
	WritersBefore []string `json:"writersBefore"`
	WritersAfter  []string `json:"writersAfter"`
	Joined        []string `json:"joined"`
	Left          []string `json:"left"`
}

func toJSONRoutingChange(c *checks.TableChange) *jsonRoutingChange {
	if c == nil {
		return nil
	}
	return &jsonRoutingChange{WritersBefore: orEmpty(c.WritersBefore), WritersAfter: orEmpty(c.WritersAfter), Joined: orEmpty(c.Joined), Left: orEmpty(c.Left)}
}

func fromJSONRoutingChange(j *jsonRoutingChange) *checks.TableChange {
	if j == nil {
		return nil
	}
	return &checks.TableChange{WritersBefore: j.WritersBefore, WritersAfter: j.WritersAfter, Joined: j.Joined, Left: j.Left}
}

// JSON writes r as one schema-version-1 document (see SchemaJSON) followed
// by a newline. Every key is always present and every array is [] rather
// than null, so consumers need no existence checks; the same report always
// gives the same bytes.
func JSON(w io.Writer, r *checks.Report, tool ToolInfo) error {
	if r == nil {
		return errors.New("report: nil report")
	}
	if tool.Name == "" {
		tool.Name = "neo4j-doctor"
	}
	doc := jsonDoc{
		SchemaVersion: SchemaVersion,
		Tool:          tool,
		Target:        toJSONTarget(&r.Target),
		Verdict:       string(r.Verdict),
		ExitCode:      r.ExitCode,
		StartedAt:     r.Started.UTC().Format(time.RFC3339Nano),
		DurationMs:    millis(r.Duration),
		Checks:        toJSONChecks(r.Checks),
		Members:       make([]jsonMember, 0, len(r.Members)),
		Connections:   r.Connections,
		Logons:        r.Logons,
		Warm:          r.Warm,
		TableChange:   toJSONRoutingChange(r.TableChange),
		Idle:          toJSONIdle(r.Idle),
		TrustStores:   toJSONTrustStores(r.TrustStores),
	}
	for _, m := range r.Members {
		doc.Members = append(doc.Members, jsonMember{
			Address: m.Address,
			Roles:   orEmpty(m.Roles),
			Status:  string(m.Status),
			Seed:    m.Seed,
			Checks:  toJSONChecks(m.Checks),
		})
	}
	enc := json.NewEncoder(w)
	// Evidence holds server messages and bytes such as "<html>"; keep them
	// readable instead of \u003c.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func toJSONTarget(t *checks.TargetInfo) jsonTarget {
	settings := make(map[string]jsonSetting, len(t.Settings))
	for k, s := range t.Settings {
		v := s.Value
		switch {
		case secretKey(k):
			v = "" // defence in depth: checks/ promises "", the schema demands it
		case k == "uri":
			v = redactURI(v)
		}
		settings[k] = jsonSetting{Value: v, Source: s.Source, From: s.From}
	}
	return jsonTarget{
		URI:            redactURI(t.URI),
		Scheme:         t.Scheme,
		Host:           t.Host,
		Port:           t.Port,
		Username:       t.Username,
		PasswordSource: t.PasswordSource,
		Database:       t.Database,
		Resolver:       t.Resolver,
		AuraInstance:   t.AuraInstance,
		Settings:       settings,
	}
}

func toJSONChecks(rs []checks.Result) []jsonCheck {
	out := make([]jsonCheck, 0, len(rs))
	for _, r := range rs {
		c := jsonCheck{
			ID:         r.ID,
			Title:      r.Title,
			Status:     string(r.Status),
			Code:       jsonCode(r.Code),
			Summary:    r.Summary,
			DurationMs: millis(r.Duration),
			Facts:      toJSONFacts(r.Facts),
			Evidence:   toJSONFacts(r.Evidence),
			Hints:      orEmpty(r.Hints),
		}
		for _, d := range r.DriverHints {
			c.DriverHints = append(c.DriverHints, jsonDriverHint(d))
		}
		if r.Error != "" {
			c.Error = &r.Error
		}
		out = append(out, c)
	}
	return out
}

// jsonFact is a fact or a piece of evidence. verbose is present, and
// true, only on raw material the text report keeps for --verbose (hex,
// Go's error text, protocol detail), so that a report read back renders as
// it did.
type jsonFact struct {
	Name    string   `json:"name"`
	Value   string   `json:"value"`
	Verbose jsonTrue `json:"verbose,omitempty"`
}

func toJSONFacts(fs []checks.Fact) []jsonFact {
	out := make([]jsonFact, 0, len(fs))
	for _, f := range fs {
		out = append(out, jsonFact{Name: f.Name, Value: f.Value, Verbose: jsonTrue(f.Verbose)})
	}
	return out
}

func fromJSONFacts(fs []jsonFact) []checks.Fact {
	out := make([]checks.Fact, 0, len(fs))
	for _, f := range fs {
		out = append(out, checks.Fact{Name: f.Name, Value: f.Value, Verbose: bool(f.Verbose)})
	}
	return out
}

// jsonTrue is a flag written only when set: absent or true, never false,
// so that what Decode accepts JSON writes back byte for byte.
type jsonTrue bool

func (t *jsonTrue) UnmarshalJSON(b []byte) error {
	var v bool
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if !v {
		return errors.New("a fact's verbose is false: it is absent or true")
	}
	*t = true
	return nil
}

// jsonCode is a check's code: absent or a code, never "", so that what
// Decode accepts JSON writes back byte for byte.
type jsonCode string

func (c *jsonCode) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		return errors.New("a check's code is empty: it is absent or a code")
	}
	*c = jsonCode(s)
	return nil
}

// millis keeps microsecond precision: loopback connects take well under a
// millisecond, and more digits than that are noise.
func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
