package checks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/generation"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

// rmMember is one probed member: its address, its roles, and its own
// checks' results; without a failing result it passed, and with status
// Skip it was not checked in time.
type rmMember struct {
	addr  string
	roles []string
	fail  string // the id of the member check that failed; "" = none
	skip  bool   // not checked in time
	view  *routerView
	// mismatch: the member's advertised address leads elsewhere; mapped,
	// when only the port differs: the advertised and the answering port.
	mismatch string
	mapped   [2]string
}

// rmInput is the members step over members, after the seed
// db.example.com:7687 (answered at 203.0.113.7:7687) gave table.
func rmInput(table *routing.Table, members ...rmMember) membersInput {
	in := membersInput{
		seed: "db.example.com:7687", seedHost: "db.example.com", answered: "203.0.113.7:7687",
		srv: generation.Server{Gen: generation.V5}, table: table, budget: 10 * time.Second,
	}
	for _, m := range members {
		rm := routing.Member{Address: m.addr, Roles: m.roles}
		in.all = append(in.all, rm)
		in.members = append(in.members, rm)
		in.probes = append(in.probes, rmProbe(m))
	}
	return in
}

func rmProbe(m rmMember) memberProbe {
	if m.skip {
		return unchecked(routing.Member{Address: m.addr, Roles: m.roles})
	}
	p := memberProbe{member: Member{Address: m.addr, Roles: m.roles, Status: Pass}, view: m.view,
		mismatch: elsewhere{why: m.mismatch, advertised: m.mapped[0], answered: m.mapped[1]}}
	for _, id := range []string{"dns", "tcp", "tls", "bolt", "auth"} {
		r := Result{ID: id, Status: Pass}
		switch {
		case id == m.fail:
			r.Status, r.Summary = Fail, id+" failed here"
			p.member.Status = Fail
		case p.member.Status == Fail:
			r.Status, r.Code = Skip, CodeBlocked
		}
		p.member.Checks = append(p.member.Checks, r)
	}
	return p
}

var (
	rmW = []string{"WRITE", "ROUTE"}
	rmR = []string{"READ", "ROUTE"}
)

// rmCluster is a writer a, readers b and c, all routers, with each
// member changed by the matching function (nil = as is).
func rmCluster(fa, fb, fc func(*rmMember)) []rmMember {
	ms := []rmMember{{addr: "a:7687", roles: rmW}, {addr: "b:7687", roles: rmR}, {addr: "c:7687", roles: rmR}}
	for i, f := range []func(*rmMember){fa, fb, fc} {
		if f != nil {
			f(&ms[i])
		}
	}
	return ms
}

func rmFails(step string) func(*rmMember) { return func(m *rmMember) { m.fail = step } }

func rmSkips(m *rmMember) { m.skip = true }

func rmViews(t *routing.Table, err error) func(*rmMember) {
	return func(m *rmMember) {
		v := &routerView{table: t, err: err}
		if t != nil {
			v.diff = routing.Compare(rmTable("neo4j", 300), t)
		}
		m.view = v
	}
}

func rmAddr(a string) func(*rmMember) { return func(m *rmMember) { m.addr = a } }

func rmJudge(members []rmMember, change ...func(*membersInput)) func() Result {
	return func() Result {
		in := rmInput(rmTable("neo4j", 300), members...)
		for _, c := range change {
			c(&in)
		}
		return judgeMembers(in)
	}
}

func TestJudgeMembers(t *testing.T) {
	other := rmWith(rmTable("neo4j", 300), func(t *routing.Table) { t.Writers = []string{"b:7687"} })
	cases := []rmCase{
		{name: "all members work",
			judge: rmJudge(rmCluster(nil, nil, nil)),
			want:  rmWant{Pass, "", "all 3 members reachable and authenticated", ""},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "members", "3 checked, 3 reachable")
				rmFact(t, res.Facts, "writers", "1 of 1 reachable")
				rmFact(t, res.Facts, "routers", "3 of 3 reachable")
				if len(res.Evidence) != 0 {
					t.Errorf("evidence %v", res.Evidence)
				}
			}},
		{name: "the only member works",
			judge: rmJudge([]rmMember{{addr: "a:7687", roles: []string{"READ", "ROUTE", "WRITE"}}}),
			want:  rmWant{Pass, "", "the only member is reachable and authenticated", ""}},

		// Dead members, per failing step.
		{name: "a reader refuses connections",
			judge: rmJudge(rmCluster(nil, rmFails("tcp"), nil)),
			want:  rmWant{Warn, "members.some_failed", "1 of 3 members failed (b:7687): every role still has a working member", "start the unreachable member (b:7687)"},
			more: func(t *testing.T, res Result) {
				// Item 5 of issue 19: removing a server is pasteable, never
				// the first thing offered, and only after SHOW SERVERS.
				if len(res.Hints) != 3 || !strings.HasPrefix(res.Hints[1], "if it runs") || res.Hints[2] != "`SHOW SERVERS` shows each server's state and id; only a server that is gone for good is removed, which cannot be undone: `DEALLOCATE DATABASES FROM SERVER '<id>'`, then `DROP SERVER '<id>'`" {
					t.Errorf("hints %q, want start, then the removal", res.Hints)
				}
				rmFact(t, res.Evidence, "b:7687", "tcp: tcp failed here")
				rmFact(t, res.Facts, "members", "3 checked, 2 reachable")
				rmFact(t, res.Facts, "readers", "1 of 2 reachable")
			}},
		{name: "a reader does not speak Bolt",
			judge: rmJudge(rmCluster(nil, nil, rmFails("bolt"))),
			want:  rmWant{Warn, "members.some_failed", "1 of 3 members failed (c:7687)", "start the unreachable member (c:7687)"}},
		{name: "a reader fails TLS",
			judge: rmJudge(rmCluster(nil, rmFails("tls"), nil)),
			want:  rmWant{Warn, "members.some_failed", "1 of 3 members failed (b:7687)", "some members answer but fail TLS or authentication"},
			more: func(t *testing.T, res Result) {
				if len(res.Hints) != 1 {
					t.Errorf("hints %q, want only TLS's", res.Hints)
				}
			}},
		{name: "readers fail authentication and TCP",
			judge: rmJudge(rmCluster(nil, rmFails("auth"), rmFails("tcp")), func(in *membersInput) { in.srv = generation.Server{Gen: generation.V4} }),
			want:  rmWant{Fail, "members.no_working_role", "no reader is reachable: read queries will fail (2 of 3 members failed)", "start the unreachable member (c:7687)"},
			more: func(t *testing.T, res Result) {
				// 4.x has no SHOW SERVERS, no DROP SERVER, and core members.
				rmHint(t, res.Hints, "`CALL dbms.cluster.overview()` on a running member shows which core members and read replicas the cluster sees")
				for _, h := range res.Hints {
					if strings.Contains(h, "SHOW SERVERS") || strings.Contains(h, "DROP SERVER") || strings.Contains(h, "primaries") {
						t.Errorf("a 4.4 hint names 5.x's words: %q", h)
					}
				}
				rmHint(t, res.Hints, "some members answer but fail TLS or authentication")
				rmFact(t, res.Facts, "readers", "0 of 2 reachable")
			}},
		{name: "the writer's name does not resolve",
			judge: rmJudge(rmCluster(rmFails("dns"), nil, nil)),
			want:  rmWant{Fail, "members.no_working_role", "a:7687 advertises a name that does not resolve here: writes fail", "on the writer (a:7687) set `server.bolt.advertised_address=<name clients resolve>:<port>`"},
			more: func(t *testing.T, res Result) {
				rmHint(t, res.Hints, "stop-gap: bolt://db.example.com:7687")
				rmFact(t, res.Evidence, "a:7687", "dns: dns failed here")
			}},
		{name: "a reader's name does not resolve",
			judge: rmJudge(rmCluster(nil, nil, rmFails("dns"))),
			want:  rmWant{Warn, "members.some_failed", "c:7687 advertises a name that does not resolve here: clients cannot reach it (2 of 3 members fine)", "on a reader (c:7687) set"}},
		{name: "no member works: every role is lost",
			judge: rmJudge(rmCluster(rmFails("tcp"), rmFails("tcp"), rmFails("tcp"))),
			want:  rmWant{Fail, "members.no_working_role", "no writer, reader or router is reachable: writes and read queries will fail, and drivers cannot refresh the routing table (3 of 3 members failed)", "start the unreachable members (a:7687, b:7687, c:7687)"}},
		{name: "the writer failed and a reader was not checked in time",
			judge: rmJudge(rmCluster(rmFails("tcp"), nil, rmSkips)),
			want:  rmWant{Fail, "members.no_working_role", "no writer is reachable: writes will fail (2 of 3 members failed or did not answer in time)", "start the unreachable member (a:7687)"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "not checked in time", "1 (c:7687)")
				rmHint(t, res.Hints, "1 member did not answer within the members step's budget of 10s")
			}},

		// Members not checked in time.
		{name: "a reader was not checked in time",
			judge: rmJudge(rmCluster(nil, rmSkips, nil)),
			want:  rmWant{Warn, "members.not_checked_in_time", "1 of 3 members did not finish their checks within the step's time budget (2 × --timeout)", "1 member did not answer within the members step's budget of 10s"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "members", "2 checked, 2 reachable")
				rmFact(t, res.Facts, "not checked in time", "1 (b:7687)")
				rmFact(t, res.Facts, "readers", "1 of 2 reachable")
			}},
		{name: "a reader failed and another was not checked in time",
			judge: rmJudge(append(rmCluster(nil, rmFails("bolt"), rmSkips), rmMember{addr: "d:7687", roles: rmR})),
			want:  rmWant{Warn, "members.some_failed", "1 of 4 members failed (b:7687): every role still has a working member", "start the unreachable member (b:7687)"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "members", "3 checked, 2 reachable")
				rmHint(t, res.Hints[1:], "1 member did not answer within")
			}},
		{name: "a loopback reader was not checked in time",
			judge: rmJudge(rmCluster(nil, rmAddr("localhost:7687"), rmSkips)),
			want:  rmWant{Warn, "members.not_checked_in_time", "localhost:7687 advertises a loopback address: clients on other machines cannot reach it (2 of 3 members fine)", "on a reader (localhost:7687) set"},
			more: func(t *testing.T, res Result) {
				rmHint(t, res.Hints[1:], "1 member did not answer within")
			}},

		// Addresses other clients cannot use.
		{name: "a reader advertises localhost",
			judge: rmJudge(rmCluster(nil, rmAddr("localhost:7687"), nil)),
			want:  rmWant{Warn, "members.unusable_address", "localhost:7687 advertises a loopback address: clients on other machines cannot reach it", "on a reader (localhost:7687) set `server.bolt.advertised_address=<name clients resolve>:<port>`"},
			more: func(t *testing.T, res Result) {
				// The summary says why; the evidence does not say it again.
				rmNoFact(t, res.Evidence, "localhost:7687")
				rmHint(t, res.Hints[1:], "stop-gap: bolt://db.example.com:7687 connects to that one server")
			}},
		{name: "members advertise private addresses to a public seed",
			judge: rmJudge(rmCluster(rmAddr("10.0.0.1:7687"), rmAddr("10.0.0.2:7687"), nil)),
			want:  rmWant{Warn, "members.unusable_address", "2 of 3 members advertise addresses other clients cannot use (10.0.0.1:7687, 10.0.0.2:7687)", "members advertise addresses clients cannot use (10.0.0.1:7687, 10.0.0.2:7687): on each such server set"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Evidence, "10.0.0.1:7687", "10.0.0.1 is a private address, but the client reached the server at public address 203.0.113.7")
			}},
		{name: "a member advertises a private address to a public seed",
			judge: rmJudge(rmCluster(nil, rmAddr("10.0.0.2:7687"), nil)),
			want:  rmWant{Warn, "members.unusable_address", "10.0.0.2:7687 advertises a private address, but the server in your URI answered at public address 203.0.113.7: clients outside that network cannot reach it", "on a reader (10.0.0.2:7687) set"}},
		{name: "private addresses are fine to a private seed",
			judge: rmJudge(rmCluster(rmAddr("10.0.0.1:7687"), nil, nil), func(in *membersInput) { in.answered = "10.0.0.1:7687" }),
			want:  rmWant{Pass, "", "all 3 members reachable and authenticated", ""}},
		{name: "a port mapping sits between the client and a member",
			judge: rmJudge(rmCluster(nil, func(m *rmMember) {
				m.mismatch = "the server that answered at 203.0.113.7:17687 advertises itself as b:7687: port 7687, not 17687, so a port mapping or proxy sits in between"
				m.mapped = [2]string{"7687", "17687"}
			}, nil)),
			want: rmWant{Warn, "members.unusable_address", "a reader advertises port 7687 but answers on 17687 (port mapping)", "on a reader (b:7687) set `server.bolt.advertised_address=<the host clients use>:<the port clients use>`"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Evidence, "b:7687", "so a port mapping or proxy sits in between")
				if len(res.Hints) != 3 || !strings.Contains(res.Hints[1], "port mapping") || !strings.HasPrefix(res.Hints[2], "stop-gap") {
					t.Errorf("hints %q, want the setting, why, and the stop-gap", res.Hints)
				}
			}},
		{name: "the writer is published on another port than it advertises",
			judge: rmJudge(rmCluster(rmFails("tcp"), nil, nil), func(in *membersInput) {
				in.seedSelf = "a:7687"
				in.seedMismatch = elsewhere{why: "the server that answered at 203.0.113.7:7687 advertises itself as a:17687: port 17687, not 7687, so a port mapping or proxy sits in between",
					advertised: "17687", answered: "7687"}
			}),
			want: rmWant{Fail, "members.no_working_role", "the writer advertises port 17687 but answers on 7687 (port mapping): writes fail", "on the writer (a:7687) set `server.bolt.advertised_address=db.example.com:7687`"},
			more: func(t *testing.T, res Result) {
				for _, h := range res.Hints {
					if strings.Contains(h, "start the") {
						t.Errorf("the port mapping explains the dead writer, yet: %q", h)
					}
				}
			}},
		{name: "the seed advertises a name that leads elsewhere",
			judge: rmJudge(rmCluster(nil, nil, nil), func(in *membersInput) {
				in.seedSelf = "db.internal:7687"
				in.seedMismatch = elsewhere{why: "the server that answered at 203.0.113.7:7687 advertises itself as db.internal:7687, which resolves here to 10.9.9.9: drivers following the routing table go elsewhere"}
			}),
			want: rmWant{Warn, "members.unusable_address", "db.internal:7687 leads to another server than the one that advertises it: drivers following the routing table go elsewhere", "advertised addresses lead to another address than the server that answered (db.internal:7687)"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Evidence, "db.internal:7687", "resolves here to 10.9.9.9")
			}},

		// Routers' own views.
		{name: "every router agrees",
			judge: rmJudge(rmCluster(rmViews(rmTable("neo4j", 300), nil), rmViews(rmTable("neo4j", 5), nil), nil)),
			want:  rmWant{Pass, "", "all 3 members reachable and authenticated", ""},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "router views", "2 asked, all agree with the server in your URI")
			}},
		{name: "a router names another writer",
			judge: rmJudge(rmCluster(rmViews(rmTable("neo4j", 300), nil), rmViews(other, nil), nil)),
			want:  rmWant{Warn, "members.routers_disagree", "1 of 2 routers disagrees about the writer", "restart b:7687 if its view stays stale: it is cut off from the others or just restarted"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "router views", "2 asked, 1 disagrees about the writer")
				rmFact(t, res.Evidence, "view of db.example.com:7687 (the server in your URI)", "writers a:7687;")
				rmFact(t, res.Evidence, "view of b:7687", "writers b:7687;")
				// Item 1 of issue 19: 5.x's discovery settings, not 2025's.
				rmHint(t, res.Hints, "dbms.cluster.discovery.endpoints")
				rmHint(t, res.Hints, "dbms.cluster.discovery.v2.endpoints")
				rmHint(t, res.Hints[1:], "compare what each router answers to `SHOW SERVERS` and `SHOW DATABASES`")
				if strings.Contains(strings.Join(res.Hints, " "), "dbms.cluster.endpoints") {
					t.Errorf("a 5.x hint names 2025's dbms.cluster.endpoints: %q", res.Hints)
				}
			}},
		{name: "routers give no table",
			judge: rmJudge(rmCluster(rmViews(nil, rmFailure("Neo.ClientError.General.Unknown", "no")), rmViews(nil, rmFailure("Neo.ClientError.General.Unknown", "no")), nil)),
			want:  rmWant{Warn, "members.routers_no_table", "all 3 members reachable and authenticated", "some routers give no routing table (see their own routing check below)"},
			more:  func(t *testing.T, res Result) { rmFact(t, res.Facts, "router views", "2 asked, none gave a table") }},
		{name: "one router disagrees, another gives no table: the summary names the disagreement",
			judge: rmJudge(rmCluster(rmViews(rmTable("neo4j", 300), nil), rmViews(rmWith(rmTable("neo4j", 300), func(t *routing.Table) { t.Readers = append(t.Readers, "d:7687") }), nil), rmViews(nil, fmt.Errorf("closed")))),
			want:  rmWant{Warn, "members.routers_disagree", "1 of 2 routers disagrees about the member list", "some routers give no routing table"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "router views", "2 asked, 1 disagrees about the member list; 1 gave no table")
				rmHint(t, res.Hints[1:], "check that a stale router reaches the other members")
			}},
		{name: "a router disagrees while a reader failed: the failure is the code",
			judge: rmJudge(rmCluster(rmViews(rmTable("neo4j", 300), nil), rmViews(other, nil), rmFails("tcp"))),
			want:  rmWant{Warn, "members.some_failed", "1 of 3 members failed (c:7687): every role still has a working member; 1 of 2 routers disagrees about the writer", "start the unreachable member (c:7687)"}},
		{name: "many routers disagree: the evidence shows some",
			judge: func() Result {
				var ms []rmMember
				for i := range maxViewsShown + 2 {
					ms = append(ms, rmMember{addr: fmt.Sprintf("r%d:7687", i), roles: rmR})
					rmViews(other, nil)(&ms[i])
				}
				ms = append(ms, rmMember{addr: "a:7687", roles: rmW})
				return rmJudge(ms)()
			},
			want: rmWant{Warn, "members.routers_disagree", "7 of 7 routers disagree about the writer", "the server in your URI may be the stale one (most routers disagree with it)"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Evidence, "other views", "2 more routers disagree")
				rmFact(t, res.Evidence, "view of r4:7687", "writers b:7687")
				rmNoFact(t, res.Evidence, "view of r5:7687")
			}},

		// A table larger than what is checked.
		{name: "more members than are checked",
			judge: func() Result {
				in := rmInput(rmTable("neo4j", 300))
				in.all = rmBigTable(MaxMembersChecked + 44)
				in.members = pickMembers(in.all, MaxMembersChecked)
				for _, m := range in.members {
					in.probes = append(in.probes, rmProbe(rmMember{addr: m.Address, roles: m.Roles}))
				}
				return judgeMembers(in)
			},
			want: rmWant{Pass, "", fmt.Sprintf("all %d members reachable and authenticated", MaxMembersChecked), ""},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "members", fmt.Sprintf("%d advertised, %d checked (at most %d are), %d reachable", MaxMembersChecked+44, MaxMembersChecked, MaxMembersChecked, MaxMembersChecked))
				rmFact(t, res.Facts, "writers", "1 of 1 reachable")
				rmFact(t, res.Facts, "readers", fmt.Sprintf("%d of %d reachable; 43 more not checked", MaxMembersChecked-1, MaxMembersChecked-1))
				rmFact(t, res.Facts, "routers", fmt.Sprintf("%d of %d reachable; 44 more not checked", MaxMembersChecked-1, MaxMembersChecked-1))
			}},
		{name: "more members than are checked, one of them dead",
			judge: func() Result {
				in := rmInput(rmTable("neo4j", 300))
				in.all = rmBigTable(MaxMembersChecked + 44)
				in.members = pickMembers(in.all, MaxMembersChecked)
				for i, m := range in.members {
					rm := rmMember{addr: m.Address, roles: m.Roles}
					if i == 5 {
						rm.fail = "tcp"
					}
					in.probes = append(in.probes, rmProbe(rm))
				}
				return judgeMembers(in)
			},
			want: rmWant{Warn, "members.some_failed", fmt.Sprintf("1 of %d checked members failed (r5:7687)", MaxMembersChecked), "start the unreachable member (r5:7687)"},
			more: func(t *testing.T, res Result) {
				rmFact(t, res.Facts, "members", fmt.Sprintf("%d advertised, %d checked (at most %d are), %d reachable", MaxMembersChecked+44, MaxMembersChecked, MaxMembersChecked, MaxMembersChecked-1))
			}},

		// What is not judgeMembers's.
		{name: "bolt:// uses no members",
			judge: func() Result {
				r := newRun(rmTarget(rmDirect), (&Env{}).withDefaults())
				defer r.Close()
				return checkMembers(context.Background(), r)
			},
			want: rmWant{Skip, "members.direct", "bolt:// connects directly; cluster members are not used", ""}},
		{name: "a member's address is not host:port",
			judge: func() Result {
				r := newRun(rmTarget(), (&Env{}).withDefaults())
				defer r.Close()
				p := r.checkMember(context.Background(), routing.Member{Address: "db-2", Roles: []string{"ROUTE", "READ"}}, nil)
				if p.member.Status != Fail || len(p.member.Checks) != 1 || !slices.Equal(p.member.Roles, []string{"READ", "ROUTE"}) {
					panic(fmt.Sprintf("member %+v", p.member))
				}
				return p.member.Checks[0]
			},
			// No login has named the server: both generations' forms.
			want: rmWant{Fail, "members.malformed_address", `"db-2" is not a host:port address`, "the routing table lists \"db-2\", which drivers cannot dial: on that server set server.bolt.advertised_address=<name clients resolve>:<port> (4.x: dbms.connector.bolt.advertised_address=<name clients resolve>:<port>)"},
			more: func(t *testing.T, res Result) {
				if res.ID != "config" || res.Facts == nil || res.Evidence == nil {
					t.Errorf("result %+v: want a normalised config result", res)
				}
			}},
	}
	rmRun(t, membersCheck.Codes, cases)
}

// rmBigTable is n members: r0 ... r(n-2) read and route (the last of
// them only routes), and the writer w last of all, which only
// pickMembers's first pass, a share for every role, reaches.
func rmBigTable(n int) []routing.Member {
	var all []routing.Member
	for i := range n - 1 {
		all = append(all, routing.Member{Address: fmt.Sprintf("r%d:7687", i), Roles: []string{"READ", "ROUTE"}})
	}
	all[len(all)-1].Roles = []string{"ROUTE"}
	return append(all, routing.Member{Address: "w:7687", Roles: []string{"WRITE"}})
}

func TestPickMembersKeepsEveryRole(t *testing.T) {
	all := rmBigTable(MaxMembersChecked + 44)
	picked := pickMembers(all, MaxMembersChecked)
	if len(picked) != MaxMembersChecked {
		t.Fatalf("picked %d, want %d", len(picked), MaxMembersChecked)
	}
	if picked[len(picked)-1].Address != "w:7687" {
		t.Errorf("the writer, last in the table, was not picked: last picked %s", picked[len(picked)-1].Address)
	}
	if small := all[:3]; !slices.EqualFunc(pickMembers(small, MaxMembersChecked), small, func(a, b routing.Member) bool { return a.Address == b.Address }) {
		t.Errorf("a small table is not checked whole")
	}
}

func TestTally(t *testing.T) {
	in := rmInput(rmTable("neo4j", 300), rmCluster(rmFails("dns"), rmAddr("127.0.0.1:7687"), rmSkips)...)
	in.probes[1].mismatch = elsewhere{why: "leads elsewhere"}
	got := tally(in)
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"dead", got.dead, []string{"a:7687"}},
		{"suspects", got.suspects, []string{"a:7687", "127.0.0.1:7687"}},
		{"elsewhere", got.elsewhere, []string{"127.0.0.1:7687"}},
		{"not checked", got.notChecked, []string{"c:7687"}},
		{"unreachable", got.unreachable, []string{"a:7687"}},
		{"lost", got.lost, []string{"WRITE"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s %q, want %q", c.name, c.got, c.want)
		}
	}
	if !got.failedSteps["dns"] || len(got.failedSteps) != 1 {
		t.Errorf("failed steps %v, want dns", got.failedSteps)
	}
	if got.live["READ"] != 1 || got.total["READ"] != 2 || got.live["ROUTE"] != 1 || got.advertised["ROUTE"] != 3 {
		t.Errorf("live %v total %v advertised %v", got.live, got.total, got.advertised)
	}
	want := []Fact{
		{Name: "a:7687", Value: "dns: dns failed here"},
		{Name: "127.0.0.1:7687", Value: "127.0.0.1 is a loopback address: every client reaches itself there, not the server"},
		{Name: "127.0.0.1:7687", Value: "leads elsewhere"},
	}
	if !slices.Equal(got.evidence, want) {
		t.Errorf("evidence %v, want %v", got.evidence, want)
	}
	if c := got.causes; c["a:7687"].kind != "unresolvable" || c["127.0.0.1:7687"].kind != "loopback" || len(c) != 2 {
		t.Errorf("causes %v, want a:7687 unresolvable and 127.0.0.1:7687 loopback", c)
	}
}

func TestMemberHints(t *testing.T) {
	in := rmInput(rmTable("neo4j", 300), rmCluster(nil, nil, nil)...)
	in.srv = generation.Server{Gen: generation.V4}
	for _, c := range []struct {
		name  string
		tally memberTally
		want  []string // a key phrase of each hint, in order
	}{
		{"nothing wrong", memberTally{}, nil},
		{"not checked in time", memberTally{notChecked: []string{"a:7687", "b:7687"}},
			[]string{"2 members did not answer within the members step's budget of 10s"}},
		{"dead by tcp", memberTally{dead: []string{"a:7687"}, unreachable: []string{"a:7687"}, failedSteps: map[string]bool{"tcp": true}},
			[]string{"start the unreachable member (a:7687)", "if it runs, check that it listens at the address it advertises",
				"`CALL dbms.cluster.overview()` on a running member shows which core members and read replicas the cluster sees"}},
		{"dead by tls and auth", memberTally{dead: []string{"a:7687", "b:7687"}, failedSteps: map[string]bool{"tls": true, "auth": true}},
			[]string{"fail TLS or authentication"}},
		{"dead by something else", memberTally{dead: []string{"a:7687"}, failedSteps: map[string]bool{"routing": true}}, nil},
		{"suspects beat the dead", memberTally{dead: []string{"a:7687"}, unreachable: []string{"a:7687"}, suspects: []string{"a:7687"}, failedSteps: map[string]bool{"tcp": true}},
			[]string{"on the writer (a:7687) set `dbms.connector.bolt.advertised_address=<name clients resolve>:<port>`", "or, for every connector of that server, set `dbms.default_advertised_address=<name clients resolve>`", "stop-gap: bolt://db.example.com:7687"}},
		{"some lead elsewhere, some are unusable", memberTally{suspects: []string{"a:7687", "b:7687"}, elsewhere: []string{"b:7687"}, causes: map[string]cause{"b:7687": {kind: "elsewhere"}}},
			[]string{"another address than the server that answered (b:7687)", "on the writer (a:7687) set", "for every connector", "stop-gap"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := memberHints(in, c.tally)
			if len(got) != len(c.want) {
				t.Fatalf("hints %q, want %d", got, len(c.want))
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("hint %d %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

// TestMemberHintsOnAura: Aura replaces its servers itself and lets nobody
// set an advertised address; the hints say what an Aura user can do.
func TestMemberHintsOnAura(t *testing.T) {
	in := rmInput(rmTable("neo4j", 300), rmCluster(nil, nil, nil)...)
	in.srv = generation.Server{Gen: generation.V5, Aura: true}
	for _, tl := range []memberTally{
		{dead: []string{"b:7687"}, unreachable: []string{"b:7687"}, failedSteps: map[string]bool{"tcp": true}},
		{suspects: []string{"b:7687"}, causes: map[string]cause{"b:7687": {kind: "loopback"}}},
	} {
		hints := memberHints(in, tl)
		if len(hints) == 0 || strings.Contains(hints[0], "(Aura") {
			t.Errorf("Aura hints %q: want an instruction of their own, not a setting's place", hints)
		}
		got := strings.Join(hints, "\n")
		for _, bad := range []string{"SHOW SERVERS", "DROP SERVER", "DEALLOCATE", "advertised_address"} {
			if strings.Contains(got, bad) {
				t.Errorf("Aura hints name %s:\n%s", bad, got)
			}
		}
		if !strings.Contains(got, "https://support.neo4j.com") && !strings.Contains(got, "Aura manages") {
			t.Errorf("Aura hints say nothing an Aura user can do:\n%s", got)
		}
	}
}

func TestSelfMismatchPortMapping(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		self, answered, want string
	}{
		{"10.0.0.5:7687", "10.0.0.5:17687", "the server that answered at 10.0.0.5:17687 advertises itself as 10.0.0.5:7687: port 7687, not 17687, so a port mapping or proxy sits in between"},
		{"10.0.0.6:7687", "10.0.0.5:7687", "the server that answered at 10.0.0.5:7687 advertises itself as 10.0.0.6:7687, which resolves here to 10.0.0.6: drivers following the routing table go elsewhere"},
		{"10.0.0.5:7687", "10.0.0.5:7687", ""},
		{"localhost:7687", "127.0.0.1:7687", ""},
		{"no port", "10.0.0.5:7687", ""},
	} {
		if got := selfMismatch(ctx, nil, c.self, c.answered, time.Second); got.why != c.want {
			t.Errorf("selfMismatch(%s, %s) = %q, want %q", c.self, c.answered, got.why, c.want)
		}
	}
	if got := selfMismatch(ctx, nil, "10.0.0.5:7687", "10.0.0.5:17687", time.Second); got.advertised != "7687" || got.answered != "17687" {
		t.Errorf("a port mapping's ports: %+v", got)
	}
}

// TestMembersCodesWait: --wait asks membersMayComeUp, never the codes.
func TestMembersCodesWait(t *testing.T) {
	if membersCheck.Retry == nil {
		t.Fatal("the members check has no Retry")
	}
	seen := map[string]bool{}
	for _, c := range membersCheck.Codes {
		if c.Wait || seen[c.ID] || !strings.HasPrefix(c.ID, "members.") || strings.ToLower(c.ID) != c.ID || c.Doc == "" {
			t.Errorf("code %+v: want members.<outcome>, once, lower case, with a Doc and no Wait", c)
		}
		seen[c.ID] = true
	}
}
