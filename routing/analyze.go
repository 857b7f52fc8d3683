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

// Public reports whether host is an IP address of the public internet:
// global unicast, and neither private, link-local nor the carrier-grade
// NAT range 100.64.0.0/10 that VPNs such as Tailscale use.
func Public(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsGlobalUnicast() && !ip.IsPrivate() && !sharedAddressSpace.Contains(ip)
}

var sharedAddressSpace = &net.IPNet{IP: net.IPv4(100, 64, 0, 0).To4(), Mask: net.CIDRMask(10, 32)}

// Suspect says why an advertised address cannot be right for a client that
// reached the cluster at seedHost, or "" when nothing is wrong on its face.
func Suspect(advertisedHost, seedHost string) string {
	return SuspectAt(advertisedHost, seedHost, "")
}

// SuspectAt is Suspect when the IP address that answered is known as well:
// a seed typed as a name that resolved to a public address makes a
// private advertised address as suspect as a seed typed as that address.
func SuspectAt(advertisedHost, seedHost, answeredIP string) string {
	reached := seedHost
	if net.ParseIP(seedHost) == nil && answeredIP != "" {
		reached = answeredIP
	}
	switch {
	case Loopback(advertisedHost) && !Loopback(seedHost):
		return fmt.Sprintf("%s is a loopback address: every client reaches itself there, not the server", advertisedHost)
	case Private(advertisedHost) && Public(reached):
		return fmt.Sprintf("%s is a private address, but the client reached the server at public address %s", advertisedHost, reached)
	}
	return ""
}
