package checks

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"
)

// TestTLSCertificateLastDay (issue 13): a real handshake with a
// certificate that expires in 23 hours reads "for 23 more hours" and
// "expires in 23 hours", not 0 days.
func TestTLSCertificateLastDay(t *testing.T) {
	root, err := certs.NewCA("last day root")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := root.Leaf(certs.LeafOptions{DNSNames: []string{tlsHost}, NotAfter: time.Now().Add(23*time.Hour + 30*time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	served := make(chan struct{})
	go func() {
		defer close(served)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_ = tls.Server(c, certs.ServerConfig(leaf)).Handshake()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	target := &Target{Scheme: "bolt+s", TLS: TLSVerify, Host: tlsHost, Port: DefaultPort, Timeout: 5 * time.Second}
	tc, info, err := tlsprobe.Probe(ctx, raw, tlsprobe.Config{ServerName: tlsHost, Roots: root.Pool(), Timeout: target.Timeout})
	if tc != nil {
		_ = tc.Close()
	}
	<-served
	res := judgeTLS(target, false, target.server("", bolt.Version{}), info, err)
	outcomeWant{Warn, "tls.expiring_soon", "TLS 1.3, certificate valid for " + tlsHost + " for 23 more hours", "expires in 23 hours ("}.match(t, tlsCheck, res)
	for _, s := range append([]string{res.Summary}, res.Hints...) {
		if strings.Contains(s, "0 more days") || strings.Contains(s, "0 days") {
			t.Errorf("%q counts days on the last day", s)
		}
	}
}
