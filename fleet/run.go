package fleet

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// Result is the diagnosis of every target of a file, in file order; the
// type lives in checks so that renderers need not import this package.
type Result = checks.FleetReport

// Outcome is one target's diagnosis.
type Outcome = checks.Outcome

// Options are the run-wide choices.
type Options struct {
	Env    *checks.Env // shared by every diagnosis; nil takes the defaults
	Strict bool        // warnings fail
	Getenv func(string) string
	// Only and Skip apply to every target, besides each target's own
	// skip: (the CLI's --checks and --skip).
	Only, Skip []string
	// NoPipelining (--no-pipelining) applies to every target.
	NoPipelining bool

	// track, set by the tests (export_test.go), hears each diagnosis
	// start (+1) and end (-1), to count those in flight.
	track func(delta int)
}

// Diagnose resolves every target (reading passwords now; any error is a
// *checks.InputError and nothing is diagnosed), then diagnoses them, at
// most f.Concurrency at once: the next target in file order takes a slot
// as soon as a diagnosis ends, so n targets take about n ÷ concurrency ×
// one diagnosis (BenchmarkTargets1000 holds it), with goroutines bounded
// by the concurrency, not n. The outcomes are in file order.
func Diagnose(ctx context.Context, f *File, opts Options) (*Result, error) {
	resolved := make([]*checks.Target, len(f.Targets))
	for i := range f.Targets {
		ct, err := f.Targets[i].Resolve(f.Path, opts.Getenv)
		if err != nil {
			return nil, err
		}
		ct.NoPipelining = opts.NoPipelining
		resolved[i] = ct
	}
	env := opts.Env
	if env == nil {
		env = &checks.Env{}
	}
	now := env.Now
	if now == nil {
		now = time.Now
	}
	res := &Result{Outcomes: make([]Outcome, len(f.Targets)), Started: now()}
	conc := f.Concurrency
	if conc < 1 {
		conc = DefaultConcurrency
	}
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i := range f.Targets {
		// Acquire before starting the goroutine, so a file of thousands
		// of targets holds at most conc goroutines, not thousands waiting.
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if opts.track != nil {
				opts.track(+1)
				defer opts.track(-1)
			}
			t := &f.Targets[i]
			o := OptionsFor(t, opts.Strict)
			o.Only, o.Skip = opts.Only, append(o.Skip, opts.Skip...)
			rep := checks.Diagnose(ctx, resolved[i], env, o)
			res.Outcomes[i] = Outcome{Name: t.Name, Report: rep}
		}()
	}
	wg.Wait()
	res.Duration = now().Sub(res.Started)
	res.Verdict, res.ExitCode = checks.Worst(res.Outcomes)
	return res, nil
}

// OptionsFor is the checks.Options of one target.
func OptionsFor(t *Target, strict bool) checks.Options {
	return checks.Options{Strict: strict, Skip: slices.Clone(t.Skip)}
}
