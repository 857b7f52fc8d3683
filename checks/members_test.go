package checks_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

// wantSummaryHas asserts a detail of a summary whose wording may change.
func wantSummaryHas(t *testing.T, r checks.Result, sub string) {
	t.Helper()
	if !strings.Contains(r.Summary, sub) {
		t.Errorf("%s: summary %q does not mention %q", r.ID, r.Summary, sub)
	}
}

func memberByAddr(t *testing.T, rep *checks.Report, addr string) checks.Member {
	t.Helper()
	for _, m := range rep.Members {
		if m.Address == addr {
			return m
		}
	}
	t.Fatalf("no member %s in %+v", addr, rep.Members)
	return checks.Member{}
}

func TestMembersHealthyCluster(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{})
	rep := run(t, target{uri: c.URI("neo4j")})
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantCheck(t, rep, "members", checks.Pass, "all 3 members reachable")
	if v, _ := fact(r, "members"); v != "3 checked, 3 reachable" {
		t.Errorf("members fact %q", v)
	}
	if len(rep.Members) != 3 {
		t.Fatalf("%d members, want 3", len(rep.Members))
	}
	wantRoles := map[string][]string{
		c.Members[0].Addr(): {"WRITE", "ROUTE"},
		c.Members[1].Addr(): {"READ", "ROUTE"},
		c.Members[2].Addr(): {"READ", "ROUTE"},
	}
	for addr, roles := range wantRoles {
		m := memberByAddr(t, rep, addr)
		if !slices.Equal(m.Roles, roles) {
			t.Errorf("%s roles %v, want %v", addr, m.Roles, roles)
		}
		if m.Status != checks.Pass {
			t.Errorf("%s status %s", addr, m.Status)
		}
		var ids []string
		for _, mc := range m.Checks {
			ids = append(ids, mc.ID)
		}
		// Every member is a router here, so it is asked for its own view.
		if !slices.Equal(ids, []string{"dns", "tcp", "tls", "bolt", "auth", "routing"}) {
			t.Errorf("%s checks %v", addr, ids)
		}
	}
	if v, _ := fact(r, "router views"); v != "3 asked, all agree with the server in your URI" {
		t.Errorf("router views fact %q", v)
	}
	for name, want := range map[string]string{"writers": "1 of 1 reachable", "readers": "2 of 2 reachable", "routers": "3 of 3 reachable"} {
		if v, _ := fact(r, name); v != want {
			t.Errorf("fact %s = %q, want %q", name, v, want)
		}
	}
	// A member gets the connection steps and, as a router, one ROUTE for
	// its own view: no query.
	for i := 1; i < 3; i++ {
		for _, rec := range c.Members[i].Received() {
			for _, msg := range rec.Messages {
				if msg.Name != "HELLO" && msg.Name != "LOGON" && msg.Name != "ROUTE" && msg.Name != "GOODBYE" {
					t.Errorf("member %d got %s", i, msg.Name)
				}
			}
		}
		if len(c.Members[i].Received()) != 1 {
			t.Errorf("member %d got %d connections, want 1", i, len(c.Members[i].Received()))
		}
	}
}

func TestMembersOneReaderDeadWarns(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{Dead: []int{1}})
	dead := c.Members[1].Addr()
	rep := run(t, target{uri: c.URI("neo4j")})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantCheck(t, rep, "members", checks.Warn, "1 of 3 members failed", "start the unreachable member ("+dead+")", "`SHOW SERVERS`")
	// Removing a server cannot be undone: never the first thing offered.
	if strings.Contains(r.Hints[0], "DROP SERVER") || !anyContains(r.Hints[1:], "`DEALLOCATE DATABASES FROM SERVER '<id>'`, then `DROP SERVER '<id>'`") {
		t.Errorf("hints %q: start first, then the removal, pasteable", r.Hints)
	}
	wantSummaryHas(t, r, dead)
	if v, _ := evidence(r, dead); !strings.HasPrefix(v, "tcp:") || !strings.Contains(v, "refused") {
		t.Errorf("evidence for %s: %q", dead, v)
	}
	if m := memberByAddr(t, rep, dead); m.Status != checks.Fail {
		t.Errorf("dead member status %s", m.Status)
	}
	wantCheck(t, rep, "query", checks.Pass, "RETURN 1")
}

func TestMembersAllReadersDeadFails(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{Dead: []int{1, 2}})
	rep := run(t, target{uri: c.URI("neo4j")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "members", checks.Fail, "2 of 3 members", "start the unreachable members")
	wantSummaryHas(t, r, "no reader is reachable: read queries will fail")
}

func TestMembersWriterDeadFails(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{Dead: []int{0}})
	rep := run(t, target{uri: c.Members[1].URI("neo4j")}) // seed on a live reader
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "members", checks.Fail, "1 of 3 members")
	wantSummaryHas(t, r, "no writer is reachable: writes will fail")
}

// namedCluster advertises members as core-<i>.doctor.test:<port>, as a
// real cluster should, with the names on a loopback resolver; adv may
// replace an address.
func namedCluster(t *testing.T, n int, cc fixtures.ClusterConfig, adv map[int]string) (*fixtures.Cluster, *fixtures.DNS, []string) {
	t.Helper()
	c := startCluster(t, n, cc)
	d := startDNS(t, nil)
	addrs := make([]string, n)
	for i, m := range c.Members {
		name := host(fmt.Sprintf("core-%d", i))
		d.Set(name, lo)
		addrs[i] = net.JoinHostPort(name, portOf(t, m.Addr()))
		if a, ok := adv[i]; ok {
			addrs[i] = a
		}
	}
	c.SetTable(fixtures.RoutingTable{Routers: addrs, Writers: addrs[:1], Readers: addrs[1:]})
	return c, d, addrs
}

func TestMembersAdvertisedLocalhost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		member  fixtures.Config
		setting string
	}{
		{"5.26", fixtures.Neo4j526(), "server.bolt.advertised_address"},
		{"4.4", fixtures.Neo4j44(), "dbms.connector.bolt.advertised_address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pre := startCluster(t, 1, fixtures.ClusterConfig{}) // only to find a port that serves Bolt on localhost
			local := net.JoinHostPort("localhost", portOf(t, pre.Members[0].Addr()))
			_, d, addrs := namedCluster(t, 3, fixtures.ClusterConfig{Member: withUsers(tc.member)}, map[int]string{2: local})
			rep := run(t, target{uri: "neo4j://" + addrs[0], dnsServer: d.Addr()})
			wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
			// The summary says why, and the evidence does not say it again.
			r := wantCheck(t, rep, "members", checks.Warn, local+" advertises a loopback address: clients on other machines cannot reach it", tc.setting, local, "bolt://"+addrs[0])
			if v, ok := evidence(r, local); ok {
				t.Errorf("evidence for %s repeats the summary: %q", local, v)
			}
		})
	}
}

// Seen from the machine the cluster runs on, loopback members are fine.
func TestMembersLoopbackSeedIsNotSuspect(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 2, fixtures.ClusterConfig{})
	tb := c.Table()
	local := net.JoinHostPort("localhost", portOf(t, c.Members[1].Addr()))
	tb.Readers = []string{local}
	tb.Routers = []string{c.Members[0].Addr(), local}
	c.SetTable(tb)
	d := startDNS(t, nil)
	rep := run(t, target{uri: c.URI("neo4j"), dnsServer: d.Addr()})
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantCheck(t, rep, "members", checks.Pass, "all 2 members")
	if len(r.Hints) != 0 {
		t.Errorf("hints %q", r.Hints)
	}
}

func TestMembersUnresolvableName(t *testing.T) {
	t.Parallel()
	const internal = "neo4j-core-2.internal:7687"
	_, d, addrs := namedCluster(t, 3, fixtures.ClusterConfig{}, map[int]string{2: internal})
	rep := run(t, target{uri: "neo4j://" + addrs[0], dnsServer: d.Addr()})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantCheck(t, rep, "members", checks.Warn, internal+" advertises a name that does not resolve here",
		"server.bolt.advertised_address", internal, "bolt://"+addrs[0])
	wantSummaryHas(t, r, "(2 of 3 members fine)")
	if v, _ := evidence(r, internal); !strings.HasPrefix(v, "dns:") || !strings.Contains(v, "NXDOMAIN") {
		t.Errorf("evidence for %s: %q", internal, v)
	}
	m := memberByAddr(t, rep, internal)
	if m.Status != checks.Fail || m.Checks[0].ID != "dns" || m.Checks[0].Status != checks.Fail {
		t.Fatalf("member %+v", m)
	}
	// The members check explains the member's DNS failure (the name it
	// advertises), and says the fix once: the member's own check keeps
	// its summary and evidence, and no hint of its own.
	if h := m.Checks[0].Hints; len(h) != 0 || m.Checks[0].Summary == "" {
		t.Errorf("member dns result %q, hints %q", m.Checks[0].Summary, h)
	}
	if anyContains(r.Hints, "typos") {
		t.Errorf("members hints %q: the name comes from the routing table, not from a typo", r.Hints)
	}
}

func TestMembersBadAddressInTable(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 2, fixtures.ClusterConfig{})
	tb := c.Table()
	tb.Readers = append(tb.Readers, "[::1]:99999")
	c.SetTable(tb)
	rep := run(t, target{uri: c.URI("neo4j")})
	// The malformed address never reaches the member checks: it is a
	// routing-table problem.
	wantCheck(t, rep, "routing", checks.Warn, "", "advertised_address")
	if len(rep.Members) != 2 {
		t.Errorf("%d members", len(rep.Members))
	}
}

// delayDial makes every TCP connection take d, as a distant server would;
// the members check must pay it once, not once per member.
func delayDial(d time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	dialer := &net.Dialer{}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if strings.HasPrefix(network, "tcp") {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return dialer.DialContext(ctx, network, addr)
	}
}

func TestMembersCheckedConcurrently(t *testing.T) {
	t.Parallel()
	const delay = 300 * time.Millisecond
	timed := func(n int) (time.Duration, *checks.Report) {
		c := startCluster(t, n, fixtures.ClusterConfig{})
		env := testEnv(t)
		env.Dial = delayDial(delay)
		start := time.Now()
		rep := diagnose(t, resolve(t, target{uri: c.URI("neo4j")}), env)
		return time.Since(start), rep
	}
	one, rep1 := timed(1)
	ten, rep10 := timed(10)
	wantVerdict(t, rep1, checks.Pass, checks.ExitHealthy)
	wantVerdict(t, rep10, checks.Pass, checks.ExitHealthy)
	if len(rep10.Members) != 10 {
		t.Fatalf("%d members", len(rep10.Members))
	}
	if ten >= 3*one {
		t.Errorf("10 members took %s, 1 member %s: members are not checked concurrently", ten, one)
	}
	if d := result(t, rep10, "members").Duration; d > 5*delay {
		t.Errorf("members check took %s for 10 members with %s per connection", d, delay)
	}
}

func TestMembersConcurrencyBound(t *testing.T) {
	t.Parallel()
	const delay = 100 * time.Millisecond
	// Five members: the seed is checked on the run's own connection, the
	// four others one at a time.
	c := startCluster(t, 5, fixtures.ClusterConfig{})
	env := testEnv(t)
	env.Dial = delayDial(delay)
	env.MemberConcurrency = 1
	rep := diagnose(t, resolve(t, target{uri: c.URI("neo4j")}), env)
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	if d := result(t, rep, "members").Duration; d < 4*delay {
		t.Errorf("with MemberConcurrency 1, 4 members beside the seed took %s: the bound is not applied", d)
	}
}
