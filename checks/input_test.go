package checks_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
)

// envOf turns a map into an Inputs.Env lookup.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func asInputError(t *testing.T, err error) *checks.InputError {
	t.Helper()
	var ie *checks.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v (%T) is not an *InputError", err, err)
	}
	if ie.Msg == "" || ie.Hint == "" {
		t.Errorf("InputError %+v: want both a message and a hint", ie)
	}
	return ie
}

func TestResolvePrecedence(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "Neo4j-abc-Created-2025-01-01.txt", []byte(
		"NEO4J_URI=neo4j://file-host:7687\nNEO4J_USERNAME=file-user\nNEO4J_PASSWORD=file-pass\nNEO4J_DATABASE=file-db\n"))
	env := envOf(map[string]string{
		"NEO4J_URI": "neo4j://env-host:7687", "NEO4J_USERNAME": "env-user",
		"NEO4J_PASSWORD": "env-pass", "NEO4J_DATABASE": "env-db",
	})
	flags := map[string]string{"uri": "bolt://flag-host:1234", "username": "flag-user", "password": "flag-pass", "database": "flag-db"}

	cases := []struct {
		name                   string
		in                     checks.Inputs
		host, user, pass, db   string
		uriSource, passFrom    string
		uriFromContains        string
		port                   int
		scheme                 string
		wantRouting            bool
		wantSettingsPassSource string
	}{
		{
			name: "flags win over file and env",
			in:   checks.Inputs{Flags: flags, File: file, Env: env},
			host: "flag-host", user: "flag-user", pass: "flag-pass", db: "flag-db",
			uriSource: "flag", uriFromContains: "--uri", passFrom: "--password", port: 1234, scheme: "bolt",
			wantSettingsPassSource: "flag",
		},
		{
			name: "file wins over env",
			in:   checks.Inputs{File: file, Env: env},
			host: "file-host", user: "file-user", pass: "file-pass", db: "file-db",
			uriSource: "file", uriFromContains: "NEO4J_URI", passFrom: "Neo4j-abc-Created-2025-01-01.txt NEO4J_PASSWORD", port: 7687, scheme: "neo4j", wantRouting: true,
			wantSettingsPassSource: "file",
		},
		{
			name: "env alone",
			in:   checks.Inputs{Env: env},
			host: "env-host", user: "env-user", pass: "env-pass", db: "env-db",
			uriSource: "env", uriFromContains: "NEO4J_URI", passFrom: "NEO4J_PASSWORD", port: 7687, scheme: "neo4j", wantRouting: true,
			wantSettingsPassSource: "env",
		},
		{
			name: "each setting falls back on its own",
			in: checks.Inputs{Flags: map[string]string{"password": "flag-pass"}, File: writeFile(t, "partial.env", []byte("NEO4J_URI=bolt://file-host\n")),
				Env: env},
			host: "file-host", user: "env-user", pass: "flag-pass", db: "env-db",
			uriSource: "file", uriFromContains: "partial.env NEO4J_URI", passFrom: "--password", port: 7687, scheme: "bolt",
			wantSettingsPassSource: "flag",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tt, err := checks.Resolve(c.in)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if tt.Host != c.host || tt.Username != c.user || tt.Password != c.pass || tt.Database != c.db || tt.Port != c.port || tt.Scheme != c.scheme || tt.Routing != c.wantRouting {
				t.Errorf("got host %q user %q pass %q db %q port %d scheme %s routing %v", tt.Host, tt.Username, tt.Password, tt.Database, tt.Port, tt.Scheme, tt.Routing)
			}
			s := tt.Info.Settings["uri"]
			if s.Source != c.uriSource || !strings.Contains(s.From, c.uriFromContains) {
				t.Errorf("uri setting %+v, want source %s from ~%s", s, c.uriSource, c.uriFromContains)
			}
			if tt.Info.PasswordSource != c.passFrom {
				t.Errorf("PasswordSource %q, want %q", tt.Info.PasswordSource, c.passFrom)
			}
			ps := tt.Info.Settings["password"]
			if ps.Source != c.wantSettingsPassSource {
				t.Errorf("password setting source %q, want %q", ps.Source, c.wantSettingsPassSource)
			}
			if ps.Value != "" {
				t.Errorf("the password setting keeps its value %q: it must never be where a renderer can print it", ps.Value)
			}
			if tt.Timeout != 5*time.Second {
				t.Errorf("default Timeout %s, want 5s", tt.Timeout)
			}
			if tt.Info.Resolver != "system" {
				t.Errorf("Resolver %q, want system", tt.Info.Resolver)
			}
		})
	}
}

// TestResolveAccessInputs: the bearer token takes the usual precedence
// (flag, connection file, environment) and, like the password, is kept
// only on the Target: the settings say where it came from, never what it
// is. --impersonate and --write-probe reach the Target and are settings
// of their own.
func TestResolveAccessInputs(t *testing.T) {
	t.Parallel()
	const (
		flagToken = "flag.token.value"
		fileToken = "file.token.value"
		envToken  = "env.token.value"
	)
	file := writeFile(t, "conn.env", []byte("NEO4J_URI=neo4j://file-host\nNEO4J_BEARER_TOKEN="+fileToken+"\n"))
	env := envOf(map[string]string{"NEO4J_URI": "bolt://env-host", "NEO4J_BEARER_TOKEN": envToken})
	for _, c := range []struct {
		name         string
		in           checks.Inputs
		token        string
		source, from string
	}{
		{"the flag wins", checks.Inputs{Flags: map[string]string{"bearer-token": flagToken}, File: file, Env: env}, flagToken, "flag", "--bearer-token"},
		{"the file wins over the environment", checks.Inputs{File: file, Env: env}, fileToken, "file", "conn.env NEO4J_BEARER_TOKEN"},
		{"the environment alone", checks.Inputs{Env: env}, envToken, "env", "NEO4J_BEARER_TOKEN"},
		{"none", checks.Inputs{Flags: map[string]string{"uri": "bolt://h"}}, "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			tt, err := checks.Resolve(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if tt.BearerToken != c.token {
				t.Errorf("BearerToken %q, want %q", tt.BearerToken, c.token)
			}
			s, ok := tt.Info.Settings["bearer-token"]
			if ok != (c.token != "") || s.Source != c.source || s.From != c.from {
				t.Errorf("bearer-token setting %+v (present %v), want source %q from %q", s, ok, c.source, c.from)
			}
			if s.Value != "" {
				t.Errorf("the bearer-token setting keeps its value %q: it must never be where a renderer can print it", s.Value)
			}
			for k, v := range tt.Info.Settings {
				if c.token != "" && (strings.Contains(v.Value, c.token) || strings.Contains(v.From, c.token)) {
					t.Errorf("setting %s = %+v holds the token", k, v)
				}
			}
		})
	}
	tt, err := checks.Resolve(checks.Inputs{Flags: map[string]string{"uri": "bolt://h"}, Impersonate: "bob", WriteProbe: true})
	if err != nil {
		t.Fatal(err)
	}
	if tt.Impersonate != "bob" || !tt.WriteProbe {
		t.Errorf("Impersonate %q, WriteProbe %v; want bob and true", tt.Impersonate, tt.WriteProbe)
	}
	if s := tt.Info.Settings["impersonate"]; s.Value != "bob" || s.From != "--impersonate" {
		t.Errorf("impersonate setting %+v", s)
	}
	if s := tt.Info.Settings["write-probe"]; s.Value != "true" || s.From != "--write-probe" {
		t.Errorf("write-probe setting %+v", s)
	}
	tt, err = checks.Resolve(checks.Inputs{Flags: map[string]string{"uri": "bolt://h"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tt.Info.Settings["write-probe"]; ok || tt.WriteProbe {
		t.Error("a write probe nobody asked for")
	}
}

func TestResolveURIFallbacksAndCredentialsInURI(t *testing.T) {
	t.Parallel()
	t.Run("NEO4J_ADDRESS when NEO4J_URI is unset", func(t *testing.T) {
		tt, err := checks.Resolve(checks.Inputs{Env: envOf(map[string]string{"NEO4J_ADDRESS": "bolt://addr-host:7000"})})
		if err != nil {
			t.Fatal(err)
		}
		if tt.Host != "addr-host" || tt.Info.Settings["uri"].From != "NEO4J_ADDRESS" {
			t.Errorf("host %q, uri setting %+v", tt.Host, tt.Info.Settings["uri"])
		}
	})
	t.Run("NEO4J_USER when NEO4J_USERNAME is unset", func(t *testing.T) {
		tt, err := checks.Resolve(checks.Inputs{Env: envOf(map[string]string{"NEO4J_URI": "bolt://h", "NEO4J_USER": "old-style"})})
		if err != nil {
			t.Fatal(err)
		}
		if tt.Username != "old-style" {
			t.Errorf("username %q", tt.Username)
		}
	})
	t.Run("user and password in the URI", func(t *testing.T) {
		tt, err := checks.Resolve(checks.Inputs{Flags: map[string]string{"uri": "neo4j+s://alice:p%40ss@db.example.test:7690?policy=eu"}})
		if err != nil {
			t.Fatal(err)
		}
		if tt.Username != "alice" || tt.Password != "p@ss" {
			t.Errorf("user %q password %q", tt.Username, tt.Password)
		}
		if strings.Contains(tt.Info.URI, "p%40ss") || strings.Contains(tt.Info.URI, "p@ss") || strings.Contains(tt.Info.URI, "alice") {
			t.Errorf("Info.URI %q keeps credentials", tt.Info.URI)
		}
		if v := tt.Info.Settings["uri"].Value; strings.Contains(v, "p%40ss") || strings.Contains(v, "alice") {
			t.Errorf("uri setting %q keeps credentials", v)
		}
		if !strings.Contains(tt.Info.PasswordSource, "URI") {
			t.Errorf("PasswordSource %q should say the URI", tt.Info.PasswordSource)
		}
		if tt.RoutingContext["policy"] != "eu" || tt.TLS != checks.TLSVerify || !tt.Routing {
			t.Errorf("routing context %v tls %v routing %v", tt.RoutingContext, tt.TLS, tt.Routing)
		}
	})
	t.Run("flags win over URI credentials", func(t *testing.T) {
		tt, err := checks.Resolve(checks.Inputs{Flags: map[string]string{"uri": "bolt://alice:a@h", "username": "bob", "password": "b"}})
		if err != nil {
			t.Fatal(err)
		}
		if tt.Username != "bob" || tt.Password != "b" {
			t.Errorf("user %q password %q", tt.Username, tt.Password)
		}
	})
	t.Run("no password anywhere", func(t *testing.T) {
		tt, err := checks.Resolve(checks.Inputs{Flags: map[string]string{"uri": "bolt://h"}})
		if err != nil {
			t.Fatal(err)
		}
		if tt.Info.PasswordSource != "none" {
			t.Errorf("PasswordSource %q, want none", tt.Info.PasswordSource)
		}
	})
	t.Run("dns server and timeout", func(t *testing.T) {
		tt, err := checks.Resolve(checks.Inputs{Flags: map[string]string{"uri": "bolt://h"}, DNSServer: "127.0.0.1:5353", Timeout: 1500 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if tt.DNSServer != "127.0.0.1:5353" || tt.Info.Resolver != "127.0.0.1:5353" || tt.Timeout != 1500*time.Millisecond {
			t.Errorf("dns %q resolver %q timeout %s", tt.DNSServer, tt.Info.Resolver, tt.Timeout)
		}
	})
	t.Run("aura instance from the file", func(t *testing.T) {
		f := writeFile(t, "Neo4j-0a1b2c3d.txt", []byte("NEO4J_URI=neo4j+s://0a1b2c3d.databases.neo4j.io\nAURA_INSTANCEID=0a1b2c3d\nAURA_INSTANCENAME=Instance01\n"))
		tt, err := checks.Resolve(checks.Inputs{File: f})
		if err != nil {
			t.Fatal(err)
		}
		if tt.AuraInstanceID != "0a1b2c3d" || tt.AuraName != "Instance01" || tt.Info.AuraInstance != "0a1b2c3d" {
			t.Errorf("aura %q %q %q", tt.AuraInstanceID, tt.AuraName, tt.Info.AuraInstance)
		}
	})
}

// TestResolveFileWithoutURI: a connection file need not name the server
// when --uri or the environment does; each setting takes the first source
// that has it (flag, file, environment). Only when none gives a URI is the
// file blamed.
func TestResolveFileWithoutURI(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "creds.env", []byte("NEO4J_USERNAME=file-user\nNEO4J_PASSWORD=file-pass\n"))
	for _, c := range []struct {
		name           string
		in             checks.Inputs
		host, uriFrom  string
		uriSource      string
		user, passFrom string
	}{
		{
			name: "the flag gives the uri",
			in:   checks.Inputs{Flags: map[string]string{"uri": "bolt://flag-host:7687"}, File: file, Env: envOf(map[string]string{"NEO4J_PASSWORD": "env-pass"})},
			host: "flag-host", uriSource: "flag", uriFrom: "--uri", user: "file-user", passFrom: "creds.env NEO4J_PASSWORD",
		},
		{
			name: "the environment gives the uri",
			in:   checks.Inputs{File: file, Env: envOf(map[string]string{"NEO4J_URI": "neo4j://env-host:7687", "NEO4J_USERNAME": "env-user"})},
			host: "env-host", uriSource: "env", uriFrom: "NEO4J_URI", user: "file-user", passFrom: "creds.env NEO4J_PASSWORD",
		},
		{
			name: "NEO4J_ADDRESS gives the uri",
			in:   checks.Inputs{File: file, Env: envOf(map[string]string{"NEO4J_ADDRESS": "bolt://addr-host"})},
			host: "addr-host", uriSource: "env", uriFrom: "NEO4J_ADDRESS", user: "file-user", passFrom: "creds.env NEO4J_PASSWORD",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			tt, err := checks.Resolve(c.in)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if tt.Host != c.host || tt.Username != c.user || tt.Password != "file-pass" {
				t.Errorf("host %q user %q password %q, want %s, %s and the file's password", tt.Host, tt.Username, tt.Password, c.host, c.user)
			}
			if s := tt.Info.Settings["uri"]; s.Source != c.uriSource || s.From != c.uriFrom {
				t.Errorf("uri setting %+v, want source %s from %s", s, c.uriSource, c.uriFrom)
			}
			if tt.Info.PasswordSource != c.passFrom {
				t.Errorf("PasswordSource %q, want %q", tt.Info.PasswordSource, c.passFrom)
			}
		})
	}
	for _, c := range []struct {
		name string
		data string
	}{
		{"no NEO4J_URI", "NEO4J_USERNAME=neo4j\nNEO4J_PASSWORD=file-pass\n"},
		{"empty NEO4J_URI", "NEO4J_URI=\nNEO4J_PASSWORD=file-pass\n"},
	} {
		t.Run("nothing gives a uri: "+c.name, func(t *testing.T) {
			_, err := checks.Resolve(checks.Inputs{File: writeFile(t, "creds.env", []byte(c.data)), Env: envOf(map[string]string{"NEO4J_PASSWORD": "env-pass"})})
			ie := asInputError(t, err)
			if ie.Msg != "connection file creds.env has no NEO4J_URI" || !strings.Contains(ie.Hint, "NEO4J_URI=") {
				t.Errorf("got %q (hint %q), want the file named as missing NEO4J_URI", ie.Msg, ie.Hint)
			}
		})
	}
}

func TestResolveErrorsAreInputErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   checks.Inputs
		msg  string
	}{
		{"no uri at all", checks.Inputs{}, "no Neo4j URI"},
		{"bad uri names where it came from", checks.Inputs{Env: envOf(map[string]string{"NEO4J_URI": "http://h:7474"})}, "NEO4J_URI"},
		{"bad uri from a flag", checks.Inputs{Flags: map[string]string{"uri": "bolt://h:0"}}, "--uri"},
		{"missing connection file", checks.Inputs{File: filepath.Join(t.TempDir(), "nope.txt")}, "does not exist"},
		{"missing CA file", checks.Inputs{Flags: map[string]string{"uri": "bolt+s://h"}, CAFile: filepath.Join(t.TempDir(), "nope.pem")}, "CA file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tt, err := checks.Resolve(c.in)
			if err == nil {
				t.Fatalf("Resolve succeeded: %+v", tt)
			}
			ie := asInputError(t, err)
			if !strings.Contains(ie.Msg, c.msg) {
				t.Errorf("message %q does not contain %q", ie.Msg, c.msg)
			}
		})
	}
}

func TestParseURIRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		uri  string
		want string // substring of the message
		hint string // substring of the hint, "" for any
	}{
		{"", "no URI", ""},
		{"   ", "no URI", ""},
		{"localhost:7687", "no scheme", ""},
		{"db.example.com", "no scheme", ""},
		{"http://localhost:7474", "HTTP URI", "7687"},
		{"https://localhost:7473", "HTTP URI", "7687"},
		{"bolt+routing://h:7687", "bolt+routing", "neo4j://"},
		{"neo4j+x://h", "not supported", "neo4j+s"},
		{"mongodb://h", "not supported", ""},
		{"bolt://", "no host", ""},
		{"bolt://:7687", "no host", ""},
		{"bolt://h:0", "not valid", "65535"},
		{"bolt://h:65536", "not valid", "65535"},
		{"bolt://h:-1", "", ""},
		{"bolt://h:port", "", ""},
		{"bolt://h:", "empty port", ""},
		{"bolt://::1:7687", "IPv6", "[::1]"},
		{"bolt://fe80::1", "IPv6", "brackets"},
		{"bolt://[::1", "", ""},
		// A server's listen address is no client's host.
		{"bolt://0.0.0.0:7687", "0.0.0.0 is not an address to connect to", "use the server's address"},
		{"neo4j://0.0.0.0", "not an address to connect to", "localhost"},
		{"bolt://[::]:7687", ":: is not an address to connect to", "use the server's address"},
		{"bolt://h/neo4j", "path", "--database"},
		{"bolt://h?policy=eu", "routing context", "neo4j://"},
		{"neo4j://h?address=evil:7687", "address", ""},
		{"neo4j://h?a=1&a=2", "more than once", ""},
		{"neo4j://h?=1", "empty key", ""},
		{"neo4j://h?a=%zz", "", ""},
		{"bolt://ho st:7687", "space", ""},
		{"bolt://h:7687\x00", "control", ""},
		{"bolt://h\n:7687", "", ""},
		{"bolt://a..b", "not valid", "typos"},
		{"bolt://.a", "not valid", ""},
		{"bolt://ho$t", "contains", "typos"},
		{"bolt://h_o!st", "contains", ""},
		{"bolt://" + strings.Repeat("a", 64) + ".example", "not valid", ""},
		{"bolt://" + strings.Repeat("abcdefghi.", 26) + "com", "characters long", "253"},
		{"bolt://h/" + strings.Repeat("x", 2100), "characters long", ""},
	}
	for _, c := range cases {
		name := c.uri
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			p, err := checks.ParseURI(c.uri)
			if err == nil {
				t.Fatalf("ParseURI(%q) = %+v, want an error", c.uri, p)
			}
			ie := asInputError(t, err)
			if !containsFold(ie.Msg, c.want) {
				t.Errorf("message %q does not contain %q", ie.Msg, c.want)
			}
			if !containsFold(ie.Hint, c.hint) {
				t.Errorf("hint %q does not contain %q", ie.Hint, c.hint)
			}
			if len(ie.Msg) > 300 {
				t.Errorf("message is %d bytes: a hostile or pasted URI must be truncated", len(ie.Msg))
			}
		})
	}
}

func TestParseURIAccepts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		uri     string
		scheme  string
		host    string
		port    int
		routing bool
		tls     checks.TLSMode
	}{
		{"neo4j+s://0a1b2c3d.databases.neo4j.io", "neo4j+s", "0a1b2c3d.databases.neo4j.io", 7687, true, checks.TLSVerify},
		{"neo4j+ssc://h:7688", "neo4j+ssc", "h", 7688, true, checks.TLSAcceptAny},
		{"neo4j://h", "neo4j", "h", 7687, true, checks.TLSOff},
		{"bolt://localhost:7687", "bolt", "localhost", 7687, false, checks.TLSOff},
		{"bolt+s://h", "bolt+s", "h", 7687, false, checks.TLSVerify},
		{"bolt+ssc://h", "bolt+ssc", "h", 7687, false, checks.TLSAcceptAny},
		{"NEO4J://Host.Example:1", "neo4j", "Host.Example", 1, true, checks.TLSOff},
		{"bolt://[::1]:7687", "bolt", "::1", 7687, false, checks.TLSOff},
		{"bolt://[::1]", "bolt", "::1", 7687, false, checks.TLSOff},
		{"bolt://10.0.0.1:65535", "bolt", "10.0.0.1", 65535, false, checks.TLSOff},
		{"bolt://h/", "bolt", "h", 7687, false, checks.TLSOff},
		{"  bolt://h  ", "bolt", "h", 7687, false, checks.TLSOff},
		{"bolt://host.", "bolt", "host.", 7687, false, checks.TLSOff},
		{"bolt://neo4j_core-1", "bolt", "neo4j_core-1", 7687, false, checks.TLSOff},
		{"bolt://bücher.example", "bolt", "bücher.example", 7687, false, checks.TLSOff},
		{"neo4j://h?policy=eu&region=west", "neo4j", "h", 7687, true, checks.TLSOff},
	}
	for _, c := range cases {
		t.Run(c.uri, func(t *testing.T) {
			p, err := checks.ParseURI(c.uri)
			if err != nil {
				t.Fatalf("ParseURI(%q): %v", c.uri, err)
			}
			if p.Scheme != c.scheme || p.Host != c.host || p.Port != c.port || p.Routing != c.routing || p.TLS != c.tls {
				t.Errorf("got %+v", p)
			}
			if _, err := checks.ParseURI(p.Redacted()); err != nil {
				t.Errorf("Redacted() %q does not parse again: %v", p.Redacted(), err)
			}
		})
	}
}

// TestConnectionFileWithoutURI: a file that names no server is bad input
// when nothing else does, and the error says the file lacks it.
func TestConnectionFileWithoutURI(t *testing.T) {
	for name, data := range map[string]string{"no NEO4J_URI": "NEO4J_USERNAME=neo4j\n", "empty NEO4J_URI": "NEO4J_URI=\n"} {
		path := writeFile(t, "nouri.env", []byte(data))
		_, err := checks.Resolve(checks.Inputs{File: path})
		ie := asInputError(t, err)
		if !strings.Contains(ie.Msg, "nouri.env has no NEO4J_URI") || ie.Hint == "" {
			t.Errorf("%s: %q (hint %q)", name, ie.Msg, ie.Hint)
		}
	}
}

func TestReadConnectionFile(t *testing.T) {
	t.Parallel()
	aura := "# Wait 60 seconds before connecting using these details, or login to https://console.neo4j.io to validate the Aura Instance is available\n" +
		"NEO4J_URI=neo4j+s://0a1b2c3d.databases.neo4j.io\nNEO4J_USERNAME=neo4j\nNEO4J_PASSWORD=Zr9-xYz_abc\nAURA_INSTANCEID=0a1b2c3d\nAURA_INSTANCENAME=Instance01\n"
	utf16 := func(bom []byte, s string, le bool) []byte {
		out := append([]byte(nil), bom...)
		for _, r := range s {
			if le {
				out = append(out, byte(r), 0)
			} else {
				out = append(out, 0, byte(r))
			}
		}
		return out
	}
	cases := []struct {
		name string
		data []byte
		want map[string]string
	}{
		{"aura download", []byte(aura), map[string]string{"NEO4J_URI": "neo4j+s://0a1b2c3d.databases.neo4j.io", "NEO4J_PASSWORD": "Zr9-xYz_abc", "AURA_INSTANCEID": "0a1b2c3d"}},
		{"CRLF line ends", []byte(strings.ReplaceAll(aura, "\n", "\r\n")), map[string]string{"NEO4J_URI": "neo4j+s://0a1b2c3d.databases.neo4j.io", "NEO4J_PASSWORD": "Zr9-xYz_abc", "AURA_INSTANCENAME": "Instance01"}},
		{"UTF-8 byte order mark", append([]byte("\xEF\xBB\xBF"), aura...), map[string]string{"NEO4J_URI": "neo4j+s://0a1b2c3d.databases.neo4j.io"}},
		{"export prefix", []byte("export NEO4J_URI=bolt://h:7687\nexport NEO4J_PASSWORD=pw\n"), map[string]string{"NEO4J_URI": "bolt://h:7687", "NEO4J_PASSWORD": "pw"}},
		{"double quotes", []byte("NEO4J_URI=\"bolt://h:7687\"\nNEO4J_PASSWORD=\"a b#c\"\n"), map[string]string{"NEO4J_URI": "bolt://h:7687", "NEO4J_PASSWORD": "a b#c"}},
		{"single quotes keep everything literal", []byte("NEO4J_URI='bolt://h:7687'\nNEO4J_PASSWORD='a b #c'\n"), map[string]string{"NEO4J_URI": "bolt://h:7687", "NEO4J_PASSWORD": "a b #c"}},
		{"duplicate keys: the last wins, as when the shell sources the file", []byte("NEO4J_URI=bolt://first\nNEO4J_URI=bolt://second\n"), map[string]string{"NEO4J_URI": "bolt://second"}},
		{"comments and blank lines", []byte("\n# comment\n\nNEO4J_URI=bolt://h # trailing comment\n"), map[string]string{"NEO4J_URI": "bolt://h"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := checks.ReadConnectionFile(writeFile(t, "conn.env", c.data))
			if err != nil {
				t.Fatalf("ReadConnectionFile: %v", err)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}

	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	big := bytes.Repeat([]byte("# padding padding padding\n"), checks.MaxFileSize/20)
	bad := []struct {
		name string
		path string
		msg  string
		hint string
	}{
		{"missing", filepath.Join(dir, "nope.txt"), "does not exist", ""},
		{"directory", dir, "directory", ""},
		{"FIFO without a writer", fifo, "not a regular file", ""},
		{"empty", writeFile(t, "empty", nil), "empty", ""},
		{"only whitespace", writeFile(t, "ws", []byte(" \n\t\r\n")), "empty", ""},
		{"binary", writeFile(t, "bin", []byte{0x7F, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0}), "not text", ""},
		{"invalid UTF-8", writeFile(t, "latin1", []byte("NEO4J_URI=bolt://h\nNEO4J_PASSWORD=caf\xE9\n")), "not text", ""},
		{"UTF-16 LE", writeFile(t, "u16le", utf16([]byte{0xFF, 0xFE}, "NEO4J_URI=bolt://h\n", true)), "UTF-16", "UTF-8"},
		{"UTF-16 BE", writeFile(t, "u16be", utf16([]byte{0xFE, 0xFF}, "NEO4J_URI=bolt://h\n", false)), "UTF-16", "UTF-8"},
		{"too large", writeFile(t, "big", append(big, "NEO4J_URI=bolt://h\n"...)), "bytes", ""},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := checks.ReadConnectionFile(c.path)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				// Unblock the reader so the goroutine ends, then fail.
				if f, oerr := os.OpenFile(c.path, os.O_WRONLY|syscall.O_NONBLOCK, 0); oerr == nil {
					_ = f.Close()
				}
				<-done
				t.Fatalf("ReadConnectionFile(%s) hung", c.name)
			}
			if err == nil {
				t.Fatalf("ReadConnectionFile(%s) succeeded", c.name)
			}
			ie := asInputError(t, err)
			if !containsFold(ie.Msg, c.msg) {
				t.Errorf("message %q does not contain %q", ie.Msg, c.msg)
			}
			if !containsFold(ie.Hint, c.hint) {
				t.Errorf("hint %q does not contain %q", ie.Hint, c.hint)
			}
		})
	}
}

func TestReadCAFile(t *testing.T) {
	t.Parallel()
	ca1, err := certs.NewCA("ca one")
	if err != nil {
		t.Fatal(err)
	}
	ca2, err := certs.NewCA("ca two")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca1.Leaf(certs.LeafOptions{DNSNames: []string{"h"}})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("two certificates between other blocks", func(t *testing.T) {
		data := append(append(append([]byte("junk before\n"), leaf.KeyPEM...), ca1.PEM()...), ca2.PEM()...)
		got, err := checks.ReadCAFile(writeFile(t, "cas.pem", data))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Subject.CommonName != "ca one" || got[1].Subject.CommonName != "ca two" {
			t.Errorf("got %d certificates", len(got))
		}
	})
	t.Run("through Resolve", func(t *testing.T) {
		tt, err := checks.Resolve(checks.Inputs{Flags: map[string]string{"uri": "bolt+s://h"}, CAFile: writeFile(t, "ca.pem", ca1.PEM())})
		if err != nil {
			t.Fatal(err)
		}
		if len(tt.ExtraCAs) != 1 || tt.Info.Settings["ca-file"].From != "--ca-file" {
			t.Errorf("ExtraCAs %d, setting %+v", len(tt.ExtraCAs), tt.Info.Settings["ca-file"])
		}
	})

	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	corrupt := ca1.PEM()
	corrupt = bytes.Replace(corrupt, []byte("MII"), []byte("MIA"), 1)
	bad := []struct {
		name string
		path string
		msg  string
	}{
		{"missing", filepath.Join(dir, "nope.pem"), "cannot read"},
		{"directory", dir, "not a regular file"},
		{"FIFO", fifo, "not a regular file"},
		{"empty", writeFile(t, "empty.pem", nil), "no PEM certificate"},
		{"DER instead of PEM", writeFile(t, "ca.der", ca1.DER), "no PEM certificate"},
		{"only a private key", writeFile(t, "key.pem", leaf.KeyPEM), "no PEM certificate"},
		{"text", writeFile(t, "ca.txt", []byte("this is not a certificate\n")), "no PEM certificate"},
		{"corrupt certificate", writeFile(t, "bad.pem", corrupt), "does not parse"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := checks.ReadCAFile(c.path)
			if err == nil {
				t.Fatal("ReadCAFile succeeded")
			}
			ie := asInputError(t, err)
			if !containsFold(ie.Msg, c.msg) || !strings.Contains(ie.Hint, "PEM") {
				t.Errorf("message %q (hint %q), want %q", ie.Msg, ie.Hint, c.msg)
			}
		})
	}
}
