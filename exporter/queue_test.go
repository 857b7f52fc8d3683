package exporter_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/exporter"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

// TestProbeQueues: with one diagnosis allowed at once, held by a probe of
// a server that never answers, five probes of five healthy targets queue
// instead of being refused. The test sees all five queued, waits 50 ms
// more, then kills the silent server: its probe fails, and the five run
// one after another, each answered healthy. Five plus one diagnoses ran,
// none was rejected, and the queue wait histogram saw each: the first
// without a wait, the five after at least the 50 ms. Who waits is decided
// by the fixture's state (the slot is held until the test lets it go),
// not by how fast the machine is.
func TestProbeQueues(t *testing.T) {
	t.Parallel()
	const n = 5
	fc := fixtures.Neo4j526()
	fc.Users = map[string]string{"neo4j": canary}
	srv, err := fixtures.Start(fc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	gate := silentServer(t)

	var body strings.Builder
	fmt.Fprintf(&body, "targets:\n  - {name: gate, uri: 'bolt://%s', timeout: 60s}\n", gate.Addr())
	for i := range n {
		fmt.Fprintf(&body, "  - {name: db%d, uri: '%s', username: neo4j, passwordEnv: DB_PASSWORD}\n", i, srv.URI("bolt"))
	}
	p := filepath.Join(t.TempDir(), "targets.yml")
	if err := os.WriteFile(p, []byte(body.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r := serveFile(t, p, exporter.Config{MaxConcurrent: 1,
		Getenv: func(k string) string { return map[string]string{"DB_PASSWORD": canary}[k] }})

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		codes   = map[string]int{}
		healthy int
	)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: n + 1, MaxIdleConnsPerHost: n + 1}}
	defer client.CloseIdleConnections()
	scrape := func(name string) {
		defer wg.Done()
		code, b, err := scrapeAs(client, r.srv.URL, name, "60")
		if err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		codes[name] = code
		if strings.Contains(b, "\nneo4j_doctor_probe_success 1\n") {
			healthy++
		}
	}
	wg.Add(1)
	go scrape("gate")
	waitInFlight(t, r, 1)
	for i := range n {
		wg.Add(1)
		go scrape(fmt.Sprintf("db%d", i))
	}
	waitGauge(t, r, "neo4j_doctor_exporter_probes_queued", n)
	time.Sleep(50 * time.Millisecond)
	gate.Kill()
	wg.Wait()

	for name, code := range codes {
		if code != http.StatusOK {
			t.Errorf("%s answered %d, want 200", name, code)
		}
	}
	if len(codes) != n+1 || healthy != n {
		t.Errorf("%d answers, %d healthy; want %d, %d healthy (the gate's probe fails)", len(codes), healthy, n+1, n)
	}
	_, mbody := r.get(t, "/metrics", nil)
	m := parse(t, mbody)
	if v := counter(m, "neo4j_doctor_exporter_probes_rejected_total"); v != 0 {
		t.Errorf("probes_rejected_total = %v, want 0", v)
	}
	m.must(t, "neo4j_doctor_exporter_probes_queued", 0)
	m.must(t, "neo4j_doctor_exporter_probes_in_flight", 0)
	h := m["neo4j_doctor_exporter_queue_wait_seconds"].GetMetric()
	if len(h) != 1 {
		t.Fatalf("queue_wait_seconds: %v", h)
	}
	hist := h[0].GetHistogram()
	if hist.GetSampleCount() != n+1 {
		t.Errorf("queue_wait_seconds counted %d diagnoses, want %d", hist.GetSampleCount(), n+1)
	}
	for _, b := range hist.GetBucket() {
		if b.GetUpperBound() == 0.01 && b.GetCumulativeCount() != 1 {
			t.Errorf("%d diagnoses started within 10 ms of their probe; want 1, the gate's (the others waited at least 50 ms)", b.GetCumulativeCount())
		}
	}
	for i := range n {
		if v := counter(m, "neo4j_doctor_exporter_diagnoses_total", "target", fmt.Sprintf("db%d", i)); v != 1 {
			t.Errorf("diagnoses_total{target=db%d} = %v, want 1", i, v)
		}
	}
}

// waitGauge waits until the exporter's gauge name reads want, polling
// its /metrics at most 500 times.
func waitGauge(t *testing.T, r *rig, name string, want float64) {
	t.Helper()
	for range 500 {
		_, body := r.get(t, "/metrics", nil)
		if v, _ := parse(t, body).value(name); v == want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never read %v", name, want)
}
