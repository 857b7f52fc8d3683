package checks_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// fuzzCanary is a password the URI fuzzer slips into user info; no
// message and no redacted URI may ever show it.
const fuzzCanary = "Zq9-fuzz-canary"

// FuzzParseURI: any string gives either an *InputError that does not
// quote the password, or a URI whose parts are valid and whose redacted
// form has no credentials and parses back to the same target.
func FuzzParseURI(f *testing.F) {
	for _, s := range []string{
		"neo4j+s://0a1b2c3d.databases.neo4j.io", "bolt://localhost:7687", "neo4j://h:7687?region=eu&policy=fast",
		"bolt://[::1]:7687", "bolt://::1:7687", "http://localhost:7474", "bolt+routing://x", "foo://x", "localhost:7687",
		"neo4j://", "bolt://localhost:0", "bolt://localhost:70000", "bolt://localhost:abc", "bolt://localhost:",
		"bolt://my host:7687", "bolt://h\x00st", "bolt://h\x01st:7687", "neo4j://h:7687/movies", "bolt://h?x=1",
		"neo4j://user:pw@h:7687", "neo4j://u:p@[fe80::1%25eth0]:7687", "neo4j://h?address=x", "neo4j://h?a=1&a=2",
		"NEO4J+S://H", "bolt://%41", "bolt://xn--nxasmq6b.test", "bolt://ünïcode.test", "bolt://a..b",
		"bolt://" + strings.Repeat("a", 300) + ":7687",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		checkURI(t, raw)
		// The password where a URI puts it, and where a mistyped one does.
		if i := strings.Index(raw, "://"); i >= 0 {
			checkURI(t, raw[:i+3]+"neo4j:"+fuzzCanary+"@"+raw[i+3:])
		}
		checkURI(t, "neo4j:"+fuzzCanary+"@"+raw)
	})
}

func checkURI(t *testing.T, raw string) {
	p, err := checks.ParseURI(raw)
	if err != nil {
		var ie *checks.InputError
		if !errors.As(err, &ie) || ie.Hint == "" {
			t.Fatalf("ParseURI(%q): %v (%T), want an *InputError with a hint", raw, err, err)
		}
		if strings.Contains(ie.Msg, fuzzCanary) || strings.Contains(ie.Hint, fuzzCanary) {
			t.Fatalf("ParseURI(%q): the error quotes the password: %s", raw, ie.Msg)
		}
		if len(ie.Msg) > 400 || strings.Contains(ie.Msg, "\n") {
			t.Fatalf("ParseURI(%q): error of %d bytes: %q", raw, len(ie.Msg), ie.Msg)
		}
		return
	}
	switch p.Scheme {
	case "bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc":
	default:
		t.Fatalf("ParseURI(%q): scheme %q", raw, p.Scheme)
	}
	if p.Host == "" || p.Port < 1 || p.Port > 65535 {
		t.Fatalf("ParseURI(%q): host %q port %d", raw, p.Host, p.Port)
	}
	for _, r := range p.Host {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == '/' || r == '@' || r == '?' || r == '#' {
			t.Fatalf("ParseURI(%q): host %q holds %q", raw, p.Host, r)
		}
	}
	red := p.Redacted()
	if strings.Contains(red, "@") || strings.Contains(red, fuzzCanary) {
		t.Fatalf("ParseURI(%q): redacted URI %q holds credentials", raw, red)
	}
	q, err := checks.ParseURI(red)
	if err != nil {
		t.Fatalf("ParseURI(%q): the redacted URI %q does not parse: %v", raw, red, err)
	}
	if q.Scheme != p.Scheme || q.Host != p.Host || q.Port != p.Port || len(q.RoutingContext) != len(p.RoutingContext) {
		t.Fatalf("ParseURI(%q) = %s %s %d %v, but its redacted form %q = %s %s %d %v", raw,
			p.Scheme, p.Host, p.Port, p.RoutingContext, red, q.Scheme, q.Host, q.Port, q.RoutingContext)
	}
	for k, v := range p.RoutingContext {
		if q.RoutingContext[k] != v {
			t.Fatalf("ParseURI(%q): routing context %q=%q became %q in %q", raw, k, v, q.RoutingContext[k], red)
		}
	}
}

// connFileMessage is every error ParseConnectionFile may give, with the
// file name taken out: none quotes the contents.
var connFileMessage = regexp.MustCompile(`^(connection file  is empty|connection file  is UTF-16; it must be UTF-8 text|` +
	`connection file  is not text|connection file  is not a dotenv file: a line has no '=' or an unclosed quote|` +
	`connection file  has no NEO4J_URI| is over \d+ bytes; a connection file is a few hundred)$`)

// FuzzConnectionFile: any bytes give either an *InputError from a fixed
// set of messages, or settings whose NEO4J_URI, if any, ParseURI judges
// without breaking.
func FuzzConnectionFile(f *testing.F) {
	for _, s := range []string{
		"NEO4J_URI=neo4j+s://0a1b2c3d.databases.neo4j.io\nNEO4J_USERNAME=neo4j\nNEO4J_PASSWORD=secret\nAURA_INSTANCEID=0a1b2c3d\n",
		"export NEO4J_URI=\"bolt://h\"\r\nNEO4J_PASSWORD='p w'\r\n", "NEO4J_URI=a\nNEO4J_URI=b\n", "NEO4J_URI=bolt://h # comment\n",
		"", "   \n\t", "\xFF\xFENEO4J", "\xEF\xBB\xBFNEO4J_URI=bolt://h", "NEO4J_URI=bolt://h\x00", "NEO4J_PASSWORD=\"unclosed\n",
		"just some text", "NEO4J_URI=${OTHER}\nOTHER=bolt://h", "NEO4J_URI=bolt://h\nNEO4J_PASSWORD=a\\nb\n", "=\n", "NEO4J_URI==\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := checks.ParseConnectionFile("conn.env", data)
		if err != nil {
			var ie *checks.InputError
			if !errors.As(err, &ie) || ie.Hint == "" {
				t.Fatalf("%v (%T), want an *InputError with a hint", err, err)
			}
			if msg := strings.ReplaceAll(ie.Msg, "conn.env", ""); !connFileMessage.MatchString(msg) {
				t.Fatalf("unexpected message %q", ie.Msg)
			}
			return
		}
		if env["NEO4J_URI"] == "" {
			return // Resolve says so, unless a flag or the environment gives one
		}
		// The URI it yields is checked as a flag's would be; that path must
		// hold up too, whatever the file smuggled in.
		if _, err := checks.ParseURI(env["NEO4J_URI"]); err != nil {
			var ie *checks.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("ParseURI: %v (%T)", err, err)
			}
		}
	})
}
