package fleet

import (
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// Summary is what a table row or a metric needs from a report, read from
// the facts the checks record: the same facts the JSON report carries,
// so nothing here depends on the checks' internals.
type Summary struct {
	// Failing is the first check that failed, or if none failed the first
	// that warned; "" when every check passed or was skipped.
	Failing     string
	BoltVersion string // "5.8"; "" when no handshake completed
	ServerAgent string // "Neo4j/5.26.0"; "" when the server never said
	// Routing is the routing table's size per role; nil when no table was
	// read (bolt://, or the routing check did not get that far).
	Routing *RoutingSizes
	// Certificates holds the earliest expiry of each certificate chain
	// seen: the target's own, then each member's, by address.
	Certificates []CertExpiry
}

// RoutingSizes counts the servers of a routing table per role.
type RoutingSizes struct{ Routers, Readers, Writers int }

// CertExpiry is when the first certificate of a server's chain expires.
type CertExpiry struct {
	Address  string
	NotAfter time.Time
}

// Summarize reads a report's headline facts.
func Summarize(rep *checks.Report) Summary {
	var s Summary
	if rep == nil {
		return s
	}
	for _, st := range []checks.Status{checks.Fail, checks.Warn} {
		for _, c := range rep.Checks {
			if c.Status == st && s.Failing == "" {
				s.Failing = c.ID
			}
		}
	}
	if c := find(rep.Checks, "version"); c != nil && c.Status != checks.Skip {
		s.BoltVersion = fact(c.Facts, "bolt")
		s.ServerAgent = fact(c.Facts, "server agent")
	}
	if c := find(rep.Checks, "routing"); c != nil {
		if r, ok := routingSizes(c.Facts); ok {
			s.Routing = &r
		}
	}
	seen := map[string]bool{}
	addCert := func(addr string, rs []checks.Result) {
		if seen[addr] {
			return
		}
		if c := find(rs, "tls"); c != nil {
			if t, ok := earliestExpiry(c); ok {
				seen[addr] = true
				s.Certificates = append(s.Certificates, CertExpiry{Address: addr, NotAfter: t})
			}
		}
	}
	addCert(net.JoinHostPort(rep.Target.Host, strconv.Itoa(rep.Target.Port)), rep.Checks)
	for _, m := range rep.Members {
		addCert(m.Address, m.Checks)
	}
	return s
}

func find(rs []checks.Result, id string) *checks.Result {
	for i := range rs {
		if rs[i].ID == id {
			return &rs[i]
		}
	}
	return nil
}

func fact(fs []checks.Fact, name string) string {
	for _, f := range fs {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// routingSizes reads the routing check's "routers", "readers" and
// "writers" facts: a list of addresses, "(none)", or a list cut short as
// "a, b, ... and 12 more".
func routingSizes(fs []checks.Fact) (RoutingSizes, bool) {
	var r RoutingSizes
	n := 0
	for _, f := range fs {
		var dst *int
		switch f.Name {
		case "routers":
			dst = &r.Routers
		case "readers":
			dst = &r.Readers
		case "writers":
			dst = &r.Writers
		default:
			continue
		}
		*dst = countList(f.Value)
		n++
	}
	return r, n == 3
}

var moreRE = regexp.MustCompile(` and (\d+) more$`)

func countList(v string) int {
	v = strings.TrimSpace(v)
	if v == "" || v == "(none)" {
		return 0
	}
	extra := 0
	if m := moreRE.FindStringSubmatch(v); m != nil {
		extra, _ = strconv.Atoi(m[1])
		v = strings.TrimSuffix(v, m[0])
	}
	return len(strings.Split(v, ", ")) + extra
}

// validRE finds the validity of one certificate in the tls check's
// evidence ("...; valid 2026-01-01T00:00:00Z to 2027-01-01T00:00:00Z; ...").
var validRE = regexp.MustCompile(`(?:^|; )valid (\S+) to (\S+?);`)

// earliestExpiry is the first NotAfter of the chain the server sent: an
// intermediate that expires before the leaf breaks verification just the
// same. The leaf's "expires" fact is the fallback.
func earliestExpiry(c *checks.Result) (time.Time, bool) {
	var first time.Time
	for _, e := range c.Evidence {
		if !strings.HasPrefix(e.Name, "certificate ") {
			continue
		}
		m := validRE.FindStringSubmatch(e.Value)
		if m == nil {
			continue
		}
		t, err := time.Parse(time.RFC3339, m[2])
		if err == nil && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	if first.IsZero() {
		if t, err := time.Parse(time.RFC3339, fact(c.Facts, "expires")); err == nil {
			first = t
		}
	}
	return first, !first.IsZero()
}
