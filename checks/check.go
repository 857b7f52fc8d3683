package checks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

// Check is one step of the diagnosis. Each lives in a file of its own,
// which declares here everything the runner, the report, the exporter,
// --wait and the documentation need to know about it; Checks lists them
// in order.
type Check struct {
	ID    string
	Title string
	// Doc says what the check checks, in one line, for --list-checks and
	// the README.
	Doc string
	// Needs lists checks that must not have failed (or been blocked);
	// otherwise this check is skipped.
	Needs []string
	// After lists checks that must finish first without being required to
	// pass: ordering only.
	After []string
	// Member: the check also runs for every routing-table member, against
	// the member's own address, the way a driver reaches it.
	Member bool
	// Phase: the check is a step of the connection path whose time is a
	// metric of its own (neo4j_doctor_phase_duration_seconds).
	Phase bool
	// Ride returns the requests this check wants on the run's first Bolt
	// connection, sent right behind the login so they cost no round trip
	// of their own; nil for none. Their replies are the check's alone
	// (Run.Rides). It is called only when the check will run.
	Ride func(f Flight) []bolt.Request
	// Beside names the check of the Bolt path after which the report
	// lists this check when it warned or failed: it runs beside the path
	// (Browser's HTTP and WebSocket side), so it is listed last, where a
	// pass reads as an addition and a skip folds into one line that does
	// not split the path's, and moves up next to Beside when it has a
	// problem to show, so that its fix is on the first screen. "" for a
	// check of the path itself.
	Beside string
	// Codes documents every code the check's results may carry.
	Codes []Code
	// Retry, when set, decides for --wait whether a result of this check
	// that is not healthy may still change by waiting; without it the
	// code's Wait does.
	Retry func(res Result, rep *Report) bool
	// OptIn, when set and false for the target, makes the check no part
	// of the run: not in the report, not in JSON or JUnit, not counted,
	// not waited for. A check only a flag asks for (the idle probe). OptInHint
	// says how to opt in, for the error when --checks names it without.
	OptIn     func(t *Target) bool
	OptInHint string
	// Warm, when set, starts at the beginning of a warm run (the process
	// remembers the target's last routing table: Env.Memory) what the
	// check can do before what it Needs is done, from what is
	// remembered; Run then reconciles it with what the run found. It
	// must not block, and what it starts ends with the run.
	Warm func(ctx context.Context, r *Run)
	Run  func(ctx context.Context, r *Run) Result
}

// Code is one stable, machine-readable outcome of a check: a value of
// Result.Code. Released codes never change their meaning or spelling.
type Code struct {
	ID   string // "<check>.<outcome>", e.g. "tls.self_signed"
	Doc  string // what it means, one line
	Wait bool   // the condition may go away by itself (a server still starting): --wait tries again
}

// ValidCheckID reports whether id has the shape the JSON schema gives a
// check id: a lower-case letter, then lower-case letters, digits, '_' and
// '-'.
func ValidCheckID(id string) bool { return word(id, "_-") }

// ValidCode reports whether code has the shape the JSON schema gives a
// code: words of lower-case letters, digits and '_', each starting with a
// letter, joined by dots ("tls.self_signed").
func ValidCode(code string) bool {
	for w := range strings.SplitSeq(code, ".") {
		if !word(w, "_") {
			return false
		}
	}
	return true
}

func word(s, extra string) bool {
	for i, r := range s {
		if !('a' <= r && r <= 'z' || i > 0 && ('0' <= r && r <= '9' || strings.ContainsRune(extra, r))) {
			return false
		}
	}
	return s != ""
}

// Codes every check may carry, set by the runner rather than the check.
const (
	CodeInterrupted = "interrupted" // the run was cancelled (Ctrl-C, a deadline) before the check finished
	CodeBlocked     = "blocked"     // skipped: a check it needs did not pass
	CodeLeftOut     = "left_out"    // skipped: --checks or --skip left it out
)

var runnerCodes = []Code{
	{ID: CodeInterrupted, Doc: "the run was cancelled (Ctrl-C or a deadline) before the check finished"},
	{ID: CodeBlocked, Doc: "skipped: a check it needs did not pass"},
	{ID: CodeLeftOut, Doc: "skipped: --checks or --skip left it out"},
}

// Flight is what is known when a run's first requests are built.
type Flight struct {
	// Version is the negotiated Bolt version, or bolt.SpeculativeVersion
	// when the requests go out with the handshake.
	Version bolt.Version
	Target  *Target
	// Member: the connection is a routing-table member's own.
	Member bool
	// Routing is the routing context HELLO carries; nil for bolt://.
	Routing map[string]string
	// Remembered is, on a warm run (Env.Memory), the routing table the
	// process's last diagnosis of the target read: its database is the
	// one a neo4j:// run's statements go to before the fresh table
	// names it. nil on a cold run and on a member's connection.
	Remembered *routing.Table
}

// builtin is the diagnosis, in the order a driver meets each step: one
// line per check. It is filled by init because the checks' own rules
// (Check.Retry) read the list, which variable initialisation cannot
// order.
var builtin []Check

func init() {
	builtin = []Check{
		configCheck,
		dnsCheck,
		tcpCheck,
		tlsCheck,
		boltCheck,
		versionCheck,
		authCheck,
		routingCheck,
		idleCheck, // opt-in (--idle-probe); after routing, which names the writer it probes
		membersCheck,
		accessCheck,
		queryCheck,
		// Browser's way in, beside the Bolt path (Check.Beside).
		httpCheck,
		websocketCheck,
	}
}

var (
	registeredMu sync.Mutex
	registered   []Check
)

// Checks is the diagnosis, in the order a driver meets each step, then any
// check added with Register.
func Checks() []Check {
	registeredMu.Lock()
	defer registeredMu.Unlock()
	return append(slices.Clone(builtin), registered...)
}

// Register adds c to every diagnosis from now on, after the checks it
// needs, and returns a function that removes it again. A check of a
// program built on this package, or of a test. It panics when the id is
// taken or a check it needs or runs after does not exist: both are
// mistakes in the program, not in its input.
func Register(c Check) (unregister func()) {
	ids := map[string]bool{}
	for _, e := range Checks() {
		ids[e.ID] = true
	}
	if !ValidCheckID(c.ID) || ids[c.ID] || c.Run == nil {
		panic(fmt.Sprintf("checks: Register: check %q is taken, not an id or has no Run", c.ID))
	}
	for _, code := range c.Codes {
		if !ValidCode(code.ID) {
			panic(fmt.Sprintf("checks: Register: check %q: %q is not a code", c.ID, code.ID))
		}
	}
	for _, dep := range append(slices.Clone(c.Needs), c.After...) {
		if !ids[dep] {
			panic(fmt.Sprintf("checks: Register: check %q needs %q, which does not exist", c.ID, dep))
		}
	}
	registeredMu.Lock()
	registered = append(registered, c)
	registeredMu.Unlock()
	return func() {
		registeredMu.Lock()
		defer registeredMu.Unlock()
		registered = slices.DeleteFunc(registered, func(e Check) bool { return e.ID == c.ID })
	}
}

// RunChecks are the checks of a run against t: Checks without those t
// did not opt in to (Check.OptIn).
func RunChecks(t *Target) []Check {
	return slices.DeleteFunc(Checks(), func(c Check) bool { return c.OptIn != nil && !c.OptIn(t) })
}

// OptedIn returns an *InputError when only (--checks) names a check t did
// not opt in to: it would not run, so asking for it alone is a mistake.
func OptedIn(t *Target, only []string) error {
	for _, c := range Checks() {
		if c.OptIn != nil && !c.OptIn(t) && slices.Contains(only, c.ID) {
			return inputErr(c.OptInHint, "--checks %s: the %s check runs only when asked for", c.ID, c.ID)
		}
	}
	return nil
}

// CheckDoc describes one check for --list-checks and the README.
type CheckDoc struct {
	ID    string
	Title string
	Needs []string // checks that must pass first, else this one is skipped
	Doc   string   // what it checks, one line
}

// CheckDocs lists every check in run order with what it needs and does.
func CheckDocs() []CheckDoc {
	var out []CheckDoc
	for _, c := range Checks() {
		out = append(out, CheckDoc{ID: c.ID, Title: c.Title, Needs: c.Needs, Doc: c.Doc})
	}
	return out
}

// AllCodes lists every code a result may carry: the runner's, then each
// check's in run order.
func AllCodes() []Code {
	out := slices.Clone(runnerCodes)
	for _, c := range Checks() {
		out = append(out, c.Codes...)
	}
	return out
}

// LeftOut applies --checks (only) and --skip to the list of checks and
// returns, for each check that will not run, why. A check named by only
// brings the checks it needs; a skipped check takes the checks that need
// it along, because they would have nothing to work on (skipping query
// leaves the rest alone; skipping bolt leaves out everything after it).
// An unknown id is an *InputError naming the valid ones.
func LeftOut(only, skip []string) (map[string]string, error) {
	return leftOut(Checks(), only, skip)
}

func leftOut(list []Check, only, skip []string) (map[string]string, error) {
	byID := make(map[string]Check, len(list))
	var ids []string
	for _, c := range list {
		byID[c.ID] = c
		ids = append(ids, c.ID)
	}
	for _, set := range []struct {
		flag string
		ids  []string
	}{{"--checks", only}, {"--skip", skip}} {
		for _, id := range set.ids {
			if _, ok := byID[id]; !ok {
				return nil, inputErr("the checks are "+strings.Join(ids, ", ")+" (neo4j-doctor --list-checks describes them)",
					"%s: no check is called %q", set.flag, id)
			}
		}
	}
	left := map[string]string{}
	if len(only) > 0 {
		wanted := map[string]bool{}
		var want func(id string)
		want = func(id string) {
			if wanted[id] {
				return
			}
			wanted[id] = true
			for _, dep := range byID[id].Needs {
				want(dep)
			}
		}
		for _, id := range only {
			want(id)
		}
		for _, id := range ids {
			if !wanted[id] {
				left[id] = "not selected by --checks"
			}
		}
	}
	skipped := map[string]bool{}
	for _, id := range skip {
		skipped[id] = true
	}
	// The list is in dependency order, so one pass sees every need before
	// the checks that need it.
	for _, c := range list {
		if skipped[c.ID] {
			left[c.ID] = "left out by --skip"
			continue
		}
		if _, out := left[c.ID]; out {
			continue
		}
		for _, dep := range c.Needs {
			if skipped[dep] || left[dep] != "" {
				left[c.ID] = "needs " + dep + ", which was left out"
				break
			}
		}
	}
	return left, nil
}
