//go:build linux

package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// openPTY opens a pseudo-terminal pair: what Run writes to tty arrives on
// ptm, and tty is a terminal for --color auto.
func openPTY(t *testing.T) (ptm, tty *os.File) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptm.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		ptm.Close()
		t.Skipf("unlock pty: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptm.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		ptm.Close()
		t.Skipf("pty number: %v", e)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		ptm.Close()
		t.Skipf("open pty: %v", err)
	}
	return ptm, tty
}

// TestColorAutoOnTerminal: --color auto (the default) colours a terminal,
// unless NO_COLOR is set or TERM is dumb. Into a buffer auto is always off,
// so only a real terminal tells whether NO_COLOR is honoured.
func TestColorAutoOnTerminal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want bool
	}{
		{"auto", nil, []string{"--color", "auto"}, true},
		{"default", map[string]string{"TERM": "xterm-256color"}, nil, true},
		{"auto with NO_COLOR", map[string]string{"NO_COLOR": "1"}, []string{"--color", "auto"}, false},
		{"default with NO_COLOR", map[string]string{"NO_COLOR": "1"}, nil, false},
		{"auto with TERM=dumb", map[string]string{"TERM": "dumb"}, []string{"--color", "auto"}, false},
		{"never", nil, []string{"--color", "never"}, false},
		{"always with NO_COLOR", map[string]string{"NO_COLOR": "1"}, []string{"--color", "always"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ptm, tty := openPTY(t)
			defer ptm.Close()
			var out bytes.Buffer
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _ = io.Copy(&out, ptm) // ends with EIO once tty is closed
			}()
			r := runTo(tty, tc.env, append([]string{"demo", "healthy-single"}, tc.args...)...)
			tty.Close()
			<-done
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("want exit 0 and no stderr:\n%s", r)
			}
			text := out.String()
			if !strings.Contains(text, "✓ pass") {
				t.Fatalf("no report on the terminal:\n%q", text)
			}
			if got := strings.Contains(text, "\x1b["); got != tc.want {
				t.Errorf("escape sequences %v, want %v:\n%q", got, tc.want, text)
			}
		})
	}
}

// TestConnectionFileIsFIFO: a named pipe would block the read forever; it is
// bad input.
func TestConnectionFileIsFIFO(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/fifo.env"
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	assertInputError(t, runCLI(nil, path), "not a regular file")
}
