package tlsprobe

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Why the server's certificate was not accepted. A *CertError carries one of
// these as its Cause, with the evidence; checks/ turns each into a hint.
var (
	// ErrSelfSigned: the leaf is signed by its own key and is not trusted.
	ErrSelfSigned = errors.New("the server's certificate is self-signed")
	// ErrUnknownAuthority: the chain ends at a CA that is not trusted
	// (typically a private CA).
	ErrUnknownAuthority = errors.New("the server's certificate is signed by an unknown authority")
	// ErrInterception: the untrusted chain names a TLS-inspection product
	// (proxy, firewall, antivirus), or an Aura host presented a chain that
	// does not lead to a trusted CA: something re-signs the connection.
	ErrInterception = errors.New("the certificate was issued by a TLS-inspecting proxy, not by the server")
	// ErrNoSystemRoots: the system trust store is empty or missing, so no
	// certificate can be verified (e.g. a scratch/distroless image).
	ErrNoSystemRoots = errors.New("the system has no trusted root certificates")
	// ErrIncompleteChain: the server did not send the intermediate
	// certificate(s) between its leaf and a root.
	ErrIncompleteChain = errors.New("the server did not send its intermediate certificate")
	// ErrExpired: a certificate in the chain is past its NotAfter.
	ErrExpired = errors.New("the server's certificate has expired")
	// ErrNotYetValid: a certificate in the chain is before its NotBefore.
	ErrNotYetValid = errors.New("the server's certificate is not valid yet")
	// ErrHostMismatch: the leaf is not valid for the name connected to.
	ErrHostMismatch = errors.New("the server's certificate is not valid for this host name")
	// ErrInvalid: any other reason the chain does not verify (key usage,
	// name constraints, a CA that may not sign, ...).
	ErrInvalid = errors.New("the server's certificate chain is invalid")
)

// Why the TLS handshake itself failed. A *HandshakeError carries one of
// these as its Cause.
var (
	// ErrPlaintextPort: the port does not speak TLS: it closed the
	// connection on our ClientHello without a byte, or answered plaintext
	// (HTTP, Bolt, a banner).
	ErrPlaintextPort = errors.New("the port does not speak TLS")
	// ErrProtocolVersion: client and server share no TLS version
	// (we offer TLS 1.2 and 1.3).
	ErrProtocolVersion = errors.New("the server supports none of TLS 1.2 and 1.3")
	// ErrCipher: client and server share no cipher suite or parameters.
	ErrCipher = errors.New("the server and client share no cipher suite")
	// ErrClientCertRequired: the server requires a client certificate
	// (mutual TLS) and none was sent or it was refused.
	ErrClientCertRequired = errors.New("the server requires a client certificate")
	// ErrServerName: the server does not serve the name sent in SNI (alert
	// unrecognized_name); Aura's front end routes by it.
	ErrServerName = errors.New("the server does not recognise the requested server name")
	// ErrHandshakeTimeout: the server accepted TCP but did not complete the
	// handshake in time.
	ErrHandshakeTimeout = errors.New("the TLS handshake timed out")
	// ErrHandshake: any other handshake failure.
	ErrHandshake = errors.New("the TLS handshake failed")
)

// codes are stable machine names for the sentinels, used in Result.Problems.
var codes = map[error]string{
	ErrSelfSigned:         "self_signed",
	ErrUnknownAuthority:   "unknown_authority",
	ErrInterception:       "interception",
	ErrNoSystemRoots:      "no_system_roots",
	ErrIncompleteChain:    "incomplete_chain",
	ErrExpired:            "expired",
	ErrNotYetValid:        "not_yet_valid",
	ErrHostMismatch:       "host_mismatch",
	ErrInvalid:            "invalid",
	ErrPlaintextPort:      "plaintext_port",
	ErrProtocolVersion:    "protocol_version",
	ErrCipher:             "cipher",
	ErrClientCertRequired: "client_cert_required",
	ErrServerName:         "server_name",
	ErrHandshakeTimeout:   "handshake_timeout",
	ErrHandshake:          "handshake",
}

// CertError says why a certificate chain was not accepted, with the
// evidence. Cause is one of the certificate sentinels; errors.Is matches it.
type CertError struct {
	Cause  error     // ErrSelfSigned, ErrExpired, ...
	Detail string    // one line of evidence, lower case, no hint
	Cert   *CertInfo // the certificate concerned (nil if none in particular)

	Product      string        // ErrInterception: the product named ("" = unknown, Aura rule)
	SANs         []string      // ErrHostMismatch: DNS and IP names the leaf is valid for
	Suggest      string        // ErrHostMismatch: a name to connect with instead ("" if none)
	Missing      string        // ErrIncompleteChain: subject of the issuer that was not sent
	Delta        time.Duration // ErrExpired: how long ago; ErrNotYetValid: how long until valid
	ClockSuspect bool          // ErrNotYetValid: the local clock is probably behind

	// Also lists the other problems found in the same chain, most
	// important first (e.g. a self-signed certificate that also expired).
	// errors.Is does not look into Also.
	Also []*CertError
	// Err is the crypto/x509 error behind Cause, if any.
	Err error
}

func (e *CertError) Error() string {
	s := e.Cause.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func (e *CertError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Cause, e.Err}
	}
	return []error{e.Cause}
}

// Plaintext peers, as told by HandshakeError.Speaks.
const (
	SpeaksNothing = "nothing" // closed or reset without sending a byte
	SpeaksHTTP    = "http"    // answered "HTTP/..."
	SpeaksBolt    = "bolt"    // answered a 4-byte Bolt handshake reply (e.g. 00 00 00 00)
	SpeaksOther   = "other"   // answered bytes that are neither TLS, HTTP nor Bolt
)

// HandshakeError says why the TLS handshake failed, with the evidence.
// Cause is one of the handshake sentinels; errors.Is matches it.
type HandshakeError struct {
	Cause  error  // ErrPlaintextPort, ErrProtocolVersion, ...
	Detail string // one line of evidence, lower case, no hint

	// Alert is the TLS alert the server sent ("protocol version not
	// supported"), "" if none; AlertCode is its number (RFC 8446 §6).
	Alert     string
	AlertCode int
	// Speaks classifies the peer for ErrPlaintextPort (SpeaksHTTP, ...).
	Speaks string
	// Bytes is what the server sent before the failure, at most 256
	// bytes; empty means it sent nothing.
	Bytes []byte
	// Err is the crypto/tls or network error behind Cause.
	Err error
}

func (e *HandshakeError) Error() string {
	s := e.Cause.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func (e *HandshakeError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Cause, e.Err}
	}
	return []error{e.Cause}
}

// TLS alert numbers (RFC 8446 §6) that mean something to us.
const (
	alertHandshakeFailure     = 40
	alertBadCertificate       = 42
	alertUnknownCA            = 48
	alertProtocolVersion      = 70
	alertInsufficientSecurity = 71
	alertUnrecognizedName     = 112
	alertCertificateRequired  = 116
)

// remoteAlert returns the alert the peer sent, if err is one. crypto/tls
// reports a received alert as a *net.OpError with Op "remote error" whose
// Err has the same text as tls.AlertError of the same number.
func remoteAlert(err error) (uint8, bool) {
	op, ok := errors.AsType[*net.OpError](err)
	if !ok || op.Op != "remote error" || op.Err == nil {
		return 0, false
	}
	msg := op.Err.Error()
	for i := 0; i < 256; i++ {
		if tls.AlertError(uint8(i)).Error() == msg {
			return uint8(i), true
		}
	}
	return 0, false
}

// alertText is the alert's description without the "tls: " prefix.
func alertText(code uint8) string {
	return strings.TrimPrefix(tls.AlertError(code).Error(), "tls: ")
}

// versionName is "TLS 1.3", "TLS 1.2", ..., or "" for 0.
func versionName(v uint16) string {
	if v == 0 {
		return ""
	}
	return tls.VersionName(v)
}

// HumanDuration says how long d is the way people do: days, hours,
// minutes or seconds, truncated; the sign is dropped. From two minutes on
// it is HumanCount's number and unit ("23 hours", not "0 days").
func HumanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d < 2*time.Minute {
		return d.Round(time.Second).String()
	}
	n, unit := HumanCount(d)
	return fmt.Sprintf("%d %s", n, unit)
}

// HumanCount is how long d is as a whole number of the largest unit that
// leaves at least two of them: days from two days on, then hours, minutes,
// seconds; truncated, the sign dropped. It is for sentences that put a
// word between the two ("valid for 23 more hours"): a certificate that
// expires in 23 hours has 0 whole days left, and must not say so.
func HumanCount(d time.Duration) (n int, unit string) {
	if d < 0 {
		d = -d
	}
	switch {
	case d >= 48*time.Hour:
		return int(d / (24 * time.Hour)), "days"
	case d >= 2*time.Hour:
		return int(d / time.Hour), "hours"
	case d >= 2*time.Minute:
		return int(d / time.Minute), "minutes"
	case d >= time.Second && d < 2*time.Second:
		return 1, "second"
	}
	return int(d / time.Second), "seconds"
}
