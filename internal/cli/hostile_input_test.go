//go:build unix

// Unix only: the table needs a FIFO (syscall.Mkfifo).

package cli

// Bad input, every case the hardening issue lists in one table: no attempt
// is made, the exit code is 3, stdout is empty, stderr is one error: line
// and one hint: line, nothing hangs, and the password given alongside is
// never echoed. The scripts in testdata/script assert the exact wording of
// most of these; this table proves the contract holds for all of them.

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestBadInputTable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := write("big.env", append([]byte("NEO4J_URI=bolt://localhost\nNEO4J_PASSWORD="+canary+"\n"), bytes.Repeat([]byte("# padding\n"), 1<<20)...))
	fifo := filepath.Join(dir, "fifo.env")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	loop := filepath.Join(dir, "loop.env")
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.env")
	if err := os.Symlink(filepath.Join(dir, "gone"), dangling); err != nil {
		t.Fatal(err)
	}
	notDir := write("plain.txt", []byte("x"))
	good := write("good.env", []byte("NEO4J_URI=bolt://localhost\n"))
	uri := func(u string) []string { return []string{"--uri", u, "-p", canary} }

	cases := []struct {
		name string
		args []string
		want string // in the error line
	}{
		// Connection files.
		{"empty file", []string{write("empty.env", nil)}, "is empty"},
		{"binary file", []string{write("zip.env", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00\xde\xad\xbe\xef"))}, "is not text"},
		{"UTF-16 file", []string{write("utf16.env", []byte("\xff\xfeN\x00E\x00O\x00=\x00"))}, "UTF-16"},
		{"10 MB file", []string{big}, "a connection file is a few hundred"},
		{"directory", []string{dir}, "is a directory"},
		{"a URI where the file goes", []string{"neo4j+s://neo4j:" + canary + "@db.example.com"}, "the argument is a neo4j+s:// URI, not a connection file"},
		{"FIFO without a writer", []string{fifo}, "not a regular file"},
		{"symlink loop", []string{loop}, "cannot read connection file"},
		{"dangling symlink", []string{dangling}, "does not exist"},
		{"path through a file", []string{filepath.Join(notDir, "conn.env")}, "cannot read connection file"},
		{"path too long", []string{strings.Repeat("a", 5000)}, "cannot read connection file"},
		{"file without NEO4J_URI", []string{write("nouri.env", []byte("NEO4J_USERNAME=neo4j\nNEO4J_PASSWORD="+canary+"\n"))}, "has no NEO4J_URI"},
		{"NUL in the file", []string{write("nul.env", []byte("NEO4J_URI=bolt://h\x00st:7687\n"))}, "is not text"},
		{"control character in the file's host", []string{write("ctl.env", []byte("NEO4J_URI=bolt://ho\x01st:7687\nNEO4J_PASSWORD="+canary+"\n"))}, "control character"},

		// URIs.
		{"http://", uri("http://localhost:7474"), "HTTP URI"},
		{"https://", uri("https://localhost:7473"), "HTTP URI"},
		{"unknown scheme", uri("mongodb://localhost"), "not supported"},
		{"credentials before the scheme", uri("neo4j:" + canary + "@neo4j://localhost:7687"), "is not a scheme"},
		{"400-character scheme", uri(strings.Repeat("0", 400) + "://localhost"), "is not a scheme"},
		{"no host", uri("neo4j://"), "no host"},
		{"listen address as host", uri("bolt://0.0.0.0:7687"), "0.0.0.0 is not an address to connect to"},
		{"IPv6 listen address as host", uri("neo4j://[::]:7687"), ":: is not an address to connect to"},
		{"no host, with credentials", uri("neo4j://neo4j:" + canary + "@:7687"), "no host"},
		{"port 0", uri("bolt://localhost:0"), "port \"0\""},
		{"port 70000", uri("bolt://localhost:70000"), "port \"70000\""},
		{"non-numeric port", uri("bolt://localhost:http"), "port"},
		{"unbracketed IPv6", uri("bolt://fe80::1:7687"), "IPv6 address without brackets"},
		{"space in the host", uri("bolt://my host:7687"), "space"},
		{"tab in the host", uri("bolt://my\thost:7687"), "control character"},
		{"control character in the host", uri("bolt://ho\x07st:7687"), "control character"},
		{"NUL in the host", uri("bolt://ho\x00st:7687"), "control character"},
		{"DEL in the host", uri("bolt://ho\x7fst:7687"), "control character"},
		{"300-character host", uri("bolt://" + strings.Repeat("a", 300) + ":7687"), "300 characters long"},
		{"label over 63 characters", uri("bolt://" + strings.Repeat("b", 64) + ".example:7687"), "is not valid"},
		{"percent in the host", uri("bolt://ho%41st:7687"), "not valid"},

		// Flags.
		{"unknown flag", []string{"--uri", "bolt://localhost", "--no-such-flag"}, "no-such-flag"},
		{"negative timeout", append(uri("bolt://localhost"), "--timeout", "-1s"), "is not positive"},
		{"timeout banana", append(uri("bolt://localhost"), "--timeout", "banana"), "banana"},
		{"format xml", append(uri("bolt://localhost"), "--format", "xml"), "--format \"xml\""},
		{"color purple", append(uri("bolt://localhost"), "--color", "purple"), "--color \"purple\""},
		{"ca-file missing", append(uri("bolt://localhost"), "--ca-file", filepath.Join(dir, "missing.pem")), "missing.pem"},
		{"ca-file not PEM", append(uri("bolt://localhost"), "--ca-file", good), "contains no PEM certificate"},
		{"ca-file a FIFO", append(uri("bolt://localhost"), "--ca-file", fifo), "not a regular file"},
	}
	if os.Geteuid() != 0 {
		// root reads any file, so a permission error cannot be staged there;
		// the cases above cover the unreadable paths root meets too.
		unreadable := write("unreadable.env", []byte("NEO4J_URI=bolt://localhost\n"))
		if err := os.Chmod(unreadable, 0); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct {
			name string
			args []string
			want string
		}{"unreadable file", []string{unreadable}, "permission denied"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(map[string]string{"NEO4J_PASSWORD": canary}, tc.args...)
			assertInputError(t, r, tc.want)
			if r.took > 2*time.Second {
				t.Errorf("bad input took %s to reject", r.took)
			}
			if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("a stack trace:\n%s", r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, canary) {
				t.Errorf("the password is printed:\n%s", r)
			}
		})
	}
}
