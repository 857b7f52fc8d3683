package checks

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/generation"
	"github.com/neo4j-doctor/neo4j-doctor/internal/clip"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"
)

var httpCheck = Check{
	ID: "http", Title: "HTTP discovery", Needs: []string{"dns"}, Beside: "tcp",
	Doc: "the HTTP(S) endpoint beside Bolt (`--http-uri`, else derived from the URI): its discovery document, the Bolt address it gives Browser and tools against the URI and the routing table, its release against Bolt's, the HTTPS certificate, the Query API; runs beside the Bolt path and is skipped when a derived endpoint does not answer",
	Codes: []Code{
		{ID: "http.no_endpoint", Doc: "skipped: nothing answered at the HTTP endpoint derived from the URI (refused, or not before the Bolt path finished); pass --http-uri to check it"},
		{ID: "http.unreachable", Doc: "nothing answered at the HTTP endpoint given with --http-uri: refused, filtered or timed out", Wait: true},
		{ID: "http.tls", Doc: "the HTTPS certificate or handshake failed, for the causes the tls check names"},
		{ID: "http.certificate_differs", Doc: "the HTTPS port and the Bolt port present different certificates (the facts say which one verifies)"},
		{ID: "http.not_discovery", Doc: "the HTTP endpoint answered, but not with Neo4j's discovery document (another web server, a proxy's page, an error status)"},
		{ID: "http.advertised_local", Doc: "the discovery document gives Browser a Bolt address that cannot reach the server from this client: localhost, 0.0.0.0 or a private address"},
		{ID: "http.advertised_unresolved", Doc: "the discovery document gives a Bolt address whose name does not resolve here"},
		{ID: "http.advertised_port", Doc: "the discovery document gives a Bolt port that is neither the URI's nor one in the routing table"},
		{ID: "http.version_mismatch", Doc: "the HTTP endpoint reports another Neo4j release than the Bolt server: they are different servers"},
		{ID: "http.query_api_disabled", Doc: "the Query API is not enabled (404, or left out of the discovery document by a 5.x server)"},
		{ID: "http.query_api_failed", Doc: "the Query API refused `RETURN 1` with the run's credentials, with the server's error"},
	},
	Run: checkHTTP,
}

// maxDocument bounds what the check reads of an HTTP body: a discovery
// document is a few hundred bytes.
const maxDocument = 64 << 10

// maxExchange bounds everything the check reads from the HTTP endpoint,
// headers included: a server that sends headers without end is cut off
// here rather than by memory.
const maxExchange = 1 << 20

// httpOutcome is what the http check found, for its judgement and for
// the websocket check.
type httpOutcome struct {
	url      string // scheme://host:port
	tls      bool
	explicit bool
	addr     string // ip:port that answered
	// reached: a TCP connection (and TLS, over HTTPS) was made; when false
	// dialErr or gaveUp says why.
	reached  bool
	dialErr  error
	gaveUp   bool // derived endpoint: the Bolt path finished first
	tlsInfo  *tlsprobe.Result
	tlsErr   error
	status   int
	headers  http.Header
	body     []byte
	fetchErr error
	doc      *discovery
	docErr   error
	query    *queryAPIOutcome
}

// discovery is Neo4j's discovery document, GET / on the HTTP port.
type discovery struct {
	BoltRouting string `json:"bolt_routing"`
	BoltDirect  string `json:"bolt_direct"`
	Version     string `json:"neo4j_version"`
	Edition     string `json:"neo4j_edition"`
	Transaction string `json:"transaction"`
	Query       string `json:"query"`
	// fields is every field as sent, for the facts.
	fields map[string]any
}

// queryAPIOutcome is what POST RETURN 1 to the Query API gave.
type queryAPIOutcome struct {
	path    string
	status  int
	value   string // the value of RETURN 1, as the server wrote it
	errCode string // the server's error code, when it sent one
	errMsg  string
	err     error
}

// parseDiscovery reads a discovery document; a body that is not a JSON
// object with at least one of Neo4j's fields is not one.
func parseDiscovery(body []byte) (*discovery, error) {
	var fields map[string]any
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	d := &discovery{fields: fields}
	str := func(k string) string {
		s, _ := fields[k].(string)
		return s
	}
	d.BoltRouting, d.BoltDirect = str("bolt_routing"), str("bolt_direct")
	d.Version, d.Edition = str("neo4j_version"), str("neo4j_edition")
	d.Transaction, d.Query = str("transaction"), str("query")
	if d.BoltRouting == "" && d.BoltDirect == "" && d.Version == "" && d.Transaction == "" {
		return nil, errors.New("JSON without any of bolt_routing, bolt_direct, neo4j_version or transaction")
	}
	return d, nil
}

// checkHTTP fetches the discovery document beside the Bolt path and
// judges it once the Bolt path has what it is compared with.
func checkHTTP(ctx context.Context, r *Run) Result {
	out := r.fetchHTTP(ctx)
	r.http = out
	if !out.reached {
		return httpUnreached(out)
	}
	// Judged against what the Bolt path found: wait for it, which costs
	// nothing the Bolt path would not spend anyway. Nothing of the Bolt
	// path's is read before.
	if err := r.await(ctx, "tls", "bolt", "version", "auth", "routing"); err != nil {
		return Result{Status: Fail, Err: err, Code: "http.unreachable", Summary: "interrupted"}
	}
	var hello string
	if r.hello != nil {
		hello = r.hello.Server
	}
	var boltTLS *tlsprobe.Result
	if r.T.TLS != TLSOff {
		boltTLS = r.s.tlsInfo
	}
	adv := r.judgeAdvertised(ctx, out.doc)
	return judgeHTTP(r.T, r.serverGen(), out, httpContext{agent: hello, boltTLS: boltTLS, advertised: adv})
}

// httpContext is what the Bolt path found that the http check compares
// with.
type httpContext struct {
	agent      string           // HELLO's server agent, "" when the login did not answer
	boltTLS    *tlsprobe.Result // the Bolt port's TLS, nil when plaintext
	advertised []advertisedProblem
}

// advertisedProblem is one thing wrong with a Bolt URI the document gives.
type advertisedProblem struct {
	field string // bolt_routing or bolt_direct
	uri   string
	code  string
	why   string
	short string // what the address is, for the summary
}

// fetchHTTP connects to the HTTP endpoint and reads the discovery
// document, then the Query API when the document names it. A derived
// endpoint gets until the Bolt path is done (plus a tenth of its time)
// to accept the connection: a port that is filtered must not make the
// run longer than it is without the check.
func (r *Run) fetchHTTP(ctx context.Context) *httpOutcome {
	u, _ := url.Parse(r.T.HTTPURI)
	out := &httpOutcome{url: r.T.HTTPURI, tls: u.Scheme == "https", explicit: r.T.HTTPExplicit}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[bool]string{true: "443", false: "80"}[out.tls]
	}
	dctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
	defer cancel()
	var connected sync.Once
	reached := make(chan struct{})
	// The budget is the Bolt path's: without one (--checks http), the
	// endpoint gets the step timeout.
	if !out.explicit && r.willRun("bolt") {
		start := r.Env.Now()
		path := r.pathDone("http", "websocket")
		go func() {
			select {
			case <-reached:
				return
			case <-dctx.Done():
				return
			case <-path:
			}
			grace := time.NewTimer(r.Env.Now().Sub(start) / 10)
			defer grace.Stop()
			select {
			case <-reached:
			case <-dctx.Done():
			case <-grace.C:
				connected.Do(func() { out.gaveUp = true })
				cancel()
			}
		}()
	}
	ips, err := r.httpAddrs(dctx, host)
	if err != nil {
		out.dialErr = err
		return unreached(out)
	}
	var conn net.Conn
	for _, ip := range ips {
		addr := net.JoinHostPort(ip.String(), port)
		c, err := r.Env.Dial(dctx, "tcp", addr)
		if err == nil {
			conn, out.addr = c, addr
			break
		}
		out.dialErr = err
		if dctx.Err() != nil {
			break
		}
	}
	stop := false
	connected.Do(func() {
		if conn == nil {
			return
		}
		close(reached)
		stop = true
	})
	if !stop {
		if conn != nil {
			_ = conn.Close()
		}
		return unreached(out)
	}
	out.reached, out.dialErr = true, nil
	// The endpoint answered: from here on its own timeout applies.
	fctx, fcancel := context.WithTimeout(ctx, r.T.Timeout)
	defer fcancel()
	var rw net.Conn = conn
	if out.tls {
		tc, info, err := tlsprobe.Probe(fctx, conn, r.httpTLSConfig(host))
		out.tlsInfo, out.tlsErr = info, err
		if err != nil {
			return out
		}
		rw = tc
	}
	defer rw.Close()
	br := bufio.NewReader(io.LimitReader(rw, maxExchange))
	req, _ := http.NewRequestWithContext(fctx, http.MethodGet, r.T.HTTPURI+"/", nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "neo4j-doctor/"+r.Env.Version)
	resp, body, err := exchange(fctx, rw, br, req)
	if err != nil {
		out.fetchErr = err
		return out
	}
	out.status, out.headers, out.body = resp.StatusCode, resp.Header, body
	if resp.StatusCode/100 != 2 {
		out.docErr = fmt.Errorf("HTTP %s", resp.Status)
		return out
	}
	out.doc, out.docErr = parseDiscovery(body)
	if out.doc == nil || out.doc.Query == "" {
		return out
	}
	if resp.Close {
		// The server will not take a second request on this connection.
		return out
	}
	out.query = r.postQuery(fctx, rw, br, out.doc.Query)
	return out
}

// unreached is the outcome of an endpoint that did not answer.
func unreached(out *httpOutcome) *httpOutcome {
	if out.gaveUp {
		out.dialErr = nil
	}
	return out
}

// httpAddrs resolves the HTTP endpoint's host: the dns check's answer
// when it is the URI's host, else the run's resolver.
func (r *Run) httpAddrs(ctx context.Context, host string) ([]net.IP, error) {
	if strings.EqualFold(host, r.T.Host) && len(r.Addrs) > 0 {
		return r.Addrs, nil
	}
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}, nil
	}
	addrs, err := r.Resolver().LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	var ips []net.IP
	for _, a := range addrs {
		ips = append(ips, a.IP)
	}
	return ips, nil
}

// httpTLSConfig verifies the HTTPS certificate as the Bolt URI's scheme
// verifies Bolt's: +ssc accepts any, everything else verifies.
func (r *Run) httpTLSConfig(host string) tlsprobe.Config {
	cfg := r.s.tlsConfig()
	cfg.ServerName = host
	if r.T.TLS != TLSAcceptAny {
		cfg.Mode = tlsprobe.Verify
	}
	return cfg
}

// exchange writes req on conn and reads the answer, its body bounded.
func exchange(ctx context.Context, conn net.Conn, br *bufio.Reader, req *http.Request) (*http.Response, []byte, error) {
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	if err := req.Write(conn); err != nil {
		return nil, nil, err
	}
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument))
	if err != nil {
		return resp, body, err
	}
	return resp, body, nil
}

// postQuery runs RETURN 1 on the Query API, with the run's credentials,
// in the database the run uses (the home database's name when the access
// check learnt it, else neo4j).
func (r *Run) postQuery(ctx context.Context, conn net.Conn, br *bufio.Reader, template string) *queryAPIOutcome {
	db := r.T.Database
	if db == "" {
		_ = r.await(ctx, "access")
		if r.access != nil && r.access.Database != "" {
			db = r.access.Database
		} else {
			db = "neo4j"
		}
	}
	path := strings.NewReplacer("{databaseName}", url.PathEscape(db), "{database}", url.PathEscape(db)).Replace(template)
	if u, err := url.Parse(path); err == nil && u.IsAbs() {
		// Only the path is the server's own: the request goes where the
		// document came from.
		path = u.RequestURI()
	}
	q := &queryAPIOutcome{path: path}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.T.HTTPURI+path, strings.NewReader(`{"statement":"RETURN 1"}`))
	if err != nil {
		q.err = err
		return q
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "neo4j-doctor/"+r.Env.Version)
	if r.T.BearerToken != "" {
		req.Header.Set("Authorization", "Bearer "+r.T.BearerToken)
	} else if r.T.Username != "" {
		req.SetBasicAuth(r.T.Username, r.T.Password)
	}
	resp, body, err := exchange(ctx, conn, br, req)
	if err != nil {
		q.err = err
		return q
	}
	q.status = resp.StatusCode
	var answer struct {
		Data struct {
			Values [][]json.RawMessage `json:"values"`
		} `json:"data"`
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(body, &answer)
	if len(answer.Errors) > 0 {
		q.errCode, q.errMsg = answer.Errors[0].Code, clip.String(answer.Errors[0].Message, 200)
	}
	if v := answer.Data.Values; len(v) > 0 && len(v[0]) > 0 {
		q.value = string(v[0][0])
	}
	return q
}

// judgeAdvertised compares the Bolt URIs the document gives with the URI
// in use and the routing table; it resolves a name the URI does not use.
func (r *Run) judgeAdvertised(ctx context.Context, doc *discovery) []advertisedProblem {
	if doc == nil {
		return nil
	}
	answered := ""
	if r.s.connAddr != "" {
		answered, _, _ = net.SplitHostPort(r.s.connAddr)
	} else if len(r.Addrs) > 0 {
		answered = r.Addrs[0].String()
	}
	var tablePorts []int
	if r.table != nil {
		for _, m := range r.table.Members() {
			if _, p, err := routing.SplitAddress(m.Address); err == nil {
				tablePorts = append(tablePorts, p)
			}
		}
	}
	resolves := func(host string) bool {
		if strings.EqualFold(host, r.T.Host) || net.ParseIP(host) != nil {
			return true
		}
		lctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
		defer cancel()
		addrs, err := r.Resolver().LookupIPAddr(lctx, host)
		return err == nil && len(addrs) > 0
	}
	return advertisedProblems(r.T, doc, answered, tablePorts, resolves)
}

// advertisedProblems is judgeAdvertised without the network: resolves
// says whether a name resolves here.
func advertisedProblems(t *Target, doc *discovery, answered string, tablePorts []int, resolves func(string) bool) []advertisedProblem {
	var out []advertisedProblem
	for _, f := range []struct{ field, uri string }{{"bolt_routing", doc.BoltRouting}, {"bolt_direct", doc.BoltDirect}} {
		if f.uri == "" {
			continue
		}
		p, err := ParseURI(f.uri)
		if err != nil {
			out = append(out, advertisedProblem{f.field, f.uri, "http.advertised_local", "it is not a Bolt URI a client can use", "not a Bolt URI"})
			continue
		}
		if ip := net.ParseIP(p.Host); ip != nil && ip.IsUnspecified() {
			out = append(out, advertisedProblem{f.field, f.uri, "http.advertised_local", p.Host + " is a listen address, not one a client can connect to", "a listen address"})
			continue
		}
		if why := routing.SuspectAt(p.Host, t.Host, answered); why != "" {
			short := "a private address"
			if routing.Loopback(p.Host) {
				short = "a loopback address"
			}
			out = append(out, advertisedProblem{f.field, f.uri, "http.advertised_local", why, short})
			continue
		}
		if !resolves(p.Host) {
			out = append(out, advertisedProblem{f.field, f.uri, "http.advertised_unresolved", p.Host + " does not resolve here", "a name that does not resolve here"})
			continue
		}
		if p.Port != t.Port && !slices.Contains(tablePorts, p.Port) {
			why := fmt.Sprintf("port %d is not the Bolt port the URI uses (%d)", p.Port, t.Port)
			if len(tablePorts) > 0 {
				why = fmt.Sprintf("port %d is neither the URI's Bolt port (%d) nor one in the routing table", p.Port, t.Port)
			}
			out = append(out, advertisedProblem{f.field, f.uri, "http.advertised_port", why, fmt.Sprintf("port %d, not %d", p.Port, t.Port)})
		}
	}
	return out
}

// judgeHTTP reads the http check's outcome.
func judgeHTTP(t *Target, srv generation.Server, out *httpOutcome, hc httpContext) Result {
	if !out.reached {
		return httpUnreached(out)
	}
	res := Result{Status: Pass}
	res.Facts = append(res.Facts, Fact{Name: "endpoint", Value: out.url})
	if out.addr != "" {
		res.Facts = append(res.Facts, Fact{Name: "address", Value: out.addr, Verbose: true})
	}
	if out.tls {
		res.Facts = append(res.Facts, httpTLSFacts(out.tlsInfo)...)
		if out.tlsErr != nil {
			summary, _, code := tlsFailure(t, false, srv, out.tlsErr)
			res.raise(Warn, "http.tls")
			res.Err = out.tlsErr
			res.Summary = "HTTPS at " + out.url + ": " + summary
			res.Hints = httpsHints(srv, out)
			res.Facts = append(res.Facts, Fact{Name: "tls cause", Value: code})
			if d := certDiffers(out.tlsInfo, hc.boltTLS); d != "" {
				res.Facts = append(res.Facts, Fact{Name: "certificates", Value: d})
			}
			return res
		}
	}
	res.Evidence = append(res.Evidence, headerEvidence(out.headers)...)
	if len(out.body) > 0 {
		res.Evidence = append(res.Evidence, Fact{Name: "document", Value: clip.String(string(out.body), 600), Verbose: true})
	}
	if out.fetchErr != nil || out.doc == nil {
		res.raise(Warn, "http.not_discovery")
		what := "did not answer GET /"
		switch {
		case out.fetchErr != nil:
			res.Err = out.fetchErr
			what += ": " + causeOf(out.fetchErr)
		case out.status/100 != 2:
			what = fmt.Sprintf("answered GET / with HTTP %d", out.status)
		default:
			what = "answered GET / with something that is not Neo4j's discovery document"
			res.Err = out.docErr
		}
		res.Summary = out.url + " " + what
		res.Hints = []string{"check that " + out.url + " is the Neo4j server's HTTP connector (7474, or 7473 for HTTPS); a proxy in front of it must pass GET / through, or pass the right endpoint with --http-uri"}
		res.Facts = append(res.Facts, Fact{Name: "status", Value: strconv.Itoa(out.status)})
		return res
	}
	doc := out.doc
	for _, k := range []string{"bolt_routing", "bolt_direct", "neo4j_version", "neo4j_edition", "transaction", "query"} {
		if v, ok := doc.fields[k]; ok {
			res.Facts = append(res.Facts, Fact{Name: k, Value: clip.String(fmt.Sprint(v), 200), Verbose: k == "transaction" || k == "query"})
		}
	}
	bolt := doc.BoltRouting
	if bolt == "" {
		bolt = doc.BoltDirect
	}
	res.Summary = "Browser is told " + orElse(bolt, "no Bolt address")
	if doc.Version != "" {
		res.Summary += ", Neo4j " + doc.Version
		if doc.Edition != "" {
			res.Summary += " " + doc.Edition
		}
	}
	if out.tls && hc.boltTLS != nil {
		if d := certDiffers(out.tlsInfo, hc.boltTLS); d != "" {
			res.raise(Warn, "http.certificate_differs")
			res.Facts = append(res.Facts, Fact{Name: "certificates", Value: d})
			res.Hints = append(res.Hints, "serve the same certificate on the HTTPS and Bolt ports (Browser verifies both): "+d)
		}
	}
	if len(hc.advertised) > 0 {
		p := hc.advertised[0]
		res.raise(Warn, p.code)
		res.Summary = fmt.Sprintf("Browser is told %s, %s", p.uri, p.short)
		res.Facts = append(res.Facts, Fact{Name: "why", Value: p.why})
		value := net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
		set, aura := pasteSet(srv, generation.BoltAdvertisedAddress, value)
		if aura != "" {
			res.Hints = append(res.Hints, aura)
		} else {
			res.Hints = append(res.Hints, "set "+set+" and restart the server")
			if all, _ := pasteSet(srv, generation.DefaultAdvertisedAddress, t.Host); all != "" && p.code != "http.advertised_port" {
				res.Hints = append(res.Hints, "or set "+all+" for every connector")
			}
		}
		res.Hints = append(res.Hints, "drivers use the URI and are not affected; Neo4j Browser and tools that read the discovery document (GET /) connect to "+p.uri+" instead")
		for _, q := range hc.advertised[1:] {
			if q.why != p.why {
				res.Facts = append(res.Facts, Fact{Name: q.field + " problem", Value: q.why})
			}
		}
	}
	if hc.agent != "" && doc.Version != "" {
		if _, bv, ok := strings.Cut(hc.agent, "/"); ok && !sameRelease(bv, doc.Version) {
			res.raise(Warn, "http.version_mismatch")
			if len(hc.advertised) == 0 {
				res.Summary = fmt.Sprintf("the HTTP endpoint is Neo4j %s, the Bolt server %s: they are different servers", doc.Version, hc.agent)
			}
			res.Hints = append(res.Hints, "point --http-uri (and Browser) at the same server as the Bolt URI; a load balancer may send HTTP and Bolt to different servers")
		}
	}
	judgeQueryAPI(&res, srv, doc, out.query)
	return res
}

// httpsHints are the fixes of an HTTPS handshake that failed: the
// certificate of the server's https policy, or the endpoint's scheme and
// port when what answered is not TLS.
func httpsHints(srv generation.Server, out *httpOutcome) []string {
	u, _ := url.Parse(out.url)
	host := u.Hostname()
	if _, ok := errors.AsType[*tlsprobe.CertError](out.tlsErr); !ok {
		return []string{"check --http-uri's scheme and port: Neo4j serves HTTPS on 7473 and plain HTTP on 7474 unless configured otherwise"}
	}
	set, aura := pasteSet(srv, generation.HTTPSCertificate, "<a certificate for "+host+">")
	if aura != "" {
		return []string{aura}
	}
	return []string{"serve a certificate for " + host + " from a CA browsers trust: set " + set + " and restart the server",
		"or trust its CA: here with --ca-file, and in every browser that opens Neo4j Browser"}
}

// orElse is s, or alt when s is "".
func orElse(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// sameRelease compares "5.26.0" with "5.26.0-aura" leniently: the
// numbers before any suffix.
func sameRelease(a, b string) bool {
	num := func(s string) string {
		s = strings.TrimSpace(s)
		if i := strings.IndexFunc(s, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }); i >= 0 {
			s = s[:i]
		}
		return strings.TrimSuffix(s, ".")
	}
	return num(a) == num(b)
}

// judgeQueryAPI adds what the Query API said to res.
func judgeQueryAPI(res *Result, srv generation.Server, doc *discovery, q *queryAPIOutcome) {
	enable := func() string {
		say := srv.Lookup(generation.HTTPEnabledModules)
		switch {
		case say.Aura:
			return say.Text
		case say.Text == "":
			return "upgrade to Neo4j 5.19 or later, which has the Query API"
		}
		return "add QUERY_API_ENDPOINTS to " + codeForms(say.Text) + " (the HTTP modules the server serves) and restart the server"
	}
	switch {
	case q == nil && doc.Query == "" && neo4jRelease("Neo4j/"+doc.Version).major >= 5:
		res.raise(Warn, "http.query_api_disabled")
		res.Facts = append(res.Facts, Fact{Name: "query API", Value: "not in the discovery document: disabled"})
		if res.Status == Warn && res.Code == "http.query_api_disabled" {
			res.Summary = "the Query API is not enabled: the discovery document has no query entry"
		}
		res.Hints = append(res.Hints, enable())
	case q == nil:
		if doc.Query == "" {
			res.Facts = append(res.Facts, Fact{Name: "query API", Value: "not offered by this release"})
		}
	case q.err != nil:
		res.raise(Fail, "http.query_api_failed")
		res.Err = q.err
		res.Facts = append(res.Facts, Fact{Name: "query API", Value: "no answer: " + causeOf(q.err)})
		if res.Code == "http.query_api_failed" {
			res.Summary = "the Query API at " + q.path + " did not answer: " + causeOf(q.err)
			res.Hints = append([]string{"check the server's HTTP connector and any proxy in front of it"}, res.Hints...)
		}
	case q.status == http.StatusNotFound || strings.Contains(strings.ToLower(q.errMsg), "not enabled"):
		res.raise(Warn, "http.query_api_disabled")
		res.Facts = append(res.Facts, Fact{Name: "query API", Value: fmt.Sprintf("HTTP %d at %s", q.status, q.path)})
		if res.Code == "http.query_api_disabled" {
			res.Summary = fmt.Sprintf("the Query API is not enabled: %s answered HTTP %d", q.path, q.status)
		}
		res.Hints = append(res.Hints, enable())
	case q.status/100 == 2 && q.errCode == "":
		res.Facts = append(res.Facts, Fact{Name: "query API", Value: "RETURN 1 returned " + orElse(q.value, "a row") + " at " + q.path})
	default:
		res.raise(Fail, "http.query_api_failed")
		what := fmt.Sprintf("HTTP %d", q.status)
		if q.errCode != "" {
			what += " " + q.errCode + ": " + q.errMsg
			res.Evidence = append(res.Evidence, Fact{Name: "code", Value: q.errCode}, Fact{Name: "message", Value: q.errMsg})
		}
		res.Facts = append(res.Facts, Fact{Name: "query API", Value: what})
		if res.Code == "http.query_api_failed" {
			res.Summary = "the Query API refused RETURN 1: " + what
			hint := "the Query API takes the same credentials as Bolt: check the server's error above"
			if q.status == http.StatusUnauthorized || q.status == http.StatusForbidden {
				hint = "Bolt accepted the credentials but the Query API did not: a proxy in front of the HTTP port may strip the Authorization header, or the HTTP connector uses another authentication"
			}
			res.Hints = append([]string{hint}, res.Hints...)
		}
	}
}

// httpUnreached judges an endpoint that did not accept a connection: a
// skip for a derived endpoint, a failure for one the user named.
func httpUnreached(out *httpOutcome) Result {
	why := "it did not answer before the Bolt path finished"
	switch {
	case out.dialErr == nil:
	case errors.Is(out.dialErr, syscall.ECONNREFUSED):
		why = "connection refused"
	case errors.Is(out.dialErr, context.DeadlineExceeded) || isTimeout(out.dialErr):
		why = "no answer in time"
	default:
		why = causeOf(out.dialErr)
	}
	if !out.explicit {
		return Result{Status: Skip, Code: "http.no_endpoint",
			Summary: "no HTTP endpoint answered at " + out.url + "; pass --http-uri to check it",
			Facts:   []Fact{{Name: "endpoint", Value: out.url}, {Name: "why", Value: why, Verbose: true}}}
	}
	return Result{Status: Fail, Code: "http.unreachable", Err: out.dialErr,
		Summary: "nothing answered at " + out.url + ": " + why,
		Hints:   []string{"check --http-uri: Neo4j serves HTTP on 7474 and HTTPS on 7473 unless server.http.listen_address or server.https.listen_address say otherwise, and a firewall must let the port through"},
		Facts:   []Fact{{Name: "endpoint", Value: out.url}}}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// headerEvidence is the response headers a reader needs, for --verbose
// and the bundle; cookies and authorization headers are left out.
func headerEvidence(h http.Header) []Fact {
	var out []Fact
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch strings.ToLower(k) {
		case "set-cookie", "authorization", "proxy-authorization", "www-authenticate":
			continue
		}
		out = append(out, Fact{Name: "header " + k, Value: clip.String(strings.Join(h[k], ", "), 200), Verbose: true})
	}
	return out
}

// safeHeader is h without the headers that may carry a credential.
func safeHeader(h http.Header) http.Header {
	out := http.Header{}
	for k, v := range h {
		switch strings.ToLower(k) {
		case "set-cookie", "authorization", "proxy-authorization", "www-authenticate":
			continue
		}
		out[k] = slices.Clone(v)
	}
	return out
}

// httpTLSFacts are the HTTPS certificate's facts.
func httpTLSFacts(info *tlsprobe.Result) []Fact {
	if info == nil || len(info.Chain) == 0 {
		return nil
	}
	leaf := info.Chain[0]
	f := []Fact{{Name: "https certificate", Value: leaf.Subject}, {Name: "https sha256", Value: leaf.SHA256, Verbose: true}}
	if info.Version != "" {
		f = append(f, Fact{Name: "https version", Value: info.Version, Verbose: true})
	}
	return f
}

// certDiffers says how the HTTPS and Bolt certificates differ, when their
// leaves are not the same: which one verifies and which does not; "" when
// they are the same, or either is unknown.
func certDiffers(httpsInfo, boltInfo *tlsprobe.Result) string {
	if httpsInfo == nil || boltInfo == nil || len(httpsInfo.Chain) == 0 || len(boltInfo.Chain) == 0 {
		return ""
	}
	h, b := httpsInfo.Chain[0], boltInfo.Chain[0]
	if h.SHA256 == b.SHA256 {
		return ""
	}
	ok := func(r *tlsprobe.Result) string {
		if r.Verified != nil && *r.Verified {
			return "verifies"
		}
		return "does not verify"
	}
	return fmt.Sprintf("the HTTPS port's (%s) %s, the Bolt port's (%s) %s", shortFP(h.SHA256), ok(httpsInfo), shortFP(b.SHA256), ok(boltInfo))
}

func shortFP(fp string) string {
	if len(fp) > 23 {
		return fp[:23] + "…"
	}
	return fp
}

// boltURIFromDocument reads the discovery document on the port the URI
// names, when that port turned out to be HTTP: the Bolt URI it gives for
// the URI's scheme (bolt_routing for neo4j://, bolt_direct for bolt://),
// and why that URI cannot be right for this client, if it cannot. It
// costs a round trip only on this failure.
func (r *Run) boltURIFromDocument(ctx context.Context) (uri, suspect string) {
	if r.s.connAddr == "" {
		return "", ""
	}
	ctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
	defer cancel()
	raw, err := r.Env.Dial(ctx, "tcp", r.s.connAddr)
	if err != nil {
		return "", ""
	}
	conn := raw
	scheme := "http"
	if r.T.TLS != TLSOff {
		tc, _, err := tlsprobe.Probe(ctx, raw, r.s.tlsConfig())
		if err != nil {
			return "", ""
		}
		conn, scheme = tc, "https"
	}
	defer conn.Close()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+r.T.Address()+"/", nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "neo4j-doctor/"+r.Env.Version)
	resp, body, err := exchange(ctx, conn, bufio.NewReader(io.LimitReader(conn, maxExchange)), req)
	if err != nil || resp.StatusCode/100 != 2 {
		return "", ""
	}
	doc, err := parseDiscovery(body)
	if err != nil {
		return "", ""
	}
	uri = doc.BoltDirect
	if r.T.Routing || uri == "" {
		uri = orElse(doc.BoltRouting, doc.BoltDirect)
	}
	if uri == "" {
		return "", ""
	}
	answered, _, _ := net.SplitHostPort(r.s.connAddr)
	if p := advertisedProblems(r.T, &discovery{BoltDirect: uri}, answered, nil, func(string) bool { return true }); len(p) > 0 && p[0].code == "http.advertised_local" {
		suspect = p[0].why
	}
	return clip.String(uri, 200), suspect
}
