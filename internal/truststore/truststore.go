// Package truststore finds the trust stores the applications on this
// machine verify a server's certificate with, reads them, and says
// whether each accepts a chain.
//
// A certificate can verify for the doctor (Go's view of the system roots)
// and still fail in the application: Python's drivers and HTTP libraries
// may use certifi's bundle, Node adds NODE_EXTRA_CA_CERTS to roots built
// into node, Java uses its cacerts. Stores are found by globbing known
// paths, bounded in count and size; no interpreter is started.
//
// The package never prints and knows nothing of its callers.
package truststore

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/internal/fileerr"
	"github.com/pavlo-v-chernykh/keystore-go/v4"
	"software.sslmate.com/src/go-pkcs12"
)

// Kinds of store: the names --trust-store takes.
const (
	System  = "system"  // the operating system's store, as Go reads it (SSL_CERT_FILE, SSL_CERT_DIR)
	CAFile  = "ca-file" // the doctor's --ca-file
	Node    = "node"    // NODE_EXTRA_CA_CERTS (added by Node to the roots built into node)
	Certifi = "certifi" // a Python installation's certifi bundle
	Java    = "java"    // a JDK's or JRE's cacerts
	Path    = "path"    // a file or directory named by the user, of none of the kinds above
)

// Kinds are the names --trust-store takes, in the order stores are listed.
var Kinds = []string{System, CAFile, Node, Certifi, Java}

// Bounds on what is read: a store is a few hundred certificates.
const (
	MaxFileSize = 8 << 20 // one bundle or keystore
	MaxFound    = 16      // stores of one kind found by globbing
	MaxDirFiles = 2000    // files read from one certificate directory
)

// Store is one trust store and what it holds.
type Store struct {
	Kind string // System, CAFile, Node, Certifi, Java or Path
	// Path is the file or directory read; "" for the system store when
	// neither SSL_CERT_FILE nor SSL_CERT_DIR names one.
	Path string
	// From says how the store was found: an environment variable
	// ("SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "JAVA_HOME"), "--ca-file",
	// "--trust-store" or "found" (a known path on this machine).
	From string
	// Certs are the store's certificates; nil for the system store, which
	// Go does not list (Pool holds it).
	Certs []*x509.Certificate
	// Pool is what the store trusts; nil when Err is set.
	Pool *x509.CertPool
	// Err is why the store could not be read.
	Err error
}

// Search says where to look for stores: every field is injectable, so
// tests never read the machine's own stores.
type Search struct {
	// Getenv reads the environment (SSL_CERT_FILE, SSL_CERT_DIR,
	// NODE_EXTRA_CA_CERTS, JAVA_HOME, HOME, VIRTUAL_ENV, CONDA_PREFIX,
	// LOCALAPPDATA); nil reads none.
	Getenv func(string) string
	// Certifi and Java are glob patterns for certifi bundles and Java
	// cacerts files; "$NAME/" at the start is replaced by that variable's
	// value (the pattern is skipped when it is unset).
	Certifi []string
	Java    []string
	// SystemRoots is the system store; nil means x509.SystemCertPool.
	SystemRoots *x509.CertPool
}

// Default is where stores are on Linux, macOS and Windows.
func Default() Search {
	site := func(prefix string) []string {
		return []string{
			prefix + "/lib/python3*/site-packages/certifi/cacert.pem",
			prefix + "/lib/python3*/dist-packages/certifi/cacert.pem",
		}
	}
	var certifi []string
	for _, p := range []string{"/usr", "/usr/local", "/opt/homebrew", "/opt/conda", "$HOME/.local", "$VIRTUAL_ENV", "$CONDA_PREFIX", "$HOME/.pyenv/versions/*", "/Library/Frameworks/Python.framework/Versions/*"} {
		certifi = append(certifi, site(p)...)
	}
	certifi = append(certifi,
		"/usr/lib/python3/dist-packages/certifi/cacert.pem",
		"$LOCALAPPDATA/Programs/Python/Python3*/Lib/site-packages/certifi/cacert.pem")
	return Search{
		Getenv:  os.Getenv,
		Certifi: certifi,
		Java: []string{
			"$JAVA_HOME/lib/security/cacerts",
			"$JAVA_HOME/jre/lib/security/cacerts",
			"/usr/lib/jvm/*/lib/security/cacerts",
			"/usr/lib/jvm/*/jre/lib/security/cacerts",
			"/opt/java/*/lib/security/cacerts",
			"/Library/Java/JavaVirtualMachines/*/Contents/Home/lib/security/cacerts",
		},
	}
}

func (s Search) getenv(name string) string {
	if s.Getenv == nil {
		return ""
	}
	return s.Getenv(name)
}

// expand replaces a leading $NAME with its value; ok is false when it is
// unset.
func (s Search) expand(pattern string) (string, bool) {
	if !strings.HasPrefix(pattern, "$") {
		return pattern, true
	}
	name, rest, _ := strings.Cut(pattern[1:], "/")
	v := s.getenv(name)
	if v == "" {
		return "", false
	}
	return filepath.Join(v, filepath.FromSlash(rest)), true
}

// glob is the files patterns name, in order, each once (a symlink and its
// target count once), at most MaxFound.
func (s Search) glob(patterns []string) []string {
	var out, seen []string
	for _, p := range patterns {
		p, ok := s.expand(p)
		if !ok {
			continue
		}
		matches, _ := filepath.Glob(filepath.FromSlash(p))
		for _, m := range matches {
			real, err := filepath.EvalSymlinks(m)
			if err != nil || slices.Contains(seen, real) {
				continue
			}
			if fi, err := os.Stat(real); err != nil || !fi.Mode().IsRegular() {
				continue
			}
			seen = append(seen, real)
			out = append(out, m)
			if len(out) == MaxFound {
				return out
			}
		}
	}
	return out
}

// Discover lists the stores on this machine: the system store, ca (the
// --ca-file's certificates, with its path) when given,
// NODE_EXTRA_CA_CERTS when set, every certifi bundle and every Java
// cacerts found.
func (s Search) Discover(caPath string, ca []*x509.Certificate) []Store {
	stores := []Store{s.System()}
	if caPath != "" {
		stores = append(stores, FromCerts(CAFile, caPath, "--ca-file", ca))
	}
	if p := s.getenv("NODE_EXTRA_CA_CERTS"); p != "" {
		st := Load(p)
		st.Kind, st.From = Node, "NODE_EXTRA_CA_CERTS"
		stores = append(stores, st)
	}
	for _, p := range s.glob(s.Certifi) {
		st := Load(p)
		st.Kind, st.From = Certifi, "found"
		stores = append(stores, st)
	}
	for _, p := range s.glob(s.Java) {
		st := Load(p)
		st.Kind, st.From = Java, "found"
		if h := s.getenv("JAVA_HOME"); h != "" && strings.HasPrefix(p, filepath.Clean(h)+string(filepath.Separator)) {
			st.From = "JAVA_HOME"
		}
		stores = append(stores, st)
	}
	return stores
}

// System is the system store as Go reads it: SSL_CERT_FILE and
// SSL_CERT_DIR, when set, replace the operating system's default paths.
func (s Search) System() Store {
	st := Store{Kind: System, From: "system", Pool: s.SystemRoots}
	switch {
	case s.getenv("SSL_CERT_FILE") != "":
		st.Path, st.From = s.getenv("SSL_CERT_FILE"), "SSL_CERT_FILE"
	case s.getenv("SSL_CERT_DIR") != "":
		st.Path, st.From = s.getenv("SSL_CERT_DIR"), "SSL_CERT_DIR"
	}
	if st.Pool == nil {
		pool, err := x509.SystemCertPool()
		if err != nil {
			st.Err = err
			return st
		}
		st.Pool = pool
	}
	return st
}

// Pick is the store --trust-store names: a kind, or a path to a PEM
// bundle, a directory of PEM files or a Java keystore (JKS or PKCS#12).
// A path is of kind Certifi when it ends in certifi/cacert.pem and Java
// when its name is cacerts. ca and caPath are --ca-file's.
func (s Search) Pick(name, caPath string, ca []*x509.Certificate) (Store, error) {
	switch name {
	case System:
		return s.System(), nil
	case CAFile:
		if caPath == "" {
			return Store{}, errors.New("--trust-store ca-file needs --ca-file")
		}
		return FromCerts(CAFile, caPath, "--ca-file", ca), nil
	case Node:
		p := s.getenv("NODE_EXTRA_CA_CERTS")
		if p == "" {
			return Store{}, errors.New("--trust-store node needs NODE_EXTRA_CA_CERTS set to the file Node adds to its roots")
		}
		st := Load(p)
		st.Kind, st.From = Node, "NODE_EXTRA_CA_CERTS"
		return st, st.Err
	case Certifi, Java:
		patterns := s.Certifi
		if name == Java {
			patterns = s.Java
		}
		found := s.glob(patterns)
		if len(found) == 0 {
			return Store{}, fmt.Errorf("no %s trust store found on this machine", name)
		}
		st := Load(found[0])
		st.Kind, st.From = name, "found"
		return st, st.Err
	}
	st := Load(name)
	st.From = "--trust-store"
	return st, st.Err
}

// FromCerts is a store of the given certificates.
func FromCerts(kind, path, from string, certs []*x509.Certificate) Store {
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return Store{Kind: kind, Path: path, From: from, Certs: certs, Pool: pool}
}

// KindOf is the kind of store a path is, by its name.
func KindOf(path string) string {
	slash := filepath.ToSlash(path)
	switch {
	case strings.HasSuffix(slash, "certifi/cacert.pem"):
		return Certifi
	case filepath.Base(path) == "cacerts" && !isDir(path):
		return Java
	}
	return Path
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// Load reads the store at path: a PEM bundle, a directory of PEM files
// (as SSL_CERT_DIR), or a Java keystore (JKS, or PKCS#12 with the
// default password "changeit" or none). Err says why it could not.
func Load(path string) Store {
	st := Store{Kind: KindOf(path), Path: path}
	var err error
	if isDir(path) {
		st.Certs, err = loadDir(path)
	} else {
		st.Certs, err = loadFile(path)
	}
	if err == nil && len(st.Certs) == 0 {
		err = errors.New("it holds no certificate")
	}
	if err != nil {
		st.Certs, st.Err = nil, fmt.Errorf("%s: %w", path, fileerr.Cause(err))
		return st
	}
	return FromCerts(st.Kind, path, "", st.Certs)
}

func loadDir(dir string) ([]*x509.Certificate, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for i, e := range entries {
		if i == MaxDirFiles {
			break
		}
		if e.IsDir() {
			continue
		}
		c, err := loadFile(filepath.Join(dir, e.Name()))
		if err == nil {
			certs = append(certs, c...)
		}
	}
	return certs, nil
}

// javaPassword is the password every JDK ships cacerts with.
const javaPassword = "changeit"

func loadFile(path string) ([]*x509.Certificate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d MiB", MaxFileSize>>20)
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xFE, 0xED, 0xFE, 0xED}): // JKS
		ks := keystore.New()
		if err := ks.Load(bytes.NewReader(data), []byte(javaPassword)); err != nil {
			return nil, fmt.Errorf("a JKS keystore that does not open with the password changeit: %w", err)
		}
		var certs []*x509.Certificate
		for _, alias := range ks.Aliases() {
			e, err := ks.GetTrustedCertificateEntry(alias)
			if err != nil {
				continue // a key entry: not a trust anchor
			}
			if c, err := x509.ParseCertificate(e.Certificate.Content); err == nil {
				certs = append(certs, c)
			}
		}
		return certs, nil
	case bytes.HasPrefix(data, []byte{0x30}): // DER: PKCS#12
		certs, err := pkcs12.DecodeTrustStore(data, javaPassword)
		if err != nil {
			if c2, err2 := pkcs12.DecodeTrustStore(data, ""); err2 == nil {
				return c2, nil
			}
			return nil, fmt.Errorf("a PKCS#12 keystore that opens with neither the password changeit nor none: %w", err)
		}
		return certs, nil
	}
	var certs []*x509.Certificate
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if c, err := x509.ParseCertificate(b.Bytes); err == nil {
			certs = append(certs, c)
		}
	}
	return certs, nil
}

// Verdict is whether one store accepts a chain: trust only, apart from
// dates and the host name, which the store does not change.
type Verdict struct {
	Kind     string `json:"kind"`
	Path     string `json:"path,omitempty"`
	From     string `json:"from"`
	Accepted bool   `json:"accepted"`
	// Root is the subject of the root the chain leads to: in the store
	// when accepted, else the one the store lacks.
	Root string `json:"root,omitempty"`
	// Reason is why the store rejects the chain, or could not judge it
	// (Unreadable); "" when accepted.
	Reason     string `json:"reason,omitempty"`
	Unreadable bool   `json:"unreadable,omitempty"`
	// Picked: the store --trust-store named, the application's.
	Picked bool `json:"picked,omitempty"`
}

// Judge says whether st accepts chain (as sent, leaf first) at now, dates
// aside: a chain out of date is checked at a time inside its validity.
func Judge(st Store, chain []*x509.Certificate, now time.Time) Verdict {
	v := Verdict{Kind: st.Kind, Path: st.Path, From: st.From}
	if st.Err != nil || st.Pool == nil {
		v.Unreadable, v.Reason = true, "cannot be read"
		if st.Err != nil {
			v.Reason = "cannot be read: " + st.Err.Error()
		}
		return v
	}
	if len(chain) == 0 {
		v.Unreadable, v.Reason = true, "the server sent no certificate"
		return v
	}
	chains, err := verify(st.Pool, chain, now)
	if err == nil {
		root := chains[0][len(chains[0])-1]
		v.Accepted, v.Root = true, root.Subject.String()
		return v
	}
	v.Root = MissingRoot(chain)
	v.Reason = fmt.Sprintf("lacks the root %q", v.Root)
	return v
}

func verify(pool *x509.CertPool, chain []*x509.Certificate, now time.Time) ([][]*x509.Certificate, error) {
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: pool, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	chains, err := chain[0].Verify(opts)
	if inv, ok := errors.AsType[x509.CertificateInvalidError](err); ok && inv.Reason == x509.Expired {
		leaf := chain[0]
		opts.CurrentTime = leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)
		chains, err = leaf.Verify(opts)
	}
	return chains, err
}

// MissingRoot is the subject of the root a chain needs: the last
// certificate's issuer, or the certificate itself when it is self-signed.
func MissingRoot(chain []*x509.Certificate) string {
	last := chain[len(chain)-1]
	if bytes.Equal(last.RawIssuer, last.RawSubject) {
		return last.Subject.String()
	}
	return last.Issuer.String()
}
