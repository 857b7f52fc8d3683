package exporter_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/exporter"
)

// TestStatusPageInChromium loads the status page in a real headless
// browser (Debian's chromium) and reads the DOM it rendered: the page is
// self-contained (no script, no outside resource) and shows what a person
// opening it should see. Skipped where chromium is not installed
// (apt-get install chromium); scripts/screenshot-status.sh takes the
// README's screenshot the same way.
func TestStatusPageInChromium(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	r := start(t, exporter.Config{}, "healthy-single", "no-writers")
	r.probe(t, "healthy-single")
	r.probe(t, "no-writers")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--window-size=1200,800",
		"--dump-dom", r.srv.URL+"/")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	t.Logf("chromium rendered the page in %s", time.Since(start).Round(time.Millisecond))
	for _, want := range []string{
		"<title>neo4j-doctor exporter</title>",
		"✓ 1 healthy", "✗ 1 failing",
		"<td><strong>healthy-single</strong></td>",
		"<td><strong>no-writers</strong></td>",
		`<td class="badge fail" title="exit code 1">✗ fail</td>`,
		"failing step <strong>routing</strong>",
		"<details open=\"\">",                // the newest failure is open
		"the routing table lists no writers", // with its report
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %q", want)
		}
	}
	if strings.Contains(dom, "<script") {
		t.Error("the page has a script")
	}
}
