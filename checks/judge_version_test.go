package checks

import (
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
)

func TestJudgeVersion(t *testing.T) {
	hs := func(major, minor uint8) bolt.HandshakeResult {
		return bolt.HandshakeResult{Version: bolt.Version{Major: major, Minor: minor}}
	}
	agent := func(s string) *bolt.HelloResult { return &bolt.HelloResult{Server: s} }
	cases := []struct {
		name  string
		hs    bolt.HandshakeResult
		hello *bolt.HelloResult
		want  outcomeWant
	}{
		{"5.26", hs(5, 8), agent("Neo4j/5.26.0"),
			outcomeWant{Pass, "", "Bolt 5.8, Neo4j/5.26.0", ""}},
		{"calendar release on aura", hs(5, 8), agent("Neo4j/2025.10.1-aura"),
			outcomeWant{Pass, "", "Bolt 5.8, Neo4j/2025.10.1-aura", ""}},
		{"no login", hs(5, 4), nil,
			outcomeWant{Pass, "", "Bolt 5.4", ""}},
		{"4.4", hs(4, 4), agent("Neo4j/4.4.40"),
			outcomeWant{Warn, "version.out_of_support", "Bolt 4.4, Neo4j/4.4.40", "Neo4j 4.4 left support in November 2025"}},
		{"4.3", hs(4, 3), agent("Neo4j/4.3.24"),
			outcomeWant{Warn, "version.end_of_life", "Bolt 4.3, Neo4j/4.3.24", "Bolt 4.3 means a Neo4j server at end of life"}},
		{"3.5", hs(3, 0), agent("Neo4j/3.5.35"),
			outcomeWant{Warn, "version.end_of_life", "Bolt 3.0, Neo4j/3.5.35", "current 6.x drivers no longer speak it"}},
		{"old bolt without agent", hs(4, 2), nil,
			outcomeWant{Warn, "version.end_of_life", "Bolt 4.2", "end of life"}},
	}
	var wants []outcomeWant
	for _, c := range cases {
		wants = append(wants, c.want)
		t.Run(c.name, func(t *testing.T) {
			c.want.match(t, versionCheck, judgeVersion(c.hs, c.hello))
		})
	}
	coverCodes(t, versionCheck, wants)
}
