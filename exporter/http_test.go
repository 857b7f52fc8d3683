package exporter

import (
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// TestHTTPMetrics: the HTTP status of the discovery document and whether
// Bolt over WebSocket worked, from the report's typed HTTPInfo; neither
// when the HTTP endpoint did not answer.
func TestHTTPMetrics(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		info *checks.HTTPInfo
		want []string
		not  []string
	}{
		{"healthy", &checks.HTTPInfo{Status: 200, WebSocket: checks.Pass, WebSocketStatus: 101},
			[]string{"neo4j_doctor_probe_http_status 200", "neo4j_doctor_websocket_up 1"}, nil},
		{"upgrade stripped", &checks.HTTPInfo{Status: 200, WebSocket: checks.Warn, WebSocketStatus: 200},
			[]string{"neo4j_doctor_probe_http_status 200", "neo4j_doctor_websocket_up 0"}, nil},
		{"websocket skipped", &checks.HTTPInfo{Status: 404, WebSocket: checks.Skip},
			[]string{"neo4j_doctor_probe_http_status 404"}, []string{"neo4j_doctor_websocket_up"}},
		{"no HTTP endpoint", nil, nil, []string{"neo4j_doctor_probe_http_status", "neo4j_doctor_websocket_up"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := &checks.Report{Verdict: checks.Pass, HTTP: tc.info}
			fams, err := probeMetrics(factsOf(rep, 0)).Gather()
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, f := range fams {
				if _, err := expfmt.MetricFamilyToText(&b, f); err != nil {
					t.Fatal(err)
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), "\n"+w+"\n") {
					t.Errorf("no %q in\n%s", w, b.String())
				}
			}
			for _, n := range tc.not {
				if strings.Contains(b.String(), n) {
					t.Errorf("%q in\n%s", n, b.String())
				}
			}
		})
	}
}
