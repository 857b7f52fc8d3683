package aura

import "testing"

func TestInstanceID(t *testing.T) {
	for host, want := range map[string]string{
		"0a1b2c3d.databases.neo4j.io":      "0a1b2c3d",
		"0A1B2C3D.Databases.Neo4j.IO.":     "0a1b2c3d",
		"0a1b2c3d.databases.neo4j.io:7687": "0a1b2c3d",
		"databases.neo4j.io":               "",
		".databases.neo4j.io":              "",
		"0a1b2c3d.databases.neo4j.io.evil": "",
		"evil-databases.neo4j.io":          "",
		"localhost":                        "",
		"[::1]:7687":                       "",
		"x.y.databases.neo4j.io":           "x.y",
	} {
		if got := InstanceID(host); got != want {
			t.Errorf("InstanceID(%q) = %q, want %q", host, got, want)
		}
		if got := IsHost(host); got != (want != "") {
			t.Errorf("IsHost(%q) = %v", host, got)
		}
	}
}
