package checks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/internal/aura"
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
	return judgeTCP(r.T, r.s.dial(ctx, r.Addrs), r.s.connAddr)
}

// judgeTCP reads the dial outcomes; connected is the address the run
// kept, "" when none answered.
func judgeTCP(t *Target, outs []dialOutcome, connected string) Result {
	res := Result{}
	var ok, failed []dialOutcome
	for _, o := range outs {
		res.Facts = append(res.Facts, Fact{Name: o.addr, Value: fmt.Sprintf("%s in %s", classifyDial(o.err), o.elapsed.Round(time.Microsecond*100))})
		if o.err != nil {
			failed = append(failed, o)
			res.Evidence = append(res.Evidence, Fact{Name: o.addr, Value: o.err.Error()})
			continue
		}
		ok = append(ok, o)
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
		res.Hints = append(res.Hints, tcpHints(t, classifyDial(o.err))...)
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

func tcpHints(t *Target, class string) []string {
	switch class {
	case "refused":
		h := []string{fmt.Sprintf("nothing listens on port %d there: start the DBMS, check the port (Bolt defaults to 7687), and that Neo4j listens on the network (server.default_listen_address=0.0.0.0 or server.bolt.listen_address=0.0.0.0:%d; 4.x: dbms.default_listen_address)", t.Port, t.Port)}
		if t.Host == "localhost" || t.Host == "127.0.0.1" {
			h = append(h, "inside a container, localhost is the container itself: use the Neo4j service's name on the Docker network, or host.docker.internal")
		}
		return h
	case "timed out":
		h := []string{fmt.Sprintf("packets are dropped on the way: a firewall, security group or corporate proxy blocks TCP port %d; open it outbound (and inbound on the server), or try from another network", t.Port)}
		if aura.IsHost(t.Host) {
			h = append(h, "an Aura instance that is paused does not answer: check that its status is Running in https://console.neo4j.io")
		}
		return h
	case "unreachable":
		return []string{"there is no route to the host: check VPN, network and the address (an IPv6 address without IPv6 connectivity fails like this)"}
	case "reset":
		return []string{fmt.Sprintf("something on port %d accepts connections and resets them at once: a load balancer or proxy without a healthy backend, a connection limit, or a firewall rule; check what listens there", t.Port)}
	}
	return []string{"the connection failed: check the host and port in the URI"}
}
