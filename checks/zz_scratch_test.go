package checks_test

import (
	"net"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

func TestZZScratch(t *testing.T) {
	dump := func(name string, tg target) {
		start := time.Now()
		rep := run(t, tg)
		t.Logf("=== %s (%s) exit %d\n%s", name, time.Since(start), rep.ExitCode, render(rep))
	}
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	p := portOf(t, s.Addr())
	d := startDNS(t, map[string][]net.IP{host("db"): {lo}, host("two"): {lo, lo2}})
	d.CNAME(host("alias"), host("mid"))
	d.CNAME(host("mid"), host("db"))
	d.ServFail(host("sf"))
	d.Drop(host("drop"))
	d.Set(host("slow"), lo)
	d.Delay(host("slow"), 1200*time.Millisecond)
	dump("A", target{uri: "bolt://" + host("db") + ":" + p, dnsServer: d.Addr()})
	dump("cname", target{uri: "bolt://" + host("alias") + ":" + p, dnsServer: d.Addr()})
	dump("nx", target{uri: "bolt://" + host("nope") + ":" + p, dnsServer: d.Addr()})
	dump("sf", target{uri: "bolt://" + host("sf") + ":" + p, dnsServer: d.Addr()})
	dump("drop", target{uri: "bolt://" + host("drop") + ":" + p, dnsServer: d.Addr()})
	dump("slow", target{uri: "bolt://" + host("slow") + ":" + p, dnsServer: d.Addr(), timeout: 3 * time.Second})
	dump("two", target{uri: "bolt://" + host("two") + ":" + p, dnsServer: d.Addr()})
	dump("refused", target{uri: "bolt://127.0.0.1:" + closedPort(t)})
}
