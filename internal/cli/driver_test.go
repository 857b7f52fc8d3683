package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// driverReport is the part of the JSON report --driver adds to.
type driverReport struct {
	Checks []struct {
		ID          string `json:"id"`
		DriverHints []struct {
			Driver, Topic, Snippet, Doc string
		} `json:"driverHints"`
	} `json:"checks"`
}

// TestDriverDemoSelfSigned: demo self-signed --driver D, for each of the
// five drivers: the text report quotes D's way to trust the CA file and
// +ssc under the tls check's hints, and the JSON report (schema-valid)
// carries them as driverHints beside hints.
func TestDriverDemoSelfSigned(t *testing.T) {
	t.Parallel()
	for driver, want := range map[string]string{
		"python":     `trusted_certificates=neo4j.TrustCustomCAs("ca.pem")`,
		"javascript": `trust: 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES', trustedCertificates: ['ca.pem']`,
		"java":       `Config.TrustStrategy.trustCustomCertificateSignedBy(new File("ca.pem"));`,
		"go":         `c.TlsConfig = &tls.Config{RootCAs: pool}`,
		"dotnet":     `WithCertificateTrustRule(CertificateTrustRule.TrustList, new[] { "ca.pem" })`,
	} {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			r := runCLI(nil, "demo", "self-signed", "--driver", driver, "--color", "never")
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\n%s", r.code, r)
			}
			text := strings.Join(strings.Fields(r.stdout), " ")
			for _, s := range []string{driver + ":", want, "+ssc://"} {
				if !strings.Contains(text, s) {
					t.Errorf("the text report lacks %q\n%s", s, r.stdout)
				}
			}
			if !strings.Contains(r.stdout, "driver ") || !strings.Contains(r.stdout, "from --driver") {
				t.Errorf("the header does not say which driver, from where\n%s", r.stdout)
			}
			j := runCLI(nil, "demo", "self-signed", "--driver", driver, "--format", "json")
			decodeReport(t, j)
			var rep driverReport
			if err := json.Unmarshal([]byte(j.stdout), &rep); err != nil {
				t.Fatal(err)
			}
			for _, c := range rep.Checks {
				if c.ID != "tls" {
					if c.DriverHints != nil {
						t.Errorf("%s carries driver hints: %+v", c.ID, c.DriverHints)
					}
					continue
				}
				var topics []string
				for _, h := range c.DriverHints {
					topics = append(topics, h.Topic)
					if h.Driver != driver || !strings.HasPrefix(h.Doc, "https://") {
						t.Errorf("driver hint %+v", h)
					}
				}
				if !slices.Equal(topics, []string{"trust_ca", "ssc"}) || !strings.Contains(c.DriverHints[0].Snippet, want) {
					t.Errorf("tls driver hints %+v, want trust_ca with %q, then ssc", c.DriverHints, want)
				}
			}
		})
	}
}

// TestDriverNeutralByDefault: without --driver the reports carry no
// snippet and no driverHints key, as before.
func TestDriverNeutralByDefault(t *testing.T) {
	t.Parallel()
	j := runCLI(nil, "demo", "self-signed", "--format", "json")
	decodeReport(t, j)
	if strings.Contains(j.stdout, "driverHints") {
		t.Errorf("driverHints without --driver:\n%s", j.stdout)
	}
	r := runCLI(nil, "demo", "self-signed", "--color", "never")
	if strings.Contains(r.stdout, "python:") || strings.Contains(r.stdout, "TrustCustomCAs") {
		t.Errorf("a driver snippet without --driver:\n%s", r.stdout)
	}
}

// TestDriverFromEnvironment: NEO4J_DOCTOR_DRIVER does what --driver does,
// for check as for demo.
func TestDriverFromEnvironment(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "self-signed")
	r := runCLI(map[string]string{"NEO4J_DOCTOR_DRIVER": "go", "NEO4J_PASSWORD": inst.Password},
		"check", "--uri", inst.URI, "-u", inst.Username, "--dns-server", inst.DNSServer, "--timeout", inst.Timeout.String(), "--color", "never")
	text := strings.Join(strings.Fields(r.stdout), " ")
	if r.code != 1 || !strings.Contains(text, "go: trust the CA file: pool := x509.NewCertPool()") || !strings.Contains(r.stdout, "from NEO4J_DOCTOR_DRIVER") {
		t.Errorf("want exit 1 and the Go snippet, from NEO4J_DOCTOR_DRIVER\n%s", r)
	}
}

// TestDriverBadInput: a driver neo4j-doctor does not know is bad input
// on every command that takes --driver: exit 3, error and hint, no run.
func TestDriverBadInput(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"check", nil, []string{"check", "--uri", "neo4j://127.0.0.1:1", "--driver", "cobol"}},
		{"default command", nil, []string{"--uri", "neo4j://127.0.0.1:1", "--driver", "cobol"}},
		{"environment", map[string]string{"NEO4J_DOCTOR_DRIVER": "cobol"}, []string{"check", "--uri", "neo4j://127.0.0.1:1"}},
		{"demo", nil, []string{"demo", "self-signed", "--driver", "cobol"}},
		{"demo environment", map[string]string{"NEO4J_DOCTOR_DRIVER": "cobol"}, []string{"demo", "self-signed"}},
		{"watch", nil, []string{"watch", "--uri", "neo4j://127.0.0.1:1", "--for", "1s", "--driver", "cobol"}},
		{"bundle", nil, []string{"bundle", "--uri", "neo4j://127.0.0.1:1", "-o", t.TempDir() + "/b.zip", "--driver", "cobol"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(c.env, c.args...)
			if r.code != 3 || !strings.HasPrefix(r.stderr, "error: ") || !strings.Contains(r.stderr, `"cobol" is not a driver`) ||
				!strings.Contains(r.stderr, "hint: the drivers are python, javascript, java, go, dotnet") || r.stdout != "" {
				t.Errorf("want exit 3 with error and hint, nothing on stdout\n%s", r)
			}
		})
	}
}

// TestDriverScenarios: the snippets a real run fills in from what it
// learnt: the DBMS default database the access check read, the writer's
// scheme for a bolt:// target in a cluster, the idle limit measured.
func TestDriverScenarios(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		scenario, driver, want string
	}{
		{"home-database-differs", "python", `python: name the database: driver.session(database="neo4j")`},
		{"home-database-differs", "dotnet", `dotnet: name the database: driver.AsyncSession(o => o.WithDatabase("neo4j"))`},
		{"bolt-to-cluster", "javascript", `javascript: let the driver route: neo4j.driver('neo4j://`},
		{"database-not-found", "java", `java: name the database: driver.session(SessionConfig.forDatabase("<database>"))`},
		{"token-expired-soon", "go", `go: renew the token before it expires: neo4j.NewDriverWithContext(uri, auth.BearerTokenManager(provider))`},
		{"idle-cut-by-load-balancer", "python", `python: close connections before the limit: GraphDatabase.driver(uri, auth=auth, max_connection_lifetime=0.5)`},
	} {
		t.Run(c.scenario+"/"+c.driver, func(t *testing.T) {
			t.Parallel()
			r := runCLI(nil, "demo", c.scenario, "--driver", c.driver, "--color", "never")
			text := strings.Join(strings.Fields(r.stdout), " ")
			if !strings.Contains(text, c.want) {
				t.Errorf("the report lacks %q\n%s", c.want, r)
			}
			if c.driver != "python" && strings.Contains(text, "Python:") {
				t.Errorf("with --driver %s a hint still quotes Python\n%s", c.driver, r)
			}
		})
	}
}
