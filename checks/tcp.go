package checks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/generation"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

var tcpCheck = Check{
	ID: "tcp", Title: "TCP connection", Needs: []string{"dns"}, Member: true, Phase: true,
	Doc: "every resolved address, dialled together and reported per family (IPv4, IPv6); refused, reset, timed out and unreachable told apart; when every address fails, port 443 of the same host is tried and a container is looked for",
	// A port may open soon (a server still starting): --wait tries every
	// one of these again.
	Codes: []Code{
		{ID: "tcp.refused", Doc: "no address accepts a connection; the first refused it: nothing listens on the port", Wait: true},
		{ID: "tcp.timeout", Doc: "no address accepts a connection; the first did not answer in time: packets are dropped on the way", Wait: true},
		{ID: "tcp.unreachable", Doc: "no address accepts a connection; there is no route to the first", Wait: true},
		{ID: "tcp.reset", Doc: "no address accepts a connection; the first accepted it and reset it at once", Wait: true},
		{ID: "tcp.failed", Doc: "no address accepts a connection, for another reason", Wait: true},
		{ID: "tcp.https_only", Doc: "no address accepts a connection on the Bolt port, but port 443 (HTTPS) of the same host does: outbound traffic seems limited to HTTPS", Wait: true},
		{ID: "tcp.some_addresses_fail", Doc: "some of the resolved addresses accept connections and others do not", Wait: true},
		{ID: "tcp.ipv6_fails", Doc: "the IPv4 addresses accept connections and the IPv6 ones do not: a client that tries only the first address, IPv6 (Node.js 17 to 19 for localhost), fails", Wait: true},
	},
	Run: checkTCP,
}

// tcpCodes is the code of a run whose first address failed the way
// classifyDial words it.
var tcpCodes = map[string]string{
	"refused":     "tcp.refused",
	"timed out":   "tcp.timeout",
	"unreachable": "tcp.unreachable",
	"reset":       "tcp.reset",
	"failed":      "tcp.failed",
}

func classifyDial(err error) string {
	switch {
	case err == nil:
		return "connected"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET):
		// Accepted, then reset before the dialler saw it up: a peer that
		// resets at once (a proxy without a backend, a connection limit).
		return "reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "unreachable"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timed out"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	return "failed"
}

// tcpSeen is what the tcp check learnt beyond the dials to the Bolt
// port: the fallback port's answer, a container, proxy variables.
type tcpSeen struct {
	fallback  fallback
	container string   // containerSign, looked for when a loopback target failed
	proxies   []string // the proxy variables set
}

// checkTCP dials every resolved address at once (see session.dial) and
// judges what each gave. When every address failed, and only then, it
// tries the host's HTTPS port (a host elsewhere) or looks for a
// container around the doctor (a host on this machine).
func checkTCP(ctx context.Context, r *Run) Result {
	outs := r.s.dial(ctx, r.Addrs)
	var seen tcpSeen
	if r.s.conn == nil && !r.member {
		if r.loopbackTarget() {
			// Nothing leaves the machine: no firewall between, but
			// maybe a container around the doctor.
			seen.container = containerSign(r.Env)
		} else {
			seen.fallback = r.probeFallback(ctx, r.Addrs)
		}
		seen.proxies = proxyVars(r.Env.Getenv)
	}
	return judgeTCP(r.T, r.serverGen(), outs, r.s.connAddr, seen)
}

// judgeTCP reads the dial outcomes; connected is the address the run
// kept, "" when none answered.
func judgeTCP(t *Target, srv generation.Server, outs []dialOutcome, connected string, seen tcpSeen) Result {
	res := Result{}
	var ok, failed []dialOutcome
	var each []string
	byFamily := map[string][]string{}
	var families []string
	for _, o := range outs {
		// Timings and Go's own error text are for --verbose: the summary
		// says what happened, and the time column how long it took.
		res.Facts = append(res.Facts, Fact{Name: o.addr, Value: fmt.Sprintf("%s in %s", classifyDial(o.err), o.elapsed.Round(time.Microsecond*100)), Verbose: true})
		each = append(each, o.addr+" "+classifyDial(o.err))
		f := family(o.addr)
		if byFamily[f] == nil {
			families = append(families, f)
		}
		byFamily[f] = append(byFamily[f], o.addr+" "+classifyDial(o.err))
		if o.err != nil {
			failed = append(failed, o)
			res.Evidence = append(res.Evidence, Fact{Name: o.addr, Value: o.err.Error(), Verbose: true})
			continue
		}
		ok = append(ok, o)
	}
	switch {
	case len(families) > 1:
		// Which address did what, family by family: a client may try
		// only one family, or one first.
		for _, f := range families {
			res.Facts = append(res.Facts, Fact{Name: f, Value: strings.Join(byFamily[f], ", ")})
		}
	case len(outs) > 1:
		// Which address did what, when the summary can only count.
		res.Facts = append(res.Facts, Fact{Name: "by address", Value: strings.Join(each, ", ")})
	}
	switch {
	case len(ok) > 0 && len(failed) == 0:
		res.Status = Pass
		res.Summary = fmt.Sprintf("connected to %s", connected)
		if len(ok) > 1 {
			res.Summary = fmt.Sprintf("all %d addresses accept connections", len(ok))
		}
	case len(ok) > 0:
		if v4, v6 := familySplit(ok, failed); v4 != "" {
			res.raise(Warn, "tcp.ipv6_fails")
			res.Summary = fmt.Sprintf("%s %s, %s:%d connected: clients that try IPv6 first fail", failed[0].addr, classifyDial(failed[0].err), v4, t.Port)
			if classifyDial(failed[0].err) == "refused" {
				// Node's own words, which a user searches for.
				res.Summary += fmt.Sprintf(" (Node.js 17 to 19: ECONNREFUSED %s:%d)", v6, t.Port)
			}
			res.Hints = append(res.Hints, ipv6Hints(t, srv, v4)...)
			return res
		}
		res.raise(Warn, "tcp.some_addresses_fail")
		res.Summary = fmt.Sprintf("%d of %d addresses accept connections; %s %s", len(ok), len(outs), failed[0].addr, classifyDial(failed[0].err))
		res.Hints = append(res.Hints, fmt.Sprintf("drivers try addresses in order, so connections through %s wait or fail first: fix the firewall or listen address for it, or remove its DNS record", failed[0].addr))
	default:
		o := failed[0]
		class := classifyDial(o.err)
		res.raise(Fail, tcpCodes[class])
		res.Err = o.err
		res.Summary = fmt.Sprintf("%s: connection %s", o.addr, class)
		if len(failed) > 1 {
			res.Summary = fmt.Sprintf("no address accepts connections (%s)", describeClasses(failed))
		}
		if fb := seen.fallback; fb.outs != nil {
			res.Facts = append(res.Facts, Fact{Name: fmt.Sprintf("port %d", fb.port), Value: strings.Join(describeEach(fb.outs), ", ")})
		}
		if seen.container != "" {
			res.Facts = append(res.Facts, Fact{Name: "container", Value: "the doctor runs in a container: " + seen.container})
		}
		if seen.fallback.answered() != "" {
			res.Code = "tcp.https_only" // what the first dial said is in the summary
			res.Summary += fmt.Sprintf(", but port %d of the same host accepts them", seen.fallback.port)
		}
		res.Hints = append(res.Hints, tcpFailHints(t, srv, class, seen)...)
	}
	return res
}

// describeEach is "addr class" for each outcome.
func describeEach(outs []dialOutcome) []string {
	out := make([]string, len(outs))
	for i, o := range outs {
		out[i] = o.addr + " " + classifyDial(o.err)
	}
	return out
}

// familySplit says whether the addresses split by family: every IPv6
// address failed and an IPv4 one connected. It returns that IPv4
// address's host and the first failed IPv6 address's host, or "" when
// the addresses do not split that way.
func familySplit(ok, failed []dialOutcome) (v4, v6 string) {
	for _, o := range failed {
		if family(o.addr) != "IPv6" {
			return "", ""
		}
	}
	for _, o := range ok {
		if family(o.addr) == "IPv4" {
			v4, _, _ = net.SplitHostPort(o.addr)
			v6, _, _ = net.SplitHostPort(failed[0].addr)
			return v4, v6
		}
	}
	return "", ""
}

// ipv6Hints fix a server that listens on IPv4 only for clients that try
// IPv6 first: on the client, connect over IPv4; on the server, listen on
// IPv6 too.
func ipv6Hints(t *Target, srv generation.Server, v4 string) []string {
	client := "connect over IPv4: start Node.js with `--dns-result-order=ipv4first`"
	if t.TLS != TLSVerify {
		// Under +s an address in the URI would fail the certificate's
		// host name check.
		client = fmt.Sprintf("use %s in the URI, or start Node.js with `--dns-result-order=ipv4first`", v4)
	}
	hints := []string{client}
	var listen string
	if t.Port == DefaultPort {
		listen, _ = pasteSet(srv, generation.DefaultListenAddress, "::")
	} else {
		listen, _ = pasteSet(srv, generation.BoltListenAddress, "[::]:"+strconv.Itoa(t.Port))
	}
	if listen != "" {
		hints = append(hints, "or make the DBMS listen on IPv6 too, on every interface of both families, and restart it: set "+listen)
	}
	return hints
}

// tcpFailHints are the hints of a run whose every address failed, the
// first of which failed as class: what the container, the fallback port
// and the proxy variables showed come before what the failure alone says.
func tcpFailHints(t *Target, srv generation.Server, class string, seen tcpSeen) []string {
	var h []string
	if seen.container != "" {
		h = append(h, fmt.Sprintf("the doctor runs in a container (%s), where localhost is the container itself: connect to the Neo4j container by its service name on the Docker network (%s://neo4j:%d for a service named neo4j), or to a DBMS on the host through host.docker.internal", seen.container, t.Scheme, t.Port))
	}
	if seen.fallback.answered() != "" {
		say := fmt.Sprintf("outbound traffic seems limited to port %d (HTTPS): open TCP port %d to this host in the firewall or proxy", seen.fallback.port, t.Port)
		if srv.Aura {
			say += ", or use the Aura instance's Query API over HTTPS (https://" + t.Host + "/db/<database>/query/v2) instead of Bolt"
		}
		h = append(h, say)
	}
	if len(seen.proxies) > 0 && (class == "timed out" || seen.fallback.answered() != "") {
		h = append(h, fmt.Sprintf("%s is set, but Bolt drivers do not use proxies: if this network lets traffic out only through the proxy, Bolt connections cannot leave it", strings.Join(seen.proxies, ", ")))
	}
	return append(h, tcpHints(t, srv, class, seen.container != "")...)
}

func describeClasses(outs []dialOutcome) string {
	count := map[string]int{}
	var order []string
	for _, o := range outs {
		class := classifyDial(o.err)
		if count[class] == 0 {
			order = append(order, class)
		}
		count[class]++
	}
	parts := make([]string, len(order))
	for i, c := range order {
		parts[i] = fmt.Sprintf("%d %s", count[c], c)
	}
	return strings.Join(parts, ", ")
}

// auraFreePause is AuraDB Free's pause rule: "If you don't perform any
// write queries for three days, your instance is paused"
// (https://neo4j.com/docs/aura/auradb/getting-started/create-database/).
const auraFreePause = "an AuraDB Free instance pauses itself after three days without write queries: reads, such as a RETURN 1 health check, do not keep it running"

// tcpHints are what the failure alone says; inContainer: a hint before
// them already said the doctor runs in a container.
func tcpHints(t *Target, srv generation.Server, class string, inContainer bool) []string {
	if srv.Aura && (class == "refused" || class == "reset") {
		// A paused instance's name still resolves; nothing accepts.
		return []string{"the instance may be paused: " + srv.Text(generation.ResumeInstance), auraFreePause, "if the console shows it running and the connection is still " + class + ", " + srv.Text(generation.Support)}
	}
	switch class {
	case "refused":
		first := fmt.Sprintf("nothing listens on port %d there: start the DBMS", t.Port)
		if t.Port != DefaultPort {
			// Only a port that is not Bolt's default may be the wrong one.
			first += ", or correct the port in the URI (Bolt's default is 7687)"
		}
		h := []string{first}
		if routing.Loopback(t.Host) {
			if inContainer {
				return h
			}
			h = append(h, "inside a container, localhost is the container itself: use the Neo4j service's name on the Docker network, or host.docker.internal")
			return h
		}
		// By default Neo4j listens on localhost only.
		var listen string
		if t.Port == DefaultPort {
			listen, _ = pasteSet(srv, generation.DefaultListenAddress, "0.0.0.0")
		} else {
			listen, _ = pasteSet(srv, generation.BoltListenAddress, "0.0.0.0:"+strconv.Itoa(t.Port))
		}
		return append(h, "a DBMS that runs but listens on localhost only refuses other machines: make it listen on every interface and restart it; set "+listen)
	case "timed out":
		h := []string{fmt.Sprintf("packets are dropped on the way: a firewall, security group or corporate proxy blocks TCP port %d; open it outbound (and inbound on the server), or try from another network", t.Port)}
		if srv.Aura {
			// Paused or filtered: both are silent. The instance's state is
			// what a user can check first.
			h = append([]string{"the instance may be paused: " + srv.Text(generation.ResumeInstance), auraFreePause}, h...)
		}
		return h
	case "unreachable":
		return []string{"there is no route to the host: check VPN, network and the address (an IPv6 address without IPv6 connectivity fails like this)"}
	case "reset":
		return []string{fmt.Sprintf("something on port %d accepts connections and resets them at once: a load balancer or proxy without a healthy backend, a connection limit, or a firewall rule; check what listens there", t.Port)}
	}
	return []string{"the connection failed: check the host and port in the URI"}
}
