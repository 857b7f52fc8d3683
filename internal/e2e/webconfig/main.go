// Command webconfig writes what scripts/e2e-prometheus.sh needs to serve
// over TLS with basic auth: a new CA (ca.pem), a certificate for
// 127.0.0.1 it issued (cert.pem, key.pem), and web.yml, Prometheus's web
// configuration naming them with one user, prometheus, whose bcrypt hash
// is of the password in -password-file. Nothing is printed; the password
// never leaves its file.
//
//	go run ./internal/e2e/webconfig -dir DIR -password-file FILE
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
)

func main() {
	dir := flag.String("dir", "", "directory to write ca.pem, cert.pem, key.pem and web.yml into")
	pwFile := flag.String("password-file", "", "file holding the password of user prometheus")
	flag.Parse()
	if err := run(*dir, *pwFile); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(dir, pwFile string) error {
	if dir == "" || pwFile == "" {
		return fmt.Errorf("usage: webconfig -dir DIR -password-file FILE")
	}
	pw, err := os.ReadFile(pwFile)
	if err != nil {
		return err
	}
	password := strings.TrimSpace(string(pw))
	if password == "" {
		return fmt.Errorf("%s is empty", pwFile)
	}
	ca, err := certs.NewCA("neo4j-doctor e2e CA")
	if err != nil {
		return err
	}
	leaf, err := ca.Leaf(certs.LeafOptions{CommonName: "127.0.0.1", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		return err
	}
	certFile, keyFile, _, err := leaf.WriteFiles(dir)
	if err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	web := fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  prometheus: '%s'\n", certFile, keyFile, hash)
	return os.WriteFile(filepath.Join(dir, "web.yml"), []byte(web), 0o600)
}
