package fleet_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/network"
	"github.com/neo4j-doctor/neo4j-doctor/fleet"
)

// A large fleet on loopback: a few fixture servers, each behind a latency
// proxy so that a diagnosis waits on the network as it does in real life,
// and many targets per listener. One target in twenty is broken, in turn
// each of brokenKinds.

// brokenKind is a way a fleet target is broken, with the verdict, exit
// code and failing step its diagnosis must give.
type brokenKind struct {
	name    string
	verdict checks.Status
	exit    int
	failing string
}

var brokenKinds = []brokenKind{
	{"wrong-password", checks.Fail, checks.ExitFailed, "auth"},
	{"refused", checks.Fail, checks.ExitNoResponse, "tcp"},
	{"http-port", checks.Fail, checks.ExitFailed, "bolt"},
	{"hangs-up", checks.Fail, checks.ExitFailed, "auth"},
}

// fleetTarget is one target of a scale fleet and the outcome it must get.
type fleetTarget struct {
	name, kind string // kind: "healthy" or one of brokenKinds
}

// scaleFleet starts the servers and writes a targets file of n targets
// at concurrency conc, each server behind a proxy adding oneWay each way.
// healthy is a file of one healthy target on the same path, for the lone
// diagnosis.
func scaleFleet(tb testing.TB, n, conc int, oneWay time.Duration) (file, healthy string, want []fleetTarget) {
	tb.Helper()
	proxy := func(cfg fixtures.Config) string {
		l, err := network.StartLatency(oneWay, "")
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = l.Close() })
		cfg.Users = map[string]string{"neo4j": "secret"}
		cfg.AdvertisedAddress = l.Addr() // routing tables name the proxy
		s := startServer(tb, cfg)
		l.SetTarget(s.Addr())
		return l.Addr()
	}
	// Several healthy listeners, so that targets share them as in a real
	// estate where many databases sit behind a few load balancers.
	var good []string
	for range 4 {
		good = append(good, proxy(fixtures.Neo4j526()))
	}
	http := fixtures.Neo4j526()
	http.Misbehave = fixtures.Misbehaviour{Kind: fixtures.AnswerHTTP}
	hangsUp := fixtures.Neo4j526()
	hangsUp.Misbehave = fixtures.Misbehaviour{Kind: fixtures.CloseAfterHello}
	broken := map[string]string{
		"wrong-password": good[0],
		"refused":        closedPort(tb),
		"http-port":      proxy(http),
		"hangs-up":       proxy(hangsUp),
	}

	var b strings.Builder
	fmt.Fprintf(&b, "concurrency: %d\ndefaults:\n  username: neo4j\n  passwordEnv: GOOD_PW\n  timeout: 5s\ntargets:\n", conc)
	for i := range n {
		t := fleetTarget{name: fmt.Sprintf("db-%04d", i), kind: "healthy"}
		if i%20 == 7 {
			t.kind = brokenKinds[(i/20)%len(brokenKinds)].name
		}
		switch t.kind {
		case "healthy":
			fmt.Fprintf(&b, "  - {name: %s, uri: 'neo4j://%s'}\n", t.name, good[i%len(good)])
		case "wrong-password":
			fmt.Fprintf(&b, "  - {name: %s, uri: 'neo4j://%s', passwordEnv: BAD_PW}\n", t.name, broken[t.kind])
		default:
			fmt.Fprintf(&b, "  - {name: %s, uri: 'neo4j://%s'}\n", t.name, broken[t.kind])
		}
		want = append(want, t)
	}
	file = writeFile(tb, "fleet.yml", b.String())
	healthy = writeFile(tb, "lone.yml", fmt.Sprintf("defaults:\n  username: neo4j\n  passwordEnv: GOOD_PW\n  timeout: 5s\ntargets:\n  - {name: lone, uri: 'neo4j://%s'}\n", good[0]))
	return file, healthy, want
}

// inFlight counts the diagnoses running at once.
type inFlight struct {
	mu         sync.Mutex
	now, peak  int
	started    int
	overBound  bool
	concurrent int
	first      time.Time // when the first diagnosis started
	goroutines int       // the most goroutines seen when a diagnosis started
}

func (c *inFlight) track(delta int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now += delta
	if delta > 0 {
		if c.started == 0 {
			c.first = time.Now()
		}
		c.started++
		c.goroutines = max(c.goroutines, runtime.NumGoroutine())
	}
	c.peak = max(c.peak, c.now)
	if c.now > c.concurrent {
		c.overBound = true
	}
}

func diagnoseFile(tb testing.TB, path string, track func(int)) *fleet.Result {
	tb.Helper()
	f, err := fleet.Load(path, env)
	if err != nil {
		tb.Fatal(err)
	}
	opts := fleet.Options{Getenv: env}
	if track != nil {
		opts = fleet.WithTrack(opts, track)
	}
	res, err := fleet.Diagnose(context.Background(), f, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// checkOutcomes asserts that every target has its outcome, in the file's
// order.
func checkOutcomes(tb testing.TB, res *fleet.Result, want []fleetTarget) {
	tb.Helper()
	if len(res.Outcomes) != len(want) {
		tb.Fatalf("%d outcomes for %d targets", len(res.Outcomes), len(want))
	}
	bad := 0
	for i, w := range want {
		o := res.Outcomes[i]
		if o.Name != w.name || o.Report == nil {
			tb.Fatalf("outcome %d is %q (report %v), want %s: not the file's order", i, o.Name, o.Report != nil, w.name)
		}
		verdict, exit, failing := checks.Pass, checks.ExitHealthy, ""
		if k := slices.IndexFunc(brokenKinds, func(k brokenKind) bool { return k.name == w.kind }); k >= 0 {
			verdict, exit, failing = brokenKinds[k].verdict, brokenKinds[k].exit, brokenKinds[k].failing
		}
		s := o.Report.Headline()
		if o.Report.Verdict != verdict || o.Report.ExitCode != exit || s.Failing != failing {
			if bad++; bad <= 5 {
				tb.Errorf("%s (%s): %s exit %d failing %q, want %s exit %d failing %q",
					w.name, w.kind, o.Report.Verdict, o.Report.ExitCode, s.Failing, verdict, exit, failing)
			}
		}
	}
	if bad > 5 {
		tb.Errorf("... and %d more targets with the wrong outcome", bad-5)
	}
}

// TestDiagnoseKeepsSlotsFull runs a fleet many times larger than its
// concurrency and counts, in the process, the diagnoses in flight: never
// more than the bound, and the bound is reached (the slots are used, not
// filled one at a time). Every target has its outcome, in file order.
func TestDiagnoseKeepsSlotsFull(t *testing.T) {
	t.Parallel()
	const n, conc = 120, 6
	// 2 ms each way: a diagnosis waits on the network long enough that
	// the slots overlap however busy the machine is.
	path, _, want := scaleFleet(t, n, conc, 2*time.Millisecond)
	c := &inFlight{concurrent: conc}
	res := diagnoseFile(t, path, c.track)
	checkOutcomes(t, res, want)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started != n || c.now != 0 {
		t.Errorf("%d diagnoses started, %d still in flight, want %d and 0", c.started, c.now, n)
	}
	if c.overBound {
		t.Errorf("more than %d diagnoses ran at once (peak %d)", conc, c.peak)
	}
	if c.peak != conc {
		t.Errorf("at most %d diagnoses ran at once, want the bound %d", c.peak, conc)
	}
	if res.Verdict != checks.Fail || res.ExitCode != checks.ExitNoResponse {
		t.Errorf("fleet = %s exit %d, want fail exit 2 (the refused targets)", res.Verdict, res.ExitCode)
	}
}

// BenchmarkTargets1000 diagnoses 1,000 targets at the default concurrency
// through a 5 ms one-way latency proxy, and reports the total against the
// bound the issue sets: targets ÷ concurrency × the lone diagnosis × 1.2,
// the lone diagnosis measured in the same run: the median of 5 before the
// fleet and 5 after (after a warm-up), so a machine that gets busier or
// quieter during the run moves both sides. ratio is total ÷ bound and must
// stay ≤ 1.
//
//	taskset -c 0,1 go test ./fleet -run '^$' -bench Targets1000 -benchtime 1x
func BenchmarkTargets1000(b *testing.B) {
	const n, conc = 1000, fleet.DefaultConcurrency
	path, lonePath, want := scaleFleet(b, n, conc, 5*time.Millisecond)
	diagnoseFile(b, lonePath, nil) // warm-up
	var lones []time.Duration
	measureLone := func() {
		for range 5 {
			start := time.Now()
			res := diagnoseFile(b, lonePath, nil)
			lones = append(lones, time.Since(start))
			if res.Verdict != checks.Pass {
				b.Fatalf("the lone diagnosis: %s", res.Verdict)
			}
		}
	}
	measureLone()
	b.ResetTimer()
	var total, startup, busy, healthy time.Duration
	var peak, goroutines, nHealthy int
	var held uint64
	for range b.N {
		c := &inFlight{concurrent: conc}
		start := time.Now()
		res := diagnoseFile(b, path, c.track)
		total = time.Since(start)
		b.StopTimer()
		checkOutcomes(b, res, want)
		peak, goroutines, startup = c.peak, c.goroutines, c.first.Sub(start)
		busy, healthy, nHealthy = 0, 0, 0
		for i, o := range res.Outcomes {
			busy += o.Report.Duration
			if want[i].kind == "healthy" {
				healthy += o.Report.Duration
				nHealthy++
			}
		}
		held = heldBy(func() { res = nil })
		b.StartTimer()
	}
	b.StopTimer()
	measureLone()
	slices.Sort(lones)
	lone := (lones[len(lones)/2-1] + lones[len(lones)/2]) / 2
	bound := time.Duration(float64(n) / float64(conc) * float64(lone) * 1.2)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(total.Seconds(), "total-s")
	b.ReportMetric(ms(lone), "lone-ms")
	b.ReportMetric(bound.Seconds(), "bound-s")
	b.ReportMetric(total.Seconds()/bound.Seconds(), "ratio")
	b.ReportMetric(float64(peak), "peak-in-flight")
	// What explains a ratio: the time before the first diagnosis starts
	// (loading and resolving the file), the mean healthy diagnosis in the
	// crowd (longer than the lone one when the cores are busy), and how
	// full the slots were (the diagnoses' summed time ÷ total ×
	// concurrency; 1 is every slot busy all the time).
	b.ReportMetric(ms(startup), "startup-ms")
	b.ReportMetric(ms(healthy/time.Duration(max(nHealthy, 1))), "crowd-ms")
	b.ReportMetric(busy.Seconds()/(total.Seconds()*conc), "slot-use")
	// The process's goroutines (the fixtures' included) at the busiest
	// start: bounded by the concurrency, not the number of targets.
	b.ReportMetric(float64(goroutines), "peak-goroutines")
	// The heap the 1,000 reports hold: what check --targets keeps until
	// it renders them.
	b.ReportMetric(float64(held)/1e6, "reports-MB")
}

// heldBy is how much live heap drop frees: the heap after a collection,
// before and after drop.
func heldBy(drop func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	drop()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if after.HeapAlloc > before.HeapAlloc {
		return 0
	}
	return before.HeapAlloc - after.HeapAlloc
}
