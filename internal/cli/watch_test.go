package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// TestWatchHealthy watches a healthy cluster for a few runs: the initial
// state in two lines, nothing else changes, the summary, exit 0; and in
// JSON, lines that each match the watch schema.
func TestWatchHealthy(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "healthy-cluster")
	t.Run("text", func(t *testing.T) {
		r := runCLI(instEnv(inst), append([]string{"watch"}, instArgs(inst, "--interval", "100ms", "--for", "350ms")...)...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("want exit 0 and no stderr:\n%s", r)
		}
		for _, want := range []string{
			"watch: a diagnosis every 100ms for 350ms", "✓ writer core-0.", "routing table: 3 members, 3 up",
			"--for is over", "no writer  never", "leader     no change", "failures   none",
			"✓ pass — exit 0 (healthy)",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, r.stdout)
			}
		}
		if strings.Contains(r.stdout, inst.Password) {
			t.Errorf("the password is in the output:\n%s", r.stdout)
		}
	})
	t.Run("json", func(t *testing.T) {
		r := runCLI(instEnv(inst), append([]string{"watch"}, instArgs(inst, "--format", "json", "--interval", "100ms", "--for", "350ms")...)...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("want exit 0 and no stderr:\n%s", r)
		}
		if err := contract.Watch([]byte(r.stdout)); err != nil {
			t.Fatalf("%v\n%s", err, r.stdout)
		}
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if last := lines[len(lines)-1]; !strings.Contains(last, `"ended":"for"`) || !strings.Contains(last, `"exitCode":0`) {
			t.Errorf("summary %s, want ended for, exit 0", last)
		}
	})
}

// TestWatchInterrupt: Ctrl-C ends the watch with its summary, which says
// it was interrupted.
func TestWatchInterrupt(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "healthy-single")
	s, out, errb := report.TestStreams()
	// Ctrl-C once the first run has been printed: an interrupt in the
	// middle of a run on a busy machine would be another test.
	stop := make(chan struct{})
	s.Out = &onLine{w: out, want: "✓ pass:", hit: func() { close(stop) }}
	env := instEnv(inst)
	code := run(append([]string{"neo4j-doctor", "watch"}, instArgs(inst, "--interval", "100ms")...), s, func(k string) string { return env[k] }, stop)
	if code != 0 || errb.Len() > 0 {
		t.Fatalf("exit %d, stderr %q, want 0 and none:\n%s", code, errb, out)
	}
	for _, want := range []string{"until Ctrl-C", "interrupted", "not followed: this URI connects directly to one server", "✓ pass — exit 0"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestWatchBadInput: watch's own flags are checked before any connection,
// with an error, a hint and exit 3.
func TestWatchBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--interval", "10ms"}, "--interval 10ms is below 100ms"},
		{[]string{"--for", "-1s"}, "--for -1s is negative"},
		{[]string{"--format", "junit"}, `--format "junit" is not a format watch writes`},
		{[]string{"--format", "text,json"}, "watch writes one --format"},
		{[]string{"--interval", "soon"}, "invalid value"},
	} {
		r := runCLI(nil, append([]string{"watch", "--uri", "neo4j://127.0.0.1:1"}, tc.args...)...)
		if r.code != 3 || r.stdout != "" || !strings.Contains(r.stderr, "error: "+tc.want) && !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "\nhint: ") {
			t.Errorf("watch %v: want exit 3, no stdout, error %q and a hint:\n%s", tc.args, tc.want, r)
		}
	}
}

// watchLine is what the tests read of a line of watch --format json.
type watchLine struct {
	Type, Kind    string
	Run           int
	Check, To     string
	From          *string
	Address       string
	NoWriterMs    *float64
	Code          *string
	ExitCode      int
	LeaderChanges []struct {
		From, To   string
		NoWriterMs float64
	}
	NoWriterWindows []struct {
		DurationMs float64
		Open       bool
		Runs       int
		From, To   *string
	}
}

// decodeWatch checks that r's stdout is a watch in JSON that matches the
// schema and decodes its lines.
func decodeWatch(t *testing.T, out string) []watchLine {
	t.Helper()
	if err := contract.Watch([]byte(out)); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var lines []watchLine
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var w watchLine
		if err := json.Unmarshal([]byte(l), &w); err != nil {
			t.Fatalf("decode %s: %v", l, err)
		}
		lines = append(lines, w)
	}
	return lines
}

// assertWatchFirstRun checks a scenario shown with watch: the first run
// is the diagnosis want describes (its first failing or warning check),
// and the process exits with the worst run's code, want's at least.
func assertWatchFirstRun(t *testing.T, r result, want scenarios.Expect) {
	t.Helper()
	if r.stderr != "" {
		t.Errorf("stderr is not empty:\n%s", r.stderr)
	}
	lines := decodeWatch(t, r.stdout)
	if sum := lines[len(lines)-1]; sum.ExitCode != r.code || r.code < want.Exit {
		t.Errorf("exit %d, summary exitCode %d, want them equal and at least %d", r.code, sum.ExitCode, want.Exit)
	}
	bad := "fail"
	if want.Verdict == "warn" {
		bad = "warn"
	}
	first := ""
	for _, l := range lines {
		if l.Type == "change" && l.Kind == "check" && l.Run == 1 && l.To == bad && first == "" {
			first = l.Check
		}
	}
	if first != want.Check {
		t.Errorf("run 1: first %s check %q, want %q\n%s", bad, first, want.Check, r.stdout)
	}
}

// syncBuffer is a buffer the watch writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// watchLeaderSwitch watches leader-switch going through one round of its
// changes in units of 100ms, each state held until a run has read it, and
// ends the watch (as Ctrl-C does) once done says the output holds the
// last change: so what it sees is decided by the cluster's states, not by
// how busy the machine is. Every wait is bounded.
func watchLeaderSwitch(t *testing.T, format string, done func(out string) bool) result {
	t.Helper()
	inst := startScenario(t, "leader-switch")
	if _, err := inst.Change(100*time.Millisecond, fixtures.ScheduleOptions{Rounds: 1, Served: 2}); err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	var errb bytes.Buffer
	stop := make(chan struct{})
	code := make(chan int, 1)
	env := instEnv(inst)
	go func() {
		code <- run(append([]string{"neo4j-doctor", "watch"}, instArgs(inst, "--format", format, "--interval", "100ms", "--for", "60s")...),
			report.NewStreams(&out, &errb), func(k string) string { return env[k] }, stop)
	}()
	deadline := time.Now().Add(45 * time.Second)
	for !done(out.String()) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	select {
	case c := <-code:
		return result{code: c, stdout: out.String(), stderr: errb.String()}
	case <-time.After(30 * time.Second):
		t.Fatalf("the watch did not end after Ctrl-C:\n%s", out.String())
	}
	return result{}
}

// TestWatchLeaderSwitch: watch sees leader-switch's writer move from
// member 0 to none to member 1, member 2 go down and come back, and the
// writer move back through none to member 0; the summary counts two
// windows without a writer, each at least the watch's interval (the
// first run without a writer and the first with one again are two runs)
// and far below the watch's length, and two leader changes; exit 1 (the
// runs without a writer failed at routing).
func TestWatchLeaderSwitch(t *testing.T) {
	t.Parallel()
	t.Run("text", func(t *testing.T) {
		t.Parallel()
		r := watchLeaderSwitch(t, "text", func(out string) bool { return strings.Contains(out, "writer none → core-0.") })
		if r.code != 1 || r.stderr != "" {
			t.Fatalf("want exit 1 and no stderr:\n%s", r)
		}
		body, summary, ok := strings.Cut(r.stdout, "\nwatch ended after ")
		if !ok {
			t.Fatalf("no summary:\n%s", r.stdout)
		}
		// The changes, in order.
		at := 0
		for _, want := range []string{
			"✓ writer core-0.", "✗ routing: ", "(routing.no_writers)", "✗ writer core-0.neo4j-doctor.test:",
			"✓ writer none → core-1.", " without one",
			"✗ member core-2.", " down: ", "✓ member core-2.", " up",
			"✗ writer core-1.neo4j-doctor.test:", " → none",
			"✓ writer none → core-0.", " without one",
		} {
			i := strings.Index(body[at:], want)
			if i < 0 {
				t.Fatalf("after byte %d, the changes lack %q:\n%s", at, want, r.stdout)
			}
			at += i + len(want)
		}
		for _, want := range []string{
			"interrupted", "no writer  ", "open" /* not */, "leader     2 changes: ",
			"routing failed in ", "routing.no_writers ×", "members warned in ", "members.some_failed ×",
			"✗ fail — exit 1 (a check failed)",
		} {
			if want == "open" {
				if strings.Contains(summary, "open when the watch ended") {
					t.Errorf("a window is open, want both closed:\n%s", summary)
				}
				continue
			}
			if !strings.Contains(summary, want) {
				t.Errorf("summary lacks %q:\n%s", want, summary)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		t.Parallel()
		r := watchLeaderSwitch(t, "json", func(out string) bool {
			return strings.Count(out, `"kind":"writer"`) >= 5
		})
		if r.code != 1 || r.stderr != "" {
			t.Fatalf("want exit 1 and no stderr:\n%s", r)
		}
		lines := decodeWatch(t, r.stdout)
		var writers, members []string
		for _, l := range lines {
			switch {
			case l.Kind == "writer":
				w := "none"
				if l.To != "" {
					w, _, _ = strings.Cut(l.To, ".")
				}
				writers = append(writers, w)
				if back := l.From == nil && l.To != "" && l.Run > 1; back != (l.NoWriterMs != nil) {
					t.Errorf("run %d: writer %v → %q with noWriterMs %v: want it only when a writer is back", l.Run, l.From, l.To, l.NoWriterMs)
				}
			case l.Kind == "member" && l.Run > 1:
				a, _, _ := strings.Cut(l.Address, ".")
				members = append(members, a+" "+l.To)
			}
		}
		if got, want := strings.Join(writers, ", "), "core-0, none, core-1, none, core-0"; got != want {
			t.Errorf("writers %s, want %s", got, want)
		}
		if got, want := strings.Join(members, ", "), "core-2 down, core-2 up"; got != want {
			t.Errorf("members %s, want %s", got, want)
		}
		sum := lines[len(lines)-1]
		if sum.ExitCode != 1 {
			t.Errorf("summary exitCode %d, want 1", sum.ExitCode)
		}
		if len(sum.LeaderChanges) != 2 {
			t.Fatalf("%d leader changes, want 2:\n%s", len(sum.LeaderChanges), r.stdout)
		}
		for i, want := range [][2]string{{"core-0.", "core-1."}, {"core-1.", "core-0."}} {
			lc := sum.LeaderChanges[i]
			if !strings.HasPrefix(lc.From, want[0]) || !strings.HasPrefix(lc.To, want[1]) || lc.NoWriterMs <= 0 {
				t.Errorf("leader change %d: %s → %s after %vms without a writer, want %s → %s after some", i+1, lc.From, lc.To, lc.NoWriterMs, want[0], want[1])
			}
		}
		if len(sum.NoWriterWindows) != 2 {
			t.Fatalf("%d windows without a writer, want 2:\n%s", len(sum.NoWriterWindows), r.stdout)
		}
		for i, w := range sum.NoWriterWindows {
			// The schedule holds no writer for 200ms and until a run
			// read it; the window runs from the first run that found
			// none to the first that found one, a later run: at least
			// one interval (100ms). The upper bound is only generous.
			if w.Open || w.Runs < 1 || w.DurationMs < 100 || w.DurationMs > 15000 || w.To == nil {
				t.Errorf("window %d: open %v, %d runs, %vms, to %v: want closed, 1 run or more, 100ms to 15s", i+1, w.Open, w.Runs, w.DurationMs, w.To)
			}
		}
	})
}

// onLine passes writes to w and calls hit once, when a write contains
// want. The CLI writes from one goroutine at a time.
type onLine struct {
	w    io.Writer
	want string
	hit  func()
	done bool
}

func (o *onLine) Write(p []byte) (int, error) {
	if !o.done && strings.Contains(string(p), o.want) {
		o.done = true
		defer o.hit()
	}
	return o.w.Write(p)
}
