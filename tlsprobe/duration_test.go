package tlsprobe

import (
	"testing"
	"time"
)

func TestHumanCount(t *testing.T) {
	const day = 24 * time.Hour
	for _, c := range []struct {
		d    time.Duration
		n    int
		unit string
		text string // HumanDuration(d)
	}{
		{61*day + 5*time.Hour, 61, "days", "61 days"},
		{2 * day, 2, "days", "2 days"},
		{2*day - time.Nanosecond, 47, "hours", "47 hours"},
		{23*time.Hour + 59*time.Minute, 23, "hours", "23 hours"},
		{-(23*time.Hour + 59*time.Minute), 23, "hours", "23 hours"},
		{2 * time.Hour, 2, "hours", "2 hours"},
		{2*time.Hour - time.Second, 119, "minutes", "119 minutes"},
		{2 * time.Minute, 2, "minutes", "2 minutes"},
		{2*time.Minute - time.Millisecond, 119, "seconds", "2m0s"},
		{90 * time.Second, 90, "seconds", "1m30s"},
		{1500 * time.Millisecond, 1, "second", "2s"},
		{time.Second, 1, "second", "1s"},
		{300 * time.Millisecond, 0, "seconds", "0s"},
		{0, 0, "seconds", "0s"},
	} {
		if n, unit := HumanCount(c.d); n != c.n || unit != c.unit {
			t.Errorf("HumanCount(%v) = %d %s, want %d %s", c.d, n, unit, c.n, c.unit)
		}
		if got := HumanDuration(c.d); got != c.text {
			t.Errorf("HumanDuration(%v) = %q, want %q", c.d, got, c.text)
		}
	}
}
