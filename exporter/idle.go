package exporter

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fleet"
)

// DefaultIdleTick is how often RunIdle looks for targets whose idle probe
// is due.
const DefaultIdleTick = 10 * time.Second

// idleResult is the last idle probe of one target that measured
// something.
type idleResult struct {
	safe time.Duration // the longest idle time that was safe; 0: none
	at   time.Time     // when it finished
}

// idleState is the idle schedule's bookkeeping, under its own lock.
type idleState struct {
	mu      sync.Mutex
	last    map[string]idleResult // by target name
	started map[string]time.Time  // when the running or last probe started
	running map[string]bool
}

// RunIdle runs the idle probe of every target that opts in to it in the
// targets file (idleProbe: and idleProbeEvery:) in the background, one at
// a time per target, each again idleProbeEvery after its last start, and
// never inside a scrape: a probe answers the last measured result. It
// rereads the file's targets at every tick (Config.IdleTick), so a reload
// takes effect, and returns when ctx is done and its probes have ended.
func (e *Exporter) RunIdle(ctx context.Context) {
	tick := e.cfg.IdleTick
	if tick <= 0 {
		tick = DefaultIdleTick
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		e.mu.RLock()
		file := e.file
		e.mu.RUnlock()
		for i := range file.Targets {
			tg := &file.Targets[i]
			if !e.idleDue(tg) {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.idleProbe(ctx, file, tg)
			}()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// idleDue reports whether tg's idle probe should start now, and marks it
// started when so.
func (e *Exporter) idleDue(tg *fleet.Target) bool {
	if len(tg.IdleProbe) == 0 || tg.IdleProbeEvery <= 0 {
		return false
	}
	s := &e.idle
	s.mu.Lock()
	defer s.mu.Unlock()
	now := e.cfg.Now()
	if s.running[tg.Name] {
		return false
	}
	if at, ok := s.started[tg.Name]; ok && now.Sub(at) < tg.IdleProbeEvery {
		return false
	}
	s.running[tg.Name], s.started[tg.Name] = true, now
	return true
}

// idleProbe runs the idle check of one target (with the steps it needs,
// and routing, so it goes to the writer of a neo4j:// target) and keeps
// what it measured.
func (e *Exporter) idleProbe(ctx context.Context, file *fleet.File, tg *fleet.Target) {
	defer func() {
		e.idle.mu.Lock()
		delete(e.idle.running, tg.Name)
		e.idle.mu.Unlock()
	}()
	ct, err := tg.Resolve(file.Path, e.cfg.Getenv)
	if err != nil {
		e.cfg.Logger.Error("idle probe not run", "target", tg.Name, "err", err.Error())
		return
	}
	rep := checks.Diagnose(ctx, ct, e.cfg.Env, checks.Options{Only: []string{"routing", "idle"}})
	if !rep.Idle.Measured() {
		e.cfg.Logger.Warn("idle probe measured nothing", "target", tg.Name, "verdict", string(rep.Verdict))
		return
	}
	safe := rep.Idle.Safe
	if rep.Idle.Cut == 0 {
		for _, p := range rep.Idle.Probes {
			if p.Outcome == checks.IdleAnswered {
				safe = max(safe, p.Idle)
			}
		}
	}
	e.idle.mu.Lock()
	e.idle.last[tg.Name] = idleResult{safe: safe, at: e.cfg.Now()}
	e.idle.mu.Unlock()
	e.cfg.Logger.Info("idle probe done", "target", tg.Name, "safe_seconds", safe.Seconds(), "cut_seconds", rep.Idle.Cut.Seconds())
}

// idleMetrics adds the last idle probe of target to a probe's metrics;
// nothing when none measured yet.
func (e *Exporter) idleMetrics(reg *prometheus.Registry, target string) {
	e.idle.mu.Lock()
	r, ok := e.idle.last[target]
	e.idle.mu.Unlock()
	if !ok {
		return
	}
	safe := prometheus.NewGauge(prometheus.GaugeOpts{Name: "neo4j_doctor_idle_safe_seconds",
		Help: "The longest idle time the last idle probe (idleProbe:, idleProbeEvery:) found safe: a connection idle that long still answered; 0 when even the shortest failed."})
	safe.Set(r.safe.Seconds())
	at := prometheus.NewGauge(prometheus.GaugeOpts{Name: "neo4j_doctor_idle_measured_timestamp_seconds",
		Help: "When the last idle probe finished, as a Unix time."})
	at.Set(float64(r.at.Unix()))
	reg.MustRegister(safe, at)
}
