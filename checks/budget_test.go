package checks_test

import (
	"bytes"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
	"github.com/neo4j-doctor/neo4j-doctor/checks"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/network"
)

func startLatency(t testing.TB, d time.Duration, target string) *network.Latency {
	t.Helper()
	p, err := network.StartLatency(d, target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// latencyCluster starts n members, each behind its own latency proxy and
// advertised under the proxy's address, so every connection the diagnosis
// makes crosses the simulated link.
func latencyCluster(t testing.TB, n int, d time.Duration) []*network.Latency {
	t.Helper()
	ps, _ := latencyClusterOf(t, n, d)
	return ps
}

// latencyClusterOf is latencyCluster, with the cluster for what its
// members received.
func latencyClusterOf(t testing.TB, n int, d time.Duration) ([]*network.Latency, *fixtures.Cluster) {
	t.Helper()
	proxies := make([]*network.Latency, n)
	adv := map[int]string{}
	for i := range proxies {
		proxies[i] = startLatency(t, d, "")
		adv[i] = proxies[i].Addr()
	}
	cfg := fixtures.ClusterConfig{Member: fixtures.Neo4j526(), Advertise: adv}
	cfg.Member.Users = users()
	c, err := fixtures.StartCluster(n, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	for i, m := range c.Members {
		proxies[i].SetTarget(m.Addr())
	}
	return proxies, c
}

// Budgets count round trips (client flights the server answered) per
// connection, not seconds, so they hold on a loaded machine. The connect
// is one more round trip per connection, not counted here.
//
// Pipelined (the default):
//   - bolt:// single server: the connection 1 (handshake+HELLO+LOGON+the
//     direct-routing ROUTE+the access check's RETURN 1, SHOW DATABASES and
//     SHOW CURRENT USER+the query check's RETURN 1 and dbms.components()),
//     plus the version listing 1, opened in parallel.
//   - neo4j:// cluster: the entry 2 (handshake+HELLO+LOGON+ROUTE+the
//     access check's three statements, then the query check's two), the
//     listing 1, every member 1 (handshake+HELLO+LOGON+its own ROUTE),
//     members at once.
//
// Sequential (--no-pipelining): one more round trip per connection
// (handshake, then HELLO+LOGON+ROUTE, on bolt:// with the two queries),
// and no listing connection.
const budgetDelay = 2 * time.Millisecond

// roundTrips is the sorted round trips of every connection a proxy saw.
func roundTrips(p *network.Latency) []int {
	_ = p.Close() // waits for every connection's end, so the counts are final
	var out []int
	for _, c := range p.Conns() {
		out = append(out, c.RoundTrips)
	}
	slices.Sort(out)
	return out
}

func diagnosePipelined(t *testing.T, tg target, on bool) *checks.Report {
	t.Helper()
	tt := resolve(t, tg)
	tt.NoPipelining = !on
	return diagnose(t, tt, nil)
}

// modes names the two ways a connection starts, for subtests.
var modes = []struct {
	name       string
	pipelining bool
}{{"pipelined", true}, {"sequential", false}}

// flightMessages decodes the Bolt messages that follow the 20-byte
// handshake in a client flight.
func flightMessages(t *testing.T, flight []byte) []*packstream.Struct {
	t.Helper()
	if len(flight) < 20 {
		t.Fatalf("flight of %d bytes holds no handshake", len(flight))
	}
	r := bytes.NewReader(flight[20:])
	var out []*packstream.Struct
	for r.Len() > 0 {
		raw, err := bolt.ReadMessage(r, 1<<20)
		if err != nil {
			t.Fatalf("message %d of the flight: %v", len(out)+1, err)
		}
		m, _, err := packstream.DecodeMessage(raw, packstream.DefaultLimits)
		if err != nil {
			t.Fatalf("message %d of the flight: %v", len(out)+1, err)
		}
		out = append(out, m)
	}
	return out
}

// wantDirectFlight asserts what a bolt:// run sends with the handshake:
// HELLO without a routing context (as drivers send for bolt://), LOGON,
// the direct-routing ROUTE naming the address the user typed, then the
// access check's RETURN 1 (in the home database), SHOW DATABASES and SHOW
// CURRENT USER (on system) and, when the query check is to run, its
// RETURN 1 and dbms.components(): each in read mode.
func wantDirectFlight(t *testing.T, flight []byte, addr string, query bool) {
	t.Helper()
	msgs := flightMessages(t, flight)
	var tags []byte
	for _, m := range msgs {
		tags = append(tags, m.Tag)
	}
	type run struct{ query, db string }
	runs := []run{{"RETURN 1", ""}, {"SHOW DATABASES", "system"}, {"SHOW CURRENT USER", "system"}}
	if query {
		runs = append(runs, run{"RETURN 1", ""}, run{"CALL dbms.components()", ""})
	}
	want := []byte{bolt.MsgHello, bolt.MsgLogon, bolt.MsgRoute}
	for range runs {
		want = append(want, bolt.MsgRun, bolt.MsgPull)
	}
	if !bytes.Equal(tags, want) {
		t.Fatalf("the flight holds messages % X, want % X", tags, want)
	}
	for i, r := range runs {
		m := msgs[3+2*i]
		extra, _ := m.Fields[2].(map[string]any)
		if db, _ := extra["db"].(string); m.Fields[0] != r.query || extra["mode"] != "r" || db != r.db {
			t.Errorf("message %d: RUN %v with %v, want %q in read mode on %q", 4+2*i, m.Fields[0], extra, r.query, r.db)
		}
	}
	hello, _ := msgs[0].Fields[0].(map[string]any)
	if rc, ok := hello["routing"]; ok && rc != nil {
		t.Errorf("HELLO carries routing context %v on bolt://", rc)
	}
	rctx, _ := msgs[2].Fields[0].(map[string]any)
	if rctx["address"] != addr || len(rctx) != 1 {
		t.Errorf("ROUTE context %v, want only the address %s", rctx, addr)
	}
}

func TestBudgetSingle(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		pipelining  bool
		list        bool // --verbose: the version list on a connection of its own
		want        []int
		connections int
	}{
		{"pipelined", true, false, []int{1}, 1},
		{"pipelined, version list", true, true, []int{1, 1}, 2},
		{"sequential", false, false, []int{2}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, withUsers(fixtures.Neo4j526()))
			p := startLatency(t, budgetDelay, s.Addr())
			tt := resolve(t, target{uri: "bolt://" + p.Addr(), listVersions: tc.list})
			tt.NoPipelining = !tc.pipelining
			rep := diagnose(t, tt, nil)
			wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
			wantCheck(t, rep, "query", checks.Pass, "RETURN 1 returned 1")
			if v, _ := fact(result(t, rep, "query"), "Neo4j Kernel"); v == "" {
				t.Error("no edition fact: the pre-sent dbms.components() was lost")
			}
			wantServerSaw(t, s, "HELLO", "LOGON", "ROUTE", "RUN", "PULL", "RUN", "PULL", "RUN", "PULL", "RUN", "PULL", "RUN", "PULL")
			wantCheck(t, rep, "access", checks.Pass, "neo4j may access database neo4j")
			// The ROUTE that rode with HELLO still told a standalone
			// server from a cluster member.
			wantCheck(t, rep, "routing", checks.Skip, "standalone server")
			if got := roundTrips(p); !slices.Equal(got, tc.want) {
				t.Errorf("round trips per connection %v, budget %v", got, tc.want)
			}
			if rep.Connections != tc.connections || rep.Logons != 1 {
				t.Errorf("the report counts %d connections and %d logons, want %d and 1", rep.Connections, rep.Logons, tc.connections)
			}
			if n := len(p.Conns()); n != tc.connections {
				t.Errorf("the proxy saw %d connections, the report says %d", n, rep.Connections)
			}
			// The version check has the server's whole list when it was
			// read: on its own connection, or by the sequential handshake.
			v, _ := fact(result(t, rep, "version"), "offered by the server")
			if listed := tc.list || !tc.pipelining; listed != strings.Contains(v, "4.4") {
				t.Errorf("offered list %q; want it listed: %v", v, listed)
			}
			if tc.pipelining {
				wantDirectFlight(t, runFlight(t, p), p.Addr(), true)
				if v, _ := fact(result(t, rep, "bolt"), "pipelining"); v != "handshake, HELLO, LOGON, ROUTE and the query in one flight" {
					t.Errorf("pipelining fact %q, want the ROUTE and the query named", v)
				}
			}
		})
	}
}

// runFlight is the first flight of the run's own connection: the one
// that sent more than the listing's bare handshake.
func runFlight(t *testing.T, p *network.Latency) []byte {
	t.Helper()
	var out []byte
	for _, c := range p.Conns() {
		if len(c.FirstFlight) > 20 {
			if out != nil {
				t.Fatal("two connections sent Bolt messages with the handshake")
			}
			out = c.FirstFlight
		}
	}
	if out == nil {
		t.Fatal("no connection sent Bolt messages with the handshake")
	}
	return out
}

// wantServerSaw asserts the requests of the one connection that logged in.
// The closing GOODBYE may or may not be recorded yet, so it is left out.
func wantServerSaw(t *testing.T, s *fixtures.Server, want ...string) {
	t.Helper()
	var seen [][]string
	for _, rec := range s.Received() {
		if !rec.SentCredentials() {
			continue
		}
		var names []string
		for _, msg := range rec.Messages {
			if msg.Name != "GOODBYE" {
				names = append(names, msg.Name)
			}
		}
		seen = append(seen, names)
	}
	if len(seen) != 1 || !slices.Equal(seen[0], want) {
		t.Errorf("the server saw %q, want one connection with %q", seen, want)
	}
}

// TestBudgetLeftOutQuery: --skip query sends only the access check's
// statements, and --checks auth no RUN at all; a check left out sends
// nothing of its own (--checks auth leaves the routing check's ROUTE and
// the access check's statements at home too).
func TestBudgetLeftOutQuery(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		for name, tc := range map[string]struct {
			opts  checks.Options
			route bool
		}{
			"skip query":  {checks.Options{Skip: []string{"query"}}, true},
			"checks auth": {checks.Options{Only: []string{"auth"}}, false},
		} {
			opts := tc.opts
			t.Run(name+", "+m.name, func(t *testing.T) {
				t.Parallel()
				s := startServer(t, withUsers(fixtures.Neo4j526()))
				p := startLatency(t, budgetDelay, s.Addr())
				tt := resolve(t, target{uri: "bolt://" + p.Addr()})
				tt.NoPipelining = !m.pipelining
				rep := checks.Diagnose(t.Context(), tt, testEnv(t), opts)
				wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
				wantCheck(t, rep, "query", checks.Skip, "")
				want, flight := []string{"HELLO", "LOGON", "ROUTE", "RUN", "PULL", "RUN", "PULL", "RUN", "PULL"}, "handshake, HELLO, LOGON, ROUTE and the query in one flight"
				if !tc.route {
					want, flight = want[:2], "handshake, HELLO and LOGON in one flight"
					wantCheck(t, rep, "access", checks.Skip, "not run: not selected by --checks")
				} else {
					wantCheck(t, rep, "access", checks.Pass, "may access database neo4j")
				}
				wantServerSaw(t, s, want...)
				if got := roundTrips(p); m.pipelining && !slices.Equal(got, []int{1}) || !m.pipelining && !slices.Equal(got, []int{2}) {
					t.Errorf("round trips per connection %v", got)
				}
				if m.pipelining {
					if tc.route {
						wantDirectFlight(t, runFlight(t, p), p.Addr(), false)
					}
					if v, _ := fact(result(t, rep, "bolt"), "pipelining"); v != flight {
						t.Errorf("pipelining fact %q, want %q", v, flight)
					}
				}
			})
		}
	}
}

// TestBudgetCluster: one connection per server, the seed counting as the
// member it is, and one login on each; the round trips per connection as
// before (the critical path is TestBudgetWarm's).
func TestBudgetCluster(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pipelining    bool
		members       int
		entry, member []int
	}{
		{true, 3, []int{2}, []int{1}},
		{true, 10, []int{2}, []int{1}},
		{false, 3, []int{3}, []int{2}},
	} {
		t.Run(fmt.Sprintf("%s, %d members", map[bool]string{true: "pipelined", false: "sequential"}[tc.pipelining], tc.members), func(t *testing.T) {
			t.Parallel()
			ps, c := latencyClusterOf(t, tc.members, budgetDelay)
			rep := diagnosePipelined(t, target{uri: "neo4j://" + ps[0].Addr()}, tc.pipelining)
			wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
			if len(rep.Members) != tc.members {
				t.Fatalf("%d members checked, want %d", len(rep.Members), tc.members)
			}
			if !rep.Members[0].Seed {
				t.Errorf("member 0 %+v is not marked as the seed", rep.Members[0])
			}
			// Members are checked at once: every member connection opened
			// before any of them closed.
			var lastOpen, firstClose time.Time
			for i, p := range ps {
				if i > 0 {
					cs := p.Conns()
					if len(cs) != 1 {
						t.Fatalf("member %d: %d connections", i, len(cs))
					}
					if cs[0].Opened.After(lastOpen) {
						lastOpen = cs[0].Opened
					}
					_ = p.Close()
					if c := p.Conns()[0]; firstClose.IsZero() || c.Closed.Before(firstClose) {
						firstClose = c.Closed
					}
				}
			}
			if !lastOpen.Before(firstClose) {
				t.Errorf("members were checked one after another: last opened %s, first closed %s", lastOpen, firstClose)
			}
			if got := roundTrips(ps[0]); !slices.Equal(got, tc.entry) {
				t.Errorf("entry (the seed, which is member 0): round trips per connection %v, budget %v", got, tc.entry)
			}
			conns, logons := 0, 0
			for i, p := range ps {
				if i > 0 {
					if got := roundTrips(p); !slices.Equal(got, tc.member) {
						t.Errorf("member %d: round trips %v, budget %v", i, got, tc.member)
					}
				}
				conns += len(p.Conns())
				for _, rec := range c.Members[i].Received() {
					if rec.SentCredentials() {
						logons++
					}
				}
			}
			// What the servers saw, and what the report says they saw.
			if conns != tc.members || logons != tc.members {
				t.Errorf("%d members: the servers saw %d connections and %d logons, want one of each per member", tc.members, conns, logons)
			}
			if rep.Connections != conns || rep.Logons != logons {
				t.Errorf("the report counts %d connections and %d logons, the servers saw %d and %d", rep.Connections, rep.Logons, conns, logons)
			}
		})
	}
}

// TestPipeliningFallbacks: whatever the server or a proxy does with HELLO
// sent along with the handshake, the verdict is the sequential one.
func TestPipeliningFallbacks(t *testing.T) {
	t.Parallel()
	t.Run("server picks 4.4", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, withUsers(fixtures.Neo4j44()))
		rep := diagnosePipelined(t, target{uri: s.URI("neo4j")}, true)
		// Warn: the version check says 4.4 is past its end of support.
		wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
		wantStatuses(t, rep, map[string]checks.Status{"auth": checks.Pass, "routing": checks.Pass, "query": checks.Pass})
		r := wantCheck(t, rep, "bolt", checks.Pass, "Bolt 4.4 agreed")
		if v, _ := fact(r, "pipelining"); !strings.Contains(v, "fell back") {
			t.Errorf("pipelining fact %q, want the fallback named", v)
		}
	})
	t.Run("proxy closes on the pipelined bytes", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, withUsers(fixtures.Neo4j526()))
		p, err := network.StartLatencyRejectingPipelined(0, s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.Close() })
		rep := diagnosePipelined(t, target{uri: "neo4j://" + p.Addr()}, true)
		wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
		r := wantCheck(t, rep, "bolt", checks.Pass, "Bolt 5.8 agreed")
		if v, _ := fact(r, "negotiation"); v != "handshake manifest v1" {
			t.Errorf("negotiation fact %q, want the manifest", v)
		}
		v, _ := fact(r, "pipelining")
		why, _ := fact(r, "first flight refused")
		if !strings.Contains(v, "fell back") || !strings.Contains(why, "closed") {
			t.Errorf("pipelining fact %q, first flight refused %q: want the fallback and the close named", v, why)
		}
	})
	// The direct-routing ROUTE rides behind LOGON: a failed LOGON is
	// still the verdict, whatever becomes of the ROUTE.
	for _, m := range modes {
		t.Run("wrong password is one failed login, "+m.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, withUsers(fixtures.Neo4j526()))
			rep := diagnosePipelined(t, target{uri: s.URI("bolt"), pass: "wrong"}, m.pipelining)
			wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
			r := wantCheck(t, rep, "auth", checks.Fail, "wrong username or password", "the password given with --password")
			if v, _ := evidence(r, "request"); v != "LOGON" {
				t.Errorf("failed request %q, want LOGON", v)
			}
			wantCheck(t, rep, "routing", checks.Skip, "not run: auth failed")
			logins := 0
			for _, rec := range s.Received() {
				if rec.SentCredentials() {
					logins++
				}
			}
			if logins != 1 {
				t.Errorf("%d connections carried credentials, want 1: a wrong password must not be tried twice", logins)
			}
		})
	}
	t.Run("server fails HELLO", func(t *testing.T) {
		t.Parallel()
		// What Neo4j 5.3+ answers a HELLO without a valid bolt_agent, as
		// a proxy that rewrites HELLO might send it.
		bad := fixtures.Failure{Code: "Neo.ClientError.Request.Invalid",
			Message:     `Illegal value for field "bolt_agent": Must be a map with string keys and string values.`,
			GQLStatus:   "08N06",
			Description: "error: connection exception - protocol error. General network protocol error."}
		cfg := withUsers(fixtures.Neo4j526())
		cfg.FailRequests = map[string]fixtures.Failure{"HELLO": bad}
		reps := map[bool]*checks.Report{}
		for _, m := range modes {
			s := startServer(t, cfg)
			rep := diagnosePipelined(t, target{uri: s.URI("bolt")}, m.pipelining)
			reps[m.pipelining] = rep
			wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
			r := wantCheck(t, rep, "auth", checks.Fail, "refused neo4j-doctor's request as malformed", "bug in neo4j-doctor")
			if v, _ := evidence(r, "code"); v != bad.Code {
				t.Errorf("%s: code evidence %q, want %s", m.name, v, bad.Code)
			}
			if v, _ := evidence(r, "request"); v != "HELLO" {
				t.Errorf("%s: failed request %q, want HELLO", m.name, v)
			}
			// The server closes after a failed HELLO: LOGON was never read.
			noCredentialsSent(t, s)
		}
		bolt := result(t, reps[true], "bolt")
		v, _ := fact(bolt, "pipelining")
		why, _ := fact(bolt, "first flight refused")
		if !strings.Contains(v, "fell back") || !strings.Contains(why, bad.Code) {
			t.Errorf("pipelining fact %q, first flight refused %q: want the fallback and the server's code named", v, why)
		}
		pip, seq := reps[true], reps[false]
		if pip.Verdict != seq.Verdict || pip.ExitCode != seq.ExitCode || firstFailing(pip).ID != firstFailing(seq).ID ||
			result(t, pip, "auth").Summary != result(t, seq, "auth").Summary {
			t.Errorf("pipelined: %s, exit %d, %s: %q; sequential: %s, exit %d, %s: %q",
				pip.Verdict, pip.ExitCode, firstFailing(pip).ID, result(t, pip, "auth").Summary,
				seq.Verdict, seq.ExitCode, firstFailing(seq).ID, result(t, seq, "auth").Summary)
		}
	})
	t.Run("no credentials over an unverified certificate", func(t *testing.T) {
		t.Parallel()
		cfg := withUsers(fixtures.Neo4j526())
		cfg.TLS = certs.ServerConfig(newPKI(t).leaf(t, certs.LeafOptions{IPs: []net.IP{lo}}))
		s := startServer(t, cfg)
		// testEnv trusts only an unrelated root: verification fails.
		rep := diagnosePipelined(t, target{uri: s.URI("bolt+s")}, true)
		wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
		wantCheck(t, rep, "tls", checks.Fail, "")
		noCredentialsSent(t, s)
	})
	t.Run("no-pipelining", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, withUsers(fixtures.Neo4j526()))
		rep := diagnosePipelined(t, target{uri: s.URI("bolt")}, false)
		wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
		r := wantCheck(t, rep, "bolt", checks.Pass, "Bolt 5.8 agreed")
		if v, _ := fact(r, "negotiation"); v != "handshake manifest v1" {
			t.Errorf("negotiation fact %q, want the manifest", v)
		}
		if v, _ := fact(r, "pipelining"); v != "off" {
			t.Errorf("pipelining fact %q, want off", v)
		}
		if recs := s.Received(); len(recs) != 1 || recs[0].Version != "5.8" || !recs[0].Manifest {
			t.Errorf("the server saw %+v, want one manifest connection", recs)
		}
	})
}

// TestDirectRoutingRouteFails: the direct-routing ROUTE rides with HELLO;
// when the server fails it, bolt:// is still what the user asked for. The
// queries sent along were IGNORED, so the query check runs them again
// after RESET and gets their real answer.
func TestDirectRoutingRouteFails(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			cfg := withUsers(fixtures.Neo4j526())
			cfg.FailRequests = map[string]fixtures.Failure{"ROUTE": {Code: "Neo.ClientError.Procedure.ProcedureCallFailed",
				Message: "Failed to invoke procedure `dbms.routing.getRoutingTable`: Caused by: java.lang.IllegalStateException"}}
			s := startServer(t, cfg)
			rep := diagnosePipelined(t, target{uri: s.URI("bolt")}, m.pipelining)
			wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
			wantCheck(t, rep, "routing", checks.Skip, "connects directly; no routing table is used")
			wantCheck(t, rep, "query", checks.Pass, "RETURN 1 returned 1")
			wantCheck(t, rep, "access", checks.Pass, "may access database neo4j")
			// access's three statements and query's two rode along and
			// were ignored; each check asks again, after one RESET.
			wantServerSaw(t, s, "HELLO", "LOGON", "ROUTE", "RUN", "PULL", "RUN", "PULL", "RUN", "PULL", "RUN", "PULL", "RUN", "PULL",
				"RESET", "RUN", "PULL", "RUN", "PULL", "RUN", "PULL", "RUN", "PULL", "RUN", "PULL")
		})
	}
}

// newConns is the records of the connections p accepted after the first
// skip.
func newConns(p *network.Latency, skip int) []network.LatencyConn {
	return p.Conns()[skip:]
}

// conns counts what every proxy accepted so far.
func connCounts(ps []*network.Latency) []int {
	out := make([]int, len(ps))
	for i, p := range ps {
		out[i] = len(p.Conns())
	}
	return out
}

// TestBudgetWarm: a process that diagnoses again (serve, watch, --wait,
// --targets) starts from the routing table it remembers and contacts every
// member in the same flight as the seed. On the link of 20 ms each
// way a healthy 3-member cluster costs, on the critical path, 4 round
// trips cold (connect and the first flight to the seed, then connect and
// the first flight to each member) and 2 warm (connect and the first
// flight, everywhere at once). Counted through the latency proxies, not
// timed: the seed's proxy holds its answers until every member has its
// first flight, which a probe that waited for the seed would never send.
func TestBudgetWarm(t *testing.T) {
	t.Parallel()
	const oneWay = 20 * time.Millisecond
	ps, c := latencyClusterOf(t, 3, oneWay)
	env := testEnv(t)
	env.Memory = checks.NewMemory(nil)
	tt := resolve(t, target{uri: "neo4j://" + ps[0].Addr()})

	start := time.Now()
	cold := diagnose(t, tt, env)
	coldTook := time.Since(start)
	wantVerdict(t, cold, checks.Pass, checks.ExitHealthy)
	if cold.Warm {
		t.Error("the first probe of a process is warm: it has nothing to remember")
	}
	// Cold: the seed's connection 2 round trips (the query after the
	// table), then each other member's 1.
	seed := newConns(ps[0], 0)
	if len(seed) != 1 || seed[0].RoundTrips != 2 {
		t.Fatalf("cold: the seed's connections %+v, want one of 2 round trips", seed)
	}
	for i, p := range ps[1:] {
		cs := p.Conns()
		if len(cs) != 1 || cs[0].RoundTrips != 1 {
			t.Fatalf("cold: member %d's connections %+v, want one of 1 round trip", i+1, cs)
		}
		if !cs[0].Opened.After(seed[0].Opened) {
			t.Errorf("cold: member %d was contacted before the seed", i+1)
		}
	}
	coldPath := 2 + 2 // the seed's connect and flight, then the members'
	if cold.Connections != 3 || cold.Logons != 3 {
		t.Errorf("cold: %d connections and %d logons, want 3 and 3", cold.Connections, cold.Logons)
	}

	before := connCounts(ps)
	release := ps[0].HoldAnswers()
	inFlight := make(chan bool, 1)
	go func() {
		defer release()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
			all := true
			for i, p := range ps[1:] {
				cs := newConns(p, before[i+1])
				all = all && len(cs) == 1 && cs[0].Flights >= 1
			}
			if all {
				inFlight <- true
				return
			}
		}
		inFlight <- false
	}()
	warm := diagnose(t, tt, env)
	if !<-inFlight {
		t.Fatal("warm: the members were not contacted while the seed's answer was held: a warm probe waits for the seed")
	}
	wantVerdict(t, warm, checks.Pass, checks.ExitHealthy)
	if !warm.Warm || warm.TableChange != nil {
		t.Errorf("warm: Warm %v, TableChange %+v; want warm and no change", warm.Warm, warm.TableChange)
	}
	if len(warm.Members) != 3 {
		t.Fatalf("warm: %d members, want 3", len(warm.Members))
	}
	wantCheck(t, warm, "members", checks.Pass, "all 3 members reachable and authenticated")
	q := wantCheck(t, warm, "query", checks.Pass, "RETURN 1 returned 1 on database neo4j")
	if v, _ := fact(q, "Neo4j Kernel"); v == "" {
		t.Error("warm: no edition fact: the query that rode with the login was lost")
	}
	warmPath := 0
	for i, p := range ps {
		cs := newConns(p, before[i])
		if len(cs) != 1 || cs[0].RoundTrips != 1 {
			t.Errorf("warm: member %d's connections %+v, want one of 1 round trip (the query rides with the login)", i, cs)
			continue
		}
		// Every connection opened before any answer: connect, then its
		// one flight.
		warmPath = max(warmPath, 1+cs[0].RoundTrips)
	}
	if warm.Connections != 3 || warm.Logons != 3 {
		t.Errorf("warm: %d connections and %d logons, want 3 and 3", warm.Connections, warm.Logons)
	}
	logons := 0
	for _, m := range c.Members {
		for _, rec := range m.Received() {
			if rec.SentCredentials() {
				logons++
			}
		}
	}
	if logons != 6 {
		t.Errorf("the members saw %d logons in two probes, want 6", logons)
	}
	if coldPath != 4 || warmPath != 2 {
		t.Errorf("critical path: cold %d round trips, warm %d; budget 4 and 2", coldPath, warmPath)
	}
	// Once more, with nothing held, for the time it takes (logged, not
	// asserted: a busy machine adds to it).
	start = time.Now()
	again := diagnose(t, tt, env)
	warmTook := time.Since(start)
	wantVerdict(t, again, checks.Pass, checks.ExitHealthy)
	rtt := 2 * oneWay
	t.Logf("critical path: cold %d round trips (%s, %.1f × RTT), warm %d (%s, %.1f × RTT)", coldPath, coldTook.Round(time.Millisecond), float64(coldTook)/float64(rtt), warmPath, warmTook.Round(time.Millisecond), float64(warmTook)/float64(rtt))
}
