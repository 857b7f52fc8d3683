package cli

// Tests of the access check's flags as a user meets them: --write-probe,
// --impersonate and --bearer-token (and NEO4J_BEARER_TOKEN in the
// environment or a connection file). What they make the check do is
// checks/'s to test; here: bad input is exit 3 with one error: and one
// hint: line, the flags are in the help, the completions and the man
// page, nothing is ever written without --write-probe, and the token
// never reaches any output, in clear or in hex.
//
// The tests named ...NeedsAccessCheck hold once the access check is merged
// (checks.Resolve carrying the inputs, the check using them); the rest
// hold with or without it.

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

// canaryToken is a bearer token (a JWT: header, claims, signature) that
// must never be printed, in part or whole.
const canaryToken = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9." +
	"eyJzdWIiOiJjYW5hcnktWng5LXRva2VuIiwiZXhwIjo0MTAyNDQ0ODAwfQ." +
	"Q2FuYXJ5LVp4OS1zaWduYXR1cmUtbmV2ZXItcHJpbnRlZA"

var (
	spacedHex = regexp.MustCompile(`\b[0-9A-Fa-f]{2}(?: [0-9A-Fa-f]{2}){3,}\b`)
	plainHex  = regexp.MustCompile(`\b(?:[0-9A-Fa-f]{2}){8,}\b`)
)

// leakWindow: any this many consecutive characters of a secret count as
// the secret, so a token cut short ("eyJhbGciOiJSUzI1NiIs…") is found.
const leakWindow = 16

// leaked says how out shows secret, or any leakWindow characters of it:
// in clear, or in bytes written as hex (spaced, as evidence and
// transcripts write them, or not; either case). "" when it does not.
func leaked(out, secret string) string {
	texts := map[string]string{"in clear": out}
	var decoded []string
	for _, m := range spacedHex.FindAllString(out, -1) {
		b, _ := hex.DecodeString(strings.ReplaceAll(m, " ", ""))
		decoded = append(decoded, string(b))
	}
	for _, m := range plainHex.FindAllString(out, -1) {
		b, _ := hex.DecodeString(m)
		decoded = append(decoded, string(b))
	}
	texts["in hex"] = strings.Join(decoded, "\n")
	w := min(leakWindow, len(secret))
	for how, text := range texts {
		for i := 0; i+w <= len(secret); i++ {
			if strings.Contains(text, secret[i:i+w]) {
				return fmt.Sprintf("the secret is printed %s (%q…)", how, secret[i:i+4])
			}
		}
	}
	return ""
}

func TestLeaked(t *testing.T) {
	t.Parallel()
	for out, want := range map[string]bool{
		"nothing here":                                       false,
		"token " + canaryToken:                               true,
		"cut: " + canaryToken[:20] + "…":                     true,
		"sig " + canaryToken[len(canaryToken)-17:]:           true,
		fmt.Sprintf("bytes: % X", []byte("x"+canaryToken)):   true,
		fmt.Sprintf("bytes: %x", []byte(canaryToken[40:70])): true,
		"eyJhbGciOi (ten characters are not a leak)":         false,
	} {
		if got := leaked(out, canaryToken) != ""; got != want {
			t.Errorf("leaked(%.50q) = %v, want %v", out, got, want)
		}
	}
}

// TestAccessFlagsBadInput: bad values of the access flags are exit 3 with
// one error: and one hint: line, before any connection, and never echo the
// token or the password given beside them.
func TestAccessFlagsBadInput(t *testing.T) {
	t.Parallel()
	uri := []string{"--uri", "bolt://127.0.0.1:1"}
	for _, tc := range []struct {
		name string
		args []string
		want string // in the error line
		hint string // in the hint line
	}{
		{"empty impersonate", append(uri, "--impersonate", ""), "--impersonate is empty", "--impersonate alice"},
		{"blank impersonate", append(uri, "--impersonate", "  "), "--impersonate is empty", "run them as yourself"},
		{"impersonate with a line break", append(uri, "--impersonate", "bob\n"), "--impersonate holds a control character", "SHOW USERS"},
		{"impersonate padded", append(uri, "--impersonate", " bob"), "--impersonate starts or ends with a space", "without quotes or spaces"},
		{"empty token", append(uri, "--bearer-token", ""), "--bearer-token is empty", "NEO4J_BEARER_TOKEN"},
		{"token with Bearer", append(uri, "--bearer-token", "Bearer "+canaryToken), "--bearer-token holds a space", `without "Bearer "`},
		{"token with a line break", append(uri, "--bearer-token", canaryToken+"\n"), "--bearer-token holds a space, a line break", "NEO4J_BEARER_TOKEN=eyJ…"},
		{"token and password", append(uri, "--bearer-token", canaryToken, "-p", canary), "--bearer-token and --password together", "a login uses one of them"},
		{"token and password, other order", append(uri, "-p", canary, "--bearer-token", canaryToken), "--bearer-token and --password together", "drop --password"},
		{"token and a password in the uri", []string{"--uri", "neo4j://neo4j:" + canary + "@127.0.0.1:1", "--bearer-token", canaryToken}, "--bearer-token and a password in --uri together", "remove user:password@"},
		{"write-probe takes no value", append(uri, "--write-probe=maybe"), "write-probe", "--help"},
		{"check: empty impersonate", append([]string{"check"}, append(uri, "--impersonate", "")...), "--impersonate is empty", ""},
		{"bundle: token and password", append([]string{"bundle", "-o", "-"}, append(uri, "--bearer-token", canaryToken, "-p", canary)...), "--bearer-token and --password together", ""},
		{"demo: empty impersonate", []string{"demo", "healthy-single", "--impersonate", ""}, "--impersonate is empty", ""},
		{"demo: no bearer token", []string{"demo", "healthy-single", "--bearer-token", canaryToken}, "bearer-token", "demo --help"},
		{"empty http-uri", append(uri, "--http-uri", ""), "--http-uri is empty", "derive it from the URI"},
		{"a Bolt URI as http-uri", append(uri, "--http-uri", "bolt://127.0.0.1:7687"), "bolt:// is a Bolt URI, not an HTTP one", "--http-uri takes"},
		{"credentials in http-uri", append(uri, "--http-uri", "http://neo4j:"+canary+"@127.0.0.1:7474"), "the HTTP URI carries credentials", "--username and --password"},
		{"http-uri with a path", append(uri, "--http-uri", "http://127.0.0.1:7474/browser/"), "the HTTP URI has a path", "discovery document is at /"},
		{"demo: empty http-uri", []string{"demo", "healthy-single", "--http-uri", ""}, "--http-uri is empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(map[string]string{"NEO4J_PASSWORD": canary}, tc.args...)
			assertInputError(t, r, tc.want)
			if lines := strings.Split(r.stderr, "\n"); len(lines) > 1 && !strings.Contains(lines[1], tc.hint) {
				t.Errorf("hint %q, want it to contain %q", lines[1], tc.hint)
			}
			for _, secret := range []string{canaryToken, canary} {
				if where := leaked(r.stdout+r.stderr, secret); where != "" {
					t.Errorf("%s:\n%s", where, r)
				}
			}
		})
	}
}

// TestAccessFlagsWithTargets: the flags that describe one target are
// refused with --targets, with the key of the targets file to use.
func TestAccessFlagsWithTargets(t *testing.T) {
	t.Parallel()
	good := writeFile(t, "good.yml", "targets:\n  - {name: a, uri: 'bolt://127.0.0.1:1', passwordEnv: PW}\n")
	for _, tc := range []struct {
		args       []string
		flag, hint string
	}{
		{[]string{"--write-probe"}, "--write-probe", "set writeProbe: true in the targets file"},
		{[]string{"--impersonate", "bob"}, "--impersonate", "set impersonate: in the targets file"},
		{[]string{"--bearer-token", canaryToken}, "--bearer-token", "set bearerTokenEnv: or bearerTokenFile: in the targets file"},
	} {
		r := runCLI(map[string]string{"PW": canary}, append([]string{"check", "--targets", good}, tc.args...)...)
		assertInputError(t, r, tc.flag+" and --targets together")
		if !strings.Contains(r.stderr, "hint: "+tc.hint) {
			t.Errorf("%s: want the hint %q:\n%s", tc.flag, tc.hint, r)
		}
		if where := leaked(r.stdout+r.stderr, canaryToken); where != "" {
			t.Errorf("%s: %s", tc.flag, where)
		}
	}
}

// TestAccessFlagsDocumented: --help of every diagnosis command, the
// completion scripts and the man page name the flags; the demo takes
// --write-probe and --impersonate but brings its own credentials.
func TestAccessFlagsDocumented(t *testing.T) {
	t.Parallel()
	all := []string{"--write-probe", "--impersonate", "--bearer-token"}
	for _, tc := range []struct {
		args      []string
		want, not []string
	}{
		{[]string{"--help"}, append(all, "NEO4J_BEARER_TOKEN", "prefer the environment"), nil},
		{[]string{"check", "--help"}, all, nil},
		{[]string{"bundle", "--help"}, all, nil},
		{[]string{"demo", "--help"}, []string{"--write-probe", "--impersonate"}, []string{"--bearer-token", "--password"}},
	} {
		r := runCLI(nil, tc.args...)
		if r.code != 0 {
			t.Fatalf("%v:\n%s", tc.args, r)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v does not mention %s", tc.args, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(r.stdout, w) {
				t.Errorf("%v mentions %s", tc.args, w)
			}
		}
	}
	if r := runCLI(nil, "--help"); !regexp.MustCompile(`--write-probe\s[^\n]*rolled back`).MatchString(r.stdout) {
		t.Errorf("--help does not say the write probe is rolled back:\n%s", r.stdout)
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		r := runCLI(nil, "completion", sh)
		for _, f := range all {
			if !strings.Contains(r.stdout, strings.TrimPrefix(f, "--")) {
				t.Errorf("completion %s lacks %s", sh, f)
			}
		}
	}
	if man := runCLI(nil, "man"); !strings.Contains(man.stdout, "write-probe") || !strings.Contains(man.stdout, "bearer-token") || !strings.Contains(man.stdout, "impersonate") {
		t.Errorf("the man page lacks an access flag")
	}
}

// wrote reports the first request of srv's connections that writes or
// commits: a RUN of a write, a write transaction, a COMMIT.
func wrote(srv *fixtures.Server) string {
	for _, c := range srv.Received() {
		for _, m := range c.Messages {
			q := strings.ToUpper(strings.TrimSpace(m.Query))
			switch {
			case m.Name == "COMMIT",
				m.Name == "BEGIN" && m.Mode == "w",
				m.Name == "RUN" && (strings.HasPrefix(q, "CREATE") || strings.HasPrefix(q, "MERGE") || strings.Contains(q, "SET ") || strings.Contains(q, "DELETE")):
				return fmt.Sprintf("connection %d: %s %q mode %q", c.Conn, m.Name, m.Query, m.Mode)
			}
		}
	}
	return ""
}

// TestNothingWrittenWithoutWriteProbe: without --write-probe no diagnosis
// sends a write, a write transaction or a COMMIT, whatever the scheme and
// the other access flags.
func TestNothingWrittenWithoutWriteProbe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scheme string
		args   []string
	}{
		{"bolt", nil},
		{"neo4j", nil},
		{"neo4j", []string{"--impersonate", "bob", "--verbose"}},
		{"neo4j", []string{"-d", "movies", "--all-databases"}},
	} {
		cfg := fixtures.Neo4j526()
		cfg.Users = map[string]string{"neo4j": waitPassword}
		cfg.Accounts = map[string]fixtures.Account{"neo4j": {Roles: []string{"PUBLIC", "admin"}, Impersonate: []string{"bob"}}}
		cfg.Databases = []fixtures.Database{{Name: "neo4j"}, {Name: "system"}, {Name: "movies"}}
		srv, err := fixtures.Start(cfg)
		if err != nil {
			t.Fatal(err)
		}
		r := runCLI(map[string]string{"NEO4J_PASSWORD": waitPassword}, append([]string{"--uri", srv.URI(tc.scheme), "-u", "neo4j", "--format", "json"}, tc.args...)...)
		if r.code == 3 {
			t.Errorf("%s %v: %s", tc.scheme, tc.args, r)
		}
		if w := wrote(srv); w != "" {
			t.Errorf("%s %v: without --write-probe the run wrote: %s", tc.scheme, tc.args, w)
		}
		_ = srv.Close()
	}
}

// tokenServer is a server that accepts token as a bearer token for user
// app (and nothing else), or rejects it as expired.
func tokenServer(t *testing.T, token string, expired bool) *fixtures.Server {
	t.Helper()
	cfg := fixtures.Neo4j526()
	cfg.Users = map[string]string{"app": waitPassword}
	cfg.Bearer = map[string]fixtures.BearerToken{token: {User: "app", Expired: expired}}
	srv, err := fixtures.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// TestBearerTokenCanaryInEveryOutput gives a bearer token by flag, by the
// environment and by a connection file, to a server that accepts it, one
// that says it expired and one that does not know it, and looks for it,
// whole, in part or in hex, in every format, the job summary and the
// --wait progress. (The canary tests of the bundle are in bundle_test.go.)
func TestBearerTokenCanaryInEveryOutput(t *testing.T) {
	t.Parallel()
	accepted := tokenServer(t, canaryToken, false)
	expired := tokenServer(t, canaryToken, true)
	unknown := tokenServer(t, "some-other-token", false)
	for _, srv := range []struct {
		name string
		uri  string
	}{{"accepted", accepted.URI("neo4j")}, {"expired", expired.URI("neo4j")}, {"unknown", unknown.URI("bolt")}} {
		for _, tc := range []struct {
			name string
			env  map[string]string
			args []string
			file string // connection file content
		}{
			{name: "flag", args: []string{"--uri", srv.uri, "--bearer-token", canaryToken}},
			{name: "env", env: map[string]string{"NEO4J_BEARER_TOKEN": canaryToken}, args: []string{"--uri", srv.uri}},
			{name: "file", file: "NEO4J_URI=" + srv.uri + "\nNEO4J_BEARER_TOKEN=" + canaryToken + "\n"},
			{name: "file and a user name", args: []string{"-u", "app"}, file: "NEO4J_URI=" + srv.uri + "\nNEO4J_BEARER_TOKEN=" + canaryToken + "\n"},
		} {
			t.Run(srv.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				env := map[string]string{"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md")}
				for k, v := range tc.env {
					env[k] = v
				}
				args := append([]string{"--verbose", "--wait", "1s", "--wait-all", "--timeout", "500ms",
					"--format", "text,json,junit,github,markdown"}, tc.args...)
				for _, ext := range []string{"txt", "json", "xml", "github", "md"} {
					args = append(args, "-o", filepath.Join(dir, "out."+ext))
				}
				if tc.file != "" {
					args = append(args, writeFile(t, "conn.env", tc.file))
				}
				r := runCLI(env, args...)
				if r.code == 3 {
					t.Fatalf("valid input rejected:\n%s", r)
				}
				outputs := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
				entries, err := os.ReadDir(dir)
				if err != nil || len(entries) != 6 {
					t.Fatalf("want 5 outputs and the summary in %s (%v)", dir, err)
				}
				for _, e := range entries {
					outputs[e.Name()] = readFile(t, filepath.Join(dir, e.Name()))
				}
				for name, out := range outputs {
					if where := leaked(out, canaryToken); where != "" {
						t.Errorf("%s: %s:\n%s", name, where, out)
					}
				}
			})
		}
	}
}

// TestBearerTokenLoginNeedsAccessCheck: a token given each way logs in
// with scheme bearer and no password, and the report says where it came
// from, never what it is.
func TestBearerTokenLoginNeedsAccessCheck(t *testing.T) {
	t.Parallel()
	srv := tokenServer(t, canaryToken, false)
	for _, tc := range []struct {
		name, from string
		env        map[string]string
		args       []string
		file       string
	}{
		{name: "flag", from: "--bearer-token", args: []string{"--uri", srv.URI("bolt"), "--bearer-token", canaryToken}},
		{name: "env", from: "NEO4J_BEARER_TOKEN", env: map[string]string{"NEO4J_BEARER_TOKEN": canaryToken}, args: []string{"--uri", srv.URI("bolt")}},
		{name: "file", from: "conn.env NEO4J_BEARER_TOKEN", file: "NEO4J_URI=" + srv.URI("bolt") + "\nNEO4J_BEARER_TOKEN=" + canaryToken + "\n"},
	} {
		args := append([]string{"--format", "json"}, tc.args...)
		if tc.file != "" {
			args = append(args, writeFile(t, "conn.env", tc.file))
		}
		r := runCLI(tc.env, args...)
		if r.code != 0 {
			t.Errorf("%s: exit %d, want 0 with the token accepted:\n%s", tc.name, r.code, r)
			continue
		}
		rep := decodeReport(t, r)
		if s := rep.Target.Settings["bearer-token"]; s.Value != "" || s.From != tc.from {
			t.Errorf("%s: settings.bearer-token = %+v, want from %q and no value", tc.name, s, tc.from)
		}
	}
	for _, c := range srv.Received() {
		for _, m := range c.Messages {
			if (m.Name == "HELLO" || m.Name == "LOGON") && m.Credentials && m.Scheme != "bearer" {
				t.Errorf("connection %d logged in with scheme %q, want bearer", c.Conn, m.Scheme)
			}
		}
	}
}

// TestWriteProbeNeedsAccessCheck: --write-probe sends one write in a
// write transaction, then ROLLBACK, and never COMMIT; --impersonate runs
// the statements as the user named.
func TestWriteProbeNeedsAccessCheck(t *testing.T) {
	t.Parallel()
	cfg := fixtures.Neo4j526()
	cfg.Users = map[string]string{"neo4j": waitPassword}
	cfg.Accounts = map[string]fixtures.Account{"neo4j": {Impersonate: []string{"bob"}}}
	srv, err := fixtures.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	r := runCLI(map[string]string{"NEO4J_PASSWORD": waitPassword}, "--uri", srv.URI("bolt"), "-u", "neo4j", "--write-probe", "--impersonate", "bob", "--format", "json")
	if st, _ := decodeReport(t, r).check("access"); r.code != 0 || st != "pass" {
		t.Errorf("exit %d, access %q; want 0 and pass:\n%s", r.code, st, r)
	}
	var names []string
	var imp bool
	for _, c := range srv.Received() {
		for _, m := range c.Messages {
			names = append(names, m.Name)
			imp = imp || m.ImpUser == "bob"
			if m.Name == "COMMIT" {
				t.Errorf("connection %d sent COMMIT", c.Conn)
			}
		}
	}
	if i := slices.Index(names, "ROLLBACK"); i < 0 || !slices.Contains(names[:i], "BEGIN") {
		t.Errorf("no ROLLBACK after the write transaction's BEGIN: %v", names)
	}
	if !imp {
		t.Error("no request carried imp_user bob")
	}
}

// TestDemoWriteProbeNeedsAccessCheck: demo takes --write-probe for any
// scenario; a read-only database then fails instead of warning.
func TestDemoWriteProbeNeedsAccessCheck(t *testing.T) {
	t.Parallel()
	r := runCLI(nil, "demo", "read-only-database", "--write-probe", "--format", "json")
	if st, _ := decodeReport(t, r).check("access"); r.code != 1 || st != "fail" {
		t.Errorf("exit %d, access %q; want 1 and fail:\n%s", r.code, st, r)
	}
}

// TestScenarioArgs: a scenario that needs a flag carries it, and the
// demo's --serve prints it; a scenario that logs in with a token prints
// where the token is, never the token.
func TestScenarioArgs(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "follower-behind-load-balancer")
	if !slices.Contains(inst.Args(), "--write-probe") || !inst.Inputs().WriteProbe {
		t.Errorf("follower-behind-load-balancer: args %v, inputs write probe %v", inst.Args(), inst.Inputs().WriteProbe)
	}
	var b strings.Builder
	serveInfo(&b, inst)
	if !strings.Contains(b.String(), " --write-probe") {
		t.Errorf("--serve does not print --write-probe:\n%s", b.String())
	}

	idle := startScenario(t, "idle-cut-by-load-balancer")
	if !slices.Contains(idle.Args(), "--idle-probe") || len(idle.Inputs().IdleProbe) != 2 {
		t.Errorf("idle-cut-by-load-balancer: args %v, inputs idle probe %v", idle.Args(), idle.Inputs().IdleProbe)
	}
	b.Reset()
	serveInfo(&b, idle)
	if !strings.Contains(b.String(), " --timeout 1s --idle-probe 500ms,3s") {
		t.Errorf("--serve does not print --timeout and --idle-probe:\n%s", b.String())
	}

	tok := startScenario(t, "token-expired-soon")
	if tok.BearerToken == "" || tok.Inputs().Flags["bearer-token"] != tok.BearerToken || tok.Inputs().Flags["password"] != "" {
		t.Errorf("token-expired-soon: inputs %v", tok.Inputs().Flags)
	}
	data, err := os.ReadFile(tok.BearerTokenFile)
	if err != nil || strings.TrimSpace(string(data)) != tok.BearerToken {
		t.Errorf("the token file %s does not hold the token (%v)", tok.BearerTokenFile, err)
	}
	b.Reset()
	serveInfo(&b, tok)
	if !strings.Contains(b.String(), `NEO4J_BEARER_TOKEN="$(cat `+tok.BearerTokenFile+`)"`) || leaked(b.String(), tok.BearerToken) != "" {
		t.Errorf("--serve of a token scenario:\n%s", b.String())
	}
}
