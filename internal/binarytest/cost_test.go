package binarytest

// The "cost at rest" goals of issue 8, held against the real binary built
// without the race detector, as users get it:
//
//   - a black-holed address fails within --timeout + 10 %: TestCostAtRest,
//     with the slack a busy machine needs (see blackHoleBounds);
//   - peak RSS under 30 MiB diagnosing a 10-member cluster: TestCostAtRest;
//   - start-up to the first byte on the wire under 10 ms:
//     BenchmarkStartupToFirstByte, a ratio against a bare Go program
//     measured in the same run, since a wall-clock bound on a shared CI
//     machine would be a flaky test. What the test does hold is package
//     init, the part of start-up that is ours alone, by what it
//     allocates (TestCostAtRest), which load does not change;
//   - release binary under 17 MB: TestReleaseBinarySize (size_test.go).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/network"
)

// Bounds set by issue 8.
const clusterMaxRSS = 30 << 20 // peak RSS diagnosing a 10-member cluster

// blackHoleBounds are what a black-holed address may take with timeout.
// Issue 8's goal is --timeout + 10 % from process start (measured: 1.01 s
// for 1 s, logged by the test); a test on a machine that also runs the
// race-detected suite cannot hold a wall clock to 10 %, so it holds the
// diagnosis, measured inside the process (the report's own duration), to
// --timeout + 25 % or 250 ms, whichever is more: short of a second step
// timeout, the regression that matters. The whole process, fork to exit,
// is held to twice --timeout plus 3 s, which catches a hang and leaves a
// process start on two loaded cores (over a second, seen) out of the
// verdict.
func blackHoleBounds(timeout time.Duration) (inProcess, wholeProcess time.Duration) {
	return timeout + max(timeout/4, 250*time.Millisecond), 2*timeout + 3*time.Second
}

// maxInitBytes bounds what package init allocates, a proxy for its time
// that a busy machine does not blur (see TestCostAtRest): 0.70 MiB today,
// 2.3 MiB while the JSON schemas were compiled at init.
const maxInitBytes = 1 << 20

// runDirect runs the binary itself (not under rsswrap, whose own start
// would count) with a clean environment plus env, and times it from just
// before the fork to its exit.
func runDirect(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("run %s: %v", bin, err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String(), took: took}
}

// TestCostAtRest builds the binary once and holds it to issue 8's bounds
// on what a user's machine pays.
func TestCostAtRest(t *testing.T) {
	skipShort(t)
	t.Parallel()
	bin := buildBinaries(t, t.TempDir())

	// A firewall that drops packets: the user must not wait longer than
	// the --timeout they gave, and must be told it is the network.
	t.Run("black hole", func(t *testing.T) {
		t.Parallel()
		bh, err := network.StartBlackHole()
		if errors.Is(err, network.ErrNoBlackHole) {
			t.Skip(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = bh.Close() })
		const timeout = time.Second
		inLimit, wholeLimit := blackHoleBounds(timeout)
		// checkTime holds the run to blackHoleBounds; diagnosis is the
		// duration the report gives.
		checkTime := func(t *testing.T, r result, diagnosis time.Duration) {
			t.Helper()
			t.Logf("exit %d: diagnosis %s, %s from fork to exit", r.code, diagnosis.Round(time.Millisecond), r.took.Round(time.Millisecond))
			if diagnosis > inLimit {
				t.Errorf("the diagnosis took %s, over --timeout %s + 25 %% (at least 250ms) = %s", diagnosis.Round(time.Millisecond), timeout, inLimit)
			}
			if r.took > wholeLimit {
				t.Errorf("the process took %s from fork to exit, over 2 × --timeout %s + 3s = %s", r.took.Round(time.Millisecond), timeout, wholeLimit)
			}
		}
		// A wide terminal, so the hint stands on one line to be matched.
		env := []string{"NEO4J_PASSWORD=" + canary, "NO_COLOR=1", "COLUMNS=400"}
		wantHint := fmt.Sprintf("packets are dropped on the way: a firewall, security group or corporate proxy blocks TCP port %d", bh.Port())

		t.Run("bolt, text", func(t *testing.T) {
			t.Parallel()
			r := runDirect(t, bin.doctor, env, "--uri", bh.URI("bolt"), "--timeout", timeout.String())
			if r.code != 2 || r.stderr != "" {
				t.Errorf("want exit 2 (no response) and no stderr:\n%s", r)
			}
			// The verdict line ends with the run's duration: "in 1.0s".
			m := regexp.MustCompile(`(?m)^✗ fail — .* in (\S+)$`).FindStringSubmatch(r.stdout)
			if m == nil {
				t.Fatalf("no fail verdict with a duration:\n%s", r.stdout)
			}
			diagnosis, err := time.ParseDuration(m[1])
			if err != nil {
				t.Fatalf("the verdict's duration %q: %v", m[1], err)
			}
			checkTime(t, r, diagnosis)
			lines := strings.Split(r.stdout, "\n")
			i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "✗ ") })
			if i < 0 {
				t.Fatalf("no failing check:\n%s", r.stdout)
			}
			if want := regexp.MustCompile(`^✗ tcp +` + regexp.QuoteMeta(bh.Addr()) + `: connection timed out `); !want.MatchString(lines[i]) {
				t.Errorf("first failing line %q, want it to match %q\n%s", lines[i], want, r.stdout)
			}
			// The firewall is the fix, or, where the binary runs in a
			// container (as CI may), a note under the fix that localhost is
			// the container itself.
			if !strings.Contains(r.stdout, "    fix: "+wantHint) &&
				!(strings.Contains(r.stdout, "    note: "+wantHint) && strings.Contains(r.stdout, "container: the doctor runs in a container")) {
				t.Errorf("no firewall hint %q:\n%s", wantHint, r.stdout)
			}
			if !strings.Contains(r.stdout, "\n✗ fail — ") {
				t.Errorf("no fail verdict:\n%s", r.stdout)
			}
			if strings.Contains(r.stdout, canary) {
				t.Errorf("the password is printed:\n%s", r.stdout)
			}
		})
		t.Run("neo4j, json", func(t *testing.T) {
			t.Parallel()
			r := runDirect(t, bin.doctor, env, "--uri", bh.URI("neo4j"), "--timeout", timeout.String(), "--format", "json")
			if r.code != 2 || r.stderr != "" {
				t.Errorf("want exit 2 (no response) and no stderr:\n%s", r)
			}
			rep := decodeReport(t, r)
			checkTime(t, r, time.Duration(rep.DurationMs*float64(time.Millisecond)))
			if rep.Verdict != "fail" {
				t.Errorf("verdict %q, want fail", rep.Verdict)
			}
			for _, c := range rep.Checks {
				if c.Status != "fail" {
					continue
				}
				if c.ID != "tcp" || !strings.Contains(c.Summary, "timed out") {
					t.Errorf("first failing check %s: %q, want tcp timed out", c.ID, c.Summary)
				}
				if !slices.ContainsFunc(c.Hints, func(h string) bool { return strings.HasPrefix(h, wantHint) }) {
					t.Errorf("hints %q, want the firewall hint %q", c.Hints, wantHint)
				}
				break
			}
			for _, id := range []string{"bolt", "auth", "routing", "members", "query"} {
				if status, _ := rep.check(id); status != "skip" {
					t.Errorf("%s is %q after tcp failed, want skip", id, status)
				}
			}
		})
	})

	// Package init runs before anything else, whatever the flags: a schema
	// compiled or a table built there delays every run's first byte. Its
	// wall time (inittrace's clock) is no test: 30 runs beside the suite
	// on 2 cores took 2.1 to 14 ms, half of them over 5 ms, for a binary
	// that takes 2.3 ms idle; it is a metric of
	// BenchmarkStartupToFirstByte. What init allocates is the same from
	// run to run (within a dozen allocations of 5,200), and slow inits are
	// the allocating ones: jsonschema's compiled meta-schemas were 1.7 MB
	// and 2.5 ms of it.
	t.Run("package init", func(t *testing.T) {
		t.Parallel()
		tr := traceInit(t, bin.doctor, []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()})
		t.Logf("init: %d packages, %.0f KiB in %d allocations, %.2f ms clock; largest: %s", len(tr.pkgs), float64(tr.bytes)/(1<<10), tr.allocs, ms(tr.total), tr.top(5))
		if tr.bytes >= maxInitBytes {
			t.Errorf("package init allocates %.0f KiB, want under %d KiB; largest: %s", float64(tr.bytes)/(1<<10), maxInitBytes>>10, tr.top(5))
		}
	})

	// Checking every member at once must not cost memory per member
	// beyond a few connections' buffers.
	t.Run("10-member cluster peak RSS", func(t *testing.T) {
		t.Parallel()
		const members = 10
		c, err := fixtures.StartCluster(members, fixtures.ClusterConfig{Member: fixtures.Neo4j526()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		// A wide terminal, so the hint stands on one line to be matched.
		env := []string{"NEO4J_PASSWORD=" + canary, "NO_COLOR=1", "COLUMNS=400"}
		for _, format := range []string{"json", "text"} {
			r := runBinary(t, bin, env, "--uri", c.URI("neo4j"), "-u", "neo4j", "--timeout", "5s", "--format", format, "--verbose")
			t.Logf("%s: exit %d in %s, peak RSS %.1f MiB", format, r.code, r.took.Round(time.Millisecond), float64(r.rss)/(1<<20))
			if r.rss >= clusterMaxRSS {
				t.Errorf("%s: peak RSS %.1f MiB, want under %d MiB", format, float64(r.rss)/(1<<20), clusterMaxRSS>>20)
			}
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("%s: want exit 0 and no stderr:\n%s", format, r.result)
			}
			want := fmt.Sprintf("all %d members reachable and authenticated", members)
			if format == "text" {
				if !regexp.MustCompile(`(?m)^✓ members +`+want).MatchString(r.stdout) || !strings.Contains(r.stdout, "\n✓ pass — ") {
					t.Errorf("text: want %q and a pass verdict:\n%s", want, r.stdout)
				}
				continue
			}
			rep := decodeReport(t, r.result)
			if rep.Verdict != "pass" || len(rep.Members) != members {
				t.Errorf("json: verdict %q with %d members, want pass with %d", rep.Verdict, len(rep.Members), members)
			}
		}
	})
}

// baselineProgram is the least a Go program can do before its first byte
// on the wire: dial and write. Its start-up is the runtime's and the
// kernel's, which the doctor's figures are divided by.
const baselineProgram = `package main

import (
	"net"
	"os"
)

func main() {
	c, err := net.Dial("tcp", os.Args[1])
	if err != nil {
		os.Exit(2)
	}
	_, _ = c.Write([]byte{0x60})
	select {} // killed by the benchmark
}
`

// goBuild builds pkg in dir into out with the plain toolchain settings of
// `go build`, so the test's own build cache serves it.
func goBuild(tb testing.TB, dir, pkg, out string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
}

// buildBaseline writes baselineProgram as a module of its own, without
// dependencies, and builds it into dir.
func buildBaseline(tb testing.TB, dir string) string {
	tb.Helper()
	src := filepath.Join(dir, "baseline-src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		tb.Fatal(err)
	}
	for name, content := range map[string]string{
		"go.mod":  "module baseline\n\ngo 1.26\n",
		"main.go": baselineProgram,
	} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "baseline")
	goBuild(tb, src, ".", bin)
	return bin
}

// startup is one start of a program, timed from just before the fork.
type startup struct {
	syn   time.Duration // until the listener accepted its connection: the SYN is the first packet it sends
	first time.Duration // until its first byte arrived
}

// timeStartup starts bin with args(addr) against a fresh listener (the
// doctor dials two connections; one left queued would be the next run's),
// times its first connection and byte, then kills it.
func timeStartup(tb testing.TB, bin string, env []string, args func(addr string) []string) startup {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	deadline := time.Now().Add(10 * time.Second)
	if err := ln.(*net.TCPListener).SetDeadline(deadline); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, args(ln.Addr().String())...)
	cmd.Env = env
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	c, err := ln.Accept()
	syn := time.Since(start)
	if err != nil {
		tb.Fatalf("%s did not connect: %v", filepath.Base(bin), err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(deadline)
	if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
		tb.Fatalf("%s sent nothing: %v", filepath.Base(bin), err)
	}
	return startup{syn: syn, first: time.Since(start)}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// initTrace is what GODEBUG=inittrace=1 says about one start: the wall
// time and allocations of every package's init, summed, and the time of
// each package.
type initTrace struct {
	total         time.Duration
	bytes, allocs int64
	pkgs          map[string]time.Duration
	pkgBytes      map[string]int64
}

var initLine = regexp.MustCompile(`^init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock, (\d+) bytes, (\d+) allocs$`)

// traceInit runs bin --version (no network: init is all it does before
// printing) with GODEBUG=inittrace=1.
func traceInit(tb testing.TB, bin string, env []string) initTrace {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--version")
	cmd.Env = append(slices.Clone(env), "GODEBUG=inittrace=1")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		tb.Fatalf("%s --version: %v\n%s", bin, err, errb.String())
	}
	tr := initTrace{pkgs: map[string]time.Duration{}, pkgBytes: map[string]int64{}}
	for _, l := range strings.Split(errb.String(), "\n") {
		m := initLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		v, err := strconv.ParseFloat(m[2], 64)
		n, err2 := strconv.ParseInt(m[3], 10, 64)
		a, err3 := strconv.ParseInt(m[4], 10, 64)
		if err := errors.Join(err, err2, err3); err != nil {
			tb.Fatalf("inittrace line %q: %v", l, err)
		}
		d := time.Duration(v * float64(time.Millisecond))
		tr.pkgs[m[1]] += d
		tr.pkgBytes[m[1]] += n
		tr.total += d
		tr.bytes += n
		tr.allocs += a
	}
	if len(tr.pkgs) == 0 {
		tb.Fatalf("no inittrace lines from %s:\n%s", bin, errb.String())
	}
	return tr
}

// top names the n packages whose init allocated most, with their bytes
// and time.
func (tr initTrace) top(n int) string {
	names := make([]string, 0, len(tr.pkgs))
	for p := range tr.pkgs {
		names = append(names, p)
	}
	sort.Slice(names, func(i, j int) bool { return tr.pkgBytes[names[i]] > tr.pkgBytes[names[j]] })
	var parts []string
	for _, p := range names[:min(n, len(names))] {
		parts = append(parts, fmt.Sprintf("%s %.0f KiB %.2f ms", p, float64(tr.pkgBytes[p])/(1<<10), ms(tr.pkgs[p])))
	}
	return strings.Join(parts, ", ")
}

// BenchmarkStartupToFirstByte times, from the fork, how long the doctor
// takes to put its first packet on the wire diagnosing bolt://127.0.0.1
// (no DNS, no file), against a Go program that only dials: the same run,
// alternating the two, so a busy machine slows both alike.
//
//	go test -run '^$' -bench StartupToFirstByte -benchtime 20x ./internal/binarytest
//
// Metrics, medians over b.N starts of each:
//
//	doctor-ms, baseline-ms  fork to the SYN (the listener's accept)
//	doctor/baseline         their ratio
//	doctor-baseline-ms      the doctor's own start-up beyond a Go
//	                        binary's fork and exec (median of the paired
//	                        differences)
//	doctor-byte-ms          fork to the first byte (the Bolt preamble)
//	baseline-byte-ms        the same for the baseline's one byte
//	init-ms                 package init, summed from GODEBUG=inittrace=1
//	                        (the part of start-up no flag can skip)
func BenchmarkStartupToFirstByte(b *testing.B) {
	dir := b.TempDir()
	doctor := filepath.Join(dir, "neo4j-doctor")
	goBuild(b, ".", module, doctor)
	baseline := buildBaseline(b, dir)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "NO_COLOR=1", "NEO4J_PASSWORD=bench-password"}
	doctorArgs := func(addr string) []string { return []string{"--uri", "bolt://" + addr, "--timeout", "2s"} }
	baselineArgs := func(addr string) []string { return []string{addr} }

	var doc, base []startup
	var diffs, inits []time.Duration
	i := 0
	for b.Loop() {
		var d, bl startup
		if i%2 == 0 {
			d, bl = timeStartup(b, doctor, env, doctorArgs), timeStartup(b, baseline, env, baselineArgs)
		} else {
			bl, d = timeStartup(b, baseline, env, baselineArgs), timeStartup(b, doctor, env, doctorArgs)
		}
		doc, base = append(doc, d), append(base, bl)
		diffs = append(diffs, d.syn-bl.syn)
		inits = append(inits, traceInit(b, doctor, env).total)
		i++
	}
	pick := func(s []startup, f func(startup) time.Duration) []time.Duration {
		out := make([]time.Duration, len(s))
		for i, v := range s {
			out[i] = f(v)
		}
		return out
	}
	syn := func(s startup) time.Duration { return s.syn }
	first := func(s startup) time.Duration { return s.first }
	dm, bm := median(pick(doc, syn)), median(pick(base, syn))
	b.ReportMetric(ms(dm), "doctor-ms")
	b.ReportMetric(ms(bm), "baseline-ms")
	b.ReportMetric(float64(dm)/float64(bm), "doctor/baseline")
	b.ReportMetric(ms(median(diffs)), "doctor-baseline-ms")
	b.ReportMetric(ms(median(pick(doc, first))), "doctor-byte-ms")
	b.ReportMetric(ms(median(pick(base, first))), "baseline-byte-ms")
	b.ReportMetric(ms(median(inits)), "init-ms")
}
