package checks_test

import (
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

// auraHost is an Aura-shaped name; the tests give it no DNS record (or a
// loopback one) on the fixture resolver, so it never leaves the machine.
const auraHost = "0a1b2c3d.databases.neo4j.io"

func TestConfigNoCredentialsWarns(t *testing.T) {
	t.Parallel()
	s := startServer(t, fixtures.Neo4j526()) // auth disabled: accepts anything
	rep := run(t, target{uri: s.URI("bolt"), noCreds: true})
	wantVerdict(t, rep, checks.Warn, checks.ExitHealthy)
	wantCheck(t, rep, "config", checks.Warn, "no credentials", "NEO4J_PASSWORD", "-u/-p")
	wantStatuses(t, rep, map[string]checks.Status{"auth": checks.Pass, "query": checks.Pass})
	if got := rep.Target.PasswordSource; got != "none" {
		t.Errorf("PasswordSource %q, want none", got)
	}
}

func TestConfigNoCredentialsAgainstAuthServer(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	rep := run(t, target{uri: s.URI("bolt"), noCreds: true})
	wantVerdict(t, rep, checks.Fail, checks.ExitFailed)
	wantCheck(t, rep, "config", checks.Warn, "no credentials")
	wantCheck(t, rep, "auth", checks.Fail, "wrong username or password")
}

func TestConfigUserWithoutPasswordWarns(t *testing.T) {
	t.Parallel()
	s := startServer(t, fixtures.Neo4j526())
	tt, err := checks.Resolve(checks.Inputs{Flags: map[string]string{"uri": s.URI("bolt"), "username": "neo4j"}, Timeout: stepTimeout})
	if err != nil {
		t.Fatal(err)
	}
	rep := diagnose(t, tt, nil)
	wantCheck(t, rep, "config", checks.Warn, "no password", "-p")
}

func TestConfigHealthyFacts(t *testing.T) {
	t.Parallel()
	s := startServer(t, withUsers(fixtures.Neo4j526()))
	rep := run(t, target{uri: s.URI("neo4j+ssc")})
	r := wantCheck(t, rep, "config", checks.Pass, "neo4j+ssc to "+s.Addr())
	if v, _ := fact(r, "encryption"); !containsFold(v, "+ssc") {
		t.Errorf("encryption fact %q should say +ssc", v)
	}
	if v, _ := fact(r, "scheme"); !containsFold(v, "routing") {
		t.Errorf("scheme fact %q should say routing", v)
	}
	if len(r.Hints) != 0 {
		t.Errorf("a healthy config has hints: %q", r.Hints)
	}
}

func TestConfigAura(t *testing.T) {
	t.Parallel()
	d := startDNS(t, nil) // the Aura name does not resolve: the config check is what matters

	t.Run("neo4j:// to Aura", func(t *testing.T) {
		t.Parallel()
		rep := run(t, target{uri: "neo4j://" + auraHost, dnsServer: d.Addr()})
		r := wantCheck(t, rep, "config", checks.Warn, "", "neo4j+s://"+auraHost)
		if v, _ := fact(r, "aura instance"); v != "0a1b2c3d" {
			t.Errorf("aura instance fact %q", v)
		}
		// The unresolvable Aura name gets the Aura-specific DNS hint.
		wantCheck(t, rep, "dns", checks.Fail, "NXDOMAIN", "mistyped", "console.neo4j.io")
		wantVerdict(t, rep, checks.Fail, checks.ExitNoResponse)
	})
	t.Run("non-default port", func(t *testing.T) {
		t.Parallel()
		rep := run(t, target{uri: "neo4j+s://" + auraHost + ":7474", dnsServer: d.Addr()})
		wantCheck(t, rep, "config", checks.Warn, "", "port 7687, not 7474")
	})
	t.Run("AURA_INSTANCEID mismatch", func(t *testing.T) {
		t.Parallel()
		f := writeFile(t, "Neo4j-0a1b2c3d-Created-2025-01-01.txt", []byte(
			"NEO4J_URI=neo4j+s://"+auraHost+"\nNEO4J_USERNAME=neo4j\nNEO4J_PASSWORD=x\nAURA_INSTANCEID=ffff0000\nAURA_INSTANCENAME=Instance01\n"))
		tt, err := checks.Resolve(checks.Inputs{File: f, Timeout: stepTimeout, DNSServer: d.Addr()})
		if err != nil {
			t.Fatal(err)
		}
		rep := diagnose(t, tt, nil)
		r := wantCheck(t, rep, "config", checks.Warn, "", "AURA_INSTANCEID is ffff0000", "console.neo4j.io")
		if v, _ := fact(r, "aura name"); v != "Instance01" {
			t.Errorf("aura name fact %q", v)
		}
	})
	t.Run("AURA_INSTANCEID matches", func(t *testing.T) {
		t.Parallel()
		f := writeFile(t, "Neo4j-0a1b2c3d-Created-2025-01-01.txt", []byte(
			"NEO4J_URI=neo4j+s://"+auraHost+"\nNEO4J_USERNAME=neo4j\nNEO4J_PASSWORD=x\nAURA_INSTANCEID=0A1B2C3D\n"))
		tt, err := checks.Resolve(checks.Inputs{File: f, Timeout: stepTimeout, DNSServer: d.Addr()})
		if err != nil {
			t.Fatal(err)
		}
		rep := diagnose(t, tt, nil)
		wantCheck(t, rep, "config", checks.Pass, "neo4j+s to "+auraHost+":7687")
	})
}
