package checks

import (
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
)

func TestJudgeConfig(t *testing.T) {
	const aura = "abcd1234.databases.neo4j.io"
	local := func(user, pass string) *Target {
		return &Target{Scheme: "bolt", TLS: TLSOff, Host: "localhost", Port: DefaultPort, Username: user, Password: pass}
	}
	auraTarget := func(scheme string, tls TLSMode, port int, id string) *Target {
		return &Target{Scheme: scheme, Routing: true, TLS: tls, Host: aura, Port: port,
			Username: "neo4j", Password: "secret", AuraInstanceID: id}
	}
	cases := []struct {
		name string
		t    *Target
		want outcomeWant
	}{
		{"credentials", local("neo4j", "secret"),
			outcomeWant{Pass, "", "bolt to localhost:7687, plaintext", ""}},
		{"no credentials", local("", ""),
			outcomeWant{Warn, "config.no_credentials", "; no credentials", "no username or password was given"}},
		{"a bearer token", &Target{Scheme: "bolt", TLS: TLSOff, Host: "localhost", Port: DefaultPort, BearerToken: "eyJ.eyJ.sig"},
			outcomeWant{Pass, "", "bolt to localhost:7687, plaintext", ""}},
		{"no password", local("neo4j", ""),
			outcomeWant{Warn, "config.no_password", "; no password", "pass -p or set NEO4J_PASSWORD"}},
		{"aura", auraTarget("neo4j+s", TLSVerify, DefaultPort, "ABCD1234"),
			outcomeWant{Pass, "", "neo4j+s to " + aura + ":7687, TLS, the certificate must verify", ""}},
		{"aura instance mismatch", auraTarget("neo4j+s", TLSVerify, DefaultPort, "ffff0000"),
			outcomeWant{Warn, "config.aura_instance_mismatch", "neo4j+s to " + aura, "AURA_INSTANCEID is ffff0000 but the URI names instance abcd1234"}},
		{"aura plaintext", auraTarget("neo4j", TLSOff, DefaultPort, ""),
			outcomeWant{Warn, "config.aura_plaintext", "neo4j to " + aura + ":7687, plaintext", "use neo4j+s://" + aura}},
		{"aura port", auraTarget("neo4j+s", TLSVerify, 7688, ""),
			outcomeWant{Warn, "config.aura_port", aura + ":7688", "not 7688: leave the port out"}},
		// Several at once: the code names what the summary names, and the
		// first of the Aura problems when the summary names none.
		{"no credentials and aura plaintext", &Target{Scheme: "neo4j", Routing: true, TLS: TLSOff, Host: aura, Port: DefaultPort},
			outcomeWant{Warn, "config.no_credentials", "; no credentials", "no username or password was given"}},
		{"aura mismatch, plaintext and port", auraTarget("neo4j", TLSOff, 7688, "ffff0000"),
			outcomeWant{Warn, "config.aura_instance_mismatch", "neo4j to " + aura + ":7688, plaintext", "AURA_INSTANCEID is ffff0000"}},
	}
	var wants []outcomeWant
	for _, c := range cases {
		wants = append(wants, c.want)
		t.Run(c.name, func(t *testing.T) {
			c.want.match(t, configCheck, judgeConfig(c.t, c.t.server("", bolt.Version{})))
		})
	}
	coverCodes(t, configCheck, wants)
}

// TestJudgeConfigNoCredentialsOnAura: auth cannot be turned off on Aura,
// so the hint does not name dbms.security.auth_enabled there, and says
// where Aura's credentials are instead.
func TestJudgeConfigNoCredentialsOnAura(t *testing.T) {
	selfT := &Target{Scheme: "neo4j", Routing: true, Host: "db.example.com", Port: DefaultPort}
	self := judgeConfig(selfT, selfT.server("", bolt.Version{}))
	if h := strings.Join(self.Hints, "\n"); !strings.Contains(h, "dbms.security.auth_enabled=false") {
		t.Errorf("self-managed hints %q", self.Hints)
	}
	auraT := &Target{Scheme: "neo4j+s", Routing: true, TLS: TLSVerify, Host: "abcd1234.databases.neo4j.io", Port: DefaultPort}
	aura := judgeConfig(auraT, auraT.server("", bolt.Version{}))
	if h := strings.Join(aura.Hints, "\n"); strings.Contains(h, "auth_enabled") || !strings.Contains(h, "credentials file") {
		t.Errorf("Aura hints %q", aura.Hints)
	}
}
