package checks

import (
	"context"
	"time"
)

// Options are the run-wide choices that are not part of the target.
type Options struct {
	Strict bool // warnings fail
	// Only names the checks to run (--checks), nil for all. The checks
	// they need run too: a check cannot run without them.
	Only []string
	// Skip names checks to leave out (--skip). Checks that need a
	// left-out check are left out with it, for the same reason.
	Skip []string
	// IdleProgress, when set, hears from the idle check while it waits
	// (--idle-probe can take an hour): once its connections are open,
	// every IdleProgressEvery (default DefaultIdleProgressEvery) and as
	// each idle time is up. It is called from one goroutine at a time and
	// must not block; checks never print, the CLI renders it.
	IdleProgress      func(IdleProgress)
	IdleProgressEvery time.Duration
}

// Diagnose runs the checks opts selects against t and returns the report.
// Checks left out are in the report as skipped, saying why; a check t did
// not opt in to (Check.OptIn) is not in it at all. Unknown ids in
// Only or Skip are ignored here; the CLI rejects them first (see
// LeftOut).
func Diagnose(ctx context.Context, t *Target, env *Env, opts Options) *Report {
	env = env.withDefaults()
	r := newRun(t, env)
	r.progress, r.progressEvery = opts.IdleProgress, opts.IdleProgressEvery
	defer r.Close()
	start := env.Now()
	if left, err := leftOut(Checks(), opts.Only, opts.Skip); err == nil {
		r.leftOut = left
	}
	list := RunChecks(t)
	for _, c := range list {
		if c.Member {
			r.memberChecks = append(r.memberChecks, c)
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
	rep.Table = r.table
	rep.Access = r.access
	rep.Idle = r.idle
	rep.TrustStores = r.trustStores
	if rep.Table == nil {
		rep.Table = r.directTable
	}
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
