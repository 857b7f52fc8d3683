package cli

import (
	"strings"
	"testing"
	"time"

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
	stop := make(chan struct{})
	time.AfterFunc(300*time.Millisecond, func() { close(stop) })
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
