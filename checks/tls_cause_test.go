package checks_test

// Every cause the TLS step can find is detected and explained in both
// reports. Each test starts a real server on 127.0.0.1 (the Bolt fixture,
// or a bare crypto/tls listener where the fixture cannot misbehave that
// way), names it through the loopback fixture DNS server as users name
// their databases (so SNI and certificate names are realistic), resolves
// the target with checks.Resolve as the CLI does, runs checks.Diagnose
// against an injected trust store standing for the system roots, and then
// asserts what a user reads: the check's status, summary, facts and hints
// in the Result, in report.Text (the "✗ tls" line, its facts and its
// "hint:" lines) and in report.JSON (checks[id=tls]), the JSON being valid
// per contract.Report, and the exit code.
//
// Helpers here are prefixed tlsc so that they cannot collide with those of
// the other test files of the package.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract"
	"github.com/neo4j-doctor/neo4j-doctor/report"
	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"
)

// Names in the .test zone (RFC 2606), served by the fixture DNS server
// only; credentials are the fixture's, not anybody's secret.
const (
	tlscDB    = "db.example.test"
	tlscGraph = "graph.example.test"
	tlscAura  = "0a1b2c3d.databases.neo4j.io"
	tlscUser  = "neo4j"
	tlscPass  = "pw"
)

// ---------------------------------------------------------------------------
// Servers, names, certificates.

// tlscDNS serves names at 127.0.0.1 on a loopback DNS server.
func tlscDNS(t *testing.T, names ...string) *fixtures.DNS {
	t.Helper()
	recs := map[string][]net.IP{}
	for _, n := range names {
		recs[n] = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	d, err := fixtures.StartDNS(recs)
	if err != nil {
		t.Fatalf("fixtures.StartDNS: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// tlscServer starts a Neo4j 5.26 fixture with the given TLS setup.
func tlscServer(t *testing.T, tc *tls.Config, mode fixtures.TLSMode) *fixtures.Server {
	t.Helper()
	cfg := fixtures.Neo4j526()
	cfg.Users = map[string]string{tlscUser: tlscPass}
	cfg.TLS, cfg.TLSMode = tc, mode
	s, err := fixtures.Start(cfg)
	if err != nil {
		t.Fatalf("fixtures.Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// tlscLeafServer starts a fixture that requires TLS and presents leaf.
func tlscLeafServer(t *testing.T, leaf *certs.Leaf) *fixtures.Server {
	t.Helper()
	return tlscServer(t, certs.ServerConfig(leaf), fixtures.TLSRequired)
}

// tlscRawTLS serves cfg with crypto/tls alone on loopback: every
// connection gets the handshake and is then read until the client leaves.
// It returns the port.
func tlscRawTLS(t *testing.T, cfg *tls.Config) int {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		closed bool
		conns  = map[net.Conn]bool{}
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			if closed {
				mu.Unlock()
				_ = c.Close()
				return
			}
			conns[c] = true
			wg.Add(1)
			mu.Unlock()
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				if err := c.(*tls.Conn).Handshake(); err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		closed = true
		_ = ln.Close()
		for c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().(*net.TCPAddr).Port
}

func tlscCA(t *testing.T, cn string, opts ...certs.Option) *certs.CA {
	t.Helper()
	ca, err := certs.NewCA(cn, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func tlscLeaf(t *testing.T, ca *certs.CA, o certs.LeafOptions) *certs.Leaf {
	t.Helper()
	l, err := ca.Leaf(o) // a nil ca: self-signed
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// tlscCAFile writes what --ca-file would hold.
func tlscCAFile(t *testing.T, pem []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, pem, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// tlscPublicRoots stands for the system trust store of a normal machine:
// it holds a root, but none of the CAs the tests create.
func tlscPublicRoots(t *testing.T) *x509.CertPool {
	return tlscCA(t, "Doctor Test Public Root").Pool()
}

// ---------------------------------------------------------------------------
// Running a diagnosis and rendering both reports.

type tlscRun struct {
	uri      string
	dns      *fixtures.DNS
	caFile   string
	roots    *x509.CertPool // Env.Roots; nil: tlscPublicRoots
	warnDays int            // Inputs.CertWarnDays
}

// tlscJSONCheck is a check as report.JSON writes it.
type tlscJSONCheck struct {
	ID       string        `json:"id"`
	Status   string        `json:"status"`
	Summary  string        `json:"summary"`
	Facts    []checks.Fact `json:"facts"`
	Evidence []checks.Fact `json:"evidence"`
	Hints    []string      `json:"hints"`
	Error    *string       `json:"error"`
}

type tlscJSONDoc struct {
	Verdict  string          `json:"verdict"`
	ExitCode int             `json:"exitCode"`
	Checks   []tlscJSONCheck `json:"checks"`
	Members  []struct {
		Address string          `json:"address"`
		Status  string          `json:"status"`
		Checks  []tlscJSONCheck `json:"checks"`
	} `json:"members"`
}

// tlscDiag is one diagnosis as the user gets it.
type tlscDiag struct {
	rep   *checks.Report
	text  string
	json  []byte
	doc   tlscJSONDoc
	lines []string
}

func tlscDiagnose(t *testing.T, run tlscRun) *tlscDiag {
	t.Helper()
	tt, err := checks.Resolve(checks.Inputs{
		Flags:        map[string]string{"uri": run.uri, "username": tlscUser, "password": tlscPass},
		Timeout:      2 * time.Second,
		DNSServer:    run.dns.Addr(),
		CAFile:       run.caFile,
		CertWarnDays: run.warnDays,
	})
	if err != nil {
		t.Fatalf("Resolve(%s): %v", run.uri, err)
	}
	rc := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(rc, []byte("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	roots := run.roots
	if roots == nil {
		roots = tlscPublicRoots(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	rep := checks.Diagnose(ctx, tt, &checks.Env{Roots: roots, ResolvConf: rc, Version: "test"}, checks.Options{})
	if rep == nil {
		t.Fatal("Diagnose returned nil")
	}
	d := &tlscDiag{rep: rep}
	var tb, jb bytes.Buffer
	if err := report.Text(&tb, rep, tlscTextOptions()); err != nil {
		t.Fatalf("report.Text: %v", err)
	}
	if err := report.JSON(&jb, rep, report.ToolInfo{Version: "test"}); err != nil {
		t.Fatalf("report.JSON: %v", err)
	}
	d.text, d.json = tb.String(), jb.Bytes()
	d.lines = strings.Split(d.text, "\n")
	if err := contract.Report(d.json); err != nil {
		t.Errorf("JSON report does not validate: %v\n%s", err, d.json)
	}
	if err := json.Unmarshal(d.json, &d.doc); err != nil {
		t.Fatalf("JSON report does not parse: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("text report:\n%s", d.text)
			t.Logf("JSON report:\n%s", d.json)
		}
	})
	return d
}

// tlscWant is what a user must read about one check.
type tlscWant struct {
	id      string
	status  checks.Status
	summary []string          // phrases of the summary
	hints   []string          // each phrase in one of the hints
	facts   map[string]string // fact name → phrase of its value
	err     string            // phrase of the error, "" for none asserted
}

// tlscSymbol is the text report's mark for a status.
func tlscSymbol(s checks.Status) string {
	switch s {
	case checks.Pass:
		return "✓"
	case checks.Warn:
		return "!"
	case checks.Fail:
		return "✗"
	}
	return "–"
}

func tlscFold(s, sub string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(sub)) }

func tlscAny(list []string, sub string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return tlscFold(s, sub) })
}

func tlscFact(facts []checks.Fact, name string) (string, bool) {
	for _, f := range facts {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

func (d *tlscDiag) result(t *testing.T, id string) checks.Result {
	t.Helper()
	for _, r := range d.rep.Checks {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no %q check in the report", id)
	return checks.Result{}
}

func (d *tlscDiag) jsonCheck(t *testing.T, id string) tlscJSONCheck {
	t.Helper()
	for _, c := range d.doc.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no checks[id=%s] in the JSON report", id)
	return tlscJSONCheck{}
}

// tlscTextOptions renders everything a check has (--verbose: the facts
// of passing checks, those marked Verbose, the error), on lines as long as
// they come: a renderer that wraps (TextOptions.Width) is given room, so
// that only what it sets apart on a line of its own (a span to paste)
// continues an item on the next line.
func tlscTextOptions() report.TextOptions {
	opts := report.TextOptions{Verbose: true}
	if w := reflect.ValueOf(&opts).Elem().FieldByName("Width"); w.IsValid() && w.CanSet() && w.Kind() == reflect.Int {
		w.SetInt(10000)
	}
	return opts
}

// textBlock is the check's line in the text report and the detail items
// under it (facts, evidence, error, hints and fixes), trimmed, each on
// one line: a line indented deeper than the item it follows continues
// it (the lines of "evidence:" are items of their own).
// indent is the check line's indentation (0 for top-level checks, 8 for
// a member's).
func (d *tlscDiag) textBlock(t *testing.T, indent int, from int, id string, status checks.Status) (string, []string) {
	t.Helper()
	pad := strings.Repeat(" ", indent)
	prefix := pad + tlscSymbol(status) + " " + id + " "
	for i := from; i < len(d.lines); i++ {
		if !strings.HasPrefix(d.lines[i], prefix) {
			continue
		}
		var block []string
		itemIndent, header := 0, false
		for _, l := range d.lines[i+1:] {
			ind := len(l) - len(strings.TrimLeft(l, " "))
			if strings.TrimSpace(l) == "" || ind <= indent {
				break
			}
			if len(block) > 0 && ind > itemIndent && !header {
				block[len(block)-1] += " " + strings.TrimSpace(l)
				continue
			}
			block = append(block, strings.TrimSpace(l))
			itemIndent, header = ind, strings.TrimSpace(l) == "evidence:"
		}
		return d.lines[i], block
	}
	t.Fatalf("the text report has no line starting %q", prefix)
	return "", nil
}

// want asserts w in the Result, in the text report and in the JSON report.
func (d *tlscDiag) want(t *testing.T, w tlscWant) checks.Result {
	t.Helper()
	r := d.result(t, w.id)
	jc := d.jsonCheck(t, w.id)
	line, block := d.textBlock(t, 0, 0, w.id, w.status)
	d.wantIn(t, "", r, jc, line, block, w)
	return r
}

func (d *tlscDiag) wantIn(t *testing.T, where string, r checks.Result, jc tlscJSONCheck, line string, block []string, w tlscWant) {
	t.Helper()
	id := where + w.id
	if r.Status != w.status {
		t.Errorf("%s: status %s (%q), want %s", id, r.Status, r.Summary, w.status)
	}
	if jc.Status != string(w.status) {
		t.Errorf("%s: JSON status %q, want %q", id, jc.Status, w.status)
	}
	if jc.Summary != r.Summary {
		t.Errorf("%s: JSON summary %q differs from the result's %q", id, jc.Summary, r.Summary)
	}
	for _, s := range w.summary {
		if !tlscFold(r.Summary, s) {
			t.Errorf("%s: summary %q does not say %q", id, r.Summary, s)
		}
		if !tlscFold(line, s) {
			t.Errorf("%s: text line %q does not say %q", id, line, s)
		}
	}
	var textHints, textFacts []string
	var textError string
	for _, l := range block {
		switch {
		case strings.HasPrefix(l, "hint: "), strings.HasPrefix(l, "fix: "), strings.HasPrefix(l, "note: "):
			_, h, _ := strings.Cut(l, ": ")
			textHints = append(textHints, h)
		case strings.HasPrefix(l, "error: "):
			textError = strings.TrimPrefix(l, "error: ")
		default:
			textFacts = append(textFacts, l)
		}
	}
	if !slices.Equal(jc.Hints, r.Hints) {
		t.Errorf("%s: JSON hints %q differ from the result's %q", id, jc.Hints, r.Hints)
	}
	for _, h := range w.hints {
		if !tlscAny(r.Hints, h) {
			t.Errorf("%s: no hint says %q; hints: %q", id, h, r.Hints)
		}
		// A span to paste is shown without its backticks.
		if plain := strings.ReplaceAll(h, "`", ""); !tlscAny(textHints, plain) {
			t.Errorf("%s: no text hint line says %q; hint lines: %q", id, plain, textHints)
		}
	}
	if w.status != checks.Pass && w.status != checks.Skip && len(r.Hints) == 0 {
		t.Errorf("%s: a %s check without a hint", id, w.status)
	}
	for name, phrase := range w.facts {
		v, ok := tlscFact(r.Facts, name)
		switch {
		case !ok:
			t.Errorf("%s: no fact %q; facts: %v", id, name, r.Facts)
		case !tlscFold(v, phrase):
			t.Errorf("%s: fact %s = %q does not say %q", id, name, v, phrase)
		}
		if jv, jok := tlscFact(jc.Facts, name); jok != ok || jv != v {
			t.Errorf("%s: JSON fact %s = %q (present %v), want %q (present %v) as in the result", id, name, jv, jok, v, ok)
		}
		if where == "" && !slices.ContainsFunc(textFacts, func(l string) bool {
			return strings.HasPrefix(l, name+":") && tlscFold(l, phrase)
		}) {
			t.Errorf("%s: the text report has no line %q with %q under the check", id, name+":", phrase)
		}
	}
	if w.err != "" {
		if !tlscFold(r.Error, w.err) {
			t.Errorf("%s: error %q does not say %q", id, r.Error, w.err)
		}
		if jc.Error == nil || *jc.Error != r.Error {
			t.Errorf("%s: JSON error %v, want %q", id, jc.Error, r.Error)
		}
		// The error is printed, or already said by a line of the check
		// (the verification evidence says what a certificate error says).
		if !tlscFold(textError, w.err) && !slices.ContainsFunc(block, func(l string) bool { return strings.Contains(l, r.Error) }) {
			t.Errorf("%s: the text neither prints the error %q nor says it; error line %q", id, r.Error, textError)
		}
	}
}

// wantVerdict asserts the verdict and exit code in the report and the JSON.
func (d *tlscDiag) wantVerdict(t *testing.T, v checks.Status, exit int) {
	t.Helper()
	if d.rep.Verdict != v || d.rep.ExitCode != exit {
		t.Errorf("verdict %s exit %d, want %s exit %d", d.rep.Verdict, d.rep.ExitCode, v, exit)
	}
	if d.doc.Verdict != string(v) || d.doc.ExitCode != exit {
		t.Errorf("JSON verdict %q exitCode %d, want %q %d", d.doc.Verdict, d.doc.ExitCode, v, exit)
	}
	last := ""
	for _, l := range d.lines {
		if strings.TrimSpace(l) != "" {
			last = l
		}
	}
	if !strings.HasPrefix(last, tlscSymbol(v)+" "+string(v)+" ") {
		t.Errorf("text verdict line %q, want %s %s", last, tlscSymbol(v), v)
	}
}

// wantStatuses asserts the status of further checks.
func (d *tlscDiag) wantStatuses(t *testing.T, want map[string]checks.Status) {
	t.Helper()
	for id, st := range want {
		if r := d.result(t, id); r.Status != st {
			t.Errorf("%s: status %s (%q), want %s", id, r.Status, r.Summary, st)
		}
		if jc := d.jsonCheck(t, id); jc.Status != string(st) {
			t.Errorf("%s: JSON status %q, want %q", id, jc.Status, st)
		}
	}
}

// tlscNoCredentials asserts that the server saw connections, and that none
// of them carried credentials or even a Bolt handshake: nothing but the
// TLS handshake went to a server whose certificate did not verify.
func tlscNoCredentials(t *testing.T, s *fixtures.Server) {
	t.Helper()
	recs := s.Received()
	if len(recs) == 0 {
		t.Error("the server saw no connection at all")
		return
	}
	for _, r := range recs {
		if r.SentCredentials() {
			t.Errorf("connection %d carried credentials: %+v", r.Conn, r.Messages)
		}
		for _, m := range r.Messages {
			if m.Name == "HELLO" || m.Name == "LOGON" || m.Name == "INIT" {
				t.Errorf("connection %d sent %s over a rejected certificate", r.Conn, m.Name)
			}
		}
		if len(r.Handshake) > 0 || r.Version != "" {
			t.Errorf("connection %d got as far as the Bolt handshake (% X, version %q)", r.Conn, r.Handshake, r.Version)
		}
	}
}

func tlscURI(scheme, host string, port int) string {
	return scheme + "://" + net.JoinHostPort(host, strconv.Itoa(port))
}

// ---------------------------------------------------------------------------
// 1. A valid chain (root + intermediate, CA via --ca-file) passes.

func TestTLSCauseValidChain(t *testing.T) {
	t.Parallel()
	root := tlscCA(t, "Doctor Test Root CA")
	inter, err := root.Intermediate("Doctor Test Issuing CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf := tlscLeaf(t, inter, certs.LeafOptions{DNSNames: []string{tlscDB}})
	srv := tlscLeafServer(t, leaf)
	d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j+s", tlscDB, srv.Port()), dns: tlscDNS(t, tlscDB), caFile: tlscCAFile(t, root.PEM())})

	r := d.want(t, tlscWant{id: "tls", status: checks.Pass,
		summary: []string{"TLS 1.3", "certificate valid for " + tlscDB},
		facts: map[string]string{
			"version":           "TLS 1.3",
			"server name (SNI)": tlscDB,
			"issuer":            "CN=Doctor Test Issuing CA",
			"names":             tlscDB,
			"expires":           leaf.Certificate.NotAfter.UTC().Format(time.RFC3339),
			"sha256":            tlsprobe.Fingerprint(leaf.Certificate),
			"verified chain":    "CN=Doctor Test Root CA",
		}})
	if len(r.Hints) != 0 {
		t.Errorf("tls: a valid chain got hints %q", r.Hints)
	}
	d.wantStatuses(t, map[string]checks.Status{"bolt": checks.Pass, "auth": checks.Pass, "query": checks.Pass})
	d.wantVerdict(t, checks.Pass, checks.ExitHealthy)
	for _, rec := range srv.Received() {
		if !rec.TLS || rec.ServerName != tlscDB {
			t.Errorf("connection %d: TLS %v, SNI %q; want TLS with SNI %s", rec.Conn, rec.TLS, rec.ServerName, tlscDB)
		}
	}
}

// ---------------------------------------------------------------------------
// 2.–10. Certificates that do not verify: the tls check fails, names the
// cause and the fix, and no credential (not even a Bolt byte) is sent.

func TestTLSCauseSelfSigned(t *testing.T) {
	t.Parallel()
	leaf := tlscLeaf(t, nil, certs.LeafOptions{DNSNames: []string{tlscDB}})
	srv := tlscLeafServer(t, leaf)
	d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j+s", tlscDB, srv.Port()), dns: tlscDNS(t, tlscDB)})
	tlscNoCredentials(t, srv) // first: it must hold whatever else fails

	d.want(t, tlscWant{id: "tls", status: checks.Fail,
		summary: []string{"self-signed"},
		hints:   []string{"neo4j+ssc://", "--ca-file"},
		facts: map[string]string{
			"issuer":  "CN=" + tlscDB,
			"subject": "CN=" + tlscDB,
			"sha256":  tlsprobe.Fingerprint(leaf.Certificate),
		},
		err: "self-signed"})
	d.wantStatuses(t, map[string]checks.Status{"bolt": checks.Skip, "auth": checks.Skip})
	d.wantVerdict(t, checks.Fail, checks.ExitFailed)
}

func TestTLSCauseUnknownAuthority(t *testing.T) {
	t.Parallel()
	ca := tlscCA(t, "Acme Private Root CA")
	leaf := tlscLeaf(t, ca, certs.LeafOptions{DNSNames: []string{tlscDB}})
	srv := tlscLeafServer(t, leaf)
	d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j+s", tlscDB, srv.Port()), dns: tlscDNS(t, tlscDB)})
	tlscNoCredentials(t, srv) // first: it must hold whatever else fails

	d.want(t, tlscWant{id: "tls", status: checks.Fail,
		summary: []string{"authority", "does not trust"},
		hints:   []string{"--ca-file", "neo4j+ssc://"},
		facts:   map[string]string{"issuer": "CN=Acme Private Root CA"},
		err:     "unknown authority"})
	d.wantVerdict(t, checks.Fail, checks.ExitFailed)
}

func TestTLSCauseInterceptionProduct(t *testing.T) {
	t.Parallel()
	ca := tlscCA(t, "Zscaler Root CA", certs.Organization("Zscaler Inc."))
	leaf := tlscLeaf(t, ca, certs.LeafOptions{DNSNames: []string{tlscDB}})
	srv := tlscLeafServer(t, leaf)
	d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j+s", tlscDB, srv.Port()), dns: tlscDNS(t, tlscDB)})
	tlscNoCredentials(t, srv) // first: it must hold whatever else fails

	d.want(t, tlscWant{id: "tls", status: checks.Fail,
		summary: []string{"TLS-inspecting proxy", "Zscaler"},
		hints:   []string{"exempt " + tlscDB, fmt.Sprintf("port %d", srv.Port()), "trust the proxy's root CA", "--ca-file"},
		facts:   map[string]string{"issuer": "CN=Zscaler Root CA,O=Zscaler Inc."},
		err:     "TLS-inspecting proxy"})
	d.wantVerdict(t, checks.Fail, checks.ExitFailed)
}

func TestTLSCauseNoSystemRoots(t *testing.T) {
	t.Parallel()
	ca := tlscCA(t, "Doctor Test Public CA")
	leaf := tlscLeaf(t, ca, certs.LeafOptions{DNSNames: []string{tlscDB}})
	srv := tlscLeafServer(t, leaf)
	d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j+s", tlscDB, srv.Port()), dns: tlscDNS(t, tlscDB), roots: x509.NewCertPool()})
	tlscNoCredentials(t, srv) // first: it must hold whatever else fails

	d.want(t, tlscWant{id: "tls", status: checks.Fail,
		summary: []string{"no trusted CA certificates"},
		hints:   []string{"ca-certificates"},
		facts:   map[string]string{"issuer": "CN=Doctor Test Public CA"},
		err:     "no trusted root certificates"})
	d.wantVerdict(t, checks.Fail, checks.ExitFailed)
}

func TestTLSCauseExpired(t *testing.T) {
	t.Parallel()
	ca := tlscCA(t, "Doctor Test Root CA")
	now := time.Now()
	leaf := tlscLeaf(t, ca, certs.LeafOptions{DNSNames: []string{tlscDB}, NotBefore: now.AddDate(0, 0, -100), NotAfter: now.AddDate(0, 0, -10)})
	srv := tlscLeafServer(t, leaf)
	d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j+s", tlscDB, srv.Port()), dns: tlscDNS(t, tlscDB), caFile: tlscCAFile(t, ca.PEM())})
	tlscNoCredentials(t, srv) // first: it must hold whatever else fails

	d.want(t, tlscWant{id: "tls", status: checks.Fail,
		summary: []string{"expired", "10 days ago"},
		hints:   []string{"renew"},
		facts:   map[string]string{"expires": leaf.Certificate.NotAfter.UTC().Format(time.RFC3339)},
		err:     "expired 10 days ago"})
	d.wantVerdict(t, checks.Fail, checks.ExitFailed)
}

func TestTLSCauseExpiringSoon(t *testing.T) {
	t.Parallel()
	ca := tlscCA(t, "Doctor Test Root CA")
	leaf := tlscLeaf(t, ca, certs.LeafOptions{DNSNames: []string{tlscDB}, NotAfter: time.Now().AddDate(0, 0, 5)})
	srv := tlscLeafServer(t, leaf)
	dns := tlscDNS(t, tlscDB)
	caFile := tlscCAFile(t, ca.PEM())
	uri := tlscURI("neo4j+s", tlscDB, srv.Port())
	expires := leaf.Certificate.NotAfter.UTC()

	t.Run("default threshold warns", func(t *testing.T) {
		t.Parallel()
		d := tlscDiagnose(t, tlscRun{uri: uri, dns: dns, caFile: caFile})
		d.want(t, tlscWant{id: "tls", status: checks.Warn,
			summary: []string{"certificate valid for " + tlscDB, "more days"},
			hints:   []string{"expires in", expires.Format(time.DateOnly), "renew"},
			facts:   map[string]string{"expires": expires.Format(time.RFC3339)}})
		d.wantStatuses(t, map[string]checks.Status{"auth": checks.Pass, "query": checks.Pass})
		d.wantVerdict(t, checks.Warn, checks.ExitHealthy)
	})
	t.Run("--cert-warn-days -1 passes", func(t *testing.T) {
		t.Parallel()
		d := tlscDiagnose(t, tlscRun{uri: uri, dns: dns, caFile: caFile, warnDays: -1})
		r := d.want(t, tlscWant{id: "tls", status: checks.Pass,
			summary: []string{"certificate valid for " + tlscDB},
			facts:   map[string]string{"expires": expires.Format(time.RFC3339)}})
		if len(r.Hints) != 0 {
			t.Errorf("tls: hints %q with the expiry warning disabled", r.Hints)
		}
		d.wantVerdict(t, checks.Pass, checks.ExitHealthy)
	})
}

func TestTLSCauseNotYetValid(t *testing.T) {
	t.Parallel()
	ca := tlscCA(t, "Doctor Test Root CA")
	notBefore := time.Now().AddDate(0, 0, 2)
	leaf := tlscLeaf(t, ca, certs.LeafOptions{DNSNames: []string{tlscDB}, NotBefore: notBefore, NotAfter: notBefore.AddDate(1, 0, 0)})
	srv := tlscLeafServer(t, leaf)
	d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j+s", tlscDB, srv.Port()), dns: tlscDNS(t, tlscDB), caFile: tlscCAFile(t, ca.PEM())})
	tlscNoCredentials(t, srv) // first: it must hold whatever else fails

	d.want(t, tlscWant{id: "tls", status: checks.Fail,
		summary: []string{"not valid for another"},
		hints:   []string{"clock"},
		err:     "not valid yet"})
	ev, _ := tlscFact(d.jsonCheck(t, "tls").Evidence, "verification")
	if want := leaf.Certificate.NotBefore.UTC().Format(time.RFC3339); !strings.Contains(ev, want) {
		t.Errorf("tls: JSON evidence verification %q does not give the start date %s", ev, want)
	}
	d.wantVerdict(t, checks.Fail, checks.ExitFailed)
}

func TestTLSCauseHostMismatch(t *testing.T) {
	t.Parallel()
	ca := tlscCA(t, "Doctor Test Root CA")
	leaf := tlscLeaf(t, ca, certs.LeafOptions{DNSNames: []string{tlscGraph}})
	srv := tlscLeafServer(t, leaf)
	d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j+s", tlscDB, srv.Port()), dns: tlscDNS(t, tlscDB, tlscGraph), caFile: tlscCAFile(t, ca.PEM())})
	tlscNoCredentials(t, srv) // first: it must hold whatever else fails

	d.want(t, tlscWant{id: "tls", status: checks.Fail,
		summary: []string{"not valid for " + tlscDB, "it is for " + tlscGraph},
		hints: []string{
			"connect with " + tlscURI("neo4j+s", tlscGraph, srv.Port()),
			"reissue the certificate with " + tlscDB,
			"advertised_address",
		},
		facts: map[string]string{"names": tlscGraph, "server name (SNI)": tlscDB},
		err:   "not valid for this host name"})
	d.wantVerdict(t, checks.Fail, checks.ExitFailed)
	for _, rec := range srv.Received() {
		if rec.TLS {
			t.Errorf("connection %d completed the TLS handshake despite the host mismatch", rec.Conn)
		}
	}
}

func TestTLSCauseIncompleteChain(t *testing.T) {
	t.Parallel()
	root := tlscCA(t, "Doctor Test Root CA")
	inter, err := root.Intermediate("Doctor Test Issuing CA")
	if err != nil {
		t.Fatal(err)
	}
	const aia = "http://pki.example.test/issuing.crt"
	leaf := tlscLeaf(t, inter, certs.LeafOptions{DNSNames: []string{tlscDB}, LeafOnly: true, IssuingCertificateURL: []string{aia}})
	if len(leaf.Chain) != 1 {
		t.Fatalf("LeafOnly chain has %d certificates", len(leaf.Chain))
	}
	srv := tlscLeafServer(t, leaf)
	// The root is in the "system" store, as a public CA's would be.
	d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j+s", tlscDB, srv.Port()), dns: tlscDNS(t, tlscDB), roots: root.Pool()})
	tlscNoCredentials(t, srv) // first: it must hold whatever else fails

	d.want(t, tlscWant{id: "tls", status: checks.Fail,
		summary: []string{"without the intermediate"},
		hints:   []string{"full chain", "public.crt", "CN=Doctor Test Issuing CA"},
		facts:   map[string]string{"issuer": "CN=Doctor Test Issuing CA"},
		err:     aia})
	d.wantVerdict(t, checks.Fail, checks.ExitFailed)
}

// ---------------------------------------------------------------------------
// 11.–14. Handshake failures.

func TestTLSCausePlaintextPort(t *testing.T) {
	t.Parallel()
	srv := tlscServer(t, nil, fixtures.TLSDisabled)
	d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j+s", tlscDB, srv.Port()), dns: tlscDNS(t, tlscDB)})

	d.want(t, tlscWant{id: "tls", status: checks.Fail,
		summary: []string{"this port does not use TLS"},
		hints:   []string{"use neo4j:// ", "server.bolt.tls_level"},
		facts:   map[string]string{"server name (SNI)": tlscDB},
		err:     "does not speak TLS"})
	d.wantStatuses(t, map[string]checks.Status{"tcp": checks.Pass, "bolt": checks.Skip})
	d.wantVerdict(t, checks.Fail, checks.ExitFailed)
	// The version-listing connection may be ended by the run before its
	// ClientHello goes out: nothing at all is as good as a ClientHello.
	hellos := 0
	for _, rec := range srv.Received() {
		if len(rec.FirstBytes) > 0 && rec.FirstBytes[0] != 0x16 || len(rec.Messages) > 0 {
			t.Errorf("connection %d: first bytes % X, messages %v; want only a ClientHello", rec.Conn, rec.FirstBytes, rec.Messages)
		}
		if len(rec.FirstBytes) > 0 {
			hellos++
		}
	}
	if hellos == 0 {
		t.Error("no connection got a ClientHello")
	}
}

func TestTLSCausePlaintextToTLSPort(t *testing.T) {
	t.Parallel()
	ca := tlscCA(t, "Doctor Test Root CA")

	t.Run("self-managed", func(t *testing.T) {
		t.Parallel()
		srv := tlscLeafServer(t, tlscLeaf(t, ca, certs.LeafOptions{DNSNames: []string{tlscDB}}))
		d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j", tlscDB, srv.Port()), dns: tlscDNS(t, tlscDB)})
		tlscNoCredentials(t, srv)
		d.want(t, tlscWant{id: "tls", status: checks.Skip, summary: []string{"does not use TLS"}})
		d.want(t, tlscWant{id: "bolt", status: checks.Fail,
			summary: []string{"requires TLS"},
			hints:   []string{"neo4j+s://", "neo4j+ssc://", "tls_level"}})
		d.wantStatuses(t, map[string]checks.Status{"config": checks.Pass, "auth": checks.Skip})
		d.wantVerdict(t, checks.Fail, checks.ExitFailed)
	})
	t.Run("aura", func(t *testing.T) {
		t.Parallel()
		srv := tlscLeafServer(t, tlscLeaf(t, ca, certs.LeafOptions{DNSNames: []string{tlscAura}}))
		d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j", tlscAura, srv.Port()), dns: tlscDNS(t, tlscAura)})
		tlscNoCredentials(t, srv)
		d.want(t, tlscWant{id: "config", status: checks.Warn,
			hints: []string{"Aura accepts only encrypted connections: use neo4j+s://" + tlscAura},
			facts: map[string]string{"aura instance": "0a1b2c3d"}})
		d.want(t, tlscWant{id: "bolt", status: checks.Fail,
			summary: []string{"requires TLS"},
			hints:   []string{"Aura", "neo4j+s://" + tlscAura}})
		// Aura's server settings are not the user's: no advice to change them.
		if r := d.result(t, "bolt"); tlscAny(r.Hints, "tls_level") {
			t.Errorf("bolt: an Aura host is told to change server.bolt.tls_level: %q", r.Hints)
		}
		d.wantVerdict(t, checks.Fail, checks.ExitFailed)
	})
}

func TestTLSCauseProtocolVersion(t *testing.T) {
	t.Parallel()
	ca := tlscCA(t, "Doctor Test Root CA")
	leaf := tlscLeaf(t, ca, certs.LeafOptions{DNSNames: []string{tlscDB}})
	port := tlscRawTLS(t, &tls.Config{
		Certificates: []tls.Certificate{leaf.TLSCertificate()},
		MinVersion:   tls.VersionTLS10,
		MaxVersion:   tls.VersionTLS11,
	})
	d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j+s", tlscDB, port), dns: tlscDNS(t, tlscDB), caFile: tlscCAFile(t, ca.PEM())})

	r := d.want(t, tlscWant{id: "tls", status: checks.Fail,
		summary: []string{"no TLS version", "1.2 or 1.3"},
		hints:   []string{"tls_versions", "TLSv1.2"},
		facts:   map[string]string{"server name (SNI)": tlscDB},
		err:     "protocol version"})
	if tlscFold(r.Summary, "certificate") {
		t.Errorf("tls: summary %q blames the certificate", r.Summary)
	}
	d.wantVerdict(t, checks.Fail, checks.ExitFailed)
}

func TestTLSCauseClientCertRequired(t *testing.T) {
	t.Parallel()
	ca := tlscCA(t, "Doctor Test Root CA")
	leaf := tlscLeaf(t, ca, certs.LeafOptions{DNSNames: []string{tlscDB}})
	port := tlscRawTLS(t, &tls.Config{
		Certificates: []tls.Certificate{leaf.TLSCertificate()},
		ClientAuth:   tls.RequireAnyClientCert,
		MinVersion:   tls.VersionTLS12,
	})
	d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j+s", tlscDB, port), dns: tlscDNS(t, tlscDB), caFile: tlscCAFile(t, ca.PEM())})

	d.want(t, tlscWant{id: "tls", status: checks.Fail,
		summary: []string{"client certificate"},
		hints:   []string{"client_auth"},
		facts:   map[string]string{"issuer": "CN=Doctor Test Root CA", "version": "TLS 1.3"},
		err:     "requires a client certificate"})
	d.wantStatuses(t, map[string]checks.Status{"bolt": checks.Skip})
	d.wantVerdict(t, checks.Fail, checks.ExitFailed)
}

// ---------------------------------------------------------------------------
// 15. +ssc accepts a self-signed certificate: a warning naming the
// fingerprint that was accepted, and the rest of the diagnosis runs.

func TestTLSCauseAcceptAnySelfSigned(t *testing.T) {
	t.Parallel()
	leaf := tlscLeaf(t, nil, certs.LeafOptions{DNSNames: []string{tlscDB}})
	srv := tlscLeafServer(t, leaf)
	d := tlscDiagnose(t, tlscRun{uri: tlscURI("bolt+ssc", tlscDB, srv.Port()), dns: tlscDNS(t, tlscDB)})
	sha := tlsprobe.Fingerprint(leaf.Certificate)

	d.want(t, tlscWant{id: "tls", status: checks.Warn,
		summary: []string{"unverified certificate", "+ssc"},
		hints:   []string{"self-signed", "--ca-file", "bolt+s://"},
		facts:   map[string]string{"accepted unverified": sha, "sha256": sha}})
	d.wantStatuses(t, map[string]checks.Status{"bolt": checks.Pass, "auth": checks.Pass, "query": checks.Pass, "routing": checks.Skip})
	d.wantVerdict(t, checks.Warn, checks.ExitHealthy)

	var authed bool
	for _, rec := range srv.Received() {
		if rec.SentCredentials() {
			authed = true
			if !rec.TLS || rec.ServerName != tlscDB {
				t.Errorf("connection %d carried credentials with TLS %v, SNI %q", rec.Conn, rec.TLS, rec.ServerName)
			}
		}
	}
	if !authed {
		t.Error("no connection authenticated: +ssc must let the diagnosis go on")
	}
}

// ---------------------------------------------------------------------------
// 17. Each cluster member is checked under its own name: its own SNI and
// its own certificate check.

func TestTLSCauseMemberOwnSNI(t *testing.T) {
	t.Parallel()
	core0, core1 := "core-0.example.test", "core-1.example.test"
	ca := tlscCA(t, "Doctor Test Root CA")
	leaf0 := tlscLeaf(t, ca, certs.LeafOptions{DNSNames: []string{core0}})
	leaf1 := tlscLeaf(t, ca, certs.LeafOptions{DNSNames: []string{tlscGraph}}) // the wrong name

	// Received().ServerName is recorded only for completed handshakes and
	// the client refuses member 1's, so every member's TLS config also
	// notes the name of each ClientHello it gets.
	var mu sync.Mutex
	hellos := map[int][]string{}
	sniSpy := func(i int, leaf *certs.Leaf) *tls.Config {
		c := certs.ServerConfig(leaf)
		c.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			mu.Lock()
			hellos[i] = append(hellos[i], h.ServerName)
			mu.Unlock()
			return nil, nil
		}
		return c
	}
	member := fixtures.Neo4j526()
	member.Users = map[string]string{tlscUser: tlscPass}
	member.TLS, member.TLSMode = sniSpy(0, leaf0), fixtures.TLSRequired
	c, err := fixtures.StartCluster(2, fixtures.ClusterConfig{
		Member:    member,
		Configure: func(i int, cfg *fixtures.Config) { cfg.TLS = sniSpy(i, []*certs.Leaf{leaf0, leaf1}[i]) },
		Readers:   []int{0, 1}, // losing member 1 leaves every role served
	})
	if err != nil {
		t.Fatalf("fixtures.StartCluster: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })

	// Advertise the members by name, now that their ports are known.
	names := []string{core0, core1}
	adv := map[string]string{}
	for i, m := range c.Members {
		adv[m.Addr()] = net.JoinHostPort(names[i], strconv.Itoa(m.Port()))
	}
	rename := func(in []string) []string {
		out := make([]string, len(in))
		for i, a := range in {
			out[i] = adv[a]
			if out[i] == "" {
				t.Fatalf("routing table lists %s, not a member", a)
			}
		}
		return out
	}
	tab := c.Table()
	tab.Routers, tab.Writers, tab.Readers = rename(tab.Routers), rename(tab.Writers), rename(tab.Readers)
	c.SetTable(tab)
	addr1 := adv[c.Members[1].Addr()]

	d := tlscDiagnose(t, tlscRun{uri: tlscURI("neo4j+s", core0, c.Members[0].Port()), dns: tlscDNS(t, core0, core1), caFile: tlscCAFile(t, ca.PEM())})

	d.want(t, tlscWant{id: "tls", status: checks.Pass, summary: []string{"certificate valid for " + core0}})
	d.wantStatuses(t, map[string]checks.Status{"routing": checks.Pass, "query": checks.Pass})
	members := d.want(t, tlscWant{id: "members", status: checks.Warn, summary: []string{"1 of 2", addr1}})
	if ev, _ := tlscFact(members.Evidence, addr1); !tlscFold(ev, "tls") || !tlscFold(ev, "not valid for "+core1) {
		t.Errorf("members: evidence for %s is %q, want its tls failure", addr1, ev)
	}
	d.wantVerdict(t, checks.Warn, checks.ExitHealthy)

	// Member 1: its own tls check failed with a host mismatch, in the
	// result, the JSON and the text.
	want1 := tlscWant{id: "tls", status: checks.Fail,
		summary: []string{"not valid for " + core1, "it is for " + tlscGraph},
		// The name is the routing table's: the server is to advertise
		// one its certificate covers, not the user to connect elsewhere;
		// the setting is the 5.x one, the generation the server in the
		// URI answered as (a cluster's members are of one generation).
		hints: []string{"`server.bolt.advertised_address=" + net.JoinHostPort(tlscGraph, strconv.Itoa(c.Members[1].Port())) + "`",
			"reissue that server's certificate with " + core1},
		facts: map[string]string{"server name (SNI)": core1, "names": tlscGraph},
		err:   "not valid for this host name"}
	var r1 checks.Result
	var m1Status checks.Status
	for _, m := range d.rep.Members {
		if m.Address != addr1 {
			if m.Status != checks.Pass {
				t.Errorf("member %s: status %s, want pass", m.Address, m.Status)
			}
			continue
		}
		m1Status = m.Status
		for _, mc := range m.Checks {
			if mc.ID == "tls" {
				r1 = mc
			}
		}
	}
	if m1Status != checks.Fail {
		t.Errorf("member %s: status %q, want fail", addr1, m1Status)
	}
	var j1 tlscJSONCheck
	for _, m := range d.doc.Members {
		if m.Address == addr1 {
			if m.Status != "fail" {
				t.Errorf("JSON member %s: status %q, want fail", addr1, m.Status)
			}
			for _, mc := range m.Checks {
				if mc.ID == "tls" {
					j1 = mc
				}
			}
		}
	}
	from := slices.IndexFunc(d.lines, func(l string) bool {
		return strings.HasPrefix(strings.TrimSpace(l), "✗ "+addr1+" ")
	})
	if from < 0 {
		t.Fatalf("the text report lists no failed member %s", addr1)
	}
	line, block := d.textBlock(t, 8, from, "tls", checks.Fail)
	d.wantIn(t, "member "+addr1+" ", r1, j1, line, block, want1)

	// Every member saw its own name in SNI, on every connection.
	mu.Lock()
	defer mu.Unlock()
	for i, m := range c.Members {
		if len(hellos[i]) == 0 {
			t.Errorf("member %d got no ClientHello", i)
		}
		for _, sni := range hellos[i] {
			if sni != names[i] {
				t.Errorf("member %d was sent SNI %q, want %q", i, sni, names[i])
			}
		}
		for _, rec := range m.Received() {
			if rec.TLS && rec.ServerName != names[i] {
				t.Errorf("member %d connection %d: Received().ServerName %q, want %q", i, rec.Conn, rec.ServerName, names[i])
			}
			if i == 1 && rec.SentCredentials() {
				t.Errorf("member 1 connection %d carried credentials over a mismatched certificate", rec.Conn)
			}
		}
	}
	refused := c.Members[1].Received()
	if len(refused) == 0 {
		t.Error("member 1 saw no connection: its certificate was never checked")
	}
	for _, rec := range refused {
		if rec.TLS || rec.TLSError == "" || len(rec.Messages) > 0 {
			t.Errorf("member 1 connection %d: TLS %v (error %q), messages %v; want a handshake the client refused", rec.Conn, rec.TLS, rec.TLSError, rec.Messages)
		}
	}
	var tls0 int
	for _, rec := range c.Members[0].Received() {
		if rec.TLS {
			tls0++
		}
	}
	// Member 0 is the seed: its member check is the run's own connection.
	if tls0 != 1 {
		t.Errorf("member 0 completed %d TLS handshakes, want the seed's alone (it counts as the member it is)", tls0)
	}
}
