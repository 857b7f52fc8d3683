package report

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// TestStreamsWithColor: --color and the environment decide colour per
// stream, and a fake terminal counts as one.
func TestStreamsWithColor(t *testing.T) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	tests := []struct {
		mode     string
		tty      bool // Out plays a terminal; Err never is one
		env      func(string) string
		out, err bool
	}{
		{ColorAlways, false, envOf(), true, true},
		{ColorAlways, false, envOf("NO_COLOR", "1"), true, true}, // an explicit flag beats the environment
		{ColorNever, true, envOf(), false, false},
		{ColorAuto, false, envOf(), false, false}, // not a terminal
		{ColorAuto, true, envOf(), true, false},   // per stream
		{ColorAuto, true, envOf("NO_COLOR", "1"), false, false},
		{ColorAuto, true, envOf("TERM", "dumb"), false, false},
		{ColorAuto, true, nil, true, false}, // nil: an empty environment, never the process's
	}
	for _, tt := range tests {
		s, _, _ := TestStreams()
		s.OutTTY = tt.tty
		got, err := s.WithColor(tt.mode, tt.env)
		if err != nil {
			t.Fatal(err)
		}
		if got.OutColor != tt.out || got.ErrColor != tt.err {
			t.Errorf("--color %s, tty %v: out %v err %v, want %v %v", tt.mode, tt.tty, got.OutColor, got.ErrColor, tt.out, tt.err)
		}
		if want := tt.mode == ColorAlways; got.ColorFor(devnull) != want {
			t.Errorf("--color %s: a file (not a terminal) gets colour %v, want %v", tt.mode, !want, want)
		}
	}
	if s, _, _ := TestStreams(); s.ColorFor(devnull) || s.OutColor || s.ErrColor {
		t.Error("colour before WithColor")
	}
}

func TestNewStreams(t *testing.T) {
	var out, errw bytes.Buffer
	s := NewStreams(&out, &errw)
	if s.Out != &out || s.Err != &errw || s.OutTTY || s.ErrTTY || s.OutColor || s.ErrColor {
		t.Errorf("NewStreams over buffers = %+v", s)
	}
	if _, err := s.WithColor("sometimes", envOf()); err == nil {
		t.Error("WithColor accepted --color sometimes")
	}
	c, err := s.WithColor(ColorAlways, envOf("NO_COLOR", "1"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.OutColor || !c.ErrColor || c.Out != &out || c.Err != &errw {
		t.Errorf("WithColor(always) = %+v", c)
	}
}

// fatih/color's global NoColor follows os.Stdout and NO_COLOR; the
// renderers must follow only the bool they are given.
func TestPaletteIgnoresEnvironment(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	if got := paint(newPalette(true).fail, "x"); !strings.Contains(got, "\x1b[") {
		t.Errorf("colour on but NO_COLOR in the environment won: %q", got)
	}
	t.Setenv("NO_COLOR", "")
	if got := paint(newPalette(false).fail, "x"); got != "x" {
		t.Errorf("colour off: %q", got)
	}
}

func TestError(t *testing.T) {
	var b bytes.Buffer
	Error(&b, errors.New("invalid uri \"neo4j//x\":\nmissing scheme"), "use neo4j://host:7687 or neo4j+s://host", false)
	want := "error: invalid uri \"neo4j//x\":; missing scheme\nhint: use neo4j://host:7687 or neo4j+s://host\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}

	b.Reset()
	Error(&b, errors.New("no uri given"), "", false)
	if b.String() != "error: no uri given\n" {
		t.Errorf("without hint: %q", b.String())
	}

	b.Reset()
	Error(&b, nil, "a hint", false)
	if b.Len() != 0 {
		t.Errorf("nil error wrote %q", b.String())
	}

	b.Reset()
	Error(&b, errors.New("x"), "y", true)
	if !strings.Contains(b.String(), "\x1b[") || strings.Count(b.String(), "\n") != 2 {
		t.Errorf("colour: %q", b.String())
	}
}

// TestStreamsWidth: COLUMNS when it is a positive integer, else the
// terminal's width, else DefaultWidth; the same for an -o file.
func TestStreamsWidth(t *testing.T) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	tests := []struct {
		env   func(string) string
		tty   bool
		cols  int
		width int // of Out
		file  int // of an -o file, never a terminal
	}{
		{envOf(), false, 0, DefaultWidth, DefaultWidth},
		{envOf("COLUMNS", "80"), false, 0, 80, 80}, // a pipe, but COLUMNS says
		{envOf("COLUMNS", "80"), true, 132, 80, 80},
		{envOf(), true, 132, 132, DefaultWidth},
		{envOf(), true, 0, DefaultWidth, DefaultWidth}, // a terminal of unknown size
		{envOf(), false, 132, DefaultWidth, DefaultWidth},
		{envOf("COLUMNS", "0"), true, 90, 90, DefaultWidth},
		{envOf("COLUMNS", "-5"), false, 0, DefaultWidth, DefaultWidth},
		{envOf("COLUMNS", "wide"), true, 90, 90, DefaultWidth},
		{envOf("COLUMNS", " 72 "), false, 0, 72, 72},
		{nil, true, 90, 90, DefaultWidth},
	}
	for i, tt := range tests {
		s, _, _ := TestStreams()
		s.OutTTY, s.OutColumns = tt.tty, tt.cols
		if s.Width != 0 {
			t.Errorf("Width %d before WithWidth", s.Width)
		}
		s = s.WithWidth(tt.env)
		if s.Width != tt.width {
			t.Errorf("case %d: Width %d, want %d", i, s.Width, tt.width)
		}
		if got := s.WidthFor(devnull); got != tt.file {
			t.Errorf("case %d: WidthFor(a file) %d, want %d", i, got, tt.file)
		}
	}
	if s := NewStreams(new(bytes.Buffer), new(bytes.Buffer)); s.OutColumns != 0 {
		t.Errorf("a buffer has %d columns", s.OutColumns)
	}
}
