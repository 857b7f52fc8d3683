package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"sync"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"
)

// Check is one step of the diagnosis.
type Check struct {
	ID    string
	Title string
	// Needs lists checks that must not have failed (or been blocked);
	// otherwise this check is skipped.
	Needs []string
	// After lists checks that must finish first without being required to
	// pass: ordering only, e.g. two checks sharing one Bolt connection.
	After []string
	Run   func(ctx context.Context, r *Run) Result
}

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
	return &c
}

// Run is the state of one diagnosis. Each check writes only its own fields
// and reads only those of the checks it Needs or runs After, so the
// channel that marks a check done is all the synchronisation there is.
type Run struct {
	T   *Target
	Env *Env

	// dns
	Addrs    []net.IP
	resolver *net.Resolver
	// tcp
	conn     net.Conn
	connAddr string
	// tls
	tls     *tlsprobe.Result
	tlsConn *tls.Conn // nil unless credentials may go over it
	// bolt
	hs    bolt.HandshakeResult
	bconn *bolt.Conn
	// auth
	hello *bolt.HelloResult
	// routing
	table *routing.Table
	// members
	members []Member
	member  bool // this run checks one member of a cluster

	noResponse bool // nothing answered in time: exit 2, not 1

	// listed (by Execute) and leftOut (by Diagnose: --checks, --skip) say
	// which checks run, so a request can be sent ahead of its check.
	listed  map[string]bool
	leftOut map[string]string

	results map[string]*Result
	blocked map[string]bool // failed, or skipped because something it needs failed
}

// Close releases the connections a run kept open.
func (r *Run) Close() {
	// The listing connection is read only by the bolt check; when that
	// check never ran (tls failed, --skip bolt) or stopped waiting, end it
	// here rather than let it run out its own timeout after the report.
	if r.T != nil && r.T.stopListing != nil {
		r.T.stopListing()
		<-r.T.listingDone
	}
	if r.bconn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_ = r.bconn.Goodbye(ctx)
		cancel()
		_ = r.bconn.Close()
	} else if r.tlsConn != nil {
		_ = r.tlsConn.Close()
	} else if r.conn != nil {
		_ = r.conn.Close()
	}
}

// Execute runs checks, each as soon as what it needs is done, and returns
// the results in the order of list.
func Execute(ctx context.Context, r *Run, list []Check) []Result {
	done := make(map[string]chan struct{}, len(list))
	r.listed = make(map[string]bool, len(list))
	for _, c := range list {
		done[c.ID] = make(chan struct{})
		r.listed[c.ID] = true
	}
	r.results = make(map[string]*Result, len(list))
	r.blocked = make(map[string]bool, len(list))
	var mu sync.Mutex // guards results and blocked
	var wg sync.WaitGroup
	for _, c := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[c.ID])
			var blockedBy string
			for _, dep := range append(append([]string(nil), c.Needs...), c.After...) {
				ch, ok := done[dep]
				if !ok {
					continue
				}
				<-ch
			}
			mu.Lock()
			for _, dep := range c.Needs {
				if r.blocked[dep] && blockedBy == "" {
					blockedBy = dep
				}
			}
			mu.Unlock()
			var res Result
			if blockedBy != "" {
				res = Result{Status: Skip, Summary: "skipped: " + blockedBy + " did not pass"}
			} else {
				start := r.Env.Now()
				res = c.Run(ctx, r)
				res.Duration = r.Env.Now().Sub(start)
				if res.Status == Fail && ctx.Err() != nil {
					// The failure is ours, not the server's: say so
					// rather than blame the network.
					res.Summary = "interrupted before " + c.ID + " finished"
					res.Hints = []string{"the run was cancelled (Ctrl-C or a deadline); run it again to finish the diagnosis"}
				}
			}
			res.ID, res.Title = c.ID, c.Title
			mu.Lock()
			r.results[c.ID] = &res
			r.blocked[c.ID] = res.Status == Fail || blockedBy != ""
			mu.Unlock()
		}()
	}
	wg.Wait()
	out := make([]Result, 0, len(list))
	for _, c := range list {
		out = append(out, normalise(*r.results[c.ID]))
	}
	return out
}

// willRun reports whether check id is in the run's list and not left out
// by --checks or --skip. It may still be skipped when a check it needs
// fails.
func (r *Run) willRun(id string) bool {
	_, out := r.leftOut[id]
	return r.listed[id] && !out
}

// normalise makes empty lists empty rather than nil, so JSON has [] not null.
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
	return res
}
