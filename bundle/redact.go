package bundle

import (
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/internal/aura"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// mask replaces a secret, as the Bolt transcript does.
const mask = "******"

// Kinds of redaction, as the bundle's redactions section names them.
const (
	KindPassword       = "password"        // the password, found in text a server or an error sent back
	KindURICredentials = "uri-credentials" // user:password@ in a URI
	KindBearer         = "bearer-token"    // the run's bearer token, "Bearer …" and "Authorization: …" values, JWTs
	KindProxyCreds     = "proxy-credentials"
	KindHostName       = "host-name"
	KindIPAddress      = "ip-address"
	KindCertPEM        = "certificate-pem" // a certificate withheld because it names the host
	KindHex            = "hex-dump"        // bytes withheld because they spell a host or the password
)

// counter counts redactions by kind.
type counter map[string]int

func (c counter) add(kind string, n int) {
	if n > 0 {
		c[kind] += n
	}
}

var (
	uriCreds = regexp.MustCompile(`\b([A-Za-z][A-Za-z0-9+.-]*://)([^\s/@"'<>]*)@`)
	bearer   = regexp.MustCompile(`(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}`)
	authHdr  = regexp.MustCompile(`(?i)\b(authorization\s*[:=]\s*(?:[A-Za-z]+\s+)?)[^\s"',;]{8,}`)
	// jwt is a JSON Web Token on its own: a base64url JSON header ("eyJ"
	// is `{"`), claims and a signature, whatever precedes it.
	jwt = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`)
	// hexRun is a run of bytes written as spaced hex pairs, as evidence
	// and transcripts write them.
	hexRun = regexp.MustCompile(`\b[0-9A-Fa-f]{2}(?: [0-9A-Fa-f]{2}){3,}\b`)
	ipv4   = regexp.MustCompile(`\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b`)
	ipv6   = regexp.MustCompile(`[0-9A-Fa-f]*:[0-9A-Fa-f:.]*[0-9A-Fa-f:]`)
)

// secrets scrubs what must never be written: the password and the bearer
// token wherever text from a server or an error repeats them, credentials
// in URIs, bearer tokens and Authorization values, JWTs.
type secrets struct {
	password string   // "" when it cannot be told apart from ordinary text (see passwordScannable)
	token    []string // the bearer token and its long parts (tokenParts); nil without one
	n        counter
}

// minTokenPart: a part of the token this long is as unlikely in ordinary
// text as the whole token.
const minTokenPart = 16

// tokenParts is the bearer token, then each of its dot-separated parts
// (a JWT's header, claims and signature) of minTokenPart characters or
// more, so a token cut short or split at its dots is found too; nil
// without a token.
func tokenParts(token string) []string {
	if token == "" {
		return nil
	}
	parts := []string{token}
	for p := range strings.SplitSeq(token, ".") {
		if len(p) >= minTokenPart && p != token {
			parts = append(parts, p)
		}
	}
	return parts
}

func (s *secrets) scrub(v string) string {
	if s.password != "" && strings.Contains(v, s.password) {
		s.n.add(KindPassword, strings.Count(v, s.password))
		v = strings.ReplaceAll(v, s.password, mask)
	}
	for _, part := range s.token {
		if strings.Contains(v, part) {
			s.n.add(KindBearer, strings.Count(v, part))
			v = strings.ReplaceAll(v, part, mask)
		}
	}
	v = jwt.ReplaceAllStringFunc(v, func(string) string {
		s.n.add(KindBearer, 1)
		return mask
	})
	v = uriCreds.ReplaceAllStringFunc(v, func(m string) string {
		sub := uriCreds.FindStringSubmatch(m)
		user, _, hasPass := strings.Cut(sub[2], ":")
		if !hasPass {
			return m
		}
		s.n.add(KindURICredentials, 1)
		return sub[1] + user + ":" + mask + "@"
	})
	for _, re := range []*regexp.Regexp{bearer, authHdr} {
		v = re.ReplaceAllStringFunc(v, func(m string) string {
			s.n.add(KindBearer, 1)
			return re.FindStringSubmatch(m)[1] + mask
		})
	}
	if s.password != "" || s.token != nil {
		v = hexRun.ReplaceAllStringFunc(v, func(m string) string {
			b := string(decodeHexRun(m))
			if s.password != "" && strings.Contains(b, s.password) {
				s.n.add(KindHex, 1)
				return "[bytes withheld: they hold the password]"
			}
			for _, part := range s.token {
				if strings.Contains(b, part) {
					s.n.add(KindHex, 1)
					return "[bytes withheld: they hold the bearer token]"
				}
			}
			return m
		})
	}
	return v
}

func decodeHexRun(m string) []byte {
	b, _ := hex.DecodeString(strings.ReplaceAll(m, " ", ""))
	return b
}

// hosts gives host names and IP addresses stable pseudonyms: the same
// name or address always gets the same one within a bundle. Loopback,
// private and link-local addresses keep their class in the pseudonym
// (loopback-ip-1, private-ip-2, link-local-ip-3; ip-4 otherwise) because
// "a member advertises a loopback address" is often the diagnosis; names
// become host-N (an Aura host keeps .databases.neo4j.io, which names
// Neo4j's service, not the user's), their parent domains domain-N.
// "localhost", the unspecified addresses and a few single labels that are
// words of every report (see keepHost) stay as they are.
type hosts struct {
	pseudo  map[string]string // lower-case original → pseudonym
	order   []string          // originals in the order they were met
	domains []string          // registered parent domains
	ips     int
	names   int
	doms    int
	n       counter
	re      *regexp.Regexp            // every original, longest first; nil before compile
	under   map[string]*regexp.Regexp // by domain: names under it
	loose   map[string]bool           // originals replaced even between hyphens
}

func newHosts(n counter) *hosts {
	return &hosts{pseudo: map[string]string{}, under: map[string]*regexp.Regexp{}, loose: map[string]bool{}, n: n}
}

// keepHost says whether s is left as it is.
func keepHost(s string) bool {
	l := strings.ToLower(strings.TrimSuffix(s, "."))
	switch l {
	case "", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "0.0.0.0", "::",
		// Single labels that are also words of every report (the scheme,
		// the default database and user, Docker Compose's usual service
		// names): replacing them would rewrite "neo4j://" and "system",
		// and they name no one's topology.
		"neo4j", "bolt", "system", "db", "database", "server", "host", "graph", "docker":
		return true
	}
	if reportWords[l] {
		return true
	}
	return strings.HasPrefix(l, "*") && !strings.Contains(l[1:], ".")
}

// reportWords are values the report's schema fixes (check ids, statuses):
// a host with such a name would otherwise rewrite them.
var reportWords = func() map[string]bool {
	m := map[string]bool{"pass": true, "warn": true, "fail": true, "skip": true}
	for _, c := range checks.Checks() {
		m[c.ID] = true
	}
	return m
}()

// addAddress registers the host of "host:port", "[v6]:port", a bare host
// or a URI.
func (h *hosts) addAddress(s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	if strings.Contains(s, "://") {
		if u, err := url.Parse(s); err == nil && u.Hostname() != "" {
			h.addHost(u.Hostname())
		}
		return
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		h.addHost(host)
		return
	}
	h.addHost(strings.Trim(s, "[]"))
}

// addHost registers a bare host name or IP address.
func (h *hosts) addHost(s string) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if keepHost(s) {
		return
	}
	s = strings.TrimPrefix(s, "*.") // a wildcard SAN: its domain is what names the topology
	if i := strings.IndexByte(s, '%'); i > 0 {
		s = s[:i] // fe80::1%eth0
	}
	key := strings.ToLower(s)
	if _, ok := h.pseudo[key]; ok {
		return
	}
	if ip := net.ParseIP(s); ip != nil {
		if ip.IsUnspecified() {
			return
		}
		h.ips++
		class := "ip"
		switch {
		case ip.IsLoopback():
			class = "loopback-ip"
		case ip.IsPrivate():
			class = "private-ip"
		case ip.IsLinkLocalUnicast():
			class = "link-local-ip"
		}
		h.set(key, fmt.Sprintf("%s-%d", class, h.ips))
		return
	}
	if !plausibleName(s) {
		return
	}
	if strings.HasSuffix(key, aura.Suffix) {
		id := strings.TrimSuffix(key, aura.Suffix)
		h.names++
		p := fmt.Sprintf("host-%d", h.names)
		h.set(key, p+aura.Suffix)
		if !strings.Contains(id, ".") {
			// The instance id, as AURA_INSTANCEID gives it, also inside
			// the credentials file's name Neo4j-<id>-Created-<date>.txt.
			h.set(id, p)
			h.loose[id] = true
		}
		return
	}
	if !strings.Contains(key, ".") {
		// A single label (a Docker service name, say) only names
		// topology in context; it is registered but not its domain.
		h.names++
		h.set(key, fmt.Sprintf("host-%d", h.names))
		return
	}
	h.names++
	h.set(key, fmt.Sprintf("host-%d", h.names))
	if _, parent, ok := strings.Cut(key, "."); ok && strings.Contains(parent, ".") {
		h.addDomain(parent)
	}
}

// addDomain registers a domain (a resolv.conf search domain, a name's
// parent) so names under it that were never looked up are found too.
func (h *hosts) addDomain(d string) {
	d = strings.ToLower(strings.Trim(strings.TrimSpace(d), "."))
	if d == "" || !plausibleName(d) || strings.HasSuffix("."+d, aura.Suffix) || d == "neo4j.io" {
		return
	}
	if _, ok := h.pseudo[d]; ok {
		return
	}
	h.doms++
	h.set(d, fmt.Sprintf("domain-%d", h.doms))
	h.domains = append(h.domains, d)
}

func (h *hosts) set(key, p string) {
	h.pseudo[key] = p
	h.order = append(h.order, key)
	h.re = nil
}

func plausibleName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '.' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127) {
			return false
		}
	}
	return true
}

// discover registers what text mentions without a structured field
// saying so: IP addresses anywhere, and names under a registered domain.
// Hex runs are decoded and searched too.
func (h *hosts) discover(s string) {
	h.discoverText(s)
	for _, m := range hexRun.FindAllString(s, -1) {
		h.discoverText(printable(decodeHexRun(m)))
	}
}

func (h *hosts) discoverText(s string) {
	for _, loc := range ipv4.FindAllStringIndex(s, -1) {
		if ipBoundary(s, loc[0], loc[1]) {
			h.addHost(s[loc[0]:loc[1]])
		}
	}
	if strings.Count(s, ":") >= 2 {
		for _, m := range ipv6.FindAllString(s, -1) {
			if strings.Count(m, ":") >= 2 {
				if ip := net.ParseIP(m); ip != nil {
					h.addHost(m)
				}
			}
		}
	}
	lower := strings.ToLower(s)
	for _, d := range h.domains {
		if !strings.Contains(lower, d) {
			continue
		}
		re, ok := h.under[d]
		if !ok {
			re = regexp.MustCompile(`(?i)(?:[a-z0-9_-]+\.)+` + regexp.QuoteMeta(d))
			h.under[d] = re
		}
		for _, m := range re.FindAllString(s, -1) {
			h.addHost(m)
		}
	}
}

// printable keeps the bytes that could spell a name, so a binary message
// is searched like text.
func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = ' '
		}
		out[i] = c
	}
	return string(out)
}

func (h *hosts) compile() *regexp.Regexp {
	if h.re != nil || len(h.order) == 0 {
		return h.re
	}
	keys := append([]string(nil), h.order...)
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	alt := make([]string, len(keys))
	for i, k := range keys {
		alt[i] = regexp.QuoteMeta(k)
	}
	h.re = regexp.MustCompile(`(?i)(?:` + strings.Join(alt, "|") + `)`)
	return h.re
}

// find returns the spans of originals in s that stand as a whole name or
// address: not inside a longer name, number or hex string.
func (h *hosts) find(s string) [][]int {
	re := h.compile()
	if re == nil {
		return nil
	}
	var out [][]int
	for _, loc := range re.FindAllStringIndex(s, -1) {
		if nameBoundary(s, loc[0], loc[1]) || h.loose[strings.ToLower(s[loc[0]:loc[1]])] && alnumBoundary(s, loc[0], loc[1]) {
			out = append(out, loc)
		}
	}
	return out
}

func alnum(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func alnumBoundary(s string, i, j int) bool {
	return (i == 0 || !alnum(s[i-1])) && (j == len(s) || !alnum(s[j]))
}

func nameChar(c byte) bool {
	return c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// nameBoundary: a name stands alone, or with more labels around it
// (x.db.example.com and db.example.com.evil still spell db.example.com),
// but not inside a longer label: mydb.example.com is another name, found
// on its own by discover.
func nameBoundary(s string, i, j int) bool {
	return (i == 0 || !nameChar(s[i-1])) && (j == len(s) || !nameChar(s[j]))
}

func ipBoundary(s string, i, j int) bool {
	if i > 0 && (s[i-1] == '.' || s[i-1] >= '0' && s[i-1] <= '9') {
		return false
	}
	if j < len(s) && (s[j] == '.' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' || s[j] >= '0' && s[j] <= '9') {
		return false
	}
	return true
}

// replace swaps every original in s for its pseudonym, and withholds hex
// runs that spell one.
func (h *hosts) replace(s string) string {
	if len(h.order) == 0 {
		return s
	}
	s = hexRun.ReplaceAllStringFunc(s, func(m string) string {
		if len(h.find(printable(decodeHexRun(m)))) > 0 {
			h.n.add(KindHex, 1)
			return "[bytes withheld: they spell a host name or address]"
		}
		return m
	})
	locs := h.find(s)
	if len(locs) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, loc := range locs {
		orig := strings.ToLower(s[loc[0]:loc[1]])
		p := h.pseudo[orig]
		if net.ParseIP(orig) != nil {
			h.n.add(KindIPAddress, 1)
		} else {
			h.n.add(KindHostName, 1)
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString(p)
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// transform returns a deep copy of v (a pointer, struct, slice, map or
// string, nested in any way) with f applied to every string in it,
// including map keys and strings inside interface values. Unexported
// fields are copied as they are. v itself is never modified: the caller
// still prints the original report.
func transform[T any](v T, f func(string) string) T {
	rv := reflect.ValueOf(&v).Elem()
	out := reflect.New(rv.Type()).Elem()
	out.Set(walk(rv, f))
	return out.Interface().(T)
}

// walkStrings calls f on every string in v without copying.
func walkStrings(v any, f func(string)) {
	walk(reflect.ValueOf(v), func(s string) string { f(s); return s })
}

func walk(v reflect.Value, f func(string) string) reflect.Value {
	if !v.IsValid() {
		return v
	}
	switch v.Kind() {
	case reflect.String:
		out := reflect.New(v.Type()).Elem()
		out.SetString(f(v.String()))
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(walk(v.Elem(), f))
		return p
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(walk(v.Elem(), f))
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := 0; i < v.NumField(); i++ {
			if out.Field(i).CanSet() {
				out.Field(i).Set(walk(v.Field(i), f))
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(walk(v.Index(i), f))
		}
		return out
	case reflect.Array:
		out := reflect.New(v.Type()).Elem()
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(walk(v.Index(i), f))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			out.SetMapIndex(walk(iter.Key(), f), walk(iter.Value(), f))
		}
		return out
	}
	return v
}
