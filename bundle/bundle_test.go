package bundle

// Tests of the bundle against real diagnoses: every demo scenario is
// started on loopback (its own DNS server answers its names), diagnosed as
// the CLI does, and bundled. No name is resolved outside the fixtures.

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
	"github.com/neo4j-doctor/neo4j-doctor/internal/aura"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract/schemacheck"
	"github.com/neo4j-doctor/neo4j-doctor/report"
	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const canary = "canary-Zx9-pw"

// canaryToken is a bearer token (a JWT) that must never be written;
// canaryTokenClaims is its middle part.
const (
	canaryTokenClaims = "eyJzdWIiOiJjYW5hcnktWng5LXRva2VuIiwiZXhwIjo0MTAyNDQ0ODAwfQ"
	canaryToken       = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9." + canaryTokenClaims + ".Q2FuYXJ5LVp4OS1zaWduYXR1cmUtbmV2ZXItcHJpbnRlZA"
)

// diagnosis is one scenario diagnosed.
type diagnosis struct {
	inst *scenarios.Instance
	t    *checks.Target
	rep  *checks.Report
}

// diagnoseScenario runs a demo scenario as the CLI would, with password
// instead of the scenario's when it is not "" (for a scenario that logs in
// with a bearer token, the password is given beside it, unused).
func diagnoseScenario(t *testing.T, name, password string) diagnosis {
	t.Helper()
	sc, ok := scenarios.LookupScenario(name)
	if !ok {
		t.Fatalf("no scenario %q", name)
	}
	inst, err := sc.Start()
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() { _ = inst.Close() })
	if password == "" {
		password = inst.Password
	}
	timeout := inst.Timeout
	if timeout < 5*time.Second {
		timeout = 200 * time.Millisecond // scenarios that wait on silence
	}
	in := inst.Inputs()
	in.Timeout = timeout
	if inst.BearerToken == "" {
		in.Flags["password"] = password
	}
	tg, err := checks.Resolve(in)
	if err != nil {
		t.Fatalf("resolve %s: %v", name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep := checks.Diagnose(ctx, tg, &checks.Env{Version: "test"}, checks.Options{})
	return diagnosis{inst: inst, t: tg, rep: rep}
}

// testEnv keeps the machine's own files and variables out of the tests.
func testEnv(t *testing.T, env map[string]string) EnvSource {
	t.Helper()
	dir := t.TempDir()
	rc := filepath.Join(dir, "resolv.conf")
	hosts := filepath.Join(dir, "hosts")
	write(t, rc, "# test\nnameserver 10.20.30.40\nnameserver fd00::53\nsearch corp.example.com\noptions ndots:2 timeout:1\n")
	write(t, hosts, "127.0.0.1 localhost\n10.9.8.7 core-0.neo4j-doctor.test db.neo4j-doctor.test # pinned\n192.0.2.1 unrelated.example.org\n")
	return EnvSource{
		Getenv:     func(k string) string { return env[k] },
		ResolvConf: rc,
		HostsFile:  hosts,
		Now:        func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("CET", 3600)) },
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func build(t *testing.T, rep *checks.Report, opts Options) ([]byte, *Summary) {
	t.Helper()
	if opts.Tool.Version == "" {
		opts.Tool = Tool{Name: "neo4j-doctor", Version: "test", Commit: "abc123", Date: "2026-11-25"}
	}
	data, sum, err := Build(rep, opts)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	// contract.Bundle, which this package's tests cannot import: it
	// imports bundle.
	if err := schemacheck.Validate(data, SchemaJSON, report.SchemaJSON); err != nil {
		t.Fatalf("the bundle does not match its schema: %v", err)
	}
	return data, sum
}

func text(t *testing.T, rep *checks.Report, verbose bool) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.Text(&b, rep, report.TextOptions{Version: "test", Verbose: verbose}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// decodedStrings is every string in a JSON document, and the bytes of
// every hex dump in them as text.
func decodedStrings(t *testing.T, data []byte) []string {
	t.Helper()
	var out []string
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if s, ok := tok.(string); ok {
			out = append(out, s)
			for _, m := range hexRun.FindAllString(s, -1) {
				b, _ := hex.DecodeString(strings.ReplaceAll(m, " ", ""))
				out = append(out, string(b))
			}
		}
	}
	return out
}

// TestBuildReadTLS: a healthy TLS run's bundle holds the chain as PEM and
// the report, and reads back into the very same text.
func TestBuildReadTLS(t *testing.T) {
	t.Parallel()
	d := diagnoseScenario(t, "healthy-tls", "")
	data, sum := build(t, d.rep, Options{Password: d.t.Password, Env: testEnv(t, nil)})
	if sum.Bytes != len(data) || sum.Checks != len(d.rep.Checks) || sum.Certificates == 0 {
		t.Errorf("summary %+v for %d bytes", sum, len(data))
	}
	b, err := Read(data)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	for _, verbose := range []bool{false, true} {
		if got, want := text(t, b.Report, verbose), text(t, d.rep, verbose); got != want {
			t.Errorf("verbose=%v: the bundle's report renders differently:\n--- original\n%s--- from the bundle\n%s", verbose, want, got)
		}
	}
	chain := b.Artifacts.TLS.Chain
	if len(chain) == 0 {
		t.Fatal("no certificate chain in the bundle")
	}
	for i, c := range chain {
		block, _ := pem.Decode([]byte(c.PEM))
		if block == nil {
			t.Fatalf("certificate %d has no PEM", i)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil || tlsprobe.Fingerprint(cert) != c.SHA256 {
			t.Errorf("certificate %d: PEM does not give fingerprint %s (%v)", i, c.SHA256, err)
		}
	}
	env := b.Environment
	if env.Time != "2026-11-25T10:00:00+01:00" || env.TimeZone != "CET" || env.ClockOffset.Known || env.ClockOffset.Why == "" {
		t.Errorf("time %q zone %q offset %+v", env.Time, env.TimeZone, env.ClockOffset)
	}
	if !slices.Equal(env.ResolvConf.Nameservers, []string{"10.20.30.40", "fd00::53"}) || !slices.Equal(env.ResolvConf.Search, []string{"corp.example.com"}) || !slices.Equal(env.ResolvConf.Options, []string{"ndots:2", "timeout:1"}) {
		t.Errorf("resolv.conf read as %+v", env.ResolvConf)
	}
	if b.Redactions.Hosts || b.Redactions.PasswordScan != "passed" {
		t.Errorf("redactions %+v", b.Redactions)
	}
	if b.Tool.Commit != "abc123" || b.ReportTool.Version != "test" {
		t.Errorf("tool %+v, report tool %+v", b.Tool, b.ReportTool)
	}
}

// TestHostsFileEntries: only the lines that name a host the run looked up.
func TestHostsFileEntries(t *testing.T) {
	t.Parallel()
	d := diagnoseScenario(t, "healthy-cluster", "")
	data, _ := build(t, d.rep, Options{Env: testEnv(t, nil)})
	b, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []HostsEntry{{Line: 2, Address: "10.9.8.7", Names: []string{"core-0.neo4j-doctor.test", "db.neo4j-doctor.test"}}}
	if got := b.Environment.Hosts.Entries; len(got) != 1 || got[0].Line != 2 || got[0].Address != want[0].Address || !slices.Equal(got[0].Names, want[0].Names) {
		t.Errorf("hosts entries %+v, want %+v", got, want)
	}
	missing := readHosts(filepath.Join(t.TempDir(), "nope"), []string{"x"})
	if missing.Error == "" || len(missing.Entries) != 0 {
		t.Errorf("a missing hosts file: %+v", missing)
	}
}

// TestProxyVariables: names kept, values reduced to scheme, host and port.
func TestProxyVariables(t *testing.T) {
	t.Parallel()
	env := collectEnvironment(testEnv(t, map[string]string{
		"HTTPS_PROXY": "http://alice:" + canary + "@proxy.corp.example.com:3128/p?token=" + canary,
		"http_proxy":  "proxy.corp.example.com:8080",
		"NO_PROXY":    "localhost,.internal.example.com,10.0.0.0/8",
		"ALL_PROXY":   "::not a url::" + canary,
	}), nil, counter{})
	got := map[string]ProxyVar{}
	for _, p := range env.Proxy {
		got[p.Name] = p
	}
	for name, want := range map[string]ProxyVar{
		"HTTPS_PROXY": {Value: "http://proxy.corp.example.com:3128", Removed: []string{"credentials", "path"}},
		"http_proxy":  {Value: "proxy.corp.example.com:8080", Removed: []string{}},
		"NO_PROXY":    {Value: "localhost,.internal.example.com,10.0.0.0/8"},
		"ALL_PROXY":   {Value: "(not a URL; not shown)", Removed: []string{"value"}},
	} {
		p, ok := got[name]
		if !ok || p.Value != want.Value || (want.Removed != nil && !slices.Equal(p.Removed, want.Removed)) {
			t.Errorf("%s = %+v, want %+v", name, p, want)
		}
	}
	if len(env.Proxy) != 4 {
		t.Errorf("%d proxy variables, want the 4 set", len(env.Proxy))
	}
	js, _ := json.Marshal(env)
	if bytes.Contains(js, []byte(canary)) || bytes.Contains(js, []byte("alice")) {
		t.Errorf("proxy credentials survived: %s", js)
	}
}

// TestSecretsScrubbed: the password wherever text repeats it (plain or as
// hex), credentials in URIs and bearer tokens are masked and counted, and
// the bundle holds none of them.
func TestSecretsScrubbed(t *testing.T) {
	t.Parallel()
	d := diagnoseScenario(t, "wrong-password", canary)
	rep := *d.rep
	rep.Checks = slices.Clone(rep.Checks)
	for i := range rep.Checks {
		if rep.Checks[i].ID == "auth" {
			c := &rep.Checks[i]
			c.Evidence = append(slices.Clone(c.Evidence),
				checks.Fact{Name: "message", Value: "a buggy server repeats " + canary},
				checks.Fact{Name: "received", Value: fmt.Sprintf("% X", []byte("xx"+canary+"xx"))},
				checks.Fact{Name: "proxy", Value: "via https://bob:" + canary + "@proxy.example.com:443/ and neo4j://neo4j:hunter2hunter2@db.example.com"},
				checks.Fact{Name: "header", Value: "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig and bearer abcdefghijklmnop"},
				// The run's own bearer token, bare, cut at its dots, in hex;
				// and someone else's JWT on its own.
				checks.Fact{Name: "token", Value: "the server echoes " + canaryToken + " and its claims " + canaryTokenClaims},
				checks.Fact{Name: "token bytes", Value: fmt.Sprintf("% x", []byte("tok="+canaryToken))},
				checks.Fact{Name: "jwt", Value: "another: eyJraWQiOiJvdGhlciJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJl"},
			)
		}
	}
	data, sum := build(t, &rep, Options{Password: canary, BearerToken: canaryToken, Env: testEnv(t, map[string]string{"HTTPS_PROXY": "http://u:" + canary + "@p.example.com:1"})})
	for _, s := range decodedStrings(t, data) {
		for _, secret := range []string{canary, "hunter2hunter2", "eyJhbGciOiJIUzI1NiJ9", "abcdefghijklmnop", canaryToken, canaryTokenClaims, "eyJzdWIiOiJib2IifQ"} {
			if strings.Contains(s, secret) {
				t.Errorf("%q survived in %q", secret, s)
			}
		}
	}
	counts := map[string]int{}
	for _, c := range sum.Redactions.Counts {
		counts[c.Kind] = c.Count
	}
	for kind, least := range map[string]int{KindPassword: 1, KindHex: 2, KindURICredentials: 2, KindBearer: 5, KindProxyCreds: 1} {
		if counts[kind] < least {
			t.Errorf("redactions %v: want %s at least %d", counts, kind, least)
		}
	}
	if !strings.Contains(string(data), "neo4j://neo4j:******@db.example.com") {
		t.Errorf("the URI lost its user name or host, not just its password")
	}
	// The original report still has everything: Build works on a copy.
	if !strings.Contains(fmt.Sprint(rep.Checks), canary) {
		t.Errorf("Build modified the report it was given")
	}
}

// TestLastLook: the final search refuses a bundle that still holds the
// password or an original host, even inside a hex dump.
func TestLastLook(t *testing.T) {
	t.Parallel()
	h := newHosts(counter{})
	h.addHost("db.example.com")
	for _, tc := range []struct {
		doc  string
		fail bool
	}{
		{`{"a": "nothing here", "b": ["db.host-1.example"]}`, false},
		{`{"a": "it is ` + canary + `"}`, true},
		{`{"a": "` + fmt.Sprintf("% x", []byte(canary)) + `"}`, true},
		{`{"k` + canary + `": 1}`, true},
		{`{"a": "dial db.example.com:7687"}`, true},
		{`{"a": "logged in with ` + canaryToken + `"}`, true},
		{`{"a": "its signature Q2FuYXJ5LVp4OS1zaWduYXR1cmUtbmV2ZXItcHJpbnRlZA"}`, true},
		{`{"a": "` + fmt.Sprintf("% X", []byte(canaryTokenClaims)) + `"}`, true},
		{`{"a": "` + fmt.Sprintf("% X", []byte("bolt://DB.example.com")) + `"}`, true},
	} {
		err := lastLook([]byte(tc.doc), canary, tokenParts(canaryToken), h)
		if tc.fail != errors.Is(err, ErrSecret) {
			t.Errorf("%s: err %v, want failure %v", tc.doc, err, tc.fail)
		}
	}
}

// TestPasswordScan: a password that every bundle contains anyway cannot
// be searched for, and the bundle says so rather than pretend.
func TestPasswordScan(t *testing.T) {
	t.Parallel()
	rep := &checks.Report{Target: checks.TargetInfo{Username: "admin-user", Scheme: "neo4j"}}
	for p, want := range map[string]string{
		"":            "not needed",
		"abc":         "skipped: a password under",
		"neo4j":       "skipped: the password is a word",
		"password":    "skipped: the password is a word",
		"admin":       "skipped: the password is a word", // part of the user name
		canary:        "",
		"s3cret-pass": "",
	} {
		if got := passwordScannable(p, rep); !strings.HasPrefix(got, want) || (want == "" && got != "") {
			t.Errorf("password %q: %q, want %q", p, got, want)
		}
	}
}

var (
	ipRE   = regexp.MustCompile(`\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b`)
	nameRE = regexp.MustCompile(`(?i)\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:neo4j-doctor\.test|internal|databases\.neo4j\.io)\b`)
)

// originals is every host name and IPv4 address in an unredacted bundle:
// the demo zone's names, the Docker-style .internal name, 127.0.0.1 and
// whatever else the fixtures and the test environment put there.
func originals(t *testing.T, data []byte) []string {
	t.Helper()
	seen := map[string]bool{}
	for _, s := range decodedStrings(t, data) {
		for _, re := range []*regexp.Regexp{ipRE, nameRE} {
			for _, m := range re.FindAllString(s, -1) {
				// host.docker.internal is in the tool's own hint for a
				// member advertising localhost: nobody's topology.
				if m != "0.0.0.0" && !strings.EqualFold(m, "host.docker.internal") {
					seen[strings.ToLower(m)] = true
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// TestRedactHostsEveryScenario: with RedactHosts no host name or address
// of any scenario is left anywhere in the bundle (hex dumps decoded),
// certificates are withheld, the same host always gets the same
// pseudonym, and the report still renders with the same verdict.
func TestRedactHostsEveryScenario(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			d := diagnoseScenario(t, sc.Name, "")
			env := testEnv(t, map[string]string{"HTTPS_PROXY": "http://proxy.neo4j-doctor.test:3128", "NO_PROXY": "10.1.1.1,.neo4j-doctor.test"})
			plain, _ := build(t, d.rep, Options{Password: d.t.Password, Env: env})
			orig := originals(t, plain)
			host := strings.ToLower(d.t.Host)
			if !slices.Contains(orig, host) || !slices.Contains(orig, "127.0.0.1") || !slices.Contains(orig, "10.20.30.40") {
				t.Fatalf("the unredacted bundle lacks the target %s, 127.0.0.1 or the resolver: %v", host, orig)
			}
			if id := aura.InstanceID(host); id != "" {
				// An Aura instance's id names it too, in the summaries and
				// hints that speak of the instance.
				orig = append(orig, id)
			}
			data, sum := build(t, d.rep, Options{Password: d.t.Password, RedactHosts: true, Env: env})
			for _, s := range decodedStrings(t, data) {
				low := strings.ToLower(s)
				for _, o := range orig {
					if strings.Contains(low, o) {
						t.Errorf("%q is still in %q", o, s)
					}
				}
				if strings.Contains(s, "BEGIN CERTIFICATE") {
					t.Errorf("a certificate was kept: %.60q", s)
				}
			}
			b, err := Read(data)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if !b.Redactions.Hosts || sum.Redactions.Counts == nil {
				t.Errorf("the bundle does not say hosts were redacted: %+v", b.Redactions)
			}
			r := b.Report
			if r.Verdict != d.rep.Verdict || r.ExitCode != d.rep.ExitCode || len(r.Checks) != len(d.rep.Checks) {
				t.Errorf("redacted report: %s/%d, want %s/%d", r.Verdict, r.ExitCode, d.rep.Verdict, d.rep.ExitCode)
			}
			p := r.Target.Host
			if !strings.HasPrefix(p, "host-") || !strings.Contains(r.Target.URI, p) || b.Artifacts.Address != fmt.Sprintf("%s:%d", p, r.Target.Port) {
				t.Errorf("target host %q, uri %q, artifacts address %q: want one pseudonym throughout", p, r.Target.URI, b.Artifacts.Address)
			}
			for _, ip := range b.Artifacts.Resolved {
				if !strings.HasPrefix(ip, "loopback-ip-") {
					t.Errorf("resolved address %q, want a loopback-ip pseudonym", ip)
				}
			}
			if rt := b.Artifacts.Routing; rt != nil && len(rt.Writers) > 0 && sc.Name == "healthy-cluster" && !strings.HasPrefix(rt.Writers[0], p+":") {
				t.Errorf("the writer %q is the target, but its pseudonym is not %s", rt.Writers[0], p)
			}
			if text(t, r, true) == "" {
				t.Error("the redacted report does not render")
			}
		})
	}
}

// TestPseudonyms: stable, class-preserving, and confined to whole names.
func TestPseudonyms(t *testing.T) {
	t.Parallel()
	n := counter{}
	h := newHosts(n)
	for _, a := range []string{"db.example.com:7687", "10.1.2.3", "127.0.0.1", "[::1]:7687", "fe80::1%eth0", "203.0.113.7", "0a1b2c3d.databases.neo4j.io", "localhost:7687", "neo4j", "0.0.0.0", "*.wild.example.org", "bolt://DB.example.com:7687", "members:7687"} {
		h.addAddress(a)
	}
	text := "db.example.com DB.Example.Com. mydb.example.com db.example.com.evil x.db.example.com 10.1.2.3:7687 10.1.2.30 " +
		"[::1]:7687 fe80::1 203.0.113.7 0a1b2c3d.databases.neo4j.io id 0a1b2c3d localhost neo4j://neo4j:7687 0.0.0.0 a.wild.example.org " +
		"Neo4j-0a1b2c3d-Created-2026-11-25.txt members"
	h.discover(text)
	got := h.replace(text)
	// Names and addresses are numbered apart, in the order they were met;
	// mydb, x.db, 10.1.2.30 and a.wild were found by discover.
	want := "host-1 host-1. host-4 host-1.evil host-5 private-ip-1:7687 private-ip-6 " +
		"[loopback-ip-3]:7687 link-local-ip-4 ip-5 host-2.databases.neo4j.io id host-2 localhost neo4j://neo4j:7687 0.0.0.0 host-6 " +
		"Neo4j-host-2-Created-2026-11-25.txt members"
	if got != want {
		t.Errorf("replace:\n got %s\nwant %s", got, want)
	}
	if again := h.replace(text); again != got {
		t.Errorf("a second pass gave other pseudonyms:\n%s", again)
	}
	hx := fmt.Sprintf("% x", []byte("address: db.example.com:7687"))
	if r := h.replace("bytes " + hx + " end"); strings.Contains(r, hx) || !strings.Contains(r, "withheld") {
		t.Errorf("a hex dump spelling a host was kept: %s", r)
	}
	if n[KindHostName] == 0 || n[KindIPAddress] == 0 || n[KindHex] == 0 {
		t.Errorf("counts %v", n)
	}
}
