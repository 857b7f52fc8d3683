package report

import (
	"fmt"
	"io"
	"sort"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// A Format is one value of --format: how a report is rendered, and, when
// the format has a variant for `check --targets`, how a fleet result is.
// Each format registers itself from its own file (registerFormat; the
// fleet variants from fleet.go), and everything that names formats reads
// the registry: the --format usage text and hint, shell completion, -o,
// `check --targets` and `report FILE`. A new format is one file and its
// golden files.
type Format struct {
	Name string // the value of --format
	// CI is true for the formats CI systems read (JUnit XML, workflow
	// annotations, job summaries), which --format's hint names apart.
	CI bool
	// order is the format's place in every list, text first: the usage
	// text, the hint and the completions read in this order.
	order  int
	render func(io.Writer, *checks.Report, Options) error
	fleet  func(io.Writer, *checks.FleetReport, Options) error // nil: not for --targets
}

// Options are what a renderer is told besides the report.
type Options struct {
	Tool    ToolInfo // who wrote the report; the text report's header names its version
	Verbose bool     // text: also the evidence of passing checks and every member's checks
	Color   bool     // escape sequences allowed where the bytes go, as Streams decided
	Width   int      // text: the column lines wrap at, as Streams decided; 0: DefaultWidth
}

// Render writes r in this format.
func (f Format) Render(w io.Writer, r *checks.Report, o Options) error { return f.render(w, r, o) }

// HasFleet reports whether the format has a variant for `check --targets`.
func (f Format) HasFleet() bool { return f.fleet != nil }

// RenderFleet writes the diagnosis of many targets in this format; it is
// an error for a format without a fleet variant (see HasFleet).
func (f Format) RenderFleet(w io.Writer, res *checks.FleetReport, o Options) error {
	if f.fleet == nil {
		return fmt.Errorf("report: format %s has no fleet variant", f.Name)
	}
	return f.fleet(w, res, o)
}

// The registry, filled by the formats' init functions, which run in the
// order of their files' names: a fleet variant may come before its format.
var (
	formats      = map[string]Format{}
	fleetFormats = map[string]func(io.Writer, *checks.FleetReport, Options) error{}
)

// registerFormat adds a format; a second format of the same name, or one
// without a name or a renderer, is a programming error.
func registerFormat(f Format) {
	if _, dup := formats[f.Name]; dup || f.Name == "" || f.render == nil {
		panic(fmt.Sprintf("report: format %q registered twice or without a renderer", f.Name))
	}
	formats[f.Name] = f
}

// registerFleet gives the format name its `check --targets` variant.
func registerFleet(name string, render func(io.Writer, *checks.FleetReport, Options) error) {
	if _, dup := fleetFormats[name]; dup || render == nil {
		panic(fmt.Sprintf("report: fleet variant of %q registered twice or without a renderer", name))
	}
	fleetFormats[name] = render
}

// LookupFormat returns the format named name.
func LookupFormat(name string) (Format, bool) {
	f, ok := formats[name]
	f.fleet = fleetFormats[name]
	return f, ok
}

// Formats returns every format, in order (text first).
func Formats() []Format {
	out := make([]Format, 0, len(formats))
	for name := range formats {
		f, _ := LookupFormat(name)
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].order < out[j].order })
	return out
}

// FormatNames returns the name of every format, in order.
func FormatNames() []string {
	var names []string
	for _, f := range Formats() {
		names = append(names, f.Name)
	}
	return names
}

// withTool adapts a renderer that is told only the tool (JSON, JUnit,
// GitHub, Markdown).
func withTool(render func(io.Writer, *checks.Report, ToolInfo) error) func(io.Writer, *checks.Report, Options) error {
	return func(w io.Writer, r *checks.Report, o Options) error { return render(w, r, o.Tool) }
}

// withTextOptions adapts a renderer for people (Text).
func withTextOptions(render func(io.Writer, *checks.Report, TextOptions) error) func(io.Writer, *checks.Report, Options) error {
	return func(w io.Writer, r *checks.Report, o Options) error { return render(w, r, o.text()) }
}

// text is o as TextOptions.
func (o Options) text() TextOptions {
	return TextOptions{Version: o.Tool.Version, Verbose: o.Verbose, Color: o.Color, Width: o.Width}
}
