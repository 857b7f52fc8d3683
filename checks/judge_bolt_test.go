package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
)

// TestJudgeBolt judges every shape a handshake outcome takes (pipelined,
// sequential, refused and fallen back, a fallback whose connection
// failed) and every handshake error, as a user sees it.
func TestJudgeBolt(t *testing.T) {
	sent := append(bolt.Magic[:], 0, 0, 1, 0xFF, 0, 8, 8, 5, 0, 2, 4, 4, 0, 0, 0, 3)
	v58 := []byte{0, 0, 8, 5}
	manifest := []byte{0, 0, 1, 0xFF, 2, 0, 8, 8, 5, 0, 2, 4, 4, 0}
	hs := func(received []byte) bolt.HandshakeResult {
		return bolt.HandshakeResult{Sent: sent, Received: received}
	}
	pe := func(sentinel error, b []byte, cause error) error {
		return &bolt.PeerError{Step: "handshake", Err: sentinel, Bytes: b, Cause: cause}
	}
	plain := func(t *Target) {}
	tlsOn := func(t *Target) { t.Scheme, t.TLS = "bolt+s", TLSVerify }
	aura := func(t *Target) { t.Host = "abcd1234.databases.neo4j.io" }
	routed := func(t *Target) { t.Scheme, t.Routing = "neo4j", true }
	refusal := fmt.Errorf("%w: %w", bolt.ErrSpeculationRefused,
		&bolt.ServerError{Request: "HELLO", Code: "Neo.ClientError.Request.Invalid", Message: "bytes before the version"})

	cases := []struct {
		name   string
		target func(*Target)
		out    boltOutcome
		want   baqWant
		// pipelining is the fact's value, in part; hint2 a phrase of the
		// second hint, when there must be one; negotiation the fact's
		// value, in part, for a pass.
		pipelining, hint2, negotiation string
	}{
		// Passes.
		{name: "pipelined login", target: plain,
			out:        boltOutcome{hs: bolt.HandshakeResult{Version: bolt.Version{Major: 5, Minor: 8}, Sent: sent[:8], Received: v58}, pipelined: true, flight: []string{"HELLO", "LOGON"}},
			want:       baqWant{Pass, "", "Bolt 5.8 agreed", ""},
			pipelining: "handshake, HELLO and LOGON in one flight", negotiation: "with HELLO pipelined"},
		{name: "pipelined with ROUTE and the query, manifest listed", target: plain,
			out:        boltOutcome{hs: bolt.HandshakeResult{Version: bolt.Version{Major: 5, Minor: 8}, Manifest: true, Sent: sent, Received: v58}, pipelined: true, flight: []string{"HELLO", "LOGON", "ROUTE", "RUN", "PULL"}},
			want:       baqWant{Pass, "", "Bolt 5.8 agreed", ""},
			pipelining: "handshake, HELLO, LOGON, ROUTE and the query in one flight", negotiation: "with HELLO pipelined"},
		{name: "pipelined with ROUTE", target: routed,
			out:        boltOutcome{hs: hs(v58), pipelined: true, flight: []string{"HELLO", "LOGON", "ROUTE"}},
			want:       baqWant{Pass, "", " agreed", ""},
			pipelining: "handshake, HELLO, LOGON and ROUTE in one flight", negotiation: "with HELLO pipelined"},
		{name: "sequential, --no-pipelining", target: plain,
			out:        boltOutcome{hs: bolt.HandshakeResult{Version: bolt.Version{Major: 4, Minor: 4}, Sent: sent, Received: []byte{0, 0, 4, 4}}, sequential: seqOff},
			want:       baqWant{Pass, "", "Bolt 4.4 agreed", ""},
			pipelining: "off", negotiation: "legacy negotiation"},
		{name: "sequential, certificate not accepted", target: tlsOn,
			out:        boltOutcome{hs: bolt.HandshakeResult{Version: bolt.Version{Major: 5, Minor: 7}, Manifest: true, Sent: sent, Received: manifest}, sequential: seqTLSRefuse},
			want:       baqWant{Pass, "", "Bolt 5.7 agreed", ""},
			pipelining: "the TLS connection was not accepted", negotiation: "handshake manifest v1"},
		{name: "refused, then sequential", target: plain,
			out:        boltOutcome{hs: bolt.HandshakeResult{Version: bolt.Version{Major: 5, Minor: 2}, Sent: sent, Received: []byte{0, 0, 2, 5}}, refused: refusal},
			want:       baqWant{Pass, "", "Bolt 5.2 agreed", ""},
			pipelining: "fell back to the sequential exchange", negotiation: "legacy negotiation"},

		// The fallback's own connection failed.
		{name: "refused, and the redial failed", target: plain,
			out:        boltOutcome{refused: refusal, redialErr: errors.New("dial tcp 10.0.0.1:7687: connect: connection refused")},
			want:       baqWant{Fail, "bolt.fallback_failed", "and a second connection failed", "--no-pipelining"},
			pipelining: "fell back to the sequential exchange"},
		// A reset of the flight, then of the fresh connection: the server
		// resets every connection, which is the verdict itself.
		{name: "reset, and the redial reset too", target: plain,
			out: boltOutcome{hs: bolt.HandshakeResult{Sent: sent}, refused: fmt.Errorf("%w: %w", bolt.ErrSpeculationRefused, pe(bolt.ErrReset, nil, nil)),
				err:       fmt.Errorf("%w: %w", bolt.ErrSpeculationRefused, pe(bolt.ErrReset, nil, nil)),
				redialErr: errors.New("dial tcp 127.0.0.1:7687: connect: connection reset by peer")},
			want:       baqWant{Fail, "bolt.reset", "reset the connection without answering", "not a Bolt server"},
			pipelining: "fell back to the sequential exchange"},

		// What the first answer says.
		{name: "HTTP", target: plain,
			out:  boltOutcome{hs: hs([]byte("HTTP/1.1 400 Bad Request\r\n")), err: pe(bolt.ErrHTTP, []byte("HTTP/1.1 400 Bad Request\r\n"), nil)},
			want: baqWant{Fail, "bolt.http", "answered HTTP: this is not the Bolt port", "port 7687 serves HTTP"}},
		{name: "HTTPS behind TLS", target: tlsOn,
			out:  boltOutcome{hs: hs([]byte("HTTP/1.1 400")), err: pe(bolt.ErrHTTP, []byte("HTTP/1.1 400"), nil)},
			want: baqWant{Fail, "bolt.http", "answered HTTP", "Neo4j's HTTP port is 7474"}, hint2: "WebSocket"},
		{name: "TLS record", target: plain,
			out:  boltOutcome{hs: hs([]byte{0x15, 3, 3, 0, 2, 2, 70}), err: pe(bolt.ErrTLSRequired, []byte{0x15, 3, 3, 0, 2, 2, 70}, nil)},
			want: baqWant{Fail, "bolt.tls_record", "answered with TLS", "use bolt+s:// (or bolt+ssc://"}},
		{name: "TLS record, routing scheme", target: routed,
			out:  boltOutcome{hs: hs([]byte{0x16, 3}), err: pe(bolt.ErrTLSRequired, []byte{0x16, 3}, errors.New("EOF"))},
			want: baqWant{Fail, "bolt.tls_record", "expects an encrypted connection", "use neo4j+s://"}},
		{name: "closed, port answers TLS", target: plain,
			out:  boltOutcome{hs: hs(nil), err: pe(bolt.ErrClosed, nil, errors.New("EOF")), speaksTLS: true},
			want: baqWant{Fail, "bolt.requires_tls", "closed the connection without answering: this port requires TLS", "use bolt+s:// (or bolt+ssc://"}, hint2: "`server.bolt.tls_level=OPTIONAL` or on 4.x `dbms.connector.bolt.tls_level=OPTIONAL`"},
		{name: "reset, Aura port answers TLS", target: func(t *Target) { aura(t); routed(t) },
			out:  boltOutcome{hs: hs(nil), err: pe(bolt.ErrReset, nil, nil), speaksTLS: true},
			want: baqWant{Fail, "bolt.requires_tls", "reset the connection without answering: this port requires TLS, as Aura always does", "use neo4j+s://abcd1234.databases.neo4j.io"}},
		{name: "closed without a byte", target: plain,
			out:  boltOutcome{hs: hs(nil), err: pe(bolt.ErrClosed, nil, errors.New("EOF"))},
			want: baqWant{Fail, "bolt.closed", "closed the connection without answering the Bolt handshake", "not a Bolt server"}},
		{name: "closed without a byte, Aura", target: aura,
			out:  boltOutcome{hs: hs(nil), err: pe(bolt.ErrClosed, nil, nil)},
			want: baqWant{Fail, "bolt.closed", "closed the connection without answering", "Aura always needs encryption"}, hint2: "not a Bolt server"},
		{name: "reset without a byte", target: plain,
			out:  boltOutcome{hs: hs(nil), err: pe(bolt.ErrReset, nil, errors.New("connection reset by peer"))},
			want: baqWant{Fail, "bolt.reset", "reset the connection without answering the Bolt handshake", "reset the connection on the Bolt handshake"}},
		{name: "closed after the manifest", target: plain,
			out:  boltOutcome{hs: hs(manifest), err: pe(bolt.ErrClosed, manifest, errors.New("broken pipe"))},
			want: baqWant{Fail, "bolt.closed_mid_reply", "closed the connection without answering", "not a Bolt server"}},
		{name: "reset after the manifest, inside TLS", target: tlsOn,
			out:  boltOutcome{hs: hs(manifest), err: pe(bolt.ErrReset, manifest, nil)},
			want: baqWant{Fail, "bolt.closed_mid_reply", "reset the connection inside TLS", "TLS-terminating proxy"}},
		{name: "closed inside TLS", target: tlsOn,
			out:  boltOutcome{hs: hs(nil), err: pe(bolt.ErrClosed, nil, nil)},
			want: baqWant{Fail, "bolt.closed_in_tls", "closed the connection inside TLS without answering", "TLS works but Bolt does not"}},
		{name: "reset inside TLS", target: tlsOn,
			out:  boltOutcome{hs: hs(nil), err: pe(bolt.ErrReset, nil, nil)},
			want: baqWant{Fail, "bolt.closed_in_tls", "reset the connection inside TLS", "check the proxy's upstream port"}},
		{name: "stalled", target: plain,
			out:  boltOutcome{hs: hs([]byte{0, 0}), err: pe(bolt.ErrStalled, []byte{0, 0}, errors.New("2 of the 4 reply bytes arrived, then nothing: i/o timeout"))},
			want: baqWant{Fail, "bolt.stalled", "then stalled: 2 of the 4 reply bytes arrived", "sends a trickle and stops"}},
		{name: "not reading", target: plain,
			out:  boltOutcome{hs: hs(nil), err: pe(bolt.ErrNotReading, nil, errors.New("i/o timeout"))},
			want: baqWant{Fail, "bolt.not_reading", "did not read the handshake in 5s", "half-open"}},
		{name: "silent", target: plain,
			out:  boltOutcome{hs: hs(nil), err: pe(bolt.ErrSilent, nil, errors.New("i/o timeout"))},
			want: baqWant{Fail, "bolt.silent", "accepted the connection but sent nothing in 5s", "load balancer without a healthy backend"}},
		{name: "silent inside TLS", target: tlsOn,
			out:  boltOutcome{hs: hs(nil), err: pe(bolt.ErrSilent, nil, nil)},
			want: baqWant{Fail, "bolt.silent", "sent nothing in 5s", "port 7687"}},
		{name: "silent after a byte", target: plain,
			out:  boltOutcome{hs: hs([]byte{0}), err: pe(bolt.ErrSilent, []byte{0}, nil)},
			want: baqWant{Fail, "bolt.stalled", "sent nothing in 5s", "does not speak Bolt"}},
		{name: "a banner", target: plain,
			out:  boltOutcome{hs: hs([]byte("SSH-2.0-OpenSSH_9.6\r\n")), err: pe(bolt.ErrNotBolt, []byte("SSH-2.0-OpenSSH_9.6\r\n"), nil)},
			want: baqWant{Fail, "bolt.not_bolt", `the server on port 7687 is not a Bolt server: it answered "SSH-2.0-OpenSSH_"`, "another service answers on port 7687"}},
		{name: "binary, cut short", target: plain,
			out:  boltOutcome{hs: hs([]byte{0xDE, 0xAD}), err: pe(bolt.ErrNotBolt, []byte{0xDE, 0xAD}, errors.New("reply cut short after 2 of 4 bytes: EOF"))},
			want: baqWant{Fail, "bolt.not_bolt", "it answered DE AD", "check what listens there"}},
		{name: "binary, on another port", target: func(t *Target) { t.Port = 7688 },
			out:  boltOutcome{hs: hs([]byte{0xDE, 0xAD}), err: pe(bolt.ErrNotBolt, []byte{0xDE, 0xAD}, nil)},
			want: baqWant{Fail, "bolt.not_bolt", "port 7688 is not a Bolt server: it answered DE AD", "check the port in the URI (Bolt defaults to 7687)"}},
		{name: "no common version", target: plain,
			out:  boltOutcome{hs: hs([]byte{0, 0, 0, 0}), err: pe(bolt.ErrNoCommonVersion, []byte{0, 0, 0, 0}, errors.New("proposed 5.8..5.0"))},
			want: baqWant{Fail, "bolt.no_common_version", "speaks no Bolt version drivers use (3.0, 4.2–4.4, 5.0–5.8)", "upgrade the server (Neo4j 3.4 or older) to 3.5 first; 3.5 cannot go straight to 5.26 or 2025.x: migrate to 4.4 first"}, hint2: "a driver old enough"},
		{name: "a version not proposed", target: plain,
			out:  boltOutcome{hs: hs([]byte{0, 0, 0, 9}), err: pe(bolt.ErrBadVersion, []byte{0, 0, 0, 9}, errors.New("server chose 9.0; proposed 5.8..5.0"))},
			want: baqWant{Fail, "bolt.bad_reply", "not valid Bolt: server chose 9.0", "a proxy or a non-Neo4j server"}},
		{name: "bad manifest", target: plain,
			out:  boltOutcome{hs: hs(manifest[:5]), err: pe(bolt.ErrBadManifest, manifest[:5], errors.New("500 versions offered, limit 64"))},
			want: baqWant{Fail, "bolt.bad_reply", "500 versions offered", "check what listens there"}},
		{name: "protocol", target: plain,
			out:  boltOutcome{hs: hs(v58), err: pe(bolt.ErrProtocol, v58, errors.New("odd"))},
			want: baqWant{Fail, "bolt.bad_reply", "not valid Bolt: odd", "non-Neo4j"}},
		{name: "unsupported version", target: plain,
			out:  boltOutcome{hs: hs([]byte{0, 0, 5, 5}), err: pe(bolt.ErrUnsupportedVersion, []byte{0, 0, 5, 5}, errors.New("server chose 5.5"))},
			want: baqWant{Fail, "bolt.unsupported_version", "the Bolt handshake failed", "Neo4j Bolt port"}},
		{name: "deadline", target: plain,
			out:  boltOutcome{hs: hs(nil), err: &bolt.PeerError{Step: "handshake", Err: context.DeadlineExceeded}},
			want: baqWant{Fail, "bolt.timeout", "did not finish in time", "longer --timeout"}},
		{name: "cancelled", target: plain,
			out:  boltOutcome{hs: hs(nil), err: &bolt.PeerError{Step: "handshake", Err: context.Canceled}},
			want: baqWant{Fail, "bolt.failed", "the Bolt handshake failed", "Neo4j Bolt port"}},
		{name: "something else", target: plain,
			out:  boltOutcome{hs: hs(nil), err: errors.New("bolt: encoding HELLO: oops")},
			want: baqWant{Fail, "bolt.failed", "the Bolt handshake failed", "Neo4j Bolt port"}},
		{name: "speculation failed on a first answer", target: plain,
			out:        boltOutcome{hs: bolt.HandshakeResult{Sent: sent[:20], Received: []byte("HTTP")}, err: pe(bolt.ErrHTTP, []byte("HTTP"), nil)},
			want:       baqWant{Fail, "bolt.http", "this is not the Bolt port", "point the URI at the Bolt port"},
			pipelining: "on; the server's first answer decided"},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tt := baqTarget()
			c.target(tt)
			res := judgeBolt(tt, tt.server("", c.out.hs.Version), c.out)
			baqCheck(t, res, c.want)
			baqSameWait(t, boltCheck, res)
			seen[res.Code] = true
			if c.hint2 != "" && (len(res.Hints) < 2 || !strings.Contains(res.Hints[1], c.hint2)) {
				t.Errorf("hints %q, want the second to say %q", res.Hints, c.hint2)
			}
			if p := baqFact(res, "pipelining"); !strings.Contains(p, c.pipelining) || p == "" {
				t.Errorf("pipelining fact %q does not say %q", p, c.pipelining)
			}
			// A refused first flight is named, with what ended it.
			if why := baqFact(res, "first flight refused"); (c.out.refused != nil) != (why != "") || c.out.refused != nil && why != c.out.refused.Error() {
				t.Errorf("first flight refused %q, want %v", why, c.out.refused)
			}
			// A pass says the version, not how it was agreed nor how long
			// it took; the how is for --verbose, and so is the pipelining,
			// unless --no-pipelining is the fix.
			if res.Status == Pass {
				if n := baqFact(res, "negotiation"); !strings.Contains(n, c.negotiation) || n == "" {
					t.Errorf("negotiation fact %q does not say %q", n, c.negotiation)
				}
				if strings.ContainsAny(res.Summary, "µm") || strings.Contains(res.Summary, "HELLO") {
					t.Errorf("summary %q: a timing or protocol detail", res.Summary)
				}
			}
			for _, f := range res.Facts {
				if f.Verbose == (res.Code == "bolt.fallback_failed" && f.Name == "pipelining") {
					t.Errorf("fact %s = %q: Verbose %v", f.Name, f.Value, f.Verbose)
				}
			}
			// The error that decided the result is kept, typed.
			switch {
			case c.out.err != nil && c.out.redialErr != nil:
				if res.Err != c.out.err {
					t.Errorf("Err %v, want the handshake's error, not the redial's", res.Err)
				}
			case c.out.redialErr != nil:
				if res.Err != c.out.redialErr {
					t.Errorf("Err %v, want the redial's error", res.Err)
				}
			case c.out.err != nil:
				if res.Err != c.out.err {
					t.Errorf("Err %v, want the handshake's error", res.Err)
				}
			default:
				if res.Err != nil {
					t.Errorf("a pass with Err %v", res.Err)
				}
			}
			// The bytes are the evidence: what went, and what came back
			// when anything did (which is the server's answer).
			if c.out.redialErr != nil {
				return
			}
			// In hex for --verbose (and JSON); what came back also in
			// words, unless the summary quotes it.
			verbose := func(name string) (string, bool) {
				for _, f := range res.Evidence {
					if f.Name == name {
						return f.Value, f.Verbose
					}
				}
				return "", false
			}
			if got, v := verbose("sent"); got != hexBytes(c.out.hs.Sent) || !v {
				t.Errorf("evidence sent = %q (verbose %v), want %q, verbose", got, v, hexBytes(c.out.hs.Sent))
			}
			got, ok := baqEvidence(res, "received")
			hex, v := verbose("received (hex)")
			words := describeBytes(c.out.hs.Received)
			switch {
			case len(c.out.hs.Received) == 0 && res.Status != Pass && ok:
				t.Errorf("evidence received = %q when nothing was", got)
			case len(c.out.hs.Received) == 0 || res.Status == Pass:
			case res.Code == "bolt.not_bolt":
				if ok || hex != hexBytes(c.out.hs.Received) || !v {
					t.Errorf("evidence received = %q, received (hex) %q (verbose %v): want the hex alone, verbose, as the summary quotes the answer", got, hex, v)
				}
			case got != words:
				t.Errorf("evidence received = %q, want %q", got, words)
			case words != hexBytes(c.out.hs.Received) && (hex != hexBytes(c.out.hs.Received) || !v):
				t.Errorf("evidence received (hex) = %q (verbose %v), want %q, verbose", hex, v, hexBytes(c.out.hs.Received))
			}
		})
	}
	baqCodes(t, boltCheck, seen, []string{"bolt.closed", "bolt.reset", "bolt.closed_in_tls", "bolt.silent"})
}
