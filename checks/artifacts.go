package checks

import (
	"errors"
	"fmt"
	"math"
	"net"
	"sort"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"
)

// Artifacts is the raw material of one run that the report leaves out
// because a person reading a checklist does not need it, but a support
// engineer deciding a case without a call does: every byte count and
// server answer as received, per-step timings in nanoseconds, and the same
// for every cluster member. It holds no secret: the password never enters
// a run's state except in the Bolt client, whose transcript redacts it.
// The support bundle (package bundle) serialises it; nothing else does.
type Artifacts struct {
	Address  string   `json:"address"`  // host:port this run diagnosed
	Resolved []string `json:"resolved"` // addresses the name resolved to, in order; [] when DNS did not answer
	// Connected is the address the TCP connection was made to; "" when
	// none was.
	Connected string `json:"connected"`
	// Timings is every check, in nanoseconds, in the order of the report
	// (0 for one skipped because a check it needs failed); the report's
	// milliseconds are rounded.
	Timings    []Timing           `json:"timings"`
	Handshake  *HandshakeArtifact `json:"handshake"`  // nil unless the Bolt handshake succeeded; the bolt check's evidence has the bytes of a failed one
	TLS        *TLSArtifact       `json:"tls"`        // nil unless a TLS handshake was attempted
	Hello      *HelloArtifact     `json:"hello"`      // nil unless HELLO was sent
	Routing    *RoutingArtifact   `json:"routing"`    // nil unless a routing table arrived
	Transcript []TranscriptFrame  `json:"transcript"` // the last Bolt messages, oldest first, credentials redacted
	Failures   []ServerFailure    `json:"failures"`   // every FAILURE the server sent, as it sent it
	Members    []MemberArtifacts  `json:"members"`    // one per routing-table member, in the report's order
}

// Timing is how long one check took.
type Timing struct {
	Check string `json:"check"`
	Nanos int64  `json:"ns"`
}

// MemberArtifacts is a member's own run.
type MemberArtifacts struct {
	Address   string     `json:"address"`
	Artifacts *Artifacts `json:"artifacts"` // nil when the address could not be parsed
}

// HandshakeArtifact is the Bolt version negotiation as it happened.
type HandshakeArtifact struct {
	Sent         string   `json:"sent"`     // hex: magic, proposals and, after a manifest, the choice
	Received     string   `json:"received"` // hex: the server's reply
	Version      string   `json:"version"`
	Manifest     bool     `json:"manifest"`
	Offered      []string `json:"offered"` // the manifest's ranges, in the server's order
	Capabilities string   `json:"capabilities"`
	Nanos        int64    `json:"ns"`
}

// TLSArtifact is what the TLS probe saw, with every certificate of the
// chain as PEM.
type TLSArtifact struct {
	ServerName          string         `json:"serverName"`
	SNI                 string         `json:"sni"`
	Remote              string         `json:"remote"`
	Mode                string         `json:"mode"`
	Handshake           bool           `json:"handshake"`
	Nanos               int64          `json:"ns"`
	ServerSpokeTLS      bool           `json:"serverSpokeTLS"`
	Received            string         `json:"received"` // hex of the first bytes when they were not TLS
	Version             string         `json:"version"`
	CipherSuite         string         `json:"cipherSuite"`
	ALPN                string         `json:"alpn"`
	OCSPStapled         bool           `json:"ocspStapled"`
	Verified            *bool          `json:"verified"`
	Trusted             *bool          `json:"trusted"`
	TrustedBy           string         `json:"trustedBy"`
	TrustedChain        []string       `json:"trustedChain"`
	HostnameMatch       *bool          `json:"hostnameMatch"`
	Problems            []string       `json:"problems"`
	VerifyError         string         `json:"verifyError"`
	Interception        string         `json:"interception"`
	AcceptedUnverified  bool           `json:"acceptedUnverified"`
	Roots               string         `json:"roots"`
	ExtraCAs            int            `json:"extraCAs"`
	ClientCertRequested bool           `json:"clientCertRequested"`
	Chain               []CertArtifact `json:"chain"` // leaf first, as sent
}

// CertArtifact is one certificate as the server sent it.
type CertArtifact struct {
	Subject   string   `json:"subject"`
	Issuer    string   `json:"issuer"`
	DNSNames  []string `json:"dnsNames"`
	IPs       []string `json:"ips"`
	Serial    string   `json:"serial"`
	NotBefore string   `json:"notBefore"` // RFC 3339, UTC
	NotAfter  string   `json:"notAfter"`
	SHA256    string   `json:"sha256"`
	PEM       string   `json:"pem"` // "" when withheld (see the bundle's redactions)
}

// HelloArtifact is the server's answer to HELLO (and LOGON).
type HelloArtifact struct {
	Server             string `json:"server"`
	ConnectionID       string `json:"connectionId"`
	ProtocolVersion    string `json:"protocolVersion"`
	AdvertisedAddress  string `json:"advertisedAddress"`
	CredentialsExpired bool   `json:"credentialsExpired"`
	HelloNanos         int64  `json:"helloNs"`
	LogonNanos         int64  `json:"logonNs"`
	// Metadata is HELLO's SUCCESS metadata as sent, in JSON terms (see
	// JSONValue).
	Metadata any `json:"metadata"`
}

// RoutingArtifact is a routing table as received and as understood.
type RoutingArtifact struct {
	Method string `json:"method"` // ROUTE or the procedure's name
	// Raw is the table as the server sent it (ROUTE pipelined with
	// HELLO); null when it came through routing.Fetch, which keeps only
	// the parsed form.
	Raw      any      `json:"raw"`
	TTL      int64    `json:"ttl"`
	Database string   `json:"database"`
	Routers  []string `json:"routers"`
	Readers  []string `json:"readers"`
	Writers  []string `json:"writers"`
	Problems []string `json:"problems"`
}

// TranscriptFrame is one Bolt message: direction ("C" client, "S"
// server), a summary and the bytes in hex (empty when they held
// credentials).
type TranscriptFrame struct {
	Dir     string `json:"dir"`
	Message string `json:"message"`
	Hex     string `json:"hex"`
}

// ServerFailure is one FAILURE message: the request it answered, its
// code, message and GQL status, and the check that received it.
type ServerFailure struct {
	Check     string `json:"check"`
	Request   string `json:"request"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	GQLStatus string `json:"gqlStatus"`
}

// Artifacts assembles the raw material of the run. Call it after Execute:
// it reads state that only finished checks leave behind.
func (r *Run) Artifacts() *Artifacts {
	a := &Artifacts{
		Address:    r.T.Address(),
		Resolved:   []string{},
		Connected:  r.s.connAddr,
		Timings:    []Timing{},
		Transcript: []TranscriptFrame{},
		Failures:   []ServerFailure{},
		Members:    []MemberArtifacts{},
	}
	for _, ip := range r.Addrs {
		a.Resolved = append(a.Resolved, ip.String())
	}
	for _, id := range r.resultOrder() {
		res := r.results[id]
		a.Timings = append(a.Timings, Timing{Check: id, Nanos: int64(res.Duration)})
		var se *bolt.ServerError
		if errors.As(res.Err, &se) {
			a.Failures = append(a.Failures, ServerFailure{Check: id, Request: se.Request, Code: se.Code, Message: se.Message, GQLStatus: se.GQLStatus})
		}
	}
	if hs := r.s.hs; len(hs.Sent) > 0 {
		h := &HandshakeArtifact{
			Sent: hexPairs(hs.Sent), Received: hexPairs(hs.Received),
			Version: hs.Version.String(), Manifest: hs.Manifest, Offered: []string{},
			Capabilities: fmt.Sprintf("0x%X", hs.Capabilities), Nanos: int64(hs.Duration),
		}
		for _, o := range hs.Offered {
			h.Offered = append(h.Offered, o.String())
		}
		a.Handshake = h
	}
	if r.s.bc != nil {
		for _, f := range r.s.bc.Transcript() {
			a.Transcript = append(a.Transcript, TranscriptFrame{Dir: f.Dir, Message: f.Message, Hex: f.Hex})
		}
	}
	if r.s.tlsInfo != nil {
		a.TLS = tlsArtifact(r.s.tlsInfo)
	}
	if r.hello != nil {
		h := r.hello
		a.Hello = &HelloArtifact{
			Server: h.Server, ConnectionID: h.ConnectionID, ProtocolVersion: h.ProtocolVersion,
			AdvertisedAddress: h.AdvertisedAddress, CredentialsExpired: h.CredentialsExpired,
			HelloNanos: int64(h.HelloDuration), LogonNanos: int64(h.LogonDuration),
			Metadata: JSONValue(h.Metadata),
		}
	}
	if t := r.table; t != nil {
		ra := &RoutingArtifact{
			Method: r.tableMethod, TTL: t.TTL, Database: t.Database,
			Routers: orEmpty(t.Routers), Readers: orEmpty(t.Readers), Writers: orEmpty(t.Writers),
			Problems: []string{},
		}
		for _, p := range t.Problems {
			ra.Problems = append(ra.Problems, p.Text)
		}
		if r.tableRaw != nil {
			ra.Raw = JSONValue(r.tableRaw)
		}
		a.Routing = ra
	}
	for _, m := range r.members {
		ma := MemberArtifacts{Address: m.Address}
		switch {
		case m.Seed:
			// The run's own connection was this member's.
			own := *a
			own.Members = []MemberArtifacts{}
			ma.Artifacts = &own
		case m.run != nil:
			ma.Artifacts = m.run.Artifacts()
		}
		a.Members = append(a.Members, ma)
	}
	return a
}

// resultOrder lists the ids of the checks that ran, in the order of the
// check list, so artifacts read like the report.
func (r *Run) resultOrder() []string {
	ids := make([]string, 0, len(r.results))
	for id := range r.results {
		ids = append(ids, id)
	}
	SortByCheckOrder(ids)
	return ids
}

// SortByCheckOrder sorts check ids in the order of the check list (as
// reports list them); ids no registered check has go last, by id.
func SortByCheckOrder(ids []string) {
	order := map[string]int{}
	for i, c := range Checks() {
		order[c.ID] = i
	}
	sort.Slice(ids, func(i, j int) bool {
		oi, iok := order[ids[i]]
		oj, jok := order[ids[j]]
		if iok != jok {
			return iok
		}
		if oi != oj {
			return oi < oj
		}
		return ids[i] < ids[j]
	})
}

func tlsArtifact(info *tlsprobe.Result) *TLSArtifact {
	t := &TLSArtifact{
		ServerName: info.ServerName, SNI: info.SNI, Remote: info.Remote, Mode: string(info.Mode),
		Handshake: info.Handshake, Nanos: int64(info.HandshakeDuration), ServerSpokeTLS: info.ServerSpokeTLS,
		Received: hexPairs(info.Received), Version: info.Version, CipherSuite: info.CipherSuite,
		ALPN: info.ALPN, OCSPStapled: info.OCSPStapled, Verified: info.Verified, Trusted: info.Trusted,
		TrustedBy: info.TrustedBy, TrustedChain: orEmpty(info.TrustedChain), HostnameMatch: info.HostnameMatch,
		Problems: orEmpty(info.Problems), VerifyError: info.VerifyError, Interception: info.Interception,
		AcceptedUnverified: info.AcceptedAny, Roots: info.Roots, ExtraCAs: info.ExtraCAs,
		ClientCertRequested: info.ClientCertRequested, Chain: []CertArtifact{},
	}
	for _, c := range info.Chain {
		t.Chain = append(t.Chain, CertArtifact{
			Subject: c.Subject, Issuer: c.Issuer, DNSNames: orEmpty(c.DNSNames), IPs: orEmpty(c.IPs),
			Serial: c.Serial, NotBefore: c.NotBefore.UTC().Format(time.RFC3339),
			NotAfter: c.NotAfter.UTC().Format(time.RFC3339), SHA256: c.SHA256, PEM: c.PEM,
		})
	}
	return t
}

// hexPairs is every byte as lower-case hex pairs separated by spaces;
// unlike the report's evidence it is not cut.
func hexPairs(b []byte) string {
	return fmt.Sprintf("% x", b)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Bounds on JSONValue: a hostile server's metadata must not blow up a
// bundle any more than it may blow up the client.
const (
	maxJSONDepth = 16
	maxJSONItems = 1024
	maxJSONBytes = 4096
)

// JSONValue turns a PackStream value as decoded by bolt (maps, lists,
// int64, float64, strings, bytes, structures) into something
// encoding/json writes faithfully and always can: NaN and infinities
// become strings, bytes become hex, structures {"struct": "0x4E",
// "fields": [...]}, and depth, collection sizes and string lengths are
// capped with the cut said.
func JSONValue(v any) any { return jsonValue(v, 0) }

func jsonValue(v any, depth int) any {
	if depth > maxJSONDepth {
		return "… (nested too deep)"
	}
	switch x := v.(type) {
	case nil, bool, int64:
		return x
	case int:
		return int64(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprint(x)
		}
		return x
	case string:
		if len(x) > maxJSONBytes {
			return x[:maxJSONBytes] + fmt.Sprintf("… (%d bytes)", len(x))
		}
		return x
	case []byte:
		if len(x) > maxJSONBytes {
			return "bytes " + hexPairs(x[:maxJSONBytes]) + fmt.Sprintf(" … (%d bytes)", len(x))
		}
		return "bytes " + hexPairs(x)
	case []any:
		out := make([]any, 0, min(len(x), maxJSONItems))
		for i, e := range x {
			if i == maxJSONItems {
				out = append(out, fmt.Sprintf("… and %d more", len(x)-i))
				break
			}
			out = append(out, jsonValue(e, depth+1))
		}
		return out
	case []string:
		l := make([]any, len(x))
		for i, s := range x {
			l[i] = s
		}
		return jsonValue(l, depth)
	case map[string]any:
		out := make(map[string]any, min(len(x), maxJSONItems))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i == maxJSONItems {
				out["…"] = fmt.Sprintf("%d more entries", len(keys)-i)
				break
			}
			out[k] = jsonValue(x[k], depth+1)
		}
		return out
	case *packstream.Struct:
		if x == nil {
			return nil
		}
		return map[string]any{"struct": fmt.Sprintf("0x%02X", x.Tag), "fields": jsonValue(x.Fields, depth+1)}
	case packstream.Struct:
		return jsonValue(&x, depth)
	case net.IP:
		return x.String()
	}
	return fmt.Sprintf("%T", v)
}
