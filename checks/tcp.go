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
	Doc: "every resolved address, dialled together; refused, reset, timed out and unreachable told apart",
	// A port may open soon (a server still starting): --wait tries every
	// one of these again.
	Codes: []Code{
		{ID: "tcp.refused", Doc: "no address accepts a connection; the first refused it: nothing listens on the port", Wait: true},
		{ID: "tcp.timeout", Doc: "no address accepts a connection; the first did not answer in time: packets are dropped on the way", Wait: true},
		{ID: "tcp.unreachable", Doc: "no address accepts a connection; there is no route to the first", Wait: true},
		{ID: "tcp.reset", Doc: "no address accepts a connection; the first accepted it and reset it at once", Wait: true},
		{ID: "tcp.failed", Doc: "no address accepts a connection, for another reason", Wait: true},
		{ID: "tcp.some_addresses_fail", Doc: "some of the resolved addresses accept connections and others do not", Wait: true},
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

// checkTCP dials every resolved address at once (see session.dial) and
// judges what each gave.
func checkTCP(ctx context.Context, r *Run) Result {
	return judgeTCP(r.T, r.serverGen(), r.s.dial(ctx, r.Addrs), r.s.connAddr)
}

// judgeTCP reads the dial outcomes; connected is the address the run
// kept, "" when none answered.
func judgeTCP(t *Target, srv generation.Server, outs []dialOutcome, connected string) Result {
	res := Result{}
	var ok, failed []dialOutcome
	var each []string
	for _, o := range outs {
		// Timings and Go's own error text are for --verbose: the summary
		// says what happened, and the time column how long it took.
		res.Facts = append(res.Facts, Fact{Name: o.addr, Value: fmt.Sprintf("%s in %s", classifyDial(o.err), o.elapsed.Round(time.Microsecond*100)), Verbose: true})
		each = append(each, o.addr+" "+classifyDial(o.err))
		if o.err != nil {
			failed = append(failed, o)
			res.Evidence = append(res.Evidence, Fact{Name: o.addr, Value: o.err.Error(), Verbose: true})
			continue
		}
		ok = append(ok, o)
	}
	if len(outs) > 1 {
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
		res.raise(Warn, "tcp.some_addresses_fail")
		res.Summary = fmt.Sprintf("%d of %d addresses accept connections; %s %s", len(ok), len(outs), failed[0].addr, classifyDial(failed[0].err))
		res.Hints = append(res.Hints, fmt.Sprintf("drivers try addresses in order, so connections through %s wait or fail first: fix the firewall or listen address for it, or remove its DNS record", failed[0].addr))
	default:
		o := failed[0]
		res.raise(Fail, tcpCodes[classifyDial(o.err)])
		res.Err = o.err
		res.Summary = fmt.Sprintf("%s: connection %s", o.addr, classifyDial(o.err))
		if len(failed) > 1 {
			res.Summary = fmt.Sprintf("no address accepts connections (%s)", describeClasses(failed))
		}
		res.Hints = append(res.Hints, tcpHints(t, srv, classifyDial(o.err))...)
	}
	return res
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

func tcpHints(t *Target, srv generation.Server, class string) []string {
	switch class {
	case "refused":
		if srv.Aura {
			return []string{srv.Text(generation.ResumeInstance), "if the instance is running and the refusal stays, " + srv.Text(generation.Support)}
		}
		first := fmt.Sprintf("nothing listens on port %d there: start the DBMS", t.Port)
		if t.Port != DefaultPort {
			// Only a port that is not Bolt's default may be the wrong one.
			first += ", or correct the port in the URI (Bolt's default is 7687)"
		}
		h := []string{first}
		if routing.Loopback(t.Host) {
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
			h = append(h, "a paused Aura instance does not answer: "+srv.Text(generation.ResumeInstance))
		}
		return h
	case "unreachable":
		return []string{"there is no route to the host: check VPN, network and the address (an IPv6 address without IPv6 connectivity fails like this)"}
	case "reset":
		return []string{fmt.Sprintf("something on port %d accepts connections and resets them at once: a load balancer or proxy without a healthy backend, a connection limit, or a firewall rule; check what listens there", t.Port)}
	}
	return []string{"the connection failed: check the host and port in the URI"}
}
