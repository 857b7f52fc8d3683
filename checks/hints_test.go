package checks_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
	"github.com/neo4j-doctor/neo4j-doctor/generation"
)

// The hints of every demo scenario, read as issue 19 read them: none of
// the wrong hints it lists comes back, and every name a hint gives is the
// one of the server's generation.

// said is one text a report shows a person, with where it comes from.
type said struct {
	where string // "routing summary", "member core-1:7687 tcp hint", ...
	check string // the check's id
	kind  string // "summary", "hint" or "evidence"
	text  string
	first bool // the first hint of its check: the fix the report leads with
}

// everything lists what a report says: every check's summary, hints and
// evidence, the members' own checks' too.
func everything(rep *checks.Report) []said {
	var out []said
	add := func(prefix string, r checks.Result) {
		out = append(out, said{prefix + " summary", r.ID, "summary", r.Summary, false})
		for i, h := range r.Hints {
			out = append(out, said{prefix + " hint", r.ID, "hint", h, i == 0})
		}
		for _, e := range r.Evidence {
			out = append(out, said{prefix + " evidence " + e.Name, r.ID, "evidence", e.Name + ": " + e.Value, false})
		}
	}
	for _, r := range rep.Checks {
		add(r.ID, r)
	}
	for _, m := range rep.Members {
		for _, r := range m.Checks {
			add("member "+m.Address+" "+r.ID, r)
		}
	}
	return out
}

// runScenario diagnoses inst as the CLI would.
func runScenario(t *testing.T, inst *scenarios.Instance) *checks.Report {
	t.Helper()
	tt, err := checks.Resolve(inst.Inputs())
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return checks.Diagnose(ctx, tt, &checks.Env{}, checks.Options{})
}

// agentGen is the generation of the server that answered, as the report
// says (Unknown when no login answered).
func agentGen(rep *checks.Report) generation.Gen {
	for _, r := range rep.Checks {
		for _, f := range r.Facts {
			if r.ID == "auth" && f.Name == "server" {
				return generation.FromAgent(f.Value)
			}
		}
	}
	return generation.Unknown
}

// wrongHint is one text of issue 19's list of wrong or misleading hints
// (and of its words to drop), which no scenario may print.
type wrongHint struct {
	text *regexp.Regexp
	why  string
	// on: the generations whose servers must not be told it; nil for all.
	on []generation.Gen
	// scenarios it is wrong in; nil for all.
	scenarios []string
	// kinds it is looked for in; nil for summaries, hints and evidence.
	kinds []string
	// first: only a check's first hint, the fix it leads with.
	first bool
}

func literal(s string) *regexp.Regexp { return regexp.MustCompile(regexp.QuoteMeta(s)) }

var (
	old4 = []generation.Gen{generation.V35, generation.V4}
	new5 = []generation.Gen{generation.V5, generation.V2025}
)

var wrongHints = []wrongHint{
	// 1. Discovery: 2025.01's name on a 5.x server.
	{text: literal("dbms.cluster.endpoints"), why: "item 1: dbms.cluster.endpoints is 2025.01's name", on: []generation.Gen{generation.V35, generation.V4, generation.V5}},
	// 2. Quarantine: dbms.unquarantineDatabase exists from 2025.01 only.
	{text: literal("dbms.unquarantineDatabase"), why: "item 2: 4.4 and 5.x lift a quarantine with dbms.quarantineDatabase", on: []generation.Gen{generation.V35, generation.V4, generation.V5}},
	// 3. SHOW DATABASES needs no ACCESS on system.
	{text: literal("ON DATABASE system"), why: "item 3: SHOW DATABASES is filtered by ACCESS on each database, not on system"},
	// 4. set-initial-password resets nothing on an existing DBMS; 4.4
	// spells it without dbms.
	{text: literal("on a stopped, empty DBMS"), why: "item 4: set-initial-password works only before the first start"},
	{text: literal("neo4j-admin dbms set-initial-password"), why: "item 4: 3.5 and 4.x spell it neo4j-admin set-initial-password", on: old4},
	{text: literal("neo4j-admin set-initial-password"), why: "item 4: 5.x spells it neo4j-admin dbms set-initial-password", on: new5},
	// 5. Removing servers: pasteable, and never the first action.
	{text: literal("SHOW SERVERS; DEALLOCATE/DROP SERVER"), why: "item 5: not pasteable"},
	{text: literal("DEALLOCATE/DROP"), why: "item 5: not pasteable"},
	{text: regexp.MustCompile(`DROP SERVER|DEALLOCATE DATABASES`), why: "item 5: irreversible, never the first action", kinds: []string{"hint"}, first: true},
	{text: regexp.MustCompile(`DROP SERVER|DEALLOCATE DATABASES|cordonServer`), why: "item 5: 4.x has no such command", on: old4, kinds: []string{"hint"}},
	// 6. 4.x lists its servers with dbms.cluster.overview() and calls
	// its primaries core members.
	{text: literal("SHOW SERVERS"), why: "item 6: SHOW SERVERS does not exist before 5.0", on: old4},
	{text: regexp.MustCompile(`\bprimaries\b|\bsecondaries\b`), why: "item 6: 4.x says core members and read replicas", on: old4},
	{text: regexp.MustCompile(`\bcore members\b|\bread replicas\b`), why: "item 6: 5.x says primaries and secondaries", on: new5},
	// 7. A guess where the agent is known.
	{text: literal("(4.3 or older)"), why: "item 7: the agent names the release"},
	// 9. 3.5's TTL setting.
	{text: literal("dbms.routing_ttl"), why: "item 9: 3.5's is causal_clustering.cluster_routing_ttl", on: []generation.Gen{generation.V35}},
	// Root cause before symptoms: a member that runs is not to be started.
	{text: literal("start the DBMS"), why: "the member runs; its advertised address is the cause", scenarios: []string{"localhost-advertised", "port-mapping"}},
	{text: regexp.MustCompile(`(?i)start the unreachable member`), why: "the member runs; its advertised address is the cause", scenarios: []string{"localhost-advertised", "port-mapping", "unreachable-member"}},
	// Words.
	{text: regexp.MustCompile(`\bseed\b`), why: `"the server in your URI", never "seed"`},
	{text: regexp.MustCompile(`\bno working (READ|WRITE|ROUTE)\b`), why: `"no reader is reachable: read queries will fail"`},
	{text: regexp.MustCompile(`\b1 of \d+ routers disagree\b`), why: `"1 of 3 routers disagrees"`},
	{text: regexp.MustCompile(`\bdb (movies|neo4j)\b|(^|; )(movies|neo4j): \d+ router`), why: `"database neo4j" everywhere`},
	{text: literal("did not pass"), why: `a blocked check says "not run: tcp failed"`},
	{text: regexp.MustCompile(`^(authenticated as|RETURN 1 returned|database |the home database|all \d+ members).*\b\d+(\.\d+)?(µs|ms)\b`), why: "timings belong in the time column", kinds: []string{"summary"}},
}

// otherSide are names a check prints that are not the server's
// generation's, for a reason: a TLS handshake that fails tells nothing of
// the server, so the tls check names the forms of the generations in
// support (4.x, 5.x, 2025.x), and a 3.5 server's own form of the SSL
// policy setting is not among them. Each is reported in the test log, not
// as a failure; anything else fails.
var otherSide = []struct{ check, text string }{
	{"tls", "dbms.ssl.policy.bolt.public_certificate"}, // expired-certificate on 3.5
}

// pending reports whether a wrong text in check's output is one of
// otherSide's, and logs it.
func pending(t *testing.T, check, text, where string) bool {
	t.Helper()
	for _, o := range otherSide {
		if o.check == check && strings.Contains(text, o.text) {
			t.Logf("pending on the other side: %s says %q", where, text)
			return true
		}
	}
	return false
}

// TestNoScenarioPrintsAWrongHint runs every demo scenario and holds what
// its report says against issue 19's list of wrong hints (items 1-10)
// and of words to drop.
func TestNoScenarioPrintsAWrongHint(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			inst, err := sc.Start()
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close()
			rep := runScenario(t, inst)
			gen := agentGen(rep)
			for _, s := range everything(rep) {
				for _, w := range wrongHints {
					switch {
					case w.on != nil && !slices.Contains(w.on, gen),
						w.scenarios != nil && !slices.Contains(w.scenarios, sc.Name),
						w.kinds != nil && !slices.Contains(w.kinds, s.kind),
						w.first && !s.first:
						continue
					}
					if w.text.MatchString(s.text) && !pending(t, s.check, s.text, s.where) {
						t.Errorf("%s (%s server) says %q: %s", s.where, gen, s.text, w.why)
					}
				}
			}
			// Item 10 and root cause before symptoms: a check that fails
			// or warns says what to do, unless the members check explains
			// a member's failure and says the fix itself.
			for _, r := range rep.Checks {
				if (r.Status == checks.Fail || r.Status == checks.Warn) && len(r.Hints) == 0 {
					t.Errorf("%s %s (%s) has no hint", r.ID, r.Status, r.Summary)
				}
			}
		})
	}
}

// presets are the server generations a scenario is read for.
var presets = []struct {
	name string
	cfg  func() fixtures.Config
	gen  generation.Gen
}{
	{"3.5", fixtures.Neo4j35, generation.V35},
	{"4.4", fixtures.Neo4j44, generation.V4},
	{"5.26", fixtures.Neo4j526, generation.V5},
	{"2025", fixtures.Neo4j2025, generation.V2025},
}

// genNames are, per generation, the names generation/ gives hints for a
// self-managed server: settings, procedures, statements, commands and
// words. A name of another generation that this one lacks is foreign to
// it.
func genNames() map[generation.Gen][]string {
	dotted := regexp.MustCompile(`\b[a-z][a-z0-9_]*(\.[a-z0-9_<>]+)+`)
	keywords := regexp.MustCompile(`^([A-Z][A-Z]+ )+[A-Z]+`)
	out := map[generation.Gen][]string{}
	for _, p := range presets {
		srv := generation.Server{Gen: p.gen}
		var names []string
		for it := generation.Item(0); it.String() != "Item(?)"; it++ {
			text := srv.Text(it)
			if text == "" {
				continue
			}
			switch it.Kind() {
			case generation.Words:
				if it == generation.Primaries || it == generation.Secondaries {
					names = append(names, text)
				}
				continue
			case generation.Command:
				if cmd, _, ok := strings.Cut(text, " <"); ok {
					names = append(names, cmd)
				}
			case generation.Cypher:
				if k := keywords.FindString(text); k != "" && k != "CALL" {
					names = append(names, k)
				}
			}
			names = append(names, dotted.FindAllString(text, -1)...)
		}
		out[p.gen] = names
	}
	return out
}

// foreign are the names of other generations that gen's servers lack.
func foreign(all map[generation.Gen][]string, gen generation.Gen) []string {
	var out []string
	for g, names := range all {
		if g == gen {
			continue
		}
		for _, n := range names {
			if !slices.Contains(all[gen], n) && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}

// severalForms: a hint given before the generation was known (a TLS or
// Bolt handshake that failed before the server said what it is) names
// each generation's form after its label ("4.x: dbms.default_listen_address",
// "`server.bolt.tls_level=…` or on 4.x `dbms.connector.bolt.tls_level=…`"),
// and says which generations lack it ("(not on 3.5)").
var severalForms = regexp.MustCompile(`\b(3\.5|4\.x|5\.x|2025\.x)(, (3\.5|4\.x|5\.x|2025\.x))*: |\bor on (3\.5|4\.x|5\.x|2025\.x) |\(not on (3\.5|4\.x|5\.x|2025\.x)(, (3\.5|4\.x|5\.x|2025\.x))*\)`)

// genWant is what a scenario's hints must say on a server of a
// generation: the generation's own text of an item, in a check's hints.
type genWant struct {
	check string
	item  generation.Item
	fill  []string // placeholders to fill: "<db>", "movies"
}

var scenarioWants = map[string][]genWant{
	"localhost-advertised": {{check: "members", item: generation.BoltAdvertisedAddress}, {check: "members", item: generation.DefaultAdvertisedAddress}},
	"unreachable-member":   {{check: "members", item: generation.BoltAdvertisedAddress}},
	"port-mapping":         {{check: "members", item: generation.BoltAdvertisedAddress}},
	"disagreeing-routers":  {{check: "members", item: generation.DiscoveryEndpoints}, {check: "members", item: generation.ListServers}},
	"no-writers":           {{check: "routing", item: generation.ListServers}, {check: "routing", item: generation.Primaries}},
	"partial-outage":       {{check: "members", item: generation.ListServers}, {check: "members", item: generation.BoltAdvertisedAddress}},
	"readers-down":         {{check: "members", item: generation.ListServers}},
	"wrong-password":       {{check: "auth", item: generation.SetInitialPassword}, {check: "auth", item: generation.RecoverPassword}},
	"credentials-expired":  {{check: "auth", item: generation.ChangePassword}},
	"database-offline":     {{check: "routing", item: generation.StartDatabase, fill: []string{"<db>", "movies"}}},
	"database-not-found":   {{check: "routing", item: generation.ShowDatabases}},
}

// makesSense says whether a scenario can show on a generation what it is
// about: 3.5 has no named databases, and only 5.8+ servers name their own
// address, which is how a port mapping shows.
func makesSense(sc string, inst *scenarios.Instance, gen generation.Gen) bool {
	switch {
	case gen == generation.V35 && inst.Database != "":
		return false
	case sc == "port-mapping" && gen < generation.V5:
		return false
	}
	return true
}

// TestScenarioHintsPerGeneration runs every scenario that takes a server
// on a 3.5, 4.4, 5.26 and 2025 server, where it makes sense there, and
// holds its hints to the generation: each name they give is that
// generation's (a 4.4 server's advertised-address hint names
// dbms.connector.bolt.advertised_address, a 2025 server's discovery hint
// dbms.cluster.endpoints), and none is another generation's alone.
func TestScenarioHintsPerGeneration(t *testing.T) {
	t.Parallel()
	names := genNames()
	var mu sync.Mutex
	ran := map[string]int{}
	t.Cleanup(func() {
		// The scenarios about generations ran on each.
		for sc, want := range map[string]int{"disagreeing-routers": 4, "localhost-advertised": 4, "no-writers": 4, "wrong-password": 4, "database-offline": 3, "port-mapping": 2} {
			if ran[sc] != want {
				t.Errorf("%s ran on %d generations, want %d", sc, ran[sc], want)
			}
		}
	})
	for _, sc := range scenarios.Scenarios() {
		for _, p := range presets {
			t.Run(sc.Name+"/"+p.name, func(t *testing.T) {
				t.Parallel()
				inst, err := sc.StartOn(p.cfg())
				if errors.Is(err, scenarios.ErrOwnServer) {
					t.Skip("the scenario's server is its own")
				}
				if err != nil {
					t.Fatal(err)
				}
				defer inst.Close()
				if !makesSense(sc.Name, inst, p.gen) {
					t.Skipf("%s does not show on %s", sc.Name, p.name)
				}
				mu.Lock()
				ran[sc.Name]++
				mu.Unlock()
				rep := runScenario(t, inst)
				if g := agentGen(rep); g != p.gen && g != generation.Unknown {
					t.Fatalf("the server answered as %s, want %s", g, p.gen)
				}
				bad := foreign(names, p.gen)
				for _, s := range everything(rep) {
					if s.kind != "hint" || severalForms.MatchString(s.text) {
						continue
					}
					for _, n := range bad {
						if strings.Contains(s.text, n) && !pending(t, s.check, n, s.where) {
							t.Errorf("%s on a %s server names %q, which is not %s's:\n%s", s.where, p.name, n, p.name, s.text)
						}
					}
				}
				srv := generation.Server{Gen: p.gen}
				for _, w := range scenarioWants[sc.Name] {
					want := srv.Text(w.item)
					if want == "" {
						continue // the generation has no such thing: the hint leaves it out
					}
					want, _, _ = strings.Cut(want, " <")   // a command without its arguments
					want, _, _ = strings.Cut(want, " on ") // a statement without the note after it
					for i := 0; i+1 < len(w.fill); i += 2 {
						want = strings.ReplaceAll(want, w.fill[i], w.fill[i+1])
					}
					if !slices.ContainsFunc(everything(rep), func(s said) bool {
						return s.check == w.check && s.kind == "hint" && !strings.HasPrefix(s.where, "member ") && strings.Contains(s.text, want)
					}) {
						t.Errorf("no %s hint names %s's %s %q:\n%s", w.check, p.name, w.item, want, hintsOf(rep, w.check))
					}
				}
			})
		}
	}
}

func hintsOf(rep *checks.Report, id string) string {
	for _, r := range rep.Checks {
		if r.ID == id {
			return fmt.Sprintf("%s: %s\n  %s", r.Status, r.Summary, strings.Join(r.Hints, "\n  "))
		}
	}
	return "(no " + id + " check)"
}
