package binarytest

// The real binary against hostile servers: a verdict within 2 × --timeout
// (+ 3 s for a process start on a busy machine),
// the failing check, no panic, no password in any output, and a peak RSS
// under 50 MB whatever the server sends. The binary is built once, without
// the race detector, so its memory is what users get, and run under
// testdata/rsswrap, which reports its peak RSS.

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

// maxRSS is the bound the issue sets for the worst hostile case.
const maxRSS = 50 << 20

// binaries are the CLI and testdata/rsswrap, which measures it.
type binaries struct{ doctor, rsswrap string }

// buildBinaries builds both into dir, without the race detector: the
// figures are what users get.
func buildBinaries(t *testing.T, dir string) binaries {
	t.Helper()
	b := binaries{doctor: filepath.Join(dir, "neo4j-doctor"), rsswrap: filepath.Join(dir, "rsswrap")}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for out, pkg := range map[string]string{b.doctor: module, b.rsswrap: "./testdata/rsswrap"} {
		if msg, err := exec.CommandContext(ctx, "go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, msg)
		}
	}
	return b
}

// childRun is one run of the binary.
type childRun struct {
	result
	rss int64 // peak resident set, bytes
}

func runBinary(t *testing.T, bin binaries, env []string, args ...string) childRun {
	t.Helper()
	rssFile := filepath.Join(t.TempDir(), "rss")
	r := runDirect(t, bin.rsswrap, env, append([]string{rssFile, bin.doctor}, args...)...)
	data, err := os.ReadFile(rssFile)
	if err != nil {
		t.Fatalf("no RSS figure (%v); stderr:\n%s", err, r.stderr)
	}
	rss, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil || rss <= 0 {
		t.Fatalf("RSS figure %q: %v", data, err)
	}
	return childRun{result: r, rss: rss}
}

// hostileRSSCase is one server the binary is pointed at.
type hostileRSSCase struct {
	name   string
	cfg    func(t *testing.T) fixtures.Config
	scheme string
	exit   int
	check  string // the first failing check
	// timeout is --timeout for a case whose point is time (a peer that
	// stalls: the verdict comes when the timeout runs out); 0 is
	// memoryTimeout.
	timeout time.Duration
}

// memoryTimeout is --timeout where the point is memory: long enough that
// the server's megabytes always arrive however busy the machine is (a
// server still sending 7 MiB when a 1 s timeout ran out made the verdict
// exit 2 instead of 1), while a healthy exchange still ends at once.
const memoryTimeout = 10 * time.Second

func misbehave(m fixtures.Misbehaviour) func(*testing.T) fixtures.Config {
	return func(*testing.T) fixtures.Config {
		c := fixtures.Neo4j526()
		c.Users = map[string]string{"neo4j": "the-right-password"}
		c.Misbehave = m
		return c
	}
}

func hostileRSSCases() []hostileRSSCase {
	return []hostileRSSCase{
		{name: "healthy (baseline)", cfg: func(*testing.T) fixtures.Config { return fixtures.Neo4j526() }, exit: 0},
		{name: "endless chunks", cfg: misbehave(fixtures.Misbehaviour{Kind: fixtures.EndlessChunks}), exit: 1, check: "auth"},
		{name: "oversized message, 20 MiB", cfg: misbehave(fixtures.Misbehaviour{Kind: fixtures.OversizedMessage, Size: 20 << 20}), exit: 1, check: "auth"},
		{name: "string just over 1 MiB in a 7 MiB message", cfg: misbehave(fixtures.Misbehaviour{Kind: fixtures.OversizedMessage, Size: 7 << 20}), exit: 1, check: "auth"},
		// Just under every limit, so it is read and decoded whole: seven
		// strings of almost 1 MiB in a message of almost 8 MiB.
		{name: "largest table accepted, 7 strings of 1 MiB", cfg: routingTable(func() []any {
			servers := make([]any, 7)
			for i := range servers {
				servers[i] = strings.Repeat("x", 1<<20-16)
			}
			return servers
		}), scheme: "neo4j", exit: 1, check: "routing"},
		{name: "lists nested 100,000 deep", cfg: misbehave(fixtures.Misbehaviour{Kind: fixtures.DeepNesting}), exit: 1, check: "auth"},
		{name: "map header claiming 2^32-1 entries", cfg: misbehave(fixtures.Misbehaviour{Kind: fixtures.HugeHeader}), exit: 1, check: "auth"},
		{name: "string header claiming 4 GiB", cfg: misbehave(fixtures.Misbehaviour{Kind: fixtures.HugeHeader, Marker: 0xD2}), exit: 1, check: "auth"},
		// The most decoded values one message may hold, each an empty map,
		// the costliest value to decode.
		{name: "routing table of 262,000 empty maps", cfg: routingTable(func() []any {
			servers := make([]any, 262_000)
			for i := range servers {
				servers[i] = map[string]any{}
			}
			return servers
		}), scheme: "neo4j", exit: 1, check: "routing"},
		{name: "routing table of 100,000 addresses", cfg: func(t *testing.T) fixtures.Config {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			_, port, _ := net.SplitHostPort(ln.Addr().String())
			_ = ln.Close() // nothing listens there: every reader refuses at once
			readers := make([]string, 100_000)
			for i := range readers {
				readers[i] = net.JoinHostPort(net.IPv4(127, byte(1+i>>16), byte(i>>8), byte(i)).String(), port)
			}
			return routingTable(func() []any {
				return []any{
					map[string]any{"role": "READ", "addresses": toAny(readers)},
					map[string]any{"role": "ROUTE", "addresses": []any{readers[0]}},
				}
			})(t)
		}, scheme: "neo4j", exit: 1, check: "routing"},
		{name: "request echoed back", cfg: misbehave(fixtures.Misbehaviour{Kind: fixtures.EchoRequests}), exit: 1, check: "auth"},
		{name: "one byte per second", cfg: misbehave(fixtures.Misbehaviour{Kind: fixtures.Drip}), exit: 2, check: "bolt", timeout: time.Second},
		{name: "stops reading", cfg: misbehave(fixtures.Misbehaviour{Kind: fixtures.StopReading}), exit: 2, check: "auth", timeout: time.Second},
	}
}

// routingTable answers ROUTE with {ttl: 300, servers: servers()} and
// accepts any credentials, so the table is what fails.
func routingTable(servers func() []any) func(*testing.T) fixtures.Config {
	return func(*testing.T) fixtures.Config {
		c := fixtures.Neo4j526()
		c.Misbehave = fixtures.Misbehaviour{Kind: fixtures.RawRoutingTable, Table: map[string]any{"ttl": int64(300), "servers": servers()}}
		return c
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// TestHostileBinaryRSS runs the built binary against each hostile server,
// with the canary password given each way there is (environment, flag,
// connection file, the URI), in both formats.
func TestHostileBinaryRSS(t *testing.T) {
	skipShort(t)
	t.Parallel()
	bin := buildBinaries(t, t.TempDir())
	for _, tc := range hostileRSSCases() {
		timeout := tc.timeout
		if timeout == 0 {
			timeout = memoryTimeout
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := fixtures.Start(tc.cfg(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			scheme := tc.scheme
			if scheme == "" {
				scheme = "bolt"
			}
			common := []string{"--timeout", timeout.String()}
			file := filepath.Join(t.TempDir(), "conn.env")
			if err := os.WriteFile(file, []byte("NEO4J_URI="+s.URI(scheme)+"\nNEO4J_USERNAME=neo4j\nNEO4J_PASSWORD="+canary+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			credURI := withUserinfo(t, s.URI(scheme), "neo4j", canary)
			for _, run := range []struct {
				source string
				env    []string
				args   []string
			}{
				{"environment", []string{"NEO4J_PASSWORD=" + canary}, []string{"--uri", s.URI(scheme), "-u", "neo4j", "--format", "json"}},
				{"flag", nil, []string{"--uri", s.URI(scheme), "-u", "neo4j", "-p", canary, "--format", "text", "--verbose"}},
				{"file", nil, []string{"--format", "json", "--verbose", file}},
				{"uri", nil, []string{"--uri", credURI, "--format", "text"}},
			} {
				r := runBinary(t, bin, run.env, append(common, run.args...)...)
				what := "password by " + run.source
				t.Logf("%s, %s: exit %d in %s, peak RSS %.1f MiB", tc.name, what, r.code, r.took.Round(time.Millisecond), float64(r.rss)/(1<<20))
				if r.rss > maxRSS {
					t.Errorf("%s: peak RSS %d MiB, over %d MiB", what, r.rss>>20, maxRSS>>20)
				}
				// Fork to exit, so a process start on a busy machine counts:
				// the bound catches a hang, with slack for that start; the
				// verdict within the timeout is held in-process by the checks
				// package's hostile tests.
				if limit := 2*timeout + 3*time.Second; r.took > limit {
					t.Errorf("%s: took %s, over 2 × --timeout %s + 3s", what, r.took, timeout)
				}
				if strings.Contains(r.stdout+r.stderr, canary) {
					t.Errorf("%s: the password is printed", what)
				}
				if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
					t.Fatalf("%s: the binary crashed:\n%s", what, r.stderr)
				}
				if r.stderr != "" {
					t.Errorf("%s: stderr is not empty:\n%s", what, r.stderr)
				}
				if r.code != tc.exit {
					t.Errorf("%s: exit %d, want %d\n%s", what, r.code, tc.exit, r.result)
				}
				if !strings.Contains(strings.Join(run.args, " "), "json") {
					continue
				}
				rep := decodeReport(t, r.result)
				for _, c := range rep.Checks {
					if c.Status == "fail" {
						if c.ID != tc.check {
							t.Errorf("%s: the first failing check is %s (%s), want %s", what, c.ID, c.Summary, tc.check)
						}
						if len(c.Hints) == 0 {
							t.Errorf("%s: %s fails without a hint", what, c.ID)
						}
						break
					}
				}
			}
		})
	}
}
