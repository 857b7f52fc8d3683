package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// A hostile or broken peer controls evidence and error text; none of it
// may reach the terminal as an escape sequence or carriage return.
func TestTextEscapesControlCharacters(t *testing.T) {
	r := failingReport()
	r.Checks[6].Evidence = fact("message", "ok\x1b[2J\x1b]0;pwned\x07\rgone\u202eevil", "banner", "line one\nline two")
	r.Checks[6].Error = "bad\x1b[31m"
	r.Checks[6].Hints = []string{"use\r--password"}
	for _, verbose := range []bool{false, true} {
		var b bytes.Buffer
		if err := Text(&b, r, TextOptions{Verbose: verbose}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, bad := range []string{"\x1b", "\r", "\x07", "\u202e"} {
			if strings.Contains(out, bad) {
				t.Errorf("output contains %q:\n%s", bad, out)
			}
		}
		want := []string{
			`message: ok\x1b[2J\x1b]0;pwned\x07\x0dgone\u202eevil`,
			"      banner:  line one\n" + strings.Repeat(" ", 15) + "line two\n", // continues under the value
			`fix: use\x0d--password`,
		}
		if verbose { // the error is Go's own text, for --verbose only
			want = append(want, `error: bad\x1b[31m`)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("verbose %v: output lacks %q:\n%s", verbose, w, out)
			}
		}
	}
}

func TestTextSkipLinesHaveNoDurationOrTrailingSpace(t *testing.T) {
	reports := []*checks.Report{{}} // a zero report: empty uri, user, counts
	for _, c := range cases {
		reports = append(reports, c.report())
	}
	for _, r := range reports {
		for _, verbose := range []bool{false, true} {
			var b bytes.Buffer
			if err := Text(&b, r, TextOptions{Verbose: verbose}); err != nil {
				t.Fatal(err)
			}
			for ln := range strings.Lines(b.String()) {
				ln = strings.TrimSuffix(ln, "\n")
				if strings.TrimRight(ln, " ") != ln {
					t.Errorf("trailing space: %q", ln)
				}
				if strings.HasPrefix(strings.TrimLeft(ln, " "), "– ") && strings.HasSuffix(ln, "ms") {
					t.Errorf("skipped check with a duration: %q", ln)
				}
			}
		}
	}
}

// Members must not disappear when the runner reports them without a
// members check.
func TestTextMembersWithoutMembersCheck(t *testing.T) {
	r := clusterReport()
	r.Checks = r.Checks[:8]
	var b bytes.Buffer
	if err := Text(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "members\n    ✓ core-1.graph.internal:7687") {
		t.Errorf("members missing:\n%s", b.String())
	}
}

func TestTextVerdictLine(t *testing.T) {
	tests := []struct {
		r    *checks.Report
		want string
	}{
		{&checks.Report{Verdict: checks.Fail, Duration: 3 * time.Millisecond}, "✗ fail — no checks ran in 3ms\n"},
		{&checks.Report{Verdict: checks.Warn, Checks: []checks.Result{{ID: "a", Status: checks.Warn}, {ID: "b", Status: checks.Warn}}},
			"! warn — 2 warnings in 0ms\n"},
		{&checks.Report{}, "? unknown — no checks ran in 0ms\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := Text(&b, tt.r, TextOptions{}); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(b.String(), tt.want) {
			t.Errorf("got %q, want suffix %q", b.String(), tt.want)
		}
	}
}

func TestTextNilReport(t *testing.T) {
	if err := Text(new(bytes.Buffer), nil, TextOptions{}); err == nil {
		t.Error("Text(nil) = nil error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestWriteErrorsAreReturned(t *testing.T) {
	if err := Text(failWriter{}, healthyReport(), TextOptions{}); err == nil {
		t.Error("Text: write error swallowed")
	}
	if err := JSON(failWriter{}, healthyReport(), ToolInfo{}); err == nil {
		t.Error("JSON: write error swallowed")
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                     "0ms",
		999 * time.Microsecond:                "<1ms",
		time.Millisecond:                      "1ms",
		999 * time.Millisecond:                "999ms",
		1234 * time.Millisecond:               "1.2s",
		59 * time.Second:                      "59.0s",
		65*time.Second + 600*time.Millisecond: "1m6s",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
