package generation

// Item is one name a hint needs. The comment on each says what it is and
// where the generations differ; the table below has the texts and the
// documentation each was checked against.
type Item uint8

const (
	// Settings: names for neo4j.conf. Use Server.Set for "name=value".

	BoltAdvertisedAddress    Item = iota // the address the server gives clients for its Bolt connector
	DefaultAdvertisedAddress             // the host every connector advertises unless told otherwise
	BoltListenAddress                    // the interface and port the Bolt connector listens on
	DefaultListenAddress                 // the interface every connector listens on unless told otherwise (default: localhost)
	BoltEnabled                          // whether the Bolt connector runs
	BoltTLSLevel                         // REQUIRED, OPTIONAL or DISABLED encryption on the Bolt connector
	BoltSSLPolicyEnabled                 // turns on the bolt SSL policy (4.0+; 3.5 names its policy in bolt.ssl_policy and encrypts by default)
	BoltCertificate                      // the certificate file of the policy that secures Bolt
	BoltClientAuth                       // whether Bolt clients must present a certificate (NONE, OPTIONAL, REQUIRE)
	BoltTLSVersions                      // the TLS versions the Bolt policy allows
	BoltCiphers                          // the cipher suites the Bolt policy allows
	RoutingTTL                           // how long drivers keep a routing table (default 300s)
	DiscoveryEndpoints                   // the members a cluster member contacts to find the others
	ServerSideRouting                    // server-side routing on (4.1+; default false on 4.x, true on 5.x)
	DefaultRouter                        // who routes a neo4j:// request by default, SERVER or CLIENT (4.3+)
	AuthEnabled                          // whether clients must authenticate
	AuthMaxFailedAttempts                // failed logins before the account is locked (default 3)
	AuthLockTime                         // how long the account stays locked (default 5s)
	ReadOnlyDatabases                    // the databases that refuse writes on this server (4.3+)
	WritableDatabases                    // the databases that accept writes when the default is read-only (4.3+)
	DefaultToReadOnly                    // every database read-only by default (3.5: the whole DBMS)
	AuthProviders                        // which identity providers log users in: native, ldap, oidc-<provider> (3.5: dbms.security.auth_provider)
	LDAPHost                             // the LDAP server the server asks at login
	LDAPConnectionTimeout                // how long a login waits to connect to LDAP
	LDAPReadTimeout                      // how long a login waits for LDAP's answer
	LDAPSystemAccount                    // renew a user's LDAP groups with a system account, so cached authorization never expires mid-session
	OIDCDiscovery                        // the OIDC (SSO) provider's discovery document (4.4+)
	AuthCacheTTL                         // how long the server caches what an identity provider said of a user
	HTTPEnabledModules                   // the HTTP modules the server serves; the Query API is QUERY_API_ENDPOINTS (5.x)
	HTTPSCertificate                     // the certificate file of the policy that secures HTTPS (Browser's page, 7473)

	// Cypher statements and procedures, run on the system database.

	ShowDatabases    // every database the user may see, with its status
	ShowDatabase     // one database's status on each server
	StartDatabase    // start a stopped database
	SetReadWrite     // make a read-only database writable again, DBMS-wide (4.4+)
	ListServers      // the cluster's servers and their state: SHOW SERVERS (5.0+), dbms.cluster.overview() before
	LiftQuarantine   // lift the quarantine from a database copy (4.4 and 5.x: on the server that holds it)
	GrantAccess      // the ACCESS privilege on one database, which SHOW DATABASES and connecting need
	GrantAccessAll   // the ACCESS privilege on every database
	GrantWrite       // the WRITE privilege on one database's graph (3.5: a built-in role that writes)
	GrantImpersonate // the IMPERSONATE privilege on one user (4.4+)
	SetHomeDatabase  // make a database the user's home (4.3+)
	ShowCurrentUser  // who the current user is: roles and home database (4.2+)
	ChangePassword   // change one's own (expired) password
	CordonServer     // keep new databases off a server that is down for now; reversible (ENABLE SERVER)
	DeallocateServer // move every database off a server: irreversible, never the first thing to offer
	DropServer       // remove a deallocated server from the cluster: irreversible

	// Shell commands and procedures of several steps.

	SetInitialPassword // set the first password, before the DBMS first starts; does nothing afterwards
	DockerAuth         // the Docker image's first password, applied only to an empty /data volume
	RecoverPassword    // what to do when the password of an existing DBMS is lost
	UpgradePath        // the way from this generation to a supported release
	ServerLogs         // where the server writes why it failed
	SecurityLog        // where the server writes why a login or an authorization failed

	// Words for prose.

	Primaries   // the members that vote on writes: "primaries" (5.0+), "core members" before
	Secondaries // the members that only replicate: "secondaries" (5.0+), "read replicas" before

	// Aura only: absent on a self-managed server.

	ResumeInstance  // resume a paused Aura instance
	RestoreSnapshot // put an Aura instance back to a snapshot
	Support         // Neo4j's support, for what Aura users cannot change themselves

	numItems
)

// Kind says what sort of text an item has.
type Kind uint8

const (
	Setting  Kind = iota // a setting name for neo4j.conf
	Cypher               // a Cypher statement or procedure call
	Command              // a shell command or environment variable
	Steps                // an instruction of several steps, in prose
	Words                // a noun for prose
	AuraOnly             // an instruction that exists on Aura only
)

func (k Kind) String() string {
	return [...]string{"setting", "cypher", "command", "steps", "words", "aura"}[k]
}

// Kind is the sort of text the item has.
func (it Item) Kind() Kind {
	if int(it) >= len(table) {
		return Words
	}
	return table[it].kind
}

func (it Item) String() string {
	if int(it) >= len(itemNames) {
		return "Item(?)"
	}
	return itemNames[it]
}

// entry is one generation's (or Aura's) text for an item.
type entry struct {
	text string // the name, statement or instruction; Set puts "=value" after it
	note string // words that follow the text (and the value), such as where to run it
	doc  string // the page the text was checked against
}

func (e *entry) render(form string) string {
	if e.note == "" {
		return form
	}
	return form + " " + e.note
}

// row is one item: its texts per generation (nil: the generation lacks
// it) and, when Aura differs, Aura's (an entry with no text: Aura lacks
// it).
type row struct {
	kind Kind
	gens [numGens]*entry
	aura *entry
}

// Documentation roots. The operations manual has a page tree per
// generation; "current" is the newest CalVer release's.
const (
	om35  = "https://neo4j.com/docs/operations-manual/3.5/"
	om44  = "https://neo4j.com/docs/operations-manual/4.4/"
	om5   = "https://neo4j.com/docs/operations-manual/5/"
	omNow = "https://neo4j.com/docs/operations-manual/current/"
	cy44  = "https://neo4j.com/docs/cypher-manual/4.4/"
	cyNow = "https://neo4j.com/docs/cypher-manual/5/"
	mig   = "https://neo4j.com/docs/upgrade-migration-guide/current/"
	auraD = "https://neo4j.com/docs/aura/"

	cfg35  = om35 + "reference/configuration-settings/#config_"
	cfg44  = om44 + "configuration/configuration-settings/#config_"
	cfg5   = om5 + "configuration/configuration-settings/#config_"
	cfgNow = omNow + "configuration/configuration-settings/#config_"
)

// Console and SupportPortal are where Aura users act instead of editing
// a server.
const (
	Console       = "https://console.neo4j.io"
	SupportPortal = "https://support.neo4j.com"
)

// setting is a setting's entries, each documented in its generation's
// configuration reference; "" leaves a generation without it.
func setting(name35, name4, name5, name2025 string) [numGens]*entry {
	var gens [numGens]*entry
	for g, n := range map[Gen]string{V35: name35, V4: name4, V5: name5, V2025: name2025} {
		if n == "" {
			continue
		}
		base := map[Gen]string{V35: cfg35, V4: cfg44, V5: cfg5, V2025: cfgNow}[g]
		gens[g] = &entry{text: n, doc: base + n}
	}
	return gens
}

// same is one text (and note) for the generations docs names, each
// checked against its own page.
func same(text, note string, docs map[Gen]string) [numGens]*entry {
	var gens [numGens]*entry
	for g, d := range docs {
		gens[g] = &entry{text: text, note: note, doc: d}
	}
	return gens
}

func gens(e35, e4, e5, e2025 *entry) [numGens]*entry {
	return [numGens]*entry{V35: e35, V4: e4, V5: e5, V2025: e2025}
}

// Aura texts shared by several items.
var (
	auraConfig = &entry{
		text: "Aura manages the server configuration itself, so there is no setting to change: if the problem stays, raise a ticket at " + SupportPortal,
		doc:  auraD + "tutorials/troubleshooting/",
	}
	auraTLS = &entry{
		text: "Aura always encrypts Bolt with TLS 1.2 or 1.3 and its own certificate, so there is nothing to configure: connect with neo4j+s://",
		doc:  auraD + "security/secure-connections/",
	}
	auraHTTPS = &entry{
		text: "Aura serves HTTPS with its own certificate, so there is nothing to configure: if a browser does not trust it, check for a TLS-inspecting proxy on your network",
		doc:  auraD + "security/secure-connections/",
	}
	auraLockout = &entry{
		text: "Aura's lockout settings cannot be changed: stop retrying, fix the credentials, and wait a little before the next try",
		doc:  auraD + "tutorials/troubleshooting/",
	}
	auraServers = &entry{
		text: "Aura replaces its servers itself and lets no user drop or alter them: if members stay unreachable, raise a ticket at " + SupportPortal,
		doc:  cyNow + "introduction/cypher-aura/",
	}
	auraNone = &entry{} // the item does not apply to Aura
	auraSSO  = &entry{
		text: "Aura has no LDAP and takes single sign-on from your organization's identity provider, set up in " + Console + ": check there that the provider answers; if it does and logins still fail, raise a ticket at " + SupportPortal,
		doc:  auraD + "security/single-sign-on/",
	}
)

func sslPolicy(suffix string) [numGens]*entry {
	return gens(
		&entry{text: "dbms.ssl.policy.<policy>." + suffix, doc: om35 + "security/ssl-framework/"},
		&entry{text: "dbms.ssl.policy.bolt." + suffix, doc: om44 + "security/ssl-framework/"},
		&entry{text: "dbms.ssl.policy.bolt." + suffix, doc: om5 + "security/ssl-framework/"},
		&entry{text: "dbms.ssl.policy.bolt." + suffix, doc: omNow + "security/ssl-framework/"},
	)
}

var table = [numItems]row{
	BoltAdvertisedAddress: {kind: Setting, aura: auraConfig,
		gens: setting("dbms.connector.bolt.advertised_address", "dbms.connector.bolt.advertised_address", "server.bolt.advertised_address", "server.bolt.advertised_address")},
	DefaultAdvertisedAddress: {kind: Setting, aura: auraConfig,
		gens: setting("dbms.connectors.default_advertised_address", "dbms.default_advertised_address", "server.default_advertised_address", "server.default_advertised_address")},
	BoltListenAddress: {kind: Setting, aura: auraConfig,
		gens: setting("dbms.connector.bolt.listen_address", "dbms.connector.bolt.listen_address", "server.bolt.listen_address", "server.bolt.listen_address")},
	DefaultListenAddress: {kind: Setting, aura: auraConfig,
		gens: setting("dbms.connectors.default_listen_address", "dbms.default_listen_address", "server.default_listen_address", "server.default_listen_address")},
	BoltEnabled: {kind: Setting, aura: auraConfig,
		gens: setting("dbms.connector.bolt.enabled", "dbms.connector.bolt.enabled", "server.bolt.enabled", "server.bolt.enabled")},
	BoltTLSLevel: {kind: Setting, aura: auraTLS,
		gens: setting("dbms.connector.bolt.tls_level", "dbms.connector.bolt.tls_level", "server.bolt.tls_level", "server.bolt.tls_level")},
	BoltSSLPolicyEnabled: {kind: Setting, aura: auraTLS,
		gens: gens(nil,
			&entry{text: "dbms.ssl.policy.bolt.enabled", doc: om44 + "security/ssl-framework/"},
			&entry{text: "dbms.ssl.policy.bolt.enabled", doc: om5 + "security/ssl-framework/"},
			&entry{text: "dbms.ssl.policy.bolt.enabled", doc: omNow + "security/ssl-framework/"})},
	BoltCertificate: {kind: Setting, aura: auraTLS, gens: sslPolicy("public_certificate")},
	BoltClientAuth:  {kind: Setting, aura: auraTLS, gens: sslPolicy("client_auth")},
	BoltTLSVersions: {kind: Setting, aura: auraTLS, gens: sslPolicy("tls_versions")},
	BoltCiphers:     {kind: Setting, aura: auraTLS, gens: sslPolicy("ciphers")},
	RoutingTTL: {kind: Setting, aura: auraConfig,
		gens: setting("causal_clustering.cluster_routing_ttl", "dbms.routing_ttl", "dbms.routing_ttl", "dbms.routing_ttl")},
	DiscoveryEndpoints: {kind: Setting, aura: auraServers,
		gens: gens(
			&entry{text: "causal_clustering.initial_discovery_members", doc: cfg35 + "causal_clustering.initial_discovery_members"},
			&entry{text: "causal_clustering.initial_discovery_members", doc: cfg44 + "causal_clustering.initial_discovery_members"},
			// Discovery v1 is the default (dbms.cluster.discovery.version=V1_ONLY) through 5.26; v2 came in 5.23.
			&entry{text: "dbms.cluster.discovery.endpoints",
				note: "or, where dbms.cluster.discovery.version selects discovery v2 on 5.23 and later, dbms.cluster.discovery.v2.endpoints",
				doc:  om5 + "clustering/setup/discovery/"},
			// 2025.01 removed discovery v1 and renamed the v2 setting.
			&entry{text: "dbms.cluster.endpoints", doc: cfgNow + "dbms.cluster.endpoints"})},
	ServerSideRouting: {kind: Setting, aura: auraConfig,
		gens: setting("", "dbms.routing.enabled", "dbms.routing.enabled", "dbms.routing.enabled")},
	DefaultRouter: {kind: Setting, aura: auraConfig,
		gens: setting("", "dbms.routing.default_router", "dbms.routing.default_router", "dbms.routing.default_router")},
	AuthEnabled: {kind: Setting,
		aura: &entry{text: "Aura always requires a user name and password: use the ones from the credentials file downloaded when the instance was created",
			doc: auraD + "getting-started/connect-instance/"},
		gens: setting("dbms.security.auth_enabled", "dbms.security.auth_enabled", "dbms.security.auth_enabled", "dbms.security.auth_enabled")},
	AuthMaxFailedAttempts: {kind: Setting, aura: auraLockout,
		gens: setting("dbms.security.auth_max_failed_attempts", "dbms.security.auth_max_failed_attempts", "dbms.security.auth_max_failed_attempts", "dbms.security.auth_max_failed_attempts")},
	AuthLockTime: {kind: Setting, aura: auraLockout,
		gens: setting("dbms.security.auth_lock_time", "dbms.security.auth_lock_time", "dbms.security.auth_lock_time", "dbms.security.auth_lock_time")},
	ReadOnlyDatabases: {kind: Setting, aura: auraConfig,
		gens: setting("", "dbms.databases.read_only", "server.databases.read_only", "server.databases.read_only")},
	WritableDatabases: {kind: Setting, aura: auraConfig,
		gens: setting("", "dbms.databases.writable", "server.databases.writable", "server.databases.writable")},
	DefaultToReadOnly: {kind: Setting, aura: auraConfig,
		gens: setting("dbms.read_only", "dbms.databases.default_to_read_only", "server.databases.default_to_read_only", "server.databases.default_to_read_only")},
	AuthProviders: {kind: Setting, aura: auraSSO,
		gens: setting("dbms.security.auth_provider", "dbms.security.authentication_providers", "dbms.security.authentication_providers", "dbms.security.authentication_providers")},
	LDAPHost: {kind: Setting, aura: auraSSO,
		gens: setting("dbms.security.ldap.host", "dbms.security.ldap.host", "dbms.security.ldap.host", "dbms.security.ldap.host")},
	LDAPConnectionTimeout: {kind: Setting, aura: auraSSO,
		gens: setting("dbms.security.ldap.connection_timeout", "dbms.security.ldap.connection_timeout", "dbms.security.ldap.connection_timeout", "dbms.security.ldap.connection_timeout")},
	LDAPReadTimeout: {kind: Setting, aura: auraSSO,
		gens: setting("dbms.security.ldap.read_timeout", "dbms.security.ldap.read_timeout", "dbms.security.ldap.read_timeout", "dbms.security.ldap.read_timeout")},
	LDAPSystemAccount: {kind: Setting, aura: auraSSO,
		gens: setting("dbms.security.ldap.authorization.use_system_account", "dbms.security.ldap.authorization.use_system_account",
			"dbms.security.ldap.authorization.use_system_account", "dbms.security.ldap.authorization.use_system_account")},
	// OIDC came with 4.4; the V4 entry is 4.4's, as every V4 text is.
	OIDCDiscovery: {kind: Setting, aura: auraSSO,
		gens: gens(nil,
			&entry{text: "dbms.security.oidc.<provider>.well_known_discovery_uri", doc: om44 + "authentication-authorization/sso-integration/"},
			&entry{text: "dbms.security.oidc.<provider>.well_known_discovery_uri", doc: om5 + "authentication-authorization/sso-integration/"},
			&entry{text: "dbms.security.oidc.<provider>.well_known_discovery_uri", doc: omNow + "authentication-authorization/sso-integration/"})},
	AuthCacheTTL: {kind: Setting, aura: auraSSO,
		gens: setting("dbms.security.auth_cache_ttl", "dbms.security.auth_cache_ttl", "dbms.security.auth_cache_ttl", "dbms.security.auth_cache_ttl")},
	// The Query API came with 5.19 (off unless listed here) and is on by
	// default from 5.26; 4.4 and 3.5 have no such setting.
	HTTPSCertificate: {kind: Setting, aura: auraHTTPS, gens: gens(
		&entry{text: "dbms.ssl.policy.<policy>.public_certificate", doc: om35 + "security/ssl-framework/"},
		&entry{text: "dbms.ssl.policy.https.public_certificate", doc: om44 + "security/ssl-framework/"},
		&entry{text: "dbms.ssl.policy.https.public_certificate", doc: om5 + "security/ssl-framework/"},
		&entry{text: "dbms.ssl.policy.https.public_certificate", doc: omNow + "security/ssl-framework/"})},
	HTTPEnabledModules: {kind: Setting, aura: auraConfig,
		gens: setting("", "", "server.http_enabled_modules", "server.http_enabled_modules")},

	ShowDatabases: {kind: Cypher, gens: same("SHOW DATABASES", "", map[Gen]string{
		V4:    cy44 + "administration/databases/#administration-databases-show-databases",
		V5:    om5 + "database-administration/standard-databases/listing-databases/",
		V2025: omNow + "database-administration/standard-databases/listing-databases/"})},
	ShowDatabase: {kind: Cypher, gens: same("SHOW DATABASE <db>", "", map[Gen]string{
		V4:    cy44 + "administration/databases/#administration-databases-show-databases",
		V5:    om5 + "database-administration/standard-databases/listing-databases/",
		V2025: omNow + "database-administration/standard-databases/listing-databases/"})},
	StartDatabase: {kind: Cypher,
		aura: &entry{text: "on Aura only an admin of a Business Critical instance may run START DATABASE <db>; otherwise check in " + Console + " that the instance is running, and resume it if it is paused",
			doc: auraD + "user-management/"},
		gens: same("START DATABASE <db>", "", map[Gen]string{
			V4:    cy44 + "administration/databases/#administration-databases-start-database",
			V5:    om5 + "database-administration/standard-databases/create-databases/#manage-databases-start",
			V2025: omNow + "database-administration/standard-databases/start-stop-databases/"})},
	SetReadWrite: {kind: Cypher,
		aura: &entry{text: "Aura lets no user alter a database: raise a ticket at " + SupportPortal,
			doc: cyNow + "introduction/cypher-aura/"},
		gens: same("ALTER DATABASE <db> SET ACCESS READ WRITE", "", map[Gen]string{
			V4:    cy44 + "administration/databases/#administration-databases-alter-database",
			V5:    om5 + "database-administration/standard-databases/alter-databases/",
			V2025: omNow + "database-administration/standard-databases/alter-databases/"})},
	ListServers: {kind: Cypher,
		aura: &entry{text: "check the instance's status in " + Console + ": Aura manages its servers itself",
			doc: cyNow + "introduction/cypher-aura/"},
		gens: gens(
			&entry{text: "CALL dbms.cluster.overview()", doc: om35 + "monitoring/causal-cluster/procedures/#dbms.cluster.overview"},
			&entry{text: "CALL dbms.cluster.overview()", doc: om44 + "reference/procedures/#procedure_dbms_cluster_overview"},
			&entry{text: "SHOW SERVERS", doc: om5 + "clustering/monitoring/show-servers-monitoring/"},
			&entry{text: "SHOW SERVERS", doc: omNow + "clustering/monitoring/show-servers-monitoring/"})},
	LiftQuarantine: {kind: Cypher,
		aura: &entry{text: "Aura lets no user lift a quarantine: raise a ticket at " + SupportPortal,
			doc: "https://github.com/neo4j/docs-aura/blob/aura-procedures/modules/ROOT/pages/query/procedures.adoc"},
		gens: gens(nil,
			&entry{text: "CALL dbms.quarantineDatabase('<db>', false)", note: "on the server that holds the quarantined copy",
				doc: om44 + "manage-databases/errors/#quarantine"},
			&entry{text: "CALL dbms.quarantineDatabase('<db>', false)", note: "on the server that holds the quarantined copy",
				doc: om5 + "database-administration/standard-databases/errors/#quarantine"},
			// 2025.01 added dbms.unquarantineDatabase and deprecated the old call (gone from Cypher 25).
			&entry{text: "CALL dbms.unquarantineDatabase('<id>', '<db>', 'keepStateKeepStore')",
				doc: omNow + "database-administration/standard-databases/errors/#quarantine"})},
	GrantAccess: {kind: Cypher, gens: same("GRANT ACCESS ON DATABASE <db> TO <role>", "", map[Gen]string{
		V4:    cy44 + "administration/access-control/database-administration/#access-control-database-administration-access",
		V5:    om5 + "authentication-authorization/database-administration/#access-control-database-administration-access",
		V2025: omNow + "authentication-authorization/database-administration/#access-control-database-administration-access"})},
	GrantAccessAll: {kind: Cypher, gens: same("GRANT ACCESS ON DATABASE * TO <role>", "", map[Gen]string{
		V4:    cy44 + "administration/access-control/database-administration/#access-control-database-administration-access",
		V5:    om5 + "authentication-authorization/database-administration/#access-control-database-administration-access",
		V2025: omNow + "authentication-authorization/database-administration/#access-control-database-administration-access"})},
	GrantWrite: {kind: Cypher, gens: gens(
		// 3.5 has no fine-grained privileges: its built-in publisher role writes.
		&entry{text: "CALL dbms.security.addRoleToUser('publisher', '<user>')",
			doc: om35 + "authentication-authorization/native-user-role-management/procedures/"},
		&entry{text: "GRANT WRITE ON GRAPH <db> TO <role>", doc: cy44 + "administration/access-control/privileges-writes/"},
		&entry{text: "GRANT WRITE ON GRAPH <db> TO <role>", doc: om5 + "authentication-authorization/privileges-writes/"},
		&entry{text: "GRANT WRITE ON GRAPH <db> TO <role>", doc: omNow + "authentication-authorization/privileges-writes/"})},
	// Impersonation came with 4.4; the V4 entry is 4.4's.
	GrantImpersonate: {kind: Cypher, gens: same("GRANT IMPERSONATE (<user>) ON DBMS TO <role>", "", map[Gen]string{
		V4:    cy44 + "administration/access-control/dbms-administration/#access-control-dbms-administration-impersonation",
		V5:    om5 + "authentication-authorization/dbms-administration/#access-control-dbms-administration-impersonation",
		V2025: omNow + "authentication-authorization/dbms-administration/#access-control-dbms-administration-impersonation"})},
	// Home databases came with 4.3.
	SetHomeDatabase: {kind: Cypher, gens: same("ALTER USER <user> SET HOME DATABASE <db>", "", map[Gen]string{
		V4:    cy44 + "administration/access-control/manage-users/#access-control-alter-users",
		V5:    om5 + "authentication-authorization/manage-users/#access-control-alter-users",
		V2025: omNow + "authentication-authorization/manage-users/#access-control-alter-users"})},
	// SHOW CURRENT USER came with 4.2.
	ShowCurrentUser: {kind: Cypher, gens: same("SHOW CURRENT USER", "", map[Gen]string{
		V4:    cy44 + "administration/access-control/manage-users/#access-control-current-users",
		V5:    om5 + "authentication-authorization/manage-users/#access-control-current-users",
		V2025: omNow + "authentication-authorization/manage-users/#access-control-current-users"})},
	ChangePassword: {kind: Cypher, gens: gens(
		&entry{text: "CALL dbms.security.changePassword('<new>')",
			doc: om35 + "authentication-authorization/native-user-role-management/procedures/#userauth-change-your-password"},
		&entry{text: "ALTER CURRENT USER SET PASSWORD FROM '<old>' TO '<new>'", note: "on the system database",
			doc: cy44 + "administration/access-control/manage-users/#access-control-alter-password"},
		&entry{text: "ALTER CURRENT USER SET PASSWORD FROM '<old>' TO '<new>'", note: "on the system database",
			doc: om5 + "authentication-authorization/manage-users/#access-control-alter-password"},
		&entry{text: "ALTER CURRENT USER SET PASSWORD FROM '<old>' TO '<new>'", note: "on the system database",
			doc: omNow + "authentication-authorization/manage-users/#access-control-alter-password"})},
	CordonServer: {kind: Cypher, aura: auraServers, gens: gens(nil, nil,
		&entry{text: "CALL dbms.cluster.cordonServer('<id>')", doc: om5 + "clustering/servers/#server-error-handling"},
		&entry{text: "CALL dbms.cluster.cordonServer('<id>')", doc: omNow + "clustering/servers/#server-error-handling"})},
	DeallocateServer: {kind: Cypher, aura: auraServers, gens: gens(nil, nil,
		&entry{text: "DEALLOCATE DATABASES FROM SERVER '<id>'", doc: om5 + "clustering/servers/#deallocating-state"},
		&entry{text: "DEALLOCATE DATABASES FROM SERVER '<id>'", doc: omNow + "clustering/servers/#deallocating-state"})},
	DropServer: {kind: Cypher, aura: auraServers, gens: gens(nil, nil,
		&entry{text: "DROP SERVER '<id>'", doc: om5 + "clustering/servers/#removing-servers"},
		&entry{text: "DROP SERVER '<id>'", doc: omNow + "clustering/servers/#removing-servers"})},

	SetInitialPassword: {kind: Command,
		aura: &entry{text: "Aura sets the first password itself when the instance is created: it is in the credentials file downloaded then",
			doc: auraD + "getting-started/create-instance/"},
		gens: gens(
			&entry{text: "neo4j-admin set-initial-password <password>", note: "before the DBMS first starts",
				doc: om35 + "configuration/set-initial-password/"},
			&entry{text: "neo4j-admin set-initial-password <password>", note: "before the DBMS first starts",
				doc: om44 + "configuration/set-initial-password/"},
			&entry{text: "neo4j-admin dbms set-initial-password <password>", note: "before the DBMS first starts",
				doc: om5 + "configuration/set-initial-password/"},
			&entry{text: "neo4j-admin dbms set-initial-password <password>", note: "before the DBMS first starts",
				doc: omNow + "configuration/set-initial-password/"})},
	DockerAuth: {kind: Command, aura: auraNone, gens: same("NEO4J_AUTH=neo4j/<password>", "on a container whose /data volume is still empty", map[Gen]string{
		V35:   om35 + "docker/introduction/",
		V4:    om44 + "docker/introduction/",
		V5:    om5 + "docker/introduction/",
		V2025: omNow + "docker/introduction/"})},
	RecoverPassword: {kind: Steps,
		aura: &entry{text: "Aura cannot show a lost password again: another admin user can run ALTER USER <user> SET PASSWORD '<password>' on the system database; otherwise clone the instance to a new one in " + Console + " (Clone to, New instance), which comes with new credentials",
			doc: auraD + "managing-instances/instance-actions/"},
		// 3.5's manual documents no recovery; its set-initial-password works only before the first start.
		gens: same("on every server stop the DBMS, set dbms.security.auth_enabled=false and start it listening on localhost only; on one of them run ALTER USER <user> SET PASSWORD '<password>' on the system database; then remove the setting and restart every server", "", map[Gen]string{
			V4:    om44 + "authentication-authorization/password-and-user-recovery/",
			V5:    om5 + "authentication-authorization/password-and-user-recovery/",
			V2025: omNow + "authentication-authorization/password-and-user-recovery/"})},
	UpgradePath: {kind: Steps,
		aura: &entry{text: "migrate the instance to the latest version: clone it to a new instance in " + Console + " (the Migration Readiness Report there lists what to change first)",
			doc: auraD + "tutorials/upgrade/"},
		gens: gens(
			&entry{text: "3.5 cannot go straight to 5.26 or 2025.x: migrate to 4.4 first, then migrate the databases to a new 5.26 LTS DBMS, then upgrade that to 2025.x",
				doc: mig + "version-5/migration/"},
			&entry{text: "no 4.x goes straight to 2025.x: upgrade 4.0-4.3 to 4.4 first, migrate the databases from 4.4 to a new 5.26 LTS DBMS, then upgrade that to 2025.x",
				doc: mig + "version-5/migration/"},
			&entry{text: "upgrade to 5.26 LTS first if older, then to any 2025.x release",
				doc: mig + "version-2025-2026/"},
			&entry{text: "upgrade to the latest release",
				doc: mig + "version-2025-2026/"})},
	ServerLogs: {kind: Words,
		aura: &entry{text: "Aura shows only query and security logs (the Logs tab in " + Console + "): for why the server failed, raise a ticket at " + SupportPortal,
			doc: auraD + "logging/download-logs/"},
		gens: same("neo4j.log and debug.log", "in the logs directory", map[Gen]string{
			V35:   om35 + "monitoring/logging/general-logging/",
			V4:    om44 + "monitoring/logging/",
			V5:    om5 + "monitoring/logging/",
			V2025: omNow + "monitoring/logging/"})},
	SecurityLog: {kind: Words,
		aura: &entry{text: "the security log in the Logs tab of " + Console, doc: auraD + "logging/download-logs/"},
		gens: same("security.log", "in the logs directory", map[Gen]string{
			V35:   om35 + "monitoring/logging/security-events-logging/",
			V4:    om44 + "monitoring/logging/",
			V5:    om5 + "monitoring/logging/",
			V2025: omNow + "monitoring/logging/"})},

	Primaries: {kind: Words, gens: gens(
		&entry{text: "core members", doc: om35 + "clustering/introduction/"},
		&entry{text: "core members", doc: om44 + "clustering/introduction/"},
		&entry{text: "primaries", doc: om5 + "clustering/glossary/#glossary-primary"},
		&entry{text: "primaries", doc: omNow + "clustering/glossary/#glossary-primary"})},
	Secondaries: {kind: Words, gens: gens(
		&entry{text: "read replicas", doc: om35 + "clustering/introduction/"},
		&entry{text: "read replicas", doc: om44 + "clustering/introduction/"},
		&entry{text: "secondaries", doc: om5 + "clustering/glossary/#glossary-secondary"},
		&entry{text: "secondaries", doc: omNow + "clustering/glossary/#glossary-secondary"})},

	ResumeInstance: {kind: AuraOnly, aura: &entry{
		text: "resume the instance with the Play button on its card in " + Console,
		doc:  auraD + "managing-instances/instance-actions/"}},
	RestoreSnapshot: {kind: AuraOnly, aura: &entry{
		text: "restore a snapshot of the instance in " + Console + " (this replaces the data it holds now)",
		doc:  auraD + "managing-instances/backup-restore-export/#restore-snapshot"}},
	Support: {kind: AuraOnly, aura: &entry{
		text: "raise a ticket at " + SupportPortal,
		doc:  auraD + "tutorials/troubleshooting/"}},
}

var itemNames = [numItems]string{
	BoltAdvertisedAddress: "BoltAdvertisedAddress", DefaultAdvertisedAddress: "DefaultAdvertisedAddress",
	BoltListenAddress: "BoltListenAddress", DefaultListenAddress: "DefaultListenAddress",
	BoltEnabled: "BoltEnabled", BoltTLSLevel: "BoltTLSLevel", BoltSSLPolicyEnabled: "BoltSSLPolicyEnabled",
	BoltCertificate: "BoltCertificate", BoltClientAuth: "BoltClientAuth", BoltTLSVersions: "BoltTLSVersions",
	BoltCiphers: "BoltCiphers", RoutingTTL: "RoutingTTL", DiscoveryEndpoints: "DiscoveryEndpoints",
	ServerSideRouting: "ServerSideRouting", DefaultRouter: "DefaultRouter", AuthEnabled: "AuthEnabled",
	AuthMaxFailedAttempts: "AuthMaxFailedAttempts", AuthLockTime: "AuthLockTime",
	ReadOnlyDatabases: "ReadOnlyDatabases", WritableDatabases: "WritableDatabases", DefaultToReadOnly: "DefaultToReadOnly",
	AuthProviders: "AuthProviders", LDAPHost: "LDAPHost", LDAPConnectionTimeout: "LDAPConnectionTimeout",
	LDAPReadTimeout: "LDAPReadTimeout", LDAPSystemAccount: "LDAPSystemAccount", OIDCDiscovery: "OIDCDiscovery", AuthCacheTTL: "AuthCacheTTL",
	HTTPEnabledModules: "HTTPEnabledModules", HTTPSCertificate: "HTTPSCertificate",
	ShowDatabases: "ShowDatabases", ShowDatabase: "ShowDatabase", StartDatabase: "StartDatabase",
	SetReadWrite: "SetReadWrite", ListServers: "ListServers", LiftQuarantine: "LiftQuarantine",
	GrantAccess: "GrantAccess", GrantAccessAll: "GrantAccessAll", GrantWrite: "GrantWrite",
	GrantImpersonate: "GrantImpersonate", SetHomeDatabase: "SetHomeDatabase", ShowCurrentUser: "ShowCurrentUser",
	ChangePassword: "ChangePassword", CordonServer: "CordonServer", DeallocateServer: "DeallocateServer", DropServer: "DropServer",
	SetInitialPassword: "SetInitialPassword", DockerAuth: "DockerAuth", RecoverPassword: "RecoverPassword",
	UpgradePath: "UpgradePath", ServerLogs: "ServerLogs", SecurityLog: "SecurityLog", Primaries: "Primaries", Secondaries: "Secondaries",
	ResumeInstance: "ResumeInstance", RestoreSnapshot: "RestoreSnapshot", Support: "Support",
}
