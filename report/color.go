package report

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/fatih/color"
	"github.com/mattn/go-colorable"
	"github.com/mattn/go-isatty"
)

// Values of --color.
const (
	ColorAuto   = "auto"   // colour when the stream is a terminal and NO_COLOR is unset
	ColorAlways = "always" // colour even into pipes and files, and despite NO_COLOR
	ColorNever  = "never"  // no escape sequences at all
)

// CheckColorMode reports whether mode is a valid --color value, so the CLI
// can reject a typo with exit code 3 instead of silently treating it as
// auto.
func CheckColorMode(mode string) error {
	switch mode {
	case ColorAuto, ColorAlways, ColorNever:
		return nil
	}
	return fmt.Errorf("invalid --color value %q: want auto, always or never", mode)
}

// ColorEnabled decides whether escape sequences may be written to w.
//
// "always" wins over NO_COLOR: the NO_COLOR convention (no-color.org) is a
// user default that an explicit command-line choice overrides. "never"
// always disables. "auto" (and, defensively, anything else) enables colour
// only when NO_COLOR is unset or empty, TERM is not "dumb", and w is a
// terminal. env is the environment lookup (os.Getenv when nil); tests pass
// their own so they never depend on the machine running them.
func ColorEnabled(mode string, w io.Writer, env func(string) string) bool {
	switch mode {
	case ColorAlways:
		return true
	case ColorNever:
		return false
	}
	if env == nil {
		env = os.Getenv
	}
	if env("NO_COLOR") != "" || env("TERM") == "dumb" {
		return false
	}
	return isTerminal(w)
}

// isTerminal is true for an *os.File (or anything else with a descriptor)
// attached to a terminal; buffers and pipes are not.
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok {
		return false
	}
	fd := f.Fd()
	return isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
}

// Streams is the terminal capability decision, made once by the CLI and
// passed down, in the manner of gh's IOStreams. Colour is decided per
// stream because they often differ: `neo4j-doctor > out.txt` pipes the
// report while progress still goes to a terminal.
type Streams struct {
	Out      io.Writer // the report, and nothing else
	Err      io.Writer // progress and diagnostics
	OutColor bool      // escape sequences allowed on Out
	ErrColor bool      // escape sequences allowed on Err
}

// NewStreams decides colour for out and errw from the --color mode and the
// environment. It rejects an unknown mode (see CheckColorMode). A stream
// that gets colour and is an *os.File is wrapped by go-colorable, which
// translates escape sequences on legacy Windows consoles and is the file
// itself elsewhere.
func NewStreams(mode string, out, errw io.Writer, env func(string) string) (Streams, error) {
	if err := CheckColorMode(mode); err != nil {
		return Streams{}, err
	}
	s := Streams{
		Out:      out,
		Err:      errw,
		OutColor: ColorEnabled(mode, out, env),
		ErrColor: ColorEnabled(mode, errw, env),
	}
	if f, ok := out.(*os.File); ok && s.OutColor {
		s.Out = colorable.NewColorable(f)
	}
	if f, ok := errw.(*os.File); ok && s.ErrColor {
		s.Err = colorable.NewColorable(f)
	}
	return s, nil
}

// TestStreams returns Streams over fresh buffers with colour off, for tests
// in any package that drive the CLI and assert on what it wrote.
func TestStreams() (s Streams, out, errw *bytes.Buffer) {
	out, errw = new(bytes.Buffer), new(bytes.Buffer)
	return Streams{Out: out, Err: errw}, out, errw
}

// palette holds one fatih/color value per role. Each is explicitly enabled
// or disabled so the decision made by ColorEnabled is the only one that
// counts: fatih/color's global NoColor looks at os.Stdout and NO_COLOR,
// which is wrong for stderr, for buffers and for --color always.
type palette struct {
	enabled                bool
	pass, warn, fail, skip *color.Color // status symbols
	dim                    *color.Color // durations, origins, skipped lines
	bold                   *color.Color // the tool name
	hint                   *color.Color // hint lines: the part to act on
	errLabel               *color.Color // the "error:" label
}

func newPalette(enabled bool) palette {
	p := palette{enabled: enabled}
	p.pass = p.color(color.FgGreen)
	p.warn = p.color(color.FgYellow)
	p.fail = p.color(color.FgRed)
	p.skip = p.color(color.Faint)
	p.dim = p.color(color.Faint)
	p.bold = p.color(color.Bold)
	p.hint = p.color(color.FgCyan)
	p.errLabel = p.color(color.FgRed, color.Bold)
	return p
}

// color returns a fatih/color value switched on or off by the palette's
// decision, never by fatih/color's own.
func (p palette) color(a ...color.Attribute) *color.Color {
	c := color.New(a...)
	if p.enabled {
		c.EnableColor()
	} else {
		c.DisableColor()
	}
	return c
}

// paint colours s, leaving an empty string empty rather than a pair of
// escape sequences around nothing; a nil c means no colour.
func paint(c *color.Color, s string) string {
	if c == nil || s == "" {
		return s
	}
	return c.Sprint(s)
}
