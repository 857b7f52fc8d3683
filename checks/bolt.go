package checks

import (
	"context"
	"errors"
	"fmt"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
)

// checkBolt performs the handshake and, when the peer is not a Bolt server,
// says what it is instead.
func checkBolt(ctx context.Context, r *Run) Result {
	ctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
	defer cancel()
	conn := r.conn
	if r.tlsConn != nil {
		conn = r.tlsConn
	}
	hs, err := bolt.Handshake(ctx, conn, bolt.DefaultProposals)
	r.hs = hs // the bytes are evidence even when the handshake failed
	res := Result{}
	res.Evidence = append(res.Evidence, Fact{"sent", hexBytes(hs.Sent)})
	if len(hs.Received) > 0 {
		res.Evidence = append(res.Evidence, Fact{"received", hexBytes(hs.Received)})
	}
	if err != nil {
		res.Status = Fail
		res.Error = err.Error()
		res.Summary, res.Hints = boltFailure(ctx, r, err)
		return res
	}
	r.bconn = bolt.NewConn(conn, hs, bolt.Options{})
	res.Status = Pass
	how := "legacy negotiation"
	if hs.Manifest {
		how = "handshake manifest v1"
	}
	res.Summary = fmt.Sprintf("Bolt %s agreed by %s in %s", hs.Version, how, roundDur(hs.Duration))
	res.Facts = append(res.Facts, Fact{"negotiation", how})
	return res
}

func boltFailure(ctx context.Context, r *Run, err error) (string, []string) {
	t := r.T
	port := t.Port
	switch {
	case errors.Is(err, bolt.ErrHTTP):
		h := []string{fmt.Sprintf("port %d serves HTTP (Neo4j's HTTP port is 7474, HTTPS 7473): point the URI at the Bolt port, by default 7687", port)}
		if t.TLS != TLSOff {
			h = append(h, "a reverse proxy that serves Bolt over WebSocket only cannot carry raw Bolt: expose the Bolt port itself")
		}
		return "the server answered HTTP: this is not the Bolt port", h
	case errors.Is(err, bolt.ErrTLSRequired):
		return "the server answered with TLS: the port expects an encrypted connection",
			[]string{"use " + secureScheme(t) + " (or " + sscScheme(t) + " for a self-signed certificate)"}
	case errors.Is(err, bolt.ErrClosed), errors.Is(err, bolt.ErrReset):
		what := "closed the connection"
		if errors.Is(err, bolt.ErrReset) {
			what = "reset the connection"
		}
		if t.TLS == TLSOff {
			if speaksTLS(ctx, r) {
				if IsAuraHost(t.Host) {
					return "the server " + what + " without answering: this port requires TLS, as Aura always does",
						[]string{"Aura always needs encryption: use " + secureScheme(t) + t.Host}
				}
				return "the server " + what + " without answering: this port requires TLS",
					[]string{"this port requires TLS: use " + secureScheme(t) + " (or " + sscScheme(t) + " for a self-signed certificate), or set server.bolt.tls_level=OPTIONAL on the server"}
			}
			h := []string{"the server " + what + " on the Bolt handshake: it is not a Bolt server, or a firewall or proxy in between cuts Bolt; check the port"}
			if IsAuraHost(t.Host) {
				h = append([]string{"Aura always needs encryption: use neo4j+s://" + t.Host}, h...)
			}
			return "the server " + what + " without answering the Bolt handshake", h
		}
		return "the server " + what + " inside TLS without answering the Bolt handshake",
			[]string{"TLS works but Bolt does not: a TLS-terminating proxy may forward to a port that is not Bolt; check the proxy's upstream port"}
	case errors.Is(err, bolt.ErrStalled):
		r.noResponse = true
		return "the server started to answer the handshake, then stalled: " + causeOf(err),
			[]string{fmt.Sprintf("something on port %d sends a trickle and stops (an overloaded server, a tarpit, or a proxy whose backend hangs): check what listens there, or retry with a longer --timeout", port)}
	case errors.Is(err, bolt.ErrNotReading):
		r.noResponse = true
		return fmt.Sprintf("the server did not read the handshake in %s", t.Timeout),
			[]string{fmt.Sprintf("the connection is half-open: something on port %d accepted it but does not read; check what listens there", port)}
	case errors.Is(err, bolt.ErrSilent):
		r.noResponse = true
		return fmt.Sprintf("the server accepted the connection but sent nothing in %s", t.Timeout),
			[]string{"something accepts TCP but does not speak Bolt: a load balancer without a healthy backend, a paused cloud instance, or another service; check what listens on port " + fmt.Sprint(port)}
	case errors.Is(err, bolt.ErrNotBolt):
		return "the peer is not a Bolt server" + answered(err), []string{fmt.Sprintf("another service answers on port %d: check the port in the URI (Bolt defaults to 7687)", port)}
	case errors.Is(err, bolt.ErrNoCommonVersion):
		return "the server speaks none of the Bolt versions drivers use today (3.0, 4.2–4.4, 5.0–5.8)",
			[]string{"the server is too old (Neo4j 3.4 or earlier) or too new for current drivers: upgrade the server to a supported version (5.26 LTS or a 2025.x release), or use a driver that speaks its Bolt version"}
	case errors.Is(err, bolt.ErrBadVersion), errors.Is(err, bolt.ErrBadManifest), errors.Is(err, bolt.ErrProtocol):
		return "the server's handshake reply is not valid Bolt: " + causeOf(err), []string{"a proxy or a non-Neo4j server answers on this port: check what listens there"}
	case errors.Is(err, context.DeadlineExceeded):
		return "the handshake did not finish in time", []string{"the server is overloaded or the network drops packets: retry with a longer --timeout"}
	}
	return "the Bolt handshake failed", []string{"check that the URI points at a Neo4j Bolt port"}
}

func secureScheme(t *Target) string {
	if t.Routing {
		return "neo4j+s://"
	}
	return "bolt+s://"
}

func sscScheme(t *Target) string {
	if t.Routing {
		return "neo4j+ssc://"
	}
	return "bolt+ssc://"
}
