package cli

// The CLI's pipelining switch, end to end: the real command against a
// fixture server behind a latency proxy, with and without --no-pipelining.
// Whatever the path, the user reads the same verdict; the bolt check's
// "pipelining" fact says which path it was, and the proxy counts what it
// cost.

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/network"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract"
)

// pipeReport is the part of a JSON report these tests read.
type pipeReport struct {
	Verdict  string `json:"verdict"`
	ExitCode int    `json:"exitCode"`
	Checks   []struct {
		ID      string        `json:"id"`
		Status  string        `json:"status"`
		Summary string        `json:"summary"`
		Facts   []checks.Fact `json:"facts"`
	} `json:"checks"`
}

func (rep pipeReport) fact(check, name string) string {
	for _, c := range rep.Checks {
		if c.ID != check {
			continue
		}
		for _, f := range c.Facts {
			if f.Name == name {
				return f.Value
			}
		}
	}
	return ""
}

func (rep pipeReport) status(check string) string {
	for _, c := range rep.Checks {
		if c.ID == check {
			return c.Status
		}
	}
	return ""
}

func decodePipeReport(t *testing.T, doc []byte, validate func([]byte) error) pipeReport {
	t.Helper()
	if err := validate(doc); err != nil {
		t.Fatalf("not a valid report: %v\n%s", err, doc)
	}
	var rep pipeReport
	if err := json.Unmarshal(doc, &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestPipeliningCLI(t *testing.T) {
	t.Parallel()
	const pw = "pipelining-cli-password"
	for _, tc := range []struct {
		name     string
		password string
		exit     int
		verdict  string
		failing  string // the check that fails, "" for none
		// round trips of the run's own connection: pipelined, sequential
		pipelined, sequential int
	}{
		// handshake+HELLO+LOGON+ROUTE and the query in one flight;
		// sequential: the handshake on its own first.
		{"healthy", pw, checks.ExitHealthy, "pass", "", 1, 2},
		// The failed LOGON ends the connection: the ROUTE behind it is
		// never answered, and the password is tried once.
		{"wrong password", "wrong-" + pw, checks.ExitFailed, "fail", "auth", 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := fixtures.Neo4j526()
			cfg.Users = map[string]string{"neo4j": pw}
			s, err := fixtures.Start(cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })

			type outcome struct {
				rep    pipeReport
				code   int
				counts []int // round trips per connection, the run's own last
			}
			diagnose := func(extra ...string) outcome {
				p, err := network.StartLatency(2*time.Millisecond, s.Addr())
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				args := append([]string{"--uri", "bolt://" + p.Addr(), "-u", "neo4j", "--format", "json", "--timeout", "5s"}, extra...)
				r := runCLI(map[string]string{"NEO4J_PASSWORD": tc.password}, args...)
				_ = p.Close() // waits for every connection's end: the counts are final
				var counts []int
				for _, c := range p.Conns() {
					counts = append(counts, c.RoundTrips)
				}
				slices.Sort(counts)
				rep := decodePipeReport(t, []byte(r.stdout), contract.Report)
				if rep.ExitCode != r.code {
					t.Errorf("report says exit %d, the process exited %d", rep.ExitCode, r.code)
				}
				return outcome{rep, r.code, counts}
			}
			pip, seq := diagnose(), diagnose("--no-pipelining")

			for name, o := range map[string]outcome{"pipelined": pip, "--no-pipelining": seq} {
				if o.code != tc.exit || o.rep.Verdict != tc.verdict {
					t.Errorf("%s: exit %d, verdict %s; want %d, %s", name, o.code, o.rep.Verdict, tc.exit, tc.verdict)
				}
				if tc.failing != "" && o.rep.status(tc.failing) != "fail" {
					t.Errorf("%s: %s is %s, want fail", name, tc.failing, o.rep.status(tc.failing))
				}
			}
			for _, c := range pip.rep.Checks {
				if st := seq.rep.status(c.ID); st != c.Status {
					t.Errorf("%s: pipelined %s, --no-pipelining %s", c.ID, c.Status, st)
				}
			}
			if v := pip.rep.fact("bolt", "pipelining"); v != "handshake, HELLO, LOGON, ROUTE and the query in one flight" {
				t.Errorf("pipelined: pipelining fact %q", v)
			}
			if v := seq.rep.fact("bolt", "pipelining"); v != "off" {
				t.Errorf("--no-pipelining: pipelining fact %q, want off", v)
			}
			// Pipelined, the run's one connection costs fewer round trips
			// (the version list is --verbose's, on a connection of its own).
			if want := []int{tc.pipelined}; !slices.Equal(pip.counts, want) {
				t.Errorf("pipelined: round trips per connection %v, want %v", pip.counts, want)
			}
			if want := []int{tc.sequential}; !slices.Equal(seq.counts, want) {
				t.Errorf("--no-pipelining: round trips per connection %v, want %v", seq.counts, want)
			}
		})
	}
}

// TestTargetsNoPipelining: --no-pipelining applies to every target of
// check --targets, as --strict does; without it the fleet pipelines.
func TestTargetsNoPipelining(t *testing.T) {
	t.Parallel()
	s, err := fixtures.Start(fixtures.Neo4j526())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	file := writeFile(t, "targets.yml", fmt.Sprintf("defaults:\n  username: neo4j\n  passwordEnv: PW\ntargets:\n  - {name: a, uri: '%s'}\n  - {name: b, uri: '%s'}\n",
		s.URI("bolt"), s.URI("neo4j")))
	for _, tc := range []struct {
		extra []string
		want  func(string) bool
		what  string
	}{
		{nil, func(v string) bool { return v != "off" && v != "" }, "HELLO sent with the handshake"},
		{[]string{"--no-pipelining"}, func(v string) bool { return v == "off" }, "off"},
	} {
		args := append([]string{"check", "--targets", file, "--format", "json"}, tc.extra...)
		r := runCLI(map[string]string{"PW": "any"}, args...)
		if r.code != checks.ExitHealthy {
			t.Fatalf("%v: %s", args, r)
		}
		if err := contract.Fleet([]byte(r.stdout)); err != nil {
			t.Fatalf("%v: not a valid fleet report: %v", args, err)
		}
		var doc struct {
			Targets []struct {
				Name   string          `json:"name"`
				Report json.RawMessage `json:"report"`
			} `json:"targets"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Targets) != 2 {
			t.Fatalf("%v: %d targets in the report", args, len(doc.Targets))
		}
		for _, tg := range doc.Targets {
			rep := decodePipeReport(t, tg.Report, contract.Report)
			if v := rep.fact("bolt", "pipelining"); !tc.want(v) {
				t.Errorf("%v: target %s: pipelining fact %q, want %s", args, tg.Name, v, tc.what)
			}
		}
	}
}
