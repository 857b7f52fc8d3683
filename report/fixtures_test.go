package report

import (
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// Hand-made reports, shaped like what checks.Resolve and the runner
// produce, with a fixed clock so the goldens never move.

var started = time.Date(2025, 3, 14, 9, 26, 53, 589_793_000, time.UTC)

const ms = time.Millisecond

func fact(kv ...string) []checks.Fact {
	var fs []checks.Fact
	for i := 0; i+1 < len(kv); i += 2 {
		fs = append(fs, checks.Fact{Name: kv[i], Value: kv[i+1]})
	}
	return fs
}

// healthyReport: an Aura instance from a downloaded connection file, every
// check passing, one member that is also the router.
func healthyReport() *checks.Report {
	const file = "Neo4j-0a1b2c3d-Created-2025-03-01.txt"
	return &checks.Report{
		Target: checks.TargetInfo{
			URI: "neo4j+s://0a1b2c3d.databases.neo4j.io", Scheme: "neo4j+s",
			Host: "0a1b2c3d.databases.neo4j.io", Port: 7687,
			Username: "neo4j", PasswordSource: file + " NEO4J_PASSWORD",
			Settings: map[string]checks.Setting{
				"uri":      {Value: "neo4j+s://0a1b2c3d.databases.neo4j.io", Source: "file", From: file + " NEO4J_URI"},
				"username": {Value: "neo4j", Source: "file", From: file + " NEO4J_USERNAME"},
				"password": {Source: "file", From: file + " NEO4J_PASSWORD"},
			},
			Resolver: "system", AuraInstance: "0a1b2c3d",
		},
		Started:  started,
		Duration: 412*ms + 345*time.Microsecond,
		Verdict:  checks.Pass,
		ExitCode: checks.ExitHealthy,
		Checks: []checks.Result{
			{ID: "config", Title: "Configuration", Status: checks.Pass, Summary: "uri, user and password from " + file,
				Duration: 180 * time.Microsecond},
			{ID: "dns", Title: "DNS", Status: checks.Pass, Summary: "0a1b2c3d.databases.neo4j.io resolved to 1 address",
				Duration: 8*ms + 120*time.Microsecond, Facts: fact("addresses", "34.78.12.9")},
			{ID: "tcp", Title: "TCP", Status: checks.Pass, Summary: "connected to 34.78.12.9:7687",
				Duration: 21 * ms, Facts: fact("address", "34.78.12.9:7687", "connect", "21ms")},
			{ID: "tls", Title: "TLS", Status: checks.Pass, Summary: "TLS 1.3, certificate valid for 61 more days",
				Duration: 44 * ms,
				Facts: fact("version", "TLS 1.3", "cipher", "TLS_AES_128_GCM_SHA256",
					"subject", "CN=*.databases.neo4j.io", "issuer", "CN=R11,O=Let's Encrypt,C=US",
					"expires", "2025-05-14T08:00:00Z"),
				Evidence: fact("sha256", "3f:9a:...:c2")},
			{ID: "bolt", Title: "Bolt handshake", Status: checks.Pass, Summary: "bolt 5.7 agreed",
				Duration: 19 * ms, Facts: fact("protocol", "5.7"),
				Evidence: fact("handshake reply", "00 00 07 05")},
			{ID: "version", Title: "Server version", Status: checks.Pass, Summary: "Neo4j/5.27-aura, enterprise",
				Duration: 1 * ms, Facts: fact("agent", "Neo4j/5.27-aura", "edition", "enterprise")},
			{ID: "auth", Title: "Authentication", Status: checks.Pass, Summary: "logged in as neo4j (basic)",
				Duration: 96 * ms},
			{ID: "routing", Title: "Routing table", Status: checks.Pass, Summary: "1 router, 1 writer, 1 reader for home database neo4j",
				Duration: 37 * ms, Facts: fact("database", "neo4j", "ttl", "10s")},
			{ID: "members", Title: "Members", Status: checks.Pass, Summary: "1 member reachable",
				Duration: 88 * ms},
			{ID: "query", Title: "Query", Status: checks.Pass, Summary: "RETURN 1 answered",
				Duration: 52 * ms},
		},
		Members: []checks.Member{{
			Address: "0a1b2c3d.databases.neo4j.io:7687", Roles: []string{"ROUTE", "WRITE", "READ"}, Status: checks.Pass,
			Checks: []checks.Result{
				{ID: "tcp", Title: "TCP", Status: checks.Pass, Summary: "connected to 34.78.12.9:7687", Duration: 20 * ms},
				{ID: "tls", Title: "TLS", Status: checks.Pass, Summary: "TLS 1.3", Duration: 41 * ms},
				{ID: "auth", Title: "Authentication", Status: checks.Pass, Summary: "logged in as neo4j", Duration: 27 * ms},
			},
		}},
	}
}

// failingReport: a local server reached, the password wrong; routing,
// members and query depend on auth and are skipped.
func failingReport() *checks.Report {
	return &checks.Report{
		Target: checks.TargetInfo{
			URI: "bolt://localhost:7687", Scheme: "bolt", Host: "localhost", Port: 7687,
			Username: "neo4j", PasswordSource: "NEO4J_PASSWORD", Database: "movies",
			Settings: map[string]checks.Setting{
				"uri":      {Value: "bolt://localhost:7687", Source: "flag", From: "--uri"},
				"username": {Value: "neo4j", Source: "env", From: "NEO4J_USERNAME"},
				"password": {Source: "env", From: "NEO4J_PASSWORD"},
				"database": {Value: "movies", Source: "flag", From: "--database"},
			},
			Resolver: "system",
		},
		Started:  started,
		Duration: 1234 * ms,
		Verdict:  checks.Fail,
		ExitCode: checks.ExitFailed,
		Checks: []checks.Result{
			{ID: "config", Title: "Configuration", Status: checks.Pass, Summary: "uri from --uri, user and password from the environment",
				Duration: 90 * time.Microsecond},
			{ID: "dns", Title: "DNS", Status: checks.Pass, Summary: "localhost resolved to 2 addresses",
				Duration: 300 * time.Microsecond, Facts: fact("addresses", "127.0.0.1, ::1")},
			{ID: "tcp", Title: "TCP", Status: checks.Pass, Summary: "connected to 127.0.0.1:7687",
				Duration: 400 * time.Microsecond},
			{ID: "tls", Title: "TLS", Status: checks.Skip, Summary: "skipped: bolt:// does not use TLS"},
			{ID: "bolt", Title: "Bolt handshake", Status: checks.Pass, Summary: "bolt 5.4 agreed",
				Duration: 2 * ms, Facts: fact("protocol", "5.4")},
			{ID: "version", Title: "Server version", Status: checks.Pass, Summary: "Neo4j/5.20.0, community",
				Duration: 1 * ms, Facts: fact("agent", "Neo4j/5.20.0", "edition", "community")},
			{ID: "auth", Title: "Authentication", Status: checks.Fail, Summary: "the server rejected user neo4j",
				Duration: 1100 * ms,
				Evidence: fact("code", "Neo.ClientError.Security.Unauthorized",
					"message", "The client is unauthorized due to authentication failure."),
				Hints: []string{
					"check NEO4J_PASSWORD: it is the password the server rejected",
					"to reset it, run `neo4j-admin dbms set-initial-password` while the server is stopped",
				},
				Error: "auth: Neo.ClientError.Security.Unauthorized"},
			{ID: "routing", Title: "Routing table", Status: checks.Skip, Summary: "skipped: needs auth"},
			{ID: "members", Title: "Members", Status: checks.Skip, Summary: "skipped: needs routing"},
			{ID: "query", Title: "Query", Status: checks.Skip, Summary: "skipped: needs auth"},
		},
		Members: []checks.Member{},
	}
}

// clusterReport: a three-member cluster reached through a DNS name; one
// member advertised in the routing table refuses connections, so members
// warns, the verdict is warn and the exit code 0.
func clusterReport() *checks.Report {
	member := func(addr string, roles ...string) checks.Member {
		return checks.Member{Address: addr, Roles: roles, Status: checks.Pass, Checks: []checks.Result{
			{ID: "tcp", Title: "TCP", Status: checks.Pass, Summary: "connected", Duration: 2 * ms},
			{ID: "bolt", Title: "Bolt handshake", Status: checks.Pass, Summary: "bolt 5.7 agreed", Duration: 3 * ms,
				Facts: fact("protocol", "5.7")},
			{ID: "auth", Title: "Authentication", Status: checks.Pass, Summary: "logged in as app", Duration: 30 * ms},
		}}
	}
	dead := checks.Member{
		Address: "core-3.graph.internal:7687", Roles: []string{"READ"}, Status: checks.Fail,
		Checks: []checks.Result{
			{ID: "tcp", Title: "TCP", Status: checks.Fail, Summary: "connection refused by 10.0.4.13:7687",
				Duration: 1 * ms,
				Evidence: fact("address", "10.0.4.13:7687", "errno", "ECONNREFUSED"),
				Hints: []string{
					"the routing table advertises core-3.graph.internal:7687 but nothing listens there: check server.bolt.advertised_address on that server",
				},
				Error: "dial tcp 10.0.4.13:7687: connect: connection refused"},
			{ID: "bolt", Title: "Bolt handshake", Status: checks.Skip, Summary: "skipped: needs tcp"},
			{ID: "auth", Title: "Authentication", Status: checks.Skip, Summary: "skipped: needs bolt"},
		},
	}
	return &checks.Report{
		Target: checks.TargetInfo{
			URI: "neo4j://graph.internal:7687", Scheme: "neo4j", Host: "graph.internal", Port: 7687,
			Username: "app", PasswordSource: "--password", Database: "",
			Settings: map[string]checks.Setting{
				"uri":      {Value: "neo4j://graph.internal:7687", Source: "env", From: "NEO4J_URI"},
				"username": {Value: "app", Source: "flag", From: "--username"},
				"password": {Source: "flag", From: "--password"},
				"ca-file":  {Value: "/etc/neo4j/ca.pem", Source: "flag", From: "--ca-file"},
				"timeout":  {Value: "5s", Source: "default"},
			},
			Resolver: "10.0.0.2:53",
		},
		Started:  started,
		Duration: 2*time.Second + 71*ms,
		Verdict:  checks.Warn,
		ExitCode: checks.ExitHealthy,
		Checks: []checks.Result{
			{ID: "config", Title: "Configuration", Status: checks.Pass, Summary: "uri from NEO4J_URI, user and password from flags",
				Duration: 100 * time.Microsecond},
			{ID: "dns", Title: "DNS", Status: checks.Pass, Summary: "graph.internal resolved to 3 addresses via 10.0.0.2:53",
				Duration: 4 * ms, Facts: fact("addresses", "10.0.4.11, 10.0.4.12, 10.0.4.13")},
			{ID: "tcp", Title: "TCP", Status: checks.Pass, Summary: "connected to 10.0.4.11:7687", Duration: 1 * ms},
			{ID: "tls", Title: "TLS", Status: checks.Skip, Summary: "skipped: neo4j:// does not use TLS"},
			{ID: "bolt", Title: "Bolt handshake", Status: checks.Pass, Summary: "bolt 5.7 agreed", Duration: 3 * ms,
				Facts:    fact("protocol", "5.7"),
				Evidence: fact("handshake reply", "00 00 07 05")},
			{ID: "version", Title: "Server version", Status: checks.Pass, Summary: "Neo4j/2025.01.0, enterprise",
				Duration: 1 * ms, Facts: fact("agent", "Neo4j/2025.01.0", "edition", "enterprise")},
			{ID: "auth", Title: "Authentication", Status: checks.Pass, Summary: "logged in as app (basic)", Duration: 33 * ms},
			{ID: "routing", Title: "Routing table", Status: checks.Pass, Summary: "2 routers, 1 writer, 2 readers for home database neo4j",
				Duration: 5 * ms, Facts: fact("database", "neo4j", "ttl", "300s")},
			{ID: "members", Title: "Members", Status: checks.Warn, Summary: "2 of 3 members reachable",
				Duration: 1980 * ms,
				Facts:    fact("reachable", "2/3"),
				Evidence: fact("unreachable", "core-3.graph.internal:7687"),
				Hints: []string{
					"drivers retry another member, so queries still work, but reads lose a replica: restart core-3 or remove it from the cluster",
				}},
			{ID: "query", Title: "Query", Status: checks.Pass, Summary: "RETURN 1 answered by core-1.graph.internal:7687",
				Duration: 9 * ms},
		},
		Members: []checks.Member{
			member("core-1.graph.internal:7687", "ROUTE", "WRITE"),
			member("core-2.graph.internal:7687", "ROUTE", "READ"),
			dead,
		},
		// What an idle probe typed (--idle-probe 5m,6m), for the JSON
		// report's idle object.
		Idle: &checks.IdleInfo{
			Server: "core-1.graph.internal:7687", Writer: true,
			Probes: []checks.IdleProbe{
				{Idle: 5 * time.Minute, Outcome: checks.IdleAnswered, After: 2 * ms},
				{Idle: 6 * time.Minute, Outcome: checks.IdleReset, After: 1 * ms},
			},
			Safe: 5 * time.Minute, Cut: 6 * time.Minute, RecvTimeout: 120 * time.Second,
		},
	}
}

var cases = []struct {
	name   string
	report func() *checks.Report
}{
	{"healthy", healthyReport},
	{"failing", failingReport},
	{"cluster", clusterReport},
}
