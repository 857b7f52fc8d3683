package checks_test

// Members in depth: each router's own view of the cluster, advertised
// addresses that lead somewhere else than the server that answered, and
// how the members check scales to 100 members.

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

// memberCheck returns one of a member's own checks.
func memberCheck(t *testing.T, m checks.Member, id string) checks.Result {
	t.Helper()
	for _, c := range m.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("member %s has no %s check: %+v", m.Address, id, m.Checks)
	return checks.Result{}
}

// TestMembersRoutersDisagree: a router that names another writer than the
// seed (a partitioned member, or one with a stale view) is a warning that
// shows both views and names the discovery setting of the generation.
func TestMembersRoutersDisagree(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		member    fixtures.Config
		discovery string
		servers   string // how the generation lists its servers
	}{
		{"5.26", fixtures.Neo4j526(), "dbms.cluster.discovery.endpoints", "`SHOW SERVERS`"},
		{"4.4", fixtures.Neo4j44(), "causal_clustering.initial_discovery_members", "`CALL dbms.cluster.overview()`"},
		{"2025.10", fixtures.Neo4j2025(), "dbms.cluster.endpoints", "`SHOW SERVERS`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := startCluster(t, 3, fixtures.ClusterConfig{Member: withUsers(tc.member)})
			a0, a1, a2 := c.Members[0].Addr(), c.Members[1].Addr(), c.Members[2].Addr()
			stale := c.Table()
			stale.Writers = []string{a1}
			stale.Readers = []string{a0, a2}
			c.SetMemberTable(2, &stale)

			rep := run(t, target{uri: c.URI("neo4j")})
			wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
			r := wantCheck(t, rep, "members", checks.Warn, "1 of 3 routers disagrees about the writer",
				tc.servers, tc.discovery, "restart "+a2+" if its view stays stale: it is cut off from the others")
			if v, _ := fact(r, "router views"); v != "3 asked, 1 disagrees about the writer" {
				t.Errorf("router views %q", v)
			}
			if v, _ := evidence(r, "view of "+a2); !strings.HasPrefix(v, "writers "+a1+";") {
				t.Errorf("view of the odd router: %q", v)
			}
			if v, _ := evidence(r, "view of "+a0+" (the server in your URI)"); !strings.HasPrefix(v, "writers "+a0+";") {
				t.Errorf("view of the server in the URI: %q", v)
			}
			// The odd router is the failing member, and says so itself.
			m := memberByAddr(t, rep, a2)
			if m.Status != checks.Warn {
				t.Errorf("member %s status %s, want warn", a2, m.Status)
			}
			mr := memberCheck(t, m, "routing")
			if mr.Status != checks.Warn || !strings.Contains(mr.Summary, "it names writer "+a1+", the server in your URI "+a0) {
				t.Errorf("its routing check: %s %q", mr.Status, mr.Summary)
			}
			// Both views are printed once: in the members check's evidence.
			if len(mr.Evidence) != 0 {
				t.Errorf("its routing check repeats the views: %v", mr.Evidence)
			}
			for _, addr := range []string{a0, a1} {
				if s := memberByAddr(t, rep, addr).Status; s != checks.Pass {
					t.Errorf("member %s status %s", addr, s)
				}
			}
			assertRenders(t, rep, "view of "+a2, "disagrees about the writer")
		})
	}
}

// A router that lists other members (one it lost contact with) disagrees
// about the member list.
func TestMembersRoutersDisagreeAboutMembers(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{})
	a0, a1 := c.Members[0].Addr(), c.Members[1].Addr()
	c.SetMemberTable(1, &fixtures.RoutingTable{Routers: []string{a0, a1}, Readers: []string{a1}, Writers: []string{a0}})
	rep := run(t, target{uri: c.URI("neo4j")})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	wantCheck(t, rep, "members", checks.Warn, "1 of 3 routers disagrees about the member list", "restart "+a1+" if its view stays stale: it is cut off from the others or just restarted")
	if m := memberByAddr(t, rep, a1); m.Status != checks.Warn {
		t.Errorf("member %s status %s", a1, m.Status)
	}
}

// A router on which the database is not online gives no table: drivers
// that ask it move on, so a warning, not a dead member.
func TestMembersRouterWithoutTable(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, fixtures.ClusterConfig{Configure: func(i int, cfg *fixtures.Config) {
		if i == 2 {
			cfg.Databases = []fixtures.Database{{Name: "neo4j", Offline: true}, {Name: "system"}}
		}
	}})
	rep := run(t, target{uri: c.URI("neo4j")})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantCheck(t, rep, "members", checks.Warn, "all 3 members reachable", "debug.log")
	if v, _ := fact(r, "router views"); v != "2 asked, all agree with the server in your URI; 1 gave no table" {
		t.Errorf("router views %q", v)
	}
	m := memberByAddr(t, rep, c.Members[2].Addr())
	if mr := memberCheck(t, m, "routing"); mr.Status != checks.Warn || !strings.Contains(mr.Summary, "DatabaseUnavailable") {
		t.Errorf("member routing check %s %q", mr.Status, mr.Summary)
	}
}

// TestMembersNameResolvesElsewhere: the seed answered at 127.0.0.1, but
// advertises itself (and the table lists it) as a name that resolves to
// 127.0.0.2 here — stale DNS, or split-horizon DNS. Drivers follow the
// table to the wrong address: the writer is lost.
func TestMembersNameResolvesElsewhere(t *testing.T) {
	t.Parallel()
	d := startDNS(t, nil)
	port := closedPort(t)
	name := net.JoinHostPort(host("core-0"), port)
	n, _ := strconv.Atoi(port)
	c := startCluster(t, 3, fixtures.ClusterConfig{Member: withUsers(fixtures.Neo4j526()), ListenPorts: []int{n}, Advertise: map[int]string{0: name}})
	d.Set(host("core-0"), lo2)
	seed := c.Members[0].Addr()

	rep := run(t, target{uri: "neo4j://" + seed, dnsServer: d.Addr()})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "members", checks.Fail, name+" leads to another server than the one that advertises it: writes fail",
		"fix the DNS record", "server.bolt.advertised_address", "stop-gap: bolt://"+seed)
	if v, _ := evidence(r, name); !strings.Contains(v, "answered at "+seed) || !strings.Contains(v, "resolves here to 127.0.0.2") {
		t.Errorf("evidence for %s: %q", name, v)
	}
	if m := memberByAddr(t, rep, name); m.Status != checks.Fail {
		t.Errorf("member %s status %s", name, m.Status)
	}
	// The stop-gap works.
	rep = run(t, target{uri: "bolt://" + seed})
	wantCheck(t, rep, "query", checks.Pass, "RETURN 1 returned 1")
}

// TestMembersPortMapping: Docker's -p 17687:7687 publishes the server on
// another port than it advertises. The server answered on one port and
// calls itself by another, which refuses connections.
func TestMembersPortMapping(t *testing.T) {
	t.Parallel()
	inside := "localhost:" + closedPort(t)
	c := startCluster(t, 1, fixtures.ClusterConfig{Advertise: map[int]string{0: inside}})
	seed := c.Members[0].Addr()
	rep := run(t, target{uri: "neo4j://" + seed})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	// The cause is the summary; the fix advertises where this client
	// reached the server; nothing says to start a DBMS that runs.
	r := wantCheck(t, rep, "members", checks.Fail, "the writer advertises port "+portOf(t, inside)+" but answers on "+portOf(t, seed)+" (port mapping): writes and read queries fail",
		"port mapping", "`server.bolt.advertised_address="+seed+"`", "stop-gap: bolt://"+seed)
	if anyContains(r.Hints, "start the") {
		t.Errorf("hints %q", r.Hints)
	}
	for _, mc := range memberByAddr(t, rep, inside).Checks {
		if anyContains(mc.Hints, "start the DBMS") {
			t.Errorf("the member's %s check: %q", mc.ID, mc.Hints)
		}
	}
	if v, _ := evidence(r, inside); !strings.Contains(v, "port "+portOf(t, inside)+", not "+portOf(t, seed)) {
		t.Errorf("evidence for %s: %q", inside, v)
	}
}

// Two entries of the table lead to one server: core-2 is advertised with
// core-1's port. Every entry answers, so only the identity the answering
// server gives (LOGON advertised_address, 5.8+) tells; core-2 itself is
// never reached by any driver.
func TestMembersAddressLeadsToAnotherMember(t *testing.T) {
	t.Parallel()
	d := startDNS(t, nil)
	ports := make([]int, 3)
	adv := map[int]string{}
	for i := range ports {
		p := closedPort(t)
		ports[i], _ = strconv.Atoi(p)
		name := host("core-" + strconv.Itoa(i))
		d.Set(name, lo)
		adv[i] = net.JoinHostPort(name, p)
	}
	c := startCluster(t, 3, fixtures.ClusterConfig{ListenPorts: ports, Advertise: adv})
	wrong := net.JoinHostPort(host("core-2"), strconv.Itoa(ports[1]))
	c.SetTable(fixtures.RoutingTable{Routers: []string{adv[0], adv[1], wrong}, Writers: []string{adv[0]}, Readers: []string{adv[1], wrong}})

	rep := run(t, target{uri: "neo4j://" + adv[0], dnsServer: d.Addr()})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	r := wantCheck(t, rep, "members", checks.Warn, wrong+" leads to another server than the one that advertises it", "fix the DNS record", wrong)
	if v, _ := evidence(r, wrong); !strings.Contains(v, "advertises itself as "+adv[1]) {
		t.Errorf("evidence for %s: %q", wrong, v)
	}
	if m := memberByAddr(t, rep, wrong); m.Status == checks.Fail {
		t.Errorf("member %s failed, but it answers: %+v", wrong, m)
	}
}

// TestMembersAdvertisedLocalhostGenerations: the fix names the setting of
// the server's generation.
func TestMembersAdvertisedLocalhostGenerations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		member      fixtures.Config
		bolt, deflt string
	}{
		{"3.5", fixtures.Neo4j35(), "dbms.connector.bolt.advertised_address", "dbms.connectors.default_advertised_address"},
		{"4.2", fixtures.Neo4j42(), "dbms.connector.bolt.advertised_address", "dbms.default_advertised_address"},
		{"2025.10", fixtures.Neo4j2025(), "server.bolt.advertised_address", "server.default_advertised_address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			local := "localhost:" + closedPort(t)
			_, d, addrs := namedCluster(t, 3, fixtures.ClusterConfig{Member: withUsers(tc.member)}, map[int]string{2: local})
			rep := run(t, target{uri: "neo4j://" + addrs[0], dnsServer: d.Addr()})
			wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
			r := wantCheck(t, rep, "members", checks.Warn, local+" advertises a loopback address: clients on other machines cannot reach it (2 of 3 members fine)", tc.bolt, tc.deflt, "bolt://"+addrs[0])
			if v, _ := evidence(r, local); !strings.HasPrefix(v, "tcp: ") {
				t.Errorf("evidence for %s: %q, want its own failure (the summary says why)", local, v)
			}
		})
	}
}

// TestMembersHundred: 100 members, every TCP connection taking 200ms as
// on a distant network, are checked 16 at a time and all pass. What the
// verdict rests on is counted, not timed: the connections open at once
// never exceed the bound and reach well beyond one at a time, and each
// member is dialled once. The times are logged (a busy machine stretches
// them); --timeout is 3s so that the step's budget (2 × --timeout) is
// far from the 7 rounds of 200ms that 99 members take.
func TestMembersHundred(t *testing.T) {
	t.Parallel()
	const delay = 200 * time.Millisecond
	clusters := map[int]*fixtures.Cluster{}
	for _, n := range []int{3, 100} {
		clusters[n] = startCluster(t, n, fixtures.ClusterConfig{})
	}
	timed := func(n int) (time.Duration, *checks.Report, *dialCounter) {
		env := testEnv(t)
		dc := &dialCounter{only: map[string]bool{}}
		for _, m := range clusters[n].Members {
			dc.only[m.Addr()] = true
		}
		env.Dial = dc.dial(delayDial(delay))
		tt := resolve(t, target{uri: clusters[n].URI("neo4j"), timeout: 3 * time.Second})
		start := time.Now()
		rep := diagnose(t, tt, env)
		return time.Since(start), rep, dc
	}
	three, rep3, _ := timed(3)
	hundred, rep100, dc := timed(100)
	t.Logf("%s per connection: 3 members %s, 100 members %s (%.1f× the 3-member run; 1 + 7 rounds against 1 + 1)",
		delay, three.Round(time.Millisecond), hundred.Round(time.Millisecond), float64(hundred)/float64(three))
	wantVerdict(t, rep3, checks.Pass, checks.ExitHealthy)
	wantVerdict(t, rep100, checks.Pass, checks.ExitHealthy)
	r := wantCheck(t, rep100, "members", checks.Pass, "all 100 members reachable")
	if v, _ := fact(r, "router views"); v != "100 asked, all agree with the server in your URI" {
		t.Errorf("router views %q", v)
	}
	if len(rep100.Members) != 100 {
		t.Errorf("%d members in the report", len(rep100.Members))
	}
	dc.mu.Lock()
	defer dc.mu.Unlock()
	// The seed's connection, then 99 members, 16 (MemberConcurrency) at once.
	if dc.total != 100 {
		t.Errorf("%d connections for 100 members, want 100: one per member, the seed's its own", dc.total)
	}
	if dc.peak > 16 || dc.peak < 8 {
		t.Errorf("at most %d connections were being opened at once, want up to the bound of 16 and well beyond one at a time", dc.peak)
	}
}

// dialCounter counts the TCP connections to the addresses in only being
// opened at once (peak), and those opened (total).
type dialCounter struct {
	only              map[string]bool
	mu                sync.Mutex
	open, peak, total int
}

func (c *dialCounter) dial(next func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if !strings.HasPrefix(network, "tcp") || !c.only[addr] {
			return next(ctx, network, addr)
		}
		c.mu.Lock()
		c.open++
		c.peak = max(c.peak, c.open)
		c.mu.Unlock()
		conn, err := next(ctx, network, addr)
		c.mu.Lock()
		c.open--
		if err == nil {
			c.total++
		}
		c.mu.Unlock()
		return conn, err
	}
}

// A table of hundreds of members is broken or hostile: a bounded sample is
// checked, every role in it, and the report says how many were left out.
func TestMembersCheckedAtMost(t *testing.T) {
	t.Parallel()
	closed := closedPort(t)
	var readers []any
	for i := range 300 {
		readers = append(readers, fmt.Sprintf("127.0.%d.%d:%s", 1+i/200, 1+i%200, closed))
	}
	onlyRouters := []any{"127.0.9.1:" + closed, "127.0.9.2:" + closed}
	s := startOnOwnPort(t, func(addr string) fixtures.Config {
		return procedureTable(addr, 300, []any{
			map[string]any{"role": "WRITE", "addresses": []any{addr}},
			map[string]any{"role": "READ", "addresses": readers},
			map[string]any{"role": "ROUTE", "addresses": append([]any{addr}, onlyRouters...)},
		})
	})
	rep := run(t, target{uri: s.URI("neo4j")})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "members", checks.Fail, "no reader is reachable: read queries will fail (255 of 256 checked members failed)")
	if len(rep.Members) != checks.MaxMembersChecked {
		t.Errorf("%d members in the report, want %d", len(rep.Members), checks.MaxMembersChecked)
	}
	for _, a := range onlyRouters {
		memberByAddr(t, rep, a.(string)) // members listed last in the table are checked too
	}
	for name, want := range map[string]string{
		"members": "303 advertised, 256 checked (at most 256 are), 1 reachable",
		"readers": "0 of 253 reachable; 47 more not checked",
		"routers": "1 of 3 reachable",
	} {
		if v, _ := fact(r, name); v != want {
			t.Errorf("fact %s = %q, want %q", name, v, want)
		}
	}
}
