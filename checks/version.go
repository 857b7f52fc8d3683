package checks

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/generation"
)

var versionCheck = Check{
	ID: "version", Title: "versions", Needs: []string{"bolt"}, After: []string{"auth"},
	Doc: "the negotiated Bolt version, every version the server offers (handshake manifest), the server's release",
	Codes: []Code{
		{ID: "version.end_of_life", Doc: "the server speaks only Bolt older than 4.4: a Neo4j release at end of life, which current drivers no longer speak"},
		{ID: "version.out_of_support", Doc: "the server is Neo4j 4.4, out of support since November 2025"},
	},
	Run: checkVersion,
}

// checkVersion judges the negotiated Bolt version and the server's release.
// It runs after auth only because the server's agent string arrives in
// HELLO's answer.
func checkVersion(_ context.Context, r *Run) Result {
	return judgeVersion(r.T, r.s.hs, r.hello)
}

// judgeVersion reads the handshake's outcome and HELLO's answer (nil when
// the login did not run). The summary names the release when the server
// named it, and says what is wrong with it; the upgrade path is the
// server's generation's (generation.UpgradePath).
func judgeVersion(t *Target, hs bolt.HandshakeResult, hello *bolt.HelloResult) Result {
	res := Result{Status: Pass}
	// The summary says the version (and the agent): the facts are for
	// --verbose.
	res.Facts = append(res.Facts, Fact{Name: "bolt", Value: hs.Version.String(), Verbose: true})
	if hs.Manifest {
		res.Facts = append(res.Facts, Fact{Name: "offered by the server", Value: lowToHigh(hs.Offered)})
	}
	agent := ""
	if hello != nil {
		agent = hello.Server
		if hello.ProtocolVersion != "" {
			res.Facts = append(res.Facts, Fact{Name: "protocol_version", Value: hello.ProtocolVersion})
		}
	}
	release := neo4jRelease(agent)
	if agent != "" {
		res.Facts = append(res.Facts, Fact{Name: "server agent", Value: agent, Verbose: true})
	}
	res.Summary = fmt.Sprintf("Bolt %s", hs.Version)
	if agent != "" {
		res.Summary += ", " + agent
	}
	srv := t.server(agent, hs.Version)
	// named is the release as people write it ("Neo4j 3.5.35"), when the
	// server gave one.
	named := ""
	if generation.FromAgent(agent) != generation.Unknown {
		named = strings.Replace(strings.TrimSpace(agent), "/", " ", 1)
	}
	v := hs.Version
	switch {
	case v.Major < 4 || v.Major == 4 && v.Minor < 4:
		res.raise(Warn, "version.end_of_life")
		if named != "" {
			res.Summary = fmt.Sprintf("%s is at end of life: 6.x drivers do not speak Bolt %s", named, v)
		} else {
			res.Summary = fmt.Sprintf("Bolt %s: a Neo4j release at end of life (4.3 or older), which 6.x drivers do not speak", v)
			if srv.OrLater {
				// Bolt 3 alone says 3.5, or a 4.0 or 4.1 offered neither
				// of theirs: both go the way through 4.4 that 3.5 goes.
				srv = generation.Server{Gen: srv.Gen, Aura: srv.Aura}
			}
		}
		// The path is the action: "3.5 cannot go straight to ...: migrate
		// to 4.4 first, then ...".
		res.Hints = append(res.Hints, srv.Text(generation.UpgradePath))
	case release.major == 4:
		res.raise(Warn, "version.out_of_support")
		who := named
		if who == "" {
			who = agent
		}
		res.Summary = who + " is out of support: 4.4 left support in November 2025"
		res.Hints = append(res.Hints, srv.Text(generation.UpgradePath))
	}
	if release.major >= 5 || release.major == 0 && v.Major >= 5 {
		res.Facts = append(res.Facts, Fact{Name: "driver support", Value: "spoken by every current Neo4j driver"})
	}
	return res
}

// lowToHigh writes Bolt version ranges as people read them, each low to
// high and the lowest first: "4.0–4.4, 5.0–5.4, 5.6–5.8".
func lowToHigh(ranges []bolt.Range) string {
	type span struct{ major, low, high uint8 }
	var spans []span
	for _, r := range ranges {
		if r.Major == 0xFF {
			continue // a manifest marker, not a version
		}
		low := uint8(0)
		if r.Back <= r.Minor {
			low = r.Minor - r.Back
		}
		spans = append(spans, span{r.Major, low, r.Minor})
	}
	slices.SortFunc(spans, func(a, b span) int {
		return cmp.Or(cmp.Compare(a.major, b.major), cmp.Compare(a.low, b.low))
	})
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = fmt.Sprintf("%d.%d", s.major, s.low)
		if s.high != s.low {
			out[i] += fmt.Sprintf("–%d.%d", s.major, s.high)
		}
	}
	return strings.Join(out, ", ")
}

type release struct{ major, minor int }

// neo4jRelease reads "Neo4j/5.26.0" or "Neo4j/2025.10.1" leniently (Aura
// adds suffixes such as "-aura").
func neo4jRelease(agent string) release {
	_, v, ok := strings.Cut(agent, "/")
	if !ok {
		return release{}
	}
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == '.' || r == '-' })
	var rel release
	if len(parts) > 0 {
		rel.major, _ = strconv.Atoi(parts[0])
	}
	if len(parts) > 1 {
		rel.minor, _ = strconv.Atoi(parts[1])
	}
	return rel
}
