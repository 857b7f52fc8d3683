package exporter

import (
	"bytes"
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
)

// TestNothingReadsProse: the metrics, the fleet table's headline and
// --wait's decision are read from codes, typed errors and artifacts, never
// from what people read. Every demo scenario's real report is diagnosed,
// then every summary, fact, evidence, hint and error string in it (members'
// included) is replaced with noise: none of the three may change.
func TestNothingReadsProse(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			rep := diagnoseScenario(t, sc)
			for _, strict := range []bool{false, true} {
				rep.Verdict, rep.ExitCode = verdictOf(rep, strict)
				metrics, headline, wait := readBack(t, rep)
				scrambled := scramble(rep, rand.New(rand.NewPCG(uint64(len(sc.Name)), 7)))
				m2, h2, w2 := readBack(t, scrambled)
				if m2 != metrics {
					t.Errorf("strict %v: the metrics changed with the prose:\n%s\n---\n%s", strict, metrics, m2)
				}
				if !reflect.DeepEqual(h2, headline) {
					t.Errorf("strict %v: the headline changed with the prose: %+v, was %+v", strict, h2, headline)
				}
				if w2 != wait {
					t.Errorf("strict %v: --wait's decision changed with the prose: %v, was %v", strict, w2, wait)
				}
			}
			if !strings.Contains(scramble(rep, rand.New(rand.NewPCG(1, 2))).Checks[0].Summary, "~") {
				t.Fatal("scramble left the summary alone: the test proves nothing")
			}
		})
	}
}

func diagnoseScenario(t *testing.T, sc scenarios.Scenario) *checks.Report {
	t.Helper()
	inst, err := sc.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = inst.Close() })
	tt, err := checks.Resolve(inst.Inputs())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return checks.Diagnose(ctx, tt, &checks.Env{}, checks.Options{})
}

// verdictOf is the report's verdict and exit code with or without
// --strict, as Diagnose gives them.
func verdictOf(rep *checks.Report, strict bool) (checks.Status, int) {
	code := rep.ExitCode
	switch {
	case code == checks.ExitFailed && rep.Verdict == checks.Warn && !strict:
		code = checks.ExitHealthy
	case code == checks.ExitHealthy && rep.Verdict == checks.Warn && strict:
		code = checks.ExitFailed
	}
	return rep.Verdict, code
}

func readBack(t *testing.T, rep *checks.Report) (string, checks.Headline, bool) {
	t.Helper()
	fams, err := probeMetrics(factsOf(rep, time.Second)).Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, f := range fams {
		if _, err := expfmt.MetricFamilyToText(&b, f); err != nil {
			t.Fatal(err)
		}
	}
	return b.String(), rep.Headline(), checks.Retryable(rep)
}

// scramble returns a copy of rep whose prose is noise of the same shape.
func scramble(rep *checks.Report, rng *rand.Rand) *checks.Report {
	noise := func(s string) string {
		if s == "" {
			return s
		}
		b := []rune(s)
		for i := range b {
			b[i] = rune('a' + rng.IntN(26))
		}
		return "~" + string(b)
	}
	facts := func(fs []checks.Fact) []checks.Fact {
		out := slices.Clone(fs)
		for i := range out {
			out[i] = checks.Fact{Name: noise(out[i].Name), Value: noise(out[i].Value)}
		}
		return out
	}
	results := func(rs []checks.Result) []checks.Result {
		out := slices.Clone(rs)
		for i := range out {
			r := &out[i]
			r.Summary, r.Error, r.Title = noise(r.Summary), noise(r.Error), noise(r.Title)
			r.Facts, r.Evidence = facts(r.Facts), facts(r.Evidence)
			r.Hints = slices.Clone(r.Hints)
			for j := range r.Hints {
				r.Hints[j] = noise(r.Hints[j])
			}
		}
		return out
	}
	c := *rep
	c.Checks = results(rep.Checks)
	c.Members = slices.Clone(rep.Members)
	for i := range c.Members {
		c.Members[i].Checks = results(c.Members[i].Checks)
	}
	return &c
}
