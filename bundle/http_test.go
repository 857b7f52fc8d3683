package bundle

import (
	"strings"
	"testing"
)

// TestBundleHTTP: the bundle of a run with an HTTP endpoint carries the
// answer's headers and the discovery document (in the http check's
// evidence), and no credential: the Query API's POST carried the
// password, which never reaches a result.
func TestBundleHTTP(t *testing.T) {
	t.Parallel()
	d := diagnoseScenario(t, "discovery-advertises-localhost", "")
	data, _ := build(t, d.rep, Options{Password: d.inst.Password, Env: testEnv(t, nil)})
	s := string(data)
	for _, want := range []string{`"header Content-Type"`, `"document"`, `neo4j://localhost:7687`, `"http.advertised_local"`} {
		if !strings.Contains(s, want) {
			t.Errorf("the bundle has no %s", want)
		}
	}
	for _, secret := range []string{d.inst.Password, "Basic ", "Set-Cookie"} {
		if strings.Contains(s, secret) {
			t.Errorf("the bundle holds %q", secret)
		}
	}
}
