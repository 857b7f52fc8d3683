package checks

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/generation"
	"github.com/neo4j-doctor/neo4j-doctor/internal/aura"
)

var boltCheck = Check{
	ID: "bolt", Title: "Bolt handshake", Needs: []string{"tls"}, Member: true, Phase: true,
	Doc: "the handshake, and what answers when it is not a Bolt server: the HTTP port, a port that wants TLS, a server that is silent or closes, another service, no common version",
	Codes: []Code{
		{ID: "bolt.http", Doc: "the port answered HTTP: it is Neo4j's HTTP port or another web server, not Bolt"},
		{ID: "bolt.tls_record", Doc: "the server answered the plaintext handshake with a TLS record: the port expects TLS"},
		{ID: "bolt.requires_tls", Doc: "the server closed or reset the plaintext handshake without a byte, and the port answers TLS: it requires an encrypted scheme"},
		{ID: "bolt.closed", Doc: "the server closed the connection on the handshake without sending a byte (a server or port proxy still starting, or not Bolt)", Wait: true},
		{ID: "bolt.reset", Doc: "the server reset the connection on the handshake without sending a byte (a server or port proxy still starting, or not Bolt)", Wait: true},
		{ID: "bolt.closed_in_tls", Doc: "TLS worked, then the server closed or reset the connection on the handshake without a byte (a proxy whose backend is not up, or not Bolt)", Wait: true},
		{ID: "bolt.closed_mid_reply", Doc: "the server closed or reset the connection after part of its handshake reply"},
		{ID: "bolt.silent", Doc: "the server accepted the connection but sent nothing in time", Wait: true},
		{ID: "bolt.stalled", Doc: "the server started to answer the handshake, then stopped before the deadline"},
		{ID: "bolt.not_reading", Doc: "the server did not read the handshake in time: the connection is half-open"},
		{ID: "bolt.not_bolt", Doc: "another service answers on the port: its reply is not Bolt"},
		{ID: "bolt.no_common_version", Doc: "the server speaks none of the Bolt versions neo4j-doctor proposes: too old or too new"},
		{ID: "bolt.unsupported_version", Doc: "the server chose a Bolt version it was offered that neo4j-doctor does not implement"},
		{ID: "bolt.bad_reply", Doc: "the server's handshake reply is not valid Bolt (a version it was not offered, a malformed manifest)"},
		{ID: "bolt.timeout", Doc: "the handshake did not finish in time"},
		{ID: "bolt.failed", Doc: "the handshake failed in a way none of the other codes names"},
		{ID: "bolt.fallback_failed", Doc: "the server did not take the login sent with the handshake, and the second connection the sequential exchange needs failed"},
	},
	Run: checkBolt,
}

// checkBolt performs the handshake (see session.handshake) and, when what
// answers is not a Bolt server, says what it is instead.
func checkBolt(ctx context.Context, r *Run) Result {
	out := r.s.handshake(ctx)
	if errors.Is(out.err, bolt.ErrHTTP) {
		// The port is an HTTP port: its discovery document names the Bolt
		// URI to use instead.
		out.advertised, out.suspect = r.boltURIFromDocument(ctx)
	}
	res := judgeBolt(r.T, r.serverGen(), out)
	if out.err != nil && noAnswer(out.err) {
		r.noResponse = true
	}
	return res
}

// noAnswer: nothing (or not enough) came back in time, which the exit code
// reports as no response.
func noAnswer(err error) bool {
	return errors.Is(err, bolt.ErrStalled) || errors.Is(err, bolt.ErrNotReading) || errors.Is(err, bolt.ErrSilent)
}

// judgeBolt reads the handshake step's outcome. The bytes exchanged and
// how the first flight went out are for --verbose, except what a server
// that is not Bolt answered, in words, and the pipelining when
// --no-pipelining is the fix.
func judgeBolt(t *Target, srv generation.Server, out boltOutcome) Result {
	hs := out.hs
	switch {
	case out.err != nil:
		res := Result{Status: Fail, Err: out.err, Facts: pipeliningFacts(out, true)}
		res.Evidence = append(res.Evidence, Fact{Name: "sent", Value: hexBytes(hs.Sent), Verbose: true})
		res.Summary, res.Hints, res.Code = boltFailure(t, srv, out)
		if res.Code == "bolt.not_bolt" && len(hs.Received) > 0 {
			// The summary quotes the answer: its bytes are for --verbose.
			res.Evidence = append(res.Evidence, Fact{Name: "received (hex)", Value: hexBytes(hs.Received), Verbose: true})
		} else {
			res.Evidence = append(res.Evidence, receivedEvidence(hs.Received)...)
		}
		return res
	case out.redialErr != nil:
		return Result{Status: Fail, Code: "bolt.fallback_failed", Err: out.redialErr,
			Summary: "the server did not take the login sent with the handshake, and a second connection failed",
			Hints:   []string{"retry with --no-pipelining; if that fails too, the server or a proxy in between drops connections"},
			Facts:   pipeliningFacts(out, false)}
	}
	res := Result{Status: Pass}
	res.Evidence = append(res.Evidence, Fact{Name: "sent", Value: hexBytes(hs.Sent), Verbose: true}, Fact{Name: "received", Value: hexBytes(hs.Received), Verbose: true})
	// The time column gives the time, the version check the release.
	res.Summary = fmt.Sprintf("Bolt %s agreed", hs.Version)
	how := "legacy negotiation"
	switch {
	case out.pipelined:
		how = "version range 5.3–5.8 with HELLO pipelined"
	case hs.Manifest:
		how = "handshake manifest v1"
	}
	res.Facts = append(res.Facts, Fact{Name: "negotiation", Value: how, Verbose: true})
	res.Facts = append(res.Facts, pipeliningFacts(out, true)...)
	switch {
	case out.remembered:
		res.Facts = append(res.Facts, Fact{Name: "manifest", Value: "remembered: read by an earlier diagnosis in this process", Verbose: true})
	case out.pipelined && hs.Manifest:
		res.Facts = append(res.Facts, Fact{Name: "manifest", Value: "read on a parallel connection", Verbose: true})
	}
	return res
}

// pipeliningFacts say how the first flight went out: protocol detail for
// --verbose, unless --no-pipelining is the fix (verbose false).
func pipeliningFacts(out boltOutcome, verbose bool) []Fact {
	f := []Fact{{Name: "pipelining", Value: pipeliningFact(out), Verbose: verbose}}
	if out.refused != nil {
		// The first flight's own handshake and what ended it; the
		// sequential exchange after it proposed versions of its own.
		f = append(f, Fact{Name: "first flight refused", Value: out.refused.Error(), Verbose: true})
	}
	return f
}

// pipeliningFact says how the first flight went out.
func pipeliningFact(out boltOutcome) string {
	switch {
	case out.pipelined:
		route, query := slices.Contains(out.flight, "ROUTE"), slices.Contains(out.flight, "RUN")
		switch {
		case route && query:
			return "handshake, HELLO, LOGON, ROUTE and the query in one flight"
		case route:
			return "handshake, HELLO, LOGON and ROUTE in one flight"
		}
		return "handshake, HELLO and LOGON in one flight"
	case out.refused != nil:
		return "fell back to the sequential exchange" // why: the next fact
	case out.sequential != "":
		return out.sequential
	}
	return "on; the server's first answer decided"
}

// boltFailure says what a failed handshake met: a summary, hints, and
// the result's code. Only silence, or a close or reset before any byte
// came back on a port that does not turn out to want TLS, gets a code
// that waits: that is what a server (or the port proxy in front of it)
// that is still starting does. No version was agreed, so the names the
// hints take from generation/ are every generation's.
func boltFailure(t *Target, srv generation.Server, out boltOutcome) (summary string, hints []string, code string) {
	err := out.err
	port := t.Port
	received := len(out.hs.Received) > 0
	switch {
	case errors.Is(err, bolt.ErrHTTP):
		h := []string{fmt.Sprintf("port %d serves HTTP (Neo4j's HTTP port is 7474, HTTPS 7473): point the URI at the Bolt port, by default 7687", port)}
		switch {
		case out.advertised != "" && out.suspect == "":
			h = []string{fmt.Sprintf("port %d serves HTTP; its discovery document gives the Bolt URI: connect to %s", port, out.advertised)}
		case out.advertised != "":
			h = []string{fmt.Sprintf("port %d serves HTTP; its discovery document gives the Bolt URI %s, but that is wrong for this client too (%s): connect to the Bolt port on %s, by default 7687", port, out.advertised, out.suspect, t.Host),
				"and make the server advertise an address clients can use: set " + codeForms(srv.Set(generation.BoltAdvertisedAddress, "<name clients resolve>:7687"))}
		}
		if t.TLS != TLSOff {
			h = append(h, "a reverse proxy that serves Bolt over WebSocket only cannot carry raw Bolt: expose the Bolt port itself")
		}
		return "the server answered HTTP: this is not the Bolt port", h, "bolt.http"
	case errors.Is(err, bolt.ErrTLSRequired):
		return "the server answered with TLS: the port expects an encrypted connection",
			[]string{"use " + secureScheme(t) + " (or " + sscScheme(t) + " for a self-signed certificate)"}, "bolt.tls_record"
	case errors.Is(err, bolt.ErrClosed), errors.Is(err, bolt.ErrReset):
		what, code := "closed the connection", "bolt.closed"
		if errors.Is(err, bolt.ErrReset) {
			what, code = "reset the connection", "bolt.reset"
		}
		if received {
			// Possible only once a manifest arrived: the write of our
			// choice found the connection gone.
			code = "bolt.closed_mid_reply"
		}
		if t.TLS == TLSOff {
			if out.speaksTLS {
				if aura.IsHost(t.Host) {
					return "the server " + what + " without answering: this port requires TLS, as Aura always does",
						[]string{"Aura always needs encryption: use " + secureScheme(t) + t.Host}, "bolt.requires_tls"
				}
				optional, _ := pasteSet(srv, generation.BoltTLSLevel, "OPTIONAL")
				return "the server " + what + " without answering: this port requires TLS",
					[]string{"this port requires TLS: use " + secureScheme(t) + " (or " + sscScheme(t) + " for a self-signed certificate)",
						"or let the server take plaintext connections too: set " + optional + " and restart it"}, "bolt.requires_tls"
			}
			h := []string{"the server " + what + " on the Bolt handshake: it is not a Bolt server, or a firewall or proxy in between cuts Bolt; check the port"}
			if aura.IsHost(t.Host) {
				h = append([]string{"Aura always needs encryption: use neo4j+s://" + t.Host}, h...)
			}
			return "the server " + what + " without answering the Bolt handshake", h, code
		}
		if !received {
			code = "bolt.closed_in_tls"
		}
		return "the server " + what + " inside TLS without answering the Bolt handshake",
			[]string{"TLS works but Bolt does not: a TLS-terminating proxy may forward to a port that is not Bolt; check the proxy's upstream port"}, code
	case errors.Is(err, bolt.ErrStalled):
		return "the server started to answer the handshake, then stalled: " + causeOf(err),
			[]string{fmt.Sprintf("something on port %d sends a trickle and stops (an overloaded server, a tarpit, or a proxy whose backend hangs): check what listens there, or retry with a longer --timeout", port)}, "bolt.stalled"
	case errors.Is(err, bolt.ErrNotReading):
		return fmt.Sprintf("the server did not read the handshake in %s", t.Timeout),
			[]string{fmt.Sprintf("the connection is half-open: something on port %d accepted it but does not read; check what listens there", port)}, "bolt.not_reading"
	case errors.Is(err, bolt.ErrSilent):
		code := "bolt.silent"
		if received {
			// bolt calls silence after some bytes a stall; should it
			// ever not, a reply that began is not silence to --wait.
			code = "bolt.stalled"
		}
		return fmt.Sprintf("the server accepted the connection but sent nothing in %s", t.Timeout),
			[]string{"something accepts TCP but does not speak Bolt: a load balancer without a healthy backend, a paused cloud instance, or another service; check what listens on port " + fmt.Sprint(port)}, code
	case errors.Is(err, bolt.ErrNotBolt):
		hint := fmt.Sprintf("another service answers on port %d: check the port in the URI (Bolt defaults to 7687)", port)
		if port == DefaultPort {
			hint = fmt.Sprintf("another service answers on port %d, Bolt's default: check what listens there, and that the host in the URI is the Neo4j server", port)
		}
		return fmt.Sprintf("the server on port %d is not a Bolt server", port) + answered(err), []string{hint}, "bolt.not_bolt"
	case errors.Is(err, bolt.ErrNoCommonVersion):
		// No Neo4j release speaks only newer Bolt than drivers do: the
		// server is 3.4 or older, whose way to a supported release goes
		// through 3.5 and 4.4.
		upgrade := "upgrade the server (Neo4j 3.4 or older) to 3.5 first; " + generation.Server{Gen: generation.V35}.Text(generation.UpgradePath)
		if srv.Aura {
			upgrade = srv.Text(generation.UpgradePath)
		}
		return "the server speaks no Bolt version drivers use (3.0, 4.2–4.4, 5.0–5.8)",
			[]string{upgrade, "or use a driver old enough to speak the server's Bolt version"}, "bolt.no_common_version"
	case errors.Is(err, bolt.ErrBadVersion), errors.Is(err, bolt.ErrBadManifest), errors.Is(err, bolt.ErrProtocol):
		return "the server's handshake reply is not valid Bolt: " + causeOf(err), []string{"a proxy or a non-Neo4j server answers on this port: check what listens there"}, "bolt.bad_reply"
	case errors.Is(err, context.DeadlineExceeded):
		return "the handshake did not finish in time", []string{"the server is overloaded or the network drops packets: retry with a longer --timeout"}, "bolt.timeout"
	}
	code = "bolt.failed"
	if errors.Is(err, bolt.ErrUnsupportedVersion) {
		code = "bolt.unsupported_version"
	}
	return "the Bolt handshake failed", []string{"check that the URI points at a Neo4j Bolt port"}, code
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
