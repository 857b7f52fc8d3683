package checks_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
	"github.com/neo4j-doctor/neo4j-doctor/internal/truststore"
)

// storeTree is a machine's trust stores, in a directory the test owns:
// a certifi bundle with only a public root, NODE_EXTRA_CA_CERTS with the
// corporate root, and no Java.
type storeTree struct {
	certifi, node string
	search        *truststore.Search
}

func newStoreTree(t *testing.T, corp *certs.CA) storeTree {
	t.Helper()
	public, err := certs.NewCA("Public Root CA")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	put := func(rel string, data []byte) string {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	st := storeTree{
		certifi: put("venv/lib/python3.12/site-packages/certifi/cacert.pem", public.PEM()),
		node:    put("node-extra.pem", corp.PEM()),
	}
	env := map[string]string{"VIRTUAL_ENV": filepath.Join(root, "venv"), "NODE_EXTRA_CA_CERTS": st.node}
	st.search = &truststore.Search{
		Getenv:  func(k string) string { return env[k] },
		Certifi: []string{"$VIRTUAL_ENV/lib/python3*/site-packages/certifi/cacert.pem"},
		Java:    []string{root + "/jvm/*/lib/security/cacerts"},
	}
	return st
}

// TestTLSAppStoreRejects: the chain verifies for the doctor (--ca-file)
// but the application's store, a certifi bundle, lacks the root: the tls
// check fails with tls.app_store_rejects, the hint says what to add
// where, nothing after tls runs, and every store's verdict is a fact and
// typed in the report.
func TestTLSAppStoreRejects(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	d := tlsSetup(t, p.leaf(t, certs.LeafOptions{}))
	tree := newStoreTree(t, p.ca)
	tg := d.target("neo4j+s", "db")
	tg.caFile, tg.trustStore, tg.trustSearch = p.caFile, tree.certifi, tree.search
	env := testEnv(t)
	env.TrustSearch = tree.search
	rep := diagnose(t, resolve(t, tg), env)
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r := wantCheck(t, rep, "tls", checks.Fail, `Python's certifi bundle lacks the root "CN=doctor test root"`,
		`trusted_certificates=neo4j.TrustCustomCAs("`+p.caFile+`")`, "`export SSL_CERT_FILE=bundle.pem`", tree.certifi)
	if r.Code != "tls.app_store_rejects" {
		t.Errorf("code = %q", r.Code)
	}
	if len(r.Hints) != 2 || !strings.HasPrefix(r.Hints[0], "give the driver the CA: trusted_certificates=") {
		t.Errorf("hints = %q, want the store's fixes alone, the driver's first", r.Hints)
	}
	if got := result(t, rep, "bolt"); got.Status != checks.Skip {
		t.Errorf("bolt = %s, want skip after the application's store rejected", got.Status)
	}
	noCredentialsSent(t, d.srv)
	want := map[string]string{
		"system":  `rejects: lacks the root "CN=doctor test root" (system)`,
		"ca-file": `accepts, root "CN=doctor test root" (` + p.caFile + `)`,
		"node":    `accepts, root "CN=doctor test root" (NODE_EXTRA_CA_CERTS=` + tree.node + `)`,
		"certifi": `rejects: lacks the root "CN=doctor test root" (` + tree.certifi + `, the application's (--trust-store))`,
	}
	for kind, v := range want {
		if got, _ := fact(r, "trust store "+kind); got != v {
			t.Errorf("fact trust store %s = %q, want %q", kind, got, v)
		}
	}
	if len(rep.TrustStores) != 4 {
		t.Fatalf("TrustStores = %+v, want 4", rep.TrustStores)
	}
	last := rep.TrustStores[3]
	if last.Kind != "certifi" || !last.Picked || last.Accepted || last.Root != "CN=doctor test root" {
		t.Errorf("the application's store: %+v", last)
	}
}

// TestTLSAppStoreAccepts: the verdict follows --trust-store both ways. A
// Java keystore path holding the root makes the run pass without
// --ca-file, though the system store lacks it; --trust-store system with
// --ca-file fails with tls.app_store_rejects and says how to install the
// root.
func TestTLSAppStoreAccepts(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	d := tlsSetup(t, p.leaf(t, certs.LeafOptions{}))

	tg := d.target("neo4j+s", "db")
	tg.trustStore = p.caFile // a PEM bundle path: kind "path"
	rep := run(t, tg)
	wantVerdict(t, rep, checks.Pass, checks.ExitHealthy)
	r := wantCheck(t, rep, "tls", checks.Pass, "certificate valid")
	if v, _ := fact(r, "trust store path"); !strings.HasPrefix(v, "accepts") {
		t.Errorf("the picked store's fact %q", v)
	}

	tg = d.target("neo4j+s", "db")
	tg.caFile, tg.trustStore = p.caFile, "system"
	rep = run(t, tg)
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	r = wantCheck(t, rep, "tls", checks.Fail, "the system store lacks the root", "`update-ca-certificates`", p.caFile)
	if r.Code != "tls.app_store_rejects" {
		t.Errorf("code = %q", r.Code)
	}

	// Neither the doctor's trust nor the application's has the root: the
	// usual cause, the application's fix first.
	tg = d.target("neo4j+s", "db")
	tg.trustStore = writeFile(t, "cacerts.pem", unrelatedCA(t).PEM())
	rep = run(t, tg)
	r = wantCheck(t, rep, "tls", checks.Fail, "", "add the root to "+tg.trustStore)
	if r.Code != "tls.unknown_authority" || !strings.HasPrefix(r.Hints[0], "add the root to") {
		t.Errorf("code %q, hints %q", r.Code, r.Hints)
	}
}

func unrelatedCA(t *testing.T) *certs.CA {
	t.Helper()
	ca, err := certs.NewCA("another root")
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// TestTrustStoreInput: a store that cannot be had is an input error.
func TestTrustStoreInput(t *testing.T) {
	t.Parallel()
	empty := &truststore.Search{}
	for _, name := range []string{"ca-file", "node", "certifi", "java", filepath.Join(t.TempDir(), "missing.pem")} {
		_, err := checks.Resolve(checks.Inputs{Flags: map[string]string{"uri": "neo4j+s://db.example.test"}, TrustStore: name, TrustSearch: empty})
		var ie *checks.InputError
		if !errors.As(err, &ie) || ie.Hint == "" || !strings.Contains(err.Error(), "--trust-store") {
			t.Errorf("--trust-store %s: %v, want an input error with a hint", name, err)
		}
	}
}
