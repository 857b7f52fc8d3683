package checks

import (
	"errors"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
)

// Retryable says whether a report that is not healthy shows a server that
// may still be starting, so `--wait` should diagnose again rather than give
// up: nothing answers yet (exit 2: a name not yet registered, a refused
// port, a silent peer), a peer that closes the connection without a byte
// (what Docker's port proxy does while the container is starting), a
// Neo.TransientError (DatabaseUnavailable while the database starts), a
// routing table without writers or readers (no leader elected yet), or
// cluster members that are not up yet.
//
// Everything else does not go away by waiting: a wrong password, a bad
// certificate, the HTTP port, a database that does not exist. A healthy
// report is not retryable either: there is nothing to wait for.
//
// It reads typed data only: each deciding result's code (Code.Wait), its
// error value, and a check's own rule where it has one (Check.Retry).
func Retryable(rep *Report) bool {
	if rep == nil {
		return false
	}
	switch rep.ExitCode {
	case ExitNoResponse:
		return true
	case ExitFailed:
	default:
		return false
	}
	// Exit 1: every check that made it fail must be of the waiting kind.
	// Under --strict a warning fails the run too.
	strict := rep.Verdict == Warn
	deciding := 0
	for _, res := range rep.Checks {
		if res.Status != Fail && (res.Status != Warn || !strict) {
			continue
		}
		deciding++
		if !waitable(res, rep) {
			return false
		}
	}
	return deciding > 0
}

// waitable is the rule for one failing (or, under --strict, warning)
// result.
func waitable(res Result, rep *Report) bool {
	var se *bolt.ServerError
	if errors.As(res.Err, &se) && se.Transient() {
		return true
	}
	for _, c := range Checks() {
		if c.ID == res.ID && c.Retry != nil {
			return c.Retry(res, rep)
		}
	}
	for _, c := range AllCodes() {
		if c.ID == res.Code {
			return c.Wait
		}
	}
	return false
}
