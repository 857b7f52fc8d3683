package report

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestColorEnabled(t *testing.T) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	var buf bytes.Buffer
	tests := []struct {
		mode string
		w    io.Writer
		env  func(string) string
		want bool
	}{
		{ColorAlways, &buf, envOf(), true},
		{ColorAlways, &buf, envOf("NO_COLOR", "1"), true}, // an explicit flag beats the environment
		{ColorNever, &buf, envOf(), false},
		{ColorAuto, &buf, envOf(), false},    // not a terminal
		{ColorAuto, devnull, envOf(), false}, // a file, but not a terminal
		{ColorAuto, devnull, envOf("NO_COLOR", "1"), false},
		{ColorAuto, devnull, envOf("TERM", "dumb"), false},
	}
	for _, tt := range tests {
		if got := ColorEnabled(tt.mode, tt.w, tt.env); got != tt.want {
			t.Errorf("ColorEnabled(%q, %T, env) = %v, want %v", tt.mode, tt.w, got, tt.want)
		}
	}
}

func TestNewStreams(t *testing.T) {
	var out, errw bytes.Buffer
	if _, err := NewStreams("sometimes", &out, &errw, envOf()); err == nil {
		t.Error("NewStreams accepted --color sometimes")
	}
	s, err := NewStreams(ColorAlways, &out, &errw, envOf("NO_COLOR", "1"))
	if err != nil {
		t.Fatal(err)
	}
	if !s.OutColor || !s.ErrColor || s.Out != &out || s.Err != &errw {
		t.Errorf("NewStreams(always) = %+v", s)
	}
	s, _ = NewStreams(ColorAuto, &out, &errw, envOf())
	if s.OutColor || s.ErrColor {
		t.Errorf("NewStreams(auto) into buffers = %+v", s)
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

func TestProgress(t *testing.T) {
	var nilp *Progress
	nilp.Start("", "dns", "resolve") // must not panic
	nilp.Done("", checks.Result{ID: "dns"})

	var b bytes.Buffer
	p := NewProgress(&b, false)
	p.Start("", "dns", "Resolve the host name")
	p.Done("", checks.Result{ID: "dns", Status: checks.Pass, Duration: 12 * ms})
	p.Start("core-3:7687", "tcp", "")
	p.Done("core-3:7687", checks.Result{ID: "tcp", Status: checks.Fail, Duration: 3 * ms})
	p.Done("", checks.Result{ID: "query", Status: checks.Skip})
	want := "checking dns: Resolve the host name\n" +
		"✓ dns pass in 12ms\n" +
		"checking core-3:7687 tcp\n" +
		"✗ core-3:7687 tcp fail in 3ms\n" +
		"– query skip\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestProgressConcurrent(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, true)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				p.Done("m:7687", checks.Result{ID: "tcp", Status: checks.Pass})
			}
		})
	}
	wg.Wait()
	if n := strings.Count(b.String(), "\n"); n != 400 {
		t.Errorf("%d lines, want 400", n)
	}
}
