package cli

import (
	"strings"
	"testing"
)

// TestProxyVariables: the proxy variables of the environment the CLI is
// given are named in the config check, in text and JSON, and never their
// values, which may carry a password.
func TestProxyVariables(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "healthy-single")
	env := instEnv(inst)
	env["HTTPS_PROXY"] = "http://me:" + canary + "@proxy.example:3128"
	env["no_proxy"] = "localhost"
	const note = "HTTPS_PROXY, no_proxy set; Bolt drivers ignore them and connect directly"
	for _, format := range []string{"text", "json"} {
		r := runCLI(env, instArgs(inst, "--verbose", "--format", format)...)
		if r.code != 0 {
			t.Fatalf("%s: want exit 0:\n%s", format, r)
		}
		if !strings.Contains(r.stdout, note) {
			t.Errorf("%s: the report does not say %q:\n%s", format, note, r.stdout)
		}
		if strings.Contains(r.stdout+r.stderr, canary) || strings.Contains(r.stdout, "proxy.example") {
			t.Errorf("%s: a proxy variable's value is printed:\n%s", format, r)
		}
	}
}

// TestUnspecifiedHost: 0.0.0.0 and :: are where a server listens, not an
// address to connect to: bad input, exit 3, nothing dialled.
func TestUnspecifiedHost(t *testing.T) {
	t.Parallel()
	for _, uri := range []string{"bolt://0.0.0.0:7687", "neo4j://[::]"} {
		r := runCLI(map[string]string{"NEO4J_PASSWORD": canary}, "--uri", uri)
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		if r.code != 3 || r.stdout != "" || len(lines) != 2 ||
			!strings.HasPrefix(lines[0], "error: ") || !strings.Contains(lines[0], "is not an address to connect to") ||
			!strings.HasPrefix(lines[1], "hint: use the server's address") {
			t.Errorf("%s: want exit 3, an error: and a hint: line:\n%s", uri, r)
		}
	}
}
