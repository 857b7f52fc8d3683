package routing

import (
	"fmt"
	"net"
	"strings"
)

// Loopback reports whether host names this machine only: localhost,
// 127.0.0.0/8 or ::1.
func Loopback(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Private reports whether host is an IP address that only a private
// network can reach (RFC 1918, ULA, link-local).
func Private(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsPrivate() || ip.IsLinkLocalUnicast())
}

// Settings names the server settings that decide advertised addresses,
// for the server generation the agent names.
func Settings(agent string) (bolt, defaultAddr string) {
	if strings.HasPrefix(agent, "Neo4j/3.") {
		return "dbms.connector.bolt.advertised_address", "dbms.connectors.default_advertised_address"
	}
	if strings.HasPrefix(agent, "Neo4j/4.") {
		return "dbms.connector.bolt.advertised_address", "dbms.default_advertised_address"
	}
	return "server.bolt.advertised_address", "server.default_advertised_address"
}

// Suspect says why an advertised address cannot be right for a client that
// reached the cluster at seedHost, or "" when nothing is wrong on its face.
func Suspect(advertisedHost, seedHost string) string {
	switch {
	case Loopback(advertisedHost) && !Loopback(seedHost):
		return fmt.Sprintf("%s is a loopback address: every client reaches itself there, not the server", advertisedHost)
	case Private(advertisedHost) && !Private(seedHost) && !Loopback(seedHost) && net.ParseIP(seedHost) != nil:
		return fmt.Sprintf("%s is a private address, but the client reached the server at public address %s", advertisedHost, seedHost)
	}
	return ""
}
