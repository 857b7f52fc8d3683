package report

import (
	"bytes"
	"slices"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// TestFormatRegistry: the formats, in the order every list shows them,
// the CI ones marked, and the fleet variants `check --targets` writes.
func TestFormatRegistry(t *testing.T) {
	if got, want := FormatNames(), []string{"text", "json", "junit", "github", "markdown"}; !slices.Equal(got, want) {
		t.Errorf("formats %q, want %q", got, want)
	}
	var ci, withFleet []string
	for _, f := range Formats() {
		if f.CI {
			ci = append(ci, f.Name)
		}
		if f.HasFleet() {
			withFleet = append(withFleet, f.Name)
		}
	}
	if want := []string{"junit", "github", "markdown"}; !slices.Equal(ci, want) {
		t.Errorf("CI formats %q, want %q", ci, want)
	}
	if want := []string{"text", "json", "junit"}; !slices.Equal(withFleet, want) {
		t.Errorf("fleet variants %q, want %q", withFleet, want)
	}
	for name := range fleetFormats {
		if _, ok := formats[name]; !ok {
			t.Errorf("fleet variant %q of no format", name)
		}
	}
	if _, ok := LookupFormat("yaml"); ok {
		t.Error("LookupFormat found yaml")
	}
	f, _ := LookupFormat("markdown")
	if err := f.RenderFleet(new(bytes.Buffer), fleetResult(), Options{}); err == nil {
		t.Error("markdown rendered a fleet")
	}
}

// TestFormatRenderIsTheRenderer: rendering through the registry writes
// exactly what each renderer writes when called itself.
func TestFormatRenderIsTheRenderer(t *testing.T) {
	tool := ToolInfo{Name: "neo4j-doctor", Version: "1.0.0"}
	direct := map[string]func(*bytes.Buffer, *checks.Report, bool, bool) error{
		"text": func(b *bytes.Buffer, r *checks.Report, verbose, color bool) error {
			return Text(b, r, TextOptions{Version: tool.Version, Verbose: verbose, Color: color})
		},
		"json":     func(b *bytes.Buffer, r *checks.Report, _, _ bool) error { return JSON(b, r, tool) },
		"junit":    func(b *bytes.Buffer, r *checks.Report, _, _ bool) error { return JUnit(b, r, tool) },
		"github":   func(b *bytes.Buffer, r *checks.Report, _, _ bool) error { return GitHub(b, r, tool) },
		"markdown": func(b *bytes.Buffer, r *checks.Report, _, _ bool) error { return Markdown(b, r, tool) },
	}
	directFleet := map[string]func(*bytes.Buffer, *checks.FleetReport, bool, bool) error{
		"text": func(b *bytes.Buffer, res *checks.FleetReport, verbose, color bool) error {
			return FleetText(b, res, TextOptions{Version: tool.Version, Verbose: verbose, Color: color})
		},
		"json":  func(b *bytes.Buffer, res *checks.FleetReport, _, _ bool) error { return FleetJSON(b, res, tool) },
		"junit": func(b *bytes.Buffer, res *checks.FleetReport, _, _ bool) error { return FleetJUnit(b, res, tool) },
	}
	for _, f := range Formats() {
		if direct[f.Name] == nil {
			t.Errorf("format %s: no direct renderer in this test", f.Name)
			continue
		}
		for _, verbose := range []bool{false, true} {
			for _, color := range []bool{false, true} {
				o := Options{Tool: tool, Verbose: verbose, Color: color}
				for _, c := range formatCases {
					var got, want bytes.Buffer
					if err := f.Render(&got, c.report(), o); err != nil {
						t.Fatal(err)
					}
					if err := direct[f.Name](&want, c.report(), verbose, color); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got.Bytes(), want.Bytes()) {
						t.Errorf("%s of %s (%+v) differs through the registry", f.Name, c.name, o)
					}
				}
				if !f.HasFleet() {
					continue
				}
				var got, want bytes.Buffer
				if err := f.RenderFleet(&got, fleetResult(), o); err != nil {
					t.Fatal(err)
				}
				if err := directFleet[f.Name](&want, fleetResult(), verbose, color); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Errorf("fleet %s (%+v) differs through the registry", f.Name, o)
				}
			}
		}
	}
}
