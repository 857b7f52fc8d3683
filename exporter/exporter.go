// Package exporter is neo4j-doctor's Prometheus prober for Bolt, in the
// manner of blackbox_exporter: Prometheus asks /probe?target=NAME, the
// exporter runs one diagnosis of the target NAME from its targets file
// within the scrape's timeout, and answers that probe's metrics. The
// credentials stay in the exporter's configuration; the URL carries only a
// name.
//
// Endpoints:
//
//	/probe?target=NAME          one diagnosis, as Prometheus metrics
//	/probe?target=NAME&debug=true   the same diagnosis as the text report
//	/metrics                    the exporter's own metrics
//	/                           status page: the last result per target,
//	                            and the reports of the last failures
//	/-/healthy                  200 while the process serves
//	/-/reload (POST or PUT)     reread the targets file, as SIGHUP does;
//	                            403 unless Config.EnableLifecycle
//
// Probes of one target share one diagnosis while it runs, and within
// Config.MinProbeInterval of the last one a probe is answered from its
// result. TLS and authentication are the caller's: serve wraps Handler
// with exporter-toolkit's web configuration.
//
// Nothing here writes to a terminal: responses are HTTP, and log lines go
// to the *slog.Logger the caller passes (report.NewLogger).
package exporter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fleet"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// Config is how the exporter runs; only Path is required.
type Config struct {
	Path   string              // the targets file
	Getenv func(string) string // for passwordEnv; nil = os.Getenv
	// MaxConcurrent bounds the diagnoses running at once (each also checks
	// up to 16 members at once). A probe beyond it queues, first come
	// first served, and its diagnosis gets what is left of the scrape's
	// budget once it starts. A probe that could not start with enough of
	// its budget left to finish (see startReserve) answers 503 instead of
	// a diagnosis the wait would have cut short.
	MaxConcurrent int
	// TimeoutOffset is taken off X-Prometheus-Scrape-Timeout-Seconds so
	// the answer reaches Prometheus before it gives up on the scrape.
	TimeoutOffset time.Duration
	// DefaultTimeout is the budget of a probe whose request has no
	// X-Prometheus-Scrape-Timeout-Seconds (curl, a browser).
	DefaultTimeout time.Duration
	// KeepFailures is how many failed probes' reports the status page
	// keeps, newest first, after the targets recovered.
	KeepFailures int
	// MinProbeInterval is the least time between the end of one diagnosis
	// of a target and the start of the next; a probe in between is
	// answered from the last result, with its age. 0 diagnoses on every
	// probe (probes arriving while one runs still share it).
	MinProbeInterval time.Duration
	// EnableLifecycle allows POST /-/reload; without it the endpoint
	// answers 403, as Prometheus's does without --web.enable-lifecycle.
	EnableLifecycle bool
	// HideReports keeps reports to people allowed to see them: the status
	// page shows verdicts and failing steps only (no URIs, server agents,
	// certificates or report text) and /probe?debug=true answers 403.
	HideReports bool
	Env         *checks.Env // nil = the defaults
	Logger      *slog.Logger
	Version     string
	Now         func() time.Time
	// IdleTick is how often RunIdle looks for idle probes that are due;
	// 0 = DefaultIdleTick.
	IdleTick time.Duration
}

// Defaults for Config's zero fields.
const (
	DefaultMaxConcurrent = 16
	DefaultTimeoutOffset = 500 * time.Millisecond
	DefaultProbeTimeout  = 10 * time.Second // Prometheus's default scrape_timeout
	// DefaultMinInterval is serve's --min-probe-interval; Config's zero
	// MinProbeInterval diagnoses on every probe.
	DefaultMinInterval = 5 * time.Second
	// MaxProbeTimeout bounds a probe's budget whatever the scrape timeout
	// header says, so the server's write timeout can exceed every probe.
	MaxProbeTimeout = 5 * time.Minute
	// MaxRequestBody is the most of a request body any endpoint reads;
	// none needs one.
	MaxRequestBody      = 4 << 10
	DefaultKeepFailures = 50
	minimumProbeTimeout = 100 * time.Millisecond
	scrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds"
	textContentType     = "text/plain; charset=utf-8"
	maxTargetsListed    = 20
)

// Exporter serves probes of the targets of one targets file.
type Exporter struct {
	cfg Config
	sem chan struct{}
	reg *prometheus.Registry

	mu         sync.RWMutex
	file       *fleet.File
	loadedAt   time.Time
	reloadErr  error // the last reload's error; nil after a good one
	reloadedAt time.Time

	probes        *prometheus.CounterVec
	diagnoses     *prometheus.CounterVec
	rejected      prometheus.Counter
	inFlight      prometheus.Gauge
	queued        prometheus.Gauge
	queueWait     prometheus.Histogram
	reloadOK      prometheus.Gauge
	reloadSuccess prometheus.Gauge
	targets       prometheus.Gauge

	hist    *history
	idle    idleState
	flights *flights
}

// New loads the targets file and builds the exporter. A bad file is a
// *checks.InputError, as for `check --targets`.
func New(cfg Config) (*Exporter, error) {
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	if cfg.TimeoutOffset < 0 {
		cfg.TimeoutOffset = 0
	}
	if cfg.DefaultTimeout <= 0 {
		cfg.DefaultTimeout = DefaultProbeTimeout
	}
	if cfg.KeepFailures <= 0 {
		cfg.KeepFailures = DefaultKeepFailures
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Env == nil {
		cfg.Env = &checks.Env{}
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.MinProbeInterval < 0 {
		cfg.MinProbeInterval = 0
	}
	f, err := fleet.Load(cfg.Path, cfg.Getenv)
	if err != nil {
		return nil, err
	}
	e := &Exporter{cfg: cfg, sem: make(chan struct{}, cfg.MaxConcurrent), file: f, loadedAt: cfg.Now(), hist: newHistory(cfg.KeepFailures),
		idle: idleState{last: map[string]idleResult{}, started: map[string]time.Time{}, running: map[string]bool{}}, flights: newFlights()}
	e.registerOwnMetrics()
	e.reloadOK.Set(1)
	e.reloadSuccess.Set(float64(e.loadedAt.Unix()))
	e.targets.Set(float64(len(f.Targets)))
	return e, nil
}

func (e *Exporter) registerOwnMetrics() {
	e.reg = prometheus.NewRegistry()
	e.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "neo4j_doctor_exporter_build_info", Help: "The exporter's version; always 1.",
		ConstLabels: prometheus.Labels{"version": e.cfg.Version},
	})
	build.Set(1)
	e.probes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "neo4j_doctor_exporter_probes_total", Help: "Probes answered, by target and result (success: exit code 0; failure: any other).",
	}, []string{"target", "result"})
	e.rejected = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "neo4j_doctor_exporter_probes_rejected_total", Help: "Probes answered 503 because max-concurrent diagnoses were still running when too little of the scrape's budget was left to start one, or the target's own running diagnosis was at the scrape's deadline.",
	})
	e.diagnoses = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "neo4j_doctor_exporter_diagnoses_total", Help: "Diagnoses run, by target; probes answered from a running or recent diagnosis (see --min-probe-interval) do not count.",
	}, []string{"target"})
	e.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "neo4j_doctor_exporter_probes_in_flight", Help: "Diagnoses running now."})
	e.queued = prometheus.NewGauge(prometheus.GaugeOpts{Name: "neo4j_doctor_exporter_probes_queued", Help: "Probes waiting now for one of the max-concurrent diagnosis slots."})
	e.queueWait = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "neo4j_doctor_exporter_queue_wait_seconds",
		Help:    "How long each diagnosis waited for one of the max-concurrent slots before it started; the wait comes out of the scrape's budget.",
		Buckets: []float64{0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
	})
	e.reloadOK = prometheus.NewGauge(prometheus.GaugeOpts{Name: "neo4j_doctor_exporter_config_last_reload_successful", Help: "1 when the last load of the targets file succeeded; 0 when it was refused and the previous one is still in use."})
	e.reloadSuccess = prometheus.NewGauge(prometheus.GaugeOpts{Name: "neo4j_doctor_exporter_config_last_reload_success_timestamp_seconds", Help: "When the targets file in use was loaded."})
	e.targets = prometheus.NewGauge(prometheus.GaugeOpts{Name: "neo4j_doctor_exporter_targets", Help: "Targets in the targets file in use."})
	e.reg.MustRegister(build, e.probes, e.rejected, e.diagnoses, e.inFlight, e.queued, e.queueWait, e.reloadOK, e.reloadSuccess, e.targets)
}

// Reload rereads the targets file. A file that does not load is refused
// and the one in use stays; the error (a *checks.InputError) says why.
func (e *Exporter) Reload() error {
	f, err := fleet.Load(e.cfg.Path, e.cfg.Getenv)
	now := e.cfg.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reloadedAt = now
	if err != nil {
		e.reloadErr = err
		e.reloadOK.Set(0)
		e.cfg.Logger.Error("targets file refused; the previous one stays in use", "file", e.cfg.Path, "err", err.Error(), "hint", hintOf(err))
		return err
	}
	for _, old := range e.file.Names() {
		if _, kept := f.Lookup(old); !kept {
			// A removed target's counters would otherwise be exported
			// until the process restarts.
			e.probes.DeletePartialMatch(prometheus.Labels{"target": old})
			e.diagnoses.DeletePartialMatch(prometheus.Labels{"target": old})
		}
	}
	e.file, e.loadedAt, e.reloadErr = f, now, nil
	e.reloadOK.Set(1)
	e.reloadSuccess.Set(float64(now.Unix()))
	e.targets.Set(float64(len(f.Targets)))
	e.hist.keepOnly(f.Names())
	// A target's last result may be of its previous settings.
	e.flights.forget()
	e.cfg.Logger.Info("targets file loaded", "file", e.cfg.Path, "targets", len(f.Targets))
	return nil
}

func hintOf(err error) string {
	var ie *checks.InputError
	if errors.As(err, &ie) {
		return ie.Hint
	}
	return ""
}

// Handler serves every endpoint, with request bodies limited to
// MaxRequestBody.
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/probe", e.serveProbe)
	mux.Handle("/metrics", promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", textContentType)
		_, _ = w.Write([]byte("healthy\n"))
	})
	mux.HandleFunc("/-/reload", e.serveReload)
	mux.HandleFunc("/{$}", e.serveStatus)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxRequestBody {
			http.Error(w, fmt.Sprintf("request body over %d bytes", MaxRequestBody), http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxRequestBody)
		mux.ServeHTTP(w, r)
	})
}

// serveReload is Prometheus's lifecycle endpoint: POST or PUT rereads the
// targets file when the lifecycle API is enabled, and answers 403 with
// Prometheus's words when it is not.
func (e *Exporter) serveReload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		w.Header().Set("Allow", "POST, PUT")
		http.Error(w, "POST to reload the targets file", http.StatusMethodNotAllowed)
		return
	}
	if !e.cfg.EnableLifecycle {
		http.Error(w, "Lifecycle API is not enabled.", http.StatusForbidden)
		return
	}
	if err := e.Reload(); err != nil {
		http.Error(w, "targets file refused, the previous one stays in use: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", textContentType)
	fmt.Fprintf(w, "reloaded %s\n", e.cfg.Path)
}

// budget is the time a probe may take: the scrape's timeout less the
// offset, or the default when the request did not come from Prometheus.
func (e *Exporter) budget(r *http.Request) (time.Duration, error) {
	h := r.Header.Get(scrapeTimeoutHeader)
	if h == "" {
		return e.cfg.DefaultTimeout, nil
	}
	secs, err := strconv.ParseFloat(h, 64)
	if err != nil || secs <= 0 || secs > 24*3600 {
		return 0, fmt.Errorf("%s: %q is not a number of seconds", scrapeTimeoutHeader, h)
	}
	d := min(time.Duration(secs*float64(time.Second)), MaxProbeTimeout+e.cfg.TimeoutOffset)
	if d-e.cfg.TimeoutOffset >= minimumProbeTimeout {
		return d - e.cfg.TimeoutOffset, nil
	}
	// A scrape timeout shorter than the offset: use most of it rather
	// than none.
	return max(d*9/10, minimumProbeTimeout/10), nil
}

func (e *Exporter) serveProbe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name := q.Get("target")
	debug, _ := strconv.ParseBool(q.Get("debug"))
	if name == "" {
		http.Error(w, "the target parameter is missing: /probe?target=NAME, NAME from the targets file", http.StatusBadRequest)
		return
	}
	e.mu.RLock()
	file := e.file
	e.mu.RUnlock()
	t, ok := file.Lookup(name)
	if !ok {
		names := file.Names()
		if len(names) > maxTargetsListed {
			names = append(names[:maxTargetsListed], "…")
		}
		http.Error(w, fmt.Sprintf("unknown target %q: the targets file %s names %s", name, file.Path, strings.Join(names, ", ")), http.StatusBadRequest)
		return
	}
	if debug && e.cfg.HideReports {
		http.Error(w, "reports are hidden (--web.hide-reports): the metrics of /probe?target=NAME, and the verdict on the status page, are all this exporter shows", http.StatusForbidden)
		return
	}
	budget, err := e.budget(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), budget)
	defer cancel()
	rec, cached, err := e.result(ctx, file, t)
	if err != nil {
		e.rejected.Inc()
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	var age time.Duration
	if cached {
		age = max(e.cfg.Now().Sub(rec.finished()), 0)
	}

	reg := probeMetrics(rec.facts)
	e.idleMetrics(reg, name)
	resultAge(reg, age)
	result := "failure"
	if rec.ExitCode == checks.ExitHealthy {
		result = "success"
	}
	e.probes.WithLabelValues(name, result).Inc()

	if !debug {
		promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
		return
	}
	var b bytes.Buffer
	if age > 0 {
		fmt.Fprintf(&b, "(the last result of %s, from a diagnosis that ended %s ago; --min-probe-interval is %s)\n\n", name, age.Round(time.Millisecond), e.cfg.MinProbeInterval)
	}
	b.WriteString(rec.Text)
	b.WriteString("\nMetrics that would have been returned:\n\n")
	mfs, err := reg.Gather()
	if err == nil {
		enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
		for _, mf := range mfs {
			if err = enc.Encode(mf); err != nil {
				break
			}
		}
	}
	if err != nil {
		fmt.Fprintf(&b, "(metrics could not be encoded: %v)\n", err)
	}
	w.Header().Set("Content-Type", textContentType)
	_, _ = w.Write(b.Bytes())
}

// result is the diagnosis a probe of t answers: the last one when it
// ended within MinProbeInterval (cached), else the one running now, else
// a new one. err (for a 503) says why there was none by ctx's deadline.
func (e *Exporter) result(ctx context.Context, file *fleet.File, t *fleet.Target) (rec *record, cached bool, err error) {
	fl := e.flights
	fl.mu.Lock()
	last := fl.last[t.Name]
	if last != nil && e.cfg.Now().Sub(last.finished()) < e.cfg.MinProbeInterval {
		fl.mu.Unlock()
		return last, true, nil
	}
	key := flightKey{t.Name, fl.gen}
	f, running := fl.running[key]
	if !running {
		f = &flight{done: make(chan struct{})}
		fl.running[key] = f
	}
	fl.mu.Unlock()
	if running {
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, false, fmt.Errorf("a diagnosis of %s was still running at the scrape's deadline: raise the scrape timeout, or lower the target's timeout", t.Name)
		}
		if f.rec == nil {
			return nil, false, f.err
		}
		return f.rec, false, nil
	}

	// This probe leads: the diagnosis is everyone's now, so it runs to
	// its deadline even if this scrape goes away.
	deadline, _ := ctx.Deadline()
	lead, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	if e.acquire(lead, deadline, startReserve(last, time.Until(deadline))) {
		e.inFlight.Inc()
		e.diagnoses.WithLabelValues(t.Name).Inc()
		// The diagnosis has what is left of the scrape's budget: the
		// wait for a slot came out of it.
		f.rec = e.probe(lead, file, t)
		e.inFlight.Dec()
		<-e.sem
	} else {
		f.err = fmt.Errorf("the %d diagnoses --max-concurrent allows ran until too little of the scrape's time was left to start one: raise --max-concurrent (see the README, Sizing)", cap(e.sem))
	}
	fl.mu.Lock()
	delete(fl.running, key)
	if f.rec != nil && key.gen == fl.gen {
		fl.last[t.Name] = f.rec
	}
	fl.mu.Unlock()
	close(f.done)
	if f.rec == nil {
		return nil, false, f.err
	}
	return f.rec, false, nil
}

// acquire takes one of the MaxConcurrent slots, waiting in line (Go
// queues the senders on a full channel in order) until reserve before
// deadline at the latest; false when none came by then. The wait is
// observed only for a diagnosis that starts: a probe that gave up counts
// in rejected.
func (e *Exporter) acquire(ctx context.Context, deadline time.Time, reserve time.Duration) bool {
	select {
	case e.sem <- struct{}{}:
		e.queueWait.Observe(0)
		return true
	default:
	}
	start := time.Now()
	e.queued.Inc()
	defer e.queued.Dec()
	line, cancel := context.WithDeadline(ctx, deadline.Add(-reserve))
	defer cancel()
	select {
	case e.sem <- struct{}{}:
		e.queueWait.Observe(time.Since(start).Seconds())
		return true
	case <-line.Done():
		return false
	}
}

// startReserve is how much of its budget a queued probe must still have
// to start a diagnosis: twice what the target's last diagnosis took when
// it was healthy (so a healthy target's diagnosis does not start with
// less time than it needed, and fail because it waited), else
// minimumProbeTimeout; at most half of what is left now, so a probe waits
// at least that long for a slot.
func startReserve(last *record, left time.Duration) time.Duration {
	r := minimumProbeTimeout
	if last != nil && !last.failed() {
		r = max(r, 2*last.Duration)
	}
	return min(r, left/2)
}

// flights are the diagnoses running now, by target, and the last result
// of each target (with its metrics' facts, for a cached answer).
// gen counts reloads: a diagnosis started with the previous targets file
// is shared by no probe after a reload, nor kept as the last result.
type flights struct {
	mu      sync.Mutex
	gen     uint64
	running map[flightKey]*flight
	last    map[string]*record
}

type flightKey struct {
	target string
	gen    uint64
}

// flight is one diagnosis that every probe of its target arriving while
// it runs shares. rec, or err when it could not start, is set before done
// closes.
type flight struct {
	done chan struct{}
	rec  *record
	err  error
}

func newFlights() *flights {
	return &flights{running: map[flightKey]*flight{}, last: map[string]*record{}}
}

// forget drops every last result, and the running diagnoses from later
// probes, after a reload.
func (fl *flights) forget() {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	fl.gen++
	clear(fl.last)
}

// probe runs one diagnosis and records it for the status page.
func (e *Exporter) probe(ctx context.Context, file *fleet.File, t *fleet.Target) *record {
	start := e.cfg.Now()
	rec := &record{Target: t.Name, At: start}
	ct, err := t.Resolve(file.Path, e.cfg.Getenv)
	if err != nil {
		// The file loaded, so the secret it names went away since: the
		// probe fails with the reason instead of the server's.
		rec.Duration = e.cfg.Now().Sub(start)
		rec.ExitCode = checks.ExitNoAttempt
		rec.Verdict = checks.Fail
		rec.Error = err.Error()
		var b bytes.Buffer
		report.Error(&b, err, hintOf(err), false)
		rec.Text = b.String()
		rec.facts = factsOf(nil, rec.Duration)
		e.hist.add(rec)
		return rec
	}
	// The idle probe (idleProbe:) waits minutes to hours: never inside a
	// scrape.
	ct.IdleProbe = nil
	rep := checks.Diagnose(ctx, ct, e.cfg.Env, fleet.OptionsFor(t, false))
	rec.Duration = e.cfg.Now().Sub(start)
	rec.facts = factsOf(rep, rec.Duration)
	rec.Verdict, rec.ExitCode = rep.Verdict, rep.ExitCode
	s := rep.Headline()
	rec.Failing, rec.Bolt, rec.Agent, rec.URI = s.Failing, s.BoltVersion, s.ServerAgent, rep.Target.URI
	if len(s.Certificates) > 0 && s.Certificates[0].Address == net.JoinHostPort(rep.Target.Host, strconv.Itoa(rep.Target.Port)) {
		rec.CertExpiry = s.Certificates[0].NotAfter // the target's own comes first
	}
	var b bytes.Buffer
	if err := report.Text(&b, rep, report.TextOptions{Version: e.cfg.Version}); err != nil {
		fmt.Fprintf(&b, "the report could not be rendered: %v\n", err)
	}
	rec.Text = b.String()
	e.hist.add(rec)
	return rec
}

// record is one probe as the status page shows it.
type record struct {
	Target   string
	URI      string
	At       time.Time
	Duration time.Duration
	Verdict  checks.Status
	ExitCode int
	Failing  string
	Bolt     string
	Agent    string
	// CertExpiry is when the target's own chain first expires; zero
	// without TLS.
	CertExpiry time.Time
	Error      string // the target could not be resolved
	Text       string // the text report, or the error and hint

	// facts are what the probe's metrics say (probeMetrics), read from
	// the report when the diagnosis ended, for every probe it answers;
	// the report itself is not kept (see probeFacts).
	facts *probeFacts
}

func (r *record) failed() bool { return r.ExitCode != checks.ExitHealthy }

// finished is when the diagnosis ended.
func (r *record) finished() time.Time { return r.At.Add(r.Duration) }

// history keeps the last probe of each target, and the last failures
// longer: a target that failed at 3 a.m. and recovered keeps its report
// on the page until KeepFailures newer failures push it out.
type history struct {
	mu       sync.Mutex
	keep     int
	last     map[string]*record
	failures []*record // newest first
}

func newHistory(keep int) *history {
	return &history{keep: keep, last: map[string]*record{}}
}

func (h *history) add(r *record) {
	h.mu.Lock()
	defer h.mu.Unlock()
	// The status page needs the text, not the metrics.
	kept := *r
	kept.facts = nil
	h.last[r.Target] = &kept
	if r.failed() {
		h.failures = slices.Insert(h.failures, 0, &kept)
		if len(h.failures) > h.keep {
			h.failures = h.failures[:h.keep]
		}
	}
}

// keepOnly forgets the last result of targets no longer configured; their
// failures stay, as history.
func (h *history) keepOnly(names []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for n := range h.last {
		if !slices.Contains(names, n) {
			delete(h.last, n)
		}
	}
}

func (h *history) snapshot() (map[string]*record, []*record) {
	h.mu.Lock()
	defer h.mu.Unlock()
	last := make(map[string]*record, len(h.last))
	for k, v := range h.last {
		last[k] = v
	}
	return last, slices.Clone(h.failures)
}
