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

	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

// maxViewsShown bounds how many disagreeing routers' views the evidence
// shows; the rest are counted.
const maxViewsShown = 5

// MaxMembersChecked bounds the members check: a real cluster advertises
// tens of members, and a table of a thousand is broken or hostile, where a
// sample of every role says as much as all of it, in a fraction of the time.
const MaxMembersChecked = 256

// memberChecks are the steps each advertised member gets: the way a driver
// reaches it, with the member's own host name for DNS and TLS.
func memberChecks() []Check {
	var out []Check
	for _, c := range Checks() {
		switch c.ID {
		case "dns", "tcp", "tls", "bolt", "auth":
			out = append(out, c)
		}
	}
	return out
}

// memberProbe is what checking one member found, beyond its report.
type memberProbe struct {
	member Member
	// mismatch says why the member's own advertised address (LOGON,
	// 5.8+) leads somewhere else than where it answered; "" when it does not.
	mismatch string
	view     *routerView // nil unless the member is a router that was asked
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
		return Result{Status: Skip, Summary: r.T.Scheme + ":// connects directly; cluster members are not used"}
	}
	all := r.table.Members()
	inTable := make(map[string]bool, len(all))
	for _, m := range all {
		inTable[strings.ToLower(m.Address)] = true
	}
	members := pickMembers(all, MaxMembersChecked)
	probes := make([]memberProbe, len(members))
	sem := make(chan struct{}, r.Env.MemberConcurrency)
	// One budget for the whole step, so members that all stall cost
	// 2 × --timeout, not (members / concurrency) × --timeout; a member the
	// budget cut short is reported as not checked, not as dead.
	budget := 2 * r.T.Timeout
	mctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	var wg sync.WaitGroup
	for i, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-mctx.Done():
				probes[i] = unchecked(m)
				return
			}
			defer func() { <-sem }()
			probes[i] = r.checkMember(mctx, m, inTable)
			if mctx.Err() != nil && ctx.Err() == nil && cutShort(probes[i].member) {
				probes[i] = unchecked(m)
			}
		}()
	}
	// The seed's own advertised address is checked alongside: the server
	// that answered may call itself by a name that leads elsewhere.
	seedSelf := r.hello.AdvertisedAddress
	var seedMismatch string
	if seedSelf != "" && !strings.EqualFold(seedSelf, r.T.Address()) {
		resolver := r.lookupResolver()
		wg.Add(1)
		go func() {
			defer wg.Done()
			seedMismatch = selfMismatch(ctx, resolver, seedSelf, r.connAddr, r.T.Timeout)
		}()
	}
	wg.Wait()
	r.members = make([]Member, len(probes))
	for i, p := range probes {
		r.members[i] = p.member
	}

	res := Result{}
	boltSetting, defAddr := routing.Settings(r.hello.Server)
	answeredIP, _, _ := net.SplitHostPort(r.connAddr)
	var dead, suspects, elsewhere, notChecked []string
	failedSteps := map[string]bool{}
	if seedMismatch != "" {
		res.Evidence = append(res.Evidence, Fact{seedSelf, seedMismatch})
		suspects = append(suspects, seedSelf)
		elsewhere = append(elsewhere, seedSelf)
	}
	for i, m := range members {
		p := probes[i]
		host, _, _ := routing.SplitAddress(m.Address)
		why := routing.SuspectAt(host, r.T.Host, answeredIP)
		if why != "" {
			res.Evidence = append(res.Evidence, Fact{m.Address, why})
		}
		if p.mismatch != "" {
			res.Evidence = append(res.Evidence, Fact{m.Address, p.mismatch})
			if !slices.Contains(elsewhere, m.Address) {
				elsewhere = append(elsewhere, m.Address)
			}
			if why == "" {
				why = p.mismatch
			}
		}
		if p.member.Status == Skip {
			notChecked = append(notChecked, m.Address)
			continue
		}
		if p.member.Status == Fail {
			dead = append(dead, m.Address)
			if failed := firstFailed(p.member.Checks); failed != nil {
				failedSteps[failed.ID] = true
				res.Evidence = append(res.Evidence, Fact{m.Address, failed.ID + ": " + failed.Summary})
				if failed.ID == "dns" && why == "" {
					why = "its name does not resolve from here"
				}
			}
		}
		if why != "" && !slices.Contains(suspects, m.Address) {
			suspects = append(suspects, m.Address)
		}
	}

	total, live := map[string]int{}, map[string]int{}
	for i, m := range members {
		for _, role := range m.Roles {
			total[role]++
			if st := probes[i].member.Status; st != Fail && st != Skip {
				live[role]++
			}
		}
	}
	advertised := map[string]int{}
	for _, m := range all {
		for _, role := range m.Roles {
			advertised[role]++
		}
	}
	var lost []string
	checked := fmt.Sprintf("%d checked, %d reachable", len(members)-len(notChecked), len(members)-len(dead)-len(notChecked))
	if len(all) > len(members) {
		checked = fmt.Sprintf("%d advertised, %d checked (at most %d are), %d reachable", len(all), len(members), MaxMembersChecked, len(members)-len(dead))
	}
	res.Facts = append(res.Facts, Fact{"members", checked})
	noun := "members"
	if len(all) > len(members) {
		noun = "checked members"
	}
	for _, role := range []struct{ role, name string }{{"WRITE", "writers"}, {"READ", "readers"}, {"ROUTE", "routers"}} {
		if total[role.role] == 0 {
			continue
		}
		f := fmt.Sprintf("%d of %d reachable", live[role.role], total[role.role])
		if n := advertised[role.role] - total[role.role]; n > 0 {
			f += fmt.Sprintf("; %d more not checked", n)
		}
		res.Facts = append(res.Facts, Fact{role.name, f})
		if live[role.role] == 0 {
			lost = append(lost, role.role)
		}
	}

	switch {
	case len(lost) > 0:
		res.Status = Fail
		what := "failed"
		if len(notChecked) > 0 {
			what = "failed or did not answer in time"
		}
		res.Summary = fmt.Sprintf("%d of %d %s %s; no working %s member", len(dead)+len(notChecked), len(members), noun, what, strings.Join(lost, " or "))
	case len(dead) == 0:
		res.Status = Pass
		res.Summary = fmt.Sprintf("all %d members reachable and authenticated", len(members))
		if len(members) == 1 {
			res.Summary = "the only member is reachable and authenticated"
		}
		if len(suspects) > 0 {
			res.Summary = fmt.Sprintf("%d of %d members advertise an address other clients cannot use", len(suspects), len(members))
		}
	default:
		res.Status = Warn
		res.Summary = fmt.Sprintf("%d of %d %s failed (%s); every role still has a working member", len(dead), len(members), noun, listOrNone(dead))
	}
	if len(notChecked) > 0 {
		worsen(&res, Warn)
		res.Facts = append(res.Facts, Fact{"not checked in time", fmt.Sprintf("%d (%s)", len(notChecked), listOrNone(notChecked))})
		if len(dead) == 0 && len(lost) == 0 {
			res.Summary = fmt.Sprintf("%d of %d members did not finish their checks within %s (2 × --timeout)", len(notChecked), len(members), budget)
		}
		res.Hints = append(res.Hints, fmt.Sprintf("%d members did not answer within the members step's budget of %s: they are slow or stalled; check one directly with bolt://<member address>, or raise --timeout", len(notChecked), budget))
	}
	if len(suspects) > 0 {
		worsen(&res, Warn)
		if len(elsewhere) > 0 {
			res.Hints = append(res.Hints,
				fmt.Sprintf("advertised addresses lead to another address than the server that answered (%s): fix the DNS record so the name points at that server, or behind NAT or a port mapping (docker run -p 17687:7687) set %s=<the host clients use>:<the port clients use>", strings.Join(elsewhere, ", "), boltSetting))
		}
		if others := without(suspects, elsewhere); len(others) > 0 {
			res.Hints = append(res.Hints,
				fmt.Sprintf("members advertise addresses clients cannot use (%s): on each such server set %s=<name clients resolve>:<port> (or %s=<name>)", strings.Join(others, ", "), boltSetting, defAddr))
		}
		res.Hints = append(res.Hints,
			fmt.Sprintf("stop-gap: bolt://%s connects to that one server and bypasses the routing table", r.T.Address()))
	} else if len(dead) > 0 {
		if failedSteps["dns"] || failedSteps["tcp"] || failedSteps["bolt"] {
			res.Hints = append(res.Hints, fmt.Sprintf("start the unreachable members or remove them from the cluster (SHOW SERVERS; DEALLOCATE/DROP SERVER); check %s on each", boltSetting))
		}
		if failedSteps["tls"] || failedSteps["auth"] {
			res.Hints = append(res.Hints, "some members answer but fail TLS or authentication: see each failing member's own check below for its fix (every member needs a certificate for its advertised name, and the same users)")
		}
	}
	r.judgeViews(&res, members, probes)
	return res
}

// judgeViews compares every live router's own table with the seed's:
// drivers refresh their table from any router, so a router with another
// view of the writer or the members sends some clients elsewhere.
func (r *Run) judgeViews(res *Result, members []routing.Member, probes []memberProbe) {
	var asked, broken int
	var disagree []int
	var what routing.Disagreement
	for i, p := range probes {
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
	fact := fmt.Sprintf("%d asked, all agree with the seed", asked)
	switch {
	case asked == 0:
		fact = fmt.Sprintf("%d asked, none gave a table", broken)
	case len(disagree) > 0:
		fact = fmt.Sprintf("%d asked, %d disagree about %s", asked, len(disagree), what)
	}
	if broken > 0 && asked > 0 {
		fact += fmt.Sprintf("; %d gave no table", broken)
	}
	res.Facts = append(res.Facts, Fact{"router views", fact})
	if broken > 0 {
		worsen(res, Warn)
		res.Hints = append(res.Hints, "some routers give no routing table (see their own routing check below): drivers that ask them get an error and try the next router; read their debug.log")
	}
	if len(disagree) == 0 {
		return
	}
	worsen(res, Warn)
	res.Summary += fmt.Sprintf("; %d of %d routers disagree about %s", len(disagree), asked, what)
	res.Evidence = append(res.Evidence, Fact{"view of the seed " + r.T.Address(), r.table.View()})
	for n, i := range disagree {
		if n == maxViewsShown {
			res.Evidence = append(res.Evidence, Fact{"other views", fmt.Sprintf("%d more routers disagree", len(disagree)-n)})
			break
		}
		res.Evidence = append(res.Evidence, Fact{"view of " + members[i].Address, probes[i].view.table.View()})
	}
	res.Hints = append(res.Hints, fmt.Sprintf("routers disagree about %s (both views under evidence): a router with a stale view (partitioned from the others, or just restarted) sends drivers to the wrong server; run SHOW SERVERS and SHOW DATABASES on each, check %s, and restart the odd one out", what, routing.Discovery(r.hello.Server)))
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

// lookupResolver is the run's resolver without writing the run's state:
// the query check runs at the same time as the members check.
func (r *Run) lookupResolver() *net.Resolver {
	if r.resolver != nil {
		return r.resolver
	}
	return (&Run{T: r.T, Env: r.Env}).Resolver()
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
		out.member.Checks = []Result{normalise(Result{ID: "config", Status: Fail, Summary: "not a host:port address"})}
		return out
	}
	t := *r.T
	if t.seed == "" {
		t.seed = r.T.Address()
	}
	t.Host, t.Port = host, port
	t.versions, t.stopListing, t.listingDone = nil, nil, nil // the seed's
	sub := &Run{T: &t, Env: r.Env, member: true, resolver: r.resolver}
	if net.ParseIP(host) == nil && r.T.DNSServer == "" {
		sub.resolver = nil
	}
	defer sub.Close()
	out.member.run = sub
	list := memberChecks()
	var view routerView
	router := slices.Contains(m.Roles, "ROUTE")
	if router {
		// Asked for with HELLO, so the router's view costs no round trip.
		t.routerView, t.routerViewDB = true, r.tableDatabase()
		list = append(list, r.routerCheck(&view))
	}
	out.member.Checks = Execute(ctx, sub, list)
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
	if router && (view.table != nil || view.err != nil) {
		out.view = &view
	}
	if authed && sub.hello != nil {
		switch self := sub.hello.AdvertisedAddress; {
		case self == "" || strings.EqualFold(self, m.Address):
		case inTable[strings.ToLower(self)]:
			// Two entries of the table lead to one server: this one's
			// name or port points at another member.
			out.mismatch = fmt.Sprintf("this address leads to %s, the server that advertises itself as %s, another member of the table: the DNS record or the port of %s points at the wrong server", sub.connAddr, self, m.Address)
		default:
			out.mismatch = selfMismatch(ctx, sub.Resolver(), self, sub.connAddr, t.Timeout)
		}
	}
	return out
}

// routerCheck is the member check that asks a router for its own table
// (for the database the seed's table is for) and compares it with the
// seed's. It writes what it found into v for the members check.
func (r *Run) routerCheck(v *routerView) Check {
	return Check{ID: "routing", Title: "routing table", Needs: []string{"auth"}, Run: func(ctx context.Context, sub *Run) Result {
		ctx, cancel := context.WithTimeout(ctx, sub.T.Timeout)
		defer cancel()
		t, method, err := sub.fetchTable(ctx, r.T.routingContext(), r.tableDatabase())
		res := Result{Facts: []Fact{{"fetched with", method}}}
		if err != nil {
			v.err = err
			res.Status = Warn
			res.Summary = "this router gives no routing table"
			if se := res.noteError(err); se != nil {
				res.Summary += ": " + se.Code
			}
			res.Hints = append(res.Hints, "drivers that ask this router for a table get this error and try the next router: read this server's debug.log")
			return res
		}
		v.table = t
		v.diff = routing.Compare(r.table, t)
		res.Facts = append(res.Facts, Fact{"writers", listOrNone(t.Writers)}, Fact{"members", strconv.Itoa(len(t.Members()))})
		if !v.diff.Any() {
			res.Status = Pass
			res.Summary = "same writer and members as the seed's table"
			return res
		}
		res.Status = Warn
		res.Summary = "disagrees with the seed about " + v.diff.String()
		if v.diff.Writers {
			res.Summary += fmt.Sprintf(": writer %s, the seed says %s", listOrNone(t.Writers), listOrNone(r.table.Writers))
		}
		res.Evidence = append(res.Evidence, Fact{"this router's view", t.View()}, Fact{"the seed's view", r.table.View()})
		return res
	}}
}

// selfMismatch says why self, the address a server advertises for itself,
// does not lead back to answered, the IP:port where it answered; "" when
// it does (or when that cannot be told).
func selfMismatch(ctx context.Context, resolver *net.Resolver, self, answered string, timeout time.Duration) string {
	host, port, err := routing.SplitAddress(self)
	if err != nil {
		return "" // a malformed address is the routing table's problem
	}
	aHost, aPort, err := net.SplitHostPort(answered)
	if err != nil {
		return ""
	}
	aIP := net.ParseIP(aHost)
	if aIP == nil {
		return ""
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
			return ""
		}
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
	}
	if strconv.Itoa(port) != aPort {
		return fmt.Sprintf("the server that answered at %s advertises itself as %s: port %d, not %s, so a port mapping or proxy sits in between", answered, self, port, aPort)
	}
	for _, ip := range ips {
		if ip.Equal(aIP) || ip.IsLoopback() && aIP.IsLoopback() && routing.Loopback(host) {
			return ""
		}
	}
	strs := make([]string, len(ips))
	for i, ip := range ips {
		strs[i] = ip.String()
	}
	return fmt.Sprintf("the server that answered at %s advertises itself as %s, which resolves here to %s: drivers following the routing table go elsewhere", answered, self, strings.Join(strs, ", "))
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
// budget ran out (the runner words such failures "interrupted before").
func cutShort(m Member) bool {
	for _, c := range m.Checks {
		if c.Status == Fail && strings.HasPrefix(c.Summary, "interrupted before") {
			return true
		}
	}
	return false
}
