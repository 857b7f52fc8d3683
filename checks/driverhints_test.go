package checks

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// driverTestTarget is the target every driver table uses: scheme to
// db.example.com:7687, --timeout 5s, --impersonate alice, --ca-file
// /etc/neo4j/ca.pem, --driver driver.
func driverTestTarget(scheme, driver string) *Target {
	p := schemes[scheme]
	return &Target{
		Scheme: scheme, Routing: p.routing, TLS: p.tls, Host: "db.example.com", Port: 7687,
		Timeout: 5 * time.Second, Impersonate: "alice", Driver: driver,
		Info: TargetInfo{Settings: map[string]Setting{"ca-file": {Value: "/etc/neo4j/ca.pem", Source: "flag", From: "--ca-file"}}},
	}
}

// driverCase is one code of a driver's table: the target's scheme and
// the snippets, in order, that a result with the code carries.
type driverCase struct {
	code, scheme string
	want         []string
}

// driverTable asserts, for every code whose fix touches the driver's
// configuration, the snippets of driver: every such code is in the
// table, and no other. The run knows the default database (movies) and
// the longest idle time answered (4 minutes).
func driverTable(t *testing.T, driver string, cases []driverCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.code] = true
		t.Run(c.code, func(t *testing.T) {
			rep := &Report{
				Checks:  []Result{{ID: "x", Status: Fail, Code: c.code}},
				Members: []Member{{Address: "m:7687", Checks: []Result{{ID: "x", Status: Fail, Code: c.code}}}},
				Access:  &AccessInfo{Default: "movies"},
				Idle:    &IdleInfo{Safe: 4 * time.Minute},
			}
			attachDriverHints(rep, driverTestTarget(c.scheme, driver))
			for _, res := range []Result{rep.Checks[0], rep.Members[0].Checks[0]} {
				var got []string
				for _, h := range res.DriverHints {
					got = append(got, h.Snippet)
					if h.Driver != driver || !strings.HasPrefix(h.Doc, "https://") || h.Topic == "" {
						t.Errorf("hint %+v: want driver %s, a topic and an https documentation address", h, driver)
					}
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("snippets:\n got %q\nwant %q", got, c.want)
				}
			}
		})
	}
	for code := range codeTopics {
		if !seen[code] {
			t.Errorf("the %s table has no case for %s", driver, code)
		}
	}
}

func TestDriverHintsPython(t *testing.T) {
	driverTable(t, "python", []driverCase{
		{"access.home_not_default", "neo4j", []string{
			`driver.session(database="movies")`,
		}},
		{"access.impersonation_refused", "neo4j+s", []string{
			`driver.session(impersonated_user="alice")`,
		}},
		{"access.not_leader", "bolt+s", []string{
			`GraphDatabase.driver("neo4j+s://db.example.com:7687", auth=auth)`,
		}},
		{"access.read_only", "bolt+s", []string{
			`GraphDatabase.driver("neo4j+s://db.example.com:7687", auth=auth)`,
		}},
		{"access.token_expired", "neo4j+s", []string{
			"GraphDatabase.driver(uri, auth=neo4j.bearer_auth(token))",
			"GraphDatabase.driver(uri, auth=neo4j.auth_management.AuthManagers.bearer(get_token))  # get_token returns ExpiringAuth(neo4j.bearer_auth(token), expires_at=…)",
		}},
		{"access.token_expires_soon", "neo4j+s", []string{
			"GraphDatabase.driver(uri, auth=neo4j.auth_management.AuthManagers.bearer(get_token))  # get_token returns ExpiringAuth(neo4j.bearer_auth(token), expires_at=…)",
		}},
		{"access.token_not_yet_valid", "neo4j+s", []string{
			"GraphDatabase.driver(uri, auth=neo4j.bearer_auth(token))",
		}},
		{"auth.token_expired", "neo4j+s", []string{
			"GraphDatabase.driver(uri, auth=neo4j.bearer_auth(token))",
			"GraphDatabase.driver(uri, auth=neo4j.auth_management.AuthManagers.bearer(get_token))  # get_token returns ExpiringAuth(neo4j.bearer_auth(token), expires_at=…)",
		}},
		{"idle.reset", "neo4j+s", []string{
			"GraphDatabase.driver(uri, auth=auth, max_connection_lifetime=240)",
			"GraphDatabase.driver(uri, auth=auth, liveness_check_timeout=240)",
		}},
		{"idle.silent", "neo4j+s", []string{
			"GraphDatabase.driver(uri, auth=auth, max_connection_lifetime=240)",
			"GraphDatabase.driver(uri, auth=auth, liveness_check_timeout=240)",
		}},
		{"query.database_not_found", "neo4j+s", []string{
			`driver.session(database="<database>")`,
		}},
		{"routing.bypassed", "bolt+s", []string{
			`GraphDatabase.driver("neo4j+s://db.example.com:7687", auth=auth)`,
		}},
		{"routing.bypassed_not_writer", "bolt+s", []string{
			`GraphDatabase.driver("neo4j+s://db.example.com:7687", auth=auth)`,
		}},
		{"routing.database_not_found", "neo4j+s", []string{
			`driver.session(database="<database>")`,
		}},
		{"routing.not_a_cluster", "neo4j", []string{
			`GraphDatabase.driver("bolt://db.example.com:7687", auth=auth)`,
		}},
		{"tcp.some_addresses_fail", "neo4j", []string{
			"GraphDatabase.driver(uri, auth=auth, connection_timeout=5)",
		}},
		{"tcp.timeout", "neo4j", []string{
			"GraphDatabase.driver(uri, auth=auth, connection_timeout=5)",
		}},
		{"tls.interception", "neo4j+s", []string{
			`GraphDatabase.driver("neo4j://db.example.com:7687", auth=auth, encrypted=True, trusted_certificates=neo4j.TrustCustomCAs("/etc/neo4j/ca.pem"))`,
		}},
		{"tls.self_signed", "neo4j+s", []string{
			`GraphDatabase.driver("neo4j://db.example.com:7687", auth=auth, encrypted=True, trusted_certificates=neo4j.TrustCustomCAs("/etc/neo4j/ca.pem"))`,
			`GraphDatabase.driver("neo4j+ssc://db.example.com:7687", auth=auth)`,
		}},
		{"tls.unknown_authority", "neo4j+s", []string{
			`GraphDatabase.driver("neo4j://db.example.com:7687", auth=auth, encrypted=True, trusted_certificates=neo4j.TrustCustomCAs("/etc/neo4j/ca.pem"))`,
		}},
		{"tls.unverified", "neo4j+ssc", []string{
			`GraphDatabase.driver("neo4j://db.example.com:7687", auth=auth, encrypted=True, trusted_certificates=neo4j.TrustCustomCAs("/etc/neo4j/ca.pem"))`,
		}},
		{"tls.verify_failed", "neo4j+s", []string{
			`GraphDatabase.driver("neo4j://db.example.com:7687", auth=auth, encrypted=True, trusted_certificates=neo4j.TrustCustomCAs("/etc/neo4j/ca.pem"))`,
		}},
	})
}

func TestDriverHintsJavaScript(t *testing.T) {
	driverTable(t, "javascript", []driverCase{
		{"access.home_not_default", "neo4j", []string{
			"driver.session({ database: 'movies' })",
		}},
		{"access.impersonation_refused", "neo4j+s", []string{
			"driver.session({ impersonatedUser: 'alice' })",
		}},
		{"access.not_leader", "bolt+s", []string{
			"neo4j.driver('neo4j+s://db.example.com:7687', auth)",
		}},
		{"access.read_only", "bolt+s", []string{
			"neo4j.driver('neo4j+s://db.example.com:7687', auth)",
		}},
		{"access.token_expired", "neo4j+s", []string{
			"neo4j.driver(uri, neo4j.auth.bearer(token))",
			"neo4j.driver(uri, neo4j.authTokenManagers.bearer({ tokenProvider }))  // tokenProvider resolves to { token: neo4j.auth.bearer(token), expiration }",
		}},
		{"access.token_expires_soon", "neo4j+s", []string{
			"neo4j.driver(uri, neo4j.authTokenManagers.bearer({ tokenProvider }))  // tokenProvider resolves to { token: neo4j.auth.bearer(token), expiration }",
		}},
		{"access.token_not_yet_valid", "neo4j+s", []string{
			"neo4j.driver(uri, neo4j.auth.bearer(token))",
		}},
		{"auth.token_expired", "neo4j+s", []string{
			"neo4j.driver(uri, neo4j.auth.bearer(token))",
			"neo4j.driver(uri, neo4j.authTokenManagers.bearer({ tokenProvider }))  // tokenProvider resolves to { token: neo4j.auth.bearer(token), expiration }",
		}},
		{"idle.reset", "neo4j+s", []string{
			"neo4j.driver(uri, auth, { maxConnectionLifetime: 240000 })",
			"neo4j.driver(uri, auth, { connectionLivenessCheckTimeout: 240000 })",
		}},
		{"idle.silent", "neo4j+s", []string{
			"neo4j.driver(uri, auth, { maxConnectionLifetime: 240000 })",
			"neo4j.driver(uri, auth, { connectionLivenessCheckTimeout: 240000 })",
		}},
		{"query.database_not_found", "neo4j+s", []string{
			"driver.session({ database: '<database>' })",
		}},
		{"routing.bypassed", "bolt+s", []string{
			"neo4j.driver('neo4j+s://db.example.com:7687', auth)",
		}},
		{"routing.bypassed_not_writer", "bolt+s", []string{
			"neo4j.driver('neo4j+s://db.example.com:7687', auth)",
		}},
		{"routing.database_not_found", "neo4j+s", []string{
			"driver.session({ database: '<database>' })",
		}},
		{"routing.not_a_cluster", "neo4j", []string{
			"neo4j.driver('bolt://db.example.com:7687', auth)",
		}},
		{"tcp.some_addresses_fail", "neo4j", []string{
			"neo4j.driver(uri, auth, { connectionTimeout: 5000 })",
		}},
		{"tcp.timeout", "neo4j", []string{
			"neo4j.driver(uri, auth, { connectionTimeout: 5000 })",
		}},
		{"tls.interception", "neo4j+s", []string{
			"neo4j.driver('neo4j://db.example.com:7687', auth, { encrypted: 'ENCRYPTION_ON', trust: 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES', trustedCertificates: ['/etc/neo4j/ca.pem'] })",
		}},
		{"tls.self_signed", "neo4j+s", []string{
			"neo4j.driver('neo4j://db.example.com:7687', auth, { encrypted: 'ENCRYPTION_ON', trust: 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES', trustedCertificates: ['/etc/neo4j/ca.pem'] })",
			"neo4j.driver('neo4j+ssc://db.example.com:7687', auth)",
		}},
		{"tls.unknown_authority", "neo4j+s", []string{
			"neo4j.driver('neo4j://db.example.com:7687', auth, { encrypted: 'ENCRYPTION_ON', trust: 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES', trustedCertificates: ['/etc/neo4j/ca.pem'] })",
		}},
		{"tls.unverified", "neo4j+ssc", []string{
			"neo4j.driver('neo4j://db.example.com:7687', auth, { encrypted: 'ENCRYPTION_ON', trust: 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES', trustedCertificates: ['/etc/neo4j/ca.pem'] })",
		}},
		{"tls.verify_failed", "neo4j+s", []string{
			"neo4j.driver('neo4j://db.example.com:7687', auth, { encrypted: 'ENCRYPTION_ON', trust: 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES', trustedCertificates: ['/etc/neo4j/ca.pem'] })",
		}},
	})
}

func TestDriverHintsJava(t *testing.T) {
	driverTable(t, "java", []driverCase{
		{"access.home_not_default", "neo4j", []string{
			`driver.session(SessionConfig.forDatabase("movies"))`,
		}},
		{"access.impersonation_refused", "neo4j+s", []string{
			`driver.session(SessionConfig.builder().withImpersonatedUser("alice").build())`,
		}},
		{"access.not_leader", "bolt+s", []string{
			`GraphDatabase.driver("neo4j+s://db.example.com:7687", auth)`,
		}},
		{"access.read_only", "bolt+s", []string{
			`GraphDatabase.driver("neo4j+s://db.example.com:7687", auth)`,
		}},
		{"access.token_expired", "neo4j+s", []string{
			"GraphDatabase.driver(uri, AuthTokens.bearer(token))",
			"GraphDatabase.driver(uri, AuthTokenManagers.bearer(tokenSupplier))  // tokenSupplier returns AuthTokens.bearer(token).expiringAt(…)",
		}},
		{"access.token_expires_soon", "neo4j+s", []string{
			"GraphDatabase.driver(uri, AuthTokenManagers.bearer(tokenSupplier))  // tokenSupplier returns AuthTokens.bearer(token).expiringAt(…)",
		}},
		{"access.token_not_yet_valid", "neo4j+s", []string{
			"GraphDatabase.driver(uri, AuthTokens.bearer(token))",
		}},
		{"auth.token_expired", "neo4j+s", []string{
			"GraphDatabase.driver(uri, AuthTokens.bearer(token))",
			"GraphDatabase.driver(uri, AuthTokenManagers.bearer(tokenSupplier))  // tokenSupplier returns AuthTokens.bearer(token).expiringAt(…)",
		}},
		{"idle.reset", "neo4j+s", []string{
			"Config.builder().withMaxConnectionLifetime(240, TimeUnit.SECONDS).build()",
			"Config.builder().withConnectionLivenessCheckTimeout(240, TimeUnit.SECONDS).build()",
		}},
		{"idle.silent", "neo4j+s", []string{
			"Config.builder().withMaxConnectionLifetime(240, TimeUnit.SECONDS).build()",
			"Config.builder().withConnectionLivenessCheckTimeout(240, TimeUnit.SECONDS).build()",
		}},
		{"query.database_not_found", "neo4j+s", []string{
			`driver.session(SessionConfig.forDatabase("<database>"))`,
		}},
		{"routing.bypassed", "bolt+s", []string{
			`GraphDatabase.driver("neo4j+s://db.example.com:7687", auth)`,
		}},
		{"routing.bypassed_not_writer", "bolt+s", []string{
			`GraphDatabase.driver("neo4j+s://db.example.com:7687", auth)`,
		}},
		{"routing.database_not_found", "neo4j+s", []string{
			`driver.session(SessionConfig.forDatabase("<database>"))`,
		}},
		{"routing.not_a_cluster", "neo4j", []string{
			`GraphDatabase.driver("bolt://db.example.com:7687", auth)`,
		}},
		{"tcp.some_addresses_fail", "neo4j", []string{
			"Config.builder().withConnectionTimeout(5, TimeUnit.SECONDS).build()",
		}},
		{"tcp.timeout", "neo4j", []string{
			"Config.builder().withConnectionTimeout(5, TimeUnit.SECONDS).build()",
		}},
		{"tls.interception", "neo4j+s", []string{
			`var trust = Config.TrustStrategy.trustCustomCertificateSignedBy(new File("/etc/neo4j/ca.pem")); GraphDatabase.driver("neo4j://db.example.com:7687", auth, Config.builder().withEncryption().withTrustStrategy(trust).build())`,
		}},
		{"tls.self_signed", "neo4j+s", []string{
			`var trust = Config.TrustStrategy.trustCustomCertificateSignedBy(new File("/etc/neo4j/ca.pem")); GraphDatabase.driver("neo4j://db.example.com:7687", auth, Config.builder().withEncryption().withTrustStrategy(trust).build())`,
			`GraphDatabase.driver("neo4j+ssc://db.example.com:7687", auth)`,
		}},
		{"tls.unknown_authority", "neo4j+s", []string{
			`var trust = Config.TrustStrategy.trustCustomCertificateSignedBy(new File("/etc/neo4j/ca.pem")); GraphDatabase.driver("neo4j://db.example.com:7687", auth, Config.builder().withEncryption().withTrustStrategy(trust).build())`,
		}},
		{"tls.unverified", "neo4j+ssc", []string{
			`var trust = Config.TrustStrategy.trustCustomCertificateSignedBy(new File("/etc/neo4j/ca.pem")); GraphDatabase.driver("neo4j://db.example.com:7687", auth, Config.builder().withEncryption().withTrustStrategy(trust).build())`,
		}},
		{"tls.verify_failed", "neo4j+s", []string{
			`var trust = Config.TrustStrategy.trustCustomCertificateSignedBy(new File("/etc/neo4j/ca.pem")); GraphDatabase.driver("neo4j://db.example.com:7687", auth, Config.builder().withEncryption().withTrustStrategy(trust).build())`,
		}},
	})
}

func TestDriverHintsGo(t *testing.T) {
	driverTable(t, "go", []driverCase{
		{"access.home_not_default", "neo4j", []string{
			`driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: "movies"})`,
		}},
		{"access.impersonation_refused", "neo4j+s", []string{
			`driver.NewSession(ctx, neo4j.SessionConfig{ImpersonatedUser: "alice"})`,
		}},
		{"access.not_leader", "bolt+s", []string{
			`neo4j.NewDriverWithContext("neo4j+s://db.example.com:7687", auth)`,
		}},
		{"access.read_only", "bolt+s", []string{
			`neo4j.NewDriverWithContext("neo4j+s://db.example.com:7687", auth)`,
		}},
		{"access.token_expired", "neo4j+s", []string{
			"neo4j.NewDriverWithContext(uri, neo4j.BearerAuth(token))",
			"neo4j.NewDriverWithContext(uri, auth.BearerTokenManager(provider))  // provider returns (neo4j.BearerAuth(token), expiresAt, err)",
		}},
		{"access.token_expires_soon", "neo4j+s", []string{
			"neo4j.NewDriverWithContext(uri, auth.BearerTokenManager(provider))  // provider returns (neo4j.BearerAuth(token), expiresAt, err)",
		}},
		{"access.token_not_yet_valid", "neo4j+s", []string{
			"neo4j.NewDriverWithContext(uri, neo4j.BearerAuth(token))",
		}},
		{"auth.token_expired", "neo4j+s", []string{
			"neo4j.NewDriverWithContext(uri, neo4j.BearerAuth(token))",
			"neo4j.NewDriverWithContext(uri, auth.BearerTokenManager(provider))  // provider returns (neo4j.BearerAuth(token), expiresAt, err)",
		}},
		{"idle.reset", "neo4j+s", []string{
			"neo4j.NewDriverWithContext(uri, auth, func(c *neo4j.Config) { c.MaxConnectionLifetime = 240 * time.Second })",
			"neo4j.NewDriverWithContext(uri, auth, func(c *neo4j.Config) { c.ConnectionLivenessCheckTimeout = 240 * time.Second })",
		}},
		{"idle.silent", "neo4j+s", []string{
			"neo4j.NewDriverWithContext(uri, auth, func(c *neo4j.Config) { c.MaxConnectionLifetime = 240 * time.Second })",
			"neo4j.NewDriverWithContext(uri, auth, func(c *neo4j.Config) { c.ConnectionLivenessCheckTimeout = 240 * time.Second })",
		}},
		{"query.database_not_found", "neo4j+s", []string{
			`driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: "<database>"})`,
		}},
		{"routing.bypassed", "bolt+s", []string{
			`neo4j.NewDriverWithContext("neo4j+s://db.example.com:7687", auth)`,
		}},
		{"routing.bypassed_not_writer", "bolt+s", []string{
			`neo4j.NewDriverWithContext("neo4j+s://db.example.com:7687", auth)`,
		}},
		{"routing.database_not_found", "neo4j+s", []string{
			`driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: "<database>"})`,
		}},
		{"routing.not_a_cluster", "neo4j", []string{
			`neo4j.NewDriverWithContext("bolt://db.example.com:7687", auth)`,
		}},
		{"tcp.some_addresses_fail", "neo4j", []string{
			"neo4j.NewDriverWithContext(uri, auth, func(c *neo4j.Config) { c.SocketConnectTimeout = 5 * time.Second })",
		}},
		{"tcp.timeout", "neo4j", []string{
			"neo4j.NewDriverWithContext(uri, auth, func(c *neo4j.Config) { c.SocketConnectTimeout = 5 * time.Second })",
		}},
		{"tls.interception", "neo4j+s", []string{
			`pool := x509.NewCertPool(); pem, _ := os.ReadFile("/etc/neo4j/ca.pem"); pool.AppendCertsFromPEM(pem); neo4j.NewDriverWithContext("neo4j+s://db.example.com:7687", auth, func(c *neo4j.Config) { c.TlsConfig = &tls.Config{RootCAs: pool} })`,
		}},
		{"tls.self_signed", "neo4j+s", []string{
			`pool := x509.NewCertPool(); pem, _ := os.ReadFile("/etc/neo4j/ca.pem"); pool.AppendCertsFromPEM(pem); neo4j.NewDriverWithContext("neo4j+s://db.example.com:7687", auth, func(c *neo4j.Config) { c.TlsConfig = &tls.Config{RootCAs: pool} })`,
			`neo4j.NewDriverWithContext("neo4j+ssc://db.example.com:7687", auth)`,
		}},
		{"tls.unknown_authority", "neo4j+s", []string{
			`pool := x509.NewCertPool(); pem, _ := os.ReadFile("/etc/neo4j/ca.pem"); pool.AppendCertsFromPEM(pem); neo4j.NewDriverWithContext("neo4j+s://db.example.com:7687", auth, func(c *neo4j.Config) { c.TlsConfig = &tls.Config{RootCAs: pool} })`,
		}},
		{"tls.unverified", "neo4j+ssc", []string{
			`pool := x509.NewCertPool(); pem, _ := os.ReadFile("/etc/neo4j/ca.pem"); pool.AppendCertsFromPEM(pem); neo4j.NewDriverWithContext("neo4j+s://db.example.com:7687", auth, func(c *neo4j.Config) { c.TlsConfig = &tls.Config{RootCAs: pool} })`,
		}},
		{"tls.verify_failed", "neo4j+s", []string{
			`pool := x509.NewCertPool(); pem, _ := os.ReadFile("/etc/neo4j/ca.pem"); pool.AppendCertsFromPEM(pem); neo4j.NewDriverWithContext("neo4j+s://db.example.com:7687", auth, func(c *neo4j.Config) { c.TlsConfig = &tls.Config{RootCAs: pool} })`,
		}},
	})
}

func TestDriverHintsDotNet(t *testing.T) {
	driverTable(t, "dotnet", []driverCase{
		{"access.home_not_default", "neo4j", []string{
			`driver.AsyncSession(o => o.WithDatabase("movies"))`,
		}},
		{"access.impersonation_refused", "neo4j+s", []string{
			`driver.AsyncSession(o => o.WithImpersonatedUser("alice"))`,
		}},
		{"access.not_leader", "bolt+s", []string{
			`GraphDatabase.Driver("neo4j+s://db.example.com:7687", auth)`,
		}},
		{"access.read_only", "bolt+s", []string{
			`GraphDatabase.Driver("neo4j+s://db.example.com:7687", auth)`,
		}},
		{"access.token_expired", "neo4j+s", []string{
			"GraphDatabase.Driver(uri, AuthTokens.Bearer(token))",
			"GraphDatabase.Driver(uri, AuthTokenManagers.Bearer(tokenProviderAsync))  // tokenProviderAsync returns new AuthTokenAndExpiration(AuthTokens.Bearer(token), expiry)",
		}},
		{"access.token_expires_soon", "neo4j+s", []string{
			"GraphDatabase.Driver(uri, AuthTokenManagers.Bearer(tokenProviderAsync))  // tokenProviderAsync returns new AuthTokenAndExpiration(AuthTokens.Bearer(token), expiry)",
		}},
		{"access.token_not_yet_valid", "neo4j+s", []string{
			"GraphDatabase.Driver(uri, AuthTokens.Bearer(token))",
		}},
		{"auth.token_expired", "neo4j+s", []string{
			"GraphDatabase.Driver(uri, AuthTokens.Bearer(token))",
			"GraphDatabase.Driver(uri, AuthTokenManagers.Bearer(tokenProviderAsync))  // tokenProviderAsync returns new AuthTokenAndExpiration(AuthTokens.Bearer(token), expiry)",
		}},
		{"idle.reset", "neo4j+s", []string{
			"GraphDatabase.Driver(uri, auth, o => o.WithMaxConnectionLifetime(TimeSpan.FromSeconds(240)))",
			"GraphDatabase.Driver(uri, auth, o => o.WithConnectionLivenessCheckTimeout(TimeSpan.FromSeconds(240)))",
		}},
		{"idle.silent", "neo4j+s", []string{
			"GraphDatabase.Driver(uri, auth, o => o.WithMaxConnectionLifetime(TimeSpan.FromSeconds(240)))",
			"GraphDatabase.Driver(uri, auth, o => o.WithConnectionLivenessCheckTimeout(TimeSpan.FromSeconds(240)))",
		}},
		{"query.database_not_found", "neo4j+s", []string{
			`driver.AsyncSession(o => o.WithDatabase("<database>"))`,
		}},
		{"routing.bypassed", "bolt+s", []string{
			`GraphDatabase.Driver("neo4j+s://db.example.com:7687", auth)`,
		}},
		{"routing.bypassed_not_writer", "bolt+s", []string{
			`GraphDatabase.Driver("neo4j+s://db.example.com:7687", auth)`,
		}},
		{"routing.database_not_found", "neo4j+s", []string{
			`driver.AsyncSession(o => o.WithDatabase("<database>"))`,
		}},
		{"routing.not_a_cluster", "neo4j", []string{
			`GraphDatabase.Driver("bolt://db.example.com:7687", auth)`,
		}},
		{"tcp.some_addresses_fail", "neo4j", []string{
			"GraphDatabase.Driver(uri, auth, o => o.WithConnectionTimeout(TimeSpan.FromSeconds(5)))",
		}},
		{"tcp.timeout", "neo4j", []string{
			"GraphDatabase.Driver(uri, auth, o => o.WithConnectionTimeout(TimeSpan.FromSeconds(5)))",
		}},
		{"tls.interception", "neo4j+s", []string{
			`GraphDatabase.Driver("neo4j://db.example.com:7687", auth, o => o.WithEncryptionLevel(EncryptionLevel.Encrypted).WithCertificateTrustRule(CertificateTrustRule.TrustList, new[] { "/etc/neo4j/ca.pem" }))`,
		}},
		{"tls.self_signed", "neo4j+s", []string{
			`GraphDatabase.Driver("neo4j://db.example.com:7687", auth, o => o.WithEncryptionLevel(EncryptionLevel.Encrypted).WithCertificateTrustRule(CertificateTrustRule.TrustList, new[] { "/etc/neo4j/ca.pem" }))`,
			`GraphDatabase.Driver("neo4j+ssc://db.example.com:7687", auth)`,
		}},
		{"tls.unknown_authority", "neo4j+s", []string{
			`GraphDatabase.Driver("neo4j://db.example.com:7687", auth, o => o.WithEncryptionLevel(EncryptionLevel.Encrypted).WithCertificateTrustRule(CertificateTrustRule.TrustList, new[] { "/etc/neo4j/ca.pem" }))`,
		}},
		{"tls.unverified", "neo4j+ssc", []string{
			`GraphDatabase.Driver("neo4j://db.example.com:7687", auth, o => o.WithEncryptionLevel(EncryptionLevel.Encrypted).WithCertificateTrustRule(CertificateTrustRule.TrustList, new[] { "/etc/neo4j/ca.pem" }))`,
		}},
		{"tls.verify_failed", "neo4j+s", []string{
			`GraphDatabase.Driver("neo4j://db.example.com:7687", auth, o => o.WithEncryptionLevel(EncryptionLevel.Encrypted).WithCertificateTrustRule(CertificateTrustRule.TrustList, new[] { "/etc/neo4j/ca.pem" }))`,
		}},
	})
}

// TestDriverHintsNeedADriver: without --driver no result carries a
// snippet, and the idle hint names every driver's setting as before.
func TestDriverHintsNeedADriver(t *testing.T) {
	rep := &Report{Checks: []Result{{ID: "tls", Status: Fail, Code: "tls.self_signed"}}}
	attachDriverHints(rep, driverTestTarget("neo4j+s", ""))
	if rep.Checks[0].DriverHints != nil {
		t.Errorf("driver hints without --driver: %+v", rep.Checks[0].DriverHints)
	}
	tt := driverTestTarget("neo4j", "")
	if got := driverSettingWords(tt, topicLifetime, lifetimeSettings); got != lifetimeSettings {
		t.Errorf("lifetime settings without --driver: %q", got)
	}
	tt.Driver = "dotnet"
	if got := driverSettingWords(tt, topicLifetime, lifetimeSettings); got != "WithMaxConnectionLifetime (.NET)" {
		t.Errorf("lifetime settings with --driver dotnet: %q", got)
	}
}

// TestDriverHintsData: every code the table names is a declared code,
// and every driver has a snippet and an https documentation address for
// every topic.
func TestDriverHintsData(t *testing.T) {
	declared := map[string]bool{}
	for _, c := range AllCodes() {
		declared[c.ID] = true
	}
	topics := map[string]bool{}
	for code, ts := range codeTopics {
		if !declared[code] {
			t.Errorf("codeTopics names %q, which no check declares", code)
		}
		for _, topic := range ts {
			topics[topic] = true
		}
	}
	if len(topics) != len(DriverTopics) || len(topicWords) != len(DriverTopics) {
		t.Errorf("%d topics in codeTopics, %d in DriverTopics, %d in topicWords", len(topics), len(DriverTopics), len(topicWords))
	}
	for _, d := range Drivers {
		if len(snippets[d]) != len(topics) || driverNames[d] == "" {
			t.Errorf("%s: %d snippets for %d topics", d, len(snippets[d]), len(topics))
		}
		for topic := range topics {
			s := snippets[d][topic]
			if s.Code == "" || !strings.HasPrefix(s.Doc, "https://") || DriverTopicWords(topic) == "" {
				t.Errorf("%s %s: snippet %q, doc %q", d, topic, s.Code, s.Doc)
			}
		}
	}
}

// TestParseDriver: the five names, any case and the usual aliases;
// anything else is bad input (exit 3) naming the valid ones.
func TestParseDriver(t *testing.T) {
	for in, want := range map[string]string{"python": "python", "Java": "java", " go ": "go", "golang": "go", "node": "javascript", "js": "javascript", ".NET": "dotnet", "dotnet": "dotnet"} {
		if got, err := ParseDriver("--driver", in); got != want || err != nil {
			t.Errorf("ParseDriver(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseDriver("NEO4J_DOCTOR_DRIVER", "cobol")
	var ie *InputError
	if !errors.As(err, &ie) || !strings.Contains(ie.Msg, `NEO4J_DOCTOR_DRIVER: "cobol"`) || !strings.Contains(ie.Hint, "python, javascript, java, go, dotnet") {
		t.Errorf("ParseDriver(cobol): %v, want an input error naming the drivers", err)
	}
}

// TestResolveDriver: --driver wins over NEO4J_DOCTOR_DRIVER, and the
// report's settings say which one it came from.
func TestResolveDriver(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "NEO4J_DOCTOR_DRIVER" {
				return v
			}
			return ""
		}
	}
	for _, c := range []struct {
		flag, env, want, from string
	}{
		{"", "", "", ""},
		{"", "Python", "python", "NEO4J_DOCTOR_DRIVER"},
		{"java", "python", "java", "--driver"},
	} {
		tt, err := Resolve(Inputs{Flags: map[string]string{"uri": "neo4j://localhost"}, Env: env(c.env), Driver: c.flag})
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if tt.Driver != c.want || tt.Info.Settings["driver"].From != c.from {
			t.Errorf("%+v: driver %q from %q", c, tt.Driver, tt.Info.Settings["driver"].From)
		}
	}
	if _, err := Resolve(Inputs{Flags: map[string]string{"uri": "neo4j://localhost"}, Env: env("perl")}); err == nil {
		t.Error("NEO4J_DOCTOR_DRIVER=perl: no error")
	}
}

// TestDriverHintsLiterals: a Windows CA path, or a user name with a
// quote, stays one string literal in each driver's language.
func TestDriverHintsLiterals(t *testing.T) {
	for driver, want := range map[string][]string{
		"python":     {`TrustCustomCAs("C:\\certs\\ca.pem")`, `impersonated_user="o\"brien"`},
		"javascript": {`trustedCertificates: ['C:\\certs\\ca.pem']`, `impersonatedUser: 'o"brien'`},
		"java":       {`new File("C:\\certs\\ca.pem")`, `withImpersonatedUser("o\"brien")`},
		"go":         {`os.ReadFile("C:\\certs\\ca.pem")`, `ImpersonatedUser: "o\"brien"`},
		"dotnet":     {`new[] { "C:\\certs\\ca.pem" }`, `WithImpersonatedUser("o\"brien")`},
	} {
		tt := driverTestTarget("neo4j+s", driver)
		tt.Impersonate = `o"brien`
		tt.Info.Settings["ca-file"] = Setting{Value: `C:\certs\ca.pem`}
		rep := &Report{Checks: []Result{{Code: "tls.unknown_authority"}, {Code: "access.impersonation_refused"}}}
		attachDriverHints(rep, tt)
		for i, w := range want {
			if h := rep.Checks[i].DriverHints; len(h) != 1 || !strings.Contains(h[0].Snippet, w) {
				t.Errorf("%s: %+v, want a snippet with %s", driver, h, w)
			}
		}
	}
}
