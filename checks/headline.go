package checks

import (
	"net"
	"strconv"
	"time"
)

// Headline is what a table row or a metric needs from a report. It is
// read from typed data only (results' ids and statuses, the routing table
// and the run's Artifacts), never from summaries, facts or evidence, so
// rewording the report changes no metric.
type Headline struct {
	// Failing is the first check that failed, or if none failed the first
	// that warned; "" when every check passed or was skipped.
	Failing     string
	BoltVersion string // "5.8"; "" when no handshake completed
	ServerAgent string // "Neo4j/5.26.0"; "" when the server never said
	// Routing is the routing table's size per role; nil when no table was
	// read (bolt:// to a standalone server, or the routing check did not
	// get that far).
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

// Headline reads the report's headline facts.
func (r *Report) Headline() Headline {
	var h Headline
	if r == nil {
		return h
	}
	for _, st := range []Status{Fail, Warn} {
		for _, c := range r.Checks {
			if c.Status == st && h.Failing == "" {
				h.Failing = c.ID
			}
		}
	}
	a := r.Artifacts
	if a == nil {
		a = &Artifacts{}
	}
	if ran(r.Checks, "version") {
		if a.Handshake != nil {
			h.BoltVersion = a.Handshake.Version
		}
		if a.Hello != nil {
			h.ServerAgent = a.Hello.Server
		}
	}
	if t := r.Table; t != nil {
		h.Routing = &RoutingSizes{Routers: len(t.Routers), Readers: len(t.Readers), Writers: len(t.Writers)}
	}
	seen := map[string]bool{}
	addCert := func(addr string, a *Artifacts) {
		if seen[addr] || a == nil || a.TLS == nil {
			return
		}
		var first time.Time
		for _, c := range a.TLS.Chain {
			t, err := time.Parse(time.RFC3339, c.NotAfter)
			if err == nil && (first.IsZero() || t.Before(first)) {
				first = t
			}
		}
		if !first.IsZero() {
			seen[addr] = true
			h.Certificates = append(h.Certificates, CertExpiry{Address: addr, NotAfter: first})
		}
	}
	addCert(net.JoinHostPort(r.Target.Host, strconv.Itoa(r.Target.Port)), a)
	for _, m := range a.Members {
		addCert(m.Address, m.Artifacts)
	}
	return h
}

// ran reports whether check id ran (it is in the report and not skipped).
func ran(rs []Result, id string) bool {
	for _, c := range rs {
		if c.ID == id {
			return c.Status != Skip
		}
	}
	return false
}
