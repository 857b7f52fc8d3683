// Package generation is the one place a hint takes Neo4j's vocabulary
// from: setting names, Cypher statements, procedures, shell commands,
// privileges and words, each as the server's generation spells it, and
// what an Aura user does instead of server configuration.
//
// # Usage, for the checks
//
// Build a Server once per target, from what the checks already know:
//
//	srv := generation.Detect(t.Host, hello.Server, hs.Version)
//
// then ask it for each name a hint needs, never writing the name yourself:
//
//	srv.Text(generation.ListServers)                // "SHOW SERVERS", or "CALL dbms.cluster.overview()" on 4.x
//	srv.Set(generation.BoltAdvertisedAddress, "<host>:<port>") // "server.bolt.advertised_address=<host>:<port>"
//	srv.Lookup(generation.LiftQuarantine).Doc       // where the text was checked
//
// Rules of the table:
//   - Text returns "" when the server's generation lacks the thing
//     (SHOW SERVERS before 5.0, START DATABASE on 3.5): leave that hint
//     out, or take the item the table offers instead.
//   - When the generation is not known for sure (Unknown, or OrLater from
//     the Bolt version alone) the text names every form, the newest first:
//     "server.bolt.advertised_address (4.x: dbms.connector.bolt.advertised_address)".
//     Use Set for "name=value", never Text(...)+"=value", so that each
//     form carries its value.
//   - On Aura (Server.Aura) an item may have a replacement: Lookup(...).Aura
//     is then true and Text is a whole instruction ("resume the instance
//     ..."), not a name to put into a sentence about neo4j.conf. Give it
//     as a hint of its own.
//   - Placeholders in angle brackets are for the caller to fill or leave:
//     <db> a database name, <role> a role, <user> a user name, <id> a
//     server id as SHOW SERVERS gives it, <password>, <old> and <new>
//     passwords, <policy> the SSL policy bolt.ssl_policy names (3.5),
//     <provider> the name of an OIDC provider in the server's settings.
//     Quote a database name in Cypher as Cypher needs it.
//   - Each entry names the documentation page it was checked against
//     (Say.Doc): a new entry needs one too, and the tests insist.
package generation

import (
	"strconv"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/internal/aura"
)

// Gen is a Neo4j server generation: the releases that share one
// vocabulary of settings, procedures and commands.
type Gen uint8

const (
	Unknown Gen = iota // not known: texts name the 4.x and the current forms
	V35                // 3.5 (and the 3.x before it, which no current driver reaches)
	V4                 // 4.0-4.4; the texts are 4.4's, the only 4.x still seen
	V5                 // 5.0-5.26
	V2025              // 2025.01 and every later CalVer release
	numGens
)

func (g Gen) String() string {
	switch g {
	case V35:
		return "3.5"
	case V4:
		return "4.x"
	case V5:
		return "5.x"
	case V2025:
		return "2025.x"
	}
	return "unknown"
}

// FromAgent reads the generation from a server agent as HELLO's SUCCESS
// gives it: "Neo4j/5.26.0", "Neo4j/2025.10.1", "Neo4j/4.4.40",
// "Neo4j/3.5.35", or Aura's "Neo4j/5.27-aura". Anything else, including
// servers that only borrow the name ("Neo4j/v5.11.0 compatible ... -
// Memgraph"), is Unknown.
func FromAgent(agent string) Gen {
	product, version, ok := strings.Cut(strings.TrimSpace(agent), "/")
	if !ok || !strings.EqualFold(product, "Neo4j") {
		return Unknown
	}
	end := strings.IndexFunc(version, func(r rune) bool { return r < '0' || r > '9' })
	if end == -1 {
		end = len(version)
	}
	if end == 0 || end < len(version) && version[end] != '.' && version[end] != '-' {
		return Unknown
	}
	major, err := strconv.Atoi(version[:end])
	if err != nil {
		return Unknown
	}
	switch {
	case major == 3:
		return V35
	case major == 4:
		return V4
	case major == 5:
		return V5
	case major >= 2025:
		return V2025
	}
	return Unknown
}

// FromBolt is the fallback when the agent is unknown (the login failed
// before the server named itself): the generation the negotiated Bolt
// version points to, and whether it points to that one alone.
//
// It assumes the client offered the newest versions it speaks, as
// bolt.DefaultProposals do (or bolt.LegacyProposals after those were
// refused): a server answers with the newest version both sides speak.
//   - 6.x: only 2025.10 and later speak it. Sure.
//   - 5.7 and 5.8: 5.26 and every 2025.x. V5, not sure.
//   - 5.0-5.6: 5.0-5.25 (a 2025.x server would have taken 5.7 or newer). Sure.
//   - 4.x: a 4.x server. Sure.
//   - 3: 3.5, or a 4.0 or 4.1 server that was offered neither 4.0 nor 4.1
//     (their only Bolt 4 versions). V35, not sure.
//   - 1 and 2: 3.4 or older, whose names are 3.5's as far as this table
//     goes. V35, sure as far as it matters.
//
// The zero version (no handshake) gives Unknown.
func FromBolt(v bolt.Version) (g Gen, sure bool) {
	switch {
	case v.Major >= 6:
		return V2025, true
	case v.Major == 5 && v.Minor >= 7:
		return V5, false
	case v.Major == 5:
		return V5, true
	case v.Major == 4:
		return V4, true
	case v.Major == 3:
		return V35, false
	case v.Major >= 1:
		return V35, true
	}
	return Unknown, false
}

// Server is what a hint needs to know about the server it is for.
type Server struct {
	Gen Gen
	// OrLater: Gen is only the oldest generation the server can be (the
	// Bolt version gave a floor, not a release); texts name the later
	// generations' forms too.
	OrLater bool
	// Aura: the target is an Aura instance (<id>.databases.neo4j.io);
	// its users cannot edit neo4j.conf or manage servers, and items with
	// an Aura replacement say what they can do instead.
	Aura bool
}

// Detect builds the Server for a target host (as typed, port allowed),
// the agent the server gave ("" when it gave none) and the negotiated
// Bolt version (zero when there was no handshake).
func Detect(host, agent string, v bolt.Version) Server {
	s := Server{Gen: FromAgent(agent), Aura: aura.IsHost(host)}
	if s.Gen == Unknown {
		var sure bool
		s.Gen, sure = FromBolt(v)
		s.OrLater = !sure && s.Gen != Unknown
	}
	return s
}

func (s Server) String() string {
	var b strings.Builder
	b.WriteString(s.Gen.String())
	if s.OrLater {
		b.WriteString(" or later")
	}
	if s.Aura {
		b.WriteString(", Aura")
	}
	return b.String()
}

// candidates are the generations a text must cover, newest first.
func (s Server) candidates() []Gen {
	if s.Gen == Unknown || s.Gen >= numGens {
		return []Gen{V2025, V5, V4}
	}
	last := s.Gen
	if s.OrLater {
		last = V2025
	}
	var gens []Gen
	for g := last; g >= s.Gen; g-- {
		gens = append(gens, g)
	}
	return gens
}

// Say is the answer for one item on one server.
type Say struct {
	// Text is what the hint says: a name, a statement, a command, or
	// (Aura) a whole instruction; "" when the server has no such thing.
	Text string
	// Doc is the page Text was checked against (for a text that names
	// several generations' forms, the newest one's).
	Doc string
	// Aura: Text is Aura's replacement, an instruction to give as a hint
	// of its own rather than a name to put into one.
	Aura bool
}

// Lookup is an item's text for the server, with where it was checked.
func (s Server) Lookup(it Item) Say {
	return s.say(it, func(e *entry) string { return e.text })
}

// Text is Lookup(it).Text: the item's text for the server, "" when the
// server's generation has no such thing.
func (s Server) Text(it Item) string {
	return s.Lookup(it).Text
}

// Set is "name=value" for a setting item, one such pair per form the
// server may need; on Aura, the replacement instruction. For items that
// are not settings it is Text.
func (s Server) Set(it Item, value string) string {
	if it.Kind() != Setting {
		return s.Text(it)
	}
	return s.say(it, func(e *entry) string { return e.text + "=" + value }).Text
}

func (s Server) say(it Item, form func(*entry) string) Say {
	if int(it) >= len(table) {
		return Say{}
	}
	row := &table[it]
	if s.Aura && row.aura != nil {
		if row.aura.text == "" {
			return Say{}
		}
		return Say{Text: row.aura.render(row.aura.text), Doc: row.aura.doc, Aura: true}
	}
	type group struct {
		text string
		gens []Gen
	}
	var groups []group
	var absent []Gen
	doc := ""
	for _, g := range s.candidates() {
		e := row.gens[g]
		if e == nil {
			absent = append(absent, g)
			continue
		}
		t := e.render(form(e))
		if doc == "" {
			doc = e.doc
		}
		found := false
		for i := range groups {
			if groups[i].text == t {
				groups[i].gens = append(groups[i].gens, g)
				found = true
				break
			}
		}
		if !found {
			groups = append(groups, group{text: t, gens: []Gen{g}})
		}
	}
	if len(groups) == 0 {
		return Say{}
	}
	var others []string
	for _, gr := range groups[1:] {
		others = append(others, labels(gr.gens)+": "+gr.text)
	}
	if len(absent) > 0 {
		others = append(others, "not on "+labels(absent))
	}
	text := groups[0].text
	if len(others) > 0 {
		text += " (" + strings.Join(others, "; ") + ")"
	}
	return Say{Text: text, Doc: doc}
}

func labels(gens []Gen) string {
	names := make([]string, len(gens))
	for i, g := range gens {
		names[i] = g.String()
	}
	return strings.Join(names, ", ")
}
