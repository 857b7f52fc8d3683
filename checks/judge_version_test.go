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
	target := &Target{Scheme: "neo4j", Routing: true, Host: "db.example.com", Port: DefaultPort}
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
			outcomeWant{Warn, "version.out_of_support", "Neo4j 4.4.40 is out of support: 4.4 left support in November 2025", "no 4.x goes straight to 2025.x"}},
		{"4.3", hs(4, 3), agent("Neo4j/4.3.24"),
			outcomeWant{Warn, "version.end_of_life", "Neo4j 4.3.24 is at end of life: 6.x drivers do not speak Bolt 4.3", "no 4.x goes straight to 2025.x: upgrade 4.0-4.3 to 4.4 first"}},
		{"3.5", hs(3, 0), agent("Neo4j/3.5.35"),
			outcomeWant{Warn, "version.end_of_life", "Neo4j 3.5.35 is at end of life: 6.x drivers do not speak Bolt 3.0", "3.5 cannot go straight to 5.26 or 2025.x: migrate to 4.4 first"}},
		{"bolt 3 without agent", hs(3, 0), nil,
			outcomeWant{Warn, "version.end_of_life", "Bolt 3.0: a Neo4j release at end of life (4.3 or older)", "3.5 cannot go straight to 5.26 or 2025.x: migrate to 4.4 first"}},
		{"aura", hs(4, 4), agent("Neo4j/4.4.40-aura"),
			outcomeWant{Warn, "version.out_of_support", "Neo4j 4.4.40-aura is out of support", "migrate the instance to the latest version: clone it to a new instance"}},
		{"old bolt without agent", hs(4, 2), nil,
			outcomeWant{Warn, "version.end_of_life", "Bolt 4.2: a Neo4j release at end of life", "upgrade 4.0-4.3 to 4.4 first"}},
	}
	var wants []outcomeWant
	for _, c := range cases {
		wants = append(wants, c.want)
		t.Run(c.name, func(t *testing.T) {
			tt := target
			if c.name == "aura" {
				tt = &Target{Scheme: "neo4j+s", Routing: true, TLS: TLSVerify, Host: "abcd1234.databases.neo4j.io", Port: DefaultPort}
			}
			c.want.match(t, versionCheck, judgeVersion(tt, c.hs, c.hello))
		})
	}
	coverCodes(t, versionCheck, wants)
}
