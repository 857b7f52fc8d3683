package truststore

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
	"github.com/pavlo-v-chernykh/keystore-go/v4"
	"software.sslmate.com/src/go-pkcs12"
)

// world is a corporate root that signs the server's chain (through an
// intermediate the server sends) and a public root that does not.
type world struct {
	corp, public *certs.CA
	chain        []*x509.Certificate
}

func newWorld(t *testing.T) world {
	t.Helper()
	corp, err := certs.NewCA("Corp Root CA")
	if err != nil {
		t.Fatal(err)
	}
	inter, err := corp.Intermediate("Corp Issuing CA")
	if err != nil {
		t.Fatal(err)
	}
	public, err := certs.NewCA("Public Root CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := inter.Leaf(certs.LeafOptions{DNSNames: []string{"db.example.test"}})
	if err != nil {
		t.Fatal(err)
	}
	var chain []*x509.Certificate
	for _, der := range leaf.Chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, c)
	}
	return world{corp: corp, public: public, chain: chain}
}

func write(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func jks(t *testing.T, cas ...*certs.CA) []byte {
	t.Helper()
	ks := keystore.New()
	for i, ca := range cas {
		err := ks.SetTrustedCertificateEntry(string(rune('a'+i)), keystore.TrustedCertificateEntry{
			CreationTime: time.Unix(0, 0), Certificate: keystore.Certificate{Type: "X509", Content: ca.DER}})
		if err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := ks.Store(&b, []byte(javaPassword)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func p12(t *testing.T, enc *pkcs12.Encoder, password string, cas ...*certs.CA) []byte {
	t.Helper()
	var cs []*x509.Certificate
	for _, ca := range cas {
		cs = append(cs, ca.Certificate)
	}
	data, err := enc.EncodeTrustStore(cs, password)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestJudge reads every format a store comes in and judges the chain
// against it: the store with the corporate root accepts, the one without
// names the root it lacks.
func TestJudge(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	now := time.Now()
	corpPEM := append(w.public.PEM(), w.corp.PEM()...)
	cases := []struct {
		name, path string
		kind       string
		accepted   bool
	}{
		{"pem bundle with the root", write(t, filepath.Join(dir, "bundle.pem"), corpPEM), Path, true},
		{"certifi without the root", write(t, filepath.Join(dir, "py/site-packages/certifi/cacert.pem"), w.public.PEM()), Certifi, false},
		{"jks cacerts with the root", write(t, filepath.Join(dir, "jdk8/lib/security/cacerts"), jks(t, w.public, w.corp)), Java, true},
		{"jks cacerts without", write(t, filepath.Join(dir, "jdk8b/lib/security/cacerts"), jks(t, w.public)), Java, false},
		{"pkcs12 cacerts (changeit)", write(t, filepath.Join(dir, "jdk17/lib/security/cacerts"), p12(t, pkcs12.Modern, javaPassword, w.corp)), Java, true},
		{"pkcs12 cacerts (no password)", write(t, filepath.Join(dir, "jdk21/lib/security/cacerts"), p12(t, pkcs12.Passwordless, "", w.public)), Java, false},
		{"directory of PEM files", filepath.Dir(write(t, filepath.Join(dir, "certs/corp.pem"), w.corp.PEM())), Path, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := Load(c.path)
			if st.Err != nil {
				t.Fatalf("Load: %v", st.Err)
			}
			if st.Kind != c.kind {
				t.Errorf("kind = %q, want %q", st.Kind, c.kind)
			}
			v := Judge(st, w.chain, now)
			if v.Accepted != c.accepted {
				t.Fatalf("accepted = %v, want %v (%s)", v.Accepted, c.accepted, v.Reason)
			}
			if v.Root != w.corp.Certificate.Subject.String() {
				t.Errorf("root = %q, want the corporate root", v.Root)
			}
			if !c.accepted && !strings.Contains(v.Reason, "Corp Root CA") {
				t.Errorf("reason = %q, want it to name the missing root", v.Reason)
			}
		})
	}
}

// TestJudgeExpiredChain: trust is judged apart from dates.
func TestJudgeExpiredChain(t *testing.T) {
	w := newWorld(t)
	st := FromCerts(CAFile, "ca.pem", "--ca-file", []*x509.Certificate{w.corp.Certificate})
	if v := Judge(st, w.chain, time.Now().AddDate(20, 0, 0)); !v.Accepted {
		t.Fatalf("an expired chain is judged on trust: %+v", v)
	}
}

// TestLoadBad: what cannot be read says why, and is not a store.
func TestLoadBad(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"empty.pem":        []byte("no certificate here\n"),
		"broken/cacerts":   {0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2},
		"wrongpass.p12":    p12(t, pkcs12.Modern, "secret", newWorld(t).corp),
		"too-big/cert.pem": bytes.Repeat([]byte{'x'}, MaxFileSize+1),
	} {
		st := Load(write(t, filepath.Join(dir, name), data))
		if st.Err == nil || st.Pool != nil {
			t.Errorf("%s: Load = %+v, want an error", name, st)
		}
		if v := Judge(st, newWorld(t).chain, time.Now()); v.Accepted || !v.Unreadable {
			t.Errorf("%s: Judge = %+v, want unreadable", name, v)
		}
	}
	if st := Load(filepath.Join(dir, "missing.pem")); st.Err == nil {
		t.Error("a missing file loads")
	}
}

// TestDiscover finds stores only where the search says, in a tree the
// test owns.
func TestDiscover(t *testing.T) {
	w := newWorld(t)
	root := t.TempDir()
	home := filepath.Join(root, "home")
	jdk := filepath.Join(root, "jdk-21")
	env := map[string]string{
		"HOME":                home,
		"JAVA_HOME":           jdk,
		"NODE_EXTRA_CA_CERTS": write(t, filepath.Join(root, "node-extra.pem"), w.corp.PEM()),
		"SSL_CERT_FILE":       filepath.Join(root, "ssl.pem"),
	}
	a := write(t, filepath.Join(home, ".local/lib/python3.12/site-packages/certifi/cacert.pem"), w.public.PEM())
	b := write(t, filepath.Join(root, "usr/lib/python3.11/site-packages/certifi/cacert.pem"), w.corp.PEM())
	// The same file through a symlink is one store.
	if err := os.Symlink(b, filepath.Join(root, "usr/lib/python3.11/site-packages/certifi/link.pem")); err != nil {
		t.Fatal(err)
	}
	j := write(t, filepath.Join(jdk, "lib/security/cacerts"), jks(t, w.public))
	s := Search{
		Getenv: func(k string) string { return env[k] },
		Certifi: []string{
			"$HOME/.local/lib/python3*/site-packages/certifi/cacert.pem",
			root + "/usr/lib/python3*/site-packages/certifi/*.pem",
			"$VIRTUAL_ENV/lib/python3*/site-packages/certifi/cacert.pem", // unset: skipped
		},
		Java:        []string{"$JAVA_HOME/lib/security/cacerts", root + "/nowhere/*/cacerts"},
		SystemRoots: w.public.Pool(),
	}
	ca := []*x509.Certificate{w.corp.Certificate}
	stores := s.Discover("corp.pem", ca)
	type got struct{ kind, path, from string }
	var list []got
	accepted := map[string]bool{}
	for _, st := range stores {
		list = append(list, got{st.Kind, st.Path, st.From})
		accepted[st.Kind+" "+st.Path] = Judge(st, w.chain, time.Now()).Accepted
	}
	want := []got{
		{System, env["SSL_CERT_FILE"], "SSL_CERT_FILE"},
		{CAFile, "corp.pem", "--ca-file"},
		{Node, env["NODE_EXTRA_CA_CERTS"], "NODE_EXTRA_CA_CERTS"},
		{Certifi, a, "found"},
		{Certifi, b, "found"},
		{Java, j, "JAVA_HOME"},
	}
	if len(list) != len(want) {
		t.Fatalf("stores = %v, want %v", list, want)
	}
	for i := range want {
		if list[i] != want[i] {
			t.Errorf("store %d = %v, want %v", i, list[i], want[i])
		}
	}
	for k, v := range map[string]bool{"system " + env["SSL_CERT_FILE"]: false, "certifi " + a: false, "certifi " + b: true, "node " + env["NODE_EXTRA_CA_CERTS"]: true, "java " + j: false} {
		if accepted[k] != v {
			t.Errorf("%s accepted = %v, want %v", k, accepted[k], v)
		}
	}

	// Pick: by kind, the first found; by path, its kind by name.
	if st, err := s.Pick(Certifi, "", nil); err != nil || st.Path != a {
		t.Errorf("Pick(certifi) = %v %v", st.Path, err)
	}
	if st, err := s.Pick(b, "", nil); err != nil || st.Kind != Certifi || st.From != "--trust-store" {
		t.Errorf("Pick(path) = %+v %v", st, err)
	}
	for _, name := range []string{CAFile, filepath.Join(root, "missing.pem")} {
		if _, err := s.Pick(name, "", nil); err == nil {
			t.Errorf("Pick(%s) without it: no error", name)
		}
	}
	none := Search{SystemRoots: w.public.Pool()}
	for _, name := range []string{Node, Certifi, Java} {
		if _, err := none.Pick(name, "", nil); err == nil {
			t.Errorf("Pick(%s) with nothing found: no error", name)
		}
	}
}

// TestDiscoverBounded: a glob that matches many files reads at most
// MaxFound.
func TestDiscoverBounded(t *testing.T) {
	root := t.TempDir()
	pem := newWorld(t).corp.PEM()
	for i := range MaxFound + 5 {
		write(t, filepath.Join(root, "py"+string(rune('a'+i)), "certifi/cacert.pem"), pem)
	}
	s := Search{Certifi: []string{root + "/py*/certifi/cacert.pem"}, SystemRoots: x509.NewCertPool()}
	if n := len(s.Discover("", nil)); n != 1+MaxFound {
		t.Errorf("stores = %d, want %d", n, 1+MaxFound)
	}
}
