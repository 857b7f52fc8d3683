package checks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/internal/aura"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

var idleCheck = Check{
	ID: "idle", Title: "idle connections", Needs: []string{"auth"}, After: []string{"routing"},
	Doc: "opt-in: `--idle-probe D1,D2,...`; one connection per duration, all at once, to the writer the routing table names (`neo4j://`) or the server reached (`bolt://`), " +
		"TCP keep-alive off, each left idle for its duration and then sent RESET: answered, reset (something between cut it) or silent (dropped without a word); " +
		"the longest idle time that was safe, the shortest that failed, and the driver settings that keep pooled connections below it",
	Codes: []Code{
		{ID: "idle.reset", Doc: "a connection left idle was closed (RST or EOF) before its request: something between this machine and the server cuts idle connections"},
		{ID: "idle.silent", Doc: "a connection left idle got no answer to its request: something between this machine and the server drops idle flows without a word, which applications see as a hang"},
		{ID: "idle.connect_failed", Doc: "no idle-probe connection could be opened: the evidence names the step that failed"},
	},
	OptIn:     func(t *Target) bool { return len(t.IdleProbe) > 0 },
	OptInHint: "give the idle times to try with --idle-probe, e.g. `--idle-probe 30s,2m,6m,61m` (idleProbe: in a targets file)",
	Run:       checkIdle,
}

// Limits of --idle-probe.
const (
	MaxIdleProbes = 8
	MinIdleProbe  = time.Millisecond // scaled time, for tests and the demo
	MaxIdleProbe  = 24 * time.Hour
	// minIdleDeadline is the least an idle connection's RESET waits for
	// its answer: --timeout, but never less than this.
	minIdleDeadline = 2 * time.Second
	// DefaultIdleProgressEvery is how often the idle probe reports its
	// countdown when Options does not say.
	DefaultIdleProgressEvery = 10 * time.Second
)

const idleProbeHint = "--idle-probe takes up to 8 durations from 1ms to 24h, such as 30s,2m,6m,61m"

// ParseIdleProbe reads a comma list of durations as --idle-probe (or a
// targets file's idleProbe:, named by name) takes it: sorted, without
// duplicates, at most MaxIdleProbes, each from MinIdleProbe to
// MaxIdleProbe. Every error is an *InputError.
func ParseIdleProbe(name string, list []string) ([]time.Duration, error) {
	hint := strings.Replace(idleProbeHint, "--idle-probe", name, 1)
	var out []time.Duration
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, inputErr(hint, "%s has an empty duration", name)
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, inputErr(hint, "%s: %q is not a duration", name, clipDuration(s))
		}
		out = append(out, d)
	}
	return NormaliseIdleProbe(name, out)
}

func clipDuration(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

// NormaliseIdleProbe sorts and deduplicates durations and holds them to
// the limits ParseIdleProbe states; name is the flag or key, for the
// message. Every error is an *InputError.
func NormaliseIdleProbe(name string, ds []time.Duration) ([]time.Duration, error) {
	hint := strings.Replace(idleProbeHint, "--idle-probe", name, 1)
	if len(ds) == 0 {
		return nil, inputErr(hint, "%s has no duration", name)
	}
	out := slices.Clone(ds)
	slices.Sort(out)
	out = slices.Compact(out)
	for _, d := range out {
		switch {
		case d < MinIdleProbe:
			return nil, inputErr(hint, "%s: %s is shorter than 1ms", name, IdleString(d))
		case d > MaxIdleProbe:
			return nil, inputErr(hint, "%s: %s is longer than 24h", name, IdleString(d))
		}
	}
	if len(out) > MaxIdleProbes {
		return nil, inputErr(hint, "%s has %d durations; at most %d connections are left idle at once", name, len(out), MaxIdleProbes)
	}
	return out, nil
}

// IdleString writes an idle time as people write it: 30s, 2m, 61m, 1h,
// 1h30m, 500ms (not time.Duration's 2m0s).
func IdleString(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// The outcomes of one idle connection (IdleProbe.Outcome).
const (
	IdleAnswered    = "answered"    // RESET was answered: the connection survived the idle time
	IdleReset       = "reset"       // RST, EOF or a failed write: something closed it
	IdleSilent      = "silent"      // no answer before the deadline: the flow was dropped without a word
	IdleNotOpened   = "not_opened"  // the connection could not be opened and logged in
	IdleInterrupted = "interrupted" // the run was cancelled before the idle time was up
)

// IdleProbe is one connection the idle check left idle.
type IdleProbe struct {
	Idle    time.Duration // how long it was left idle
	Outcome string        // IdleAnswered, IdleReset, IdleSilent, IdleNotOpened or IdleInterrupted
	// After is how long the answer (or the failure) took once RESET was
	// sent; the deadline for IdleSilent; 0 when RESET was not sent.
	After time.Duration
	Err   error   // what failed; nil when answered
	step  *Result // IdleNotOpened: the connection step that failed
}

// IdleInfo is what the idle check measured, typed for programs (the JSON
// report, the exporter); the report says it in words. Nil when the check
// did not measure (not asked for, or it did not run).
type IdleInfo struct {
	Server string // host:port the connections went to
	Writer bool   // Server is the writer the routing table names
	// KeepAlive reports whether TCP keep-alive may have been on for the
	// probe's connections: false, as the probe turns it off, unless a
	// connection was not a TCP socket of this process (a test's dialler).
	KeepAlive bool
	Probes    []IdleProbe // by idle time, shortest first
	// Safe is the longest idle time that was answered and shorter than
	// any that failed; 0 when none was. Cut is the shortest idle time that
	// failed (reset or silent); 0 when none did.
	Safe, Cut time.Duration
	// RecvTimeout is HELLO's connection.recv_timeout_seconds hint; 0 when
	// the server sent none.
	RecvTimeout time.Duration
	// Interrupted: the run was cancelled before every idle time was up.
	Interrupted bool
}

// Measured reports whether any connection's idle time was measured
// (answered, reset or silent).
func (i *IdleInfo) Measured() bool {
	return i != nil && slices.ContainsFunc(i.Probes, func(p IdleProbe) bool { return p.measured() })
}

func (p IdleProbe) measured() bool {
	return p.Outcome == IdleAnswered || p.Outcome == IdleReset || p.Outcome == IdleSilent
}

func (p IdleProbe) failed() bool { return p.Outcome == IdleReset || p.Outcome == IdleSilent }

// bracket fills Safe and Cut from the probes.
func (i *IdleInfo) bracket() {
	i.Safe, i.Cut = 0, 0
	for _, p := range i.Probes {
		if p.failed() && (i.Cut == 0 || p.Idle < i.Cut) {
			i.Cut = p.Idle
		}
	}
	for _, p := range i.Probes {
		if p.Outcome == IdleAnswered && (i.Cut == 0 || p.Idle < i.Cut) && p.Idle > i.Safe {
			i.Safe = p.Idle
		}
	}
}

// IdleProgress is what the idle probe reports while it waits (see
// Options.IdleProgress): when its connections are open, at each
// countdown tick, and as each idle time is up.
type IdleProgress struct {
	Server  string
	Elapsed time.Duration // since the connections went idle
	// Waiting are the idle times still to come, shortest first.
	Waiting []time.Duration
	// Done is the connection whose idle time just ended, on that event;
	// nil on the others.
	Done *IdleProbe
	// Opened is set on the first event, when every connection is open.
	Opened bool
}

// Remaining is how long until the longest idle time is up.
func (p IdleProgress) Remaining() time.Duration {
	if len(p.Waiting) == 0 {
		return 0
	}
	return max(p.Waiting[len(p.Waiting)-1]-p.Elapsed, 0)
}

// idleTarget is the server the idle probe goes to: the writer the routing
// table names for neo4j://, else the server in the URI.
func (r *Run) idleTarget() (addr string, writer bool) {
	if r.T.Routing && r.table != nil && len(r.table.Writers) > 0 {
		return r.table.Writers[0], true
	}
	return r.T.Address(), false
}

// idleEnv is the run's environment with TCP keep-alive off on every
// connection it dials: drivers' pooled connections send no keep-alive
// for hours, and Go's default of every 15 s would hide what is measured.
// off reports whether every connection dialled had it turned off.
func (r *Run) idleEnv(off *keepAliveOff) *Env {
	env := *r.Env
	dial := r.Env.Dial
	env.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err == nil {
			tc, ok := c.(*net.TCPConn)
			off.note(ok && tc.SetKeepAlive(false) == nil)
		}
		return c, err
	}
	return &env
}

// keepAliveOff remembers whether keep-alive could be turned off on every
// connection the probe dialled.
type keepAliveOff struct {
	mu     sync.Mutex
	failed bool // a connection kept what the dialler set
}

func (k *keepAliveOff) note(ok bool) {
	k.mu.Lock()
	k.failed = k.failed || !ok
	k.mu.Unlock()
}

func (k *keepAliveOff) on() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.failed
}

// idleOutcome is what the idle step found, for judgeIdle.
type idleOutcome struct {
	info   IdleInfo
	host   string // the host the connections went to, for Aura's limit
	hinted bool   // the server sent HELLO hints at all (4.3+)
}

func checkIdle(ctx context.Context, r *Run) Result {
	addr, writer := r.idleTarget()
	out := idleOutcome{info: IdleInfo{Server: addr, Writer: writer}}
	host, port, err := routing.SplitAddress(addr)
	if err != nil {
		res := malformedMember(addr, say{r.serverGen()})
		for _, d := range r.T.IdleProbe {
			out.info.Probes = append(out.info.Probes, IdleProbe{Idle: d, Outcome: IdleNotOpened, Err: err, step: &res})
		}
		r.idle = &out.info
		return judgeIdle(r.T, out)
	}
	out.host = host
	var ka keepAliveOff
	probes, hello := r.measureIdle(ctx, host, port, r.idleEnv(&ka))
	out.info.Probes = probes
	out.info.KeepAlive = ka.on()
	if hello != nil {
		out.hinted = hello.Hints != nil
		out.info.RecvTimeout = recvTimeout(hello.Hints)
	}
	out.info.Interrupted = slices.ContainsFunc(probes, func(p IdleProbe) bool { return p.Outcome == IdleInterrupted })
	out.info.bracket()
	r.idle = &out.info
	return judgeIdle(r.T, out)
}

// recvTimeout reads HELLO's connection.recv_timeout_seconds hint.
func recvTimeout(hints map[string]any) time.Duration {
	switch v := hints["connection.recv_timeout_seconds"].(type) {
	case int64:
		if v > 0 && v < 1<<31 {
			return time.Duration(v) * time.Second
		}
	case float64:
		if v > 0 && v < 1<<31 {
			return time.Duration(v * float64(time.Second))
		}
	}
	return 0
}

// idleEvent is one connection's news for the waiting loop.
type idleEvent struct {
	i      int
	opened bool // the login answered: the connection is idle from now
	probe  IdleProbe
	hello  *bolt.HelloResult
}

// measureIdle opens one connection per idle time, all at once, each with
// the connection steps a member gets (dns to auth) on a run of its own,
// leaves each idle for its time and then sends RESET. It reports progress
// through r.progress while it waits, and returns when every connection
// is done or ctx is cancelled (those still waiting are IdleInterrupted).
func (r *Run) measureIdle(ctx context.Context, host string, port int, env *Env) ([]IdleProbe, *bolt.HelloResult) {
	ds := r.T.IdleProbe
	probes := make([]IdleProbe, len(ds))
	events := make(chan idleEvent, 2*len(ds))
	deadline := max(r.T.Timeout, minIdleDeadline)
	var wg sync.WaitGroup
	for i, d := range ds {
		probes[i] = IdleProbe{Idle: d, Outcome: IdleInterrupted}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.idleConnection(ctx, host, port, env, i, d, deadline, events)
		}()
	}
	go func() { wg.Wait(); close(events) }()

	var hello *bolt.HelloResult
	var idleSince time.Time
	waiting := map[int]bool{}  // open and idle
	resolved := map[int]bool{} // open, or failed to open
	announced := false
	every := r.progressEvery
	if every <= 0 {
		every = DefaultIdleProgressEvery
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	report := func(p IdleProgress) {
		if r.progress == nil {
			return
		}
		p.Server = net.JoinHostPort(host, strconv.Itoa(port))
		if !idleSince.IsZero() {
			p.Elapsed = time.Since(idleSince)
		}
		for i, d := range ds {
			if waiting[i] {
				p.Waiting = append(p.Waiting, d)
			}
		}
		r.progress(p)
	}
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return probes, hello
			}
			if ev.opened {
				waiting[ev.i] = true
				if hello == nil && ev.hello != nil {
					hello = ev.hello
				}
				if idleSince.IsZero() {
					idleSince = time.Now()
				}
			} else {
				delete(waiting, ev.i)
				probes[ev.i] = ev.probe
			}
			resolved[ev.i] = true
			if !announced && len(resolved) == len(ds) {
				announced = true
				if len(waiting) > 0 {
					report(IdleProgress{Opened: true})
				}
			}
			if !ev.opened && ev.probe.measured() {
				p := ev.probe
				report(IdleProgress{Done: &p})
			}
		case <-tick.C:
			// The countdown starts once every connection is open (or
			// failed): the opening is the first event people see.
			if announced && len(waiting) > 0 {
				report(IdleProgress{})
			}
		}
	}
}

// idleConnection is one probe connection: the connection steps, then the
// wait and the RESET, each reported on events.
func (r *Run) idleConnection(ctx context.Context, host string, port int, env *Env, i int, d, deadline time.Duration, events chan<- idleEvent) {
	sub := r.memberRun(host, port, env)
	defer sub.Close()
	probe := IdleProbe{Idle: d, Outcome: IdleInterrupted}
	wait := Check{ID: "idle-wait", Title: "idle wait", Needs: []string{"auth"}, Run: func(ctx context.Context, sub *Run) Result {
		events <- idleEvent{i: i, opened: true, hello: sub.hello}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return Result{Status: Pass}
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(ctx, deadline)
		defer cancel()
		sent := time.Now()
		err := sub.Bolt().Reset(rctx)
		probe.After = time.Since(sent)
		probe.Outcome, probe.Err = classifyIdle(err), err
		if probe.Outcome == IdleSilent {
			probe.After = deadline
		}
		return Result{Status: Pass}
	}}
	for _, res := range Execute(ctx, sub, append(slices.Clone(r.memberChecks), wait)) {
		if res.Status == Fail && res.ID != "idle-wait" {
			if ctx.Err() == nil {
				probe.Outcome, probe.Err = IdleNotOpened, res.Err
				step := res
				probe.step = &step
			}
			break
		}
	}
	events <- idleEvent{i: i, probe: probe}
}

// classifyIdle says what became of an idle connection from RESET's
// outcome: any answer, even a FAILURE, means the connection lived.
func classifyIdle(err error) string {
	var se *bolt.ServerError
	switch {
	case err == nil, errors.As(err, &se):
		return IdleAnswered
	case errors.Is(err, context.Canceled):
		return IdleInterrupted
	case errors.Is(err, bolt.ErrSilent), errors.Is(err, bolt.ErrStalled), errors.Is(err, bolt.ErrNotReading):
		return IdleSilent
	}
	return IdleReset
}

// knownLimit is an idle timeout some infrastructure is known to have.
type knownLimit struct {
	at   time.Duration
	what string
	aura bool // only on Aura hosts
}

var knownLimits = []knownLimit{
	{at: 240 * time.Second, what: "Azure's load balancer drops idle flows after 4 minutes by default"},
	{at: 350 * time.Second, what: "AWS load balancers cut idle flows after 350 s"},
	{at: 60 * time.Minute, what: "Aura closes connections idle for 60 minutes", aura: true},
}

// matchLimits are the known limits inside the bracket (Safe, Cut].
func matchLimits(info IdleInfo, host string) []knownLimit {
	if info.Cut == 0 {
		return nil
	}
	var out []knownLimit
	for _, l := range knownLimits {
		if l.aura && !aura.IsHost(host) {
			continue
		}
		if info.Safe < l.at && l.at <= info.Cut {
			out = append(out, l)
		}
	}
	return out
}

// The driver settings hints name, checked against each driver's source
// (neo4j-python-driver, neo4j-javascript-driver, neo4j-java-driver,
// neo4j-go-driver, neo4j-dotnet-driver, October 2024): the maximum
// lifetime of a pooled connection (1 hour by default in every driver),
// and the idle time after which a pooled connection is tested before use
// (off by default; Java since 1.1, the others since 5.16). They are not
// in backticks: each takes a value in the driver's own syntax.
const (
	lifetimeSettings = "max_connection_lifetime (Python), maxConnectionLifetime (JavaScript), withMaxConnectionLifetime (Java), " +
		"MaxConnectionLifetime (Go), WithMaxConnectionLifetime (.NET)"
	livenessSettings = "liveness_check_timeout (Python), connectionLivenessCheckTimeout (JavaScript), withConnectionLivenessCheckTimeout (Java), " +
		"ConnectionLivenessCheckTimeout (Go), WithConnectionLivenessCheckTimeout (.NET), each since 5.16 (Java since 1.1)"
)

// keepAliveFact says how the connections were measured, and why that is
// how drivers behave: Python (keep_alive), Java, JavaScript and .NET
// (SocketKeepAlive) turn SO_KEEPALIVE on with the operating system's
// timing, whose first probe comes after 2 hours idle on Linux, macOS and
// Windows; the Go driver dials with net.Dialer's default, a probe every
// 15 s (SocketKeepalive, on by default).
const keepAliveFact = "off, as the Python, Java, JavaScript and .NET drivers' pooled connections behave for their first 2 hours idle " +
	"(the operating system's default); the Go driver's probe every 15 s would hide an idle limit"

// judgeIdle turns the idle step's outcome into the check's verdict.
func judgeIdle(t *Target, out idleOutcome) Result {
	info := out.info
	res := Result{Status: Pass}
	where := info.Server
	if info.Writer {
		where += " (the writer)"
	}
	res.Facts = append(res.Facts, Fact{Name: "server", Value: where})
	if t != nil && t.Routing && !info.Writer {
		res.Facts = append(res.Facts, Fact{Name: "note", Value: "the routing table named no writer: the probe went to the server in the URI"})
	}
	if info.KeepAlive {
		res.Facts = append(res.Facts, Fact{Name: "TCP keep-alive", Value: "as the dialler left it: a connection was not a TCP socket of this process"})
	} else {
		res.Facts = append(res.Facts, Fact{Name: "TCP keep-alive", Value: keepAliveFact})
	}
	var notOpened []IdleProbe
	for _, p := range info.Probes {
		res.Facts = append(res.Facts, Fact{Name: "idle " + IdleString(p.Idle), Value: probeWords(p)})
		if p.Err != nil && p.Outcome != IdleAnswered && p.Outcome != IdleInterrupted {
			res.Evidence = append(res.Evidence, Fact{Name: "idle " + IdleString(p.Idle) + " error", Value: p.Err.Error(), Verbose: true})
		}
		if p.Outcome == IdleNotOpened {
			notOpened = append(notOpened, p)
		}
	}
	res.Facts = append(res.Facts, Fact{Name: "server keep-alive", Value: serverKeepAlive(info, out.hinted)})

	if !info.Measured() {
		if info.Interrupted && len(notOpened) == 0 {
			res.Status, res.Code = Skip, CodeInterrupted
			res.Summary = "interrupted before any idle time was up"
			return res
		}
		res.raise(Fail, "idle.connect_failed")
		first := notOpened[0]
		step := first.step
		res.Summary = fmt.Sprintf("no idle-probe connection could be opened to %s", info.Server)
		if step != nil {
			res.Summary += ": " + strings.TrimPrefix(step.Summary, info.Server+": ")
			res.Hints = []string{fmt.Sprintf("the %s step failed on the probe's own connection, as the evidence shows; run neo4j-doctor against %s itself to see why", step.ID, info.Server)}
			for _, e := range step.Evidence {
				res.Evidence = append(res.Evidence, Fact{Name: step.ID + " " + e.Name, Value: e.Value, Verbose: e.Verbose})
			}
		} else {
			res.Hints = []string{"run neo4j-doctor against " + info.Server + " itself to see why"}
		}
		return res
	}

	limits := matchLimits(info, out.host)
	if len(limits) > 0 {
		var ws []string
		for _, l := range limits {
			ws = append(ws, l.what)
		}
		res.Facts = append(res.Facts, Fact{Name: "known limit", Value: strings.Join(ws, "; ")})
	}
	longest := time.Duration(0)
	for _, p := range info.Probes {
		if p.measured() {
			longest = max(longest, p.Idle)
		}
	}
	var untried []string
	for _, p := range info.Probes {
		if p.Outcome == IdleInterrupted {
			untried = append(untried, IdleString(p.Idle))
		}
	}
	if info.Cut == 0 {
		res.Summary = "every idle connection answered, up to " + IdleString(longest)
		if len(untried) > 0 {
			res.Status, res.Code = Skip, CodeInterrupted
			res.Summary = "interrupted: every idle connection measured answered, up to " + IdleString(longest) + "; " + strings.Join(untried, ", ") + " not measured"
		}
		if len(notOpened) > 0 {
			res.Summary += fmt.Sprintf("; %d could not be opened", len(notOpened))
		}
		return res
	}

	silent := false
	for _, p := range info.Probes {
		if p.Idle == info.Cut && p.Outcome == IdleSilent {
			silent = true
		}
	}
	code, verb, what := "idle.reset", "cut", "reset at "+IdleString(info.Cut)
	if silent {
		code, verb, what = "idle.silent", "dropped", "no answer at "+IdleString(info.Cut)
	}
	res.raise(Warn, code)
	span := "between " + IdleString(info.Safe) + " and " + IdleString(info.Cut)
	if info.Safe == 0 {
		span = "at " + IdleString(info.Cut) + " or sooner"
	}
	res.Summary = fmt.Sprintf("idle connections are %s %s", verb, span)
	if len(limits) > 0 {
		res.Summary += " (" + limits[0].what + ")"
	}
	res.Summary += ": " + what

	below := IdleString(info.Safe)
	if info.Safe == 0 {
		res.Hints = append(res.Hints, fmt.Sprintf("even the shortest idle time tried (%s) failed: run again with shorter ones, e.g. `--idle-probe %s`, "+
			"and set the maximum connection lifetime below the longest that is answered: %s", IdleString(info.Cut), shorterProbes(info.Cut), driverSettingWords(t, topicLifetime, lifetimeSettings)))
	} else {
		res.Hints = append(res.Hints, fmt.Sprintf("set the maximum connection lifetime below %s: %s", below, driverSettingWords(t, topicLifetime, lifetimeSettings)))
		liveness := fmt.Sprintf("or keep the lifetime and have the driver test connections idle for longer than %s before use: %s", below, driverSettingWords(t, topicLiveness, livenessSettings))
		if t == nil || t.Driver == "" || t.Driver == "dotnet" {
			liveness += "; in .NET, WithConnectionIdleTimeout closes them instead"
		}
		res.Hints = append(res.Hints, liveness)
	}
	if silent {
		res.Hints = append(res.Hints, "a silent drop is the worse case: the application's next query on such a connection is sent into nothing and waits "+
			"for an answer until a timeout fires (the server's connection.recv_timeout_seconds, for drivers that honour it, "+
			"else the operating system's retransmissions, about 15 minutes on Linux), instead of failing at once and being retried")
	}
	res.Hints = append(res.Hints, "the Go driver's TCP keep-alive (a probe every 15 s, on by default) may keep its connections through this device; "+
		"the other drivers' first probe comes after 2 hours, too late")
	return res
}

// shorterProbes suggests idle times below cut to find the limit.
func shorterProbes(cut time.Duration) string {
	var out []string
	for _, f := range []time.Duration{8, 4, 2} {
		d := cut / f
		d = d.Round(roundTo(d))
		if d >= MinIdleProbe && (len(out) == 0 || out[len(out)-1] != IdleString(d)) {
			out = append(out, IdleString(d))
		}
	}
	return strings.Join(out, ",")
}

// roundTo is the unit a suggested idle time is rounded to; 0 keeps it.
func roundTo(d time.Duration) time.Duration {
	switch {
	case d >= 2*time.Minute:
		return time.Minute
	case d >= 2*time.Second:
		return time.Second
	case d >= 10*time.Millisecond:
		return 10 * time.Millisecond
	}
	return 0
}

// probeWords says what became of one connection.
func probeWords(p IdleProbe) string {
	switch p.Outcome {
	case IdleAnswered:
		return fmt.Sprintf("answered: RESET answered in %s", roundDur(p.After))
	case IdleReset:
		switch {
		case errors.Is(p.Err, bolt.ErrReset):
			return "reset: the connection was reset (RST) when RESET was sent"
		case errors.Is(p.Err, bolt.ErrClosed):
			return "reset: the connection was closed (EOF) when RESET was sent"
		}
		return "reset: the connection broke when RESET was sent"
	case IdleSilent:
		return fmt.Sprintf("silent: no answer to RESET in %s", p.After)
	case IdleNotOpened:
		if p.step != nil {
			return "not opened: " + p.step.ID + " failed: " + p.step.Summary
		}
		return "not opened"
	}
	return "not measured (interrupted)"
}

// serverKeepAlive says what the server's own keep-alive does for an idle
// connection: Neo4j sends NOOPs only while a request is processed
// (server.bolt.connection_keep_alive_for_requests; KeepAliveHandler in
// its Bolt server), never on a connection idle in a driver's pool.
func serverKeepAlive(info IdleInfo, hinted bool) string {
	const idle = "none on a connection idle in a pool: they protect long queries, not idle connections"
	switch {
	case info.RecvTimeout > 0:
		return fmt.Sprintf("connection.recv_timeout_seconds=%d (HELLO hints): the server sends NOOPs that often while a request runs, %s",
			int64(info.RecvTimeout/time.Second), idle)
	case hinted:
		return "HELLO gives no connection.recv_timeout_seconds: the server sends NOOPs only while results stream, if at all, " + idle
	}
	return "the server gives no HELLO hints (before 4.3): it sends NOOPs only while results stream, if at all, " + idle
}
