package exporter_test

import (
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/exporter"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// canaryToken is a bearer token (a JWT) no answer of the exporter, nor
// its log, may contain, whole, in part or in hex.
const canaryToken = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9." +
	"eyJzdWIiOiJjYW5hcnktWng5LXRva2VuIiwiZXhwIjo0MTAyNDQ0ODAwfQ." +
	"Q2FuYXJ5LVp4OS1zaWduYXR1cmUtbmV2ZXItcHJpbnRlZA"

var hexBytes = regexp.MustCompile(`\b[0-9A-Fa-f]{2}(?: [0-9A-Fa-f]{2}){3,}\b`)

// tokenLeak says where 16 consecutive characters of canaryToken are in
// s, in clear or in spaced hex; "" when nowhere.
func tokenLeak(s string) string {
	texts := []string{s}
	for _, m := range hexBytes.FindAllString(s, -1) {
		b, _ := hex.DecodeString(strings.ReplaceAll(m, " ", ""))
		texts = append(texts, string(b))
	}
	for _, text := range texts {
		for i := 0; i+16 <= len(canaryToken); i++ {
			if strings.Contains(text, canaryToken[i:i+16]) {
				return fmt.Sprintf("%q… of the token", canaryToken[i:i+4])
			}
		}
	}
	return ""
}

// TestBearerTokenNeverAnswered: targets that log in with a bearer token
// (accepted, expired, unknown), from bearerTokenEnv and bearerTokenFile:
// no probe, debug report, status page or log line holds the token.
func TestBearerTokenNeverAnswered(t *testing.T) {
	t.Parallel()
	if tokenLeak("cut "+canaryToken[10:30]) == "" || tokenLeak(fmt.Sprintf("% X", canaryToken[40:60])) == "" || tokenLeak("eyJhbGciOi") != "" {
		t.Fatal("tokenLeak does not find what it should")
	}
	start := func(expired bool, token string) *fixtures.Server {
		cfg := fixtures.Neo4j526()
		cfg.Users = map[string]string{"app": "pw"}
		cfg.Bearer = map[string]fixtures.BearerToken{token: {User: "app", Expired: expired}}
		s, err := fixtures.Start(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	accepted, expired, unknown := start(false, canaryToken), start(true, canaryToken), start(false, "another-token")
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokFile, []byte(canaryToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "targets.yml")
	body := fmt.Sprintf(`targets:
  - {name: accepted, uri: '%s', bearerTokenEnv: SSO_TOKEN}
  - {name: expired, uri: '%s', bearerTokenFile: '%s'}
  - {name: unknown, uri: '%s', bearerTokenEnv: SSO_TOKEN}
`, accepted.URI("neo4j"), expired.URI("neo4j"), tokFile, unknown.URI("bolt"))
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	exp, err := exporter.New(exporter.Config{
		Path:   file,
		Getenv: func(k string) string { return map[string]string{"SSO_TOKEN": canaryToken}[k] },
		Logger: report.NewLogger(&log),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(exp.Handler())
	t.Cleanup(srv.Close)
	get := func(path string) string {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
		}
		return string(b)
	}
	for _, name := range []string{"accepted", "expired", "unknown"} {
		for _, path := range []string{"/probe?target=" + name, "/probe?target=" + name + "&debug=true"} {
			if where := tokenLeak(get(path)); where != "" {
				t.Errorf("GET %s answers %s", path, where)
			}
		}
	}
	if where := tokenLeak(get("/")); where != "" {
		t.Errorf("the status page shows %s", where)
	}
	if err := exp.Reload(); err != nil {
		t.Fatal(err)
	}
	if where := tokenLeak(log.String()); where != "" {
		t.Errorf("the log holds %s:\n%s", where, log.String())
	}
}
