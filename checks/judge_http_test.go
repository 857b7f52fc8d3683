package checks

import (
	"errors"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/generation"
)

func TestDeriveHTTPURI(t *testing.T) {
	t.Parallel()
	for uri, want := range map[string]string{
		"neo4j://db.example.com":                     "http://db.example.com:7474",
		"bolt://db.example.com:7999":                 "http://db.example.com:7474",
		"neo4j+s://db.example.com":                   "https://db.example.com:7473",
		"bolt+ssc://10.0.0.5":                        "https://10.0.0.5:7473",
		"neo4j+s://abcd1234.databases.neo4j.io":      "https://abcd1234.databases.neo4j.io",
		"neo4j://[::1]:7687":                         "http://[::1]:7474",
		"neo4j+s://abcd1234.databases.neo4j.io:7687": "https://abcd1234.databases.neo4j.io",
	} {
		p, err := ParseURI(uri)
		if err != nil {
			t.Fatal(err)
		}
		if got := DeriveHTTPURI(p); got != want {
			t.Errorf("DeriveHTTPURI(%s) = %s, want %s", uri, got, want)
		}
	}
}

func TestParseHTTPURI(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"http://localhost:7474":   "http://localhost:7474",
		"HTTPS://db.example.com/": "https://db.example.com",
		" http://[::1]:7474 ":     "http://[::1]:7474",
	} {
		got, err := ParseHTTPURI(raw)
		if err != nil || got != want {
			t.Errorf("ParseHTTPURI(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	for raw, msg := range map[string]string{
		"localhost:7474":                 "no scheme",
		"bolt://localhost:7687":          "Bolt URI",
		"ftp://localhost":                "must be http or https",
		"http://neo4j:hunter2@localhost": "carries credentials",
		"http://localhost:99999":         "not valid",
		"http://localhost:7474/browser/": "has a path",
		"http://local host":              "space",
		"http://":                        "not valid",
	} {
		_, err := ParseHTTPURI(raw)
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(ie.Msg, msg) {
			t.Errorf("ParseHTTPURI(%q) = %v, want an input error with %q", raw, err, msg)
			continue
		}
		if strings.Contains(ie.Msg+ie.Hint, "hunter2") {
			t.Errorf("ParseHTTPURI(%q) quotes the password: %q", raw, ie.Msg)
		}
	}
}

func TestAdvertisedProblems(t *testing.T) {
	t.Parallel()
	target := func(uri string) *Target {
		p, err := ParseURI(uri)
		if err != nil {
			t.Fatal(err)
		}
		return &Target{Scheme: p.Scheme, Host: p.Host, Port: p.Port}
	}
	resolves := func(h string) bool { return h != "nowhere.internal" }
	for _, tc := range []struct {
		name, uri, answered string
		doc                 discovery
		table               []int
		want                string // code, "" for none
	}{
		{"the URI's own address", "neo4j://db.example.com:7687", "203.0.113.7", discovery{BoltRouting: "neo4j://db.example.com:7687"}, nil, ""},
		{"localhost to a remote client", "neo4j://db.example.com:7687", "203.0.113.7", discovery{BoltRouting: "neo4j://localhost:7687"}, nil, "http.advertised_local"},
		{"localhost to a local client", "neo4j://localhost:7687", "127.0.0.1", discovery{BoltRouting: "neo4j://localhost:7687"}, nil, ""},
		{"0.0.0.0", "neo4j://db.example.com", "203.0.113.7", discovery{BoltDirect: "bolt://0.0.0.0:7687"}, nil, "http.advertised_local"},
		{"private to a public client", "neo4j://db.example.com", "203.0.113.7", discovery{BoltRouting: "neo4j://10.1.2.3:7687"}, nil, "http.advertised_local"},
		{"private inside the network", "neo4j://db.example.com", "10.1.2.4", discovery{BoltRouting: "neo4j://10.1.2.3:7687"}, nil, ""},
		{"a name that does not resolve", "neo4j://db.example.com", "203.0.113.7", discovery{BoltRouting: "neo4j://nowhere.internal:7687"}, nil, "http.advertised_unresolved"},
		{"another port", "neo4j://db.example.com:17687", "203.0.113.7", discovery{BoltRouting: "neo4j://db.example.com:7687"}, nil, "http.advertised_port"},
		{"a port of the routing table", "neo4j://db.example.com:17687", "203.0.113.7", discovery{BoltRouting: "neo4j://db.example.com:7687"}, []int{7687}, ""},
		{"not a Bolt URI", "neo4j://db.example.com", "203.0.113.7", discovery{BoltRouting: "http://db.example.com:7474"}, nil, "http.advertised_local"},
	} {
		got := advertisedProblems(target(tc.uri), &tc.doc, tc.answered, tc.table, resolves)
		code := ""
		if len(got) > 0 {
			code = got[0].code
		}
		if code != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, got, tc.want)
		}
	}
}

func TestJudgeHTTP(t *testing.T) {
	t.Parallel()
	v5 := generation.Server{Gen: generation.V5}
	tg := &Target{Scheme: "neo4j", Host: "db.example.com", Port: 7687}
	doc := func(fields map[string]any) *discovery {
		d := &discovery{fields: fields}
		d.BoltRouting, _ = fields["bolt_routing"].(string)
		d.Version, _ = fields["neo4j_version"].(string)
		d.Query, _ = fields["query"].(string)
		return d
	}
	healthy := map[string]any{"bolt_routing": "neo4j://db.example.com:7687", "neo4j_version": "5.26.0", "neo4j_edition": "enterprise", "query": "/db/{databaseName}/query/v2"}
	for _, tc := range []struct {
		name   string
		out    httpOutcome
		hc     httpContext
		status Status
		code   string
		hint   string
	}{
		{"derived, refused", httpOutcome{url: "http://db.example.com:7474", dialErr: syscall.ECONNREFUSED}, httpContext{}, Skip, "http.no_endpoint", ""},
		{"derived, given up", httpOutcome{url: "http://db.example.com:7474", gaveUp: true}, httpContext{}, Skip, "http.no_endpoint", ""},
		{"explicit, refused", httpOutcome{url: "http://db.example.com:7474", explicit: true, dialErr: syscall.ECONNREFUSED}, httpContext{}, Fail, "http.unreachable", "--http-uri"},
		{"healthy", httpOutcome{reached: true, status: 200, doc: doc(healthy), query: &queryAPIOutcome{status: 202, value: "1"}}, httpContext{agent: "Neo4j/5.26.0"}, Pass, "", ""},
		{"another release", httpOutcome{reached: true, status: 200, doc: doc(healthy), query: &queryAPIOutcome{status: 202, value: "1"}}, httpContext{agent: "Neo4j/5.20.0"}, Warn, "http.version_mismatch", "same server"},
		{"advertises localhost", httpOutcome{reached: true, status: 200, doc: doc(healthy), query: &queryAPIOutcome{status: 202}},
			httpContext{advertised: []advertisedProblem{{"bolt_routing", "neo4j://localhost:7687", "http.advertised_local", "localhost is a loopback address", "a loopback address"}}},
			Warn, "http.advertised_local", "`server.bolt.advertised_address=db.example.com:7687`"},
		{"query API absent on 5.x", httpOutcome{reached: true, status: 200, doc: doc(map[string]any{"bolt_routing": "neo4j://db.example.com:7687", "neo4j_version": "5.20.0"})}, httpContext{}, Warn, "http.query_api_disabled", "server.http_enabled_modules"},
		{"query API 404", httpOutcome{reached: true, status: 200, doc: doc(healthy), query: &queryAPIOutcome{status: 404, path: "/db/neo4j/query/v2"}}, httpContext{}, Warn, "http.query_api_disabled", "QUERY_API_ENDPOINTS"},
		{"query API refuses the credentials", httpOutcome{reached: true, status: 200, doc: doc(healthy), query: &queryAPIOutcome{status: 401, errCode: "Neo.ClientError.Security.Unauthorized", errMsg: "Invalid username or password."}}, httpContext{}, Fail, "http.query_api_failed", "Authorization"},
		{"no query API on 4.4", httpOutcome{reached: true, status: 200, doc: doc(map[string]any{"bolt_routing": "neo4j://db.example.com:7687", "neo4j_version": "4.4.40"})}, httpContext{}, Pass, "", ""},
		{"not a discovery document", httpOutcome{reached: true, status: http.StatusNotFound, docErr: errors.New("HTTP 404")}, httpContext{}, Warn, "http.not_discovery", "--http-uri"},
	} {
		res := judgeHTTP(tg, v5, &tc.out, tc.hc)
		if res.Status != tc.status || res.Code != tc.code {
			t.Errorf("%s: %s %q (%s), want %s %q", tc.name, res.Status, res.Code, res.Summary, tc.status, tc.code)
		}
		if tc.hint != "" && (len(res.Hints) == 0 || !strings.Contains(strings.Join(res.Hints, "\n"), tc.hint)) {
			t.Errorf("%s: hints %q lack %q", tc.name, res.Hints, tc.hint)
		}
		if res.Status != Pass && res.Status != Skip && (len(res.Hints) == 0 || res.Summary == "") {
			t.Errorf("%s: %s without a summary or a hint", tc.name, res.Status)
		}
	}
}

func TestJudgeWebSocket(t *testing.T) {
	t.Parallel()
	tg := &Target{Scheme: "neo4j", Routing: true, Host: "db.example.com", Port: 7687}
	for _, tc := range []struct {
		name string
		out  wsOutcome
		code string
		hint string
	}{
		{"healthy", wsOutcome{url: "ws://db.example.com:7687"}, "", ""},
		{"upgrade stripped", wsOutcome{url: "ws://db.example.com:7687", status: 400, answered: "HTTP 400 Bad Request", dialErr: errors.New("expected 101")}, "websocket.upgrade_refused", "Upgrade and Connection headers"},
		{"closed on the upgrade", wsOutcome{url: "ws://db.example.com:7687", answered: "the connection was closed without an HTTP answer", dialErr: errors.New("EOF")}, "websocket.upgrade_refused", "`Connection: Upgrade`"},
		{"no Bolt inside", wsOutcome{url: "ws://db.example.com:7687", hsErr: errors.New("silent")}, "websocket.no_bolt", "proxy"},
		{"mixed content", wsOutcome{url: "ws://db.example.com:7687", mixed: true, httpURL: "https://db.example.com:7473"}, "websocket.mixed_content", "neo4j+s://db.example.com:7687"},
	} {
		res := judgeWebSocket(tg, &tc.out)
		want := Pass
		if tc.code != "" {
			want = Warn
		}
		if res.Status != want || res.Code != tc.code {
			t.Errorf("%s: %s %q (%s), want %s %q", tc.name, res.Status, res.Code, res.Summary, want, tc.code)
		}
		if tc.hint != "" && !strings.Contains(strings.Join(res.Hints, "\n"), tc.hint) {
			t.Errorf("%s: hints %q lack %q", tc.name, res.Hints, tc.hint)
		}
	}
}
