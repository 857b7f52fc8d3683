package checks_test

import (
	"context"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

// BenchmarkVersusDriver runs, on one latency fixture (20 ms one way, the
// issue's link), the official driver's VerifyConnectivity and the full
// diagnosis, pipelined and not, warm (a process that remembers the last
// diagnosis), and the diagnosis without the query check (the driver runs
// no query), and reports each in ms and as a ratio to the driver:
//
//	go test ./checks -run '^$' -bench VersusDriver -benchtime 3x
func BenchmarkVersusDriver(b *testing.B) {
	const oneWay = 20 * time.Millisecond
	for _, sc := range []struct {
		name    string
		members int // 0: a single server over bolt://
	}{{"single", 0}, {"cluster-3", 3}, {"cluster-10", 10}} {
		b.Run(sc.name, func(b *testing.B) {
			var uri string
			if sc.members == 0 {
				s, err := fixtures.Start(withUsers(fixtures.Neo4j526()))
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = s.Close() })
				uri = "bolt://" + startLatency(b, oneWay, s.Addr()).Addr()
			} else {
				uri = "neo4j://" + latencyCluster(b, sc.members, oneWay)[0].Addr()
			}
			env := &checks.Env{Version: "bench"}
			// warmEnv remembers, as serve, watch, --wait and --targets do:
			// its first diagnosis (before the timer) leaves the table.
			warmEnv := &checks.Env{Version: "bench", Memory: checks.NewMemory(nil)}
			doctorIn := func(env *checks.Env, pipelining bool, skip ...string) time.Duration {
				tt, err := checks.Resolve(checks.Inputs{Flags: map[string]string{"uri": uri, "username": testUser, "password": testPass},
					Timeout: 5 * time.Second, NoPipelining: !pipelining})
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				rep := checks.Diagnose(context.Background(), tt, env, checks.Options{Skip: skip})
				d := time.Since(start)
				if rep.ExitCode != checks.ExitHealthy {
					b.Fatalf("diagnosis: verdict %s", rep.Verdict)
				}
				return d
			}
			doctor := func(pipelining bool, skip ...string) time.Duration { return doctorIn(env, pipelining, skip...) }
			doctorIn(warmEnv, true)
			driver := func() time.Duration {
				start := time.Now()
				d, err := neo4j.NewDriverWithContext(uri, neo4j.BasicAuth(testUser, testPass, ""))
				if err != nil {
					b.Fatal(err)
				}
				err = d.VerifyConnectivity(context.Background())
				el := time.Since(start)
				_ = d.Close(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				return el
			}
			var drv, full, warm, seq, path, seqPath time.Duration
			b.ResetTimer()
			for range b.N {
				drv += driver()
				full += doctor(true)
				warm += doctorIn(warmEnv, true)
				seq += doctor(false)
				path += doctor(true, "query")
				seqPath += doctor(false, "query")
			}
			n := float64(b.N)
			ms := func(d time.Duration) float64 { return float64(d.Milliseconds()) / n }
			b.ReportMetric(ms(drv), "driver-ms")
			b.ReportMetric(ms(full), "doctor-ms")
			b.ReportMetric(float64(full)/float64(drv), "doctor/driver")
			b.ReportMetric(ms(warm), "warm-ms")
			b.ReportMetric(float64(warm)/float64(drv), "warm/driver")
			b.ReportMetric(float64(seq)/float64(drv), "sequential/driver")
			b.ReportMetric(float64(path)/float64(drv), "noquery/driver")
			b.ReportMetric(float64(seqPath)/float64(drv), "noquery-seq/driver")
		})
	}
}
