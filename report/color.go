package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

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

// Streams is where output goes and what each stream can show, in the
// manner of gh's IOStreams. The program makes one at the top (NewStreams
// over os.Stdout and os.Stderr), the CLI decides colour on it once, from
// --color, in WithColor, and passes it down: renderers get a writer and
// its colour decision as values and never look at the environment or the
// terminal themselves. Colour is decided per stream because they often
// differ: `neo4j-doctor > out.txt` pipes the report while progress still
// goes to a terminal. The width the text report wraps at is decided the
// same way, once, in WithWidth. Tests use TestStreams, and may set OutTTY,
// ErrTTY or OutColumns on it to play a terminal.
type Streams struct {
	Out io.Writer // the report, and nothing else
	Err io.Writer // progress and diagnostics

	OutTTY bool // Out is a terminal: --color auto colours it
	ErrTTY bool // Err is a terminal

	OutColor bool // escape sequences allowed on Out; set by WithColor
	ErrColor bool // escape sequences allowed on Err; set by WithColor

	// OutColumns is the width of Out's terminal, 0 when Out is not a
	// terminal or its size is unknown.
	OutColumns int
	// Width is the column the text report on Out wraps at; set by
	// WithWidth, 0 (DefaultWidth) before.
	Width int

	mode    string // --color, once WithColor decided
	noColor bool   // NO_COLOR is set or TERM is dumb: auto colours nothing
	columns int    // COLUMNS, once WithWidth read it; 0 when unset or not a positive integer
}

// NewStreams returns Streams over out and errw (the process's stdout and
// stderr), noting which is a terminal. Colour is off until WithColor.
func NewStreams(out, errw io.Writer) Streams {
	return Streams{Out: out, Err: errw, OutTTY: isTerminal(out), ErrTTY: isTerminal(errw), OutColumns: columnsOf(out)}
}

// TestStreams returns Streams over fresh buffers, neither a terminal, with
// colour off, for tests that drive the CLI and assert on what it wrote.
func TestStreams() (s Streams, out, errw *bytes.Buffer) {
	out, errw = new(bytes.Buffer), new(bytes.Buffer)
	return Streams{Out: out, Err: errw}, out, errw
}

// WithColor decides colour for each stream from the --color mode and the
// environment, and is the only place that reads either; an unknown mode
// is an error, so a typo is bad input rather than auto.
//
// "always" wins over NO_COLOR: the NO_COLOR convention (no-color.org) is a
// user default that an explicit command-line choice overrides. "never"
// always disables. "auto" enables colour only on a terminal, and only when
// NO_COLOR is unset or empty and TERM is not "dumb". env is the
// environment lookup; nil is an empty environment. A stream that gets
// colour and is an *os.File is wrapped by go-colorable, which translates
// escape sequences on legacy Windows consoles and is the file itself
// elsewhere.
func (s Streams) WithColor(mode string, env func(string) string) (Streams, error) {
	switch mode {
	case ColorAuto, ColorAlways, ColorNever:
	default:
		return s, fmt.Errorf("invalid --color value %q: want auto, always or never", mode)
	}
	if env == nil {
		env = func(string) string { return "" }
	}
	s.mode = mode
	s.noColor = env("NO_COLOR") != "" || env("TERM") == "dumb"
	s.OutColor, s.ErrColor = s.colorOn(s.OutTTY), s.colorOn(s.ErrTTY)
	if f, ok := s.Out.(*os.File); ok && s.OutColor {
		s.Out = colorable.NewColorable(f)
	}
	if f, ok := s.Err.(*os.File); ok && s.ErrColor {
		s.Err = colorable.NewColorable(f)
	}
	return s, nil
}

// ColorFor is the same decision for another writer the run writes to, such
// as a file named by -o: colour with --color always, or with auto when w
// is a terminal (an -o /dev/tty); never before WithColor.
func (s Streams) ColorFor(w io.Writer) bool {
	return s.colorOn(isTerminal(w))
}

func (s Streams) colorOn(tty bool) bool {
	switch s.mode {
	case ColorAlways:
		return true
	case ColorAuto:
		return tty && !s.noColor
	}
	return false
}

// WithWidth decides the width the text report on Out wraps at: COLUMNS
// when it is a positive integer, else the width of Out's terminal, else
// DefaultWidth. It is the only place COLUMNS is read; env is the
// environment lookup, nil an empty environment.
func (s Streams) WithWidth(env func(string) string) Streams {
	s.columns = 0
	if env != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(env("COLUMNS"))); err == nil && n > 0 {
			s.columns = n
		}
	}
	s.Width = s.widthOf(s.OutTTY, s.OutColumns)
	return s
}

// WidthFor is the same decision for another writer the run writes to,
// such as a file named by -o: COLUMNS, else w's terminal width, else
// DefaultWidth.
func (s Streams) WidthFor(w io.Writer) int {
	return s.widthOf(isTerminal(w), columnsOf(w))
}

func (s Streams) widthOf(tty bool, cols int) int {
	switch {
	case s.columns > 0:
		return s.columns
	case tty && cols > 0:
		return cols
	}
	return DefaultWidth
}

// columnsOf is the width of the terminal w is, 0 when it is none.
func columnsOf(w io.Writer) int {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok || !isTerminal(w) {
		return 0
	}
	return terminalColumns(f.Fd())
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

// palette holds one fatih/color value per role. Each is explicitly enabled
// or disabled so the decision made by Streams.WithColor is the only one
// that counts: fatih/color's global NoColor looks at os.Stdout and NO_COLOR,
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
