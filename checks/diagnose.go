package checks

import (
	"context"
	"slices"
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
	env.wire = &wireCount{}
	env.Dial = env.wire.counting(env.Dial)
	r := newRun(t, env)
	r.progress, r.progressEvery = opts.IdleProgress, opts.IdleProgressEvery
	key := t.memoryKey()
	if t.Routing {
		r.remembered, r.rememberedAgent = env.Memory.lastTable(key)
	}
	defer r.Close()
	defer r.warm.stop()
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
	results := besideUp(list, Execute(ctx, r, list))
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
	for i := range rep.Members {
		// Their artifacts are taken: a report kept (serve's status page,
		// a fleet's thousand) must not hold each member's connection and
		// its read buffer.
		rep.Members[i].run = nil
	}
	rep.Table = r.table
	rep.Access = r.access
	rep.Idle = r.idle
	rep.HTTP = r.httpInfo(results)
	rep.TrustStores = r.trustStores
	rep.Warm, rep.TableChange = r.remembered != nil, r.tableChange
	if t.Routing && env.Memory != nil {
		// The next probe starts from this table; none (routing failed)
		// makes it cold.
		agent := ""
		if r.hello != nil {
			agent = r.hello.Server
		}
		env.Memory.rememberTable(key, r.table, agent)
	}
	rep.Connections, rep.Logons = int(env.wire.connections.Load()), int(env.wire.logons.Load())
	if rep.Table == nil {
		rep.Table = r.directTable
	}
	attachDriverHints(rep, t)
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

// besideUp moves the result of each check beside the Bolt path that
// warned or failed to just after the check it is beside (Check.Beside), in
// list order; results are in the order of list.
func besideUp(list []Check, results []Result) []Result {
	var up []Result
	out := make([]Result, 0, len(results))
	for i, c := range list {
		if c.Beside != "" && (results[i].Status == Warn || results[i].Status == Fail) {
			up = append(up, results[i])
			continue
		}
		out = append(out, results[i])
	}
	for _, res := range up {
		c := list[slices.IndexFunc(list, func(c Check) bool { return c.ID == res.ID })]
		at := slices.IndexFunc(out, func(o Result) bool { return o.ID == c.Beside })
		// After the check it is beside, and after any check beside it
		// that moved there first.
		for at >= 0 && at+1 < len(out) && (out[at+1].Status == Warn || out[at+1].Status == Fail) && besideOf(list, out[at+1].ID) == c.Beside {
			at++
		}
		out = slices.Insert(out, at+1, res)
	}
	return out
}

func besideOf(list []Check, id string) string {
	for _, c := range list {
		if c.ID == id {
			return c.Beside
		}
	}
	return ""
}

// httpInfo is the report's HTTPInfo: what the http check fetched and how
// the websocket check's upgrade was answered.
func (r *Run) httpInfo(results []Result) *HTTPInfo {
	h := r.http
	if h == nil || !h.reached {
		return nil
	}
	info := &HTTPInfo{Endpoint: h.url, Status: h.status, Header: safeHeader(h.headers), Document: h.body}
	for _, res := range results {
		if res.ID == "websocket" {
			info.WebSocket = res.Status
		}
	}
	if r.ws != nil {
		info.WebSocketStatus = r.ws.status
	}
	return info
}
