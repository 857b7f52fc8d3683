package fleet_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
	"github.com/neo4j-doctor/neo4j-doctor/fleet"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// canary is a password that must never appear in an error.
const canary = "Canary-Pa55word-9f3e"

func writeFile(t testing.TB, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		msg, hint  string // substrings
	}{
		{"empty", "  \n", "targets.yml is empty", "README"},
		{"not yaml", "targets: [\n", "is not YAML", ""},
		{"not a mapping", "- a\n- b\n", "targets.yml:1: the targets file must be a mapping", ""},
		{"no targets", "concurrency: 2\n", "no targets: list", ""},
		{"targets empty", "targets: []\n", "targets: is empty", ""},
		{"targets not a list", "targets: {name: a}\n", "must be a list", ""},
		{"two documents", "targets:\n  - {name: a, uri: bolt://h}\n---\ntargets: []\n", "targets.yml:4: a second YAML document", ""},
		{"unknown top key", "target:\n  - {name: a, uri: bolt://h}\n", `targets.yml:1: unknown key "target"`, "valid keys here: concurrency, defaults, targets"},
		{"unknown key suggested", "targets:\n  - name: a\n    uri: bolt://h\n    password_env: X\n", `targets.yml:4: unknown key "password_env"`, "did you mean passwordEnv?"},
		{"inline password", "targets:\n  - name: a\n    uri: bolt://h\n    password: " + canary + "\n", "targets.yml:4: password: the targets file never holds a password inline", "passwordEnv: NAME"},
		{"inline password in defaults", "defaults:\n  Password: " + canary + "\ntargets:\n  - {name: a, uri: bolt://h}\n", "targets.yml:2: Password: the targets file never holds a password inline", "passwordFile: PATH"},
		{"inline token", "targets:\n  - name: a\n    uri: bolt://h\n    token: " + canary + "\n", "targets.yml:4: token: the targets file never holds a token inline", "bearerTokenEnv: NAME"},
		{"inline bearer token", "targets:\n  - name: a\n    uri: bolt://h\n    bearer_token: " + canary + "\n", "bearer_token: the targets file never holds a token inline", "bearerTokenFile: PATH"},
		{"inline bearer token in defaults", "defaults:\n  bearerToken: " + canary + "\ntargets:\n  - {name: a, uri: bolt://h}\n", "targets.yml:2: bearerToken: the targets file never holds a token inline", "bearerTokenEnv: NAME"},
		{"token env not a name", "targets:\n  - {name: a, uri: bolt://h, bearerTokenEnv: " + canary + "!}\n", "bearerTokenEnv is not an environment variable name", "never holds the token itself"},
		{"token file empty", "targets:\n  - {name: a, uri: bolt://h, bearerTokenFile: ''}\n", "bearerTokenFile is empty", "takes a path"},
		{"both token refs", "targets:\n  - {name: a, uri: bolt://h, bearerTokenEnv: X, bearerTokenFile: /t}\n", "sets both bearerTokenEnv and bearerTokenFile", "keep one"},
		{"password and token", "targets:\n  - {name: a, uri: bolt://h, passwordFile: /p, bearerTokenEnv: T}\n", `targets.yml:2: target "a" sets both a password (passwordFile) and a bearer token (bearerTokenEnv)`, "a login uses one of them"},
		{"token key misspelt", "targets:\n  - {name: a, uri: bolt://h, bearer_token_env: T}\n", `unknown key "bearer_token_env"`, "did you mean bearerTokenEnv?"},
		{"write probe not a bool", "targets:\n  - {name: a, uri: bolt://h, writeProbe: yes}\n", "targets.yml:2: writeProbe takes true or false", "true or false"},
		{"write probe quoted", "targets:\n  - {name: a, uri: bolt://h, writeProbe: 'true'}\n", "writeProbe takes true or false", ""},
		{"write probe a list", "targets:\n  - {name: a, uri: bolt://h, writeProbe: [true]}\n", "writeProbe takes true or false", ""},
		{"impersonate empty", "targets:\n  - {name: a, uri: bolt://h, impersonate: ''}\n", "targets.yml:2: impersonate is empty", "impersonate: reporting"},
		{"impersonate null", "targets:\n  - name: a\n    uri: bolt://h\n    impersonate:\n", "targets.yml:4: impersonate is empty", ""},
		{"impersonate padded", "targets:\n  - {name: a, uri: bolt://h, impersonate: ' bob'}\n", "impersonate is not a user name", "SHOW USERS"},
		{"impersonate a list", "targets:\n  - {name: a, uri: bolt://h, impersonate: [bob]}\n", "impersonate takes a single value", ""},
		{"httpUri a Bolt URI", "targets:\n  - {name: a, uri: bolt://h, httpUri: 'bolt://h:7687'}\n", "targets.yml:2: bolt:// is a Bolt URI, not an HTTP one", "--http-uri takes"},
		{"httpUri with credentials", "targets:\n  - {name: a, uri: bolt://h, httpUri: 'http://u:pw@h:7474'}\n", "the HTTP URI carries credentials", ""},
		{"password in uri", "targets:\n  - name: a\n    uri: neo4j://neo4j:" + canary + "@h:7687\n", "targets.yml:3: the URI holds a password", "remove user:password@"},
		{"user in uri", "targets:\n  - name: a\n    uri: neo4j://neo4j@h:7687\n", "the URI holds a user name", "username:"},
		{"bad uri", "targets:\n  - name: a\n    uri: http://h:7474\n", "targets.yml:3:", ""},
		{"no name", "targets:\n  - uri: bolt://h\n", "targets.yml:2: a target has no name", "/probe?target="},
		{"bad name", "targets:\n  - name: prod eu\n    uri: bolt://h\n", `target name "prod eu" is not a valid name`, "metric labels"},
		{"no uri", "targets:\n  - name: a\n", `target "a" has no uri`, ""},
		{"duplicate", "targets:\n  - {name: a, uri: bolt://h}\n  - {name: a, uri: bolt://i}\n", `targets.yml:3: target "a" is already defined on line 2`, ""},
		{"both password refs", "targets:\n  - {name: a, uri: bolt://h, passwordEnv: X, passwordFile: /p}\n", "sets both passwordEnv and passwordFile", ""},
		{"password env not a name", "targets:\n  - {name: a, uri: bolt://h, passwordEnv: " + canary + "!}\n", "passwordEnv is not an environment variable name", "never holds the password itself"},
		{"bad timeout", "targets:\n  - {name: a, uri: bolt://h, timeout: 5}\n", `timeout "5" is not a positive duration`, "5s"},
		{"negative cert days", "targets:\n  - {name: a, uri: bolt://h, certWarnDays: -1}\n", "certWarnDays -1 is negative", ""},
		{"unknown skip", "targets:\n  - {name: a, uri: bolt://h, skip: [querry]}\n", `skip: "querry" is not a check that can be skipped`, "dns, tcp"},
		{"skip config", "targets:\n  - {name: a, uri: bolt://h, skip: [config]}\n", `skip: "config"`, ""},
		{"concurrency", "concurrency: 0\ntargets:\n  - {name: a, uri: bolt://h}\n", "targets.yml:1: concurrency 0 is out of range", "1 to 256"},
		{"concurrency word", "concurrency: many\ntargets:\n  - {name: a, uri: bolt://h}\n", "concurrency takes a whole number", ""},
		{"dns server", "targets:\n  - {name: a, uri: bolt://h, dnsServer: 'a b:53'}\n", "is not HOST or HOST:PORT", ""},
		{"name in defaults", "defaults:\n  name: x\ntargets:\n  - {name: a, uri: bolt://h}\n", `unknown key "name"`, ""},
		{"duplicate key", "targets:\n  - name: a\n    name: b\n    uri: bolt://h\n", "name is set twice", ""},
		{"idle probe not a duration", "targets:\n  - {name: a, uri: bolt://h, idleProbe: [5 minutes]}\n", `targets.yml:2: idleProbe: "5 minutes" is not a duration`, "idleProbe takes up to 8 durations"},
		{"idle probe too long", "targets:\n  - {name: a, uri: bolt://h, idleProbe: [25h]}\n", "idleProbe: 25h is longer than 24h", "30s,2m,6m,61m"},
		{"idle probe every not a duration", "targets:\n  - {name: a, uri: bolt://h, idleProbe: [5m], idleProbeEvery: daily}\n", `idleProbeEvery "daily" is not a positive duration`, "6h"},
		{"idle probe too many", "targets:\n  - {name: a, uri: bolt://h, idleProbe: [1s, 2s, 3s, 4s, 5s, 6s, 7s, 8s, 9s]}\n", "idleProbe has 9 durations", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := fleet.Parse(writeFile(t, "targets.yml", c.body))
			var ie *checks.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v (%T), want *checks.InputError", err, err)
			}
			if !strings.Contains(ie.Msg, c.msg) {
				t.Errorf("message %q does not contain %q", ie.Msg, c.msg)
			}
			if ie.Hint == "" || !strings.Contains(ie.Hint, c.hint) {
				t.Errorf("hint %q does not contain %q", ie.Hint, c.hint)
			}
			if strings.Contains(ie.Msg+ie.Hint, canary) {
				t.Errorf("the error quotes the password: %s / %s", ie.Msg, ie.Hint)
			}
		})
	}
}

func TestParseFile(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "fleet.yaml", `# two targets
concurrency: 3
defaults:
  username: monitor
  timeout: 2s
  skip: query, members
targets:
  - name: prod-eu
    uri: neo4j+s://0a1b2c3d.databases.neo4j.io
    passwordEnv: PROD_EU_PASSWORD
    database: movies
    certWarnDays: 14
  - name: local
    uri: bolt://127.0.0.1:7687
    username: neo4j
    passwordFile: /run/secrets/local
    dnsServer: 127.0.0.1
    skip: []
    writeProbe: true
    impersonate: reporting
    httpUri: HTTPS://127.0.0.1:7473/
`)
	f, err := fleet.Parse(p)
	if err != nil {
		t.Fatal(err)
	}
	if f.Concurrency != 3 || len(f.Targets) != 2 || f.Path != "fleet.yaml" {
		t.Fatalf("file = %+v", f)
	}
	a, b := f.Targets[0], f.Targets[1]
	if b.HTTPURI != "https://127.0.0.1:7473" || a.HTTPURI != "" {
		t.Errorf("httpUri: %q and %q", a.HTTPURI, b.HTTPURI)
	}
	if a.Name != "prod-eu" || a.Username != "monitor" || a.PasswordEnv != "PROD_EU_PASSWORD" || a.Database != "movies" ||
		a.Timeout != 2*time.Second || a.CertWarnDays != 14 || strings.Join(a.Skip, ",") != "query,members" || a.Line != 8 {
		t.Errorf("prod-eu = %+v", a)
	}
	if b.Username != "neo4j" || b.PasswordFile != "/run/secrets/local" || b.PasswordEnv != "" || b.DNSServer != "127.0.0.1:53" ||
		b.CertWarnDays != 30 || len(b.Skip) != 0 || !b.WriteProbe || b.Impersonate != "reporting" {
		t.Errorf("local = %+v", b)
	}
	if a.WriteProbe || a.Impersonate != "" {
		t.Errorf("prod-eu = %+v: the write probe is never the default", a)
	}
	if got, ok := f.Lookup("local"); !ok || got.URI != "bolt://127.0.0.1:7687" {
		t.Errorf("Lookup(local) = %v, %v", got, ok)
	}
	if _, ok := f.Lookup("nope"); ok {
		t.Error("Lookup(nope) found a target")
	}
}

func TestParseFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct{ path, msg string }{
		{filepath.Join(dir, "missing.yml"), "does not exist"},
		{dir, "is a directory"},
	} {
		_, err := fleet.Parse(c.path)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("Parse(%s) = %v, want %q", c.path, err, c.msg)
		}
	}
	big := writeFile(t, "big.yml", "targets:\n"+strings.Repeat("# padding\n", fleet.MaxFileSize/10+1))
	if _, err := fleet.Parse(big); err == nil || !strings.Contains(err.Error(), "the limit is") {
		t.Errorf("Parse(big) = %v", err)
	}
	bin := writeFile(t, "bin.yml", "targets:\x00\xff")
	if _, err := fleet.Parse(bin); err == nil || !strings.Contains(err.Error(), "not UTF-8 text") {
		t.Errorf("Parse(binary) = %v", err)
	}
}

func TestPasswordReferences(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte(canary+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty")
	if err := os.WriteFile(emptyFile, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "PW" {
			return canary
		}
		return ""
	}
	p := writeFile(t, "t.yml", `targets:
  - {name: env, uri: bolt://127.0.0.1:1, username: neo4j, passwordEnv: PW}
  - {name: file, uri: bolt://127.0.0.1:1, username: neo4j, passwordFile: `+pwFile+`}
  - {name: none, uri: bolt://127.0.0.1:1}
`)
	f, err := fleet.Load(p, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, from string }{{"env", "PW (passwordEnv)"}, {"file", pwFile + " (passwordFile)"}} {
		tg, _ := f.Lookup(c.name)
		ct, err := tg.Resolve(f.Path, env)
		if err != nil {
			t.Fatal(err)
		}
		if ct.Password != canary {
			t.Errorf("%s: password not read (trailing newline kept?)", c.name)
		}
		if ct.Info.PasswordSource != c.from || ct.Info.Settings["password"].From != c.from {
			t.Errorf("%s: password from %q / %+v, want %q", c.name, ct.Info.PasswordSource, ct.Info.Settings["password"], c.from)
		}
		if ct.Info.Settings["password"].Value != "" {
			t.Errorf("%s: the password is kept in the settings", c.name)
		}
		if s := ct.Info.Settings["uri"]; s.From != "t.yml, target "+c.name {
			t.Errorf("%s: uri from %q", c.name, s.From)
		}
	}
	tg, _ := f.Lookup("none")
	if ct, err := tg.Resolve(f.Path, env); err != nil || ct.Password != "" || ct.Info.PasswordSource != "none" {
		t.Errorf("none: %v, %+v", err, ct)
	}

	for _, c := range []struct{ ref, msg, hint string }{
		{"passwordEnv: UNSET_PW", `target "a": environment variable UNSET_PW (its passwordEnv) is not set`, "export UNSET_PW"},
		{"passwordFile: " + filepath.Join(dir, "missing"), `target "a": passwordFile ` + filepath.Join(dir, "missing") + ": no such file", "Kubernetes secret"},
		{"passwordFile: " + emptyFile, "empty", ""},
		{"passwordFile: " + dir, "not a regular file", ""},
		{"caFile: " + filepath.Join(dir, "missing.pem"), `target "a": cannot read CA file`, "caFile takes a PEM file"},
	} {
		p := writeFile(t, "t.yml", "targets:\n  - {name: a, uri: bolt://127.0.0.1:1, "+c.ref+"}\n")
		_, err := fleet.Load(p, env)
		var ie *checks.InputError
		if !errors.As(err, &ie) || !strings.Contains(ie.Msg, c.msg) || !strings.Contains(ie.Hint, c.hint) {
			t.Errorf("%s: err = %v (hint %q), want %q / %q", c.ref, err, hintOf(err), c.msg, c.hint)
		}
	}
}

func hintOf(err error) string {
	var ie *checks.InputError
	if errors.As(err, &ie) {
		return ie.Hint
	}
	return ""
}

// TestAccessKeys: writeProbe and impersonate under defaults: apply to
// every target that does not say otherwise, and a target's own credential
// reference, password or bearer token, replaces the one defaults: gives.
func TestAccessKeys(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "t.yml", `defaults:
  passwordEnv: DEFAULT_PW
  writeProbe: true
  impersonate: reporting
targets:
  - {name: inherits, uri: bolt://h}
  - {name: sso, uri: bolt://h, bearerTokenFile: /run/secrets/token, writeProbe: false}
  - {name: own, uri: bolt://h, passwordFile: /p, impersonate: alice}
`)
	f, err := fleet.Parse(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, pwEnv, pwFile, tokFile, imp string
		probe                             bool
	}{
		{"inherits", "DEFAULT_PW", "", "", "reporting", true},
		{"sso", "", "", "/run/secrets/token", "reporting", false},
		{"own", "", "/p", "", "alice", true},
	} {
		tg, _ := f.Lookup(c.name)
		if tg.PasswordEnv != c.pwEnv || tg.PasswordFile != c.pwFile || tg.BearerTokenFile != c.tokFile || tg.BearerTokenEnv != "" ||
			tg.Impersonate != c.imp || tg.WriteProbe != c.probe {
			t.Errorf("%s = %+v", c.name, tg)
		}
	}
}

// TestIdleProbeKey: idleProbe: takes durations as --idle-probe does,
// sorted and without duplicates; a target's own replaces the defaults',
// and an empty one turns it off; Resolve hands it to the checks.
func TestIdleProbeKey(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "t.yml", `defaults:
  idleProbe: [6m, 30s, 6m]
targets:
  - {name: inherits, uri: bolt://h}
  - {name: own, uri: bolt://h, idleProbe: "61m"}
  - {name: off, uri: bolt://h, idleProbe: []}
`)
	f, err := fleet.Parse(p)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]time.Duration{
		"inherits": {30 * time.Second, 6 * time.Minute},
		"own":      {61 * time.Minute},
		"off":      nil,
	} {
		tg, _ := f.Lookup(name)
		if !slices.Equal(tg.IdleProbe, want) {
			t.Errorf("%s: idle probe %v, want %v", name, tg.IdleProbe, want)
		}
		ct, err := tg.Resolve(p, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ct.IdleProbe, want) {
			t.Errorf("%s: resolved idle probe %v, want %v", name, ct.IdleProbe, want)
		}
	}
}

// TestBearerTokenReferences: a bearer token is read, like a password, from
// the variable or the file the target names, at resolution; a missing one
// names the target and the key, and no error quotes the token.
func TestBearerTokenReferences(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokFile, []byte(canary+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "TOK" {
			return canary
		}
		return ""
	}
	p := writeFile(t, "t.yml", `targets:
  - {name: env, uri: bolt://127.0.0.1:1, bearerTokenEnv: TOK}
  - {name: file, uri: bolt://127.0.0.1:1, bearerTokenFile: `+tokFile+`}
`)
	f, err := fleet.Load(p, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"env", "file"} {
		tg, _ := f.Lookup(name)
		ct, err := tg.Resolve(f.Path, env)
		if err != nil {
			t.Fatal(err)
		}
		if ct.Password != "" || ct.Info.PasswordSource != "none" {
			t.Errorf("%s: a bearer token was taken for a password", name)
		}
		if strings.Contains(fmt.Sprintf("%+v", ct.Info), canary) {
			t.Errorf("%s: the token is in the target's info: %+v", name, ct.Info)
		}
	}
	for _, c := range []struct{ ref, msg, hint string }{
		{"bearerTokenEnv: UNSET_TOK", `target "a": environment variable UNSET_TOK (its bearerTokenEnv) is not set`, "export UNSET_TOK before starting neo4j-doctor, or give the target a bearerTokenFile:"},
		{"bearerTokenFile: " + filepath.Join(dir, "missing"), `target "a": bearerTokenFile ` + filepath.Join(dir, "missing") + ": no such file", "holding only the token"},
		{"bearerTokenFile: " + dir, "not a regular file", ""},
	} {
		p := writeFile(t, "t.yml", "targets:\n  - {name: a, uri: bolt://127.0.0.1:1, "+c.ref+"}\n")
		_, err := fleet.Load(p, env)
		var ie *checks.InputError
		if !errors.As(err, &ie) || !strings.Contains(ie.Msg, c.msg) || !strings.Contains(ie.Hint, c.hint) {
			t.Errorf("%s: err = %v (hint %q), want %q / %q", c.ref, err, hintOf(err), c.msg, c.hint)
		}
	}
}

// TestAccessResolved: what the target file says reaches checks.Target:
// the bearer token (from its reference, where the report says it came
// from, never its value), impersonate and writeProbe. It needs
// checks.Resolve to carry them (the access check's branch).
func TestAccessResolved(t *testing.T) {
	t.Parallel()
	env := func(k string) string {
		if k == "TOK" {
			return canary
		}
		return ""
	}
	p := writeFile(t, "t.yml", `targets:
  - {name: sso, uri: bolt://127.0.0.1:1, bearerTokenEnv: TOK, impersonate: reporting, writeProbe: true}
  - {name: plain, uri: bolt://127.0.0.1:1}
`)
	f, err := fleet.Load(p, env)
	if err != nil {
		t.Fatal(err)
	}
	tg, _ := f.Lookup("sso")
	ct, err := tg.Resolve(f.Path, env)
	if err != nil {
		t.Fatal(err)
	}
	if ct.BearerToken != canary || ct.Impersonate != "reporting" || !ct.WriteProbe {
		t.Errorf("sso: bearer token read %v, impersonate %q, write probe %v", ct.BearerToken == canary, ct.Impersonate, ct.WriteProbe)
	}
	if s := ct.Info.Settings["bearer-token"]; s.From != "TOK (bearerTokenEnv)" || s.Value != "" {
		t.Errorf("sso: bearer-token setting %+v, want from TOK (bearerTokenEnv) and no value", s)
	}
	tg, _ = f.Lookup("plain")
	if ct, err := tg.Resolve(f.Path, env); err != nil || ct.WriteProbe || ct.Impersonate != "" || ct.BearerToken != "" {
		t.Errorf("plain: %v, %+v: the write probe is never the default", err, ct)
	}
}

// TestTrustStoreKey: trustStore: takes what --trust-store takes and
// Resolve hands the store to the checks; one that cannot be had is the
// target's input error, worded with the key's name.
func TestTrustStoreKey(t *testing.T) {
	t.Parallel()
	ca, err := certs.NewCA("fleet test root")
	if err != nil {
		t.Fatal(err)
	}
	pem := writeFile(t, "bundle.pem", string(ca.PEM()))
	p := writeFile(t, "t.yml", `targets:
  - {name: app, uri: neo4j+s://127.0.0.1:1, trustStore: `+pem+`}
`)
	f, err := fleet.Load(p, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	tg, _ := f.Lookup("app")
	ct, err := tg.Resolve(f.Path, func(string) string { return "" })
	if err != nil || ct.TrustStore == nil || ct.TrustStore.Path != pem || len(ct.TrustStore.Certs) != 1 {
		t.Fatalf("app: %v, %+v", err, ct)
	}
	gone := writeFile(t, "gone.yml", `targets:
  - {name: gone, uri: neo4j+s://127.0.0.1:1, trustStore: `+pem+`.missing}
`)
	_, err = fleet.Load(gone, func(string) string { return "" })
	if ie, ok := errors.AsType[*checks.InputError](err); !ok || !strings.Contains(ie.Msg, `target "gone": trustStore `+pem+`.missing: no such file`) || !strings.Contains(ie.Hint, "name the store") {
		t.Errorf("gone: %v", err)
	}
}
