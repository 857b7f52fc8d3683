// Command neo4j-doctor diagnoses why a Neo4j driver cannot connect: it walks
// DNS, TCP, TLS, the Bolt handshake, authentication, the routing table and
// every cluster member, and says what failed, the evidence, and the fix.
//
// The command line lives in internal/cli.
package main

import (
	"os"

	"github.com/neo4j-doctor/neo4j-doctor/internal/cli"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

func main() {
	os.Exit(cli.Run(os.Args, report.NewStreams(os.Stdout, os.Stderr), os.Getenv))
}
