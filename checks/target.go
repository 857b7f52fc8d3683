package checks

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/generation"
	"github.com/neo4j-doctor/neo4j-doctor/internal/aura"
	"github.com/neo4j-doctor/neo4j-doctor/internal/clip"
	"github.com/neo4j-doctor/neo4j-doctor/internal/truststore"
)

// TLSMode is what the URI scheme asks of TLS.
type TLSMode int

const (
	TLSOff       TLSMode = iota // bolt://, neo4j://
	TLSVerify                   // +s: system CAs (plus --ca-file) and host name
	TLSAcceptAny                // +ssc: any certificate, the user's explicit choice
)

func (m TLSMode) String() string {
	switch m {
	case TLSVerify:
		return "TLS, the certificate must verify"
	case TLSAcceptAny:
		return "TLS, any certificate accepted (+ssc)"
	}
	return "plaintext"
}

// DefaultPort is Bolt's.
const DefaultPort = 7687

// Target is what the user asked to diagnose, and how: input only. What a
// run learns and holds open is the Run's and its session's.
type Target struct {
	Scheme         string // bolt, bolt+s, bolt+ssc, neo4j, neo4j+s, neo4j+ssc
	Routing        bool   // neo4j* schemes
	TLS            TLSMode
	Host           string // as typed, without brackets
	Port           int
	RoutingContext map[string]string // the URI's query string
	Username       string
	Password       string
	// BearerToken (--bearer-token, NEO4J_BEARER_TOKEN) logs in with an SSO
	// token (scheme bearer) instead of the user and password; never shown.
	BearerToken string
	// Impersonate (--impersonate) runs every statement as this user
	// (Bolt 4.4+: imp_user on ROUTE, BEGIN and RUN); "" for none.
	Impersonate string
	// WriteProbe (--write-probe) opts in to one write on the writer,
	// inside a transaction that is always rolled back, never committed.
	WriteProbe bool
	// IdleProbe (--idle-probe) are the idle times the idle check leaves
	// one connection each for, sorted; nil: the check does not run.
	IdleProbe []time.Duration
	Database  string // "" = the user's home database
	// Driver (--driver, NEO4J_DOCTOR_DRIVER) is the official driver the
	// application uses, one of Drivers: results then carry its snippets
	// (Result.DriverHints). "" keeps every hint driver-neutral.
	Driver       string
	AllDatabases bool // --all-databases: also the routing table of every database the user can see
	// NoPipelining (--no-pipelining) makes HELLO, LOGON and ROUTE wait for
	// the handshake's answer, for a proxy that chokes on bytes sent ahead;
	// by default they go with the handshake.
	NoPipelining bool
	// ListVersions reads every Bolt version the server offers (the
	// handshake manifest) for the version check's evidence. A pipelined
	// handshake cannot read it, so it costs a connection of its own (no
	// login): the CLI asks for it with --verbose and in bundles, where a
	// person reads it. With Env.Memory a list read once is remembered per
	// server (VersionsTTL) and shown by later diagnoses at no cost; a
	// sequential handshake reads it for free.
	ListVersions bool
	ExtraCAs     []*x509.Certificate
	CAFile       string // the file ExtraCAs came from (--ca-file)
	// TrustStore is the store the application verifies with
	// (--trust-store); nil: the doctor's own, the system's and ExtraCAs.
	// The handshake verifies against it, so the verdict follows it.
	TrustStore     *truststore.Store
	Timeout        time.Duration // per network step
	CertWarnDays   int           // warn when a certificate expires within this many days; 0 = 30
	DNSServer      string        // host:port; "" = the system resolver
	AuraInstanceID string
	AuraName       string
	// HTTPURI is the server's HTTP(S) endpoint, scheme://host:port with
	// no path or credentials: --http-uri, or derived from the Bolt URI
	// (DeriveHTTPURI). HTTPExplicit: the user gave it, so an endpoint
	// that does not answer is a failure rather than a skip.
	HTTPURI      string
	HTTPExplicit bool
	Info         TargetInfo
}

// Address is host:port as a driver would dial it.
func (t *Target) Address() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// server is what a hint about t knows of its server, for the names it
// takes from generation/: the agent HELLO gave ("" before the login
// answered), else the negotiated Bolt version (zero before the
// handshake), and whether t is an Aura instance.
func (t *Target) server(agent string, v bolt.Version) generation.Server {
	return generation.Detect(t.Host, agent, v)
}

// pasteSet is a setting to set, as a hint gives it: name=value in
// backticks, in every form the server's generation may need (codeForms).
// On Aura, where the setting has a replacement, text is "" and aura is
// the instruction to give instead, as a hint of its own.
func pasteSet(srv generation.Server, it generation.Item, value string) (text, aura string) {
	if say := srv.Lookup(it); say.Aura {
		return "", say.Text
	}
	return codeForms(srv.Set(it, value)), ""
}

// codeForms puts in backticks each form of a text generation/ gave,
// "a (4.x: b; not on 3.5)", so that the report sets each apart as
// something to paste: "`a` or on 4.x `b` (none on 3.5)". A text with a
// single form is "`a`".
func codeForms(text string) string {
	main, rest, ok := strings.Cut(text, " (")
	if !ok || !strings.HasSuffix(rest, ")") {
		return "`" + text + "`"
	}
	out := "`" + main + "`"
	var none []string
	for alt := range strings.SplitSeq(strings.TrimSuffix(rest, ")"), "; ") {
		if gens, ok := strings.CutPrefix(alt, "not on "); ok {
			none = append(none, gens)
			continue
		}
		gens, form, ok := strings.Cut(alt, ": ")
		if !ok {
			return "`" + text + "`"
		}
		out += " or on " + gens + " `" + form + "`"
	}
	if len(none) > 0 {
		out += " (none on " + strings.Join(none, ", ") + ")"
	}
	return out
}

// InputError is bad input: no connection is attempted and the CLI exits 3.
type InputError struct {
	Msg  string
	Hint string
}

func (e *InputError) Error() string { return e.Msg }

func inputErr(hint, format string, args ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, args...), Hint: hint}
}

var schemes = map[string]struct {
	routing bool
	tls     TLSMode
}{
	"bolt":      {false, TLSOff},
	"bolt+s":    {false, TLSVerify},
	"bolt+ssc":  {false, TLSAcceptAny},
	"neo4j":     {true, TLSOff},
	"neo4j+s":   {true, TLSVerify},
	"neo4j+ssc": {true, TLSAcceptAny},
}

// ParsedURI is a connection URI checked the way drivers check it.
type ParsedURI struct {
	Scheme         string
	Routing        bool
	TLS            TLSMode
	Host           string
	Port           int
	RoutingContext map[string]string
	User, Password string // from user:pass@ in the URI, if any
	HasPassword    bool
}

// Redacted is the URI without credentials, safe to print.
func (p *ParsedURI) Redacted() string {
	u := url.URL{Scheme: p.Scheme, Host: net.JoinHostPort(p.Host, strconv.Itoa(p.Port))}
	if len(p.RoutingContext) > 0 {
		q := url.Values{}
		for k, v := range p.RoutingContext {
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

const uriHint = "use a URI such as neo4j+s://<id>.databases.neo4j.io or bolt://localhost:7687"

// ParseURI validates a Neo4j connection URI. Every error is an *InputError.
func ParseURI(raw string) (*ParsedURI, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, inputErr(uriHint, "no URI given")
	}
	for _, r := range raw {
		if unicode.IsControl(r) {
			return nil, inputErr(uriHint, "the URI contains a control character")
		}
		if unicode.IsSpace(r) {
			return nil, inputErr(uriHint, "the URI contains a space")
		}
	}
	if len(raw) > 2048 {
		return nil, inputErr(uriHint, "the URI is %d characters long", len(raw))
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		// Not quoted back: a mistyped URI may still hold a password.
		return nil, inputErr(uriHint, "the URI has no scheme (it must start with neo4j://, neo4j+s://, bolt:// or bolt+s://)")
	}
	scheme = strings.ToLower(scheme)
	spec, known := schemes[scheme]
	if !known {
		switch scheme {
		case "http", "https":
			return nil, inputErr("Bolt drivers need neo4j://, neo4j+s://, bolt:// or bolt+s:// on the Bolt port (default 7687); port 7474/7473 is the HTTP API and Browser",
				"%s:// is an HTTP URI, not a Bolt URI", scheme)
		case "bolt+routing":
			return nil, inputErr("bolt+routing:// was renamed neo4j:// in Neo4j 4.0", "URI scheme bolt+routing is not supported")
		}
		if !schemeLike(scheme) {
			// Not quoted: "user:password@neo4j://host" puts the password
			// before the "://".
			return nil, inputErr("the schemes are neo4j, neo4j+s, neo4j+ssc, bolt, bolt+s and bolt+ssc", "the URI's scheme (before ://) is not a scheme")
		}
		return nil, inputErr("the schemes are neo4j, neo4j+s, neo4j+ssc, bolt, bolt+s and bolt+ssc", "URI scheme %q is not supported", clip.String(scheme, 30))
	}
	hostport := rest
	if i := strings.IndexAny(hostport, "/?#"); i >= 0 {
		hostport = hostport[:i]
	}
	if i := strings.LastIndex(hostport, "@"); i >= 0 {
		hostport = hostport[i+1:] // user:password@ is not part of the address
	}
	if strings.Count(hostport, ":") > 1 && !strings.HasPrefix(hostport, "[") {
		return nil, inputErr("write IPv6 addresses in brackets: bolt://[::1]:7687", "the URI has an IPv6 address without brackets")
	}
	u, err := url.Parse(scheme + "://" + rest)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if _, port, ok := strings.Cut(hostport, ":"); ok && !strings.HasPrefix(hostport, "[") {
			if n, perr := strconv.Atoi(port); perr != nil || n < 1 || n > 65535 {
				return nil, inputErr("the port is a number from 1 to 65535; leave it out for 7687", "port %q is not valid: it must be a number from 1 to 65535", clip.String(port, 20))
			}
		}
		// url's errors quote the input, which may hold a password.
		msg := err.Error()
		if strings.Contains(rest, "@") {
			msg = "it does not parse"
		}
		return nil, inputErr(uriHint, "the URI is not valid: %s", msg)
	}
	p := &ParsedURI{Scheme: scheme, Routing: spec.routing, TLS: spec.tls}
	if u.User != nil {
		p.User = u.User.Username()
		p.Password, p.HasPassword = u.User.Password()
	}
	host, portStr := u.Hostname(), u.Port()
	if host == "" {
		return nil, inputErr(uriHint, "the URI has no host")
	}
	if err := checkHost(host); err != nil {
		return nil, err
	}
	p.Host = host
	p.Port = DefaultPort
	if strings.HasSuffix(u.Host, ":") {
		return nil, inputErr("the port is a number from 1 to 65535; leave it out for 7687", "the URI has an empty port")
	}
	if portStr != "" {
		n, err := strconv.Atoi(portStr)
		if err != nil || n < 1 || n > 65535 {
			return nil, inputErr("the port is a number from 1 to 65535; leave it out for 7687", "port %q is not valid: it must be a number from 1 to 65535", portStr)
		}
		p.Port = n
	}
	if u.Path != "" && u.Path != "/" {
		return nil, inputErr("a Bolt URI has no path; select the database with --database", "the URI has a path %q", clip.String(u.Path, 40))
	}
	if u.RawQuery != "" {
		if !p.Routing {
			return nil, inputErr("remove the ?… part, or use neo4j:// for routing", "routing context is not supported for URL scheme %s", scheme)
		}
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return nil, inputErr(uriHint, "the URI's query string is not valid: %v", err)
		}
		p.RoutingContext = map[string]string{}
		for k, vs := range q {
			switch {
			case k == "":
				return nil, inputErr(uriHint, "the routing context has an empty key")
			case k == "address":
				return nil, inputErr("drivers set the routing context's address themselves", "the routing context may not contain %q", k)
			case len(vs) > 1:
				return nil, inputErr(uriHint, "the routing context has key %q more than once", k)
			}
			p.RoutingContext[k] = vs[0]
		}
	}
	return p, nil
}

// schemeLike reports whether s has the shape RFC 3986 gives a scheme:
// a letter, then letters, digits, '+', '-' or '.'.
func schemeLike(s string) bool {
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return s != ""
}

func checkHost(host string) error {
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsUnspecified() {
			// A listen address: on Linux a connect to it reaches this
			// machine, elsewhere it fails; it never names a server.
			return inputErr("use the server's address: its host name or IP (localhost for a DBMS on this machine); "+host+" is what a server listens on, meaning every interface",
				"%s is not an address to connect to", host)
		}
		return nil
	}
	if len(host) > 253 {
		return inputErr("a host name has at most 253 characters", "the host name is %d characters long", len(host))
	}
	for _, label := range strings.Split(strings.TrimSuffix(host, "."), ".") {
		if label == "" || len(label) > 63 {
			return inputErr("check the host name for typos", "host name %q is not valid", clip.String(host, 60))
		}
		for _, r := range label {
			if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > unicode.MaxASCII && unicode.IsLetter(r)) {
				return inputErr("check the host name for typos", "host name %q contains %q", clip.String(host, 60), r)
			}
		}
	}
	return nil
}

// Neo4j's HTTP ports: 7474 for HTTP, 7473 for HTTPS; Aura serves HTTPS
// on 443.
const (
	DefaultHTTPPort  = 7474
	DefaultHTTPSPort = 7473
)

// DeriveHTTPURI is the HTTP endpoint a Bolt URI implies, as Neo4j's
// defaults lay it out: https://HOST (443) for an Aura host,
// https://HOST:7473 for +s and +ssc, http://HOST:7474 otherwise.
func DeriveHTTPURI(p *ParsedURI) string {
	switch {
	case aura.IsHost(p.Host):
		return "https://" + hostForURL(p.Host)
	case p.TLS != TLSOff:
		return "https://" + net.JoinHostPort(p.Host, strconv.Itoa(DefaultHTTPSPort))
	}
	return "http://" + net.JoinHostPort(p.Host, strconv.Itoa(DefaultHTTPPort))
}

func hostForURL(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}

const httpURIHint = "--http-uri takes the server's HTTP endpoint, such as http://localhost:7474 or https://<id>.databases.neo4j.io"

// ParseHTTPURI validates --http-uri and returns it as scheme://host[:port]
// without a trailing slash. Every error is an *InputError; none quotes
// credentials.
func ParseHTTPURI(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	for _, r := range raw {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return "", inputErr(httpURIHint, "the HTTP URI contains a space or a control character")
		}
	}
	if len(raw) > 2048 {
		return "", inputErr(httpURIHint, "the HTTP URI is %d characters long", len(raw))
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "", inputErr(httpURIHint, "the HTTP URI has no scheme (it must start with http:// or https://)")
	}
	scheme = strings.ToLower(scheme)
	if scheme != "http" && scheme != "https" {
		if _, bolt := schemes[scheme]; bolt {
			return "", inputErr(httpURIHint+"; the Bolt URI goes in --uri", "%s:// is a Bolt URI, not an HTTP one", scheme)
		}
		return "", inputErr(httpURIHint, "the HTTP URI's scheme must be http or https")
	}
	hostport := rest
	if i := strings.IndexAny(hostport, "/?#"); i >= 0 {
		hostport = hostport[:i]
	}
	if strings.Contains(hostport, "@") {
		// Not quoted back: it holds a password.
		return "", inputErr(httpURIHint+"; the credentials come from --username and --password", "the HTTP URI carries credentials")
	}
	u, err := url.Parse(scheme + "://" + rest)
	if err != nil || u.Hostname() == "" {
		return "", inputErr(httpURIHint, "the HTTP URI %q is not valid", clip.String(raw, 80))
	}
	if err := checkHost(u.Hostname()); err != nil {
		return "", err
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", inputErr(httpURIHint, "port %q is not valid: it must be a number from 1 to 65535", clip.String(p, 20))
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return "", inputErr(httpURIHint, "the HTTP URI has an empty port")
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return "", inputErr(httpURIHint+"; the discovery document is at /", "the HTTP URI has a path or query %q", clip.String(u.RequestURI(), 40))
	}
	return scheme + "://" + u.Host, nil
}
