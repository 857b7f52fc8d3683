// Command neo4j-doctor diagnoses why a Neo4j driver cannot connect: it walks
// DNS, TCP, TLS, the Bolt handshake, authentication, the routing table and
// every cluster member, and says what failed, the evidence, and the fix.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr, os.Getenv))
}
