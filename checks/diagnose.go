package checks

import (
	"context"
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
}

// Diagnose runs every check against t and returns the report.
func Diagnose(ctx context.Context, t *Target, env *Env, opts Options) *Report {
	env = env.withDefaults()
	r := &Run{T: t, Env: env}
	defer r.Close()
	start := env.Now()
	results := Execute(ctx, r, Checks())
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
