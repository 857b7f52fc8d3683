package routing_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

// rt builds the `rt` map of a ROUTE SUCCESS as a PackStream decoder
// delivers it: lists are []any, integers int64.
func rt(ttl any, servers ...any) map[string]any {
	m := map[string]any{"servers": servers}
	if ttl != nil {
		m["ttl"] = ttl
	}
	return m
}

func role(r string, addrs ...any) map[string]any {
	return map[string]any{"role": r, "addresses": addrs}
}

func TestParseValid(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                     string
		in                       map[string]any
		ttl                      int64
		db                       string
		routers, readers, writer []string
	}{
		{
			name: "5.x ROUTE with db",
			in: func() map[string]any {
				m := rt(int64(300),
					role("WRITE", "core-0:7687"),
					role("READ", "core-1:7687", "core-2:7687"),
					role("ROUTE", "core-0:7687", "core-1:7687", "core-2:7687"))
				m["db"] = "neo4j"
				return m
			}(),
			ttl: 300, db: "neo4j",
			routers: []string{"core-0:7687", "core-1:7687", "core-2:7687"},
			readers: []string{"core-1:7687", "core-2:7687"},
			writer:  []string{"core-0:7687"},
		},
		{
			name: "procedure record, no db, roles in any order",
			in:   rt(int64(10), role("ROUTE", "a:1"), role("READ", "a:1"), role("WRITE", "a:1")),
			ttl:  10, routers: []string{"a:1"}, readers: []string{"a:1"}, writer: []string{"a:1"},
		},
		{
			name: "ttl zero and negative are kept as sent",
			in:   rt(int64(-5), role("ROUTE", "a:1")),
			ttl:  -5, routers: []string{"a:1"},
		},
		{
			name: "empty roles",
			in:   rt(int64(300), role("WRITE"), role("READ"), role("ROUTE", "a:1")),
			ttl:  300, routers: []string{"a:1"},
		},
		{
			name: "IPv6 and names",
			in:   rt(int64(300), role("ROUTE", "[::1]:7687", "[2001:db8::1]:7687", "db.example.com:7687")),
			ttl:  300, routers: []string{"[::1]:7687", "[2001:db8::1]:7687", "db.example.com:7687"},
		},
		{
			name: "no servers at all",
			in:   rt(int64(300)),
			ttl:  300,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb, err := routing.Parse(c.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if tb.TTL != c.ttl || tb.Database != c.db {
				t.Errorf("ttl %d db %q", tb.TTL, tb.Database)
			}
			if !slices.Equal(tb.Routers, c.routers) || !slices.Equal(tb.Readers, c.readers) || !slices.Equal(tb.Writers, c.writer) {
				t.Errorf("routers %v readers %v writers %v", tb.Routers, tb.Readers, tb.Writers)
			}
			if len(tb.Problems) != 0 {
				t.Errorf("problems %q", tb.Problems)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   map[string]any
		want string
	}{
		{"missing ttl", rt(nil, role("ROUTE", "a:1")), "no ttl"},
		{"ttl a string", rt("300", role("ROUTE", "a:1")), "string"},
		{"ttl a float", rt(300.0, role("ROUTE", "a:1")), "float64"},
		{"servers not a list", map[string]any{"ttl": int64(1), "servers": "a:1"}, "not a list"},
		{"servers a map", map[string]any{"ttl": int64(1), "servers": map[string]any{"role": "ROUTE"}}, "not a list"},
		{"servers missing", map[string]any{"ttl": int64(1)}, "not a list"},
		{"nil map", nil, "no ttl"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb, err := routing.Parse(c.in)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", tb)
			}
			if !errors.Is(err, routing.ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
		})
	}
}

func TestParseProblems(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		servers  []any
		routers  []string
		readers  []string
		problems []string // substrings, one per problem, in order
		role     string   // the role every problem concerns; "" for none
	}{
		{
			name:     "unknown role ignored",
			servers:  []any{role("ROUTE", "a:1"), role("LEADER", "b:1")},
			routers:  []string{"a:1"},
			problems: []string{`unknown role "LEADER"`},
		},
		{
			name:     "lower-case role accepted",
			servers:  []any{role("read", "a:1"), role("ROUTE", "a:1")},
			routers:  []string{"a:1"},
			readers:  []string{"a:1"},
			problems: nil,
		},
		{
			name:     "entry not a map",
			servers:  []any{"ROUTE a:1", role("ROUTE", "a:1")},
			routers:  []string{"a:1"},
			problems: []string{"servers[0] is a string"},
		},
		{
			name:     "addresses missing",
			servers:  []any{map[string]any{"role": "READ"}, role("ROUTE", "a:1")},
			routers:  []string{"a:1"},
			problems: []string{"servers[0] (READ) has no address list"},
			role:     "READ",
		},
		{
			name:     "non-string addresses",
			servers:  []any{role("ROUTE", int64(7687), nil, "a:1", []any{"b:1"})},
			routers:  []string{"a:1"},
			problems: []string{"int64", "<nil>", "[]interface {}"},
			role:     "ROUTE",
		},
		{
			name:     "duplicates",
			servers:  []any{role("ROUTE", "a:1", "a:1", "b:1"), role("READ", "a:1")},
			routers:  []string{"a:1", "b:1"},
			readers:  []string{"a:1"},
			problems: []string{"ROUTE address a:1 listed twice"},
			role:     "ROUTE",
		},
		{
			name:     "addresses without a port or with a bad one",
			servers:  []any{role("ROUTE", "core-0", "core-1:", "core-2:0", "core-3:65536", ":7687", "core-4:http", "core-5:7687")},
			routers:  []string{"core-5:7687"},
			problems: []string{`"core-0"`, `"core-1:"`, `"core-2:0"`, `"core-3:65536"`, `":7687"`, `"core-4:http"`},
			role:     "ROUTE",
		},
		{
			name:     "IPv6 without brackets",
			servers:  []any{role("ROUTE", "::1:7687", "[::1]:7687")},
			routers:  []string{"[::1]:7687"},
			problems: []string{`"::1:7687"`},
			role:     "ROUTE",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb, err := routing.Parse(rt(int64(300), c.servers...))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !slices.Equal(tb.Routers, c.routers) || !slices.Equal(tb.Readers, c.readers) {
				t.Errorf("routers %v readers %v", tb.Routers, tb.Readers)
			}
			if len(tb.Problems) != len(c.problems) {
				t.Fatalf("problems %q, want %d", tb.Problems, len(c.problems))
			}
			for i, p := range c.problems {
				if !strings.Contains(tb.Problems[i].Text, p) || tb.Problems[i].Role != c.role {
					t.Errorf("problem %d %+v does not contain %q with role %q", i, tb.Problems[i], p, c.role)
				}
			}
		})
	}
}

// Roles are matched case-insensitively, so duplicates must be too.
func TestParseRoleSpeltTwice(t *testing.T) {
	t.Parallel()
	tb, err := routing.Parse(rt(int64(300), role("read", "a:1"), role("READ", "a:1"), role("ROUTE", "a:1")))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tb.Readers, []string{"a:1"}) {
		t.Errorf("BUG: readers %v: \"read\" and \"READ\" are one role, a:1 is listed twice (duplicate check keyed by the role as sent)", tb.Readers)
	}
	if m := tb.Members(); len(m) != 1 || !slices.Equal(m[0].Roles, []string{"READ", "ROUTE"}) {
		t.Errorf("BUG: members %+v: a role appears twice", m)
	}
}

func TestParseHostileText(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 10_000)
	tb, err := routing.Parse(rt(int64(300), role(long, "a:1"), role("ROUTE", long, long+":1", long+":1")))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range tb.Problems {
		if len(p.Text) > 300 {
			t.Errorf("a %d-byte problem: server text must be truncated", len(p.Text))
		}
	}
}

func TestParseCapsAddresses(t *testing.T) {
	t.Parallel()
	const n = 100_000
	addrs := make([]any, n)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("core-%d.example.com:7687", i)
	}
	start := time.Now()
	tb, err := routing.Parse(rt(int64(300), role("ROUTE", addrs...), role("READ", "late:1"), role("WRITE", "late:1")))
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Parse of %d addresses took %s", n, el)
	}
	if err != nil {
		t.Fatal(err)
	}
	// The flood takes what the other roles leave, and the other roles are
	// not crowded out by it.
	if len(tb.Routers) != routing.MaxAddresses-2 {
		t.Errorf("%d routers kept, want MaxAddresses-2 (%d)", len(tb.Routers), routing.MaxAddresses-2)
	}
	if !slices.Equal(tb.Readers, []string{"late:1"}) || !slices.Equal(tb.Writers, []string{"late:1"}) {
		t.Errorf("readers %v writers %v: the roles after the flood were lost", tb.Readers, tb.Writers)
	}
	total := len(tb.Routers) + len(tb.Readers) + len(tb.Writers)
	if total > routing.MaxAddresses {
		t.Errorf("%d addresses kept in all", total)
	}
	if !slices.ContainsFunc(tb.Problems, func(p routing.Problem) bool { return strings.Contains(p.Text, "truncated") }) {
		t.Errorf("no truncation problem noted: %q", tb.Problems)
	}
	if len(tb.Members()) > routing.MaxAddresses {
		t.Errorf("%d members", len(tb.Members()))
	}
}

// The cap protects the report as much as memory: a hostile table of bad
// entries must not become 100,000 lines of evidence either.
func TestParseCapsProblems(t *testing.T) {
	t.Parallel()
	const n = 100_000
	cases := map[string][]any{
		"addresses without port": func() []any {
			a := make([]any, n)
			for i := range a {
				a[i] = fmt.Sprintf("core-%d", i)
			}
			return []any{role("ROUTE", a...)}
		}(),
		"non-string addresses": func() []any {
			a := make([]any, n)
			for i := range a {
				a[i] = int64(i)
			}
			return []any{role("ROUTE", a...)}
		}(),
		"duplicates": func() []any {
			a := make([]any, n)
			for i := range a {
				a[i] = "core-0:7687"
			}
			return []any{role("ROUTE", a...)}
		}(),
		"unknown roles": func() []any {
			s := make([]any, n)
			for i := range s {
				s[i] = role(fmt.Sprintf("ROLE%d", i), "a:1")
			}
			return s
		}(),
	}
	for name, servers := range cases {
		t.Run(name, func(t *testing.T) {
			tb, err := routing.Parse(rt(int64(300), servers...))
			if err != nil {
				t.Fatal(err)
			}
			if len(tb.Problems) > routing.MaxAddresses+1 {
				t.Errorf("BUG: %d problems recorded for a hostile table; MaxAddresses (%d) bounds addresses but not problems", len(tb.Problems), routing.MaxAddresses)
			}
		})
	}
}

func TestMembersMergesRoles(t *testing.T) {
	t.Parallel()
	tb := &routing.Table{
		Routers: []string{"a:1", "b:1", "c:1"},
		Readers: []string{"b:1", "c:1", "d:1"},
		Writers: []string{"a:1"},
	}
	got := tb.Members()
	want := []routing.Member{
		// Writers first, then readers, then routers: each address once, at
		// its first appearance in that order.
		{Address: "a:1", Roles: []string{"ROUTE", "WRITE"}},
		{Address: "b:1", Roles: []string{"READ", "ROUTE"}},
		{Address: "c:1", Roles: []string{"READ", "ROUTE"}},
		{Address: "d:1", Roles: []string{"READ"}},
	}
	if len(got) != len(want) {
		t.Fatalf("members %+v", got)
	}
	for i := range want {
		if got[i].Address != want[i].Address || !slices.Equal(got[i].Roles, want[i].Roles) {
			t.Errorf("member %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if m := (&routing.Table{}).Members(); len(m) != 0 {
		t.Errorf("empty table has members %+v", m)
	}
}

func TestMembersFromParse(t *testing.T) {
	t.Parallel()
	tb, err := routing.Parse(rt(int64(300),
		role("WRITE", "core-0:7687"),
		role("READ", "core-1:7687", "core-2:7687"),
		role("ROUTE", "core-0:7687", "core-1:7687", "core-2:7687")))
	if err != nil {
		t.Fatal(err)
	}
	got := tb.Members()
	if len(got) != 3 {
		t.Fatalf("members %+v", got)
	}
	roles := map[string][]string{}
	for _, m := range got {
		roles[m.Address] = m.Roles
	}
	if !slices.Equal(roles["core-0:7687"], []string{"ROUTE", "WRITE"}) || !slices.Equal(roles["core-1:7687"], []string{"READ", "ROUTE"}) {
		t.Errorf("roles %v", roles)
	}
}

func TestSplitAddress(t *testing.T) {
	t.Parallel()
	ok := map[string]struct {
		host string
		port int
	}{
		"core-0:7687":          {"core-0", 7687},
		"[::1]:7687":           {"::1", 7687},
		"10.0.0.1:1":           {"10.0.0.1", 1},
		"db.example.com:65535": {"db.example.com", 65535},
	}
	for in, want := range ok {
		h, p, err := routing.SplitAddress(in)
		if err != nil || h != want.host || p != want.port {
			t.Errorf("SplitAddress(%q) = %q %d %v", in, h, p, err)
		}
	}
	for _, in := range []string{"", "core-0", "core-0:", ":7687", "core-0:0", "core-0:65536", "core-0:-1", "core-0:x", "::1:7687", "[::1]"} {
		if h, p, err := routing.SplitAddress(in); err == nil {
			t.Errorf("SplitAddress(%q) = %q %d, want an error", in, h, p)
		}
	}
}

// A flood in the first role listed must not cost the table its routers:
// a driver would then call the cluster unroutable.
func TestParseFloodKeepsLaterRoles(t *testing.T) {
	t.Parallel()
	const n = 100_000
	addrs := make([]any, n)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("reader-%d:7687", i)
	}
	tb, err := routing.Parse(rt(int64(300), role("WRITE", "w:1"), role("READ", addrs...), role("ROUTE", "r1:1", "r2:1", "r3:1")))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tb.Routers, []string{"r1:1", "r2:1", "r3:1"}) || !slices.Equal(tb.Writers, []string{"w:1"}) {
		t.Errorf("routers %v writers %v, want every router and the writer kept", tb.Routers, tb.Writers)
	}
	if len(tb.Readers) != routing.MaxAddresses-4 {
		t.Errorf("%d readers kept, want %d", len(tb.Readers), routing.MaxAddresses-4)
	}
	last := tb.Problems[len(tb.Problems)-1].Text
	if !strings.Contains(last, "truncated at 1024 addresses") || !strings.Contains(last, fmt.Sprintf("%d READ", n-(routing.MaxAddresses-4))) {
		t.Errorf("last problem %q, want the truncation with the readers not read", last)
	}
}
