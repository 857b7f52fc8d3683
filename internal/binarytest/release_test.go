package binarytest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestVersionFromLdflags builds the binary as the release does, with
// version, commit and date set by -ldflags -X, and checks --version says
// all three.
func TestVersionFromLdflags(t *testing.T) {
	skipShort(t)
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "neo4j-doctor")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pkg := module + "/internal/cli"
	ld := "-X " + pkg + ".version=1.2.3 -X " + pkg + ".commit=0123abcd -X " + pkg + ".date=2026-11-25T10:00:00Z"
	// With the release tags: the binary people download is the one tested.
	if out, err := exec.CommandContext(ctx, "go", "build", "-tags", releaseTags, "-ldflags", ld, "-o", bin, module).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(ctx, bin, "--version").CombinedOutput()
	if want := "neo4j-doctor 1.2.3 (commit 0123abcd, built 2026-11-25T10:00:00Z)\n"; err != nil || string(out) != want {
		t.Errorf("--version: %q (%v), want %q", out, err, want)
	}
}

// TestGoreleaserCheck validates .goreleaser.yaml with the goreleaser the
// README names. Compiling goreleaser takes about two minutes the first
// time, too long for every run of the suite: set
// NEO4J_DOCTOR_RELEASE_CHECK=1 to run it (before a release, or after
// editing .goreleaser.yaml).
func TestGoreleaserCheck(t *testing.T) {
	skipShort(t)
	if os.Getenv("NEO4J_DOCTOR_RELEASE_CHECK") == "" {
		t.Skip("set NEO4J_DOCTOR_RELEASE_CHECK=1 to validate .goreleaser.yaml (compiles goreleaser: about 2 minutes the first time)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "github.com/goreleaser/goreleaser/v2@v2.15.1", "check")
	cmd.Dir = "../.." // the repository's root, where .goreleaser.yaml is
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1 configuration file(s) validated") {
		t.Fatalf("goreleaser check: %v\n%s", err, out)
	}
	for _, bad := range []string{"DEPRECATED", "deprecated"} {
		if strings.Contains(string(out), bad) {
			t.Errorf("goreleaser check warns:\n%s", out)
		}
	}
}
