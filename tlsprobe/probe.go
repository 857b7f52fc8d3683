// Package tlsprobe performs the TLS client handshake of a Neo4j driver over
// an already-dialled TCP connection and reports what it saw: protocol,
// cipher, the certificate chain as the server sent it, what verification
// found, and, when the handshake failed, why, as typed errors that carry the
// evidence. It never prints; checks/tls.go turns its facts into verdicts and
// hints.
//
// The handshake always runs with InsecureSkipVerify and verifies the chain
// itself (in VerifyConnection), so the chain is captured even when it is
// rejected, and trust, dates and host name are checked separately so that
// every problem is reported. Credentials must only be sent over the
// returned connection: Probe returns it only when the policy (Mode) allows.
//
// Why an untrusted chain is untrusted is decided by these rules, first match:
//
//  1. the root the chain leads to is out of date: ErrExpired;
//  2. a certificate in the chain names a TLS-inspection product (see
//     InterceptionProduct): ErrInterception with the product;
//  3. the leaf is self-signed: ErrSelfSigned;
//  4. the system trust store is empty: ErrNoSystemRoots;
//  5. the host is an Aura host (aura.IsHost), whose certificates come from a
//     public CA: ErrInterception with no product named;
//  6. the last certificate sent is not self-signed and is evidently signed by
//     an intermediate (it carries an Authority Information Access "CA
//     Issuers" URL, as publicly issued certificates do, or its issuer's
//     common name says "intermediate"): ErrIncompleteChain. A server never
//     needs to send its root, so a leaf signed directly by a private root
//     looks the same on the wire as a leaf missing its intermediate; without
//     such a sign the issuer is taken to be a private root;
//  7. otherwise ErrUnknownAuthority.
//
// Out-of-date certificates (ErrExpired, ErrNotYetValid) and a host name
// mismatch (ErrHostMismatch) are checked independently; when more than one
// problem is found the first is the error and the others are in
// CertError.Also.
//
// A chain that is trusted although it names an interception product (the
// corporate root is installed) is not an error: Result.Interception says so.
package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/internal/aura"
)

// Mode is the certificate policy of the URI scheme.
type Mode string

const (
	// Verify is "+s": the chain must lead to a trusted root, be in date
	// and be valid for ServerName.
	Verify Mode = "verify"
	// AcceptAny is "+ssc": any certificate is accepted (as the drivers do
	// with InsecureSkipVerify); verification still runs and its findings
	// are reported.
	AcceptAny Mode = "accept-any"
)

// Config is the client side of one probe. The zero value (plus a
// ServerName) verifies against the system roots.
type Config struct {
	// ServerName is the host name from the URI: sent as SNI (unless it is
	// an IP literal) and checked against the certificate, even when the
	// connection was dialled to a resolved IP or a routing-table member's
	// address. Empty skips the host name check (HostnameMatch stays nil).
	ServerName string
	// Mode is Verify ("" means Verify) or AcceptAny.
	Mode Mode
	// Roots are the trusted roots; nil means the system roots.
	Roots *x509.CertPool
	// RootsAreSystem says Roots stands for the system trust store (tests
	// inject one), so an empty Roots is reported as ErrNoSystemRoots.
	RootsAreSystem bool
	// ExtraCAs are trusted in addition to Roots (--ca-file; see ParseCAs).
	ExtraCAs []*x509.Certificate
	// ClientCert is presented when the server asks for one; nil sends none.
	ClientCert *tls.Certificate
	// NextProtos are the ALPN protocols offered; Bolt uses none.
	NextProtos []string
	// Now is the clock for certificate dates; nil means time.Now.
	Now func() time.Time
	// WarnDays: a certificate expiring within this many days sets
	// Result.ExpiringSoon; 0 means 30, negative disables the warning.
	WarnDays int
	// Timeout bounds the handshake when ctx has no earlier deadline;
	// 0 means 10 s.
	Timeout time.Duration
	// AlertWait: with TLS 1.3 a server checks the client certificate only
	// after the client has finished the handshake. When the server asked
	// for one and none was sent, Probe waits up to this long for its
	// verdict (an alert, or a session ticket meaning "accepted") before
	// returning the connection. 0 means 500 ms; negative disables the wait.
	AlertWait time.Duration
	// Sessions, when set, keeps the sessions servers offer and resumes
	// them (TLS 1.2 tickets, TLS 1.3 PSK): a process that probes again
	// saves the certificate exchange and its CPU on both sides. A resumed
	// handshake is verified too, against the chain of the session's full
	// handshake (Result.Resumed says so). nil resumes nothing.
	Sessions tls.ClientSessionCache
}

func (c Config) withDefaults() Config {
	if c.Mode == "" {
		c.Mode = Verify
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.WarnDays == 0 {
		c.WarnDays = 30
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.AlertWait == 0 {
		c.AlertWait = 500 * time.Millisecond
	}
	return c
}

// Result is what one probe saw. Pointer booleans are nil when the question
// could not be asked (no certificate was received). Fields describing the
// chain are empty when the server sent none.
type Result struct {
	ServerName string `json:"server_name"` // name the certificate is checked against: the URI host
	SNI        string `json:"sni"`         // name sent in the ClientHello; "" when ServerName is an IP literal (TLS forbids IPs in SNI)
	Remote     string `json:"remote"`      // address the connection is dialled to
	Mode       Mode   `json:"mode"`        // certificate policy applied
	Aura       bool   `json:"aura"`        // ServerName is a Neo4j Aura host

	Handshake         bool          `json:"handshake"`          // the handshake completed and the connection is usable
	HandshakeDuration time.Duration `json:"handshake_duration"` // from ClientHello to completion or failure, in nanoseconds
	ServerSpokeTLS    bool          `json:"server_spoke_tls"`   // the server's first bytes were a TLS record (even an alert)
	BytesReceived     int64         `json:"bytes_received"`     // bytes read from the server during the probe
	Received          []byte        `json:"received,omitempty"` // the server's first bytes (≤ 256) when they were not TLS: plaintext evidence
	Version           string        `json:"version,omitempty"`  // negotiated protocol, "TLS 1.3"
	CipherSuite       string        `json:"cipher_suite,omitempty"`
	ALPN              string        `json:"alpn,omitempty"` // negotiated application protocol
	Resumed           bool          `json:"resumed"`        // the session was resumed (Config.Sessions): the chain is the one its full handshake received
	OCSPStapled       bool          `json:"ocsp_stapled"`   // the server stapled an OCSP response

	Chain      []CertInfo `json:"chain,omitempty"`       // certificates as sent, leaf first
	Roots      string     `json:"roots"`                 // "system" or "custom": the trust store before ExtraCAs
	RootsEmpty bool       `json:"roots_empty"`           // that trust store holds no certificate
	RootsError string     `json:"roots_error,omitempty"` // why the system trust store could not be loaded
	ExtraCAs   int        `json:"extra_cas"`             // certificates trusted in addition (--ca-file)

	Verified      *bool    `json:"verified"`                  // trusted, in date and valid for ServerName
	Trusted       *bool    `json:"trusted"`                   // the chain leads to a trusted root, dates aside; nil when trust cannot be told apart from dates
	TrustedBy     string   `json:"trusted_by,omitempty"`      // "system", "custom" or "ca-file": the store holding that root
	TrustedChain  []string `json:"trusted_chain,omitempty"`   // subjects of the chain that verified, leaf to root
	HostnameMatch *bool    `json:"hostname_match"`            // the leaf is valid for ServerName
	Problems      []string `json:"problems,omitempty"`        // Code of every certificate problem found, most important first
	VerifyError   string   `json:"verify_error,omitempty"`    // what verification said, in either mode
	Interception  string   `json:"interception,omitempty"`    // TLS-inspection product named by the chain, trusted or not
	AcceptedAny   bool     `json:"accepted_unverified"`       // AcceptAny let a chain through that did not verify
	AcceptedSHA   string   `json:"accepted_sha256,omitempty"` // AcceptAny: fingerprint of the leaf accepted
	// Unverified is the error Verify mode would have returned; set in
	// AcceptAny mode when the chain did not verify (even if the handshake
	// then failed for another reason).
	Unverified *CertError `json:"-"`

	EarliestExpiry        time.Time     `json:"earliest_expiry,omitzero"`          // first NotAfter in the trusted chain (with root), else in the chain as sent
	EarliestExpirySubject string        `json:"earliest_expiry_subject,omitempty"` // the certificate it belongs to
	DaysLeft              int           `json:"days_left"`                         // whole days until EarliestExpiry, rounded down (0 on the last day); negative once passed
	ExpiresIn             time.Duration `json:"expires_in"`                        // time until EarliestExpiry, in nanoseconds; negative once passed. Word it with HumanCount, not DaysLeft
	ExpiringSoon          bool          `json:"expiring_soon"`                     // EarliestExpiry is within WarnDays and not passed: a warning, not an error
	WarnDays              int           `json:"warn_days"`                         // threshold used for ExpiringSoon

	ClientCertRequested bool     `json:"client_cert_requested"` // the server asked for a client certificate (mutual TLS)
	ClientCertSent      bool     `json:"client_cert_sent"`      // one was sent
	ClientCAs           []string `json:"client_cas,omitempty"`  // CAs the server accepts client certificates from, if it said
}

// Probe runs the TLS client handshake over raw, an already-dialled TCP
// connection, as cfg says, and reports what it saw.
//
// It returns the TLS connection only when credentials may be sent over it:
// the chain verified, or cfg.Mode is AcceptAny. Otherwise it closes raw and
// returns a *CertError or *HandshakeError (or ctx's error); the Result is
// never nil and holds every fact gathered before the failure. The returned
// connection has no deadline set; its NetConn is a thin wrapper around raw.
func Probe(ctx context.Context, raw net.Conn, cfg Config) (*tls.Conn, *Result, error) {
	cfg = cfg.withDefaults()
	now := cfg.Now()
	res := &Result{
		ServerName: cfg.ServerName,
		Mode:       cfg.Mode,
		Aura:       aura.IsHost(cfg.ServerName),
		WarnDays:   cfg.WarnDays,
		ExtraCAs:   len(cfg.ExtraCAs),
	}
	if net.ParseIP(cfg.ServerName) == nil {
		res.SNI = cfg.ServerName
	}
	if a := raw.RemoteAddr(); a != nil {
		res.Remote = a.String()
	}
	ts := loadRoots(cfg)
	res.Roots, res.RootsEmpty = ts.source, ts.empty
	if ts.err != nil {
		res.RootsError = ts.err.Error()
	}

	rec := &recorder{Conn: raw}
	tickets := &ticketWatch{inner: cfg.Sessions}
	var certErr *CertError
	tcfg := &tls.Config{
		ServerName:         cfg.ServerName,
		InsecureSkipVerify: true, // verified below, so that a rejected chain is still captured
		MinVersion:         tls.VersionTLS12,
		NextProtos:         cfg.NextProtos,
		ClientSessionCache: tickets,
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			res.ClientCertRequested = true
			for _, dn := range cri.AcceptableCAs {
				res.ClientCAs = append(res.ClientCAs, dnString(dn))
			}
			if cfg.ClientCert != nil {
				res.ClientCertSent = true
				return cfg.ClientCert, nil
			}
			return &tls.Certificate{}, nil
		},
		VerifyConnection: func(cs tls.ConnectionState) error {
			res.fillState(cs)
			certErr = res.verify(cs.PeerCertificates, cfg, ts, now)
			if certErr != nil && cfg.Mode == Verify {
				return certErr
			}
			return nil
		},
	}

	deadline := time.Now().Add(cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = raw.SetDeadline(deadline)
	tc := tls.Client(rec, tcfg)
	start := time.Now()
	err := tc.HandshakeContext(ctx)
	res.HandshakeDuration = time.Since(start)
	if err == nil {
		res.fillState(tc.ConnectionState())
		if res.ClientCertRequested && !res.ClientCertSent && res.Version == versionName(tls.VersionTLS13) && cfg.AlertWait > 0 {
			wait := time.Now().Add(cfg.AlertWait)
			if deadline.Before(wait) {
				wait = deadline
			}
			err = awaitVerdict(tc, raw, tickets, wait)
		}
	}
	res.record(rec)
	if cfg.Mode == AcceptAny {
		res.Unverified = certErr
	}
	if err != nil {
		_ = tc.Close()
		if certErr != nil && cfg.Mode == Verify {
			return nil, res, certErr
		}
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, res, ctx.Err()
		}
		return nil, res, classify(err, rec, res, cfg.Timeout)
	}
	_ = raw.SetDeadline(time.Time{})
	res.Handshake = true
	if cfg.Mode == AcceptAny {
		if len(res.Chain) > 0 {
			res.AcceptedSHA = res.Chain[0].SHA256
		}
		res.AcceptedAny = certErr != nil
	}
	return tc, res, nil
}

// SpeaksTLS finds out whether a port speaks TLS, for when a plaintext Bolt
// attempt on it was closed or reset without a byte ("this port requires
// TLS: use neo4j+s://"). raw is a fresh connection to the same address.
// SpeaksTLS runs the handshake in AcceptAny mode, still recording what
// verification says (so the caller can tell +s from +ssc), and always
// closes raw: nothing but the handshake is sent. It reports true when the
// server answered the ClientHello with a TLS record, even if the handshake
// then failed (an alert, a client certificate demand); err is why it failed.
func SpeaksTLS(ctx context.Context, raw net.Conn, cfg Config) (bool, *Result, error) {
	cfg.Mode = AcceptAny
	cfg.AlertWait = -1
	tc, res, err := Probe(ctx, raw, cfg)
	if tc != nil {
		_ = tc.Close()
	}
	return res.ServerSpokeTLS, res, err
}

// fillState copies the negotiated parameters and the chain as sent.
func (r *Result) fillState(cs tls.ConnectionState) {
	r.Version = versionName(cs.Version)
	if cs.CipherSuite != 0 {
		r.CipherSuite = tls.CipherSuiteName(cs.CipherSuite)
	}
	r.ALPN = cs.NegotiatedProtocol
	r.Resumed = cs.DidResume
	r.OCSPStapled = len(cs.OCSPResponse) > 0
	r.Chain = r.Chain[:0]
	for _, c := range cs.PeerCertificates {
		r.Chain = append(r.Chain, Describe(c))
	}
}

// verify fills the verification facts and returns the primary problem.
func (r *Result) verify(certs []*x509.Certificate, cfg Config, ts trustStore, now time.Time) *CertError {
	if len(certs) == 0 {
		return &CertError{Cause: ErrInvalid, Detail: "the server sent no certificate"}
	}
	if p, _ := InterceptionProduct(certs); p != "" {
		r.Interception = p
	}
	v := verifyChain(certs, cfg.ServerName, ts, now)
	trusted, verified := v.chain != nil, len(v.problems) == 0
	r.Verified, r.HostnameMatch = &verified, v.hostOK
	if v.trustKnown {
		r.Trusted = &trusted
	}
	r.TrustedBy = v.trustedBy
	for _, c := range v.chain {
		r.TrustedChain = append(r.TrustedChain, c.Subject.String())
	}
	dated := certs
	if trusted {
		dated = v.chain
	}
	if first := earliestExpiry(dated); first != nil {
		r.EarliestExpiry = first.NotAfter
		r.EarliestExpirySubject = first.Subject.String()
		left := first.NotAfter.Sub(now)
		r.ExpiresIn = left
		r.DaysLeft = int(math.Floor(left.Hours() / 24))
		r.ExpiringSoon = cfg.WarnDays > 0 && left >= 0 && left < time.Duration(cfg.WarnDays)*24*time.Hour
	}
	if verified {
		return nil
	}
	for _, p := range v.problems {
		r.Problems = append(r.Problems, codes[p.Cause])
	}
	primary := v.problems[0]
	primary.Also = v.problems[1:]
	r.VerifyError = primary.Error()
	return primary
}

// record keeps the byte evidence.
func (r *Result) record(rec *recorder) {
	r.BytesReceived = rec.n
	r.ServerSpokeTLS = looksTLS(rec.first)
	if len(rec.first) > 0 && !r.ServerSpokeTLS {
		r.Received = append([]byte(nil), rec.first...)
	}
}

// awaitVerdict waits, after a TLS 1.3 handshake in which the server asked
// for a client certificate that was not sent, for the server's verdict: an
// alert (returned as the error) or a session ticket (acceptance, which ends
// the wait at once). Silence until the deadline counts as acceptance.
func awaitVerdict(tc *tls.Conn, raw net.Conn, tickets *ticketWatch, deadline time.Time) error {
	_ = raw.SetReadDeadline(deadline)
	tickets.arm(func() { _ = raw.SetReadDeadline(time.Now()) })
	var b [1]byte
	n, err := tc.Read(b[:])
	tickets.arm(nil)
	switch {
	case n > 0:
		return fmt.Errorf("the server sent application data (%02X) before the client spoke", b[0])
	case err == nil, isTimeout(err):
		return nil
	case isClosed(err):
		return &HandshakeError{Cause: ErrClientCertRequired, Err: err,
			Detail: "the server closed the connection right after the handshake, having asked for a client certificate that was not sent"}
	}
	return err
}

// ticketWatch is a ClientSessionCache that stores in inner (nothing when
// nil); when armed, it reports that the server sent a session ticket.
type ticketWatch struct {
	on    atomic.Pointer[func()]
	inner tls.ClientSessionCache
}

func (t *ticketWatch) arm(f func()) {
	if f == nil {
		t.on.Store(nil)
		return
	}
	t.on.Store(&f)
}

func (t *ticketWatch) Get(key string) (*tls.ClientSessionState, bool) {
	if t.inner == nil {
		return nil, false
	}
	return t.inner.Get(key)
}

func (t *ticketWatch) Put(key string, cs *tls.ClientSessionState) {
	if f := t.on.Load(); f != nil && cs != nil {
		(*f)()
	}
	if t.inner != nil {
		t.inner.Put(key, cs)
	}
}

// maxEvidence bounds the bytes kept as evidence.
const maxEvidence = 256

// recorder counts what the server sends and keeps the first bytes.
type recorder struct {
	net.Conn
	n     int64
	first []byte
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	if n > 0 {
		r.n += int64(n)
		if room := maxEvidence - len(r.first); room > 0 {
			r.first = append(r.first, p[:min(n, room)]...)
		}
	}
	return n, err
}

// classify turns a failed handshake into a *HandshakeError.
func classify(err error, rec *recorder, res *Result, timeout time.Duration) error {
	if he, ok := errors.AsType[*HandshakeError](err); ok {
		he.Bytes = append([]byte(nil), rec.first...)
		return he
	}
	he := &HandshakeError{Cause: ErrHandshake, Err: err, Bytes: append([]byte(nil), rec.first...), Detail: err.Error()}
	if code, ok := remoteAlert(err); ok {
		he.Alert, he.AlertCode = alertText(code), int(code)
		he.Detail = "the server sent the alert " + he.Alert
		switch {
		case code == alertCertificateRequired,
			res.ClientCertRequested && (code == alertBadCertificate || code == alertUnknownCA || code == alertHandshakeFailure):
			he.Cause = ErrClientCertRequired
			if res.ClientCertSent {
				he.Detail += " after we sent a client certificate: it was refused"
			} else {
				he.Detail += " after asking for a client certificate, and none was sent"
			}
		case code == alertProtocolVersion:
			he.Cause = ErrProtocolVersion
			he.Detail += " to our offer of TLS 1.2 and TLS 1.3"
		case code == alertHandshakeFailure, code == alertInsufficientSecurity:
			he.Cause = ErrCipher
			he.Detail += ": no cipher suite, curve or signature algorithm in common"
		case code == alertUnrecognizedName:
			he.Cause = ErrServerName
			he.Detail += fmt.Sprintf(" for the SNI name %q", res.SNI)
		}
		return he
	}
	msg := err.Error()
	switch {
	case rec.n == 0 && isTimeout(err):
		he.Cause = ErrHandshakeTimeout
		he.Detail = fmt.Sprintf("the server sent nothing in reply to the ClientHello within %s", res.HandshakeDuration.Round(time.Millisecond))
	case rec.n == 0 && isClosed(err):
		he.Cause, he.Speaks = ErrPlaintextPort, SpeaksNothing
		how := "closed"
		if errors.Is(err, syscall.ECONNRESET) {
			how = "reset"
		}
		he.Detail = fmt.Sprintf("the server %s the connection on our ClientHello without sending a byte", how)
		if res.SNI == "" {
			he.Detail += " (no SNI was sent: the server name is an IP address)"
		}
	case rec.n > 0 && !looksTLS(rec.first):
		he.Cause, he.Speaks = ErrPlaintextPort, plainKind(rec.first)
		switch he.Speaks {
		case SpeaksHTTP:
			line, _, _ := strings.Cut(string(rec.first), "\r\n")
			he.Detail = fmt.Sprintf("the server answered plaintext HTTP to our ClientHello: %q", line)
		case SpeaksBolt:
			he.Detail = fmt.Sprintf("the server answered a plaintext Bolt handshake reply to our ClientHello: % X", rec.first[:4])
		default:
			he.Detail = fmt.Sprintf("the server answered non-TLS bytes to our ClientHello: % X", rec.first[:min(len(rec.first), 16)])
		}
	case isTimeout(err):
		he.Cause = ErrHandshakeTimeout
		he.Detail = fmt.Sprintf("the handshake stalled after %d bytes from the server (limit %s)", rec.n, timeout)
	case strings.Contains(msg, "protocol version"):
		he.Cause = ErrProtocolVersion
	case strings.Contains(msg, "cipher suite"), strings.Contains(msg, "curve"):
		he.Cause = ErrCipher
	}
	return he
}

// looksTLS: a TLS record header (change_cipher_spec, alert, handshake or
// application_data; version 3.x).
func looksTLS(b []byte) bool {
	return len(b) >= 2 && b[0] >= 0x14 && b[0] <= 0x17 && b[1] == 0x03
}

// plainKind names a plaintext peer by its first bytes.
func plainKind(b []byte) string {
	switch {
	case len(b) == 0:
		return SpeaksNothing
	case strings.HasPrefix(string(b), "HTTP"):
		return SpeaksHTTP
	case len(b) >= 4 && b[0] == 0 && b[1] == 0:
		// A Bolt handshake reply: 00 00 00 00 (no common version),
		// 00 00 mm MM (a version) or 00 00 01 FF (manifest).
		return SpeaksBolt
	}
	return SpeaksOther
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE)
}

// dnString renders a DER-encoded distinguished name, or its hex if it does
// not parse.
func dnString(der []byte) string {
	var rdn pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &rdn); err != nil || len(rest) > 0 {
		return fmt.Sprintf("% X", der)
	}
	var n pkix.Name
	n.FillFromRDNSequence(&rdn)
	return n.String()
}
