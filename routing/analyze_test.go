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

func TestPublic(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"34.1.2.3":     true,
		"2a00:1450::1": true,
		"10.0.0.1":     false,
		"192.168.1.1":  false,
		"127.0.0.1":    false,
		"169.254.1.1":  false,
		"100.64.0.1":   false, // carrier-grade NAT, Tailscale
		"100.127.1.1":  false,
		"100.128.0.1":  true,
		"0.0.0.0":      false,
		"224.0.0.1":    false,
		"fd00::1":      false,
		"db.example":   false,
	} {
		if got := routing.Public(host); got != want {
			t.Errorf("Public(%q) = %v, want %v", host, got, want)
		}
	}
}

// A seed typed as a name tells nothing about public or private; the
// address that answered does.
func TestSuspectAt(t *testing.T) {
	t.Parallel()
	cases := []struct {
		advertised, seed, answered string
		want                       string // substring; "" = not suspect
	}{
		{"10.0.0.5", "db.example.com", "34.1.2.3", "public address 34.1.2.3"},
		{"172.17.0.2", "db.example.com", "34.1.2.3", "private"}, // a Docker bridge address
		{"fe80::1", "db.example.com", "2a00:1450::1", "private"},
		{"10.0.0.5", "db.example.com", "10.0.0.1", ""},   // same private network: fine
		{"10.0.0.5", "db.example.com", "100.64.0.9", ""}, // over a VPN: fine
		{"10.0.0.5", "db.example.com", "", ""},
		{"10.0.0.5", "34.1.2.3", "34.1.2.3", "public address 34.1.2.3"},
		{"localhost", "db.example.com", "127.0.0.1", "loopback"}, // a tunnel: still wrong for every other client
		{"localhost", "localhost", "127.0.0.1", ""},
		{"db-1.example.com", "db.example.com", "34.1.2.3", ""},
	}
	for _, c := range cases {
		got := routing.SuspectAt(c.advertised, c.seed, c.answered)
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("SuspectAt(%q, %q, %q) = %q, want %q", c.advertised, c.seed, c.answered, got, c.want)
		}
	}
}
