package routing_test

import (
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

func TestLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost":           true,
		"LOCALHOST":           true,
		"localhost.":          true,
		"db.localhost":        true,
		"127.0.0.1":           true,
		"127.5.5.5":           true,
		"::1":                 true,
		"0:0:0:0:0:0:0:1":     true,
		"::ffff:127.0.0.1":    true,
		"localhost.example":   false,
		"mylocalhost":         false,
		"10.0.0.1":            false,
		"0.0.0.0":             false,
		"::":                  false,
		"db.example.com":      false,
		"":                    false,
		"128.0.0.1":           false,
		"neo4j-core-0.local":  false,
		"localhost:7687":      false, // a host, not an address, is expected
		"[::1]":               false,
		"core-0.doctor.test.": false,
	} {
		if got := routing.Loopback(host); got != want {
			t.Errorf("Loopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestPrivate(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"10.1.2.3":       true,
		"172.16.0.1":     true,
		"172.31.255.255": true,
		"192.168.1.10":   true,
		"fd00::1":        true,
		"fe80::1":        true,
		"169.254.0.5":    true,
		"172.32.0.1":     false,
		"8.8.8.8":        false,
		"127.0.0.1":      false,
		"2001:db8::1":    false,
		"db.internal":    false, // a name is not an address
		"":               false,
	} {
		if got := routing.Private(host); got != want {
			t.Errorf("Private(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestSuspect(t *testing.T) {
	t.Parallel()
	cases := []struct {
		advertised, seed string
		want             string // substring; "" means not suspect
	}{
		{"localhost", "db.example.com", "loopback"},
		{"127.0.0.1", "db.example.com", "loopback"},
		{"::1", "34.1.2.3", "loopback"},
		{"LocalHost.", "db.example.com", "loopback"},
		{"localhost", "localhost", ""},
		{"localhost", "127.0.0.1", ""},
		{"127.0.0.2", "::1", ""},
		{"10.0.0.5", "34.1.2.3", "private"},
		{"192.168.1.5", "34.1.2.3", "34.1.2.3"},
		{"10.0.0.5", "10.0.0.1", ""},
		{"10.0.0.5", "127.0.0.1", ""},
		// A name seed's address is unknown here: a private member may be
		// right (VPN, same VPC), so it is not suspect on its face.
		{"10.0.0.5", "db.example.com", ""},
		{"core-1.example.com", "db.example.com", ""},
		{"core-1.internal", "34.1.2.3", ""},
	}
	for _, c := range cases {
		got := routing.Suspect(c.advertised, c.seed)
		switch {
		case c.want == "" && got != "":
			t.Errorf("Suspect(%q, %q) = %q, want not suspect", c.advertised, c.seed, got)
		case c.want != "" && !strings.Contains(got, c.want):
			t.Errorf("Suspect(%q, %q) = %q, want it to mention %q", c.advertised, c.seed, got, c.want)
		case c.want != "" && !strings.Contains(got, c.advertised):
			t.Errorf("Suspect(%q, %q) = %q should name the address", c.advertised, c.seed, got)
		}
	}
}

func TestSettings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		agent, bolt, def string
	}{
		{"Neo4j/3.5.35", "dbms.connector.bolt.advertised_address", "dbms.connectors.default_advertised_address"},
		{"Neo4j/4.0.12", "dbms.connector.bolt.advertised_address", "dbms.default_advertised_address"},
		{"Neo4j/4.4.40", "dbms.connector.bolt.advertised_address", "dbms.default_advertised_address"},
		{"Neo4j/5.26.0", "server.bolt.advertised_address", "server.default_advertised_address"},
		{"Neo4j/5.27-aura", "server.bolt.advertised_address", "server.default_advertised_address"},
		{"Neo4j/2025.10.0", "server.bolt.advertised_address", "server.default_advertised_address"},
		{"", "server.bolt.advertised_address", "server.default_advertised_address"},
		{"Memgraph/2.0", "server.bolt.advertised_address", "server.default_advertised_address"},
	}
	for _, c := range cases {
		b, d := routing.Settings(c.agent)
		if b != c.bolt || d != c.def {
			t.Errorf("Settings(%q) = %q, %q; want %q, %q", c.agent, b, d, c.bolt, c.def)
		}
	}
}
