package checks

import (
	"context"
	"strings"
)

// Checks is the diagnosis, in the order a driver meets each step.
func Checks() []Check {
	return []Check{
		{ID: "config", Title: "configuration", Run: checkConfig},
		{ID: "dns", Title: "name resolution", Needs: []string{"config"}, Run: checkDNS},
		{ID: "tcp", Title: "TCP connection", Needs: []string{"dns"}, Run: checkTCP},
		{ID: "tls", Title: "TLS", Needs: []string{"tcp"}, Run: checkTLS},
		{ID: "bolt", Title: "Bolt handshake", Needs: []string{"tls"}, Run: checkBolt},
		{ID: "version", Title: "versions", Needs: []string{"bolt"}, After: []string{"auth"}, Run: checkVersion},
		{ID: "auth", Title: "authentication", Needs: []string{"bolt"}, Run: checkAuth},
		{ID: "routing", Title: "routing table", Needs: []string{"auth"}, Run: checkRouting},
		{ID: "members", Title: "cluster members", Needs: []string{"routing"}, Run: checkMembers},
		{ID: "query", Title: "query", Needs: []string{"auth", "routing"}, Run: checkQuery},
	}
}

// Options are the run-wide choices that are not part of the target.
type Options struct {
	Strict bool // warnings fail
	// Only names the checks to run (--checks), nil for all. The checks
	// they need run too: a check cannot run without them.
	Only []string
	// Skip names checks to leave out (--skip). Checks that need a
	// left-out check are left out with it, for the same reason.
	Skip []string
}

// Diagnose runs the checks opts selects against t and returns the report.
// Checks left out are in the report as skipped, saying why. Unknown ids in
// Only or Skip are ignored here; the CLI rejects them first (see
// LeftOut).
func Diagnose(ctx context.Context, t *Target, env *Env, opts Options) *Report {
	env = env.withDefaults()
	r := &Run{T: t, Env: env}
	defer r.Close()
	start := env.Now()
	list := Checks()
	if left, err := LeftOut(opts.Only, opts.Skip); err == nil {
		r.leftOut = left
		for i, c := range list {
			if why, ok := left[c.ID]; ok {
				list[i].Run = func(context.Context, *Run) Result {
					return Result{Status: Skip, Summary: "skipped: " + why}
				}
			}
		}
	}
	results := Execute(ctx, r, list)
	rep := &Report{
		Target:   t.Info,
		Started:  start,
		Duration: env.Now().Sub(start),
		Checks:   results,
		Members:  r.members,
	}
	if rep.Members == nil {
		rep.Members = []Member{}
	}
	rep.Verdict, rep.ExitCode = verdict(results, r.noResponse, opts.Strict)
	rep.Artifacts = r.Artifacts()
	return rep
}

// verdict applies the exit-code contract.
func verdict(results []Result, noResponse, strict bool) (Status, int) {
	v := Pass
	for _, res := range results {
		switch res.Status {
		case Fail:
			v = Fail
		case Warn:
			if v == Pass {
				v = Warn
			}
		}
	}
	switch {
	case v == Fail:
		for _, res := range results {
			if res.Status == Fail && (res.ID == "dns" || res.ID == "tcp") {
				return v, ExitNoResponse
			}
		}
		if noResponse {
			return v, ExitNoResponse
		}
		return v, ExitFailed
	case v == Warn && strict:
		return v, ExitFailed
	}
	return v, ExitHealthy
}

// LeftOut applies --checks (only) and --skip to the list of checks and
// returns, for each check that will not run, why. A check named by only
// brings the checks it needs; a skipped check takes the checks that need
// it along, because they would have nothing to work on (skipping query
// leaves the rest alone; skipping bolt leaves out everything after it).
// An unknown id is an *InputError naming the valid ones.
func LeftOut(only, skip []string) (map[string]string, error) {
	list := Checks()
	byID := make(map[string]Check, len(list))
	var ids []string
	for _, c := range list {
		byID[c.ID] = c
		ids = append(ids, c.ID)
	}
	for _, set := range []struct {
		flag string
		ids  []string
	}{{"--checks", only}, {"--skip", skip}} {
		for _, id := range set.ids {
			if _, ok := byID[id]; !ok {
				return nil, inputErr("the checks are "+strings.Join(ids, ", ")+" (neo4j-doctor --list-checks describes them)",
					"%s: no check is called %q", set.flag, id)
			}
		}
	}
	left := map[string]string{}
	if len(only) > 0 {
		wanted := map[string]bool{}
		var want func(id string)
		want = func(id string) {
			if wanted[id] {
				return
			}
			wanted[id] = true
			for _, dep := range byID[id].Needs {
				want(dep)
			}
		}
		for _, id := range only {
			want(id)
		}
		for _, id := range ids {
			if !wanted[id] {
				left[id] = "not selected by --checks"
			}
		}
	}
	skipped := map[string]bool{}
	for _, id := range skip {
		skipped[id] = true
	}
	// Checks() is in dependency order, so one pass sees every need before
	// the checks that need it.
	for _, c := range list {
		if skipped[c.ID] {
			left[c.ID] = "left out by --skip"
			continue
		}
		if _, out := left[c.ID]; out {
			continue
		}
		for _, dep := range c.Needs {
			if skipped[dep] || left[dep] != "" {
				left[c.ID] = "needs " + dep + ", which was left out"
				break
			}
		}
	}
	return left, nil
}

// CheckDoc describes one check for --list-checks and the README.
type CheckDoc struct {
	ID    string
	Title string
	Needs []string // checks that must pass first, else this one is skipped
	Doc   string   // what it checks, one line
}

// checkDocs are kept beside Checks so a new check gets its line here.
var checkDocs = map[string]string{
	"config":  "the URI and what its scheme means (routing or direct, TLS or not); credentials present; an Aura instance recognised",
	"dns":     "the host name resolves (system resolver or --dns-server); NXDOMAIN, SERVFAIL and timeouts told apart",
	"tcp":     "every resolved address accepts a TCP connection; refused, timed out and unreachable told apart",
	"tls":     "+s and +ssc only: TLS version, the certificate chain, names and expiry, and the cause of a failure",
	"bolt":    "the Bolt handshake, and what the peer is when it is not Bolt",
	"version": "the negotiated Bolt version, the versions the server offers, the server's release",
	"auth":    "HELLO/LOGON with the credentials: wrong password, rate limit, expired token or password",
	"routing": "the routing table has routers, readers and writers (neo4j://); on bolt://, whether the server is a cluster member whose routing is bypassed",
	"members": "neo4j:// only: every advertised member is reachable the way a driver reaches it",
	"query":   "RETURN 1 in read mode, and the server's edition",
}

// CheckDocs lists every check in run order with what it needs and does.
func CheckDocs() []CheckDoc {
	var out []CheckDoc
	for _, c := range Checks() {
		out = append(out, CheckDoc{ID: c.ID, Title: c.Title, Needs: c.Needs, Doc: checkDocs[c.ID]})
	}
	return out
}
