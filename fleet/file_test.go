package fleet_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fleet"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// canary is a password that must never appear in an error.
const canary = "Canary-Pa55word-9f3e"

func writeFile(t *testing.T, name, body string) string {
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
		{"inline token", "targets:\n  - name: a\n    uri: bolt://h\n    token: " + canary + "\n", "token: the targets file never holds a password inline", ""},
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
`)
	f, err := fleet.Parse(p)
	if err != nil {
		t.Fatal(err)
	}
	if f.Concurrency != 3 || len(f.Targets) != 2 || f.Path != "fleet.yaml" {
		t.Fatalf("file = %+v", f)
	}
	a, b := f.Targets[0], f.Targets[1]
	if a.Name != "prod-eu" || a.Username != "monitor" || a.PasswordEnv != "PROD_EU_PASSWORD" || a.Database != "movies" ||
		a.Timeout != 2*time.Second || a.CertWarnDays != 14 || strings.Join(a.Skip, ",") != "query,members" || a.Line != 8 {
		t.Errorf("prod-eu = %+v", a)
	}
	if b.Username != "neo4j" || b.PasswordFile != "/run/secrets/local" || b.PasswordEnv != "" || b.DNSServer != "127.0.0.1:53" ||
		b.CertWarnDays != 30 || len(b.Skip) != 0 {
		t.Errorf("local = %+v", b)
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
