// Package fleet reads a targets file, many named Neo4j targets with their
// passwords given only by reference, and diagnoses them concurrently with
// a bound. `neo4j-doctor check --targets` and `neo4j-doctor serve` share
// it. Nothing here prints: report/ renders a Result.
//
// # The targets file
//
//	concurrency: 8                 # targets diagnosed at once (default 8)
//	defaults:                      # any target key but name and uri
//	  username: monitor
//	  timeout: 5s
//	targets:
//	  - name: prod-eu              # [A-Za-z0-9][A-Za-z0-9_.-]*, unique
//	    uri: neo4j+s://0a1b2c3d.databases.neo4j.io
//	    passwordEnv: PROD_EU_PASSWORD      # or passwordFile: /run/secrets/prod-eu
//	    database: neo4j
//	    caFile: /etc/ssl/private-ca.pem
//	    trustStore: java           # the application's trust store (--trust-store)
//	    dnsServer: 10.0.0.2:53
//	    certWarnDays: 30           # 0: never warn
//	    skip: [query]
//	    impersonate: reporting     # run the statements as this user (--impersonate)
//	    writeProbe: true           # one write, always rolled back (--write-probe); default false
//	    idleProbe: [30s, 2m, 6m]   # the idle check (--idle-probe)
//	    idleProbeEvery: 6h         # serve runs it in the background this often; default never
//	    httpUri: https://graph.example.com:7473  # the HTTP endpoint (--http-uri); default: derived from uri
//	  - name: sso
//	    uri: neo4j+s://graph.example.com
//	    bearerTokenEnv: SSO_TOKEN  # or bearerTokenFile: /run/secrets/sso-token
//
// A password is never written in the file: `password:` is refused, and so
// is a URI with user:password@; a bearer token (`token:`, `bearerToken:`)
// likewise. A target logs in with a password (passwordEnv or
// passwordFile) or a bearer token (bearerTokenEnv or bearerTokenFile),
// not both; a target's own reference replaces the one defaults: gives.
// Secrets are read when a target is resolved, so a rotated secret file is
// picked up by the next probe.
package fleet

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/neo4j-doctor/neo4j-doctor/internal/fileerr"

	"github.com/neo4j-doctor/neo4j-doctor/internal/clip"

	"go.yaml.in/yaml/v3"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// MaxFileSize bounds the targets file; a thousand targets take a tenth of it.
const MaxFileSize = 1 << 20

// DefaultConcurrency is how many targets are diagnosed at once when the
// file does not say. Each diagnosis also checks up to 16 members at once.
const DefaultConcurrency = 8

// MaxConcurrency keeps a typo (concurrency: 10000) from opening thousands
// of connections at once.
const MaxConcurrency = 256

// File is a parsed, validated targets file.
type File struct {
	Path        string
	Concurrency int
	Targets     []Target
}

// Target is one named entry of the file. Password holds no password: the
// file only says where to read it.
type Target struct {
	Name         string
	URI          string
	Username     string
	PasswordEnv  string // read from this environment variable
	PasswordFile string // or from this file (trailing newline dropped)
	Database     string
	CAFile       string
	TrustStore   string        // the application's trust store (--trust-store); "" for the doctor's own
	DNSServer    string        // host:port; "" = the system resolver
	Timeout      time.Duration // per network step; 0 = 5s
	CertWarnDays int           // 0 = never warn; the file's default is 30
	Skip         []string      // check ids not to run
	// BearerTokenEnv and BearerTokenFile say where the SSO bearer token
	// is read from, instead of a password (as PasswordEnv, PasswordFile).
	BearerTokenEnv  string
	BearerTokenFile string
	Impersonate     string // run the statements as this user (--impersonate); "" for none
	WriteProbe      bool   // one write, always rolled back (--write-probe); never the default
	// IdleProbe are the idle times of the idle check (--idle-probe), for
	// check --targets; nil: not run. serve never runs it inside a scrape.
	IdleProbe []time.Duration
	// IdleProbeEvery (idleProbeEvery:) makes serve run IdleProbe in the
	// background this often; 0: serve does not run it.
	IdleProbeEvery time.Duration
	HTTPURI        string // the HTTP(S) endpoint (--http-uri); "" derives it from URI
	Line           int    // where the target starts in the file
}

// Lookup finds a target by name.
func (f *File) Lookup(name string) (*Target, bool) {
	for i := range f.Targets {
		if f.Targets[i].Name == name {
			return &f.Targets[i], true
		}
	}
	return nil, false
}

// Names lists the targets in file order.
func (f *File) Names() []string {
	out := make([]string, len(f.Targets))
	for i, t := range f.Targets {
		out[i] = t.Name
	}
	return out
}

const fileHint = "see the targets file format in neo4j-doctor's README (Fleet and monitoring)"

var (
	nameRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)
	envVarRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// targetKeys are the keys a target (or defaults) may have.
var targetKeys = []string{"name", "uri", "username", "passwordEnv", "passwordFile", "bearerTokenEnv", "bearerTokenFile", "database", "caFile", "trustStore", "dnsServer", "timeout", "certWarnDays", "skip", "impersonate", "writeProbe", "idleProbe", "idleProbeEvery", "httpUri"}

// secretKeys are keys people write for an inline password, tokenKeys for
// an inline bearer token; each is refused with the way to give it by
// reference instead. They are compared as suggest compares keys, so
// bearer_token and Bearer-Token are refused too.
var (
	secretKeys = []string{"password", "pass", "passwd", "secret", "credentials"}
	tokenKeys  = []string{"token", "bearerToken", "bearer", "accessToken", "jwt"}
)

// loginKeys are the two kinds of credential reference; a target has one.
var (
	passwordRefs = []string{"passwordEnv", "passwordFile"}
	tokenRefs    = []string{"bearerTokenEnv", "bearerTokenFile"}
)

// Load reads and validates a targets file, then resolves every target once
// with getenv, so a missing environment variable, an unreadable password
// or CA file is reported before anything is diagnosed. Every error is a
// *checks.InputError naming the file and line.
func Load(path string, getenv func(string) string) (*File, error) {
	f, err := Parse(path)
	if err != nil {
		return nil, err
	}
	for i := range f.Targets {
		if _, err := f.Targets[i].Resolve(f.Path, getenv); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Parse reads and validates a targets file without reading any secret.
func Parse(path string) (*File, error) {
	name := filepath.Base(path)
	st, err := os.Stat(path)
	switch {
	case err != nil && os.IsNotExist(err):
		return nil, inputErr(fileHint, "targets file %s does not exist", path)
	case err != nil:
		return nil, inputErr(fileHint, "cannot read targets file %s: %v", path, fileerr.Cause(err))
	case st.IsDir():
		return nil, inputErr(fileHint, "%s is a directory, not a targets file", path)
	case !st.Mode().IsRegular():
		// A FIFO without a writer would block the open forever.
		return nil, inputErr(fileHint, "%s is not a regular file", path)
	case st.Size() > MaxFileSize:
		return nil, inputErr(fileHint, "targets file %s is %d bytes; the limit is %d", name, st.Size(), MaxFileSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, inputErr(fileHint, "cannot read targets file %s: %v", path, fileerr.Cause(err))
	}
	return parse(name, data)
}

func parse(name string, data []byte) (*File, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, inputErr(fileHint, "targets file %s is empty", name)
	}
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return nil, inputErr("save the targets file as UTF-8 YAML", "targets file %s is not UTF-8 text", name)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		// yaml.v3's syntax errors name a line, never a value.
		return nil, inputErr(fileHint, "targets file %s is not YAML: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		line := extra.Line
		if len(extra.Content) > 0 {
			line = extra.Content[0].Line
		}
		return nil, inputErr("keep one YAML document in the file", "%s:%d: a second YAML document; the targets file holds one", name, line)
	}
	p := &parser{file: name}
	f, err := p.root(&doc)
	if err != nil {
		return nil, err
	}
	f.Path = name
	return f, nil
}

// parser walks the YAML node tree itself instead of decoding into a
// struct, so every message names the file and line and none quotes a
// value: a misplaced password must not end up in an error.
type parser struct{ file string }

func (p *parser) errf(n *yaml.Node, hint, format string, args ...any) error {
	return inputErr(hint, "%s:%d: %s", p.file, n.Line, fmt.Sprintf(format, args...))
}

func (p *parser) root(doc *yaml.Node) (*File, error) {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, p.errf(root, fileHint, "the targets file must be a mapping with a targets: list")
	}
	f := &File{Concurrency: DefaultConcurrency}
	var defaults, targets *yaml.Node
	err := p.mapping(root, []string{"concurrency", "defaults", "targets"}, func(key string, k, v *yaml.Node) error {
		switch key {
		case "concurrency":
			n, err := p.int(k, v)
			if err != nil {
				return err
			}
			if n < 1 || n > MaxConcurrency {
				return p.errf(v, "concurrency takes 1 to 256", "concurrency %d is out of range", n)
			}
			f.Concurrency = n
		case "defaults":
			defaults = v
		case "targets":
			targets = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	def := Target{CertWarnDays: 30}
	if defaults != nil {
		if err := p.target(defaults, &def, true); err != nil {
			return nil, err
		}
	}
	if targets == nil || targets.Kind == yaml.ScalarNode && targets.Tag == "!!null" {
		return nil, p.errf(root, fileHint, "no targets: list")
	}
	if targets.Kind != yaml.SequenceNode {
		return nil, p.errf(targets, fileHint, "targets: must be a list of targets, each starting with - name:")
	}
	if len(targets.Content) == 0 {
		return nil, p.errf(targets, fileHint, "targets: is empty")
	}
	seen := map[string]int{}
	for _, n := range targets.Content {
		t := def
		t.Skip = slices.Clone(def.Skip)
		t.Line = n.Line
		if err := p.target(n, &t, false); err != nil {
			return nil, err
		}
		if line, dup := seen[t.Name]; dup {
			return nil, p.errf(n, "give every target its own name", "target %q is already defined on line %d", t.Name, line)
		}
		seen[t.Name] = n.Line
		f.Targets = append(f.Targets, t)
	}
	return f, nil
}

// mapping calls fn for each key of n, refusing keys not in allowed and
// any key that would hold a secret inline.
func (p *parser) mapping(n *yaml.Node, allowed []string, fn func(key string, k, v *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return p.errf(n, fileHint, "expected a mapping of key: value")
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return p.errf(k, fileHint, "a key must be a plain word")
		}
		key := k.Value
		if slices.ContainsFunc(secretKeys, func(s string) bool { return normKey(s) == normKey(key) }) {
			return p.errf(k, "put the password in an environment variable (passwordEnv: NAME) or a file readable only by neo4j-doctor (passwordFile: PATH)",
				"%s: the targets file never holds a password inline", clip.String(key, 40))
		}
		if slices.ContainsFunc(tokenKeys, func(s string) bool { return normKey(s) == normKey(key) }) {
			return p.errf(k, "put the bearer token in an environment variable (bearerTokenEnv: NAME) or a file readable only by neo4j-doctor (bearerTokenFile: PATH)",
				"%s: the targets file never holds a token inline", clip.String(key, 40))
		}
		if !slices.Contains(allowed, key) {
			hint := "valid keys here: " + strings.Join(allowed, ", ")
			if s := suggest(key, allowed); s != "" {
				hint = "did you mean " + s + "? " + hint
			}
			return p.errf(k, hint, "unknown key %q", clip.String(key, 40))
		}
		if seen[key] {
			return p.errf(k, "keep one of them", "%s is set twice", key)
		}
		seen[key] = true
		if err := fn(key, k, v); err != nil {
			return err
		}
	}
	return nil
}

// suggest finds the allowed key a mistyped one means: the same letters
// in another case or with _ or - (password_env, PasswordEnv, ca-file).
func suggest(key string, allowed []string) string {
	for _, a := range allowed {
		if normKey(a) == normKey(key) {
			return a
		}
	}
	return ""
}

// keyPunct drops '_' and '-' from a key; built once, as a Replacer is
// costly to build and a thousand-target file normalises every key.
var keyPunct = strings.NewReplacer("_", "", "-", "")

// normKey is a key without case, '_' and '-'.
func normKey(s string) string {
	return strings.ToLower(keyPunct.Replace(s))
}

func (p *parser) target(n *yaml.Node, t *Target, isDefaults bool) error {
	if n.Kind != yaml.MappingNode {
		return p.errf(n, fileHint, "a target must be a mapping (name:, uri:, ...)")
	}
	allowed := targetKeys
	if isDefaults {
		allowed = slices.DeleteFunc(slices.Clone(targetKeys), func(k string) bool { return k == "name" || k == "uri" })
	}
	err := p.mapping(n, allowed, func(key string, k, v *yaml.Node) error {
		if key == "skip" {
			list, err := p.strings(k, v)
			if err != nil {
				return err
			}
			for _, id := range list {
				if err := checkSkip(id); err != nil {
					return p.errf(v, err.(*checks.InputError).Hint, "%s", err.Error())
				}
			}
			t.Skip = list
			return nil
		}
		if key == "writeProbe" {
			b, err := p.bool(k, v)
			if err != nil {
				return err
			}
			t.WriteProbe = b
			return nil
		}
		if key == "idleProbe" {
			list, err := p.strings(k, v)
			if err != nil {
				return err
			}
			if len(list) == 0 { // idleProbe: with nothing, or [], is no probe
				t.IdleProbe = nil
				return nil
			}
			ds, err := checks.ParseIdleProbe("idleProbe", list)
			if err != nil {
				ie := err.(*checks.InputError)
				return p.errf(v, ie.Hint, "%s", ie.Msg)
			}
			t.IdleProbe = ds
			return nil
		}
		if key == "certWarnDays" {
			d, err := p.int(k, v)
			if err != nil {
				return err
			}
			if d < 0 {
				return p.errf(v, "certWarnDays takes a number of days, 0 or more (0: never warn)", "certWarnDays %d is negative", d)
			}
			t.CertWarnDays = d
			return nil
		}
		s, err := p.scalar(k, v)
		if err != nil {
			return err
		}
		switch key {
		case "name":
			if !nameRE.MatchString(s) {
				return p.errf(v, "a name is letters, digits, '.', '_' and '-', up to 63, starting with a letter or digit: it appears in URLs and metric labels",
					"target name %q is not a valid name", clip.String(s, 70))
			}
			t.Name = s
		case "uri":
			pu, err := checks.ParseURI(s)
			if err != nil {
				ie := err.(*checks.InputError)
				return p.errf(v, ie.Hint, "%s", ie.Msg)
			}
			if pu.HasPassword {
				return p.errf(v, "remove user:password@ from the URI; give the user as username: and the password as passwordEnv: or passwordFile:",
					"the URI holds a password; the targets file never holds a password inline")
			}
			if pu.User != "" {
				return p.errf(v, "give the user as username:", "the URI holds a user name")
			}
			t.URI = s
		case "username":
			t.Username = s
		case "passwordEnv":
			if !envVarRE.MatchString(s) {
				return p.errf(v, "passwordEnv names an environment variable, e.g. PROD_NEO4J_PASSWORD; it never holds the password itself",
					"passwordEnv is not an environment variable name")
			}
			t.setLogin(s, "", "", "")
		case "passwordFile":
			if s == "" {
				return p.errf(v, "passwordFile takes a path", "passwordFile is empty")
			}
			t.setLogin("", s, "", "")
		case "bearerTokenEnv":
			if !envVarRE.MatchString(s) {
				return p.errf(v, "bearerTokenEnv names an environment variable, e.g. PROD_NEO4J_TOKEN; it never holds the token itself",
					"bearerTokenEnv is not an environment variable name")
			}
			t.setLogin("", "", s, "")
		case "bearerTokenFile":
			if s == "" {
				return p.errf(v, "bearerTokenFile takes a path", "bearerTokenFile is empty")
			}
			t.setLogin("", "", "", s)
		case "impersonate":
			switch {
			case strings.TrimSpace(s) == "":
				return p.errf(v, "impersonate takes the user the statements run as, e.g. impersonate: reporting; leave the key out to run them as the target's user", "impersonate is empty")
			case strings.ContainsFunc(s, unicode.IsControl) || s != strings.TrimSpace(s):
				return p.errf(v, "impersonate takes a user name as SHOW USERS lists it, without spaces around it", "impersonate is not a user name")
			}
			t.Impersonate = s
		case "httpUri":
			u, err := checks.ParseHTTPURI(s)
			if err != nil {
				ie := err.(*checks.InputError)
				return p.errf(v, ie.Hint, "%s", ie.Msg)
			}
			t.HTTPURI = u
		case "database":
			t.Database = s
		case "caFile":
			t.CAFile = s
		case "trustStore":
			t.TrustStore = s
		case "dnsServer":
			addr, ok := checks.DNSServerAddr(s)
			if !ok {
				return p.errf(v, "dnsServer takes HOST or HOST:PORT, e.g. 10.0.0.2 or 127.0.0.1:5353", "dnsServer %q is not HOST or HOST:PORT", clip.String(s, 70))
			}
			t.DNSServer = addr
		case "idleProbeEvery":
			d, err := time.ParseDuration(s)
			if err != nil || d < time.Millisecond {
				return p.errf(v, "idleProbeEvery takes how often serve runs the idle probe, such as 6h; at least as long as the longest idle time", "idleProbeEvery %q is not a positive duration", clip.String(s, 30))
			}
			t.IdleProbeEvery = d
		case "timeout":
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				return p.errf(v, "timeout takes a positive duration such as 5s or 500ms", "timeout %q is not a positive duration", clip.String(s, 30))
			}
			t.Timeout = d
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !isDefaults {
		if t.Name == "" {
			return p.errf(n, "give every target a name: (it is what /probe?target= and the metrics' target label use)", "a target has no name")
		}
		if t.URI == "" {
			return p.errf(n, "give the target a uri:, e.g. neo4j+s://<id>.databases.neo4j.io", "target %q has no uri", t.Name)
		}
		if bothSet(n, "passwordEnv", "passwordFile") {
			return p.errf(n, "keep one of them", "target %q sets both passwordEnv and passwordFile", t.Name)
		}
		if bothSet(n, "bearerTokenEnv", "bearerTokenFile") {
			return p.errf(n, "keep one of them", "target %q sets both bearerTokenEnv and bearerTokenFile", t.Name)
		}
		if pw, tok := setKey(n, passwordRefs), setKey(n, tokenRefs); pw != "" && tok != "" {
			return p.errf(n, "a login uses one of them: keep "+pw+" to log in with the user and password, or "+tok+" to log in with the token",
				"target %q sets both a password (%s) and a bearer token (%s)", t.Name, pw, tok)
		}
	}
	return nil
}

// setLogin sets the target's one credential reference, dropping any other
// (the one defaults: gave).
func (t *Target) setLogin(pwEnv, pwFile, tokEnv, tokFile string) {
	t.PasswordEnv, t.PasswordFile, t.BearerTokenEnv, t.BearerTokenFile = pwEnv, pwFile, tokEnv, tokFile
}

func bothSet(n *yaml.Node, a, b string) bool {
	return setKey(n, []string{a}) != "" && setKey(n, []string{b}) != ""
}

// setKey is the first of keys that n sets, or "".
func setKey(n *yaml.Node, keys []string) string {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if slices.Contains(keys, n.Content[i].Value) {
			return n.Content[i].Value
		}
	}
	return ""
}

func (p *parser) scalar(k, v *yaml.Node) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", p.errf(v, fileHint, "%s takes a single value", k.Value)
	}
	if v.Tag == "!!null" {
		return "", nil
	}
	return v.Value, nil
}

func (p *parser) bool(k, v *yaml.Node) (bool, error) {
	b, err := strconv.ParseBool(v.Value)
	if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" || err != nil {
		// yes, on, "true" (quoted) and 1 are not YAML 1.2 booleans.
		return false, p.errf(v, k.Value+" takes true or false", "%s takes true or false", k.Value)
	}
	return b, nil
}

func (p *parser) int(k, v *yaml.Node) (int, error) {
	s, err := p.scalar(k, v)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, p.errf(v, fileHint, "%s takes a whole number", k.Value)
	}
	return n, nil
}

func (p *parser) strings(k, v *yaml.Node) ([]string, error) {
	if v.Kind == yaml.ScalarNode {
		if v.Tag == "!!null" || v.Value == "" {
			return nil, nil
		}
		// skip: query, members reads as people write it.
		var out []string
		for s := range strings.SplitSeq(v.Value, ",") {
			out = append(out, strings.TrimSpace(s))
		}
		return out, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, p.errf(v, fileHint, "%s takes a list, e.g. [query]", k.Value)
	}
	var out []string
	for _, e := range v.Content {
		if e.Kind != yaml.ScalarNode {
			return nil, p.errf(e, fileHint, "%s takes a list of words", k.Value)
		}
		out = append(out, e.Value)
	}
	return out, nil
}

// checkSkip accepts the id of any check but config, which decides
// everything else.
func checkSkip(id string) error {
	var ids []string
	for _, c := range checks.Checks() {
		if c.ID != "config" {
			ids = append(ids, c.ID)
		}
	}
	if !slices.Contains(ids, id) {
		return inputErr("skip takes check ids: "+strings.Join(ids, ", "), "skip: %q is not a check that can be skipped", clip.String(id, 30))
	}
	return nil
}

func inputErr(hint, format string, args ...any) error {
	return &checks.InputError{Msg: fmt.Sprintf(format, args...), Hint: hint}
}
