package checks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/internal/clip"
	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"
)

var websocketCheck = Check{
	ID: "websocket", Title: "Bolt over WebSocket", Needs: []string{"dns"}, After: []string{"http"}, Beside: "tcp",
	Doc: "Bolt over WebSocket to the Bolt port, as Neo4j Browser speaks it (ws:// for plaintext schemes, wss:// for TLS): the upgrade, the handshake, the login; an HTTPS page with plaintext Bolt (mixed content); skipped when no HTTP endpoint answered",
	Codes: []Code{
		{ID: "websocket.no_endpoint", Doc: "skipped: no HTTP endpoint answered, so there is no Browser to serve; pass --http-uri to check it"},
		{ID: "websocket.upgrade_refused", Doc: "the Bolt port (or a proxy in front of it) did not upgrade the connection to WebSocket: Browser cannot connect there"},
		{ID: "websocket.tls", Doc: "the TLS handshake of wss:// to the Bolt port failed"},
		{ID: "websocket.unreachable", Doc: "the WebSocket connection to the Bolt port could not be made"},
		{ID: "websocket.no_bolt", Doc: "the upgrade worked, but Bolt over the WebSocket did not answer the handshake"},
		{ID: "websocket.login_failed", Doc: "Bolt over WebSocket answered the handshake but the login failed"},
		{ID: "websocket.mixed_content", Doc: "the HTTP endpoint is HTTPS but Bolt is plaintext: a browser refuses ws:// from an https:// page (mixed content)"},
	},
	Run: checkWebSocket,
}

// wsOutcome is what Bolt over WebSocket gave.
type wsOutcome struct {
	url      string
	status   int    // the answer to the upgrade; 101 when it worked
	server   string // the Server header of that answer
	answered string // what answered, in words, when the upgrade did not work
	dialErr  error
	tlsErr   error
	hs       bolt.HandshakeResult
	hsErr    error
	hello    bolt.HelloResult
	loginErr error
	// mixed: the HTTP endpoint is HTTPS and Bolt plaintext
	mixed   bool
	httpURL string
}

func checkWebSocket(ctx context.Context, r *Run) Result {
	h := r.http
	if h != nil && !h.reached {
		// The same words as the http check's, so the report has one line
		// for both.
		return Result{Status: Skip, Code: "websocket.no_endpoint",
			Summary: "no HTTP endpoint answered at " + h.url + "; pass --http-uri to check it"}
	}
	out := r.boltOverWebSocket(ctx)
	r.ws = out
	if h != nil && h.tls && r.T.TLS == TLSOff {
		out.mixed, out.httpURL = true, h.url
	}
	return judgeWebSocket(r.T, out)
}

// boltOverWebSocket opens ws:// (or wss://) to the Bolt port the URI
// names, as Browser does, then speaks Bolt inside: handshake, HELLO,
// LOGON.
func (r *Run) boltOverWebSocket(parent context.Context) *wsOutcome {
	scheme := "ws"
	if r.T.TLS != TLSOff {
		scheme = "wss"
	}
	out := &wsOutcome{url: scheme + "://" + r.T.Address()}
	ctx, cancel := context.WithTimeout(parent, 3*r.T.Timeout)
	defer cancel()
	addrs := r.Addrs
	cfg := r.s.tlsConfig()
	transport := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var last error
			for _, ip := range addrs {
				dctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
				c, err := r.Env.Dial(dctx, network, net.JoinHostPort(ip.String(), strconv.Itoa(r.T.Port)))
				cancel()
				if err == nil {
					return c, nil
				}
				last = err
			}
			if last == nil {
				last = errors.New("the host has no address")
			}
			return nil, last
		},
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var last error
			for _, ip := range addrs {
				dctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
				raw, err := r.Env.Dial(dctx, network, net.JoinHostPort(ip.String(), strconv.Itoa(r.T.Port)))
				if err != nil {
					cancel()
					last = err
					continue
				}
				// tlsprobe verifies as the tls check does: the same
				// causes, the same trust.
				tc, _, err := tlsprobe.Probe(dctx, raw, cfg)
				cancel()
				if err != nil {
					out.tlsErr = err
					return nil, err
				}
				return tc, nil
			}
			if last == nil {
				last = errors.New("the host has no address")
			}
			return nil, last
		},
	}
	defer transport.CloseIdleConnections()
	hdr := http.Header{}
	hdr.Set("Origin", r.T.HTTPURI)
	hdr.Set("User-Agent", "neo4j-doctor/"+r.Env.Version)
	c, resp, err := websocket.Dial(ctx, out.url, &websocket.DialOptions{
		HTTPClient: &http.Client{Transport: transport, Timeout: r.T.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		HTTPHeader: hdr,
	})
	if resp != nil {
		out.status, out.server = resp.StatusCode, clip.String(resp.Header.Get("Server"), 80)
	}
	if err != nil {
		out.dialErr = err
		switch {
		case out.tlsErr != nil:
		case resp != nil:
			out.answered = fmt.Sprintf("HTTP %d", resp.StatusCode)
			if t := resp.Status; t != "" {
				out.answered = "HTTP " + clip.String(t, 60)
			}
			if out.server != "" {
				out.answered += " from " + out.server
			}
		default:
			out.answered = wsDialCause(err)
		}
		return out
	}
	defer c.CloseNow()
	conn := websocket.NetConn(ctx, c, websocket.MessageBinary)
	hctx, hcancel := context.WithTimeout(ctx, r.T.Timeout)
	defer hcancel()
	out.hs, out.hsErr = bolt.Handshake(hctx, conn, bolt.DefaultProposals)
	if out.hsErr != nil {
		return out
	}
	bc := bolt.NewConn(conn, out.hs, bolt.Options{})
	s := session{r: r}
	req := s.helloRequest()
	req.UserAgent = "neo4j-doctor/" + r.Env.Version + " (websocket)"
	r.countLogon()
	replies, err := bc.Send(hctx, bolt.Login(out.hs.Version, req)...)
	if err != nil {
		out.loginErr = err
		return out
	}
	out.hello, out.loginErr = bolt.ReadLogin(hctx, replies)
	if out.loginErr == nil {
		gctx, gcancel := context.WithTimeout(ctx, 200*time.Millisecond)
		_ = bc.Goodbye(gctx)
		gcancel()
	}
	_ = c.Close(websocket.StatusNormalClosure, "")
	return out
}

// wsDialCause says in words what ended an upgrade that got no HTTP answer.
func wsDialCause(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "EOF"), strings.Contains(msg, "connection reset"):
		return "the connection was closed without an HTTP answer"
	case strings.Contains(msg, "malformed HTTP"):
		return "an answer that is not HTTP"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "no answer in time"
	case strings.Contains(msg, "connection refused"):
		return "connection refused"
	}
	return clip.String(msg, 120)
}

// judgeWebSocket reads the outcome.
func judgeWebSocket(t *Target, out *wsOutcome) Result {
	res := Result{Status: Pass}
	res.Facts = append(res.Facts, Fact{Name: "url", Value: out.url})
	fix := fmt.Sprintf("let the proxy in front of port %d pass the Upgrade and Connection headers, or point Browser at a Bolt address it reaches directly", t.Port)
	switch {
	case out.tlsErr != nil:
		res.raise(Warn, "websocket.tls")
		res.Err = out.tlsErr
		res.Summary = out.url + ": the TLS handshake failed: " + causeOf(out.tlsErr)
		res.Hints = []string{"Browser verifies the Bolt port's certificate on its own: fix it as the tls check says, or trust its CA in the browser"}
	case out.dialErr != nil && out.status == 0 && strings.Contains(out.answered, "refused"):
		res.raise(Warn, "websocket.unreachable")
		res.Err = out.dialErr
		res.Summary = out.url + ": connection refused"
		res.Hints = []string{"check that the Bolt port is reachable from where Browser runs"}
	case out.dialErr != nil:
		res.raise(Warn, "websocket.upgrade_refused")
		res.Err = out.dialErr
		res.Summary = fmt.Sprintf("port %d did not upgrade to WebSocket: %s answered", t.Port, orElse(out.answered, "something"))
		if out.status == 0 {
			res.Summary = fmt.Sprintf("port %d did not upgrade to WebSocket: %s", t.Port, orElse(out.answered, "no HTTP answer"))
		}
		res.Hints = []string{fix, "drivers speak raw Bolt and are not affected; Neo4j Browser (and other browser apps) cannot connect: the proxy must pass `Upgrade: websocket` and `Connection: Upgrade` through"}
		if out.status != 0 {
			res.Facts = append(res.Facts, Fact{Name: "upgrade answer", Value: out.answered})
		}
	case out.hsErr != nil:
		res.raise(Warn, "websocket.no_bolt")
		res.Err = out.hsErr
		res.Summary = "the WebSocket upgrade worked, but Bolt inside it did not answer: " + causeOf(out.hsErr)
		res.Hints = []string{fmt.Sprintf("something upgraded the connection but does not forward Bolt: check that the proxy's WebSocket route for port %d leads to Neo4j's Bolt port", t.Port)}
	case out.loginErr != nil:
		res.raise(Warn, "websocket.login_failed")
		res.Err = out.loginErr
		res.Summary = "Bolt over WebSocket answered, but the login failed: " + causeOf(out.loginErr)
		res.Hints = []string{"the same credentials work or fail as over raw Bolt: see the auth check"}
	default:
		res.Summary = fmt.Sprintf("Bolt %s over %s, logged in", out.hs.Version, strings.SplitN(out.url, ":", 2)[0])
		if out.hello.Server != "" {
			res.Facts = append(res.Facts, Fact{Name: "server agent", Value: out.hello.Server, Verbose: true})
		}
	}
	if out.mixed {
		res.raise(Warn, "websocket.mixed_content")
		summary := fmt.Sprintf("an https:// Browser page cannot open %s (mixed content)", out.url)
		if res.Code == "websocket.mixed_content" {
			res.Summary = summary
		} else {
			res.Facts = append(res.Facts, Fact{Name: "mixed content", Value: summary})
		}
		res.Facts = append(res.Facts, Fact{Name: "browser page", Value: out.httpURL})
		res.Hints = append([]string{"enable TLS on the Bolt port and use " + secureScheme(t) + t.Address() + ", or serve Browser over http://"}, res.Hints...)
	}
	return res
}
