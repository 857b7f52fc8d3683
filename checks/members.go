package checks

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/generation"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

// maxViewsShown bounds how many disagreeing routers' views the evidence
// shows; the rest are counted.
const maxViewsShown = 5

// MaxMembersChecked bounds the members check: a real cluster advertises
// tens of members, and a table of a thousand is broken or hostile, where a
// sample of every role says as much as all of it, in a fraction of the time.
const MaxMembersChecked = 256

var membersCheck = Check{
	ID: "members", Title: "cluster members", Needs: []string{"routing"}, Phase: true,
	Doc: "`neo4j://` only: every advertised member, 16 at once, as the driver would reach it (dns, tcp, tls with the member's own name, bolt, auth), reachable members per role, and each router's own table compared with that of the server in your URI; addresses that cannot be right (`localhost`, private addresses to a public client, names that do not resolve or lead to another server, another port than the one that answered) with the setting of the server's generation and the `bolt://` stop-gap",
	// --wait asks membersMayComeUp, not the codes' Wait: whether waiting
	// helps depends on how each member failed.
	Retry: membersMayComeUp,
	Codes: []Code{
		{ID: "members.direct", Doc: "skipped: a bolt:// URI connects directly and uses no cluster members"},
		{ID: "members.no_working_role", Doc: "a role (writer, reader or router) has no member that works: drivers cannot serve it"},
		{ID: "members.some_failed", Doc: "some members failed their checks, but every role still has a working member"},
		{ID: "members.not_checked_in_time", Doc: "some members did not finish their checks within the step's budget (2 × --timeout)"},
		{ID: "members.unusable_address", Doc: "members advertise addresses other clients cannot use (loopback, private, unresolvable, or leading to another server)"},
		{ID: "members.routers_disagree", Doc: "routers give tables that name another writer or other members than the server in your URI does"},
		{ID: "members.routers_no_table", Doc: "some routers give no routing table"},
		{ID: "members.malformed_address", Doc: "a member's own result: its advertised address is not host:port"},
	},
	Warm: warmMembers,
	Run:  checkMembers,
}

// warmProbes are the member checks a warm run started with the seed's
// steps, one per member of the remembered table but the seed, by address
// (lower-cased); checkMembers takes those the fresh table still lists,
// and the rest are cancelled and dropped.
type warmProbes struct {
	mu     sync.Mutex
	probes map[string]*warmProbe
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type warmProbe struct {
	done  chan struct{} // closed once probe is written
	probe memberProbe
}

// warmMembers starts, on a warm run, the checks of every member the
// process's last diagnosis of the target found, at once with the seed's
// own steps: a healthy cluster's members then cost no round trip after
// the seed's. The same budget (2 × --timeout) and concurrency bound hold
// as for checkMembers; slots are taken in table order.
func warmMembers(ctx context.Context, r *Run) {
	t := r.remembered
	if !r.T.Routing || t == nil {
		return
	}
	all := t.Members()
	inTable := addressSet(all)
	members := pickMembers(all, MaxMembersChecked)
	wctx, cancel := context.WithTimeout(ctx, 2*r.T.Timeout)
	w := &warmProbes{probes: map[string]*warmProbe{}, cancel: cancel}
	type job struct {
		m  routing.Member
		wp *warmProbe
	}
	var todo []job
	for _, m := range members {
		key := strings.ToLower(m.Address)
		if strings.EqualFold(m.Address, r.T.Address()) || w.probes[key] != nil {
			continue
		}
		wp := &warmProbe{done: make(chan struct{})}
		w.probes[key] = wp
		todo = append(todo, job{m, wp})
	}
	r.warm = w
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		sem := make(chan struct{}, r.Env.MemberConcurrency)
		for _, j := range todo {
			m, wp := j.m, j.wp
			select {
			case sem <- struct{}{}:
			case <-wctx.Done():
				wp.probe = unchecked(m)
				close(wp.done)
				continue
			}
			w.wg.Add(1)
			go func() {
				defer w.wg.Done()
				defer func() { <-sem }()
				wp.probe = r.checkMember(wctx, m, inTable)
				if wctx.Err() != nil && ctx.Err() == nil && cutShort(wp.probe.member) {
					wp.probe = unchecked(m)
				}
				close(wp.done)
			}()
		}
	}()
}

// addressSet is the members' addresses, lower-cased.
func addressSet(ms []routing.Member) map[string]bool {
	set := make(map[string]bool, len(ms))
	for _, m := range ms {
		set[strings.ToLower(m.Address)] = true
	}
	return set
}

// take returns the probe started for addr and forgets it; nil when none
// was (a member new to the table, or a cold run).
func (w *warmProbes) take(addr string) *warmProbe {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	key := strings.ToLower(addr)
	wp := w.probes[key]
	delete(w.probes, key)
	return wp
}

// stop cancels the probes nobody took (members that left the table, or a
// run that never got to its members check) and waits for every probe's
// end, so none outlives the run.
func (w *warmProbes) stop() {
	if w == nil {
		return
	}
	w.cancel()
	w.wg.Wait()
}

// memberProbe is what checking one member found, beyond its report.
type memberProbe struct {
	member Member
	// mismatch says why the member's own advertised address (LOGON,
	// 5.8+) leads somewhere else than where it answered; zero when it
	// does not.
	mismatch elsewhere
	view     *routerView // nil unless the member is a router that was asked
}

// elsewhere is why an address a server advertises for itself does not
// lead back to where it answered.
type elsewhere struct {
	why string // the evidence, in words; "" when it leads back
	// advertised and answered are the ports, when they alone differ: a
	// port mapping or a proxy sits in between.
	advertised, answered string
}

// routerView is one router's own routing table, asked for on the member's
// connection as a driver that picked this router would.
type routerView struct {
	table *routing.Table
	err   error
	diff  routing.Disagreement
}

func checkMembers(ctx context.Context, r *Run) Result {
	if !r.T.Routing {
		return Result{Status: Skip, Code: "members.direct", Summary: r.T.Scheme + ":// connects directly; cluster members are not used"}
	}
	in := membersInput{
		seed: r.T.Address(), seedHost: r.T.Host, answered: r.s.connAddr,
		srv: r.serverGen(), seedSelf: r.hello.AdvertisedAddress, table: r.table,
		all: r.table.Members(), budget: 2 * r.T.Timeout,
	}
	in.members = pickMembers(in.all, MaxMembersChecked)
	in.probes, in.seedMismatch = r.fanOut(ctx, in)
	res := judgeMembers(in) // which quiets the members whose failure it explains
	r.members = make([]Member, len(in.probes))
	for i, p := range in.probes {
		r.members[i] = p.member
	}
	return res
}

// membersInput is what the members step found, for judgeMembers.
type membersInput struct {
	seed, seedHost string            // the address the user typed, and its host
	answered       string            // the IP:port the seed answered at
	srv            generation.Server // the server in the URI, for the names hints give
	seedSelf       string            // the address the seed advertises for itself (LOGON, 5.8+)
	table          *routing.Table
	all            []routing.Member // every member of the table
	members        []routing.Member // those checked (pickMembers)
	budget         time.Duration    // the whole step's
	probes         []memberProbe    // one per members entry
	seedMismatch   elsewhere        // why seedSelf leads elsewhere; zero when it does not
}

// fanOut checks every member, MemberConcurrency at once, under one budget
// for the whole step, so members that all stall cost 2 × --timeout, not
// (members / concurrency) × --timeout; a member the budget cut short is
// reported as not checked, not as dead. The seed's own advertised address
// is checked alongside: the server that answered may call itself by a
// name that leads elsewhere.
func (r *Run) fanOut(ctx context.Context, in membersInput) ([]memberProbe, elsewhere) {
	inTable := addressSet(in.all)
	probes := make([]memberProbe, len(in.members))
	sem := make(chan struct{}, r.Env.MemberConcurrency)
	mctx, cancel := context.WithTimeout(ctx, in.budget)
	defer cancel()
	var wg sync.WaitGroup
	var seedMismatch elsewhere
	if in.seedSelf != "" && !strings.EqualFold(in.seedSelf, in.seed) {
		resolver := r.Resolver()
		wg.Add(1)
		go func() {
			defer wg.Done()
			seedMismatch = selfMismatch(ctx, resolver, in.seedSelf, in.answered, r.T.Timeout)
		}()
	}
	// Slots are taken here, in table order (writers, readers, routers), not
	// by racing goroutines: on a busy machine the writer must not wait
	// behind a hundred stalled readers and miss the budget.
	for i, m := range in.members {
		if strings.EqualFold(m.Address, in.seed) {
			probes[i] = r.seedMember(mctx, m, inTable)
			continue
		}
		if wp := r.warm.take(m.Address); wp != nil {
			// Started with the seed's steps: wait for it, with the roles
			// the fresh table gives.
			wg.Add(1)
			go func() {
				defer wg.Done()
				select {
				case <-wp.done:
					probes[i] = wp.probe
				case <-mctx.Done():
					probes[i] = unchecked(m)
					return
				}
				p := &probes[i]
				p.member.Roles = slices.Clone(m.Roles)
				sortRoles(p.member.Roles)
				if !slices.Contains(m.Roles, "ROUTE") {
					p.view = nil
				}
			}()
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-mctx.Done():
			probes[i] = unchecked(m)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			probes[i] = r.checkMember(mctx, m, inTable)
			if mctx.Err() != nil && ctx.Err() == nil && cutShort(probes[i].member) {
				probes[i] = unchecked(m)
			}
		}()
	}
	wg.Wait()
	// Members the last table had and this one has not: their checks are
	// no part of this run.
	r.warm.stop()
	return probes, seedMismatch
}

// memberTally counts what the probes found.
type memberTally struct {
	dead, suspects, elsewhere, notChecked []string
	unreachable                           []string // dead at dns, tcp or bolt: nothing answers there
	// causes says, for each suspect, why its address cannot be right.
	causes                  map[string]cause
	failedSteps             map[string]bool
	total, live, advertised map[string]int // per role
	lost                    []string       // roles without a working member
	evidence                []Fact
}

// cause is why a member's advertised address cannot be right.
type cause struct {
	kind                 string // "loopback", "private", "unresolvable", "mapped" (a port mapping) or "elsewhere"
	advertised, answered string // the ports, for "mapped"
}

// tally sorts the members into dead, suspect (an address other clients
// cannot use), leading elsewhere, and not checked in time, and counts the
// working members of each role.
func tally(in membersInput) memberTally {
	answeredIP, _, _ := net.SplitHostPort(in.answered)
	t := memberTally{causes: map[string]cause{}, failedSteps: map[string]bool{}, total: map[string]int{}, live: map[string]int{}, advertised: map[string]int{}}
	if in.seedMismatch.why != "" {
		t.evidence = append(t.evidence, Fact{Name: in.seedSelf, Value: in.seedMismatch.why})
		t.suspects = append(t.suspects, in.seedSelf)
		t.elsewhere = append(t.elsewhere, in.seedSelf)
		t.causes[in.seedSelf] = elsewhereCause(in.seedMismatch)
	}
	for i, m := range in.members {
		p := in.probes[i]
		host, _, _ := routing.SplitAddress(m.Address)
		why := routing.SuspectAt(host, in.seedHost, answeredIP)
		var c cause
		if why != "" {
			t.evidence = append(t.evidence, Fact{Name: m.Address, Value: why})
			c.kind = "private"
			if routing.Loopback(host) {
				c.kind = "loopback"
			}
		}
		if p.mismatch.why != "" {
			t.evidence = append(t.evidence, Fact{Name: m.Address, Value: p.mismatch.why})
			if !slices.Contains(t.elsewhere, m.Address) {
				t.elsewhere = append(t.elsewhere, m.Address)
			}
			if why == "" {
				why, c = p.mismatch.why, elsewhereCause(p.mismatch)
			}
		}
		if p.member.Status == Skip {
			t.notChecked = append(t.notChecked, m.Address)
			continue
		}
		if p.member.Status == Fail {
			t.dead = append(t.dead, m.Address)
			if failed := firstFailed(p.member.Checks); failed != nil {
				t.failedSteps[failed.ID] = true
				if failed.ID == "dns" || failed.ID == "tcp" || failed.ID == "bolt" {
					t.unreachable = append(t.unreachable, m.Address)
				}
				t.evidence = append(t.evidence, Fact{Name: m.Address, Value: failed.ID + ": " + failed.Summary})
				if failed.ID == "dns" && why == "" {
					why, c = "its name does not resolve from here", cause{kind: "unresolvable"}
				}
			}
		}
		if why != "" && !slices.Contains(t.suspects, m.Address) {
			t.suspects = append(t.suspects, m.Address)
			t.causes[m.Address] = c
		}
	}
	for i, m := range in.members {
		for _, role := range m.Roles {
			t.total[role]++
			if st := in.probes[i].member.Status; st != Fail && st != Skip {
				t.live[role]++
			}
		}
	}
	for _, m := range in.all {
		for _, role := range m.Roles {
			t.advertised[role]++
		}
	}
	for _, role := range []string{"WRITE", "READ", "ROUTE"} {
		if t.total[role] > 0 && t.live[role] == 0 {
			t.lost = append(t.lost, role)
		}
	}
	return t
}

func elsewhereCause(e elsewhere) cause {
	if e.advertised != "" {
		return cause{kind: "mapped", advertised: e.advertised, answered: e.answered}
	}
	return cause{kind: "elsewhere"}
}

// judgeMembers gives the verdict on the members step: a role without a
// working member fails (drivers cannot serve it), a dead member or one
// that advertises an address other clients cannot use warns, and routers
// that disagree with the server in the URI warn. The summary names the
// cause when an address explains it; the member checks it explains lose
// their hints (in.probes), which would send the reader after a symptom.
func judgeMembers(in membersInput) Result {
	t := tally(in)
	res := Result{Evidence: t.evidence}
	members, all := in.members, in.all
	checked := fmt.Sprintf("%d checked, %d reachable", len(members)-len(t.notChecked), len(members)-len(t.dead)-len(t.notChecked))
	if len(all) > len(members) {
		checked = fmt.Sprintf("%d advertised, %d checked (at most %d are), %d reachable", len(all), len(members), MaxMembersChecked, len(members)-len(t.dead))
	}
	res.Facts = append(res.Facts, Fact{Name: "members", Value: checked})
	for _, role := range []struct{ role, name string }{{"WRITE", "writers"}, {"READ", "readers"}, {"ROUTE", "routers"}} {
		if t.total[role.role] == 0 {
			continue
		}
		f := fmt.Sprintf("%d of %d reachable", t.live[role.role], t.total[role.role])
		if n := t.advertised[role.role] - t.total[role.role]; n > 0 {
			f += fmt.Sprintf("; %d more not checked", n)
		}
		res.Facts = append(res.Facts, Fact{Name: role.name, Value: f})
	}

	switch {
	case len(t.lost) > 0:
		res.Status, res.Code = Fail, "members.no_working_role"
	case len(t.dead) == 0:
		res.Status = Pass
	default:
		res.Status, res.Code = Warn, "members.some_failed"
	}
	if len(t.notChecked) > 0 {
		res.raise(Warn, "members.not_checked_in_time")
		res.Facts = append(res.Facts, Fact{Name: "not checked in time", Value: fmt.Sprintf("%d (%s)", len(t.notChecked), listOrNone(t.notChecked))})
	}
	res.Summary = membersSummary(in, t)
	if len(t.suspects) == 1 {
		// The summary states this address's loopback or private reason
		// in full: its evidence would say it twice.
		a := t.suspects[0]
		if k := t.causes[a].kind; k == "loopback" || k == "private" {
			why := routing.SuspectAt(hostOf(a), in.seedHost, answeredHost(in))
			res.Evidence = slices.DeleteFunc(slices.Clone(res.Evidence), func(f Fact) bool { return f.Name == a && f.Value == why })
		}
	}
	res.Hints = memberHints(in, t)
	if len(t.suspects) > 0 {
		res.raise(Warn, "members.unusable_address")
	}
	quietExplained(in.probes, t.suspects)
	judgeViews(&res, in)
	return res
}

// membersSummary says what the members step found, the cause first when
// an address explains it.
func membersSummary(in membersInput, t memberTally) string {
	members := in.members
	noun := "members"
	if len(in.all) > len(members) {
		noun = "checked members"
	}
	fine := len(members) - len(t.dead) - len(t.notChecked)
	switch {
	case len(t.suspects) > 0:
		var s, reach string
		if len(t.suspects) == 1 {
			s, reach = suspectSentence(in, t.suspects[0], t.causes[t.suspects[0]])
		} else {
			s = fmt.Sprintf("%d of %d members advertise addresses other clients cannot use (%s)", len(t.suspects), len(members), strings.Join(t.suspects, ", "))
		}
		switch {
		case len(t.lost) > 0:
			s += ": " + lostConsequence(t.lost, false)
		case reach != "":
			s += ": " + reach
		}
		if len(t.lost) == 0 && fine < len(members) {
			s += fmt.Sprintf(" (%d of %d members fine)", fine, len(members))
		}
		if others := without(t.dead, t.suspects); len(others) > 0 {
			s += fmt.Sprintf("; %d more %s failed (%s)", len(others), plural(len(others), "member", "members"), listOrNone(others))
		}
		return s
	case len(t.lost) > 0:
		what := "failed"
		if len(t.notChecked) > 0 {
			what = "failed or did not answer in time"
		}
		return fmt.Sprintf("no %s is reachable: %s (%d of %d %s %s)", lostNouns(t.lost), lostConsequence(t.lost, true), len(t.dead)+len(t.notChecked), len(members), noun, what)
	case len(t.dead) > 0:
		return fmt.Sprintf("%d of %d %s failed (%s): every role still has a working member", len(t.dead), len(members), noun, listOrNone(t.dead))
	case len(t.notChecked) > 0:
		return fmt.Sprintf("%d of %d members did not finish their checks within the step's time budget (2 × --timeout)", len(t.notChecked), len(members))
	case len(members) == 1:
		return "the only member is reachable and authenticated"
	}
	return fmt.Sprintf("all %d members reachable and authenticated", len(members))
}

// suspectSentence says why one advertised address cannot be right, and
// whom that keeps out when no role is lost.
func suspectSentence(in membersInput, addr string, c cause) (why, reach string) {
	switch c.kind {
	case "loopback":
		return addr + " advertises a loopback address", "clients on other machines cannot reach it"
	case "private":
		reached := in.seedHost
		if ip, _, err := net.SplitHostPort(in.answered); err == nil && net.ParseIP(reached) == nil {
			reached = ip
		}
		return fmt.Sprintf("%s advertises a private address, but the server in your URI answered at public address %s", addr, reached), "clients outside that network cannot reach it"
	case "unresolvable":
		return addr + " advertises a name that does not resolve here", "clients cannot reach it"
	case "mapped":
		return fmt.Sprintf("%s advertises port %s but answers on %s (port mapping)", roleOf(in, addr), c.advertised, c.answered), "drivers following the routing table cannot reach it"
	}
	return addr + " leads to another server than the one that advertises it", "drivers following the routing table go elsewhere"
}

func hostOf(addr string) string {
	h, _, _ := routing.SplitAddress(addr)
	return h
}

// answeredHost is the IP the server in the URI answered at.
func answeredHost(in membersInput) string {
	ip, _, _ := net.SplitHostPort(in.answered)
	return ip
}

// roleOf names the member that advertises addr by its role: "the
// writer", "a reader", "a router"; "the server in your URI" when the
// table does not list it.
func roleOf(in membersInput, addr string) string {
	for _, m := range in.all {
		if !strings.EqualFold(m.Address, addr) {
			continue
		}
		switch {
		case slices.Contains(m.Roles, "WRITE") && in.table != nil && len(in.table.Writers) == 1:
			return "the writer"
		case slices.Contains(m.Roles, "WRITE"):
			return "a writer"
		case slices.Contains(m.Roles, "READ"):
			return "a reader"
		}
		return "a router"
	}
	return "the server in your URI"
}

// lostNouns is "reader", "writer or reader", ...: the roles nobody serves.
func lostNouns(lost []string) string {
	names := map[string]string{"WRITE": "writer", "READ": "reader", "ROUTE": "router"}
	var out []string
	for _, r := range lost {
		out = append(out, names[r])
	}
	return orList(out)
}

// lostConsequence is what drivers cannot do without the lost roles:
// "writes fail", "read queries will fail", ...
func lostConsequence(lost []string, will bool) string {
	fail := "fail"
	if will {
		fail = "will fail"
	}
	var ops []string
	refresh := false
	for _, r := range lost {
		switch r {
		case "WRITE":
			ops = append(ops, "writes")
		case "READ":
			ops = append(ops, "read queries")
		case "ROUTE":
			refresh = true
		}
	}
	var parts []string
	if len(ops) > 0 {
		parts = append(parts, strings.Join(ops, " and ")+" "+fail)
	}
	if refresh {
		parts = append(parts, "drivers cannot refresh the routing table")
	}
	return strings.Join(parts, ", and ")
}

// orList is "a", "a or b", "a, b or c".
func orList(l []string) string {
	if len(l) <= 1 {
		return strings.Join(l, "")
	}
	return strings.Join(l[:len(l)-1], ", ") + " or " + l[len(l)-1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// quietExplained drops the hints of the member checks whose failure an
// advertised address explains: "nothing listens there: start the DBMS"
// is no fix for a member that advertises localhost. Their summaries and
// evidence stay.
func quietExplained(probes []memberProbe, explained []string) {
	for i := range probes {
		m := &probes[i].member
		if !slices.ContainsFunc(explained, func(a string) bool { return strings.EqualFold(a, m.Address) }) {
			continue
		}
		checks := slices.Clone(m.Checks)
		for j := range checks {
			if len(checks[j].Hints) > 0 {
				checks[j].Hints = []string{}
			}
		}
		m.Checks = checks
	}
}

// memberHints are the fixes for what tally found, the cause's first.
func memberHints(in membersInput, t memberTally) []string {
	var hints []string
	s := say{in.srv}
	if len(t.suspects) > 0 {
		hints = append(hints, suspectHints(in, t, s)...)
	}
	if unreachable := without(t.unreachable, t.suspects); len(unreachable) > 0 {
		hints = append(hints, deadHints(unreachable, s)...)
	}
	if len(without(t.dead, t.suspects)) > 0 && (t.failedSteps["tls"] || t.failedSteps["auth"]) {
		hints = append(hints, "some members answer but fail TLS or authentication: see each failing member's own check below for its fix (every member needs a certificate for its advertised name, and the same users)")
	}
	if len(t.notChecked) > 0 {
		hints = append(hints, fmt.Sprintf("%d %s did not answer within the members step's budget of %s: slow or stalled; check one directly with bolt://<member address>, or raise --timeout", len(t.notChecked), plural(len(t.notChecked), "member", "members"), in.budget))
	}
	if len(t.suspects) > 0 {
		hints = append(hints, fmt.Sprintf("stop-gap: bolt://%s connects to that one server and bypasses the routing table", in.seed))
	}
	return hints
}

// suspectHints fix the addresses members advertise.
func suspectHints(in membersInput, t memberTally, s say) []string {
	if l := s.Lookup(generation.BoltAdvertisedAddress); l.Aura {
		return []string{fmt.Sprintf("members advertise addresses clients cannot use (%s): %s", strings.Join(t.suspects, ", "), l.Text)}
	}
	var hints []string
	var mapped, moved, unusable []string
	for _, a := range t.suspects {
		switch t.causes[a].kind {
		case "mapped":
			mapped = append(mapped, a)
		case "elsewhere":
			moved = append(moved, a)
		default:
			unusable = append(unusable, a)
		}
	}
	if len(mapped) > 0 {
		value, on := "<the host clients use>:<the port clients use>", "on each such server ("+strings.Join(mapped, ", ")+")"
		if len(mapped) == 1 {
			on = "on " + roleOf(in, mapped[0]) + " (" + mapped[0] + ")"
			if strings.EqualFold(mapped[0], in.seedSelf) {
				value = in.seed // where this client reached it
			}
		}
		hints = append(hints, fmt.Sprintf("%s set %s", on, s.set(generation.BoltAdvertisedAddress, value)),
			"behind a port mapping (docker run -p 17687:7687) or NAT, a server must advertise the address clients reach it at, not the one it listens on")
	}
	if len(moved) > 0 {
		hints = append(hints, fmt.Sprintf("advertised addresses lead to another address than the server that answered (%s): fix the DNS record so the name points at that server, or set %s there", strings.Join(moved, ", "), s.set(generation.BoltAdvertisedAddress, "<name clients resolve>:<port>")))
	}
	if len(unusable) > 0 {
		h := fmt.Sprintf("members advertise addresses clients cannot use (%s): on each such server set %s", strings.Join(unusable, ", "), s.set(generation.BoltAdvertisedAddress, "<name clients resolve>:<port>"))
		if len(unusable) == 1 {
			h = fmt.Sprintf("on %s (%s) set %s", roleOf(in, unusable[0]), unusable[0], s.set(generation.BoltAdvertisedAddress, "<name clients resolve>:<port>"))
		}
		hints = append(hints, h)
		if d := s.set(generation.DefaultAdvertisedAddress, "<name clients resolve>"); d != "" {
			hints = append(hints, "or, for every connector of that server, set "+d)
		}
	}
	return hints
}

// deadHints: start the members that do not answer; only then, for a
// server gone for good, the irreversible removal.
func deadHints(dead []string, s say) []string {
	if l := s.Lookup(generation.DeallocateServer); l.Aura {
		return []string{fmt.Sprintf("%s (%s) did not answer: %s", plural(len(dead), "a member", "members"), listOrNone(dead), l.Text)}
	}
	first := fmt.Sprintf("start the unreachable members (%s)", listOrNone(dead))
	then := fmt.Sprintf("if they run, check that each listens at the address it advertises (%s)", s.name(generation.BoltAdvertisedAddress))
	if len(dead) == 1 {
		first = fmt.Sprintf("start the unreachable member (%s)", dead[0])
		then = fmt.Sprintf("if it runs, check that it listens at the address it advertises (%s)", s.name(generation.BoltAdvertisedAddress))
	}
	hints := []string{first, then}
	switch dealloc := s.Lookup(generation.DeallocateServer); {
	case dealloc.Text != "":
		hints = append(hints, fmt.Sprintf("%s shows each server's state and id; only a server that is gone for good is removed, which cannot be undone: %s, then %s", s.code(generation.ListServers), s.code(generation.DeallocateServer), s.code(generation.DropServer)))
	default:
		hints = append(hints, fmt.Sprintf("%s on a running member shows which %s and %s the cluster sees", s.code(generation.ListServers), s.name(generation.Primaries), s.name(generation.Secondaries)))
	}
	return hints
}

// judgeViews compares every live router's own table with the one the
// server in the URI gave: drivers refresh their table from any router, so
// a router with another view of the writer or the members sends some
// clients elsewhere.
func judgeViews(res *Result, in membersInput) {
	allFine := res.Status == Pass
	var asked, broken int
	var disagree []int
	var what routing.Disagreement
	for i, p := range in.probes {
		switch {
		case p.view == nil:
		case p.view.err != nil:
			broken++
		default:
			asked++
			if p.view.diff.Any() {
				disagree = append(disagree, i)
				what.Writers = what.Writers || p.view.diff.Writers
				what.Members = what.Members || p.view.diff.Members
			}
		}
	}
	if asked+broken == 0 {
		return
	}
	fact := fmt.Sprintf("%d asked, all agree with the server in your URI", asked)
	switch {
	case asked == 0:
		fact = fmt.Sprintf("%d asked, none gave a table", broken)
	case len(disagree) > 0:
		fact = fmt.Sprintf("%d asked, %d %s about %s", asked, len(disagree), plural(len(disagree), "disagrees", "disagree"), what)
	}
	if broken > 0 && asked > 0 {
		fact += fmt.Sprintf("; %d gave no table", broken)
	}
	res.Facts = append(res.Facts, Fact{Name: "router views", Value: fact})
	s := say{in.srv}
	if len(disagree) > 0 {
		// First: the summary names the disagreement, not the routers
		// without a table.
		res.raise(Warn, "members.routers_disagree")
	}
	if broken > 0 {
		res.raise(Warn, "members.routers_no_table")
		res.Hints = append(res.Hints, "some routers give no routing table (see their own routing check below): drivers that ask them get an error and try the next router; "+readLogs(s, "on them: they say why"))
	}
	if len(disagree) == 0 {
		return
	}
	views := fmt.Sprintf("%d of %d routers %s about %s", len(disagree), asked, plural(len(disagree), "disagrees", "disagree"), what)
	if allFine {
		// Every member answered: the disagreement is the news.
		res.Summary = views
	} else {
		res.Summary += "; " + views
	}
	res.Evidence = append(res.Evidence, Fact{Name: "view of " + in.seed + " (the server in your URI)", Value: in.table.View()})
	var odd []string
	for n, i := range disagree {
		odd = append(odd, in.members[i].Address)
		if n == maxViewsShown {
			res.Evidence = append(res.Evidence, Fact{Name: "other views", Value: fmt.Sprintf("%d more routers disagree", len(disagree)-n)})
			continue
		}
		if n < maxViewsShown {
			res.Evidence = append(res.Evidence, Fact{Name: "view of " + in.members[i].Address, Value: in.probes[i].view.table.View()})
		}
	}
	res.Hints = append(res.Hints, disagreeHints(s, what, odd, 2*len(disagree) > asked)...)
}

// disagreeHints: the routers whose view differs are cut off from the
// others or just restarted; when most routers disagree with the server
// in the URI, that one is likely the stale one.
func disagreeHints(s say, what routing.Disagreement, odd []string, most bool) []string {
	if l := s.Lookup(generation.DiscoveryEndpoints); l.Aura {
		return []string{fmt.Sprintf("routers disagree about %s (both views under evidence): %s", what, l.Text)}
	}
	first := fmt.Sprintf("restart %s if %s view stays stale: %s cut off from the others or just restarted (both views under evidence)",
		listOrNone(odd), plural(len(odd), "its", "their"), plural(len(odd), "it is", "they are"))
	if most {
		first = "the server in your URI may be the stale one (most routers disagree with it): restart it if its view stays stale (both views under evidence)"
	}
	hints := []string{first,
		fmt.Sprintf("check that a stale router reaches the other members: %s", s.name(generation.DiscoveryEndpoints))}
	look := []string{s.code(generation.ListServers)}
	if c := s.code(generation.ShowDatabases); c != "" {
		look = append(look, c)
	}
	hints = append(hints, "to see which view is current, compare what each router answers to "+strings.Join(look, " and "))
	return hints
}

// pickMembers chooses at most max members to check: first the leading
// members of each role, so that no role goes unchecked, then the rest in
// table order.
func pickMembers(all []routing.Member, max int) []routing.Member {
	if len(all) <= max {
		return all
	}
	picked := make([]bool, len(all))
	n := 0
	perRole := map[string]int{}
	for i, m := range all {
		for _, role := range m.Roles {
			if perRole[role] < max/3 {
				picked[i] = true
				break
			}
		}
		if picked[i] {
			n++
			for _, role := range m.Roles {
				perRole[role]++
			}
		}
	}
	for i := range all {
		if n >= max {
			break
		}
		if !picked[i] {
			picked[i] = true
			n++
		}
	}
	out := make([]routing.Member, 0, max)
	for i, m := range all {
		if picked[i] {
			out = append(out, m)
		}
	}
	return out
}

func without(l, drop []string) []string {
	var out []string
	for _, s := range l {
		if !slices.Contains(drop, s) {
			out = append(out, s)
		}
	}
	return out
}

func firstFailed(rs []Result) *Result {
	for i := range rs {
		if rs[i].Status == Fail {
			return &rs[i]
		}
	}
	return nil
}

// memberRun is the run of the connection steps against host:port as a
// member of r's target: the seed's routing context, server agent and
// resolver (none for a name when the system resolves: the member's own
// lookup then goes through the system, as a driver's does). The caller
// closes it.
func (r *Run) memberRun(host string, port int, env *Env) *Run {
	t := *r.T
	t.Host, t.Port = host, port
	sub := newRun(&t, env)
	sub.member, sub.seed, sub.resolver = true, r.seed, r.Resolver()
	sub.seedAgent = r.agentSoFar()
	if sub.seed == "" {
		sub.seed = r.T.Address()
	}
	if net.ParseIP(host) == nil && r.T.DNSServer == "" {
		sub.resolver = nil
	}
	return sub
}

// checkMember runs the connection steps against one advertised address,
// and for a router asks for its own routing table too. inTable holds every
// address of the seed's table, lower-cased.
func (r *Run) checkMember(ctx context.Context, m routing.Member, inTable map[string]bool) memberProbe {
	out := memberProbe{member: Member{Address: m.Address, Roles: m.Roles}}
	sortRoles(out.member.Roles)
	host, port, err := routing.SplitAddress(m.Address)
	if err != nil {
		out.member.Status = Fail
		out.member.Checks = []Result{normalise(malformedMember(m.Address, say{r.genSoFar()}))}
		return out
	}
	sub := r.memberRun(host, port, r.Env)
	defer sub.Close()
	out.member.run = sub
	list := slices.Clone(r.memberChecks)
	var view routerView
	router := slices.Contains(m.Roles, "ROUTE")
	if router {
		list = append(list, r.routerCheck(&view))
	}
	out.member.Checks = Execute(ctx, sub, list)
	if router && (view.table != nil || view.err != nil) {
		out.view = &view
	}
	r.judgeProbe(ctx, &out, sub, inTable)
	return out
}

// agentSoFar is the server agent of the seed for its members' hints:
// HELLO's once the auth check is done, else (a warm run's members start
// with the seed) the remembered one.
func (r *Run) agentSoFar() string {
	if r.finished("auth") && r.hello != nil && r.hello.Server != "" {
		return r.hello.Server
	}
	return r.rememberedAgent
}

// genSoFar is serverGen for a member started before the seed's login
// answered.
func (r *Run) genSoFar() generation.Server {
	if r.finished("auth") {
		return r.serverGen()
	}
	return generation.Detect(r.T.Host, r.rememberedAgent, bolt.Version{})
}

// viewDatabase is the database a router's own table is asked for: the
// seed's table's, or before it is read (a warm run) the remembered one's.
func (r *Run) viewDatabase() string {
	switch {
	case r.finished("routing") || r.remembered == nil:
		return r.tableDatabase()
	case r.T.Database != "":
		return r.T.Database
	}
	return r.remembered.Database
}

// seedMember is the seed's own entry in its routing table: the server in
// the URI, checked by the run's own steps on the run's own connection,
// which is what a driver's first connection to that address is. A second
// connection would cost the server a LOGON and tell nothing new. Its
// table is the one the routing check read, so as a router it agrees.
func (r *Run) seedMember(ctx context.Context, m routing.Member, inTable map[string]bool) memberProbe {
	out := memberProbe{member: Member{Address: m.Address, Roles: m.Roles, Seed: true}}
	sortRoles(out.member.Roles)
	for _, c := range r.memberChecks {
		if res := r.resultOf(c.ID); res != nil {
			out.member.Checks = append(out.member.Checks, normalise(*res))
		}
	}
	if slices.Contains(m.Roles, "ROUTE") {
		res, view := judgeRouterView(say{r.serverGen()}, r.table, r.table, r.tableMethod, nil)
		res.ID, res.Title = "routing", "routing table"
		res.Summary = "the server in your URI: its table is the routing check's"
		if own := r.resultOf("routing"); own != nil {
			res.Duration = own.Duration
		}
		out.member.Checks = append(out.member.Checks, normalise(res))
		out.view = &view
	}
	r.judgeProbe(ctx, &out, r, inTable)
	return out
}

// judgeProbe gives a member its status from its checks, and says why the
// address the member advertises for itself (LOGON, 5.8+) leads elsewhere
// than where run reached it, if it does.
func (r *Run) judgeProbe(ctx context.Context, out *memberProbe, run *Run, inTable map[string]bool) {
	out.member.Status = Pass
	authed := false
	for _, c := range out.member.Checks {
		switch c.Status {
		case Fail:
			out.member.Status = Fail
		case Warn:
			if out.member.Status == Pass {
				out.member.Status = Warn
			}
		}
		if c.ID == "auth" && (c.Status == Pass || c.Status == Warn) {
			authed = true
		}
	}
	if !authed || run.hello == nil {
		return
	}
	switch self := run.hello.AdvertisedAddress; {
	case self == "" || strings.EqualFold(self, out.member.Address):
	case inTable[strings.ToLower(self)]:
		// Two entries of the table lead to one server: this one's
		// name or port points at another member.
		out.mismatch.why = fmt.Sprintf("this address leads to %s, the server that advertises itself as %s, another member of the table: the DNS record or the port of %s points at the wrong server", run.s.connAddr, self, out.member.Address)
	default:
		out.mismatch = selfMismatch(ctx, run.Resolver(), self, run.s.connAddr, run.T.Timeout)
	}
}

// routerCheck is the member check that asks a router for its own table
// (for the database the seed's table is for) and compares it with the
// seed's. The ROUTE goes with the login, so the router's view costs no
// round trip. It writes what it found into v for the members check.
func (r *Run) routerCheck(v *routerView) Check {
	db := r.viewDatabase()
	ride := func(f Flight) []bolt.Request {
		if !supportsRoute(f.Version) {
			return nil
		}
		return []bolt.Request{bolt.Route(bolt.RouteRequest{Context: f.Routing, Database: db})}
	}
	return Check{ID: "routing", Title: "routing table", Needs: []string{"auth"}, Ride: ride, Run: func(ctx context.Context, sub *Run) Result {
		t, method, err := sub.fetchTable(ctx, r.routingContext(), db)
		// On a warm run the router answered alongside the seed: its view
		// is compared once the seed's table is read.
		if werr := r.await(ctx, "routing"); werr != nil {
			return Result{Status: Fail, Err: werr, Summary: "the seed's routing table did not arrive in time"}
		}
		if r.table == nil {
			return Result{Status: Skip, Summary: "the server in your URI gave no routing table to compare with"}
		}
		var res Result
		res, *v = judgeRouterView(say{r.serverGen()}, r.table, t, method, err)
		return res
	}}
}

// malformedMember is the one result of a member whose advertised address
// is not host:port: nothing can dial it.
func malformedMember(addr string, s say) Result {
	fix := "on that server set " + s.set(generation.BoltAdvertisedAddress, "<name clients resolve>:<port>")
	if l := s.Lookup(generation.BoltAdvertisedAddress); l.Aura {
		fix = l.Text
	}
	return Result{ID: "config", Status: Fail, Code: "members.malformed_address",
		Summary: fmt.Sprintf("%q is not a host:port address", addr),
		Hints:   []string{fmt.Sprintf("the routing table lists %q, which drivers cannot dial: %s", addr, fix)}}
}

// judgeRouterView compares the table a router gave (or the error it gave
// instead), fetched with method, with seed, the table of the server in
// the URI. The two views are the members check's evidence, once.
func judgeRouterView(s say, seed, t *routing.Table, method string, err error) (Result, routerView) {
	var v routerView
	res := Result{Facts: []Fact{{Name: "fetched with", Value: method, Verbose: true}}}
	if err != nil {
		v.err = err
		res.Status, res.Code = Warn, "routing.router_no_table"
		res.Summary = "this router gives no routing table"
		if se := res.noteError(err); se != nil {
			res.Summary += ": " + se.Code
		}
		res.Hints = append(res.Hints, "drivers that ask this router for a table get this error and try the next router: "+readLogs(s, "on this server: they say why"))
		return res, v
	}
	v.table = t
	v.diff = routing.Compare(seed, t)
	res.Facts = append(res.Facts, Fact{Name: "writers", Value: listOrNone(t.Writers)}, Fact{Name: "members", Value: strconv.Itoa(len(t.Members()))})
	if !v.diff.Any() {
		res.Status = Pass
		res.Summary = "same writer and members as the server in your URI"
		return res, v
	}
	res.Status, res.Code = Warn, "routing.router_disagrees"
	res.Summary = "disagrees with the server in your URI about " + v.diff.String()
	if v.diff.Writers {
		res.Summary += fmt.Sprintf(": it names writer %s, the server in your URI %s", listOrNone(t.Writers), listOrNone(seed.Writers))
	}
	res.Facts = append(res.Facts, Fact{Name: "this router's view", Value: t.View(), Verbose: true})
	return res, v
}

// selfMismatch says why self, the address a server advertises for itself,
// does not lead back to answered, the IP:port where it answered; "" when
// it does (or when that cannot be told).
func selfMismatch(ctx context.Context, resolver *net.Resolver, self, answered string, timeout time.Duration) elsewhere {
	host, port, err := routing.SplitAddress(self)
	if err != nil {
		return elsewhere{} // a malformed address is the routing table's problem
	}
	aHost, aPort, err := net.SplitHostPort(answered)
	if err != nil {
		return elsewhere{}
	}
	aIP := net.ParseIP(aHost)
	if aIP == nil {
		return elsewhere{}
	}
	var ips []net.IP
	switch ip := net.ParseIP(host); {
	case ip != nil:
		ips = []net.IP{ip}
	case routing.Loopback(host):
		ips = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	default:
		lctx, cancel := context.WithTimeout(ctx, timeout)
		addrs, err := resolver.LookupIPAddr(lctx, host)
		cancel()
		if err != nil {
			// A name that does not resolve fails the member that carries
			// it in the table, which says so; a slow resolver proves nothing.
			return elsewhere{}
		}
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
	}
	if strconv.Itoa(port) != aPort {
		return elsewhere{why: fmt.Sprintf("the server that answered at %s advertises itself as %s: port %d, not %s, so a port mapping or proxy sits in between", answered, self, port, aPort),
			advertised: strconv.Itoa(port), answered: aPort}
	}
	for _, ip := range ips {
		if ip.Equal(aIP) || ip.IsLoopback() && aIP.IsLoopback() && routing.Loopback(host) {
			return elsewhere{}
		}
	}
	strs := make([]string, len(ips))
	for i, ip := range ips {
		strs[i] = ip.String()
	}
	return elsewhere{why: fmt.Sprintf("the server that answered at %s advertises itself as %s, which resolves here to %s: drivers following the routing table go elsewhere", answered, self, strings.Join(strs, ", "))}
}

// sortRoles orders roles as people read them.
func sortRoles(roles []string) {
	order := map[string]int{"WRITE": 0, "READ": 1, "ROUTE": 2}
	sort.Slice(roles, func(i, j int) bool { return order[roles[i]] < order[roles[j]] })
}

// unchecked is a member the step's time budget did not reach or cut short.
func unchecked(m routing.Member) memberProbe {
	p := memberProbe{member: Member{Address: m.Address, Roles: m.Roles, Status: Skip, Checks: []Result{}}}
	sortRoles(p.member.Roles)
	return p
}

// cutShort reports whether a member's checks failed only because the
// budget ran out.
func cutShort(m Member) bool {
	for _, c := range m.Checks {
		if c.Status == Fail && c.Code == CodeInterrupted {
			return true
		}
	}
	return false
}

// membersMayComeUp is --wait's rule for the members check: at least one
// member failed, and every failed member failed in a way that waiting may
// fix, on an address that could be right (a member advertising localhost
// to remote clients stays broken).
func membersMayComeUp(_ Result, rep *Report) bool {
	failed := 0
	for _, m := range rep.Members {
		if m.Status != Fail {
			continue
		}
		failed++
		host, _, err := routing.SplitAddress(m.Address)
		if err != nil || routing.Suspect(host, rep.Target.Host) != "" {
			return false
		}
		for _, c := range m.Checks {
			if c.Status == Fail && !waitable(c, rep) {
				return false
			}
		}
	}
	return failed > 0
}
