package tlsprobe

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strings"
	"time"
)

// CertInfo describes one certificate as the server sent it.
type CertInfo struct {
	Subject            string    `json:"subject"`                    // RFC 2253 distinguished name
	Issuer             string    `json:"issuer"`                     // RFC 2253 distinguished name of the signer
	DNSNames           []string  `json:"dns_names,omitempty"`        // DNS Subject Alternative Names
	IPs                []string  `json:"ips,omitempty"`              // IP Subject Alternative Names
	Serial             string    `json:"serial"`                     // serial number, upper-case hex
	NotBefore          time.Time `json:"not_before"`                 // start of validity
	NotAfter           time.Time `json:"not_after"`                  // end of validity
	SHA256             string    `json:"sha256"`                     // fingerprint of the DER, "AB:CD:..." as openssl prints it
	KeyType            string    `json:"key_type"`                   // "RSA", "ECDSA", "Ed25519" or "unknown"
	KeyBits            int       `json:"key_bits"`                   // RSA modulus or curve size in bits; 0 if unknown
	SignatureAlgorithm string    `json:"signature_algorithm"`        // e.g. "SHA256-RSA", "ECDSA-SHA256"
	IsCA               bool      `json:"is_ca"`                      // basic constraints say this is a CA
	SelfSigned         bool      `json:"self_signed"`                // issuer equals subject and the cert's own key verifies its signature
	IssuingURL         []string  `json:"issuing_cert_url,omitempty"` // AIA "CA Issuers": where its issuer can be fetched
	// PEM is the certificate exactly as sent, so a support engineer can
	// run openssl on it; public data, but it names the host.
	PEM string `json:"pem,omitempty"`
}

// Describe returns the facts about one certificate.
func Describe(c *x509.Certificate) CertInfo {
	ci := CertInfo{
		Subject:            c.Subject.String(),
		Issuer:             c.Issuer.String(),
		DNSNames:           c.DNSNames,
		Serial:             strings.ToUpper(c.SerialNumber.Text(16)),
		NotBefore:          c.NotBefore,
		NotAfter:           c.NotAfter,
		SHA256:             Fingerprint(c),
		SignatureAlgorithm: c.SignatureAlgorithm.String(),
		IsCA:               c.BasicConstraintsValid && c.IsCA,
		SelfSigned:         isSelfSigned(c),
		IssuingURL:         c.IssuingCertificateURL,
		PEM:                string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})),
	}
	for _, ip := range c.IPAddresses {
		ci.IPs = append(ci.IPs, ip.String())
	}
	ci.KeyType, ci.KeyBits = keyInfo(c)
	return ci
}

// Fingerprint is the SHA-256 of the certificate's DER encoding as upper-case
// hex pairs joined by colons (the form `openssl x509 -fingerprint -sha256`
// prints).
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// ErrNoCertificates: a PEM bundle holds no CERTIFICATE block.
var ErrNoCertificates = errors.New("no PEM CERTIFICATE block found")

// ParseCAs returns the certificates in a PEM bundle (the contents of
// --ca-file), skipping blocks of other types. It fails with
// ErrNoCertificates if the bundle holds none, and with the parser's error
// on the first certificate that does not parse.
func ParseCAs(pemData []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, pemData = pem.Decode(pemData)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, ErrNoCertificates
	}
	return out, nil
}

// isSelfSigned: same name as issuer and subject, and the certificate's own
// key verifies its signature. Unlike CheckSignatureFrom this does not demand
// that the certificate be a CA, so self-signed leaves count.
func isSelfSigned(c *x509.Certificate) bool {
	if !bytes.Equal(c.RawIssuer, c.RawSubject) {
		return false
	}
	return c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

func keyInfo(c *x509.Certificate) (string, int) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	}
	return "unknown", 0
}

// earliestExpiry returns the certificate that expires first.
func earliestExpiry(certs []*x509.Certificate) *x509.Certificate {
	var first *x509.Certificate
	for _, c := range certs {
		if first == nil || c.NotAfter.Before(first.NotAfter) {
			first = c
		}
	}
	return first
}

// sans lists the leaf's DNS and IP Subject Alternative Names.
func sans(c *x509.Certificate) []string {
	out := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	return out
}

// suggestName picks a name the leaf is valid for, to connect with instead:
// the first non-wildcard DNS SAN, else the first IP SAN. "" when the
// certificate only has wildcards (any name under them would do) or no SANs.
func suggestName(c *x509.Certificate) string {
	for _, n := range c.DNSNames {
		if !strings.HasPrefix(n, "*") {
			return n
		}
	}
	for _, ip := range c.IPAddresses {
		return ip.String()
	}
	return ""
}
