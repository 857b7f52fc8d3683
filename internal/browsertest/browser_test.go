package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
)

// The page: the driver's browser bundle, then RETURN 1 through
// executeQuery; the outcome goes to the title, the body and POST /result.
var page = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>running</title>
<script src="/neo4j-web.min.js"></script></head>
<body>running
<script>
(async () => {
  let out;
  const driver = neo4j.driver({{.URI}}, neo4j.auth.basic({{.User}}, {{.Password}}), {connectionTimeout: 10000, maxTransactionRetryTime: 1000{{if .EncryptedOff}}, encrypted: false{{end}}});
  try {
    const r = await driver.executeQuery("RETURN 1");
    out = {ok: true, value: r.records[0].get(0).toNumber(), agent: r.summary.server.agent, protocol: r.summary.server.protocolVersion};
  } catch (e) {
    out = {ok: false, error: String((e && e.message) || e), code: String((e && e.code) || ""), name: String((e && e.name) || "")};
  }
  try { await driver.close(); } catch (e) {}
  document.title = (out.ok ? "PASS " : "FAIL ") + JSON.stringify(out);
  document.body.textContent = document.title;
  await fetch("/result", {method: "POST", body: JSON.stringify(out)});
})();
</script></body></html>`))

type outcome struct {
	OK       bool    `json:"ok"`
	Value    float64 `json:"value"`
	Agent    string  `json:"agent"`
	Protocol float64 `json:"protocol"`
	Error    string  `json:"error"`
	Code     string  `json:"code"`
	Name     string  `json:"name"`
}

// inBrowser serves the page for uri, runs headless Chromium on it and
// returns what the page reported, with what Chromium printed for a
// failure message.
// browserRun is how the page is served and Chromium started.
type browserRun struct {
	flags []string // more Chromium flags
	// httpsPage serves the page over HTTPS as https://fixture.test:port/
	// (Chromium maps fixture.test to 127.0.0.1 and ignores the test
	// server's certificate), so the browser treats it as a remote HTTPS
	// origin: loopback addresses are exempt from mixed-content blocking.
	httpsPage bool
	// encryptedOff passes encrypted: false to the driver (ws:// even from
	// an HTTPS page).
	encryptedOff bool
}

func inBrowser(t *testing.T, chromium string, bundle []byte, uri string, run browserRun) outcome {
	t.Helper()
	results := make(chan outcome, 1)
	var once sync.Once
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, map[string]any{"URI": uri, "User": "neo4j", "Password": "browser-pw", "EncryptedOff": run.encryptedOff})
	})
	mux.HandleFunc("GET /neo4j-web.min.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write(bundle)
	})
	mux.HandleFunc("POST /result", func(w http.ResponseWriter, r *http.Request) {
		var o outcome
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&o); err != nil {
			o = outcome{Error: "the page posted no JSON: " + err.Error()}
		}
		once.Do(func() { results <- o })
	})
	flags := run.flags
	var web *httptest.Server
	pageURL := ""
	if run.httpsPage {
		web = httptest.NewTLSServer(mux)
		pageURL = "https://fixture.test:" + web.URL[strings.LastIndex(web.URL, ":")+1:] + "/"
		flags = append(flags, "--host-resolver-rules=MAP fixture.test 127.0.0.1", "--ignore-certificate-errors")
	} else {
		web = httptest.NewServer(mux)
		pageURL = web.URL + "/"
	}
	t.Cleanup(web.Close)

	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir()}, flags...)
	cmd := exec.CommandContext(ctx, chromium, append(args, pageURL)...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", chromium, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() { cancel(); <-exited } // kills this Chromium (its own pid) and waits
	select {
	case o := <-results:
		stop()
		return o
	case err := <-exited:
		cancel()
		t.Fatalf("chromium exited before the page reported (%v):\n%s", err, tail(out.String()))
	case <-time.After(90 * time.Second):
		stop()
		t.Fatalf("the page reported nothing within 90s; chromium said:\n%s", tail(out.String()))
	}
	return outcome{}
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

func TestBrowserReturnOneOverWebSocket(t *testing.T) {
	chromium, bundlePath := os.Getenv("NEO4J_DOCTOR_CHROMIUM"), os.Getenv("NEO4J_DOCTOR_NEO4J_WEB_JS")
	if chromium == "" || bundlePath == "" {
		t.Skip("needs headless Chromium and the JS driver's browser bundle: scripts/e2e-browser.sh runs it")
	}
	bundle, err := os.ReadFile(bundlePath)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := certs.SelfSigned(certs.LeafOptions{DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	const (
		sawSession    = "session"     // the upgrade, then RETURN 1 inside the WebSocket
		sawUntrusted  = "untrusted"   // a TLS handshake the browser broke off
		sawRefused    = "refused"     // an upgrade request answered without an upgrade
		sawClientHelo = "clienthello" // a TLS ClientHello on the plaintext port, closed
		sawNothing    = "nothing"     // no connection at all: the browser blocked it
	)
	failure := "WebSocket connection failure" // the driver's words, whatever the cause
	for _, tc := range []struct {
		name    string
		mode    fixtures.WebSocketMode
		scheme  string
		tls     bool // the Bolt port requires TLS (a self-signed certificate)
		run     browserRun
		wantErr string // "" when RETURN 1 must pass
		saw     string // what the fixture must have seen
	}{
		{"neo4j:// as Neo4j Browser connects", fixtures.WebSocketOn, "neo4j", false, browserRun{}, "", sawSession},
		{"bolt:// direct", fixtures.WebSocketOn, "bolt", false, browserRun{}, "", sawSession},
		// wss: the same Bolt inside TLS inside the WebSocket. Chromium
		// cannot be told to trust one certificate without a system store,
		// so the passing case ignores certificate errors; the failing one
		// is what Browser users meet with a certificate the browser does
		// not trust on the Bolt port.
		{"bolt+s:// over wss", fixtures.WebSocketOn, "bolt+s", true, browserRun{flags: []string{"--ignore-certificate-errors"}}, "", sawSession},
		{"bolt+s:// with a certificate the browser does not trust", fixtures.WebSocketOn, "bolt+s", true, browserRun{}, failure, sawUntrusted},
		// Mixed content: the page is HTTPS (Browser on 7473, or behind an
		// HTTPS proxy) and the Bolt port plaintext. The driver then uses
		// wss even for bolt:// (determineWebSocketScheme), so a TLS
		// ClientHello reaches the plaintext port, which closes it; told
		// encrypted: false it uses ws://, which Chromium refuses before
		// connecting (a SecurityError from new WebSocket, in its own words).
		{"bolt:// from an HTTPS page: the driver switches to wss", fixtures.WebSocketOn, "bolt", false, browserRun{httpsPage: true}, failure, sawClientHelo},
		{"bolt:// from an HTTPS page with encrypted off: blocked", fixtures.WebSocketOn, "bolt", false, browserRun{httpsPage: true, encryptedOff: true},
			"An insecure WebSocket connection may not be initiated from a page loaded over HTTPS.", sawNothing},
		// What Browser users see when a proxy drops Upgrade/Connection: the
		// driver's own words for a WebSocket that never opened, and with
		// neo4j:// the routing failure it turns into.
		{"a proxy stripped the upgrade, bolt://", fixtures.WebSocketStripped, "bolt", false, browserRun{}, failure, sawRefused},
		{"a proxy stripped the upgrade, neo4j://", fixtures.WebSocketStripped, "neo4j", false, browserRun{}, "Could not perform discovery. No routing servers available.", sawRefused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fixtures.Neo4j526()
			cfg.Users = map[string]string{"neo4j": "browser-pw"}
			cfg.WebSocket = tc.mode
			if tc.tls {
				cfg.TLS = certs.ServerConfig(leaf)
			}
			s, err := fixtures.Start(cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			uri := s.URI(tc.scheme)
			if tc.run.httpsPage {
				uri = tc.scheme + "://fixture.test:" + strconv.Itoa(s.Port())
			}
			o := inBrowser(t, chromium, bundle, uri, tc.run)
			t.Logf("the page reported %+v", o)
			if tc.wantErr == "" && (!o.OK || o.Value != 1 || o.Agent != "Neo4j/5.26.0") {
				t.Fatalf("RETURN 1 in the browser: %+v", o)
			}
			if tc.wantErr != "" && (o.OK || !strings.Contains(o.Error, tc.wantErr)) {
				t.Fatalf("the browser got %+v, want a failure containing %q", o, tc.wantErr)
			}
			got := s.Received()
			var upgraded, ran bool
			for _, r := range got {
				t.Logf("fixture: conn %d first=% X tls=%v %q upgrade=%v websocket=%v bolt=%s messages=%d tlsError=%q",
					r.Conn, r.FirstBytes[:min(len(r.FirstBytes), 6)], r.TLS, r.HTTPRequest, r.Upgrade, r.WebSocket, r.Version, len(r.Messages), r.TLSError)
				upgraded = upgraded || r.WebSocket
				for _, m := range r.Messages {
					ran = ran || m.Name == "RUN" && m.Query == "RETURN 1"
				}
			}
			if tc.saw == sawSession {
				if !upgraded || !ran {
					t.Fatalf("the fixture saw no RETURN 1 over WebSocket (upgraded %v, ran %v)", upgraded, ran)
				}
				return
			}
			if upgraded || ran {
				t.Fatalf("the fixture upgraded (%v) or ran a query (%v)", upgraded, ran)
			}
			if tc.saw == sawNothing {
				if len(got) != 0 {
					t.Fatalf("the browser reached the Bolt port %d times", len(got))
				}
				return
			}
			if len(got) == 0 {
				t.Fatal("the browser never reached the Bolt port")
			}
			r := got[0]
			switch tc.saw {
			case sawUntrusted:
				if r.TLS || r.TLSError == "" {
					t.Fatalf("want a TLS handshake the browser broke off: %+v", r)
				}
			case sawRefused:
				if !r.Upgrade || !strings.HasPrefix(r.HTTPRequest, "GET / ") {
					t.Fatalf("want the browser's upgrade request: %+v", r)
				}
			case sawClientHelo:
				if len(r.FirstBytes) < 2 || r.FirstBytes[0] != 0x16 || r.FirstBytes[1] != 0x03 || r.TLS {
					t.Fatalf("want a TLS ClientHello on the plaintext port: %+v", r)
				}
			}
		})
	}
}
