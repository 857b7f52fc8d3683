package checks_test

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

func brief(rep *checks.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "verdict %s exit %d\n", rep.Verdict, rep.ExitCode)
	for _, r := range rep.Checks {
		fmt.Fprintf(&b, "  %-8s %-4s %s (%s)\n", r.ID, r.Status, r.Summary, r.Duration)
		for _, h := range r.Hints {
			fmt.Fprintf(&b, "           hint: %s\n", h)
		}
		for _, e := range r.Evidence {
			fmt.Fprintf(&b, "           ev: %s = %s\n", e.Name, e.Value)
		}
	}
	for _, m := range rep.Members {
		fmt.Fprintf(&b, "  member %s %v %s\n", m.Address, m.Roles, m.Status)
		for _, r := range m.Checks {
			if r.Status != checks.Pass && r.Status != checks.Skip {
				fmt.Fprintf(&b, "     %s %s %s\n", r.ID, r.Status, r.Summary)
			}
		}
	}
	return b.String()
}

func TestZZScratch(t *testing.T) {
	dump := func(name string, tg target) {
		start := time.Now()
		rep := run(t, tg)
		t.Logf("=== %s (%s)\n%s", name, time.Since(start), brief(rep))
	}
	c := startCluster(t, 3, fixtures.ClusterConfig{})
	dump("healthy", target{uri: c.URI("neo4j")})
	c = startCluster(t, 3, fixtures.ClusterConfig{Dead: []int{1}})
	dump("one dead", target{uri: c.URI("neo4j")})
	c = startCluster(t, 3, fixtures.ClusterConfig{Dead: []int{1, 2}})
	dump("readers dead", target{uri: c.URI("neo4j")})
	d := startDNS(t, nil)
	for i := range 3 {
		d.Set(host(fmt.Sprintf("core-%d", i)), lo)
	}
	ports := []int{0, 0, 0}
	c = startCluster(t, 3, fixtures.ClusterConfig{})
	adv := func(i int, h string) string { return net.JoinHostPort(h, portOf(t, c.Members[i].Addr())) }
	c.SetTable(fixtures.RoutingTable{Routers: []string{adv(0, host("core-0")), adv(1, host("core-1")), adv(2, "localhost")}, Writers: []string{adv(0, host("core-0"))}, Readers: []string{adv(1, host("core-1")), adv(2, "localhost")}})
	_ = ports
	dump("localhost", target{uri: "neo4j://" + adv(0, host("core-0")), dnsServer: d.Addr()})
	c.SetTable(fixtures.RoutingTable{Routers: []string{adv(0, host("core-0")), adv(1, host("core-1")), "neo4j-core-2.internal:7687"}, Writers: []string{adv(0, host("core-0"))}, Readers: []string{adv(1, host("core-1")), "neo4j-core-2.internal:7687"}})
	dump("unresolvable", target{uri: "neo4j://" + adv(0, host("core-0")), dnsServer: d.Addr()})
	c = startCluster(t, 3, fixtures.ClusterConfig{NoWriters: true})
	dump("nowriters", target{uri: c.URI("neo4j")})
	c = startCluster(t, 3, fixtures.ClusterConfig{NoReaders: true})
	dump("noreaders", target{uri: c.URI("neo4j")})
	c = startCluster(t, 3, fixtures.ClusterConfig{TTL: 5})
	dump("ttl5", target{uri: c.URI("neo4j")})
	c = startCluster(t, 3, fixtures.ClusterConfig{Member: withUsers(fixtures.Neo4j35())})
	dump("35cluster", target{uri: c.URI("neo4j")})
	c = startCluster(t, 3, fixtures.ClusterConfig{Member: withUsers(fixtures.Neo4j44())})
	dump("44cluster", target{uri: c.URI("neo4j")})
	c = startCluster(t, 3, fixtures.ClusterConfig{Member: withUsers(fixtures.Neo4j42())})
	dump("42cluster", target{uri: c.URI("neo4j")})
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	dump("dbnotfound", target{uri: s.URI("neo4j"), database: "movies"})
	dump("dbnotfound bolt", target{uri: s.URI("bolt"), database: "movies"})
	cfg := withUsers(fixtures.Neo4j526())
	cfg.Databases = []fixtures.Database{{Name: "neo4j", Offline: true}, {Name: "system"}}
	s = startServer(t, cfg)
	dump("offline", target{uri: s.URI("neo4j")})
	dump("offline bolt", target{uri: s.URI("bolt")})
}
