package checks

import (
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"
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
// It reads only the report, as a user would: a failing check's id, its
// server error code, and facts the checks record in a fixed form. The
// tests in wait_test.go pin each rule to a real fixture, so a change of
// wording in a check that breaks a rule fails there.
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

// waitable is the rule for one failing (or, under --strict, warning) check.
func waitable(res Result, rep *Report) bool {
	if strings.HasPrefix(evidence(res, "code"), "Neo.TransientError.") {
		return true
	}
	switch res.ID {
	case "dns", "tcp":
		// A name that does not resolve yet, a port that refuses.
		return true
	case "tls":
		return tlsNotUpYet(res)
	case "bolt":
		return boltNotUpYet(res)
	case "routing":
		// A table that lists no writers or no readers: the database is
		// online somewhere but has no leader or no follower yet. A server
		// error is covered by its code above; a table without routers or a
		// named database on Bolt 3 is not something that waiting fixes.
		return res.Error == "" && (fact(res, "writers") == "(none)" || fact(res, "readers") == "(none)")
	case "members":
		return membersMayComeUp(res, rep)
	}
	return false
}

// tlsNotUpYet: the TLS handshake timed out, or the peer closed the
// connection on the ClientHello without sending a byte. A server with TLS
// disabled does the latter too, but so does a port proxy whose backend is
// not listening yet, and stopping a CI gate early on a proxy is worse than
// waiting out a misconfiguration whose report is correct either way.
func tlsNotUpYet(res Result) bool {
	if strings.Contains(res.Error, tlsprobe.ErrHandshakeTimeout.Error()) {
		return true
	}
	return strings.Contains(res.Error, tlsprobe.ErrPlaintextPort.Error()) && evidence(res, "received") == ""
}

// boltNotUpYet: the handshake was met with silence, or with a close or
// reset before any byte, and the port does not turn out to want TLS (that
// is a wrong scheme, said in the summary, and waiting does not fix it).
func boltNotUpYet(res Result) bool {
	if evidence(res, "received") != "" {
		return false
	}
	for _, e := range []error{bolt.ErrSilent, bolt.ErrClosed, bolt.ErrReset} {
		if strings.Contains(res.Error, e.Error()) {
			return !strings.Contains(res.Summary, "requires TLS")
		}
	}
	return false
}

func fact(res Result, name string) string { return lookup(res.Facts, name) }

func evidence(res Result, name string) string { return lookup(res.Evidence, name) }

func lookup(fs []Fact, name string) string {
	for _, f := range fs {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}
