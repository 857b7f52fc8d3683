package checks

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

// What the doctor can tell of the machine it runs on, and of the network
// around it, that a driver on the same machine would meet too: proxy
// variables drivers ignore, a container whose localhost is itself, and
// whether only HTTPS leaves the network.

// proxyNames are the variables HTTP clients take a proxy from; Bolt
// drivers open plain TCP connections and read none of them (the
// JavaScript driver's lib/channel/node/node-channel.js calls net.connect
// and tls.connect with the resolved address; the Go driver dials with a
// net.Dialer; neither looks at a proxy).
var proxyNames = []string{"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"}

// proxyVars names the proxy variables set in the environment, as they
// are spelled there (upper case first). Their values are never read
// back: a proxy URL may carry a password.
func proxyVars(getenv func(string) string) []string {
	var set []string
	for _, n := range proxyNames {
		switch {
		case getenv(n) != "":
			set = append(set, n)
		case getenv(strings.ToLower(n)) != "":
			set = append(set, strings.ToLower(n))
		}
	}
	return set
}

// proxyFact is the note the config check gives when proxy variables are
// set; ok is false when none is.
func proxyFact(getenv func(string) string) (Fact, bool) {
	vars := proxyVars(getenv)
	if len(vars) == 0 {
		return Fact{}, false
	}
	return Fact{Name: "proxy variables", Value: strings.Join(vars, ", ") + " set; Bolt drivers ignore them and connect directly"}, true
}

// cgroupWords are what a process's cgroup path says under a container
// runtime (cgroup v1; under v2 the path is "/" and says nothing).
var cgroupWords = []string{"docker", "kubepods", "containerd", "libpod", "lxc"}

// containerSign is the first sign that the doctor runs in a container,
// as a report names it: the Docker marker file, the Kubernetes variable,
// or the cgroup file and the runtime it names; "" when there is none.
func containerSign(env *Env) string {
	if env.DockerEnvFile != "" {
		if _, err := os.Stat(env.DockerEnvFile); err == nil {
			return env.DockerEnvFile
		}
	}
	if env.Getenv("KUBERNETES_SERVICE_HOST") != "" {
		return "KUBERNETES_SERVICE_HOST is set"
	}
	if env.CgroupFile == "" {
		return ""
	}
	f, err := os.Open(env.CgroupFile)
	if err != nil {
		return ""
	}
	defer f.Close()
	data, _ := io.ReadAll(io.LimitReader(f, 64<<10))
	for _, w := range cgroupWords {
		if bytes.Contains(data, []byte(w)) {
			return env.CgroupFile + " names " + w
		}
	}
	return ""
}

// loopbackTarget reports whether the run's target is this machine: a
// loopback name or address, or a name that resolved to loopback only.
func (r *Run) loopbackTarget() bool {
	if routing.Loopback(r.T.Host) {
		return true
	}
	for _, ip := range r.Addrs {
		if !ip.IsLoopback() {
			return false
		}
	}
	return len(r.Addrs) > 0
}

// fallback is what the host's HTTPS port (Env.FallbackPort) gave once
// every address had failed on the Bolt port.
type fallback struct {
	port int
	outs []dialOutcome // one per address, in the same order; nil: not tried
}

// answered is the first address that accepted a connection on the
// fallback port, "" when none did.
func (fb fallback) answered() string {
	for _, o := range fb.outs {
		if o.err == nil {
			return o.addr
		}
	}
	return ""
}

// probeFallback dials each address on the fallback port, all at once,
// and closes what connects: nothing is sent. It runs only after the Bolt
// port failed everywhere, so a healthy run sends nothing extra.
func (r *Run) probeFallback(ctx context.Context, addrs []net.IP) fallback {
	fb := fallback{port: r.Env.FallbackPort}
	if fb.port == r.T.Port || len(addrs) == 0 {
		return fb
	}
	fb.outs = make([]dialOutcome, len(addrs))
	port := strconv.Itoa(fb.port)
	var wg sync.WaitGroup
	for i, ip := range addrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			addr := net.JoinHostPort(ip.String(), port)
			dctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
			defer cancel()
			c, err := r.Env.Dial(dctx, "tcp", addr)
			if c != nil {
				_ = c.Close()
			}
			fb.outs[i] = dialOutcome{addr: addr, err: err}
		}()
	}
	wg.Wait()
	return fb
}

// family is "IPv4" or "IPv6" for a dialled host:port.
func family(addr string) string {
	host, _, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return "IPv6"
	}
	return "IPv4"
}
