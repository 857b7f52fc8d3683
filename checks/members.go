package checks

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"

	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

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

func checkMembers(ctx context.Context, r *Run) Result {
	if !r.T.Routing {
		return Result{Status: Skip, Summary: r.T.Scheme + ":// connects directly; cluster members are not used"}
	}
	members := r.table.Members()
	r.members = make([]Member, len(members))
	sem := make(chan struct{}, r.Env.MemberConcurrency)
	var wg sync.WaitGroup
	for i, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r.members[i] = r.checkMember(ctx, m)
		}()
	}
	wg.Wait()

	res := Result{}
	bolt, defAddr := routing.Settings(r.hello.Server)
	var dead, suspects []string
	failedSteps := map[string]bool{}
	for i, m := range members {
		mem := r.members[i]
		host, _, _ := routing.SplitAddress(m.Address)
		why := routing.Suspect(host, r.T.Host)
		if why != "" {
			res.Evidence = append(res.Evidence, Fact{m.Address, why})
		}
		if mem.Status == Fail {
			dead = append(dead, m.Address)
			if failed := firstFailed(mem.Checks); failed != nil {
				failedSteps[failed.ID] = true
				res.Evidence = append(res.Evidence, Fact{m.Address, failed.ID + ": " + failed.Summary})
				if failed.ID == "dns" && why == "" {
					why = "its name does not resolve from here"
				}
			}
		}
		if why != "" {
			suspects = append(suspects, m.Address)
		}
	}
	live := map[string]bool{}
	roles := map[string]bool{}
	for i, m := range members {
		for _, role := range m.Roles {
			roles[role] = true
			if r.members[i].Status != Fail {
				live[role] = true
			}
		}
	}
	var lost []string
	for _, role := range []string{"WRITE", "READ", "ROUTE"} {
		if roles[role] && !live[role] {
			lost = append(lost, role)
		}
	}
	res.Facts = append(res.Facts, Fact{"members", fmt.Sprintf("%d checked, %d reachable", len(members), len(members)-len(dead))})
	switch {
	case len(dead) == 0:
		res.Status = Pass
		res.Summary = fmt.Sprintf("all %d members reachable and authenticated", len(members))
		if len(members) == 1 {
			res.Summary = "the only member is reachable and authenticated"
		}
		if len(suspects) > 0 {
			res.Summary = fmt.Sprintf("%d of %d members advertise an address other clients cannot use", len(suspects), len(members))
		}
	case len(lost) > 0:
		res.Status = Fail
		res.Summary = fmt.Sprintf("%d of %d members failed; no working %s member", len(dead), len(members), strings.Join(lost, " or "))
	default:
		res.Status = Warn
		res.Summary = fmt.Sprintf("%d of %d members failed (%s); every role still has a working member", len(dead), len(members), strings.Join(dead, ", "))
	}
	if len(suspects) > 0 {
		if res.Status == Pass {
			res.Status = Warn
		}
		res.Hints = append(res.Hints,
			fmt.Sprintf("members advertise addresses clients cannot use (%s): on each such server set %s=<name clients resolve>:<port> (or %s=<name>)", strings.Join(suspects, ", "), bolt, defAddr),
			fmt.Sprintf("stop-gap: bolt://%s connects to that one server and bypasses the routing table", r.T.Address()))
	} else if len(dead) > 0 {
		if failedSteps["dns"] || failedSteps["tcp"] || failedSteps["bolt"] {
			res.Hints = append(res.Hints, fmt.Sprintf("start the unreachable members or remove them from the cluster (SHOW SERVERS; DEALLOCATE/DROP SERVER); check %s on each", bolt))
		}
		if failedSteps["tls"] || failedSteps["auth"] {
			res.Hints = append(res.Hints, "some members answer but fail TLS or authentication: see each failing member's own check below for its fix (every member needs a certificate for its advertised name, and the same users)")
		}
	}
	return res
}

func firstFailed(rs []Result) *Result {
	for i := range rs {
		if rs[i].Status == Fail {
			return &rs[i]
		}
	}
	return nil
}

// checkMember runs the connection steps against one advertised address.
func (r *Run) checkMember(ctx context.Context, m routing.Member) Member {
	out := Member{Address: m.Address, Roles: m.Roles}
	sortRoles(out.Roles)
	host, port, err := routing.SplitAddress(m.Address)
	if err != nil {
		out.Status = Fail
		out.Checks = []Result{normalise(Result{ID: "config", Status: Fail, Summary: "not a host:port address"})}
		return out
	}
	t := *r.T
	t.Host, t.Port = host, port
	sub := &Run{T: &t, Env: r.Env, member: true, resolver: r.resolver}
	if net.ParseIP(host) == nil && r.T.DNSServer == "" {
		sub.resolver = nil
	}
	defer sub.Close()
	out.Checks = Execute(ctx, sub, memberChecks())
	out.Status = Pass
	for _, c := range out.Checks {
		switch c.Status {
		case Fail:
			out.Status = Fail
		case Warn:
			if out.Status == Pass {
				out.Status = Warn
			}
		}
	}
	return out
}

// sortRoles orders roles as people read them.
func sortRoles(roles []string) {
	order := map[string]int{"WRITE": 0, "READ": 1, "ROUTE": 2}
	sort.Slice(roles, func(i, j int) bool { return order[roles[i]] < order[roles[j]] })
}
