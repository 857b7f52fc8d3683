package exporter_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/neo4j-doctor/neo4j-doctor/exporter"
)

// shardingDir holds the sharding example the README's Sizing points to.
const shardingDir = "../examples/sharding"

// TestShardingExample: examples/sharding/prometheus-shard.yml keeps its
// share of the target names by hashmod on the name and sends them to its
// replica, its rules alert only on metrics the exporter serves, and, with
// promtool on PATH, Prometheus's own relabelling gives every name to
// exactly one of the shards made by changing the lines marked SHARD, as
// the file tells a user to (and the rules pass promtool's checks and unit
// tests).
func TestShardingExample(t *testing.T) {
	t.Parallel()
	cfgText, err := os.ReadFile(filepath.Join(shardingDir, "prometheus-shard.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName        string `yaml:"job_name"`
			MetricsPath    string `yaml:"metrics_path"`
			RelabelConfigs []struct {
				SourceLabels []string `yaml:"source_labels"`
				TargetLabel  string   `yaml:"target_label"`
				Regex        string   `yaml:"regex"`
				Modulus      int      `yaml:"modulus"`
				Replacement  string   `yaml:"replacement"`
				Action       string   `yaml:"action"`
			} `yaml:"relabel_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(cfgText, &cfg); err != nil {
		t.Fatalf("prometheus-shard.yml: %v", err)
	}
	shards := 0
	for _, job := range cfg.ScrapeConfigs {
		if job.MetricsPath != "/probe" {
			continue
		}
		var hashed, kept, sent bool
		for _, r := range job.RelabelConfigs {
			switch {
			case r.Action == "hashmod" && slices.Equal(r.SourceLabels, []string{"__param_target"}):
				shards, hashed = r.Modulus, true
			case r.Action == "keep" && hashed && r.Regex == "0":
				kept = true
			case r.TargetLabel == "__address__" && kept:
				sent = r.Replacement == "neo4j-doctor-0:9687"
			}
		}
		if !hashed || !kept || !sent || shards < 2 {
			t.Errorf("job %s: want hashmod of __param_target (modulus ≥ 2), keep shard 0, then __address__ neo4j-doctor-0:9687; hashmod %v (modulus %d), keep %v, address %v", job.JobName, hashed, shards, kept, sent)
		}
	}
	if shards == 0 {
		t.Fatal("no /probe job with a hashmod")
	}

	// Every exporter metric the rules name is one the exporter serves.
	p := filepath.Join(t.TempDir(), "targets.yml")
	if err := os.WriteFile(p, []byte("targets:\n  - {name: db, uri: 'bolt://127.0.0.1:1'}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	exp, err := exporter.New(exporter.Config{Path: p})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(exp.Handler())
	defer srv.Close()
	r := &rig{exp: exp, srv: srv}
	_, body := r.get(t, "/metrics", nil)
	served := parse(t, body)
	rules, err := os.ReadFile(filepath.Join(shardingDir, "rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	named := regexp.MustCompile(`neo4j_doctor_exporter_[a-z_]+`).FindAllString(string(rules), -1)
	if len(named) == 0 {
		t.Error("rules.yml names no exporter metric")
	}
	for _, n := range named {
		base := regexp.MustCompile(`_(bucket|sum|count)$`).ReplaceAllString(n, "")
		if served[n] == nil && served[base] == nil {
			t.Errorf("rules.yml names %s, which the exporter does not serve", n)
		}
	}

	t.Run("promtool", func(t *testing.T) {
		if _, err := exec.LookPath("promtool"); err != nil {
			t.Skip("promtool is not on PATH; scripts/e2e-prometheus.sh runs the same checks")
		}
		// promtool's standard output; its log goes to standard error.
		promtool := func(dir string, args ...string) string {
			t.Helper()
			cmd := exec.Command("promtool", args...)
			cmd.Dir = dir
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("promtool %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
			}
			return string(out)
		}
		promtool(shardingDir, "check", "config", "prometheus-shard.yml")
		promtool(shardingDir, "check", "rules", "rules.yml")
		promtool(shardingDir, "test", "rules", "rules.test.yml")

		var groups []struct {
			Targets []string `yaml:"targets"`
		}
		err := readYAML(filepath.Join(shardingDir, "targets-example.yml"), &groups)
		var names []string
		for _, g := range groups {
			names = append(names, g.Targets...)
		}
		if err != nil || len(names) == 0 {
			t.Fatalf("targets-example.yml: %v, %d names", err, len(names))
		}
		// Each shard's file, as a user makes it: the lines marked SHARD
		// name shard i instead of 0.
		dir := t.TempDir()
		sd, err := os.ReadFile(filepath.Join(shardingDir, "targets-example.yml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "targets-example.yml"), sd, 0o600); err != nil {
			t.Fatal(err)
		}
		owner := map[string][]int{}
		for i := range shards {
			lines := strings.Split(string(cfgText), "\n")
			for j, l := range lines {
				if strings.Contains(l, "# SHARD") {
					l = strings.Replace(l, `"0"`, fmt.Sprintf(`"%d"`, i), 1)
					lines[j] = strings.Replace(l, "neo4j-doctor-0:", fmt.Sprintf("neo4j-doctor-%d:", i), 1)
				}
			}
			f := fmt.Sprintf("shard-%d.yml", i)
			if err := os.WriteFile(filepath.Join(dir, f), []byte(strings.Join(lines, "\n")), 0o600); err != nil {
				t.Fatal(err)
			}
			var found []struct {
				Labels map[string]string `json:"labels"`
			}
			// File discovery answers at once; promtool waits --timeout
			// for more.
			out := promtool(dir, "check", "service-discovery", "--timeout=1s", f, "neo4j-doctor")
			if err := json.Unmarshal([]byte(out), &found); err != nil {
				t.Fatalf("shard %d: %v\n%s", i, err, out)
			}
			if len(found) != len(names) {
				t.Errorf("shard %d: discovered %d targets, want %d", i, len(found), len(names))
			}
			for _, tg := range found {
				if tg.Labels["instance"] == "" {
					continue // another shard's
				}
				owner[tg.Labels["instance"]] = append(owner[tg.Labels["instance"]], i)
				if want := fmt.Sprintf("neo4j-doctor-%d:9687", i); tg.Labels["__address__"] != want || tg.Labels["__param_target"] != tg.Labels["instance"] {
					t.Errorf("shard %d: %v; want __address__ %s and __param_target = instance", i, tg.Labels, want)
				}
			}
		}
		perShard := make([]int, shards)
		for _, n := range names {
			if len(owner[n]) != 1 {
				t.Errorf("target %s is scraped by shards %v; want exactly one", n, owner[n])
				continue
			}
			perShard[owner[n][0]]++
		}
		t.Logf("%d names over %d shards: %v", len(names), shards, perShard)
	})
}

func readYAML(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return yaml.Unmarshal(data, v)
}
