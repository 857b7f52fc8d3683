package exporter_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/exporter"
)

// TestIdleSchedule: a target with idleProbe: and idleProbeEvery: has its
// idle probe run in the background (scaled time: a 1.5 s limit that
// resets, idle times of 100ms and 3s); once it measured, every scrape
// answers the safe idle time and when it was measured, without waiting.
func TestIdleSchedule(t *testing.T) {
	t.Parallel()
	in := scenario(t, "idle-cut-by-load-balancer")
	file := filepath.Join(t.TempDir(), "targets.yml")
	body := fmt.Sprintf("targets:\n  - name: lb\n    uri: %s\n    username: %s\n    passwordEnv: LB_PASSWORD\n    dnsServer: %s\n    timeout: %s\n"+
		"    idleProbe: [100ms, 3s]\n    idleProbeEvery: 1h\n", in.URI, in.Username, in.DNSServer, in.Timeout)
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	pw := &passwords{}
	pw.set("lb", in.Password)
	exp, err := exporter.New(exporter.Config{Path: file, Getenv: pw.getenv, IdleTick: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(exp.Handler())
	t.Cleanup(srv.Close)
	r := &rig{exp: exp, srv: srv, file: file, pw: pw}

	if _, ok := r.probe(t, "lb").value("neo4j_doctor_idle_safe_seconds"); ok {
		t.Fatal("a safe idle time before any idle probe ran")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); exp.RunIdle(ctx) }()
	defer func() { cancel(); <-done }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		m := r.probe(t, "lb")
		if safe, ok := m.value("neo4j_doctor_idle_safe_seconds"); ok {
			if safe != 0.1 {
				t.Errorf("safe idle time %vs, want 0.1", safe)
			}
			if at, ok := m.value("neo4j_doctor_idle_measured_timestamp_seconds"); !ok || at < float64(time.Now().Add(-time.Minute).Unix()) {
				t.Errorf("measured at %v (%v)", at, ok)
			}
			if ls := m.labelSets("neo4j_doctor_check_status"); len(ls) != len(checks.RunChecks(&checks.Target{}))*len(exporter.Statuses) {
				t.Errorf("%d check_status series: the scrape ran the idle check", len(ls))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no idle probe result within 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
