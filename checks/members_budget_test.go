package checks_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

// A hundred readers that accept and never answer: without one budget for
// the whole members step they would cost 100/16 = 7 rounds of --timeout.
func TestMembersStalledReadersStayWithinBudget(t *testing.T) {
	stall := fixtures.Neo4j526()
	stall.Misbehave = fixtures.Misbehaviour{Kind: fixtures.Stall}
	stalled, err := fixtures.Start(stall)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stalled.Close() })

	dns, err := fixtures.StartDNS(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dns.Close() })
	lo := net.IPv4(127, 0, 0, 1)
	dns.Set("entry.budget.test", lo)
	var readers []string
	for i := range 100 {
		name := fmt.Sprintf("reader-%d.budget.test", i)
		dns.Set(name, lo)
		readers = append(readers, fmt.Sprintf("%s:%d", name, stalled.Port()))
	}

	entry := fixtures.Neo4j526()
	srv, err := fixtures.Start(entry) // only to learn a free port for the table
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	self := fmt.Sprintf("entry.budget.test:%d", srv.Port())
	srv.Close()
	entry.Port = srv.Port()
	entry.Routing = &fixtures.RoutingTable{Routers: []string{self}, Writers: []string{self}, Readers: readers}
	srv, err = fixtures.Start(entry)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })

	resolv := filepath.Join(t.TempDir(), "resolv.conf")
	host, port, _ := net.SplitHostPort(dns.Addr())
	if err := os.WriteFile(resolv, []byte("nameserver "+host+"\nport "+port+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const timeout = 300 * time.Millisecond
	target, err := checks.Resolve(checks.Inputs{
		Flags:     map[string]string{"uri": "neo4j://" + self, "username": "neo4j", "password": "pw"},
		Timeout:   timeout,
		DNSServer: dns.Addr(),
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep := checks.Diagnose(context.Background(), target, &checks.Env{ResolvConf: resolv}, checks.Options{})
	took := time.Since(start)

	if took > 2*timeout+700*time.Millisecond {
		t.Errorf("the diagnosis took %s; the members step must stay within 2 × --timeout (%s) plus the entry's own steps", took, 2*timeout)
	}
	var members *checks.Result
	for i := range rep.Checks {
		if rep.Checks[i].ID == "members" {
			members = &rep.Checks[i]
		}
	}
	if members == nil || members.Status != checks.Fail {
		t.Fatalf("members = %+v, want fail: no reader answered", members)
	}
	if !strings.Contains(members.Summary, "no reader is reachable: read queries will fail") {
		t.Errorf("summary %q does not say no reader works", members.Summary)
	}
	hinted := false
	for _, h := range members.Hints {
		hinted = hinted || strings.Contains(h, "budget") && strings.Contains(h, "--timeout")
	}
	if !hinted {
		t.Errorf("no hint names the budget and --timeout: %q", members.Hints)
	}
	if rep.ExitCode != checks.ExitFailed {
		t.Errorf("exit %d, want %d", rep.ExitCode, checks.ExitFailed)
	}
}
