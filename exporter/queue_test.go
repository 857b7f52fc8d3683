package exporter_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/exporter"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
)

// TestProbeQueues: with one diagnosis allowed at once, five probes of five
// targets arriving together queue instead of being refused: all five are
// answered healthy, five diagnoses ran, none was rejected, and the queue
// wait histogram saw each of them. The fixture takes 200 ms to answer
// each login, so at most one diagnosis (the first) can have started
// without waiting a tenth of a second; a busy machine only makes the
// waits longer, never the count of short ones larger.
func TestProbeQueues(t *testing.T) {
	t.Parallel()
	const n = 5
	fc := fixtures.Neo4j526()
	fc.Users = map[string]string{"neo4j": canary}
	fc.LogonDelay = 200 * time.Millisecond
	srv, err := fixtures.Start(fc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	var body strings.Builder
	body.WriteString("targets:\n")
	for i := range n {
		fmt.Fprintf(&body, "  - {name: db%d, uri: '%s', username: neo4j, passwordEnv: DB_PASSWORD}\n", i, srv.URI("bolt"))
	}
	p := filepath.Join(t.TempDir(), "targets.yml")
	if err := os.WriteFile(p, []byte(body.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	exp, err := exporter.New(exporter.Config{Path: p, MaxConcurrent: 1,
		Getenv: func(k string) string { return map[string]string{"DB_PASSWORD": canary}[k] }})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{exp: exp, srv: httptest.NewServer(exp.Handler()), file: p}
	t.Cleanup(func() {
		r.srv.Client().CloseIdleConnections()
		r.srv.Close()
	})

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		codes   = map[int]int{}
		healthy int
	)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: n, MaxIdleConnsPerHost: n}}
	defer client.CloseIdleConnections()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/probe?target=db%d", r.srv.URL, i), nil)
			req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "60")
			resp, err := client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			codes[resp.StatusCode]++
			if strings.Contains(string(b), "\nneo4j_doctor_probe_success 1\n") {
				healthy++
			}
		}()
	}
	wg.Wait()
	if codes[200] != n || healthy != n {
		t.Errorf("answers by status %v, %d healthy; want %d × 200, all healthy", codes, healthy, n)
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
	if hist.GetSampleCount() != n {
		t.Errorf("queue_wait_seconds counted %d diagnoses, want %d", hist.GetSampleCount(), n)
	}
	for _, b := range hist.GetBucket() {
		if b.GetUpperBound() == 0.1 && b.GetCumulativeCount() > 1 {
			t.Errorf("%d diagnoses started within 0.1s of their probe; behind one slot and 200 ms logins, at most the first can", b.GetCumulativeCount())
		}
	}
	for i := range n {
		if v := counter(m, "neo4j_doctor_exporter_diagnoses_total", "target", fmt.Sprintf("db%d", i)); v != 1 {
			t.Errorf("diagnoses_total{target=db%d} = %v, want 1", i, v)
		}
	}
}
