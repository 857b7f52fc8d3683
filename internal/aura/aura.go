// Package aura knows Neo4j Aura by its host names: <id>.databases.neo4j.io.
package aura

import (
	"net"
	"strings"
)

// Suffix is the DNS suffix every Aura instance's host name ends with.
const Suffix = ".databases.neo4j.io"

// IsHost reports whether host (a name, optionally with a port or a
// trailing dot, in any case) is an Aura instance's: <id>.databases.neo4j.io.
func IsHost(host string) bool {
	return InstanceID(host) != ""
}

// InstanceID is the instance id an Aura host name carries, lower-cased;
// "" when host is not an Aura host.
func InstanceID(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	id, ok := strings.CutSuffix(host, Suffix)
	if !ok || id == "" {
		return ""
	}
	return id
}
