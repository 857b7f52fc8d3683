package checks_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/network"
)

// startDiscovery serves a discovery document at GET / and the Query API
// at POST /db/<db>/query/v2 on 127.0.0.1 (port 0), as Neo4j's HTTP
// connector does: RETURN 1 for the test's credentials, 401 otherwise;
// queryAPI false answers 404 there, as a server without the module.
func startDiscovery(t *testing.T, doc map[string]any, queryAPI bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	})
	mux.HandleFunc("POST /db/{db}/query/v2", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if !queryAPI {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if u, p, ok := r.BasicAuth(); !ok || u != testUser || p != testPass {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"errors":[{"code":"Neo.ClientError.Security.Unauthorized","message":"Invalid username or password."}]}`))
			return
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"data":{"fields":["1"],"values":[[1]]},"bookmarks":[]}`))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

func TestHTTPCheck(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	bolt := s.Addr()
	doc := func(adv string) map[string]any {
		return map[string]any{"bolt_routing": "neo4j://" + adv, "bolt_direct": "bolt://" + adv, "transaction": "http://x/db/{databaseName}/tx",
			"neo4j_version": "5.26.0", "neo4j_edition": "enterprise", "query": "/db/{databaseName}/query/v2"}
	}
	t.Run("healthy", func(t *testing.T) {
		t.Parallel()
		uri := startDiscovery(t, doc(bolt), true)
		rep := run(t, target{uri: "bolt://" + bolt, httpURI: uri})
		res := wantCheck(t, rep, "http", checks.Pass, "Browser is told neo4j://"+bolt+", Neo4j 5.26.0 enterprise")
		if v, _ := fact(res, "query API"); !strings.Contains(v, "RETURN 1 returned 1") {
			t.Errorf("query API fact %q", v)
		}
		if v, _ := fact(res, "endpoint"); v != uri {
			t.Errorf("endpoint fact %q, want %q", v, uri)
		}
	})
	t.Run("another port", func(t *testing.T) {
		t.Parallel()
		uri := startDiscovery(t, doc("127.0.0.1:7"), true)
		rep := run(t, target{uri: "bolt://" + bolt, httpURI: uri})
		wantCheck(t, rep, "http", checks.Warn, "Browser is told neo4j://127.0.0.1:7, port 7, not "+strings.Split(bolt, ":")[1], "server.bolt.advertised_address="+bolt)
		wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	})
	t.Run("query API off", func(t *testing.T) {
		t.Parallel()
		uri := startDiscovery(t, doc(bolt), false)
		rep := run(t, target{uri: "bolt://" + bolt, httpURI: uri})
		if res := wantCheck(t, rep, "http", checks.Warn, "the Query API", "QUERY_API_ENDPOINTS"); res.Code != "http.query_api_disabled" {
			t.Errorf("code %q", res.Code)
		}
	})
	t.Run("explicit and refused", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		rep := run(t, target{uri: "bolt://" + bolt, httpURI: "http://" + addr})
		res := wantCheck(t, rep, "http", checks.Fail, "nothing answered at http://"+addr+": connection refused", "--http-uri")
		if res.Code != "http.unreachable" {
			t.Errorf("code %q", res.Code)
		}
		wantCheck(t, rep, "websocket", checks.Skip, "no HTTP endpoint answered")
		wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	})
}

// TestHTTPBudgetBlackHole: a healthy Bolt server whose HTTP port (the
// derived :7474) is black-holed passes, http and websocket skipped, and
// the run is not longer than without them by more than a tenth: the http
// check stops waiting for the connection once the Bolt path is done. The
// Bolt path crosses a latency proxy that counts its round trips, which
// must be the same with and without the HTTP side.
func TestHTTPBudgetBlackHole(t *testing.T) {
	t.Parallel()
	bh, err := network.StartBlackHole()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bh.Close() })
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	env := testEnv(t)
	var d net.Dialer
	env.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if strings.HasSuffix(addr, ":"+strconv.Itoa(checks.DefaultHTTPPort)) {
			addr = bh.Addr()
		}
		return d.DialContext(ctx, network, addr)
	}
	const step = 3 * time.Second // what a black hole would cost without the budget
	diag := func(opts checks.Options) (*checks.Report, []int) {
		p := startLatency(t, 20*time.Millisecond, s.Addr())
		tt := resolve(t, target{uri: "bolt://" + p.Addr(), timeout: step, deriveHTTP: true})
		rep := checks.Diagnose(t.Context(), tt, env, opts)
		return rep, roundTrips(p)
	}
	base, baseTrips := diag(checks.Options{Skip: []string{"http", "websocket"}})
	rep, trips := diag(checks.Options{})
	wantVerdict(t, base, checks.Pass, checks.ExitHealthy)
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	res := wantCheck(t, rep, "http", checks.Skip, "no HTTP endpoint answered at http://127.0.0.1:7474; pass --http-uri to check it")
	if v, _ := fact(res, "why"); v != "it did not answer before the Bolt path finished" {
		t.Errorf("why %q: the check did not give up when the Bolt path was done", v)
	}
	wantCheck(t, rep, "websocket", checks.Skip, "no HTTP endpoint answered at http://127.0.0.1:7474")
	if !slices.Equal(trips, baseTrips) {
		t.Errorf("Bolt round trips per connection %v with the HTTP side, %v without", trips, baseTrips)
	}
	// The budget is a tenth of the run; the slack is for a busy machine,
	// and far below the step timeout a black hole costs without it.
	if limit := base.Duration + base.Duration/10 + 300*time.Millisecond; rep.Duration > limit {
		t.Errorf("the run took %s with a black-holed HTTP port, %s without the HTTP side (limit %s)", rep.Duration, base.Duration, limit)
	}
}

// TestHTTPPortAsBoltURI: a URI that names the HTTP port fails at bolt,
// and the hint gives the Bolt URI of the port's discovery document;
// when that URI is loopback to a client that came by name, it says both.
func TestHTTPPortAsBoltURI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, uri, adv string
		hints          []string
	}{
		{"the document's URI", "bolt://%s", "bolt://127.0.0.1:7687", []string{"its discovery document gives the Bolt URI: connect to bolt://127.0.0.1:7687"}},
		{"a loopback URI to a remote client", "bolt://%s", "bolt://localhost:7687", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := startHTTPPort(t, map[string]any{"bolt_direct": tc.adv, "bolt_routing": strings.Replace(tc.adv, "bolt:", "neo4j:", 1), "neo4j_version": "5.26.0"})
			rep := run(t, target{uri: "bolt://" + addr})
			res := wantCheck(t, rep, "bolt", checks.Fail, "the server answered HTTP", tc.hints...)
			if res.Code != "bolt.http" {
				t.Errorf("code %q", res.Code)
			}
			if !strings.Contains(strings.Join(res.Hints, "\n"), tc.adv) {
				t.Errorf("hints %q do not name %s", res.Hints, tc.adv)
			}
		})
	}
}

// startHTTPPort is an HTTP port as Jetty answers on it: 400 at once to
// Bolt's handshake (which is no request line), the discovery document to
// GET /.
func startHTTPPort(t *testing.T, doc map[string]any) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	body, _ := json.Marshal(doc)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				br := bufio.NewReader(c)
				if first, err := br.Peek(4); err != nil || first[0] == 0x60 {
					_, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
					return
				}
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				_, _ = fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
			}()
		}
	}()
	return ln.Addr().String()
}

// TestWebSocketCheck: Bolt over WebSocket to the fixture's Bolt port, as
// Browser speaks it, with the upgrade served, stripped by a proxy, or
// closed; and an HTTPS page with plaintext Bolt.
func TestWebSocketCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		mode    fixtures.WebSocketMode
		status  checks.Status
		code    string
		summary string
	}{
		{"served", fixtures.WebSocketOn, checks.Pass, "", "Bolt 5.8 over ws, logged in"},
		{"stripped by a proxy", fixtures.WebSocketStripped, checks.Warn, "websocket.upgrade_refused", "did not upgrade to WebSocket: HTTP 200 OK answered"},
		{"closed", fixtures.WebSocketOff, checks.Warn, "websocket.upgrade_refused", "did not upgrade to WebSocket: the connection was closed without an HTTP answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := withUsers(fixtures.Neo4j526())
			cfg.WebSocket = tc.mode
			cfg.HTTP = &fixtures.HTTPConfig{}
			s := startServer(t, cfg)
			rep := run(t, target{uri: "bolt://" + s.Addr(), httpURI: s.HTTPURI()})
			res := wantCheck(t, rep, "websocket", tc.status, tc.summary)
			if res.Code != tc.code {
				t.Errorf("code %q, want %q", res.Code, tc.code)
			}
			wantCheck(t, rep, "http", checks.Pass, "Browser is told neo4j://"+s.Addr())
			if tc.status == checks.Warn {
				wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
				if i := slices.IndexFunc(rep.Checks, func(c checks.Result) bool { return c.ID == "websocket" }); i != 3 {
					t.Errorf("websocket is check %d of the report, want 3: beside tcp, the http check that passed listed last", i)
				}
			}
			// What the fixture saw: one HTTP request on the Bolt port.
			var gets int
			for _, rec := range s.Received() {
				if strings.HasPrefix(string(rec.FirstBytes), "GET ") {
					gets++
				}
			}
			if gets != 1 {
				t.Errorf("%d HTTP requests on the Bolt port, want 1", gets)
			}
		})
	}
	t.Run("mixed content", func(t *testing.T) {
		t.Parallel()
		ca, err := certs.NewCA("http test CA")
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := ca.Leaf(certs.LeafOptions{IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
		if err != nil {
			t.Fatal(err)
		}
		caFile := filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(caFile, leaf.CAPEM, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := withUsers(fixtures.Neo4j526())
		cfg.HTTP = &fixtures.HTTPConfig{Cert: certs.ServerConfig(leaf)}
		s := startServer(t, cfg)
		rep := run(t, target{uri: "bolt://" + s.Addr(), httpURI: s.HTTPURI(), caFile: caFile})
		wantCheck(t, rep, "http", checks.Pass, "Browser is told")
		res := wantCheck(t, rep, "websocket", checks.Warn, "an https:// Browser page cannot open ws://"+s.Addr(), "bolt+s://"+s.Addr())
		if res.Code != "websocket.mixed_content" {
			t.Errorf("code %q", res.Code)
		}
	})
}

// TestHTTPSCertificates: over HTTPS the certificate is verified as the
// Bolt port's is; when the two ports present different certificates the
// facts say which one verifies.
func TestHTTPSCertificates(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	for _, tc := range []struct {
		name       string
		httpsLeaf  func() *certs.Leaf
		status     checks.Status
		code, hint string
	}{
		{"the same certificate", nil, checks.Pass, "", ""},
		{"another trusted certificate", func() *certs.Leaf { return p.leaf(t, certs.LeafOptions{}) }, checks.Warn, "http.certificate_differs", "serve the same certificate"},
		{"a self-signed one", func() *certs.Leaf { return selfSigned(t) }, checks.Warn, "http.tls", "dbms.ssl.policy.https.public_certificate="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := withUsers(fixtures.Neo4j526())
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			cfg.Listener = ln
			cfg.AdvertisedAddress = net.JoinHostPort(host("db"), strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
			cfg.TLS = certs.ServerConfig(p.leaf(t, certs.LeafOptions{}))
			cfg.TLSMode = fixtures.TLSRequired
			cfg.HTTP = &fixtures.HTTPConfig{TLS: true}
			if tc.httpsLeaf != nil {
				cfg.HTTP.Cert = certs.ServerConfig(tc.httpsLeaf())
			}
			s := startServer(t, cfg)
			d := startDNS(t, map[string][]net.IP{host("db"): {lo}})
			_, hport, _ := net.SplitHostPort(s.HTTPAddr())
			tg := target{uri: "neo4j+s://" + net.JoinHostPort(host("db"), portOf(t, s.Addr())), caFile: p.caFile, dnsServer: d.Addr(),
				httpURI: "https://" + net.JoinHostPort(host("db"), hport)}
			rep := run(t, tg)
			wantCheck(t, rep, "tls", checks.Pass, "")
			res := wantCheck(t, rep, "http", tc.status, "")
			if res.Code != tc.code {
				t.Errorf("code %q (%s), want %q", res.Code, res.Summary, tc.code)
			}
			if tc.hint != "" && !slices.ContainsFunc(res.Hints, func(h string) bool { return strings.Contains(h, tc.hint) }) {
				t.Errorf("hints %q lack %q", res.Hints, tc.hint)
			}
			if v, _ := fact(res, "certificates"); tc.httpsLeaf != nil && !strings.Contains(v, "the Bolt port's") {
				t.Errorf("certificates fact %q", v)
			}
			// Browser's way to a TLS Bolt port: wss://, verified as Bolt is.
			wantCheck(t, rep, "websocket", checks.Pass, "over wss, logged in")
		})
	}
}

// TestHTTPChecksOnly: --checks websocket runs http (which it follows) and
// dns without the Bolt path; with no path to set the budget, a derived
// endpoint gets the step timeout, so a server that answers is checked.
func TestHTTPChecksOnly(t *testing.T) {
	t.Parallel()
	cfg := withUsers(fixtures.Neo4j526())
	cfg.HTTP = &fixtures.HTTPConfig{}
	s := startServer(t, cfg)
	env := testEnv(t)
	var d net.Dialer
	env.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if strings.HasSuffix(addr, ":"+strconv.Itoa(checks.DefaultHTTPPort)) {
			addr = s.HTTPAddr()
		}
		return d.DialContext(ctx, network, addr)
	}
	tt := resolve(t, target{uri: "bolt://" + s.Addr(), deriveHTTP: true})
	rep := checks.Diagnose(t.Context(), tt, env, checks.Options{Only: []string{"http", "websocket"}})
	wantCheck(t, rep, "http", checks.Pass, "Browser is told neo4j://"+s.Addr())
	wantCheck(t, rep, "websocket", checks.Pass, "over ws, logged in")
	wantCheck(t, rep, "bolt", checks.Skip, "not selected by --checks")
}

// TestHTTPEndlessHeaders: an HTTP endpoint that answers GET / with
// headers without end is cut off after a bounded read; the check says
// it is not a discovery document.
func TestHTTPEndlessHeaders(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\n"))
		line := []byte("X-Filler: " + strings.Repeat("a", 1000) + "\r\n")
		for range 4 << 10 { // 4 MiB at most: bounded
			if _, err := c.Write(line); err != nil {
				return
			}
		}
	}()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	rep := run(t, target{uri: "bolt://" + s.Addr(), httpURI: "http://" + ln.Addr().String()})
	res := wantCheck(t, rep, "http", checks.Warn, "did not answer GET /")
	if res.Code != "http.not_discovery" {
		t.Errorf("code %q", res.Code)
	}
}

// TestWebSocketNoBolt: something upgrades the connection on the Bolt port
// but does not speak Bolt inside (a proxy whose WebSocket route leads
// elsewhere): websocket.no_bolt, told apart from a refused upgrade.
func TestWebSocketNoBolt(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		defer c.CloseNow()
		// Read what comes and answer nothing, until the client goes.
		for {
			if _, _, err := c.Read(r.Context()); err != nil {
				return
			}
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	uri := startDiscovery(t, map[string]any{"bolt_routing": "neo4j://" + ln.Addr().String(), "neo4j_version": "5.26.0"}, true)
	rep := run(t, target{uri: "bolt://" + ln.Addr().String(), httpURI: uri, timeout: 300 * time.Millisecond})
	res := wantCheck(t, rep, "websocket", checks.Warn, "the WebSocket upgrade worked, but Bolt inside it did not answer")
	if res.Code != "websocket.no_bolt" {
		t.Errorf("code %q", res.Code)
	}
}
