package checks

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The driver snippets of --driver (NEO4J_DOCTOR_DRIVER): for a result's
// code, the setting or code that makes the fix in the user's driver.
// Everything is data, in this one file: which topics a code's fix
// touches (codeTopics), and each driver's snippet for each topic with
// the address of the driver documentation that gives it (snippets). A
// check never names a driver; Diagnose attaches the snippets to every
// result (members' included) once the run is over, from the result's
// code and typed facts of the run: the target, the access check's
// default database, the idle check's measured limit.
//
// Each snippet was checked against the driver's own source and API
// documentation (neo4j-python-driver docs/source/api.rst and
// src/neo4j/_sync/auth_management.py; neo4j-javascript-driver
// packages/core/src/types.ts, driver.ts, auth.ts, auth-token-manager.ts;
// neo4j-java-driver Config.java, SessionConfig.java, AuthTokens.java,
// AuthTokenManagers.java; neo4j-go-driver v5.28.4 neo4j/config/driver.go,
// session_with_context.go, auth_tokens.go, auth/auth.go;
// neo4j-dotnet-driver ConfigBuilder.cs, SessionConfig.cs, AuthTokens.cs,
// AuthTokenManagers.cs; October 2024). What the sources say that a
// snippet relies on:
//   - Python, JavaScript, Java and .NET take a custom CA only with a
//     plain neo4j:// or bolt:// URI and encryption switched on in the
//     configuration; with +s or +ssc they refuse (or ignore) trust
//     settings, since the scheme decides. Go is the other way round: its
//     TlsConfig is used only for +s and +ssc.
//   - Durations: Python takes seconds (float), JavaScript milliseconds,
//     Java a value and a TimeUnit, Go a time.Duration, .NET a TimeSpan.

// Drivers are the official drivers --driver names, in the order help
// lists them.
var Drivers = []string{"python", "javascript", "java", "go", "dotnet"}

// DriverHint is one driver snippet beside a result's hints: what to
// paste into an application that uses Driver to make the fix.
type DriverHint struct {
	Driver string `json:"driver"` // one of Drivers
	// Topic is what the snippet sets, stable and machine-readable:
	// "trust_ca", "ssc", "database", "connection_timeout",
	// "max_connection_lifetime", "liveness_check", "routing_scheme",
	// "direct_scheme", "impersonation", "bearer_token",
	// "bearer_token_manager".
	Topic   string `json:"topic"`
	Snippet string `json:"snippet"` // code in the driver's language
	Doc     string `json:"doc"`     // the driver documentation that gives it
}

// Topics of driver configuration a fix may touch.
const (
	topicTrustCA      = "trust_ca"
	topicSSC          = "ssc"
	topicDatabase     = "database"
	topicTimeout      = "connection_timeout"
	topicLifetime     = "max_connection_lifetime"
	topicLiveness     = "liveness_check"
	topicRouting      = "routing_scheme"
	topicDirect       = "direct_scheme"
	topicImpersonate  = "impersonation"
	topicBearer       = "bearer_token"
	topicBearerManage = "bearer_token_manager"
)

// topicWords say what each topic's snippet does, for the text report.
var topicWords = map[string]string{
	topicTrustCA:      "trust the CA file",
	topicSSC:          "or, for a test server, encrypt without verifying",
	topicDatabase:     "name the database",
	topicTimeout:      "give up on an address sooner",
	topicLifetime:     "close connections before the limit",
	topicLiveness:     "or test connections idle that long before use",
	topicRouting:      "let the driver route",
	topicDirect:       "connect to the one server",
	topicImpersonate:  "run as the user",
	topicBearer:       "log in with the fresh token",
	topicBearerManage: "renew the token before it expires",
}

// DriverTopics are the values of DriverHint.Topic, in the order the
// JSON schema lists them.
var DriverTopics = []string{topicTrustCA, topicSSC, topicDatabase, topicTimeout, topicLifetime, topicLiveness,
	topicRouting, topicDirect, topicImpersonate, topicBearer, topicBearerManage}

// DriverTopicWords says in words what a DriverHint's topic does ("trust
// the CA file"); "" for a topic it does not know.
func DriverTopicWords(topic string) string { return topicWords[topic] }

// codeTopics: the driver configuration each code's fix touches, in the
// order the snippets are shown. A topic that needs a fact the run does
// not have (the idle limit, the user to impersonate) is left out.
var codeTopics = map[string][]string{
	"tls.self_signed":              {topicTrustCA, topicSSC},
	"tls.unknown_authority":        {topicTrustCA},
	"tls.interception":             {topicTrustCA},
	"tls.verify_failed":            {topicTrustCA},
	"tls.unverified":               {topicTrustCA},
	"tcp.timeout":                  {topicTimeout},
	"tcp.some_addresses_fail":      {topicTimeout},
	"routing.bypassed":             {topicRouting},
	"routing.bypassed_not_writer":  {topicRouting},
	"routing.not_a_cluster":        {topicDirect},
	"access.not_leader":            {topicRouting},
	"access.read_only":             {topicRouting},
	"access.home_not_default":      {topicDatabase},
	"routing.database_not_found":   {topicDatabase},
	"query.database_not_found":     {topicDatabase},
	"idle.reset":                   {topicLifetime, topicLiveness},
	"idle.silent":                  {topicLifetime, topicLiveness},
	"access.impersonation_refused": {topicImpersonate},
	"auth.token_expired":           {topicBearer, topicBearerManage},
	"access.token_expired":         {topicBearer, topicBearerManage},
	"access.token_not_yet_valid":   {topicBearer},
	"access.token_expires_soon":    {topicBearerManage},
}

// snippet is one driver's code for a topic. Code holds placeholders the
// run's facts fill (see driverFacts.fill); Setting is the setting's bare
// name, for a hint that names it in words.
type snippet struct {
	Code    string
	Setting string
	Doc     string
}

const (
	pyDoc   = "https://neo4j.com/docs/api/python-driver/current/api.html"
	jsDoc   = "https://neo4j.com/docs/api/javascript-driver/current/class/lib6/"
	javaDoc = "https://neo4j.com/docs/api/java-driver/current/org.neo4j.driver/org/neo4j/driver/"
	goDoc   = "https://pkg.go.dev/github.com/neo4j/neo4j-go-driver/v5/neo4j"
	netDoc  = "https://neo4j.com/docs/api/dotnet-driver/current/api/"
)

// snippets: each driver's code per topic. Placeholders: {ca} the CA
// file, {plain} the URI without +s/+ssc (drivers that configure trust
// in code), {secure} the URI with +s, {ssc} with +ssc, {routing} with
// neo4j, {direct} with bolt, {db} the database, {user} the user to
// impersonate, {timeout}, {lifetime}, {liveness} durations in the
// driver's own form.
var snippets = map[string]map[string]snippet{
	"python": {
		topicTrustCA:      {`GraphDatabase.driver("{plain}", auth=auth, encrypted=True, trusted_certificates=neo4j.TrustCustomCAs("{ca}"))`, "trusted_certificates", pyDoc + "#trusted-certificates-ref"},
		topicSSC:          {`GraphDatabase.driver("{ssc}", auth=auth)`, "", pyDoc + "#uri-ref"},
		topicDatabase:     {`driver.session(database="{db}")`, "database", pyDoc + "#database-ref"},
		topicTimeout:      {`GraphDatabase.driver(uri, auth=auth, connection_timeout={timeout})`, "connection_timeout", pyDoc + "#connection-timeout-ref"},
		topicLifetime:     {`GraphDatabase.driver(uri, auth=auth, max_connection_lifetime={lifetime})`, "max_connection_lifetime", pyDoc + "#max-connection-lifetime-ref"},
		topicLiveness:     {`GraphDatabase.driver(uri, auth=auth, liveness_check_timeout={liveness})`, "liveness_check_timeout", pyDoc + "#liveness-check-timeout-ref"},
		topicRouting:      {`GraphDatabase.driver("{routing}", auth=auth)`, "", pyDoc + "#uri-ref"},
		topicDirect:       {`GraphDatabase.driver("{direct}", auth=auth)`, "", pyDoc + "#uri-ref"},
		topicImpersonate:  {`driver.session(impersonated_user="{user}")`, "impersonated_user", pyDoc + "#impersonated-user-ref"},
		topicBearer:       {`GraphDatabase.driver(uri, auth=neo4j.bearer_auth(token))`, "", pyDoc + "#neo4j.bearer_auth"},
		topicBearerManage: {`GraphDatabase.driver(uri, auth=neo4j.auth_management.AuthManagers.bearer(get_token))  # get_token returns ExpiringAuth(neo4j.bearer_auth(token), expires_at=…)`, "", pyDoc + "#neo4j.auth_management.AuthManagers.bearer"},
	},
	"javascript": {
		topicTrustCA:      {`neo4j.driver('{plain}', auth, { encrypted: 'ENCRYPTION_ON', trust: 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES', trustedCertificates: ['{ca}'] })`, "trustedCertificates", jsDoc + "types.js~Config.html"},
		topicSSC:          {`neo4j.driver('{ssc}', auth)`, "", jsDoc + "types.js~Config.html"},
		topicDatabase:     {`driver.session({ database: '{db}' })`, "database", jsDoc + "driver.js~SessionConfig.html"},
		topicTimeout:      {`neo4j.driver(uri, auth, { connectionTimeout: {timeout} })`, "connectionTimeout", jsDoc + "types.js~Config.html"},
		topicLifetime:     {`neo4j.driver(uri, auth, { maxConnectionLifetime: {lifetime} })`, "maxConnectionLifetime", jsDoc + "types.js~Config.html"},
		topicLiveness:     {`neo4j.driver(uri, auth, { connectionLivenessCheckTimeout: {liveness} })`, "connectionLivenessCheckTimeout", jsDoc + "types.js~Config.html"},
		topicRouting:      {`neo4j.driver('{routing}', auth)`, "", jsDoc + "types.js~Config.html"},
		topicDirect:       {`neo4j.driver('{direct}', auth)`, "", jsDoc + "types.js~Config.html"},
		topicImpersonate:  {`driver.session({ impersonatedUser: '{user}' })`, "impersonatedUser", jsDoc + "driver.js~SessionConfig.html"},
		topicBearer:       {`neo4j.driver(uri, neo4j.auth.bearer(token))`, "", "https://neo4j.com/docs/javascript-manual/current/connect-advanced/"},
		topicBearerManage: {`neo4j.driver(uri, neo4j.authTokenManagers.bearer({ tokenProvider }))  // tokenProvider resolves to { token: neo4j.auth.bearer(token), expiration }`, "", "https://github.com/neo4j/neo4j-javascript-driver/blob/5.0/packages/core/src/auth-token-manager.ts"},
	},
	"java": {
		topicTrustCA:      {`var trust = Config.TrustStrategy.trustCustomCertificateSignedBy(new File("{ca}")); GraphDatabase.driver("{plain}", auth, Config.builder().withEncryption().withTrustStrategy(trust).build())`, "withTrustStrategy", javaDoc + "Config.TrustStrategy.html"},
		topicSSC:          {`GraphDatabase.driver("{ssc}", auth)`, "", javaDoc + "GraphDatabase.html"},
		topicDatabase:     {`driver.session(SessionConfig.forDatabase("{db}"))`, "SessionConfig.forDatabase", javaDoc + "SessionConfig.html"},
		topicTimeout:      {`Config.builder().withConnectionTimeout({timeout}).build()`, "withConnectionTimeout", javaDoc + "Config.ConfigBuilder.html"},
		topicLifetime:     {`Config.builder().withMaxConnectionLifetime({lifetime}).build()`, "withMaxConnectionLifetime", javaDoc + "Config.ConfigBuilder.html"},
		topicLiveness:     {`Config.builder().withConnectionLivenessCheckTimeout({liveness}).build()`, "withConnectionLivenessCheckTimeout", javaDoc + "Config.ConfigBuilder.html"},
		topicRouting:      {`GraphDatabase.driver("{routing}", auth)`, "", javaDoc + "GraphDatabase.html"},
		topicDirect:       {`GraphDatabase.driver("{direct}", auth)`, "", javaDoc + "GraphDatabase.html"},
		topicImpersonate:  {`driver.session(SessionConfig.builder().withImpersonatedUser("{user}").build())`, "withImpersonatedUser", javaDoc + "SessionConfig.Builder.html"},
		topicBearer:       {`GraphDatabase.driver(uri, AuthTokens.bearer(token))`, "", javaDoc + "AuthTokens.html"},
		topicBearerManage: {`GraphDatabase.driver(uri, AuthTokenManagers.bearer(tokenSupplier))  // tokenSupplier returns AuthTokens.bearer(token).expiringAt(…)`, "", javaDoc + "AuthTokenManagers.html"},
	},
	"go": {
		topicTrustCA:      {`pool := x509.NewCertPool(); pem, _ := os.ReadFile("{ca}"); pool.AppendCertsFromPEM(pem); neo4j.NewDriverWithContext("{secure}", auth, func(c *neo4j.Config) { c.TlsConfig = &tls.Config{RootCAs: pool} })`, "TlsConfig", goDoc + "/config#Config"},
		topicSSC:          {`neo4j.NewDriverWithContext("{ssc}", auth)`, "", goDoc + "#NewDriverWithContext"},
		topicDatabase:     {`driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: "{db}"})`, "DatabaseName", goDoc + "#SessionConfig"},
		topicTimeout:      {`neo4j.NewDriverWithContext(uri, auth, func(c *neo4j.Config) { c.SocketConnectTimeout = {timeout} })`, "SocketConnectTimeout", goDoc + "/config#Config"},
		topicLifetime:     {`neo4j.NewDriverWithContext(uri, auth, func(c *neo4j.Config) { c.MaxConnectionLifetime = {lifetime} })`, "MaxConnectionLifetime", goDoc + "/config#Config"},
		topicLiveness:     {`neo4j.NewDriverWithContext(uri, auth, func(c *neo4j.Config) { c.ConnectionLivenessCheckTimeout = {liveness} })`, "ConnectionLivenessCheckTimeout", goDoc + "/config#Config"},
		topicRouting:      {`neo4j.NewDriverWithContext("{routing}", auth)`, "", goDoc + "#NewDriverWithContext"},
		topicDirect:       {`neo4j.NewDriverWithContext("{direct}", auth)`, "", goDoc + "#NewDriverWithContext"},
		topicImpersonate:  {`driver.NewSession(ctx, neo4j.SessionConfig{ImpersonatedUser: "{user}"})`, "ImpersonatedUser", goDoc + "#SessionConfig"},
		topicBearer:       {`neo4j.NewDriverWithContext(uri, neo4j.BearerAuth(token))`, "", goDoc + "#BearerAuth"},
		topicBearerManage: {`neo4j.NewDriverWithContext(uri, auth.BearerTokenManager(provider))  // provider returns (neo4j.BearerAuth(token), expiresAt, err)`, "", goDoc + "/auth#BearerTokenManager"},
	},
	"dotnet": {
		topicTrustCA:      {`GraphDatabase.Driver("{plain}", auth, o => o.WithEncryptionLevel(EncryptionLevel.Encrypted).WithCertificateTrustRule(CertificateTrustRule.TrustList, new[] { "{ca}" }))`, "WithCertificateTrustRule", netDoc + "Neo4j.Driver.ConfigBuilder.html"},
		topicSSC:          {`GraphDatabase.Driver("{ssc}", auth)`, "", netDoc + "Neo4j.Driver.GraphDatabase.html"},
		topicDatabase:     {`driver.AsyncSession(o => o.WithDatabase("{db}"))`, "WithDatabase", netDoc + "Neo4j.Driver.SessionConfigBuilder.html"},
		topicTimeout:      {`GraphDatabase.Driver(uri, auth, o => o.WithConnectionTimeout({timeout}))`, "WithConnectionTimeout", netDoc + "Neo4j.Driver.ConfigBuilder.html"},
		topicLifetime:     {`GraphDatabase.Driver(uri, auth, o => o.WithMaxConnectionLifetime({lifetime}))`, "WithMaxConnectionLifetime", netDoc + "Neo4j.Driver.ConfigBuilder.html"},
		topicLiveness:     {`GraphDatabase.Driver(uri, auth, o => o.WithConnectionLivenessCheckTimeout({liveness}))`, "WithConnectionLivenessCheckTimeout", netDoc + "Neo4j.Driver.ConfigBuilder.WithConnectionLivenessCheckTimeout.html"},
		topicRouting:      {`GraphDatabase.Driver("{routing}", auth)`, "", netDoc + "Neo4j.Driver.GraphDatabase.html"},
		topicDirect:       {`GraphDatabase.Driver("{direct}", auth)`, "", netDoc + "Neo4j.Driver.GraphDatabase.html"},
		topicImpersonate:  {`driver.AsyncSession(o => o.WithImpersonatedUser("{user}"))`, "WithImpersonatedUser", netDoc + "Neo4j.Driver.SessionConfigBuilder.html"},
		topicBearer:       {`GraphDatabase.Driver(uri, AuthTokens.Bearer(token))`, "", netDoc + "Neo4j.Driver.AuthTokens.html"},
		topicBearerManage: {`GraphDatabase.Driver(uri, AuthTokenManagers.Bearer(tokenProviderAsync))  // tokenProviderAsync returns new AuthTokenAndExpiration(AuthTokens.Bearer(token), expiry)`, "", netDoc + "Neo4j.Driver.AuthTokenManagers.html"},
	},
}

// driverNames are the drivers' names in prose.
var driverNames = map[string]string{"python": "Python", "javascript": "JavaScript", "java": "Java", "go": "Go", "dotnet": ".NET"}

// ParseDriver checks a --driver (or NEO4J_DOCTOR_DRIVER) value: one of
// Drivers, any case; anything else is an *InputError.
func ParseDriver(from, value string) (string, error) {
	d := strings.ToLower(strings.TrimSpace(value))
	switch d {
	case "node", "nodejs", "js":
		d = "javascript"
	case "golang":
		d = "go"
	case ".net", "csharp", "c#":
		d = "dotnet"
	}
	if slices.Contains(Drivers, d) {
		return d, nil
	}
	return "", inputErr("the drivers are "+strings.Join(Drivers, ", ")+", e.g. --driver python; leave it out for hints that name no driver",
		"%s: %q is not a driver neo4j-doctor knows", from, clipDriver(value))
}

func clipDriver(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// driverSetting names driver's setting for topic in words, "max_connection_lifetime
// (Python)"; "" when the driver has none by that name.
func driverSetting(driver, topic string) string {
	s := snippets[driver][topic]
	if s.Setting == "" {
		return ""
	}
	return s.Setting + " (" + driverNames[driver] + ")"
}

// driverFacts are what a run knows that a snippet quotes.
type driverFacts struct {
	target   *Target
	database string        // the database to name; "" = unknown
	idleSafe time.Duration // the longest idle time answered; 0 = none
}

// fill puts the facts into code for driver; ok is false when a fact it
// needs is missing.
func (f driverFacts) fill(driver, code string) (string, bool) {
	t := f.target
	ca := "ca.pem"
	if s, ok := t.Info.Settings["ca-file"]; ok && s.Value != "" {
		ca = s.Value
	}
	uri := func(scheme string) string {
		return scheme + "://" + t.Address()
	}
	tls := map[TLSMode]string{TLSOff: "", TLSVerify: "+s", TLSAcceptAny: "+ssc"}[t.TLS]
	base := "bolt"
	if t.Routing {
		base = "neo4j"
	}
	db := f.database
	if db == "" {
		db = "<database>"
	}
	ca, db, user := literal(driver, ca), literal(driver, db), literal(driver, t.Impersonate)
	repl := []string{
		"{ca}", ca,
		"{plain}", uri(base),
		"{secure}", uri(base + "+s"),
		"{ssc}", uri(base + "+ssc"),
		"{routing}", uri("neo4j" + tls),
		"{direct}", uri("bolt" + tls),
		"{db}", db,
		"{user}", user,
		"{timeout}", driverDuration(driver, t.Timeout),
	}
	if strings.Contains(code, "{user}") && t.Impersonate == "" {
		return "", false
	}
	if strings.Contains(code, "{lifetime}") || strings.Contains(code, "{liveness}") {
		if f.idleSafe <= 0 {
			return "", false
		}
		d := driverDuration(driver, f.idleSafe)
		repl = append(repl, "{lifetime}", d, "{liveness}", d)
	}
	return strings.NewReplacer(repl...).Replace(code), true
}

// literal escapes s for the string literal it goes into in driver's
// snippets: backslashes and the quote, single in JavaScript, double in
// the others; a Windows path or a name with a quote stays one literal.
func literal(driver, s string) string {
	q := `"`
	if driver == "javascript" {
		q = "'"
	}
	return strings.NewReplacer(`\`, `\\`, q, `\`+q).Replace(s)
}

// driverDuration writes d as driver takes a duration: whole seconds when
// it is, else milliseconds.
func driverDuration(driver string, d time.Duration) string {
	whole := d%time.Second == 0
	n := strconv.FormatInt(d.Milliseconds(), 10)
	if whole {
		n = strconv.FormatInt(int64(d/time.Second), 10)
	}
	switch driver {
	case "python":
		return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
	case "javascript":
		return strconv.FormatInt(d.Milliseconds(), 10)
	case "java":
		if whole {
			return n + ", TimeUnit.SECONDS"
		}
		return n + ", TimeUnit.MILLISECONDS"
	case "go":
		if whole {
			return n + " * time.Second"
		}
		return n + " * time.Millisecond"
	case "dotnet":
		if whole {
			return "TimeSpan.FromSeconds(" + n + ")"
		}
		return "TimeSpan.FromMilliseconds(" + n + ")"
	}
	return d.String()
}

// hints returns driver's snippets for a result with code, from the
// facts of the run; nil when the code's fix touches no driver setting.
func (f driverFacts) hints(driver, code string) []DriverHint {
	var out []DriverHint
	if strings.HasSuffix(code, ".database_not_found") {
		f.database = "" // the name given is the wrong one
	}
	for _, topic := range codeTopics[code] {
		s, ok := snippets[driver][topic]
		// The scheme to switch to is the one the target does not use:
		// a write refused on a bolt:// server goes to the writer with
		// neo4j://; on neo4j:// the scheme is not the fix.
		if !ok || topic == topicRouting && f.target.Routing || topic == topicDirect && !f.target.Routing {
			continue
		}
		text, ok := f.fill(driver, s.Code)
		if !ok {
			continue
		}
		out = append(out, DriverHint{Driver: driver, Topic: topic, Snippet: text, Doc: s.Doc})
	}
	return out
}

// attachDriverHints gives every result of rep (members' included) the
// snippets of t.Driver; nothing without --driver.
func attachDriverHints(rep *Report, t *Target) {
	if t == nil || t.Driver == "" {
		return
	}
	f := driverFacts{target: t, database: t.Database}
	if rep.Access != nil {
		if f.database == "" {
			f.database = rep.Access.Default
		}
	}
	if rep.Idle != nil {
		f.idleSafe = rep.Idle.Safe
	}
	for i := range rep.Checks {
		rep.Checks[i].DriverHints = f.hints(t.Driver, rep.Checks[i].Code)
	}
	for m := range rep.Members {
		for i := range rep.Members[m].Checks {
			c := &rep.Members[m].Checks[i]
			c.DriverHints = f.hints(t.Driver, c.Code)
		}
	}
}

// driverSettingWords is how a hint names the settings of topic: every
// driver's by default (all), the one driver's with --driver.
func driverSettingWords(t *Target, topic, all string) string {
	if t == nil || t.Driver == "" {
		return all
	}
	if s := driverSetting(t.Driver, topic); s != "" {
		return s
	}
	return fmt.Sprintf("see the %s driver's documentation", driverNames[t.Driver])
}
