package checks

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"
)

// checkBolt performs the handshake and, when the peer is not a Bolt server,
// says what it is instead. Unless pipelining is off it sends HELLO, LOGON
// and ROUTE with the handshake (see bolt.Speculate), and falls back to the
// sequential exchange on a fresh connection when the server does not take
// them, so speculation never decides a verdict.
func checkBolt(parent context.Context, r *Run) Result {
	ctx, cancel := context.WithTimeout(parent, r.T.Timeout)
	defer cancel()
	conn := r.conn
	if r.tlsConn != nil {
		conn = r.tlsConn
	}
	pipelining := "off"
	switch {
	case r.T.NoPipelining:
	case r.T.TLS != TLSOff && r.tlsConn == nil:
		// Credentials go out before the server answers: only over a
		// connection whose certificate was accepted.
		pipelining = "off: the TLS connection was not accepted"
	default:
		var listing <-chan bolt.HandshakeResult
		if !r.member {
			listing = r.T.versions
		}
		req := helloRequest(r)
		bc, hs, err := bolt.Speculate(ctx, conn, req, bolt.Options{})
		if err != nil && listing != nil {
			// Only a speculation that worked uses the list: a peer that
			// stalls the listing connection must not cost a timeout before
			// the fallback costs its own. Its answer comes after its
			// connection is closed, so none outlives this check.
			r.T.stopListing()
			<-listing
			listing = nil
		}
		if listing != nil {
			// The listing connection was opened with the run's, so it is
			// as far along: waiting for it costs no round trip.
			select {
			case l := <-listing:
				if err == nil && l.Manifest {
					hs.Manifest, hs.Offered, hs.Capabilities = true, l.Offered, l.Capabilities
				}
			case <-ctx.Done():
			}
		}
		if err == nil {
			r.hs, r.bconn = hs, bc
			res := Result{Status: Pass}
			res.Evidence = append(res.Evidence, Fact{"sent", hexBytes(hs.Sent)}, Fact{"received", hexBytes(hs.Received)})
			res.Summary = fmt.Sprintf("Bolt %s agreed in %s, with HELLO sent along", hs.Version, roundDur(hs.Duration))
			res.Facts = append(res.Facts, Fact{"negotiation", "version range 5.8..5.3 with HELLO pipelined"},
				Fact{"pipelining", pipelinedFact(req)})
			if hs.Manifest {
				res.Facts = append(res.Facts, Fact{"manifest", "read on a parallel connection"})
			}
			return res
		}
		if !errors.Is(err, bolt.ErrSpeculationRefused) {
			// Decided by the first bytes, as a sequential handshake
			// would have been: HTTP, TLS, silence, not Bolt.
			r.hs = hs
			return boltFailed(ctx, r, hs, err, Fact{"pipelining", "on; the server's first answer decided"})
		}
		pipelining = "fell back to the sequential exchange: " + err.Error()
		// The fallback is a step of its own: it gets a full timeout.
		cancel()
		ctx, cancel = context.WithTimeout(parent, r.T.Timeout)
		defer cancel()
		fresh, ferr := r.redial(ctx)
		if ferr != nil {
			return Result{Status: Fail, Error: ferr.Error(),
				Summary: "the server did not take HELLO sent with the handshake, and a second connection failed: " + ferr.Error(),
				Hints:   []string{"retry with --no-pipelining; if that fails too, the server or a proxy in between drops connections"},
				Facts:   []Fact{{"pipelining", pipelining}}}
		}
		conn = fresh
	}
	hs, err := bolt.Handshake(ctx, conn, bolt.DefaultProposals)
	r.hs = hs // the bytes are evidence even when the handshake failed
	if err != nil {
		return boltFailed(ctx, r, hs, err, Fact{"pipelining", pipelining})
	}
	r.bconn = bolt.NewConn(conn, hs, bolt.Options{})
	res := Result{Status: Pass}
	res.Evidence = append(res.Evidence, Fact{"sent", hexBytes(hs.Sent)}, Fact{"received", hexBytes(hs.Received)})
	how := "legacy negotiation"
	if hs.Manifest {
		how = "handshake manifest v1"
	}
	res.Summary = fmt.Sprintf("Bolt %s agreed by %s in %s", hs.Version, how, roundDur(hs.Duration))
	res.Facts = append(res.Facts, Fact{"negotiation", how}, Fact{"pipelining", pipelining})
	return res
}

// pipelinedFact says what went out in the speculative flight.
func pipelinedFact(req bolt.HelloRequest) string {
	if req.Route != nil && len(req.Statements) > 0 {
		return "handshake, HELLO, LOGON, ROUTE and the query in one flight"
	}
	if req.Route != nil {
		return "handshake, HELLO, LOGON and ROUTE in one flight"
	}
	return "handshake, HELLO and LOGON in one flight"
}

func boltFailed(ctx context.Context, r *Run, hs bolt.HandshakeResult, err error, facts ...Fact) Result {
	res := Result{Status: Fail, Error: err.Error(), Facts: facts}
	res.Evidence = append(res.Evidence, Fact{"sent", hexBytes(hs.Sent)})
	if len(hs.Received) > 0 {
		res.Evidence = append(res.Evidence, Fact{"received", hexBytes(hs.Received)})
	}
	res.Summary, res.Hints = boltFailure(ctx, r, err)
	return res
}

// redial opens a fresh connection to the address the tcp check reached,
// with TLS as the tls check did, and makes it the run's connection.
func (r *Run) redial(ctx context.Context) (net.Conn, error) {
	raw, err := r.Env.Dial(ctx, "tcp", r.connAddr)
	if err != nil {
		return nil, err
	}
	r.conn = raw
	if r.T.TLS == TLSOff {
		return raw, nil
	}
	tc, _, err := tlsprobe.Probe(ctx, raw, r.tlsConfig())
	if err != nil {
		_ = raw.Close()
		r.conn = nil
		return nil, err
	}
	r.tlsConn = tc
	return tc, nil
}

// listVersions reads the manifest (every version the server speaks) on
// spare, a connection of its own, in parallel with the run's, since the
// speculative connection proposes no manifest. It sends nothing but the
// handshake. The result reaches the bolt check through the run's own copy
// of the Target, which the tcp check makes here, before any later check
// reads r.T.
func (r *Run) listVersions(ctx context.Context, spare net.Conn) {
	out := make(chan bolt.HandshakeResult, 1)
	ctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
	t := *r.T
	done := make(chan struct{})
	t.versions, t.stopListing, t.listingDone = out, cancel, done
	r.T = &t
	go func() {
		defer close(done)
		var hs bolt.HandshakeResult
		defer func() { out <- hs }()
		defer spare.Close()
		defer cancel()
		conn := spare
		if t.TLS != TLSOff {
			tc, _, err := tlsprobe.Probe(ctx, spare, r.tlsConfig())
			if err != nil {
				return
			}
			defer tc.Close()
			conn = tc
		}
		hs, _ = bolt.Handshake(ctx, conn, bolt.DefaultProposals)
	}()
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
