package exporter

import (
	"testing"
	"time"
)

// TestStartReserve: a queued probe must still have twice its target's
// last healthy diagnosis left to start, at least the minimum (also for an
// unknown or failing target), never more than half of what is left.
func TestStartReserve(t *testing.T) {
	t.Parallel()
	healthy := &record{Duration: 30 * time.Millisecond}
	slow := &record{Duration: 3 * time.Second}
	failed := &record{Duration: 5 * time.Second, ExitCode: 2}
	for _, c := range []struct {
		name string
		last *record
		left time.Duration
		want time.Duration
	}{
		{"first probe", nil, 10 * time.Second, minimumProbeTimeout},
		{"healthy in 30ms", healthy, 10 * time.Second, 100 * time.Millisecond},
		{"healthy in 3s", slow, 10 * time.Second, 5 * time.Second},
		{"healthy in 3s, 4s left", slow, 4 * time.Second, 2 * time.Second},
		{"failed", failed, 10 * time.Second, minimumProbeTimeout},
		{"tiny budget", nil, 50 * time.Millisecond, 25 * time.Millisecond},
	} {
		if got := startReserve(c.last, c.left); got != c.want {
			t.Errorf("%s: startReserve = %s, want %s", c.name, got, c.want)
		}
	}
}
