package checks

import "time"

// FleetReport is the diagnosis of several targets (check --targets, a
// targets file), in the file's order.
type FleetReport struct {
	Outcomes []Outcome
	Started  time.Time
	Duration time.Duration
	Verdict  Status // the worst: fail, then warn, then pass
	ExitCode int    // the worst (highest) exit code of any target
}

// Outcome is one target's diagnosis.
type Outcome struct {
	Name   string
	Report *Report
}

// Worst is a fleet's verdict and exit code: a single failing target
// fails the fleet, and the exit code is the highest any target got, so
// "no response" (2) outranks "a check failed" (1).
func Worst(outcomes []Outcome) (Status, int) {
	v, code := Pass, ExitHealthy
	for _, o := range outcomes {
		if o.Report == nil {
			continue
		}
		switch o.Report.Verdict {
		case Fail:
			v = Fail
		case Warn:
			if v == Pass {
				v = Warn
			}
		}
		code = max(code, o.Report.ExitCode)
	}
	return v, code
}
