package checks_test

import (
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
)

// TestWarmTableChanged: between two probes the writer moved, a member
// left the table and another joined. The warm probe checks the new member
// and drops the one that left in the same run, and reports the change.
func TestWarmTableChanged(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 4, fixtures.ClusterConfig{})
	addr := func(i int) string { return c.Members[i].Addr() }
	c.SetTable(fixtures.RoutingTable{TTL: 300, Routers: []string{addr(0), addr(1), addr(2)}, Writers: []string{addr(0)}, Readers: []string{addr(1), addr(2)}})
	env := testEnv(t)
	env.Memory = checks.NewMemory(nil)
	tt := resolve(t, target{uri: c.URI("neo4j")})

	cold := diagnose(t, tt, env)
	wantVerdict(t, cold, checks.Pass, checks.ExitHealthy)
	if cold.Warm || cold.TableChange != nil {
		t.Fatalf("first probe: warm %v, change %+v", cold.Warm, cold.TableChange)
	}

	c.SetTable(fixtures.RoutingTable{TTL: 300, Routers: []string{addr(0), addr(1), addr(3)}, Writers: []string{addr(1)}, Readers: []string{addr(0), addr(3)}})
	warm := diagnose(t, tt, env)
	wantVerdict(t, warm, checks.Pass, checks.ExitHealthy)
	if !warm.Warm {
		t.Error("the second probe is not warm")
	}
	want := &checks.TableChange{WritersBefore: []string{addr(0)}, WritersAfter: []string{addr(1)}, Joined: []string{addr(3)}, Left: []string{addr(2)}}
	if got := warm.TableChange; got == nil || !slices.Equal(got.WritersBefore, want.WritersBefore) || !slices.Equal(got.WritersAfter, want.WritersAfter) ||
		!slices.Equal(got.Joined, want.Joined) || !slices.Equal(got.Left, want.Left) {
		t.Errorf("table change %+v, want %+v", got, want)
	}
	r := wantCheck(t, warm, "routing", checks.Pass, "changed since the last probe")
	wantText := "writer " + addr(0) + " → " + addr(1) + "; joined " + addr(3) + "; left " + addr(2)
	if v, _ := fact(r, "since the last probe"); v != wantText {
		t.Errorf("fact %q, want %q", v, wantText)
	}
	// The members are the fresh table's: the one that joined is checked,
	// the one that left is not in the report.
	var got []string
	for _, m := range warm.Members {
		got = append(got, m.Address)
		if m.Status != checks.Pass {
			t.Errorf("member %s: %s", m.Address, m.Status)
		}
	}
	slices.Sort(got)
	wantMembers := []string{addr(0), addr(1), addr(3)}
	slices.Sort(wantMembers)
	if !slices.Equal(got, wantMembers) {
		t.Errorf("members %v, want %v", got, wantMembers)
	}
	if n := len(c.Members[3].Received()); n != 1 {
		t.Errorf("the member that joined got %d connections, want 1", n)
	}
	wantCheck(t, warm, "members", checks.Pass, "all 3 members reachable")

	// A third probe: the table holds still, nothing to report.
	third := diagnose(t, tt, env)
	if third.TableChange != nil || strings.Contains(result(t, third, "routing").Summary, "changed") {
		t.Errorf("third probe reports a change: %+v", third.TableChange)
	}
	// Without Memory every probe is cold.
	cold2 := diagnose(t, tt, testEnv(t))
	if cold2.Warm || cold2.TableChange != nil {
		t.Errorf("without Memory: warm %v, change %+v", cold2.Warm, cold2.TableChange)
	}
}

// TestWarmTLSResumes: a process that probes again resumes its TLS session
// (a ticket from the last probe), still verifies the chain, and says so;
// after SessionMaxAge the handshake is full again, so a rotated
// certificate shows.
func TestWarmTLSResumes(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	cfg := withUsers(fixtures.Neo4j526())
	cfg.TLS = certs.ServerConfig(p.leaf(t, certs.LeafOptions{IPs: []net.IP{lo}}))
	s := startServer(t, cfg)
	clock := time.Now()
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	env := testEnv(t)
	env.Memory = checks.NewMemory(now)
	tt := resolve(t, target{uri: s.URI("bolt+s"), caFile: p.caFile})
	session := func(rep *checks.Report) string {
		v, _ := fact(result(t, rep, "tls"), "session")
		return v
	}
	first := diagnose(t, tt, env)
	wantVerdict(t, first, checks.Pass, checks.ExitHealthy)
	if v := session(first); v != "" {
		t.Errorf("the first probe resumed a session: %q", v)
	}
	second := diagnose(t, tt, env)
	wantVerdict(t, second, checks.Pass, checks.ExitHealthy)
	wantCheck(t, second, "tls", checks.Pass, "certificate valid")
	if v := session(second); !strings.HasPrefix(v, "resumed") {
		t.Errorf("the second probe did not resume: session fact %q", v)
	}
	if v, _ := fact(result(t, second, "tls"), "expires"); v == "" {
		t.Error("a resumed session shows no certificate")
	}
	mu.Lock()
	clock = clock.Add(checks.SessionMaxAge + time.Minute)
	mu.Unlock()
	third := diagnose(t, tt, env)
	wantVerdict(t, third, checks.Pass, checks.ExitHealthy)
	if v := session(third); v != "" {
		t.Errorf("a session older than SessionMaxAge was resumed: %q", v)
	}
	// Without Memory, nothing is resumed.
	if v := session(diagnose(t, tt, testEnv(t))); v != "" {
		t.Errorf("without Memory: session fact %q", v)
	}
}

// TestWarmRemembersVersions: the version list read for --verbose is
// remembered per server, so the next diagnosis shows it without its own
// connection; a server whose agent changed (an upgrade) has it read again.
func TestWarmRemembersVersions(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	p := startLatency(t, budgetDelay, s.Addr())
	env := testEnv(t)
	env.Memory = checks.NewMemory(nil)
	tt := resolve(t, target{uri: "bolt://" + p.Addr(), listVersions: true})
	for i, want := range []int{2, 1, 1} {
		rep := diagnose(t, tt, env)
		wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
		if v, _ := fact(result(t, rep, "version"), "offered by the server"); v != "4.0–4.4, 5.0–5.4, 5.6–5.8" {
			t.Errorf("diagnosis %d: offered %q", i+1, v)
		}
		if rep.Connections != want {
			t.Errorf("diagnosis %d: %d connections, want %d (the version list's once)", i+1, rep.Connections, want)
		}
		how, _ := fact(result(t, rep, "bolt"), "manifest")
		if remembered := strings.HasPrefix(how, "remembered"); remembered != (i > 0) {
			t.Errorf("diagnosis %d: manifest fact %q", i+1, how)
		}
	}
}
