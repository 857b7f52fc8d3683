package exporter_test

import (
	"fmt"
	"io"
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

// logons counts the logins a fixture server received: one diagnosis
// costs the same number every time.
func logons(srv *fixtures.Server) int {
	n := 0
	for _, r := range srv.Received() {
		for _, m := range r.Messages {
			if m.Credentials {
				n++
			}
		}
	}
	return n
}

// loginRig serves an exporter whose one target, "db", is a fixture server
// that takes logonDelay to answer each login.
func loginRig(t *testing.T, cfg exporter.Config, logonDelay time.Duration) (*rig, *fixtures.Server) {
	t.Helper()
	fc := fixtures.Neo4j526()
	fc.Users = map[string]string{"neo4j": canary}
	fc.LogonDelay = logonDelay
	srv, err := fixtures.Start(fc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	p := filepath.Join(t.TempDir(), "targets.yml")
	body := fmt.Sprintf("targets:\n  - {name: db, uri: '%s', username: neo4j, passwordEnv: DB_PASSWORD}\n", srv.URI("bolt"))
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Getenv = func(k string) string { return map[string]string{"DB_PASSWORD": canary}[k] }
	return serveFile(t, p, cfg), srv
}

// TestProbeBurstIsOneDiagnosis: 100 scrapes of one target at once cost
// the monitored server one diagnosis's logins, counted at the server; all
// 100 get its metrics. The scrapes that arrive while it runs share it, the
// ones after it get its result (MinProbeInterval), so the count holds
// however the machine schedules them.
func TestProbeBurstIsOneDiagnosis(t *testing.T) {
	t.Parallel()
	r, srv := loginRig(t, exporter.Config{MinProbeInterval: time.Hour}, 100*time.Millisecond)
	const burst = 100
	var (
		wg             sync.WaitGroup
		mu             sync.Mutex
		codes          = map[int]int{}
		healthy, fresh int
	)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: burst, MaxIdleConnsPerHost: burst}}
	defer client.CloseIdleConnections()
	for range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, b, err := scrapeAs(client, r.srv.URL, "db", "30")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			codes[code]++
			if strings.Contains(b, "\nneo4j_doctor_probe_success 1\n") {
				healthy++
			}
			if strings.Contains(b, "\nneo4j_doctor_probe_result_age_seconds 0\n") {
				fresh++
			}
		}()
	}
	wg.Wait()
	t.Logf("%d scrapes shared the running diagnosis, %d got its result after it ended", fresh, burst-fresh)
	if codes[200] != burst || healthy != burst {
		t.Errorf("answers by status %v, %d healthy; want %d × 200, all healthy", codes, healthy, burst)
	}
	if fresh < 1 {
		t.Error("no scrape got the diagnosis as it ended (result age 0)")
	}
	burst1, one := logons(srv), singleDiagnosisLogons(t)
	if one == 0 || burst1 != one {
		t.Errorf("the burst cost the server %d logins; one diagnosis costs %d", burst1, one)
	}
	_, body := r.get(t, "/metrics", nil)
	m := parse(t, body)
	if v := counter(m, "neo4j_doctor_exporter_diagnoses_total", "target", "db"); v != 1 {
		t.Errorf("diagnoses_total = %v, want 1", v)
	}
	if v := counter(m, "neo4j_doctor_exporter_probes_total", "target", "db", "result", "success"); v != burst {
		t.Errorf("probes_total = %v, want %d", v, burst)
	}
}

// clock is a time the test moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestProbeMinInterval: within MinProbeInterval of the last diagnosis a
// probe gets its result, with its age, and the server sees nothing; after
// it, or after a reload, a probe diagnoses again. A debug report says it
// is the last result.
func TestProbeMinInterval(t *testing.T) {
	t.Parallel()
	c := &clock{now: time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)}
	r, srv := loginRig(t, exporter.Config{MinProbeInterval: 5 * time.Second, Now: c.Now}, 0)
	m := r.probe(t, "db")
	m.must(t, "neo4j_doctor_probe_success", 1)
	m.must(t, "neo4j_doctor_probe_result_age_seconds", 0)
	one := logons(srv)

	c.add(3 * time.Second)
	r.probe(t, "db").must(t, "neo4j_doctor_probe_result_age_seconds", 3)
	_, body := r.get(t, "/probe?target=db&debug=true", nil)
	if !strings.HasPrefix(body, "(the last result of db, from a diagnosis that ended 3s ago; --min-probe-interval is 5s)") || !strings.Contains(body, "neo4j_doctor_probe_result_age_seconds 3") {
		t.Errorf("debug answer within the interval:\n%s", body)
	}
	if n := logons(srv); n != one {
		t.Errorf("probes within the interval logged in %d more times", n-one)
	}

	c.add(2 * time.Second)
	r.probe(t, "db").must(t, "neo4j_doctor_probe_result_age_seconds", 0)
	if n := logons(srv); n != 2*one {
		t.Errorf("after the interval the server saw %d logins, want %d (a second diagnosis)", n, 2*one)
	}

	// A reload may have changed the target: its last result is dropped.
	c.add(time.Second)
	if err := r.exp.Reload(); err != nil {
		t.Fatal(err)
	}
	r.probe(t, "db").must(t, "neo4j_doctor_probe_result_age_seconds", 0)
	if n := logons(srv); n != 3*one {
		t.Errorf("after a reload the server saw %d logins, want %d (a third diagnosis)", n, 3*one)
	}
}

// singleDiagnosisLogons is how many logins one probe of a fresh fixture
// costs.
func singleDiagnosisLogons(t *testing.T) int {
	t.Helper()
	r, srv := loginRig(t, exporter.Config{}, 0)
	r.probe(t, "db").must(t, "neo4j_doctor_probe_success", 1)
	return logons(srv)
}

// scrapeAs asks base's /probe for target name as Prometheus does, with a
// scrape timeout of timeout seconds; err is the client's.
func scrapeAs(client *http.Client, base, name, timeout string) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, base+"/probe?target="+name, nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", timeout)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}
