package binarytest

import (
	"bufio"
	"bytes"
	"context"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// maxReleaseSize is the bound on the release binary, in bytes. Issue 8
// set 15 MB, which held (14.70 MB) until three issues asked for kept
// libraries instead of our own code: coder/websocket for Browser's
// WebSocket side (issue 16, about 190 KB), keystore-go and go-pkcs12 for
// Java's cacerts (issue 17, about 90 KB) and exporter-toolkit for serve's
// TLS and basic auth (issue 20, about 830 KB, mostly what it pulls in:
// yaml v2, and x/net/trace with html/template through
// prometheus/common/config); with those issues' own code the largest
// target is 16.67 MB. 17 MB keeps a watch on growth with that much room.
const maxReleaseSize = 17_000_000

// releaseLdflags are .goreleaser.yaml's, with a version, commit and date
// of the length a release stamps in.
const releaseLdflags = "-s -w -X " + module + "/internal/cli.version=1.2.3 -X " + module + "/internal/cli.commit=0123456789abcdef0123456789abcdef01234567 -X " + module + "/internal/cli.date=2026-11-25T10:00:00Z"

// releaseTags are .goreleaser.yaml's build tags.
const releaseTags = "urfave_cli_no_docs,nethttpomithttp2"

// releaseTargets are .goreleaser.yaml's; the first is the largest
// (measured: windows/amd64 16.67 MB, darwin/amd64 16.57, linux/amd64
// 16.22).
var releaseTargets = []string{"windows/amd64", "darwin/amd64", "linux/amd64", "darwin/arm64", "windows/arm64", "linux/arm64"}

// TestReleaseBinarySize holds the release binaries under 17 MB (see maxReleaseSize),
// built as .goreleaser.yaml builds them: CGO_ENABLED=0, -trimpath, the
// release tags and -ldflags. It builds the largest
// target, a cross-compile that shares no package with the rest of the
// suite (20-35 s with a cold cache, under a second warm);
// NEO4J_DOCTOR_RELEASE_CHECK=1 builds every target.
func TestReleaseBinarySize(t *testing.T) {
	skipShort(t)
	t.Parallel()
	dir := t.TempDir()
	targets := releaseTargets[:1]
	if os.Getenv("NEO4J_DOCTOR_RELEASE_CHECK") != "" {
		targets = releaseTargets
	}
	for _, target := range targets {
		goos, goarch, _ := strings.Cut(target, "/")
		env := []string{"CGO_ENABLED=0", "GOOS=" + goos, "GOARCH=" + goarch}
		release := filepath.Join(dir, "neo4j-doctor-"+goos+"-"+goarch)
		size := buildSize(t, release, env, "-trimpath", "-tags", releaseTags, "-ldflags", releaseLdflags)
		t.Logf("release build %s: %d bytes", target, size)
		if size < maxReleaseSize {
			continue
		}
		// The stripped binary has no symbols: the breakdown comes from the
		// same build without -s -w.
		full := release + "-symbols"
		buildSize(t, full, env, "-trimpath", "-tags", releaseTags, "-ldflags", strings.TrimPrefix(releaseLdflags, "-s -w "))
		t.Errorf("the %s release binary is %d bytes, over %d by %d; code by module: %s",
			target, size, maxReleaseSize, size-maxReleaseSize, largestModules(t, full, 8))
	}
}

// buildSize builds the main package into out with env added to the
// test's own and returns the binary's size.
func buildSize(t *testing.T, out string, env []string, flags ...string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append(append([]string{"build", "-o", out}, flags...), module)...)
	cmd.Env = append(os.Environ(), env...)
	start := time.Now()
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", strings.Join(flags, " "), err, msg)
	}
	t.Logf("%s: %s", strings.Join(append(append(slices.Clone(env), "go build"), flags...), " "), time.Since(start).Round(time.Millisecond))
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// largestModules sums the sizes of the code symbols `go tool nm -size`
// lists in bin by the module of each symbol's package ("std" for the
// standard library) and names the n largest. Code is about half the file,
// and the function tables (a third) grow with it; data symbols are left
// out because nm types zeroed data (.noptrbss, no bytes in the file) D.
func largestModules(t *testing.T, bin string, n int) string {
	t.Helper()
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatalf("build info of %s: %v", bin, err)
	}
	modules := []string{bi.Main.Path}
	for _, d := range bi.Deps {
		modules = append(modules, d.Path)
	}
	// Longest first, so a nested module wins over its parent.
	sort.Slice(modules, func(i, j int) bool { return len(modules[i]) > len(modules[j]) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "tool", "nm", "-size", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	bytesBy := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		// address size type name
		f := strings.Fields(sc.Text())
		if len(f) < 4 || (f[2] != "T" && f[2] != "t") {
			continue
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		bytesBy[moduleOf(symbolPackage(strings.Join(f[3:], " ")), modules)] += size
	}
	names := make([]string, 0, len(bytesBy))
	for m := range bytesBy {
		names = append(names, m)
	}
	sort.Slice(names, func(i, j int) bool { return bytesBy[names[i]] > bytesBy[names[j]] })
	var parts []string
	for _, m := range names[:min(n, len(names))] {
		parts = append(parts, fmt.Sprintf("%s %.2f MB", m, float64(bytesBy[m])/1e6))
	}
	return strings.Join(parts, ", ")
}

// symbolPackage is the import path of a Go symbol's package, e.g.
// github.com/urfave/cli/v2 for "github.com/urfave/cli/v2.(*App).Run" or
// "type:*github.com/urfave/cli/v2.App"; "" for the linker's own (go:...).
func symbolPackage(sym string) string {
	sym = strings.TrimLeft(strings.TrimPrefix(sym, "type:"), "*")
	if strings.HasPrefix(sym, "go:") {
		return ""
	}
	if i := strings.IndexAny(sym, "([{"); i >= 0 {
		sym = sym[:i]
	}
	slash := strings.LastIndex(sym, "/")
	dot := strings.Index(sym[slash+1:], ".")
	if dot < 0 {
		return ""
	}
	return sym[:slash+1+dot]
}

// moduleOf is the module holding pkg: one of modules, "std" for a
// standard-library package (no dot in its first element), or "(linker)".
func moduleOf(pkg string, modules []string) string {
	if pkg == "" {
		return "(linker)"
	}
	for _, m := range modules {
		if pkg == m || strings.HasPrefix(pkg, m+"/") {
			return m
		}
	}
	if first, _, _ := strings.Cut(pkg, "/"); !strings.Contains(first, ".") {
		return "std"
	}
	return pkg
}

// TestReleaseTagsAreGoreleasers keeps releaseTags, which the size test
// builds with, the tags .goreleaser.yaml lists.
func TestReleaseTagsAreGoreleasers(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../.goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	in := false
	for _, l := range strings.Split(string(b), "\n") {
		switch t := strings.TrimSpace(l); {
		case t == "tags:":
			in = true
		case in && strings.HasPrefix(t, "- "):
			tags = append(tags, strings.TrimPrefix(t, "- "))
		case in && !strings.HasPrefix(t, "#"):
			in = false
		}
	}
	if got := strings.Join(tags, ","); got != releaseTags {
		t.Errorf(".goreleaser.yaml builds with tags %q; the size test with %q", got, releaseTags)
	}
}
