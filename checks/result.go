// Package checks runs the ordered diagnosis of one Neo4j target:
// config, dns, tcp, tls, bolt, version, auth, routing, members, access,
// query, and beside them http and websocket (Browser's way in).
//
// A check is a plain function from a context and the shared run state to a
// Result. Checks name the checks they need; a check whose dependency did not
// pass (or warn) is skipped, not failed. Nothing here prints: report/ renders
// a Report.
package checks

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/internal/truststore"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

// Status is the verdict of one check.
type Status string

const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Fact is one named observation, kept in the order it was made.
type Fact struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// Verbose marks raw material a person rarely needs to read the
	// verdict: bytes in hex, Go's own error text, protocol detail such as
	// how the first flight was pipelined. The text report shows it only
	// with --verbose; JSON, the bundle and every other format carry it.
	Verbose bool `json:"-"`
}

// Result is what one check found. Status, Code, the error value and the
// run's Artifacts are for programs; Summary, Facts, Evidence and Hints are
// for people, and nothing reads them back.
type Result struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Status Status `json:"status"`
	// Code is the outcome, stable and machine-readable, e.g.
	// "tls.self_signed" (see Check.Codes); every result that is not a pass
	// has one.
	Code     string        `json:"code,omitempty"`
	Summary  string        `json:"summary"`
	Duration time.Duration `json:"-"`
	Facts    []Fact        `json:"facts"`
	// Evidence is raw material: bytes in hex, server codes and messages,
	// certificate subjects. Keyed for machines, ordered for people.
	Evidence []Fact   `json:"evidence"`
	Hints    []string `json:"hints"`
	// DriverHints are the snippets of the driver --driver names for the
	// fix (see driverhints.go); nil without --driver.
	DriverHints []DriverHint `json:"driverHints,omitempty"`
	// Error is Err in words, for the report.
	Error string `json:"error,omitempty"`
	// Err is the error that decided the result, typed (a *bolt.ServerError,
	// a *bolt.PeerError, a *tlsprobe.CertError, ...); nil when none did.
	Err error `json:"-"`
}

// raise sets the result's status to s when that is worse than what it
// has, and its code to code when the status rose or it had none, so the
// code names the worst thing found first.
func (res *Result) raise(s Status, code string) {
	rank := map[Status]int{Skip: 0, Pass: 1, Warn: 2, Fail: 3}
	if rank[s] > rank[res.Status] {
		res.Status, res.Code = s, code
		return
	}
	if res.Code == "" && s != Pass {
		res.Code = code
	}
}

// Member is one advertised routing-table member and its own checks.
type Member struct {
	Address string   `json:"address"`
	Roles   []string `json:"roles"`
	Status  Status   `json:"status"`
	Checks  []Result `json:"checks"`
	// Seed: this member is the server in the URI, whose checks are the
	// run's own (one connection per server, not two).
	Seed bool `json:"seed,omitempty"`
	run  *Run // the member's own run, for its Artifacts; nil for the seed
}

// Setting is one effective input and where it came from: Source is
// "flag", "file", "env", "uri" or "default".
type Setting struct {
	Value  string `json:"value"`
	Source string `json:"source"`
	From   string `json:"from,omitempty"` // e.g. "NEO4J_PASSWORD", "--uri", "Neo4j-1234.txt"
}

// TargetInfo describes what was diagnosed, without secrets.
type TargetInfo struct {
	URI            string             `json:"uri"` // credentials stripped
	Scheme         string             `json:"scheme"`
	Host           string             `json:"host"`
	Port           int                `json:"port"`
	Username       string             `json:"username"`
	PasswordSource string             `json:"passwordSource"` // "flag --password", "NEO4J_PASSWORD", "file Neo4j-x.txt", "uri", "none"
	Database       string             `json:"database"`       // "" = home database
	Settings       map[string]Setting `json:"settings"`
	Resolver       string             `json:"resolver,omitempty"` // "system" or the --dns-server
	AuraInstance   string             `json:"auraInstance,omitempty"`
}

// Report is the whole diagnosis.
type Report struct {
	Target   TargetInfo
	Started  time.Time
	Duration time.Duration
	Checks   []Result
	Members  []Member
	Verdict  Status // pass, warn or fail
	ExitCode int
	// Table is the routing table the routing check read: the one drivers
	// use (neo4j://), or the server's own when a bolt:// target is one
	// member of a cluster; nil when there was none.
	Table *routing.Table `json:"-"`
	// Access is what the access check established, for programs (the
	// exporter's access mode); nil when it did not run.
	Access *AccessInfo `json:"-"`
	// Idle is what the idle check measured (--idle-probe), for programs:
	// the JSON report's idle object, the exporter's idle metrics; nil
	// when it did not measure.
	Idle *IdleInfo `json:"-"`
	// HTTP is what the http and websocket checks met at the HTTP
	// endpoint and on the Bolt port, for programs (the exporter, the
	// bundle); nil when the endpoint did not answer or the checks did not
	// run.
	HTTP *HTTPInfo `json:"-"`
	// TrustStores says which trust stores on this machine accept the
	// chain the server sent (the tls check), the application's
	// (--trust-store) marked Picked; nil when none was judged.
	TrustStores []truststore.Verdict `json:"-"`
	// Artifacts is the run's raw material for support bundles; never
	// rendered by the report.
	Artifacts *Artifacts `json:"-"`
	// Connections and Logons are what the diagnosis cost the servers:
	// the TCP connections it opened to them (Bolt, the version listing,
	// HTTP, WebSocket) and the logins it sent (each a LOGON the server
	// checks, with LDAP or SSO a call to the identity provider).
	Connections, Logons int
	// Warm says the diagnosis started from what the process remembered
	// of the target (Env.Memory): the members of the last routing table
	// were contacted in the same flight as the seed.
	Warm bool
	// TableChange is how the routing table differs from the one the
	// last diagnosis of the target in this process read; nil when it does
	// not, or when there was none.
	TableChange *TableChange `json:"-"`
}

// TableChange is how a target's routing table changed between two
// diagnoses in one process: a finding, as a leader election or a member
// that left is.
type TableChange struct {
	WritersBefore, WritersAfter []string // when the writers changed; both nil when not
	Joined, Left                []string // members (any role) new to the table, and gone from it
}

// String says the change as people read it: "writer a → b; joined c;
// left d".
func (c *TableChange) String() string {
	var parts []string
	if c.WritersBefore != nil || c.WritersAfter != nil {
		parts = append(parts, fmt.Sprintf("writer %s → %s", listOrNone(c.WritersBefore), listOrNone(c.WritersAfter)))
	}
	if len(c.Joined) > 0 {
		parts = append(parts, "joined "+strings.Join(c.Joined, ", "))
	}
	if len(c.Left) > 0 {
		parts = append(parts, "left "+strings.Join(c.Left, ", "))
	}
	return strings.Join(parts, "; ")
}

// Exit codes: the CLI contract, as pg_isready.
const (
	ExitHealthy    = 0 // every check passed (warnings allowed without --strict)
	ExitFailed     = 1 // the server was reached but a check failed
	ExitNoResponse = 2 // DNS or TCP failed, or nothing answered in time
	ExitNoAttempt  = 3 // bad flags, unreadable file, invalid URI
)

// HTTPInfo is what the HTTP side of a run met: typed data for programs.
type HTTPInfo struct {
	Endpoint string // scheme://host:port, as --http-uri or derived
	// Status is the HTTP status of GET /; 0 when no answer came.
	Status int
	// Header is the answer's headers, without cookies or authorization;
	// Document its body (at most 64 KiB): the discovery document, which
	// holds no secret.
	Header   http.Header
	Document []byte
	// WebSocket is the websocket check's status; "" when it did not run.
	// WebSocketStatus is the HTTP status its upgrade was answered with
	// (101 when it worked), 0 when none came.
	WebSocket       Status
	WebSocketStatus int
}
