package generation

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
)

func TestFromAgent(t *testing.T) {
	t.Parallel()
	for agent, want := range map[string]Gen{
		"Neo4j/5.26.0":    V5,
		"Neo4j/5.26.12":   V5,
		"Neo4j/5.1.0":     V5,
		"Neo4j/2025.10.1": V2025,
		"Neo4j/2025.01.0": V2025,
		"Neo4j/2026.07.1": V2025,
		"Neo4j/4.4.40":    V4,
		"Neo4j/4.0.12":    V4,
		"Neo4j/3.5.35":    V35,
		"Neo4j/5.27-aura": V5,
		"Neo4j/4.4-aura":  V4,
		"neo4j/5.26.0":    V5,
		" Neo4j/5.26.0 ":  V5,
		"Neo4j/5":         V5,
		"":                Unknown,
		"Neo4j":           Unknown,
		"Neo4j/":          Unknown,
		"Neo4j/dev":       Unknown,
		"Neo4j/6.0.0":     Unknown, // no such release; not guessed
		"Neo4j/2024.01.0": Unknown,
		"Neo4j/5x":        Unknown,
		"Memgraph/2.0":    Unknown,
		"Neo4j/v5.11.0 compatible graph database server - Memgraph": Unknown,
	} {
		if got := FromAgent(agent); got != want {
			t.Errorf("FromAgent(%q) = %v, want %v", agent, got, want)
		}
	}
}

func TestFromBolt(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    bolt.Version
		gen  Gen
		sure bool
	}{
		{bolt.Version{}, Unknown, false},
		{bolt.Version{Major: 1}, V35, true},
		{bolt.Version{Major: 2}, V35, true},
		{bolt.Version{Major: 3}, V35, false}, // or a 4.0/4.1 server offered neither of its own versions
		{bolt.Version{Major: 4, Minor: 0}, V4, true},
		{bolt.Version{Major: 4, Minor: 4}, V4, true},
		{bolt.Version{Major: 5, Minor: 0}, V5, true},
		{bolt.Version{Major: 5, Minor: 4}, V5, true},
		{bolt.Version{Major: 5, Minor: 6}, V5, true},
		{bolt.Version{Major: 5, Minor: 7}, V5, false}, // 5.26 or 2025.x
		{bolt.Version{Major: 5, Minor: 8}, V5, false},
		{bolt.Version{Major: 6, Minor: 0}, V2025, true},
		{bolt.Version{Major: 6, Minor: 1}, V2025, true},
	} {
		gen, sure := FromBolt(c.v)
		if gen != c.gen || sure != c.sure {
			t.Errorf("FromBolt(%v) = %v, %v; want %v, %v", c.v, gen, sure, c.gen, c.sure)
		}
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		host, agent string
		v           bolt.Version
		want        Server
	}{
		{"db.example.com", "Neo4j/5.26.0", bolt.Version{Major: 5, Minor: 8}, Server{Gen: V5}},
		{"db.example.com", "Neo4j/2025.10.1", bolt.Version{Major: 6}, Server{Gen: V2025}},
		{"db.example.com", "", bolt.Version{Major: 5, Minor: 8}, Server{Gen: V5, OrLater: true}},
		{"db.example.com", "", bolt.Version{Major: 5, Minor: 4}, Server{Gen: V5}},
		{"db.example.com", "", bolt.Version{Major: 4, Minor: 4}, Server{Gen: V4}},
		{"db.example.com", "", bolt.Version{Major: 3}, Server{Gen: V35, OrLater: true}},
		{"db.example.com", "", bolt.Version{}, Server{}},
		{"db.example.com", "Memgraph/2.0", bolt.Version{Major: 5, Minor: 2}, Server{Gen: V5}},
		{"0a1b2c3d.databases.neo4j.io", "Neo4j/5.27-aura", bolt.Version{Major: 5, Minor: 8}, Server{Gen: V5, Aura: true}},
		{"0a1b2c3d.databases.neo4j.io:7687", "", bolt.Version{}, Server{Aura: true}},
	} {
		if got := Detect(c.host, c.agent, c.v); got != c.want {
			t.Errorf("Detect(%q, %q, %v) = %+v, want %+v", c.host, c.agent, c.v, got, c.want)
		}
	}
}

// expect is every item's text for one server; "" asserts the item is
// absent. Each generation's test lists every item, so a new item must be
// placed in all of them.
type expect map[Item]string

func check(t *testing.T, s Server, want expect) {
	t.Helper()
	for it := Item(0); it < numItems; it++ {
		w, ok := want[it]
		if !ok {
			t.Errorf("%v: no expectation for %v", s, it)
			continue
		}
		got := s.Lookup(it)
		if got.Text != w {
			t.Errorf("%v: %v = %q\n want %q", s, it, got.Text, w)
		}
		if (got.Text == "") != (got.Doc == "") {
			t.Errorf("%v: %v: text %q with doc %q", s, it, got.Text, got.Doc)
		}
	}
}

// The texts every self-managed 4.x, 5.x and 2025.x server shares.
func shared(e expect) expect {
	for it, text := range map[Item]string{
		AuthEnabled:           "dbms.security.auth_enabled",
		AuthMaxFailedAttempts: "dbms.security.auth_max_failed_attempts",
		AuthLockTime:          "dbms.security.auth_lock_time",
		RoutingTTL:            "dbms.routing_ttl",
		ServerSideRouting:     "dbms.routing.enabled",
		DefaultRouter:         "dbms.routing.default_router",
		BoltSSLPolicyEnabled:  "dbms.ssl.policy.bolt.enabled",
		BoltCertificate:       "dbms.ssl.policy.bolt.public_certificate",
		BoltClientAuth:        "dbms.ssl.policy.bolt.client_auth",
		BoltTLSVersions:       "dbms.ssl.policy.bolt.tls_versions",
		BoltCiphers:           "dbms.ssl.policy.bolt.ciphers",
		ShowDatabases:         "SHOW DATABASES",
		ShowDatabase:          "SHOW DATABASE <db>",
		StartDatabase:         "START DATABASE <db>",
		SetReadWrite:          "ALTER DATABASE <db> SET ACCESS READ WRITE",
		GrantAccess:           "GRANT ACCESS ON DATABASE <db> TO <role>",
		GrantAccessAll:        "GRANT ACCESS ON DATABASE * TO <role>",
		AuthProviders:         "dbms.security.authentication_providers",
		LDAPHost:              "dbms.security.ldap.host",
		LDAPConnectionTimeout: "dbms.security.ldap.connection_timeout",
		LDAPReadTimeout:       "dbms.security.ldap.read_timeout",
		LDAPSystemAccount:     "dbms.security.ldap.authorization.use_system_account",
		OIDCDiscovery:         "dbms.security.oidc.<provider>.well_known_discovery_uri",
		AuthCacheTTL:          "dbms.security.auth_cache_ttl",
		HTTPEnabledModules:    "",
		HTTPSCertificate:      "dbms.ssl.policy.https.public_certificate",
		GrantWrite:            "GRANT WRITE ON GRAPH <db> TO <role>",
		GrantImpersonate:      "GRANT IMPERSONATE (<user>) ON DBMS TO <role>",
		SetHomeDatabase:       "ALTER USER <user> SET HOME DATABASE <db>",
		ShowCurrentUser:       "SHOW CURRENT USER",
		SecurityLog:           "security.log in the logs directory",
		ChangePassword:        "ALTER CURRENT USER SET PASSWORD FROM '<old>' TO '<new>' on the system database",
		DockerAuth:            "NEO4J_AUTH=neo4j/<password> on a container whose /data volume is still empty",
		RecoverPassword:       "on every server stop the DBMS, set dbms.security.auth_enabled=false and start it listening on localhost only; on one of them run ALTER USER <user> SET PASSWORD '<password>' on the system database; then remove the setting and restart every server",
		ServerLogs:            "neo4j.log and debug.log in the logs directory",
		ResumeInstance:        "",
		RestoreSnapshot:       "",
		Support:               "",
	} {
		if _, ok := e[it]; !ok {
			e[it] = text
		}
	}
	return e
}

func TestV35(t *testing.T) {
	t.Parallel()
	check(t, Server{Gen: V35}, expect{
		BoltAdvertisedAddress:    "dbms.connector.bolt.advertised_address",
		DefaultAdvertisedAddress: "dbms.connectors.default_advertised_address",
		BoltListenAddress:        "dbms.connector.bolt.listen_address",
		DefaultListenAddress:     "dbms.connectors.default_listen_address",
		BoltEnabled:              "dbms.connector.bolt.enabled",
		BoltTLSLevel:             "dbms.connector.bolt.tls_level",
		BoltSSLPolicyEnabled:     "",
		BoltCertificate:          "dbms.ssl.policy.<policy>.public_certificate",
		BoltClientAuth:           "dbms.ssl.policy.<policy>.client_auth",
		BoltTLSVersions:          "dbms.ssl.policy.<policy>.tls_versions",
		BoltCiphers:              "dbms.ssl.policy.<policy>.ciphers",
		RoutingTTL:               "causal_clustering.cluster_routing_ttl",
		DiscoveryEndpoints:       "causal_clustering.initial_discovery_members",
		ServerSideRouting:        "",
		DefaultRouter:            "",
		AuthEnabled:              "dbms.security.auth_enabled",
		AuthMaxFailedAttempts:    "dbms.security.auth_max_failed_attempts",
		AuthLockTime:             "dbms.security.auth_lock_time",
		ReadOnlyDatabases:        "",
		WritableDatabases:        "",
		DefaultToReadOnly:        "dbms.read_only",
		AuthProviders:            "dbms.security.auth_provider",
		LDAPHost:                 "dbms.security.ldap.host",
		LDAPConnectionTimeout:    "dbms.security.ldap.connection_timeout",
		LDAPReadTimeout:          "dbms.security.ldap.read_timeout",
		LDAPSystemAccount:        "dbms.security.ldap.authorization.use_system_account",
		OIDCDiscovery:            "",
		AuthCacheTTL:             "dbms.security.auth_cache_ttl",
		HTTPEnabledModules:       "",
		HTTPSCertificate:         "dbms.ssl.policy.<policy>.public_certificate",
		ShowDatabases:            "",
		ShowDatabase:             "",
		StartDatabase:            "",
		SetReadWrite:             "",
		ListServers:              "CALL dbms.cluster.overview()",
		LiftQuarantine:           "",
		GrantAccess:              "",
		GrantAccessAll:           "",
		GrantWrite:               "CALL dbms.security.addRoleToUser('publisher', '<user>')",
		GrantImpersonate:         "",
		SetHomeDatabase:          "",
		ShowCurrentUser:          "",
		ChangePassword:           "CALL dbms.security.changePassword('<new>')",
		CordonServer:             "",
		DeallocateServer:         "",
		DropServer:               "",
		SetInitialPassword:       "neo4j-admin set-initial-password <password> before the DBMS first starts",
		DockerAuth:               "NEO4J_AUTH=neo4j/<password> on a container whose /data volume is still empty",
		RecoverPassword:          "",
		UpgradePath:              "3.5 cannot go straight to 5.26 or 2025.x: migrate to 4.4 first, then migrate the databases to a new 5.26 LTS DBMS, then upgrade that to 2025.x",
		ServerLogs:               "neo4j.log and debug.log in the logs directory",
		SecurityLog:              "security.log in the logs directory",
		Primaries:                "core members",
		Secondaries:              "read replicas",
		ResumeInstance:           "",
		RestoreSnapshot:          "",
		Support:                  "",
	})
}

func TestV4(t *testing.T) {
	t.Parallel()
	check(t, Server{Gen: V4}, shared(expect{
		BoltAdvertisedAddress:    "dbms.connector.bolt.advertised_address",
		DefaultAdvertisedAddress: "dbms.default_advertised_address",
		BoltListenAddress:        "dbms.connector.bolt.listen_address",
		DefaultListenAddress:     "dbms.default_listen_address",
		BoltEnabled:              "dbms.connector.bolt.enabled",
		BoltTLSLevel:             "dbms.connector.bolt.tls_level",
		DiscoveryEndpoints:       "causal_clustering.initial_discovery_members",
		ReadOnlyDatabases:        "dbms.databases.read_only",
		WritableDatabases:        "dbms.databases.writable",
		DefaultToReadOnly:        "dbms.databases.default_to_read_only",
		ListServers:              "CALL dbms.cluster.overview()",
		LiftQuarantine:           "CALL dbms.quarantineDatabase('<db>', false) on the server that holds the quarantined copy",
		CordonServer:             "",
		DeallocateServer:         "",
		DropServer:               "",
		SetInitialPassword:       "neo4j-admin set-initial-password <password> before the DBMS first starts",
		UpgradePath:              "no 4.x goes straight to 2025.x: upgrade 4.0-4.3 to 4.4 first, migrate the databases from 4.4 to a new 5.26 LTS DBMS, then upgrade that to 2025.x",
		Primaries:                "core members",
		Secondaries:              "read replicas",
	}))
}

func TestV5(t *testing.T) {
	t.Parallel()
	check(t, Server{Gen: V5}, shared(expect{
		BoltAdvertisedAddress:    "server.bolt.advertised_address",
		DefaultAdvertisedAddress: "server.default_advertised_address",
		BoltListenAddress:        "server.bolt.listen_address",
		DefaultListenAddress:     "server.default_listen_address",
		BoltEnabled:              "server.bolt.enabled",
		BoltTLSLevel:             "server.bolt.tls_level",
		DiscoveryEndpoints:       "dbms.cluster.discovery.endpoints or, where dbms.cluster.discovery.version selects discovery v2 on 5.23 and later, dbms.cluster.discovery.v2.endpoints",
		ReadOnlyDatabases:        "server.databases.read_only",
		HTTPEnabledModules:       "server.http_enabled_modules",
		WritableDatabases:        "server.databases.writable",
		DefaultToReadOnly:        "server.databases.default_to_read_only",
		ListServers:              "SHOW SERVERS",
		LiftQuarantine:           "CALL dbms.quarantineDatabase('<db>', false) on the server that holds the quarantined copy",
		CordonServer:             "CALL dbms.cluster.cordonServer('<id>')",
		DeallocateServer:         "DEALLOCATE DATABASES FROM SERVER '<id>'",
		DropServer:               "DROP SERVER '<id>'",
		SetInitialPassword:       "neo4j-admin dbms set-initial-password <password> before the DBMS first starts",
		UpgradePath:              "upgrade to 5.26 LTS first if older, then to any 2025.x release",
		Primaries:                "primaries",
		Secondaries:              "secondaries",
	}))
}

func TestV2025(t *testing.T) {
	t.Parallel()
	check(t, Server{Gen: V2025}, shared(expect{
		BoltAdvertisedAddress:    "server.bolt.advertised_address",
		DefaultAdvertisedAddress: "server.default_advertised_address",
		BoltListenAddress:        "server.bolt.listen_address",
		DefaultListenAddress:     "server.default_listen_address",
		BoltEnabled:              "server.bolt.enabled",
		BoltTLSLevel:             "server.bolt.tls_level",
		DiscoveryEndpoints:       "dbms.cluster.endpoints",
		ReadOnlyDatabases:        "server.databases.read_only",
		HTTPEnabledModules:       "server.http_enabled_modules",
		WritableDatabases:        "server.databases.writable",
		DefaultToReadOnly:        "server.databases.default_to_read_only",
		ListServers:              "SHOW SERVERS",
		LiftQuarantine:           "CALL dbms.unquarantineDatabase('<id>', '<db>', 'keepStateKeepStore')",
		CordonServer:             "CALL dbms.cluster.cordonServer('<id>')",
		DeallocateServer:         "DEALLOCATE DATABASES FROM SERVER '<id>'",
		DropServer:               "DROP SERVER '<id>'",
		SetInitialPassword:       "neo4j-admin dbms set-initial-password <password> before the DBMS first starts",
		UpgradePath:              "upgrade to the latest release",
		Primaries:                "primaries",
		Secondaries:              "secondaries",
	}))
}

// An unknown generation names the current form first, then each other
// form with the generations it belongs to, and says where a thing is
// missing.
func TestUnknownWording(t *testing.T) {
	t.Parallel()
	s := Server{}
	for it, want := range map[Item]string{
		BoltAdvertisedAddress: "server.bolt.advertised_address (4.x: dbms.connector.bolt.advertised_address)",
		DefaultListenAddress:  "server.default_listen_address (4.x: dbms.default_listen_address)",
		BoltTLSLevel:          "server.bolt.tls_level (4.x: dbms.connector.bolt.tls_level)",
		RoutingTTL:            "dbms.routing_ttl",
		AuthLockTime:          "dbms.security.auth_lock_time",
		DiscoveryEndpoints:    "dbms.cluster.endpoints (5.x: dbms.cluster.discovery.endpoints or, where dbms.cluster.discovery.version selects discovery v2 on 5.23 and later, dbms.cluster.discovery.v2.endpoints; 4.x: causal_clustering.initial_discovery_members)",
		ListServers:           "SHOW SERVERS (4.x: CALL dbms.cluster.overview())",
		LiftQuarantine:        "CALL dbms.unquarantineDatabase('<id>', '<db>', 'keepStateKeepStore') (5.x, 4.x: CALL dbms.quarantineDatabase('<db>', false) on the server that holds the quarantined copy)",
		DeallocateServer:      "DEALLOCATE DATABASES FROM SERVER '<id>' (not on 4.x)",
		SetInitialPassword:    "neo4j-admin dbms set-initial-password <password> before the DBMS first starts (4.x: neo4j-admin set-initial-password <password> before the DBMS first starts)",
		Primaries:             "primaries (4.x: core members)",
		ShowDatabases:         "SHOW DATABASES",
		ResumeInstance:        "",
	} {
		if got := s.Text(it); got != want {
			t.Errorf("unknown: %v = %q\n want %q", it, got, want)
		}
	}
	if got, want := s.Lookup(ListServers).Doc, omNow+"clustering/monitoring/show-servers-monitoring/"; got != want {
		t.Errorf("unknown: ListServers doc %q, want the newest generation's %q", got, want)
	}
}

// A generation known only as a floor names the later forms too.
func TestOrLater(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s    Server
		it   Item
		want string
	}{
		{Server{Gen: V5, OrLater: true}, BoltAdvertisedAddress, "server.bolt.advertised_address"},
		{Server{Gen: V5, OrLater: true}, LiftQuarantine, "CALL dbms.unquarantineDatabase('<id>', '<db>', 'keepStateKeepStore') (5.x: CALL dbms.quarantineDatabase('<db>', false) on the server that holds the quarantined copy)"},
		{Server{Gen: V35, OrLater: true}, ListServers, "SHOW SERVERS (4.x, 3.5: CALL dbms.cluster.overview())"},
		{Server{Gen: V35, OrLater: true}, RecoverPassword, "on every server stop the DBMS, set dbms.security.auth_enabled=false and start it listening on localhost only; on one of them run ALTER USER <user> SET PASSWORD '<password>' on the system database; then remove the setting and restart every server (not on 3.5)"},
		{Server{Gen: V35, OrLater: true}, RoutingTTL, "dbms.routing_ttl (3.5: causal_clustering.cluster_routing_ttl)"},
		{Server{Gen: V2025, OrLater: true}, LiftQuarantine, "CALL dbms.unquarantineDatabase('<id>', '<db>', 'keepStateKeepStore')"},
	} {
		if got := c.s.Text(c.it); got != c.want {
			t.Errorf("%v: %v = %q\n want %q", c.s, c.it, got, c.want)
		}
	}
}

func TestSet(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s     Server
		it    Item
		value string
		want  string
	}{
		{Server{Gen: V5}, BoltAdvertisedAddress, "<host>:<port>", "server.bolt.advertised_address=<host>:<port>"},
		{Server{Gen: V4}, DefaultListenAddress, "0.0.0.0", "dbms.default_listen_address=0.0.0.0"},
		{Server{Gen: V35}, DefaultListenAddress, "0.0.0.0", "dbms.connectors.default_listen_address=0.0.0.0"},
		{Server{}, BoltTLSLevel, "OPTIONAL", "server.bolt.tls_level=OPTIONAL (4.x: dbms.connector.bolt.tls_level=OPTIONAL)"},
		{Server{}, DefaultRouter, "SERVER", "dbms.routing.default_router=SERVER"},
		{Server{Gen: V35}, DefaultRouter, "SERVER", ""},
		{Server{Gen: V35}, BoltClientAuth, "NONE", "dbms.ssl.policy.<policy>.client_auth=NONE"},
		{Server{Gen: V5}, ListServers, "x", "SHOW SERVERS"}, // not a setting: Text
		{Server{Gen: V5, Aura: true}, BoltAdvertisedAddress, "<host>:<port>", "Aura manages the server configuration itself, so there is no setting to change: if the problem stays, raise a ticket at https://support.neo4j.com"},
	} {
		if got := c.s.Set(c.it, c.value); got != c.want {
			t.Errorf("%v: Set(%v, %q) = %q\n want %q", c.s, c.it, c.value, got, c.want)
		}
	}
}

// On Aura, server configuration gives way to what an Aura user can do;
// Cypher that Aura runs stays as it is.
func TestAura(t *testing.T) {
	t.Parallel()
	const config = "Aura manages the server configuration itself, so there is no setting to change: if the problem stays, raise a ticket at https://support.neo4j.com"
	const tls = "Aura always encrypts Bolt with TLS 1.2 or 1.3 and its own certificate, so there is nothing to configure: connect with neo4j+s://"
	const lockout = "Aura's lockout settings cannot be changed: stop retrying, fix the credentials, and wait a little before the next try"
	const servers = "Aura replaces its servers itself and lets no user drop or alter them: if members stay unreachable, raise a ticket at https://support.neo4j.com"
	const sso = "Aura has no LDAP and takes single sign-on from your organization's identity provider, set up in https://console.neo4j.io: check there that the provider answers; if it does and logins still fail, raise a ticket at https://support.neo4j.com"
	want := expect{
		BoltAdvertisedAddress:    config,
		DefaultAdvertisedAddress: config,
		BoltListenAddress:        config,
		DefaultListenAddress:     config,
		BoltEnabled:              config,
		BoltTLSLevel:             tls,
		BoltSSLPolicyEnabled:     tls,
		BoltCertificate:          tls,
		BoltClientAuth:           tls,
		BoltTLSVersions:          tls,
		BoltCiphers:              tls,
		RoutingTTL:               config,
		DiscoveryEndpoints:       servers,
		ServerSideRouting:        config,
		DefaultRouter:            config,
		AuthEnabled:              "Aura always requires a user name and password: use the ones from the credentials file downloaded when the instance was created",
		AuthMaxFailedAttempts:    lockout,
		AuthLockTime:             lockout,
		ReadOnlyDatabases:        config,
		WritableDatabases:        config,
		DefaultToReadOnly:        config,
		AuthProviders:            sso,
		LDAPHost:                 sso,
		LDAPConnectionTimeout:    sso,
		LDAPReadTimeout:          sso,
		LDAPSystemAccount:        sso,
		OIDCDiscovery:            sso,
		AuthCacheTTL:             sso,
		HTTPEnabledModules:       config,
		HTTPSCertificate:         "Aura serves HTTPS with its own certificate, so there is nothing to configure: if a browser does not trust it, check for a TLS-inspecting proxy on your network",
		ShowDatabases:            "SHOW DATABASES",
		ShowDatabase:             "SHOW DATABASE <db>",
		StartDatabase:            "on Aura only an admin of a Business Critical instance may run START DATABASE <db>; otherwise check in https://console.neo4j.io that the instance is running, and resume it if it is paused",
		SetReadWrite:             "Aura lets no user alter a database: raise a ticket at https://support.neo4j.com",
		ListServers:              "check the instance's status in https://console.neo4j.io: Aura manages its servers itself",
		LiftQuarantine:           "Aura lets no user lift a quarantine: raise a ticket at https://support.neo4j.com",
		GrantAccess:              "GRANT ACCESS ON DATABASE <db> TO <role>",
		GrantAccessAll:           "GRANT ACCESS ON DATABASE * TO <role>",
		GrantWrite:               "GRANT WRITE ON GRAPH <db> TO <role>",
		GrantImpersonate:         "GRANT IMPERSONATE (<user>) ON DBMS TO <role>",
		SetHomeDatabase:          "ALTER USER <user> SET HOME DATABASE <db>",
		ShowCurrentUser:          "SHOW CURRENT USER",
		ChangePassword:           "ALTER CURRENT USER SET PASSWORD FROM '<old>' TO '<new>' on the system database",
		CordonServer:             servers,
		DeallocateServer:         servers,
		DropServer:               servers,
		SetInitialPassword:       "Aura sets the first password itself when the instance is created: it is in the credentials file downloaded then",
		DockerAuth:               "",
		RecoverPassword:          "Aura cannot show a lost password again: another admin user can run ALTER USER <user> SET PASSWORD '<password>' on the system database; otherwise clone the instance to a new one in https://console.neo4j.io (Clone to, New instance), which comes with new credentials",
		UpgradePath:              "migrate the instance to the latest version: clone it to a new instance in https://console.neo4j.io (the Migration Readiness Report there lists what to change first)",
		ServerLogs:               "Aura shows only query and security logs (the Logs tab in https://console.neo4j.io): for why the server failed, raise a ticket at https://support.neo4j.com",
		SecurityLog:              "the security log in the Logs tab of https://console.neo4j.io",
		Primaries:                "primaries",
		Secondaries:              "secondaries",
		ResumeInstance:           "resume the instance with the Play button on its card in https://console.neo4j.io",
		RestoreSnapshot:          "restore a snapshot of the instance in https://console.neo4j.io (this replaces the data it holds now)",
		Support:                  "raise a ticket at https://support.neo4j.com",
	}
	for _, gen := range []Gen{V5, V2025} {
		s := Server{Gen: gen, Aura: true}
		check(t, s, want)
		for it := Item(0); it < numItems; it++ {
			if got, replaced := s.Lookup(it).Aura, table[it].aura != nil && table[it].aura.text != ""; got != replaced {
				t.Errorf("%v: %v: Aura = %v, want %v", s, it, got, replaced)
			}
		}
	}
	// An Aura host whose generation is not known yet still gets Aura's texts.
	if got := (Server{Aura: true}).Text(ListServers); got != want[ListServers] {
		t.Errorf("Aura, unknown generation: ListServers = %q", got)
	}
}

var (
	settingName  = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.(<policy>|<provider>|[a-z0-9_]+))+$`)
	placeholder  = regexp.MustCompile(`<[^<>]*>`)
	placeholders = map[string]bool{"<db>": true, "<role>": true, "<user>": true, "<id>": true, "<password>": true, "<old>": true, "<new>": true, "<policy>": true, "<provider>": true}
)

// Every entry says where it was checked, settings are bare names (Set
// appends the value), every placeholder is one the package documents,
// and every item has a name and at least one text somewhere.
func TestTableIsWellFormed(t *testing.T) {
	t.Parallel()
	docRoot := regexp.MustCompile(`^https://(neo4j\.com/docs/|github\.com/neo4j/)[^\s]+$`)
	seen := map[string]bool{}
	for it := Item(0); it < numItems; it++ {
		r := table[it]
		if name := it.String(); name == "" || seen[name] {
			t.Errorf("item %d: name %q missing or repeated", it, name)
		}
		seen[it.String()] = true
		entries := map[string]*entry{}
		for g := V35; g < numGens; g++ {
			if r.gens[g] != nil {
				entries[g.String()] = r.gens[g]
			}
		}
		if r.gens[Unknown] != nil {
			t.Errorf("%v: has an entry for the unknown generation; texts for it are made from the others", it)
		}
		if r.aura != nil && r.aura.text != "" {
			entries["aura"] = r.aura
		}
		if len(entries) == 0 {
			t.Errorf("%v: no text for any server", it)
		}
		if (r.kind == AuraOnly) != (len(entries) == 1 && entries["aura"] != nil) {
			t.Errorf("%v: kind %v, but entries for %v", it, r.kind, keys(entries))
		}
		for where, e := range entries {
			if !docRoot.MatchString(e.doc) {
				t.Errorf("%v (%s): documentation address %q", it, where, e.doc)
			}
			if strings.TrimSpace(e.text) != e.text || strings.TrimSpace(e.note) != e.note {
				t.Errorf("%v (%s): stray space in %q / %q", it, where, e.text, e.note)
			}
			if r.kind == Setting && where != "aura" && !settingName.MatchString(e.text) {
				t.Errorf("%v (%s): %q is not a bare setting name", it, where, e.text)
			}
			for _, p := range placeholder.FindAllString(e.text+" "+e.note, -1) {
				if !placeholders[p] {
					t.Errorf("%v (%s): undocumented placeholder %s", it, where, p)
				}
			}
		}
		if it.Kind() != r.kind {
			t.Errorf("%v: Kind disagrees with the table", it)
		}
	}
	if numItems.String() != "Item(?)" || (Server{Gen: V5}).Text(numItems) != "" {
		t.Error("an item outside the table must have no text")
	}
}

// The fixes the issue names, item by item, hold for the generation
// each was wrong for.
func TestIssueFixes(t *testing.T) {
	t.Parallel()
	v526 := Detect("db.example.com", "Neo4j/5.26.0", bolt.Version{Major: 5, Minor: 8})
	v44 := Detect("db.example.com", "Neo4j/4.4.40", bolt.Version{Major: 4, Minor: 4})
	v35 := Detect("db.example.com", "Neo4j/3.5.35", bolt.Version{Major: 3})
	v2025 := Detect("db.example.com", "Neo4j/2025.10.1", bolt.Version{Major: 6})
	for _, c := range []struct {
		what string
		got  string
		has  string
		not  string
	}{
		{"1: 5.26 discovery", v526.Text(DiscoveryEndpoints), "dbms.cluster.discovery.v2.endpoints", "dbms.cluster.endpoints"},
		{"2: 5.26 quarantine", v526.Text(LiftQuarantine), "dbms.quarantineDatabase('<db>', false)", "unquarantine"},
		{"2: 4.4 quarantine", v44.Text(LiftQuarantine), "dbms.quarantineDatabase('<db>', false)", "unquarantine"},
		{"2: 2025 quarantine", v2025.Text(LiftQuarantine), "dbms.unquarantineDatabase(", "quarantineDatabase('<db>'"},
		{"3: access", v526.Text(GrantAccess), "GRANT ACCESS ON DATABASE <db> TO <role>", "system"},
		{"4: recovery", v526.Text(RecoverPassword), "dbms.security.auth_enabled=false", "set-initial-password"},
		{"4: 4.4 initial password", v44.Text(SetInitialPassword), "neo4j-admin set-initial-password", "dbms set-initial"},
		{"5: deallocate", v526.Text(DeallocateServer), "DEALLOCATE DATABASES FROM SERVER '<id>'", "/"},
		{"6: 4.4 servers", v44.Text(ListServers), "CALL dbms.cluster.overview()", "SHOW SERVERS"},
		{"6: 4.4 words", v44.Text(Primaries), "core members", "primaries"},
		{"7: 3.5 upgrade", v35.Text(UpgradePath), "4.4 first", "straight to 5.26 LTS"},
		{"8: 4.4 tls", v44.Text(BoltTLSLevel), "dbms.connector.bolt.tls_level", "server."},
		{"9: 3.5 ttl", v35.Text(RoutingTTL), "causal_clustering.cluster_routing_ttl", "dbms.routing_ttl"},
		{"10: lockout", v526.Text(AuthMaxFailedAttempts), "dbms.security.auth_max_failed_attempts", " "},
	} {
		if !strings.Contains(c.got, c.has) || c.not != "" && strings.Contains(c.got, c.not) {
			t.Errorf("%s: %q should contain %q and not %q", c.what, c.got, c.has, c.not)
		}
	}
	if v526.Text(DeallocateServer) == "" || v44.Text(DeallocateServer) != "" {
		t.Error("5: DEALLOCATE is 5.x and later only")
	}
}

func keys(m map[string]*entry) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// Item.String is the Go name of the item, in the order table.go declares
// them.
func TestItemNames(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "table.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			for _, n := range spec.(*ast.ValueSpec).Names {
				names = append(names, n.Name)
			}
		}
		if len(names) > 0 && names[0] == "BoltAdvertisedAddress" {
			break
		}
		names = nil
	}
	if len(names) != int(numItems)+1 || names[numItems] != "numItems" {
		t.Fatalf("read %d item names from table.go: %v", len(names), names)
	}
	for it := Item(0); it < numItems; it++ {
		if it.String() != names[it] {
			t.Errorf("item %d is %s, but String says %q", it, names[it], it.String())
		}
	}
}
