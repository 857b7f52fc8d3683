package tlsprobe

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/internal/aura"
)

// trustStore is the set of roots a chain is checked against.
type trustStore struct {
	pool   *x509.CertPool      // base roots plus extras
	extras []*x509.Certificate // from --ca-file
	source string              // "system" or "custom": what the base roots are
	empty  bool                // the base roots hold no certificate
	err    error               // why the system roots could not be loaded
}

func loadRoots(cfg Config) trustStore {
	ts := trustStore{extras: cfg.ExtraCAs, source: "custom"}
	base := cfg.Roots
	if base == nil || cfg.RootsAreSystem {
		ts.source = "system"
	}
	if base == nil {
		sys, err := x509.SystemCertPool()
		if err != nil {
			ts.err = err
			sys = x509.NewCertPool()
		}
		base = sys
	}
	ts.empty = base.Equal(x509.NewCertPool())
	ts.pool = base
	if len(cfg.ExtraCAs) > 0 {
		ts.pool = base.Clone()
		for _, c := range cfg.ExtraCAs {
			ts.pool.AddCert(c)
		}
	}
	return ts
}

// verdict is what verifying one chain found.
type verdict struct {
	chain      []*x509.Certificate // the trusted chain, leaf to root; nil if untrusted
	trustKnown bool                // trust could be judged apart from dates
	trustedBy  string              // "system", "custom" or "ca-file"
	hostOK     *bool               // nil when there was no name to check
	problems   []*CertError        // most important first; empty = verified
}

// verifyChain checks certs (as sent, leaf first) for trust, dates and host
// name separately, so that every problem is reported, not only the first
// one crypto/x509 meets. Trust is checked at a time inside the sent
// certificates' validity, so that an expired chain is still told apart
// from an untrusted one.
func verifyChain(certs []*x509.Certificate, host string, ts trustStore, now time.Time) verdict {
	var v verdict
	leaf := certs[0]
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	// Verify at a time inside the validity of every certificate involved,
	// so that trust is judged apart from dates. The roots' windows are only
	// known once Verify names one that is out of date.
	windows := certs
	var chains [][]*x509.Certificate
	var err error
	for range 4 {
		chains, err = leaf.Verify(x509.VerifyOptions{
			Roots:         ts.pool,
			Intermediates: inter,
			CurrentTime:   trustTime(windows, now),
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
		inv, ok := errors.AsType[x509.CertificateInvalidError](err)
		if !ok || inv.Reason != x509.Expired || inv.Cert == nil || slices.Contains(windows, inv.Cert) {
			break
		}
		windows = append(slices.Clip(windows), inv.Cert)
	}
	dated := certs
	if err == nil {
		v.chain = chains[0]
		dated = v.chain
		v.trustedBy = ts.source
		root := v.chain[len(v.chain)-1]
		for _, c := range ts.extras {
			if bytes.Equal(c.Raw, root.Raw) {
				v.trustedBy = "ca-file"
			}
		}
		v.trustKnown = true
	} else if inv, ok := errors.AsType[x509.CertificateInvalidError](err); ok && inv.Reason == x509.Expired &&
		inv.Cert != nil && dateProblem([]*x509.Certificate{inv.Cert}, now) == nil && dateProblem(certs, now) != nil {
		// No single time suits every certificate (e.g. the leaf expired
		// before its CA was issued): trust cannot be judged apart from
		// dates, and the date problem below says what is wrong.
	} else {
		v.trustKnown = true
		v.problems = append(v.problems, trustProblem(certs, host, ts, now, err))
	}
	if p := dateProblem(dated, now); p != nil && (len(v.problems) == 0 || v.problems[0].Cause != p.Cause) {
		v.problems = append(v.problems, p)
	}
	if host != "" {
		ok := true
		if p := hostProblem(leaf, host); p != nil {
			ok = false
			v.problems = append(v.problems, p)
		}
		v.hostOK = &ok
	}
	return v
}

// trustTime is now if every certificate is valid now, else the time nearest
// to now inside all their validity windows (or the leaf's, if those do not
// overlap).
func trustTime(certs []*x509.Certificate, now time.Time) time.Time {
	lo, hi := certs[0].NotBefore, certs[0].NotAfter
	for _, c := range certs[1:] {
		if c.NotBefore.After(lo) {
			lo = c.NotBefore
		}
		if c.NotAfter.Before(hi) {
			hi = c.NotAfter
		}
	}
	if lo.After(hi) {
		lo, hi = certs[0].NotBefore, certs[0].NotAfter
	}
	switch {
	case now.Before(lo):
		return lo
	case now.After(hi):
		return hi
	}
	return now
}

// trustProblem names why the chain does not lead to a trusted root. See
// the package documentation for the order of the rules.
func trustProblem(certs []*x509.Certificate, host string, ts trustStore, now time.Time, err error) *CertError {
	leaf, top := certs[0], certs[len(certs)-1]
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) {
		if inv.Reason == x509.Expired {
			if inv.Cert != nil {
				if p := dateProblem([]*x509.Certificate{inv.Cert}, now); p != nil {
					p.Err = err
					p.Detail = fmt.Sprintf("the CA certificate %q: %s", inv.Cert.Subject.String(), strings.TrimPrefix(p.Detail, "the certificate "))
					return p
				}
			}
			return &CertError{Cause: ErrExpired, Err: err, Cert: describePtr(inv.Cert),
				Detail: "a certificate in the chain is out of date: " + err.Error()}
		}
		return &CertError{Cause: ErrInvalid, Err: err, Cert: describePtr(inv.Cert), Detail: err.Error()}
	}
	var ua x509.UnknownAuthorityError
	var sr x509.SystemRootsError
	if !errors.As(err, &ua) && !errors.As(err, &sr) {
		return &CertError{Cause: ErrInvalid, Err: err, Detail: err.Error()}
	}
	// A trusted root that is itself out of date shows up as an unknown
	// authority whose message names the reason: crypto/x509 keeps that
	// reason in an unexported field, so its wording is all there is.
	if strings.Contains(err.Error(), "expired or is not yet valid") {
		return &CertError{Cause: ErrExpired, Err: err,
			Detail: "the trusted CA certificate that would anchor this chain is out of date: " + err.Error()}
	}
	if product, c := InterceptionProduct(certs); product != "" {
		return &CertError{Cause: ErrInterception, Err: err, Product: product, Cert: describePtr(c),
			Detail: fmt.Sprintf("the chain names %s (subject %q, issuer %q)", product, c.Subject.String(), c.Issuer.String())}
	}
	if isSelfSigned(leaf) {
		return &CertError{Cause: ErrSelfSigned, Err: err, Cert: describePtr(leaf),
			Detail: fmt.Sprintf("%q is its own issuer and is not among the trusted roots", leaf.Subject.String())}
	}
	if ts.source == "system" && ts.empty {
		d := "the system trust store holds no certificates"
		if ts.err != nil {
			d += " (" + ts.err.Error() + ")"
		}
		if len(ts.extras) > 0 {
			d += fmt.Sprintf("; the %d CA certificate(s) from the CA file do not sign this chain", len(ts.extras))
		}
		return &CertError{Cause: ErrNoSystemRoots, Err: err, Cert: describePtr(top), Detail: d}
	}
	if aura.IsHost(host) {
		return &CertError{Cause: ErrInterception, Err: err, Cert: describePtr(top),
			Detail: fmt.Sprintf("Aura certificates come from a public CA, but this chain is issued by %q, which is not trusted here", top.Issuer.String())}
	}
	if !isSelfSigned(top) && (len(top.IssuingCertificateURL) > 0 || strings.Contains(strings.ToLower(top.Issuer.CommonName), "intermediate")) {
		d := fmt.Sprintf("the server sent %d certificates; the issuer %q of the last one was not sent", len(certs), top.Issuer.String())
		if len(certs) == 1 {
			d = fmt.Sprintf("the server sent only the leaf; its issuer %q was not sent", top.Issuer.String())
		}
		if len(top.IssuingCertificateURL) > 0 {
			d += " (the certificate says it is published at " + strings.Join(top.IssuingCertificateURL, ", ") + ")"
		}
		return &CertError{Cause: ErrIncompleteChain, Err: err, Cert: describePtr(top), Missing: top.Issuer.String(), Detail: d}
	}
	d := fmt.Sprintf("the issuer %q is not among the trusted roots", top.Issuer.String())
	if isSelfSigned(top) {
		d = fmt.Sprintf("the chain ends at the root %q, which the server sent but which is not trusted", top.Subject.String())
	}
	return &CertError{Cause: ErrUnknownAuthority, Err: err, Cert: describePtr(top), Detail: d}
}

// plausibleNow is a date this program cannot have been built before: a
// clock reading earlier than it is wrong.
var plausibleNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// dateProblem reports the first certificate (leaf first) that is not valid
// at now.
func dateProblem(certs []*x509.Certificate, now time.Time) *CertError {
	for _, c := range certs {
		who := "the certificate"
		if c != certs[0] {
			who = fmt.Sprintf("the CA certificate %q", c.Subject.String())
		}
		switch {
		case now.After(c.NotAfter):
			d := now.Sub(c.NotAfter)
			return &CertError{Cause: ErrExpired, Cert: describePtr(c), Delta: d,
				Detail: fmt.Sprintf("%s expired %s ago (not after %s)", who, HumanDuration(d), c.NotAfter.UTC().Format(time.RFC3339))}
		case now.Before(c.NotBefore):
			d := c.NotBefore.Sub(now)
			suspect := d <= 48*time.Hour || now.Before(plausibleNow)
			detail := fmt.Sprintf("%s becomes valid in %s (not before %s; local clock %s)",
				who, HumanDuration(d), c.NotBefore.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
			if suspect {
				detail += "; the local clock is probably behind"
			}
			return &CertError{Cause: ErrNotYetValid, Cert: describePtr(c), Delta: d, ClockSuspect: suspect, Detail: detail}
		}
	}
	return nil
}

// hostProblem reports whether leaf is not valid for host, listing the names
// it is valid for and one to use instead.
func hostProblem(leaf *x509.Certificate, host string) *CertError {
	err := leaf.VerifyHostname(host)
	if err == nil {
		return nil
	}
	names := sans(leaf)
	ce := &CertError{Cause: ErrHostMismatch, Err: err, Cert: describePtr(leaf), SANs: names, Suggest: suggestName(leaf)}
	switch {
	case len(names) == 0 && leaf.Subject.CommonName != "":
		ce.Detail = fmt.Sprintf("the certificate has no subject alternative names; its common name %q is ignored by current TLS clients", leaf.Subject.CommonName)
	case len(names) == 0:
		ce.Detail = "the certificate names no host at all"
	default:
		ce.Detail = fmt.Sprintf("the certificate is valid for %s, not %s", strings.Join(names, ", "), host)
	}
	if ce.Suggest != "" {
		ce.Detail += "; connect with " + ce.Suggest
	}
	return ce
}

func describePtr(c *x509.Certificate) *CertInfo {
	if c == nil {
		return nil
	}
	ci := Describe(c)
	return &ci
}
