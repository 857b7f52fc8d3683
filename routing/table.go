// Package routing fetches and interprets Neo4j routing tables.
package routing

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/internal/clip"
)

// MaxAddresses caps how many addresses a table may hold before the rest
// are dropped: a real cluster has tens, a hostile server millions.
const MaxAddresses = 1024

// MaxProblems caps the problems kept from one table; the rest are counted.
const MaxProblems = 20

// Table is a routing table as received.
type Table struct {
	TTL      int64  // seconds, as sent (may be zero or negative)
	Database string // rt.db (4.4+); "" when the server did not say
	Routers  []string
	Readers  []string
	Writers  []string
	// Problems found while parsing that did not make the table unusable:
	// unknown roles, malformed or duplicate addresses, truncation.
	Problems []Problem
}

// Problem is one thing wrong with a table that did not make it unusable.
type Problem struct {
	// Role is the role whose entry it concerns (ROUTE, READ, WRITE); ""
	// when it concerns no single role (an unknown role, truncation).
	Role string
	Text string
}

func (p Problem) String() string { return p.Text }

// ErrMalformed means the server's answer is not a routing table.
var ErrMalformed = errors.New("routing: malformed routing table")

// Parse reads the `rt` map of a ROUTE SUCCESS, or a record of the routing
// procedures turned into the same shape ({"ttl": .., "servers": [..]}).
func Parse(rt map[string]any) (*Table, error) {
	t := &Table{}
	switch ttl := rt["ttl"].(type) {
	case int64:
		t.TTL = ttl
	case nil:
		return nil, fmt.Errorf("%w: no ttl", ErrMalformed)
	default:
		return nil, fmt.Errorf("%w: ttl is a %T", ErrMalformed, ttl)
	}
	if db, ok := rt["db"].(string); ok {
		t.Database = db
	}
	servers, ok := rt["servers"].([]any)
	if !ok {
		return nil, fmt.Errorf("%w: servers is a %T, not a list", ErrMalformed, rt["servers"])
	}
	dropped := 0
	problem := func(role, format string, args ...any) {
		if len(t.Problems) < MaxProblems {
			t.Problems = append(t.Problems, Problem{Role: role, Text: fmt.Sprintf(format, args...)})
		} else {
			dropped++
		}
	}
	// A flood of addresses in one role must not crowd out the others: a
	// table of 100,000 readers still has its routers and writers.
	want := map[string]int{}
	for _, s := range servers {
		if entry, ok := s.(map[string]any); ok {
			role, _ := entry["role"].(string)
			addrs, _ := entry["addresses"].([]any)
			want[strings.ToUpper(role)] += len(addrs)
		}
	}
	quota := quotas(want)
	kept, cut := map[string]int{}, map[string]int{}
	seen := map[string]map[string]bool{}
	for i, s := range servers {
		entry, ok := s.(map[string]any)
		if !ok {
			problem("", "servers[%d] is a %T, not a map", i, s)
			continue
		}
		role, _ := entry["role"].(string)
		role = strings.ToUpper(role)
		addrs, ok := entry["addresses"].([]any)
		if !ok {
			problem(knownRole(role), "servers[%d] (%s) has no address list", i, role)
			continue
		}
		var dst *[]string
		switch role {
		case "ROUTE":
			dst = &t.Routers
		case "READ":
			dst = &t.Readers
		case "WRITE":
			dst = &t.Writers
		default:
			problem("", "unknown role %q ignored", clip.String(role, 40))
			continue
		}
		if seen[role] == nil {
			seen[role] = map[string]bool{}
		}
		for _, a := range addrs {
			if kept[role] >= quota[role] {
				cut[role]++
				continue
			}
			as, ok := a.(string)
			if !ok {
				problem(role, "%s address is a %T, not a string", role, a)
				continue
			}
			if seen[role][as] {
				problem(role, "%s address %s listed twice", role, clip.String(as, 80))
				continue
			}
			seen[role][as] = true
			if _, _, err := SplitAddress(as); err != nil {
				problem(role, "%s address %q: %v", role, clip.String(as, 80), err)
				continue
			}
			*dst = append(*dst, as)
			kept[role]++
		}
	}
	if dropped > 0 {
		t.Problems = append(t.Problems, Problem{Text: fmt.Sprintf("and %d more problems", dropped)})
	}
	// Said outside the cap on problems: it changes what the table means.
	if len(cut) > 0 {
		var parts []string
		for _, role := range []string{"WRITE", "READ", "ROUTE"} {
			if cut[role] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", cut[role], role))
			}
		}
		t.Problems = append(t.Problems, Problem{Text: fmt.Sprintf("table truncated at %d addresses: %s addresses not read", MaxAddresses, strings.Join(parts, ", "))})
	}
	return t, nil
}

// knownRole is role when it is one of a table's, else "".
func knownRole(role string) string {
	switch role {
	case "ROUTE", "READ", "WRITE":
		return role
	}
	return ""
}

// quotas shares MaxAddresses between the roles: each gets what it lists up
// to an equal share, and what small roles leave the large ones share.
func quotas(want map[string]int) map[string]int {
	roles := []string{"WRITE", "READ", "ROUTE"}
	sort.SliceStable(roles, func(i, j int) bool { return want[roles[i]] < want[roles[j]] })
	q := map[string]int{}
	left := MaxAddresses
	for i, r := range roles {
		q[r] = min(want[r], left/(len(roles)-i))
		left -= q[r]
	}
	return q
}

// SplitAddress splits an advertised "host:port"; a missing port is an
// error because drivers would assume 7687 where the server may not listen.
func SplitAddress(a string) (string, int, error) {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return "", 0, fmt.Errorf("not host:port")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || host == "" {
		return "", 0, fmt.Errorf("bad host or port")
	}
	return host, n, nil
}

// Member is one distinct address of the table and the roles it holds.
type Member struct {
	Address string
	Roles   []string // ROUTE, READ, WRITE
}

// Members lists every distinct address with its roles, in the order of
// first appearance: writers, then readers, then routers.
func (t *Table) Members() []Member {
	idx := map[string]int{}
	var out []Member
	add := func(addrs []string, role string) {
		for _, a := range addrs {
			i, ok := idx[a]
			if !ok {
				i = len(out)
				idx[a] = i
				out = append(out, Member{Address: a})
			}
			out[i].Roles = append(out[i].Roles, role)
		}
	}
	add(t.Writers, "WRITE")
	add(t.Readers, "READ")
	add(t.Routers, "ROUTE")
	for i := range out {
		sort.Strings(out[i].Roles)
	}
	return out
}
