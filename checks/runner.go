package checks

import (
	"context"
	"crypto/x509"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/internal/truststore"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

// Env holds what the runner takes from the outside world, so tests can
// substitute it.
type Env struct {
	Now        func() time.Time
	Dial       func(ctx context.Context, network, addr string) (net.Conn, error)
	Roots      *x509.CertPool // nil = the system's roots
	ResolvConf string         // path; "" = /etc/resolv.conf
	Version    string         // the tool's version, for user_agent
	// MemberConcurrency bounds how many cluster members are checked at once.
	MemberConcurrency int
	// TrustSearch, when set, is where the tls check looks for the trust
	// stores applications on this machine use, to say which accept the
	// server's chain; nil judges only the system store (Roots), --ca-file
	// and --trust-store. The CLI sets truststore.Default(); tests a tree
	// of their own.
	TrustSearch *truststore.Search
	// Getenv reads the environment of the machine the doctor runs on: the
	// proxy variables (HTTPS_PROXY, ...) and KUBERNETES_SERVICE_HOST. nil
	// reads nothing, so a library caller or a test gets a verdict that
	// does not depend on the machine; MachineEnv sets it.
	Getenv func(string) string
	// DockerEnvFile and CgroupFile are where the run looks for signs that
	// it runs in a container (/.dockerenv, /proc/1/cgroup); "" looks
	// nowhere. MachineEnv sets them.
	DockerEnvFile, CgroupFile string
	// FallbackPort is the port tried on the host after its Bolt port
	// failed, to tell a network that lets only HTTPS out; 0 is 443.
	// Tests, which cannot listen on 443, set another.
	FallbackPort int
	// Memory is what a long-lived process remembers between diagnoses
	// (serve, watch, --wait, --targets): nil makes every diagnosis cold.
	Memory *Memory

	// wire counts what a diagnosis costs the server; Diagnose sets it,
	// and a member's run, sharing the Env, adds to it.
	wire *wireCount
}

// MachineEnv is the Env of a command run on this machine: the process's
// environment through getenv, and the container signs where Linux and
// Docker keep them.
func MachineEnv(version string, getenv func(string) string) *Env {
	return &Env{Version: version, Getenv: getenv, DockerEnvFile: "/.dockerenv", CgroupFile: "/proc/1/cgroup"}
}

func (e *Env) withDefaults() *Env {
	c := *e
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Dial == nil {
		d := &net.Dialer{}
		c.Dial = d.DialContext
	}
	if c.ResolvConf == "" {
		c.ResolvConf = "/etc/resolv.conf"
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	if c.MemberConcurrency <= 0 {
		c.MemberConcurrency = 16
	}
	if c.Getenv == nil {
		c.Getenv = func(string) string { return "" }
	}
	if c.FallbackPort <= 0 {
		c.FallbackPort = 443
	}
	return &c
}

// Run is the state of one diagnosis. Each check writes only its own fields
// and reads only those of the checks it Needs or runs After, so the
// channel that marks a check done is all the synchronisation there is.
// The connections belong to the session, which hands each check the
// outcome of its step.
type Run struct {
	T   *Target
	Env *Env
	s   *session

	// seed is, for a member's run, the address the user typed: drivers
	// send it as the routing context on every connection.
	seed   string
	member bool // this run checks one member of a cluster
	// seedAgent is, for a member's run, the agent the server in the URI
	// gave: a cluster's members are of one generation, so a member's
	// hints name that generation's settings before (or without) its own
	// HELLO.
	seedAgent string
	// memberChecks are the checks each member gets (Check.Member).
	memberChecks []Check
	// remembered and rememberedAgent are, on a warm run, the routing
	// table and server agent the process's last diagnosis of the target
	// found (Env.Memory); nil and "" on a cold run.
	remembered      *routing.Table
	rememberedAgent string
	// warm holds the member probes a warm run started with the seed's.
	warm *warmProbes
	// tableChange is how the fresh table differs from the remembered one.
	tableChange *TableChange

	// dns
	Addrs        []net.IP
	resolver     *net.Resolver
	resolverOnce sync.Once
	// auth
	hello *bolt.HelloResult
	// routing
	table       *routing.Table
	tableMethod string
	tableRaw    map[string]any // as the server sent it, when ROUTE brought it
	// directTable is a bolt:// server's own table when it is one member of
	// a cluster.
	directTable *routing.Table
	// members
	members []Member
	// access
	access *AccessInfo
	// idle
	idle *IdleInfo
	// tls: which trust stores accept the chain
	trustStores   []truststore.Verdict
	progress      func(IdleProgress) // Options.IdleProgress
	progressEvery time.Duration

	noResponse bool // nothing answered in time: exit 2, not 1

	// list is what Execute runs; leftOut (by Diagnose: --checks, --skip)
	// says which of them do not, so the first flight carries only what a
	// check that runs asked for.
	list    []Check
	leftOut map[string]string

	results   map[string]*Result
	resultsMu sync.Mutex // guards results and blocked
	// done closes each check's channel when it finished: a check that
	// reads another's fields without running After it waits here (await).
	done map[string]chan struct{}
	// http: what the http check found, for the websocket check
	http *httpOutcome
	// websocket
	ws *wsOutcome
	// blocked holds the checks that failed, or were skipped because
	// something they need failed, each with the failed check at the root
	// of the chain: bolt skipped because tls failed, then version skipped
	// because bolt was, are both "tls".
	blocked map[string]string
}

func newRun(t *Target, env *Env) *Run {
	r := &Run{T: t, Env: env}
	r.s = &session{r: r}
	return r
}

// Close releases the connections a run kept open.
func (r *Run) Close() { r.s.close() }

// Execute runs checks, each as soon as what it needs is done, and returns
// the results in the order of list.
func Execute(ctx context.Context, r *Run, list []Check) []Result {
	done := make(map[string]chan struct{}, len(list))
	r.list = list
	for _, c := range list {
		done[c.ID] = make(chan struct{})
	}
	r.done = done
	r.results = make(map[string]*Result, len(list))
	r.blocked = make(map[string]string, len(list))
	if r.remembered != nil && !r.member {
		for _, c := range list {
			if c.Warm != nil && r.willRun(c.ID) {
				c.Warm(ctx, r)
			}
		}
	}
	var wg sync.WaitGroup
	for _, c := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[c.ID])
			var root string // the failed check at the root of the chain that blocks this one
			for _, dep := range append(append([]string(nil), c.Needs...), c.After...) {
				ch, ok := done[dep]
				if !ok {
					continue
				}
				<-ch
			}
			r.resultsMu.Lock()
			for _, dep := range c.Needs {
				if r.blocked[dep] != "" && root == "" {
					root = r.blocked[dep]
				}
			}
			r.resultsMu.Unlock()
			var res Result
			switch why, out := r.leftOut[c.ID]; {
			case root != "":
				res = Result{Status: Skip, Code: CodeBlocked, Summary: "not run: " + root + " failed"}
			case out:
				res = Result{Status: Skip, Code: CodeLeftOut, Summary: "not run: " + why}
			default:
				start := r.Env.Now()
				res = c.Run(ctx, r)
				res.Duration = r.Env.Now().Sub(start)
				if res.Status == Fail && ctx.Err() != nil {
					// The failure is ours, not the server's: say so
					// rather than blame the network.
					res.Code = CodeInterrupted
					res.Summary = "interrupted before " + c.ID + " finished"
					res.Hints = []string{"the run was cancelled (Ctrl-C or a deadline); run it again to finish the diagnosis"}
				}
			}
			res.ID, res.Title = c.ID, c.Title
			r.resultsMu.Lock()
			r.results[c.ID] = &res
			switch {
			case root != "":
				r.blocked[c.ID] = root
			case res.Status == Fail:
				r.blocked[c.ID] = c.ID
			}
			r.resultsMu.Unlock()
		}()
	}
	wg.Wait()
	out := make([]Result, 0, len(list))
	for _, c := range list {
		out = append(out, normalise(*r.results[c.ID]))
	}
	return out
}

// finished reports whether check id of the run's list is done, so that
// its fields may be read; false for a check not in the list.
func (r *Run) finished(id string) bool {
	ch, ok := r.done[id]
	if !ok {
		return false
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// resultOf is the result of check id, once it is done (see await); nil
// before.
func (r *Run) resultOf(id string) *Result {
	r.resultsMu.Lock()
	defer r.resultsMu.Unlock()
	return r.results[id]
}

// await waits until every check of ids in the run's list is done, or
// ctx ends; a check reads another's fields only after await returned nil
// (or after running After it).
func (r *Run) await(ctx context.Context, ids ...string) error {
	for _, id := range ids {
		ch, ok := r.done[id]
		if !ok {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// pathDone is closed when every check of the run but those in except is
// done: the Bolt path's end, for a check that runs beside it.
func (r *Run) pathDone(except ...string) <-chan struct{} {
	out := make(chan struct{})
	var ids []string
	for _, c := range r.list {
		if !slices.Contains(except, c.ID) {
			ids = append(ids, c.ID)
		}
	}
	go func() {
		defer close(out)
		_ = r.await(context.Background(), ids...)
	}()
	return out
}

// willRun reports whether check id is in the run's list and not left out
// by --checks or --skip. It may still be skipped when a check it needs
// fails.
func (r *Run) willRun(id string) bool {
	if _, out := r.leftOut[id]; out {
		return false
	}
	for _, c := range r.list {
		if c.ID == id {
			return true
		}
	}
	return false
}

// normalise makes empty lists empty rather than nil, so JSON has [] not
// null, and keeps the error's text for the report.
func normalise(res Result) Result {
	if res.Facts == nil {
		res.Facts = []Fact{}
	}
	if res.Evidence == nil {
		res.Evidence = []Fact{}
	}
	if res.Hints == nil {
		res.Hints = []string{}
	}
	if res.Error == "" && res.Err != nil {
		res.Error = res.Err.Error()
	}
	return res
}
