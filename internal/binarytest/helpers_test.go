package binarytest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/internal/contract"
)

// module is the import path of the main package, built by the tests.
const module = "github.com/neo4j-doctor/neo4j-doctor"

// canary is the password the tests give the binary every way there is; no
// output may hold it.
const canary = "canary-Zx9-pw"

// skipShort skips a test that builds the binary under -short: the unit
// suite runs with it, and .ci/run runs this package on its own.
func skipShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary: skipped with -short; .ci/run runs this package on its own")
	}
}

// result is what one run of the binary did.
type result struct {
	code           int
	stdout, stderr string
	took           time.Duration // from just before the fork to the exit
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout ---\n%s--- stderr ---\n%s", r.code, r.stdout, r.stderr)
}

// jsonReport is the part of the JSON report the tests read.
type jsonReport struct {
	Verdict    string  `json:"verdict"`
	ExitCode   int     `json:"exitCode"`
	DurationMs float64 `json:"durationMs"`
	Checks     []struct {
		ID      string   `json:"id"`
		Status  string   `json:"status"`
		Summary string   `json:"summary"`
		Hints   []string `json:"hints"`
	} `json:"checks"`
	Members []struct {
		Address string `json:"address"`
		Status  string `json:"status"`
	} `json:"members"`
}

// decodeReport validates stdout against the schema and decodes it.
func decodeReport(t *testing.T, r result) jsonReport {
	t.Helper()
	if err := contract.Report([]byte(r.stdout)); err != nil {
		t.Fatalf("stdout is not a valid report: %v\n%s", err, r)
	}
	var rep jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("decode report: %v", err)
	}
	if rep.ExitCode != r.code {
		t.Errorf("report says exitCode %d, the process exited %d", rep.ExitCode, r.code)
	}
	return rep
}

func (rep jsonReport) check(id string) (status string, hints []string) {
	for _, c := range rep.Checks {
		if c.ID == id {
			return c.Status, c.Hints
		}
	}
	return "", nil
}

// withUserinfo puts user:password@ into a URI.
func withUserinfo(t *testing.T, uri, user, password string) string {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatalf("parse %s: %v", uri, err)
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}
