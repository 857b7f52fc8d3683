package checks

import (
	"fmt"
	"time"
)

// hexBytes formats bytes as spaced hex pairs, capped so evidence stays
// readable; the cap is said, not hidden.
func hexBytes(b []byte) string {
	const max = 64
	if len(b) == 0 {
		return "(nothing)"
	}
	s := fmt.Sprintf("% X", b[:min(len(b), max)])
	if len(b) > max {
		s += fmt.Sprintf(" … (%d bytes)", len(b))
	}
	return s
}

func roundDur(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(10 * time.Millisecond)
	case d > time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
