package checks

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/neo4j-doctor/neo4j-doctor/internal/fileerr"

	"github.com/neo4j-doctor/neo4j-doctor/internal/clip"
	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"

	"github.com/joho/godotenv"
	"github.com/neo4j-doctor/neo4j-doctor/internal/truststore"
)

// MaxFileSize bounds connection and CA files: an Aura file is a few hundred
// bytes, so anything near this is the wrong file.
const MaxFileSize = 1 << 20

// Inputs is what the CLI gathered, before precedence is applied.
type Inputs struct {
	Flags        map[string]string // set flags only: "uri", "username", "password", "database"
	File         string            // connection file path, "" = none
	Env          func(string) string
	CAFile       string
	Timeout      time.Duration
	DNSServer    string
	CertWarnDays int  // 0 = 30
	AllDatabases bool // --all-databases
	// NoPipelining (--no-pipelining) waits for the handshake's answer
	// before HELLO. The zero value pipelines (bolt.Speculate), so library
	// callers, the exporter and fleet get the fast path without asking.
	NoPipelining bool
	// ListVersions: see Target.ListVersions (--verbose, bundle).
	ListVersions bool
	// Impersonate (--impersonate USER) and WriteProbe (--write-probe); see
	// Target. The bearer token comes, with the usual precedence, from the
	// flag (Flags["bearer-token"]), the connection file or the environment
	// (NEO4J_BEARER_TOKEN).
	Impersonate string
	WriteProbe  bool
	// IdleProbe (--idle-probe) are the idle times of the idle check; see
	// ParseIdleProbe. nil: the check does not run, and nothing waits.
	IdleProbe []time.Duration
	// HTTPURI (--http-uri, a targets file's httpUri:) is the server's
	// HTTP(S) endpoint; "" derives it from the Bolt URI (see DeriveHTTPURI).
	HTTPURI string
	// HTTPPort, when set and HTTPURI is not, replaces the port of the
	// endpoint derived from the URI; like a derived one, it is skipped when
	// nothing answers. The demo gives its scenarios without an HTTP port a
	// held port that refuses, so that no demo run reaches a real server on
	// this machine's 7474.
	HTTPPort int
	// Driver (--driver) is the application's driver for the snippets of
	// Target.Driver; when "", NEO4J_DOCTOR_DRIVER through Env. Resolve
	// rejects a name that is not one of Drivers.
	Driver string
	// TrustStore (--trust-store) names the store the application
	// verifies certificates with: a kind (truststore.Kinds) or a path.
	// TrustSearch says where kinds are looked for; nil is
	// truststore.Default() with Env.
	TrustStore  string
	TrustSearch *truststore.Search
}

const fileHint = "pass the Aura credentials file (Neo4j-<id>-Created-<date>.txt) or a dotenv file with NEO4J_URI=…"

// ReadConnectionFile reads a dotenv connection file such as the one Aura
// offers for download. It does not require NEO4J_URI: Resolve lets a flag
// or the environment supply what the file lacks. Every error is an
// *InputError.
func ReadConnectionFile(path string) (map[string]string, error) {
	if i := strings.Index(path, "://"); i > 0 && !strings.ContainsAny(path[:i], `/\`) {
		// A URI where a file was expected: not echoed, since it may
		// carry user:password.
		return nil, inputErr("pass a URI with --uri (neo4j-doctor --uri neo4j+s://host), the password with -p or NEO4J_PASSWORD",
			"the argument is a %s:// URI, not a connection file", clip.String(path[:i], 30))
	}
	name := filepath.Base(path)
	st, err := os.Stat(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, inputErr(fileHint, "connection file %s does not exist", path)
		}
		return nil, inputErr(fileHint, "cannot read connection file %s: %v", path, fileerr.Cause(err))
	}
	if st.IsDir() {
		return nil, inputErr(fileHint, "%s is a directory, not a connection file", path)
	}
	if !st.Mode().IsRegular() {
		// A FIFO without a writer would block the open forever.
		return nil, inputErr(fileHint, "%s is not a regular file", path)
	}
	if st.Size() > MaxFileSize {
		return nil, inputErr(fileHint, "%s is %d bytes; a connection file is a few hundred", name, st.Size())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, inputErr(fileHint, "cannot read connection file %s: %v", path, fileerr.Cause(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, inputErr(fileHint, "cannot read connection file %s: %v", path, fileerr.Cause(err))
	}
	if len(data) > MaxFileSize {
		return nil, inputErr(fileHint, "%s is over %d bytes; a connection file is a few hundred", name, MaxFileSize)
	}
	return ParseConnectionFile(name, data)
}

// noURIInFile is the error when nothing gives a URI and a file was the
// place to look.
func noURIInFile(name string) error {
	return inputErr(fileHint, "connection file %s has no NEO4J_URI", name)
}

// ParseConnectionFile parses the contents of a connection file; name (the
// file's base name) is only used in messages. Every error is an
// *InputError, and none quotes the contents, which hold the password.
func ParseConnectionFile(name string, data []byte) (map[string]string, error) {
	if len(data) > MaxFileSize {
		return nil, inputErr(fileHint, "%s is over %d bytes; a connection file is a few hundred", name, MaxFileSize)
	}
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, inputErr(fileHint, "connection file %s is empty", name)
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return nil, inputErr("save the file as UTF-8", "connection file %s is UTF-16; it must be UTF-8 text", name)
	case bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data):
		return nil, inputErr(fileHint, "connection file %s is not text", name)
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	env, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		// godotenv's message quotes the line, which may be the password.
		return nil, inputErr(fileHint+"; every line is NAME=value, and quotes must be closed", "connection file %s is not a dotenv file: a line has no '=' or an unclosed quote", name)
	}
	return env, nil
}

// Resolve applies precedence (flag, then connection file, then environment,
// then default) to each setting on its own, and validates the result: a
// connection file without NEO4J_URI is fine when --uri or NEO4J_URI gives
// one. Every error is an *InputError.
func Resolve(in Inputs) (*Target, error) {
	if in.Env == nil {
		in.Env = func(string) string { return "" }
	}
	var file map[string]string
	fileName := filepath.Base(in.File)
	if in.File != "" {
		var err error
		if file, err = ReadConnectionFile(in.File); err != nil {
			return nil, err
		}
	}
	settings := map[string]Setting{}
	pick := func(name, flag string, fileKeys, envKeys []string) string {
		if v, ok := in.Flags[name]; ok {
			settings[name] = Setting{Value: v, Source: "flag", From: "--" + flag}
			return v
		}
		for _, k := range fileKeys {
			if v := file[k]; v != "" {
				settings[name] = Setting{Value: v, Source: "file", From: fileName + " " + k}
				return v
			}
		}
		for _, k := range envKeys {
			if v := in.Env(k); v != "" {
				settings[name] = Setting{Value: v, Source: "env", From: k}
				return v
			}
		}
		return ""
	}
	rawURI := pick("uri", "uri", []string{"NEO4J_URI"}, []string{"NEO4J_URI", "NEO4J_ADDRESS"})
	if rawURI == "" {
		if file != nil {
			// The file was where the user meant the URI to come from.
			return nil, noURIInFile(fileName)
		}
		return nil, inputErr("pass a connection file, --uri, or set NEO4J_URI", "no Neo4j URI given")
	}
	p, err := ParseURI(rawURI)
	if err != nil {
		ie := err.(*InputError)
		ie.Msg = fmt.Sprintf("%s (uri from %s)", ie.Msg, settings["uri"].From)
		return nil, ie
	}
	user := pick("username", "username", []string{"NEO4J_USERNAME", "NEO4J_USER"}, []string{"NEO4J_USERNAME", "NEO4J_USER"})
	pass := pick("password", "password", []string{"NEO4J_PASSWORD"}, []string{"NEO4J_PASSWORD"})
	db := pick("database", "database", []string{"NEO4J_DATABASE"}, []string{"NEO4J_DATABASE"})
	bearer := pick("bearer-token", "bearer-token", []string{"NEO4J_BEARER_TOKEN"}, []string{"NEO4J_BEARER_TOKEN"})
	uriSrc := settings["uri"]
	if user == "" && p.User != "" {
		user = p.User
		settings["username"] = Setting{Value: user, Source: uriSrc.Source, From: "the URI (" + uriSrc.From + ")"}
	}
	if pass == "" && p.HasPassword {
		pass = p.Password
		settings["password"] = Setting{Source: uriSrc.Source, From: "the URI (" + uriSrc.From + ")"}
	}
	for _, secret := range []string{"password", "bearer-token"} {
		if s, ok := settings[secret]; ok {
			s.Value = "" // never kept where a renderer could print it
			settings[secret] = s
		}
	}
	uriSetting := settings["uri"]
	uriSetting.Value = p.Redacted()
	settings["uri"] = uriSetting

	t := &Target{
		Scheme: p.Scheme, Routing: p.Routing, TLS: p.TLS, Host: p.Host, Port: p.Port,
		RoutingContext: p.RoutingContext, Username: user, Password: pass, Database: db,
		Timeout: in.Timeout, DNSServer: in.DNSServer, CertWarnDays: in.CertWarnDays, NoPipelining: in.NoPipelining, ListVersions: in.ListVersions,
		AllDatabases: in.AllDatabases, BearerToken: bearer, Impersonate: in.Impersonate, WriteProbe: in.WriteProbe,
	}
	if t.Timeout <= 0 {
		t.Timeout = 5 * time.Second
	}
	if in.CAFile != "" {
		cas, err := ReadCAFile(in.CAFile)
		if err != nil {
			return nil, err
		}
		t.ExtraCAs, t.CAFile = cas, in.CAFile
		settings["ca-file"] = Setting{Value: in.CAFile, Source: "flag", From: "--ca-file"}
	}
	if err := resolveDriver(in, t, settings); err != nil {
		return nil, err
	}
	if in.TrustStore != "" {
		search := truststore.Default()
		search.Getenv = in.Env
		if in.TrustSearch != nil {
			search = *in.TrustSearch
		}
		st, err := search.Pick(in.TrustStore, in.CAFile, t.ExtraCAs)
		if err != nil {
			return nil, inputErr("name the store the application uses: "+strings.Join(truststore.Kinds, ", ")+", or the path of a PEM bundle, a directory of PEM files or a Java keystore",
				"--trust-store %s: %s", in.TrustStore, strings.TrimPrefix(err.Error(), in.TrustStore+": "))
		}
		t.TrustStore = &st
		settings["trust-store"] = Setting{Value: in.TrustStore, Source: "flag", From: "--trust-store"}
	}
	if in.AllDatabases {
		settings["all-databases"] = Setting{Value: "true", Source: "flag", From: "--all-databases"}
	}
	if in.Impersonate != "" {
		settings["impersonate"] = Setting{Value: in.Impersonate, Source: "flag", From: "--impersonate"}
	}
	if in.WriteProbe {
		settings["write-probe"] = Setting{Value: "true", Source: "flag", From: "--write-probe"}
	}
	if in.IdleProbe != nil {
		ds, err := NormaliseIdleProbe("--idle-probe", in.IdleProbe)
		if err != nil {
			return nil, err
		}
		t.IdleProbe = ds
		words := make([]string, len(ds))
		for i, d := range ds {
			words[i] = IdleString(d)
		}
		settings["idle-probe"] = Setting{Value: strings.Join(words, ","), Source: "flag", From: "--idle-probe"}
	}
	if in.HTTPURI != "" {
		u, err := ParseHTTPURI(in.HTTPURI)
		if err != nil {
			return nil, err
		}
		t.HTTPURI, t.HTTPExplicit = u, true
		settings["http-uri"] = Setting{Value: u, Source: "flag", From: "--http-uri"}
	} else {
		t.HTTPURI = DeriveHTTPURI(p)
		if in.HTTPPort != 0 {
			if u, err := url.Parse(t.HTTPURI); err == nil {
				u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(in.HTTPPort))
				t.HTTPURI = u.String()
			}
		}
		settings["http-uri"] = Setting{Value: t.HTTPURI, Source: "default"}
	}
	if file != nil {
		t.AuraInstanceID, t.AuraName = file["AURA_INSTANCEID"], file["AURA_INSTANCENAME"]
	}
	passSrc := "none"
	if s, ok := settings["password"]; ok {
		passSrc = s.From
	}
	resolver := "system"
	if t.DNSServer != "" {
		resolver = t.DNSServer
	}
	t.Info = TargetInfo{
		URI: p.Redacted(), Scheme: p.Scheme, Host: p.Host, Port: p.Port,
		Username: user, PasswordSource: passSrc, Database: db, Settings: settings,
		Resolver: resolver, AuraInstance: t.AuraInstanceID,
	}
	return t, nil
}

// ReadCAFile reads PEM certificates to trust in addition to the system's.
func ReadCAFile(path string) ([]*x509.Certificate, error) {
	const hint = "--ca-file takes a PEM file with one or more CERTIFICATE blocks"
	st, err := os.Stat(path)
	if err != nil {
		return nil, inputErr(hint, "cannot read CA file %s: %v", path, fileerr.Cause(err))
	}
	if !st.Mode().IsRegular() || st.Size() > MaxFileSize {
		return nil, inputErr(hint, "CA file %s is not a regular file of at most 1 MiB", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, inputErr(hint, "cannot read CA file %s: %v", path, fileerr.Cause(err))
	}
	certs, err := tlsprobe.ParseCAs(data)
	switch {
	case errors.Is(err, tlsprobe.ErrNoCertificates):
		return nil, inputErr(hint, "CA file %s contains no PEM certificate", path)
	case err != nil:
		return nil, inputErr(hint, "CA file %s has a certificate that does not parse: %v", path, err)
	}
	return certs, nil
}

// resolveDriver sets t.Driver from --driver, else NEO4J_DOCTOR_DRIVER.
func resolveDriver(in Inputs, t *Target, settings map[string]Setting) error {
	value, src, from := in.Driver, "flag", "--driver"
	if value == "" && in.Env != nil {
		value, src, from = in.Env("NEO4J_DOCTOR_DRIVER"), "env", "NEO4J_DOCTOR_DRIVER"
	}
	if value == "" {
		return nil
	}
	d, err := ParseDriver(from, value)
	if err != nil {
		return err
	}
	t.Driver = d
	settings["driver"] = Setting{Value: d, Source: src, From: from}
	return nil
}
