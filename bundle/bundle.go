// Package bundle writes and reads support bundles: one JSON document
// (bundleVersion 1, described by schema/bundle.v1.schema.json) that holds
// everything a run saw, so a support engineer can decide a case without a
// call: the report exactly as report.JSON writes it, the run's artifacts
// (handshake bytes, the certificate chain as PEM, routing tables as
// received, the Bolt transcript, every server failure, timings in
// nanoseconds, and the same for each cluster member), and the machine's
// environment (tool build, OS, resolvers, matching hosts-file entries,
// proxy variables).
//
// Nothing secret is written. The password and the bearer token never
// enter a report or the artifacts (checks/ keeps them out and the Bolt
// transcript masks them); Build still masks them wherever text from a
// server or an error repeats them, strips credentials from every URI and
// bearer tokens (the run's own, "Bearer …" values and anything shaped like
// a JWT) from every string, and as a last line of defence searches the
// finished document, hex dumps decoded, for the password and the token and
// refuses to return it if either is there.
// With RedactHosts every host name and IP address becomes a stable
// pseudonym (see hosts) and certificates, which name their hosts, are left
// out. The redactions section says what was done, never what was removed.
//
// The package writes no output: Build returns bytes for the CLI to put in
// a file, and Read turns them back into a report for package report to
// render.
package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/internal/aura"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// Version is the bundleVersion Build writes and Read accepts.
const Version = 1

// Tool is the build that wrote a bundle.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
}

// Document is a support bundle. Its JSON key order is its field order.
type Document struct {
	BundleVersion int    `json:"bundleVersion"`
	Tool          Tool   `json:"tool"`
	CreatedAt     string `json:"createdAt"` // UTC, RFC 3339
	// Report is the report exactly as `--format json` writes it (schema
	// report.v1), after redaction.
	Report      json.RawMessage   `json:"report"`
	Artifacts   *checks.Artifacts `json:"artifacts"`
	Environment Environment       `json:"environment"`
	Redactions  Redactions        `json:"redactions"`
}

// Redactions says what was taken out of the bundle: kinds and counts,
// never the originals.
type Redactions struct {
	Hosts bool `json:"hosts"` // --redact-hosts: names and addresses are pseudonyms
	// Counts has one entry per kind that was redacted at least once,
	// in a fixed order.
	Counts []Count `json:"counts"`
	// PasswordScan is how the finished bundle was searched for the
	// password: "passed", or why it could not be.
	PasswordScan string `json:"passwordScan"`
	// Never lists what a bundle never holds, redacted or not.
	Never []string `json:"never"`
}

// Count is how many times one kind of thing was redacted.
type Count struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

var never = []string{
	"the password: the report says where it came from, never what it is",
	"credentials in URIs, Authorization values and bearer tokens",
	"the command line, which may hold -p",
	"the connection file itself: the report names it and its keys",
}

// Options are the inputs of Build besides the report.
type Options struct {
	Tool Tool
	// Password is the password the run used, only to search the finished
	// bundle for it; it is never written.
	Password string
	// BearerToken is the bearer token the run logged in with (the
	// target's BearerToken), only to mask it and search the finished
	// bundle for it; it is never written. A token is long and random, so
	// unlike a password it is always searched for.
	BearerToken string
	RedactHosts bool
	Env         EnvSource
}

// Summary says what Build wrote, for the line the CLI prints.
type Summary struct {
	Bytes        int
	Checks       int
	Members      int
	Frames       int // Bolt messages in the transcripts, members' included
	Certificates int
	Failures     int // server FAILURE messages, members' included
	Redactions   Redactions
}

// ErrSecret means the finished bundle still held the password or, with
// RedactHosts, an original host: it was not returned. This is a bug in
// neo4j-doctor.
var ErrSecret = errors.New("bundle: the finished bundle still holds a secret")

// Build makes the bundle of rep. It never modifies rep.
func Build(rep *checks.Report, opts Options) ([]byte, *Summary, error) {
	if rep == nil {
		return nil, nil, errors.New("bundle: nil report")
	}
	if opts.Tool.Name == "" {
		opts.Tool.Name = "neo4j-doctor"
	}
	if opts.Env.Now == nil {
		opts.Env.Now = time.Now
	}
	n := counter{}
	arts := rep.Artifacts
	if arts == nil {
		arts = &checks.Artifacts{Resolved: []string{}, Timings: []checks.Timing{}, Transcript: []checks.TranscriptFrame{}, Failures: []checks.ServerFailure{}, Members: []checks.MemberArtifacts{}}
	}
	bare := *rep
	bare.Artifacts = nil // carried separately, and transformed once
	env := collectEnvironment(opts.Env, lookedUp(rep, arts), n)

	sec := &secrets{n: n, token: tokenParts(opts.BearerToken)}
	scan := passwordScannable(opts.Password, rep)
	if scan == "" {
		sec.password = opts.Password
	}
	var h *hosts
	if opts.RedactHosts {
		h = newHosts(n)
		registerHosts(h, &bare, arts, &env)
		for _, v := range []any{&bare, arts, &env} {
			walkStrings(v, h.discover)
		}
	}
	f := func(s string) string {
		s = sec.scrub(s)
		if h != nil {
			s = h.replace(s)
		}
		return s
	}
	red := transform(bare, f)
	artsOut := transform(arts, f)
	envOut := transform(env, f)
	if h != nil {
		withholdPEM(artsOut, n)
	}

	var rj bytes.Buffer
	if err := report.JSON(&rj, &red, report.ToolInfo{Name: opts.Tool.Name, Version: opts.Tool.Version}); err != nil {
		return nil, nil, err
	}
	doc := Document{
		BundleVersion: Version,
		Tool:          transform(opts.Tool, sec.scrub),
		CreatedAt:     opts.Env.Now().UTC().Format(time.RFC3339Nano),
		Report:        json.RawMessage(bytes.TrimSpace(rj.Bytes())),
		Artifacts:     artsOut,
		Environment:   envOut,
		Redactions:    Redactions{Hosts: opts.RedactHosts, Counts: n.list(), PasswordScan: "passed", Never: never},
	}
	if scan != "" {
		doc.Redactions.PasswordScan = scan
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, nil, fmt.Errorf("bundle: encode: %w", err)
	}
	data := out.Bytes()
	if err := lastLook(data, sec.password, sec.token, h); err != nil {
		return nil, nil, err
	}
	sum := &Summary{Bytes: len(data), Checks: len(rep.Checks), Members: len(rep.Members), Redactions: doc.Redactions}
	countArtifacts(artsOut, sum)
	return data, sum, nil
}

// kindOrder fixes the order of Counts.
var kindOrder = []string{KindPassword, KindURICredentials, KindBearer, KindProxyCreds, KindHostName, KindIPAddress, KindCertPEM, KindHex}

func (c counter) list() []Count {
	out := []Count{}
	for _, k := range kindOrder {
		if c[k] > 0 {
			out = append(out, Count{Kind: k, Count: c[k]})
		}
	}
	return out
}

// minScan: shorter passwords match ordinary text and hex everywhere (the
// Bolt transcript draws the same line).
const minScan = 4

// passwordScannable returns "" when the password can be searched for, or
// why not: too short, or a word the bundle uses anyway ("neo4j", the
// user name, "password", ...), where a hit would prove nothing and
// masking it would garble the report.
func passwordScannable(p string, rep *checks.Report) string {
	switch {
	case p == "":
		return "not needed: no password was given"
	case len(p) < minScan:
		return fmt.Sprintf("skipped: a password under %d characters cannot be told apart from ordinary text; it was never collected", minScan)
	}
	vocab := []string{string(report.SchemaJSON), string(SchemaJSON), "neo4j-doctor", rep.Target.Username, rep.Target.Scheme, rep.Target.Database}
	for k := range rep.Target.Settings {
		vocab = append(vocab, k)
	}
	for _, c := range checks.Checks() {
		vocab = append(vocab, c.ID, c.Title)
	}
	for _, v := range vocab {
		if strings.Contains(v, p) {
			return "skipped: the password is a word every bundle contains, so finding it would prove nothing; it was never collected"
		}
	}
	return ""
}

// lastLook decodes every string of the finished bundle (and the bytes of
// every hex dump in it) and fails if the password, the bearer token or a
// long part of it (see tokenParts), or with host redaction an original
// host, is still there.
func lastLook(data []byte, password string, token []string, h *hosts) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		s, ok := tok.(string)
		if !ok {
			continue
		}
		texts := []string{s}
		for _, m := range hexRun.FindAllString(s, -1) {
			texts = append(texts, string(decodeHexRun(m)))
		}
		for _, t := range texts {
			if password != "" && strings.Contains(t, password) {
				return fmt.Errorf("%w: the password", ErrSecret)
			}
			for _, part := range token {
				if strings.Contains(t, part) {
					return fmt.Errorf("%w: the bearer token", ErrSecret)
				}
			}
			if h != nil && len(h.find(printable([]byte(t)))) > 0 {
				return fmt.Errorf("%w: a host name or address that --redact-hosts should have replaced", ErrSecret)
			}
		}
	}
	return nil
}

// lookedUp lists the host names the run resolved, for the hosts file.
func lookedUp(rep *checks.Report, a *checks.Artifacts) []string {
	names := []string{rep.Target.Host}
	for _, m := range rep.Members {
		if host, _, err := net.SplitHostPort(m.Address); err == nil {
			names = append(names, host)
		}
	}
	for _, m := range a.Members {
		if m.Artifacts != nil {
			if host, _, err := net.SplitHostPort(m.Artifacts.Address); err == nil {
				names = append(names, host)
			}
		}
	}
	return names
}

var cnRE = regexp.MustCompile(`(?:^|,)\s*CN=([^,+]+)`)

// registerHosts feeds every field that holds a host or an address to h,
// in a fixed order so the same run gives the same pseudonyms.
func registerHosts(h *hosts, rep *checks.Report, a *checks.Artifacts, env *Environment) {
	t := rep.Target
	h.addHost(t.Host)
	h.addAddress(t.URI)
	if id := strings.ToLower(t.AuraInstance); id != "" && !aura.IsHost(t.Host) {
		h.addHost(id)
		if _, ok := h.pseudo[id]; ok {
			h.loose[id] = true // also inside Neo4j-<id>-Created-<date>.txt
		}
	}
	registerArtifacts(h, a)
	for _, m := range rep.Members {
		h.addAddress(m.Address)
	}
	if t.Resolver != "system" {
		h.addAddress(t.Resolver)
	}
	for _, k := range slices.Sorted(maps.Keys(t.Settings)) {
		if v := t.Settings[k].Value; strings.Contains(v, "://") {
			h.addAddress(v)
		}
	}
	for _, ns := range env.ResolvConf.Nameservers {
		h.addHost(ns)
	}
	for _, d := range env.ResolvConf.Search {
		h.addDomain(d)
	}
	for _, e := range env.Hosts.Entries {
		h.addHost(e.Address)
		for _, n := range e.Names {
			h.addHost(n)
		}
	}
	for _, p := range env.Proxy {
		if strings.EqualFold(p.Name, "NO_PROXY") {
			for _, e := range strings.Split(p.Value, ",") {
				e = strings.TrimSpace(e)
				if ip, _, err := net.ParseCIDR(e); err == nil {
					h.addHost(ip.String())
					continue
				}
				if strings.HasPrefix(e, ".") {
					h.addDomain(e)
					continue
				}
				h.addAddress(e)
			}
			continue
		}
		h.addAddress(p.Value)
	}
}

func registerArtifacts(h *hosts, a *checks.Artifacts) {
	if a == nil {
		return
	}
	h.addAddress(a.Address)
	for _, r := range a.Resolved {
		h.addHost(r)
	}
	h.addAddress(a.Connected)
	if t := a.TLS; t != nil {
		h.addHost(t.ServerName)
		h.addHost(t.SNI)
		h.addAddress(t.Remote)
		for _, c := range t.Chain {
			for _, n := range c.DNSNames {
				h.addHost(n)
			}
			for _, ip := range c.IPs {
				h.addHost(ip)
			}
			for _, dn := range []string{c.Subject, c.Issuer} {
				for _, m := range cnRE.FindAllStringSubmatch(dn, -1) {
					if cn := strings.TrimSpace(m[1]); strings.Contains(cn, ".") {
						h.addHost(cn)
					}
				}
			}
		}
	}
	if a.Hello != nil {
		h.addAddress(a.Hello.AdvertisedAddress)
	}
	if r := a.Routing; r != nil {
		for _, l := range [][]string{r.Routers, r.Readers, r.Writers} {
			for _, addr := range l {
				h.addAddress(addr)
			}
		}
	}
	for _, m := range a.Members {
		h.addAddress(m.Address)
		registerArtifacts(h, m.Artifacts)
	}
}

// withholdPEM drops certificates, which spell their host names in DER,
// from a bundle whose hosts are redacted; fingerprints stay.
func withholdPEM(a *checks.Artifacts, n counter) {
	if a == nil {
		return
	}
	if a.TLS != nil {
		for i := range a.TLS.Chain {
			if a.TLS.Chain[i].PEM != "" {
				a.TLS.Chain[i].PEM = ""
				n.add(KindCertPEM, 1)
			}
		}
	}
	for _, m := range a.Members {
		withholdPEM(m.Artifacts, n)
	}
}

func countArtifacts(a *checks.Artifacts, s *Summary) {
	if a == nil {
		return
	}
	s.Frames += len(a.Transcript)
	s.Failures += len(a.Failures)
	if a.TLS != nil {
		s.Certificates += len(a.TLS.Chain)
	}
	for _, m := range a.Members {
		countArtifacts(m.Artifacts, s)
	}
}

// Bundle is a bundle read back: the document, and its report ready to
// render.
type Bundle struct {
	Document
	Report *checks.Report
	// ReportTool is the tool named inside the report.
	ReportTool report.ToolInfo
}

// MaxSize bounds what Read accepts; a bundle of a 100-member cluster is a
// few megabytes.
const MaxSize = 64 << 20

// Read decodes data strictly (see report.DecodeStrict: one JSON value,
// bundleVersion 1, every key and no other, the right types) and returns
// the bundle with its report; the error is one line. Durations come from
// the artifacts' nanoseconds where they are there, so the report renders
// exactly as it did for the user.
func Read(data []byte) (*Bundle, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("bundle: %d bytes is more than a bundle can be (%d)", len(data), MaxSize)
	}
	var b Bundle
	if err := report.DecodeStrict(data, &b.Document, "bundleVersion", Version); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if err := checkValues(&b.Document); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	rep, tool, err := report.Decode(b.Document.Report)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	b.Report, b.ReportTool = rep, tool
	if a := b.Artifacts; a != nil {
		applyTimings(rep.Checks, a.Timings)
		for i := range rep.Members {
			if i < len(a.Members) && a.Members[i].Address == rep.Members[i].Address && a.Members[i].Artifacts != nil {
				applyTimings(rep.Members[i].Checks, a.Members[i].Artifacts.Timings)
			}
		}
		rep.Artifacts = a
	}
	return &b, nil
}

// applyTimings restores nanoseconds where they agree with the report's
// rounded milliseconds; a bundle edited by hand keeps the report's.
func applyTimings(rs []checks.Result, ts []checks.Timing) {
	ns := make(map[string]int64, len(ts))
	for _, t := range ts {
		ns[t.Check] = t.Nanos
	}
	for i := range rs {
		v, ok := ns[rs[i].ID]
		if !ok {
			continue
		}
		d := time.Duration(v)
		if d.Truncate(time.Microsecond) == rs[i].Duration || d.Round(time.Microsecond) == rs[i].Duration {
			rs[i].Duration = d
		}
	}
}
