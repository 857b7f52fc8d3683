package checks_test

// Hostile and broken peers: whatever a server, proxy or load balancer does,
// the diagnosis ends within 2 × the step timeout with a verdict, names the
// check that failed and says in the hint what the peer did. Each case is a
// fixtures.Misbehaviour on a real loopback socket.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// hostileTimeout is the step timeout of the hostile cases that wait on
// silence: long enough for a loaded CI machine to finish the healthy
// steps, short enough that those cases stay quick.
const hostileTimeout = time.Second

// bulkTimeout is the step timeout of the cases whose server sends
// megabytes (a 20 MiB message, a table of 100,000 addresses): their point
// is memory and the verdict, and under -race on two busy cores reading
// that much must never race the timeout.
const bulkTimeout = 10 * time.Second

// hostile is one misbehaving peer and what the diagnosis must say.
type hostile struct {
	name    string
	cfg     fixtures.Config
	scheme  string // default "bolt"
	exit    int
	check   string // the first check that fails
	summary string // in that check's summary
	hint    string // in one of its hints
	// sequential: HELLO waits for the handshake's answer (--no-pipelining)
	sequential bool
	timeout    time.Duration // default hostileTimeout
}

func hostileCfg(m fixtures.Misbehaviour) fixtures.Config {
	c := withUsers(fixtures.Neo4j526())
	c.Misbehave = m
	return c
}

// manifestHead is a manifest reply up to its version count.
func manifestHead(count uint64) []byte {
	return binary.AppendUvarint([]byte{0x00, 0x00, 0x01, 0xFF}, count)
}

// randomBytes are deterministic pseudo-random bytes: "random" is a
// reproducible test input, not a flaky one.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

func hostileServers() []hostile {
	tooBig := bytes.Repeat([]byte{0xFF}, 11) // 11 varint bytes: more than 64 bits
	tooBig = append(tooBig, 0x01)
	cases := []hostile{
		{name: "silence after accept", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.Stall}),
			exit: 2, check: "bolt", summary: "sent nothing", hint: "does not speak Bolt"},
		{name: "one byte per second", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.Drip, Interval: time.Second}),
			exit: 2, check: "bolt", summary: "then stalled", hint: "sends a trickle and stops"},
		{name: "close right after accept", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.CloseOnAccept}),
			exit: 1, check: "bolt", summary: "closed the connection without answering", hint: "not a Bolt server"},

		{name: "endless chunks", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.EndlessChunks}),
			exit: 1, check: "auth", summary: "sent a message larger than the limit", hint: "not Neo4j", timeout: bulkTimeout},
		{name: "oversized message", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.OversizedMessage, Size: 20 << 20}),
			exit: 1, check: "auth", summary: "larger than the limit (over 8388608 bytes)", hint: "not Neo4j", timeout: bulkTimeout},
		{name: "lists nested 100,000 deep", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.DeepNesting}),
			exit: 1, check: "auth", summary: "nested too deep", hint: "not Neo4j"},
		{name: "maps nested 100,000 deep", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.DeepNesting, Marker: 0xA1}),
			exit: 1, check: "auth", summary: "nested too deep", hint: "not Neo4j"},
		{name: "SUCCESS with wrong types", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.WrongTypes}),
			exit: 1, check: "auth", summary: `"server" is an integer, not a string`, hint: "types Bolt defines"},
		{name: "RECORD before SUCCESS", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.RecordBeforeSuccess}),
			exit: 1, check: "auth", summary: "sent RECORD where the answer to HELLO was due", hint: "not Neo4j"},
		{name: "unknown message tag", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.UnknownMessage}),
			exit: 1, check: "auth", summary: "tag 0x55, which Bolt does not define", hint: "not Neo4j"},
		{name: "stops reading after the handshake", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.StopReading}),
			exit: 2, check: "auth", summary: "stopped answering", hint: "went quiet"},

		{name: "bogus version 00 00 FF FF", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.BadHandshakeReply}),
			exit: 1, check: "bolt", summary: "not valid Bolt: server answered with manifest v255, which was not proposed", hint: "non-Neo4j server"},
		{name: "manifest count 2^62", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.BadHandshakeReply, Bytes: manifestHead(1 << 62)}),
			exit: 1, check: "bolt", summary: "4611686018427387904 versions offered, limit 64", hint: "non-Neo4j server"},
		{name: "manifest count over 64 bits", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.BadHandshakeReply, Bytes: append([]byte{0, 0, 1, 0xFF}, tooBig...)}),
			exit: 1, check: "bolt", summary: "version count", hint: "non-Neo4j server"},
		{name: "manifest capability mask over 64 bits", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.BadHandshakeReply,
			Bytes: append(append(manifestHead(1), 0, 8, 8, 5), tooBig...)}),
			exit: 1, check: "bolt", summary: "capability mask", hint: "non-Neo4j server"},
		{name: "manifest count that never ends", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.EndlessManifest}),
			exit: 1, check: "bolt", summary: "varint longer than 10 bytes", hint: "non-Neo4j server"},
		{name: "manifest entries that never come", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.BadHandshakeReply, Bytes: append(manifestHead(3), 0, 8, 8, 5)}),
			exit: 2, check: "bolt", summary: "reading version 2 of 3", hint: "sends a trickle and stops"},

		{name: "HTTP server dripping headers forever", cfg: hostileCfg(fixtures.Misbehaviour{Kind: fixtures.DripHTTP}),
			exit: 1, check: "bolt", summary: "answered HTTP", hint: "7687"},
	}
	for _, marker := range []struct {
		b    byte
		what string
	}{{0xDA, "map"}, {0xD6, "list"}, {0xD2, "string"}, {0xCE, "byte array"}} {
		cases = append(cases, hostile{name: fmt.Sprintf("%s header claiming 2^32-1", marker.what),
			cfg:  hostileCfg(fixtures.Misbehaviour{Kind: fixtures.HugeHeader, Marker: marker.b}),
			exit: 1, check: "auth", summary: "4294967295", hint: "not Neo4j"})
	}
	for seed := range uint64(4) {
		cases = append(cases, hostile{name: fmt.Sprintf("random bytes, seed %d", seed),
			cfg:  hostileCfg(fixtures.Misbehaviour{Kind: fixtures.SendGarbage, Bytes: randomBytes(seed, 64)}),
			exit: 1, check: "bolt", summary: "not a Bolt server: it answered", hint: "another service answers on port"})
	}
	return cases
}

// TestHostileServers runs every case pipelined and sequential: a peer
// meets different code first (bolt.Speculate or Handshake and Hello), and
// the user must read the same verdict either way.
func TestHostileServers(t *testing.T) {
	t.Parallel()
	for _, tc := range hostileServers() {
		for _, m := range modes {
			t.Run(tc.name+", "+m.name, func(t *testing.T) {
				t.Parallel()
				tc := tc // shared by both modes' subtests
				tc.sequential = !m.pipelining
				s := startServer(t, tc.cfg)
				runHostile(t, s, tc)
			})
		}
	}
}

// runHostile diagnoses s and asserts tc.
func runHostile(t *testing.T, s *fixtures.Server, tc hostile) *checks.Report {
	t.Helper()
	scheme := tc.scheme
	if scheme == "" {
		scheme = "bolt"
	}
	timeout := tc.timeout
	if timeout == 0 {
		timeout = hostileTimeout
	}
	tt := resolve(t, target{uri: s.URI(scheme), timeout: timeout})
	tt.NoPipelining = tc.sequential
	start := time.Now()
	rep := diagnose(t, tt, nil)
	if took := time.Since(start); took > 2*timeout {
		t.Errorf("the diagnosis took %s, over 2 × the %s timeout", took, timeout)
	}
	wantVerdict(t, rep, checks.Fail, tc.exit)
	for _, r := range rep.Checks {
		if r.Status == checks.Fail {
			if r.ID != tc.check {
				t.Errorf("the first check that fails is %s, want %s", r.ID, tc.check)
			}
			t.Logf("%s: %s; hints: %q", r.ID, r.Summary, r.Hints)
			break
		}
	}
	wantCheck(t, rep, tc.check, checks.Fail, tc.summary, tc.hint)
	return rep
}

// TestHostileResetOnAccept: a reset right after accept reaches the client
// either while it dials or at its first read, depending on which the kernel
// does first; both must be told as a reset, by the check that met it.
func TestHostileResetOnAccept(t *testing.T) {
	t.Parallel()
	s := startServer(t, hostileCfg(fixtures.Misbehaviour{Kind: fixtures.ResetOnAccept}))
	tt := resolve(t, target{uri: s.URI("bolt"), timeout: hostileTimeout})
	start := time.Now()
	rep := diagnose(t, tt, nil)
	if took := time.Since(start); took > 2*hostileTimeout {
		t.Errorf("the diagnosis took %s, over 2 × the %s timeout", took, hostileTimeout)
	}
	switch failed := firstFailing(rep); failed.ID {
	case "tcp":
		wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
		wantCheck(t, rep, "tcp", checks.Fail, "connection reset", "resets them at once")
	case "bolt":
		wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
		wantCheck(t, rep, "bolt", checks.Fail, "reset the connection without answering", "not a Bolt server")
	default:
		t.Errorf("the first check that fails is %q (%s), want tcp or bolt", failed.ID, failed.Summary)
	}
}

// TestHostileTLSThenGarbage: TLS completes, then what comes through the
// tunnel is not Bolt.
func TestHostileTLSThenGarbage(t *testing.T) {
	t.Parallel()
	leaf, err := certs.SelfSigned(certs.LeafOptions{IPs: []net.IP{lo}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := hostileCfg(fixtures.Misbehaviour{Kind: fixtures.BadHandshakeReply, Bytes: randomBytes(7, 48)})
	cfg.TLS = certs.ServerConfig(leaf)
	s := startServer(t, cfg)
	rep := runHostile(t, s, hostile{scheme: "bolt+ssc", exit: 1, check: "bolt", summary: "not a Bolt server", hint: "port"})
	wantStatuses(t, rep, map[string]checks.Status{"tls": checks.Warn})
	// The run's connection; the one listing versions beside it may be
	// accepted first, and is closed mid-TLS once the bolt check failed.
	recs := s.Received()
	if !slices.ContainsFunc(recs, func(r fixtures.Received) bool { return r.TLS && len(r.Handshake) > 0 }) {
		t.Errorf("no connection completed TLS and sent the Bolt handshake: %+v", recs)
	}
}

// TestHostileReflectedCredentials: a peer that echoes every request back
// holds the password in its answer; it must not reach the report.
func TestHostileReflectedCredentials(t *testing.T) {
	t.Parallel()
	for _, preset := range []fixtures.Config{fixtures.Neo4j44(), fixtures.Neo4j526()} {
		for _, m := range modes {
			t.Run(preset.Agent+" "+m.name, func(t *testing.T) {
				t.Parallel()
				cfg := withUsers(preset)
				cfg.Misbehave = fixtures.Misbehaviour{Kind: fixtures.EchoRequests}
				s := startServer(t, cfg)
				rep := runHostile(t, s, hostile{exit: 1, check: "auth", summary: "breaks the Bolt protocol", hint: "not Neo4j", sequential: !m.pipelining})
				var js bytes.Buffer
				if err := report.JSON(&js, rep, report.ToolInfo{Name: "neo4j-doctor", Version: "test"}); err != nil {
					t.Fatal(err)
				}
				hexPass := fmt.Sprintf("% X", testPass)
				for name, out := range map[string]string{"text": render(rep), "json": js.String()} {
					if strings.Contains(out, testPass) || strings.Contains(strings.ToUpper(out), hexPass) {
						t.Errorf("the %s report holds the reflected password:\n%s", name, out)
					}
				}
				// Pipelined, the listing connection may be accepted first:
				// what matters is that some connection carried the password.
				reflected := false
				for _, rec := range s.Received() {
					reflected = reflected || rec.SentCredentials()
				}
				if !reflected {
					t.Error("the fixture did not get the credentials, so nothing was reflected")
				}
			})
		}
	}
}

// freePort is a loopback port to start a fixture on, known before Start
// so its own routing table can name it.
func freePort(t *testing.T) int {
	t.Helper()
	var p int
	if _, err := fmt.Sscan(closedPort(t), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// manyAddresses returns n distinct loopback addresses on a closed port:
// each refuses at once, and none is anybody's server.
func manyAddresses(t *testing.T, n int) []string {
	t.Helper()
	port := closedPort(t)
	out := make([]string, n)
	for i := range out {
		out[i] = net.JoinHostPort(net.IPv4(127, byte(1+i>>16), byte(i>>8), byte(i)).String(), port)
	}
	return out
}

// rawTable is a routing table as a hostile server may send it.
func rawTable(ttl any, servers ...map[string]any) map[string]any {
	list := make([]any, len(servers))
	for i, s := range servers {
		list[i] = s
	}
	return map[string]any{"ttl": ttl, "servers": list}
}

func role(name string, addrs ...any) map[string]any {
	return map[string]any{"role": name, "addresses": addrs}
}

// TestHostileRoutingTables: tables no Neo4j sends. The diagnosis caps and
// deduplicates what it keeps, checks a bounded number of members, and
// says what was wrong with the table.
func TestHostileRoutingTables(t *testing.T) {
	t.Parallel()
	type tableCase struct {
		name     string
		cfg      func(self string) fixtures.Config
		strict   bool
		exit     int
		check    string
		status   checks.Status
		summary  string
		evidence string        // in the routing check's evidence
		timeout  time.Duration // default bulkTimeout
	}
	table := func(tt fixtures.RoutingTable) func(string) fixtures.Config {
		return func(self string) fixtures.Config {
			c := withUsers(fixtures.Neo4j526())
			if tt.Routers == nil {
				tt.Routers = []string{self}
			}
			if tt.Writers == nil {
				tt.Writers = []string{self}
			}
			if tt.Readers == nil {
				tt.Readers = []string{self}
			}
			c.Routing = &tt
			return c
		}
	}
	raw := func(rt func(self string) map[string]any) func(string) fixtures.Config {
		return func(self string) fixtures.Config {
			return hostileCfg(fixtures.Misbehaviour{Kind: fixtures.RawRoutingTable, Table: rt(self)})
		}
	}
	many := manyAddresses(t, 100_000)
	dups := make([]string, 100_000)
	cases := []tableCase{
		{name: "100,000 unreachable readers", cfg: table(fixtures.RoutingTable{Readers: many}),
			exit: 1, check: "members", status: checks.Fail, summary: "no reader is reachable: read queries will fail", evidence: "truncated at 1024 addresses"},
		{name: "one reader listed 100,000 times", cfg: func(self string) fixtures.Config {
			for i := range dups {
				dups[i] = self
			}
			return table(fixtures.RoutingTable{Readers: dups})(self)
		}, timeout: bulkTimeout, strict: true, exit: 1, check: "routing", status: checks.Warn, summary: "1 reader", evidence: "and 99979 more problems"},
		{name: "addresses that are not strings", cfg: raw(func(self string) map[string]any {
			return rawTable(int64(300), role("WRITE", int64(7687), []any{self}, nil), role("READ", self), role("ROUTE", self))
		}), exit: 1, check: "routing", status: checks.Fail, summary: "no writers", evidence: "WRITE address is a int64, not a string"},
		{name: "unknown roles", cfg: raw(func(self string) map[string]any {
			return rawTable(int64(300), role("LEADER", self), role("READ", self), role("ROUTE", self))
		}), exit: 1, check: "routing", status: checks.Fail, summary: "no writers", evidence: `unknown role "LEADER" ignored`},
		{name: "negative TTL", cfg: table(fixtures.RoutingTable{TTL: -300}),
			strict: true, exit: 1, check: "routing", status: checks.Warn, summary: "1 router", evidence: ""},
		{name: "TTL not an integer", cfg: raw(func(self string) map[string]any {
			return rawTable("forever", role("WRITE", self), role("READ", self), role("ROUTE", self))
		}), exit: 1, check: "routing", status: checks.Fail, summary: "could not be read", evidence: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			port := freePort(t)
			self := net.JoinHostPort("127.0.0.1", fmt.Sprint(port))
			cfg := tc.cfg(self)
			cfg.Port = port
			s := startServer(t, cfg)
			// No table case waits on silence: every verdict here comes from
			// what the server sent, so the step timeout is slack for a busy
			// machine, never the thing that decides.
			timeout := tc.timeout
			if timeout == 0 {
				timeout = bulkTimeout
			}
			tt := resolve(t, target{uri: s.URI("neo4j"), timeout: timeout})
			start := time.Now()
			rep := checks.Diagnose(t.Context(), tt, testEnv(t), checks.Options{Strict: tc.strict})
			if took := time.Since(start); took > 2*timeout {
				t.Errorf("the diagnosis took %s, over 2 × the %s timeout", took, timeout)
			}
			if rep.ExitCode != tc.exit {
				t.Errorf("exit %d, want %d:\n%s", rep.ExitCode, tc.exit, render(rep))
			}
			got := firstNotPassing(rep)
			if tc.status == checks.Fail {
				got = firstFailing(rep)
			}
			if got.ID != tc.check {
				t.Errorf("the first check that is %s is %s (%s), want %s", tc.status, got.ID, got.Summary, tc.check)
			}
			r := wantCheck(t, rep, tc.check, tc.status, tc.summary)
			if len(r.Hints) == 0 {
				t.Errorf("%s has no hint", tc.check)
			}
			rt := result(t, rep, "routing")
			if tc.evidence != "" && !anyContains(factValues(rt.Evidence), tc.evidence) {
				t.Errorf("routing evidence %v does not say %q", rt.Evidence, tc.evidence)
			}
			t.Logf("%s: %s; hints %q", r.ID, r.Summary, r.Hints)
		})
	}
}

func firstFailing(rep *checks.Report) checks.Result {
	for _, r := range rep.Checks {
		if r.Status == checks.Fail {
			return r
		}
	}
	return checks.Result{}
}

func factValues(fs []checks.Fact) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Value
	}
	return out
}
