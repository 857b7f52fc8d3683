package cli

// End-to-end tests of `bundle` and `report` as a user runs them: a bundle
// written against demo fixtures on loopback, read back with `report`, and
// searched for the password and, with --redact-hosts, for every host name
// and address of the run.

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bundle"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
	"github.com/neo4j-doctor/neo4j-doctor/internal/contract"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// bundleStrings is every string of a bundle, and the bytes of every hex
// dump in it as text, so a search sees what a reader could decode.
func bundleStrings(t *testing.T, data []byte) []string {
	t.Helper()
	hexRun := regexp.MustCompile(`\b[0-9A-Fa-f]{2}(?: [0-9A-Fa-f]{2}){3,}\b`)
	var out []string
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if s, ok := tok.(string); ok {
			out = append(out, s)
			for _, m := range hexRun.FindAllString(s, -1) {
				b, _ := hex.DecodeString(strings.ReplaceAll(m, " ", ""))
				out = append(out, string(b))
			}
		}
	}
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func readBundleFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the bundle was not written: %v", err)
	}
	if err := contract.Bundle(data); err != nil {
		t.Fatalf("the bundle does not match its schema: %v", err)
	}
	return data
}

// TestBundleCanary gives a distinctive password by flag, environment,
// connection file and inside the URI, and a distinctive bearer token by
// flag, environment and connection file, against scenarios that stop at
// every step, and searches the bundle (hex decoded), the run's output and
// `report`'s output in every format for them (any 16 characters of the
// token): zero hits. `report` prints the very text the run printed, with
// the run's exit code.
func TestBundleCanary(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"healthy-cluster", "healthy-tls", "wrong-password", "self-signed", "http-port", "localhost-advertised", "credentials-expired", "nothing-listening", "database-not-found", "token-expired-soon", "forbidden-database", "follower-behind-load-balancer"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			inst := startScenario(t, name)
			common := []string{"-u", inst.Username, "--dns-server", inst.DNSServer, "--timeout", inst.Timeout.String()}
			if inst.CAFile != "" {
				common = append(common, "--ca-file", inst.CAFile)
			}
			if inst.Database != "" {
				common = append(common, "-d", inst.Database)
			}
			common = append(common, inst.Args()...)
			credURI := withUserinfo(t, inst.URI, inst.Username, canary)
			file := func(content string) string { return writeFile(t, auraFileName, content) }
			for _, src := range []struct {
				name string
				args []string
				env  map[string]string
			}{
				{"flag", append([]string{"--uri", inst.URI, "-p", canary}, common...), nil},
				{"env", append([]string{"--uri", inst.URI}, common...), map[string]string{"NEO4J_PASSWORD": canary}},
				{"file", append(slices.Clone(common), file(auraHeader+"NEO4J_URI="+inst.URI+"\nNEO4J_PASSWORD="+canary+"\n")), nil},
				{"uri flag", append([]string{"--uri", credURI}, common[2:]...), nil},
				{"uri env", common[2:], map[string]string{"NEO4J_URI": credURI, "HTTPS_PROXY": "http://me:" + canary + "@proxy.example.com:3128"}},
				{"uri file", append(slices.Clone(common[2:]), file("NEO4J_URI="+credURI+"\n")), nil},
				{"token flag", append([]string{"--uri", inst.URI, "--bearer-token", canaryToken}, common[2:]...), nil},
				{"token env", append([]string{"--uri", inst.URI}, common[2:]...), map[string]string{"NEO4J_BEARER_TOKEN": canaryToken}},
				{"token file", append(slices.Clone(common[2:]), file(auraHeader+"NEO4J_URI="+inst.URI+"\nNEO4J_BEARER_TOKEN="+canaryToken+"\n")), nil},
			} {
				token := strings.HasPrefix(src.name, "token")
				path := filepath.Join(t.TempDir(), "case.json")
				r := runCLI(src.env, append([]string{"bundle", "-o", path}, src.args...)...)
				if r.code == 3 {
					t.Fatalf("password by %s: exit 3\n%s", src.name, r)
				}
				if !strings.Contains(r.stderr, "bundle: wrote "+path) {
					t.Errorf("password by %s: stderr does not say where the bundle went:\n%s", src.name, r)
				}
				data := readBundleFile(t, path)
				if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
					t.Errorf("bundle mode %v, want 0600: it describes the user's infrastructure", st.Mode())
				}
				outputs := []string{r.stdout, r.stderr}
				for _, s := range bundleStrings(t, data) {
					if strings.Contains(s, canary) {
						t.Errorf("password by %s: the bundle holds it in %q", src.name, s)
					}
					if where := leaked(s, canaryToken); where != "" {
						t.Errorf("%s: the bundle holds the token: %s in %.80q", src.name, where, s)
					}
				}
				if !token && !bytes.Contains(data, []byte(`"passwordScan": "passed"`)) {
					t.Errorf("password by %s: the password scan did not pass", src.name)
				}
				again := runCLI(nil, "report", path)
				if again.code != r.code || again.stdout != r.stdout {
					t.Errorf("password by %s: report shows something else than the run (exit %d vs %d):\n--- run\n%s--- report\n%s", src.name, again.code, r.code, r.stdout, again.stdout)
				}
				outputs = append(outputs, again.stderr)
				// Every format renders the same bundle; once per scenario
				// is enough to see none of them adds anything.
				formats := report.FormatNames()
				for _, f := range formats[:len(formats)*btoi(src.name == "flag" || src.name == "token flag")] {
					rr := runCLI(nil, "report", "--verbose", "--format", f, path)
					if rr.code != r.code {
						t.Errorf("report --format %s: exit %d, want the run's %d\n%s", f, rr.code, r.code, rr)
					}
					outputs = append(outputs, rr.stdout, rr.stderr)
				}
				for _, o := range outputs {
					if strings.Contains(o, canary) {
						t.Errorf("password by %s: printed:\n%s", src.name, o)
					}
					if where := leaked(o, canaryToken); where != "" {
						t.Errorf("token by %s: %s:\n%s", src.name, where, o)
					}
				}
			}
		})
	}
}

// TestBundleRedactHosts: with --redact-hosts neither the bundle nor
// `report` of it names a host of the run (the demo zone's names, the
// Docker-style .internal name, 127.0.0.1, the DNS server), while the
// user's own terminal still gets the real report.
func TestBundleRedactHosts(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"healthy-cluster", "healthy-tls", "unreachable-member", "self-signed"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			inst := startScenario(t, name)
			path := filepath.Join(t.TempDir(), "case.json")
			r := runCLI(instEnv(inst), instArgs(inst, "bundle", "--redact-hosts", "-o", path)...)
			if r.code == 3 || !strings.Contains(r.stdout, scenarios.DemoDomain) {
				t.Fatalf("the run's own report should name its hosts:\n%s", r)
			}
			if !strings.Contains(r.stderr, "pseudonyms") {
				t.Errorf("stderr does not say hosts were redacted:\n%s", r.stderr)
			}
			data := readBundleFile(t, path)
			rep := runCLI(nil, "report", "--verbose", path)
			dnsHost, _, _ := strings.Cut(inst.DNSServer, ":")
			banned := []string{scenarios.DemoDomain, "127.0.0.1", dnsHost, ".internal:", "BEGIN CERTIFICATE"}
			for _, s := range append(bundleStrings(t, data), rep.stdout, rep.stderr) {
				for _, b := range banned {
					if strings.Contains(strings.ToLower(s), strings.ToLower(b)) {
						t.Errorf("%q is still in %q", b, s)
					}
				}
			}
			if rep.code != r.code || !strings.Contains(rep.stdout, "host-1") {
				t.Errorf("report of the redacted bundle (exit %d, want %d):\n%s", rep.code, r.code, rep.stdout)
			}
		})
	}
}

// TestBundleStdout: -o - puts the bundle on stdout instead of the report.
func TestBundleStdout(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "wrong-password")
	r := runCLI(instEnv(inst), instArgs(inst, "bundle", "-o", "-")...)
	if r.code != 1 || r.stderr != "" {
		t.Fatalf("want exit 1 (wrong password) and nothing on stderr:\n%s", r)
	}
	if err := contract.Bundle([]byte(r.stdout)); err != nil {
		t.Fatalf("stdout is not a bundle: %v", err)
	}
	b, err := bundle.Read([]byte(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Artifacts.Failures) != 1 || b.Artifacts.Failures[0].Code != "Neo.ClientError.Security.Unauthorized" {
		t.Errorf("failures %+v, want the server's Unauthorized", b.Artifacts.Failures)
	}
}

// TestBundleBadInput: what cannot work is refused before any connection,
// with exit 3, one error: line and one hint: line.
func TestBundleBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notJSON := writeFile(t, "notes.txt", "not a bundle\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no -o", []string{"bundle", "--uri", "bolt://127.0.0.1:1"}, "bundle needs -o FILE"},
		{"no directory", []string{"bundle", "--uri", "bolt://127.0.0.1:1", "-o", filepath.Join(dir, "missing", "b.json")}, "cannot write -o"},
		{"a directory", []string{"bundle", "--uri", "bolt://127.0.0.1:1", "-o", dir}, "it is a directory"},
		{"bad format", []string{"bundle", "--uri", "bolt://127.0.0.1:1", "-o", filepath.Join(dir, "b.json"), "--format", "xml"}, "--format"},
		{"two formats", []string{"bundle", "--uri", "bolt://127.0.0.1:1", "-o", filepath.Join(dir, "b.json"), "--format", "json,junit"}, "one --format, not 2"},
		{"report without a file", []string{"report"}, "expected one bundle file"},
		{"report of a missing file", []string{"report", filepath.Join(dir, "nope.json")}, "cannot read bundle"},
		{"report of a directory", []string{"report", dir}, "it is a directory"},
		{"report of text", []string{"report", notJSON}, "is not a neo4j-doctor bundle"},
		{"report with a bad format", []string{"report", "--format", "xml", notJSON}, "--format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(nil, tc.args...)
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if r.code != 3 || r.stdout != "" || len(lines) != 2 || !strings.HasPrefix(lines[0], "error: ") || !strings.Contains(lines[0], tc.want) || !strings.HasPrefix(lines[1], "hint: ") {
				t.Errorf("want exit 3 and error: …%s… plus a hint:\n%s", tc.want, r)
			}
			if r.took > 2*time.Second {
				t.Errorf("took %s: bad input must be refused before connecting", r.took)
			}
		})
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestReportPlainJSON: `report` also reads what --format json wrote.
func TestReportPlainJSON(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "partial-outage")
	path := filepath.Join(t.TempDir(), "report.json")
	first := runCLI(instEnv(inst), instArgs(inst, "--format", "json", "-o", path)...)
	r := runCLI(nil, "report", path)
	if r.code != first.code || r.code != 0 || r.stderr != "" {
		t.Fatalf("want exit %d and no stderr:\n%s", first.code, r)
	}
	// JSON keeps microseconds: a check under 1µs would read "0ms" instead
	// of "<1ms"; the loopback steps here all take longer.
	if r.stdout != first.stdout {
		t.Errorf("report of the JSON differs from the text of the same run:\n--- run\n%s--- report\n%s", first.stdout, r.stdout)
	}
}

// TestCompletionAndMan: the scripts and the man page are generated from
// the CLI itself and work: bash completes commands, flags and their
// values; the man page is troff groff accepts without a warning.
func TestCompletionAndMan(t *testing.T) {
	t.Parallel()
	scripts := map[string]string{}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		r := runCLI(nil, "completion", sh)
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "bundle") || !strings.Contains(r.stdout, "redact-hosts") {
			t.Fatalf("completion %s:\n%s", sh, r)
		}
		scripts[sh] = r.stdout
	}
	if !strings.HasPrefix(scripts["zsh"], "#compdef neo4j-doctor\n") || !strings.Contains(scripts["fish"], "complete -c neo4j-doctor") {
		t.Errorf("zsh or fish script has the wrong shape")
	}
	if r := runCLI(nil, "completion", "tcsh"); r.code != 3 || !strings.Contains(r.stderr, "hint: neo4j-doctor completion bash|zsh|fish") {
		t.Errorf("an unknown shell:\n%s", r)
	}
	if r := runCLI(nil, "--help"); strings.Contains(r.stdout, "completion") || strings.Contains(r.stdout, "   man ") {
		t.Errorf("completion and man are for packagers and stay out of --help:\n%s", r.stdout)
	}

	script := filepath.Join(t.TempDir(), "neo4j-doctor.bash")
	if err := os.WriteFile(script, []byte(scripts["bash"]), 0o644); err != nil {
		t.Fatal(err)
	}
	complete := func(words ...string) []string {
		t.Helper()
		prog := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _neo4j_doctor; printf '%s\n' "${COMPREPLY[@]}"`
		cmd := exec.Command("bash", append([]string{"--norc", "-c", prog, "bash", script}, words...)...)
		cmd.Dir = t.TempDir() // file names complete too: none here
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("bash completion of %q: %v\n%s", words, err, out)
		}
		return strings.Fields(string(out))
	}
	for _, tc := range []struct {
		words []string
		want  []string
	}{
		{[]string{"neo4j-doctor", "bu"}, []string{"bundle"}},
		{[]string{"neo4j-doctor", "bundle", "--red"}, []string{"--redact-hosts"}},
		{[]string{"neo4j-doctor", "--format", "j"}, []string{"json", "junit"}},
		{[]string{"neo4j-doctor", "check", "--skip", "q"}, []string{"query"}},
		{[]string{"neo4j-doctor", "demo", "wrong-"}, []string{"wrong-hostname", "wrong-password"}},
		{[]string{"neo4j-doctor", "report", "--"}, []string{"--color", "--format", "--help", "--verbose"}},
	} {
		got := complete(tc.words...)
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("completing %q: %q, want %q", tc.words, got, tc.want)
		}
	}

	man := runCLI(nil, "man")
	if man.code != 0 || !strings.HasPrefix(man.stdout, ".nh\n.TH neo4j-doctor 1") || !strings.Contains(man.stdout, "bundle") || !strings.Contains(man.stdout, "redact-hosts") {
		t.Fatalf("man:\n%.400s", man.stdout)
	}
	groff, err := exec.LookPath("groff")
	if err != nil {
		return // the shape is checked above; rendering needs groff
	}
	cmd := exec.Command(groff, "-k", "-man", "-Tutf8", "-ww", "-z") // -k: UTF-8 input, as man(1) reads it
	cmd.Stdin = strings.NewReader(man.stdout)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) != 0 {
		t.Errorf("groff warns about the man page: %v\n%s", err, out)
	}
}

// TestBundleAuraFileRedacted: an Aura credentials file names the instance
// in its file name and AURA_INSTANCEID; with --redact-hosts neither is in
// the bundle.
func TestBundleAuraFileRedacted(t *testing.T) {
	t.Parallel()
	inst := startScenario(t, "healthy-single")
	path := writeFile(t, auraFileName, auraHeader+"NEO4J_URI="+inst.URI+"\nNEO4J_USERNAME=neo4j\nNEO4J_PASSWORD="+inst.Password+"\nAURA_INSTANCEID=0a1b2c3d\n")
	out := filepath.Join(t.TempDir(), "case.json")
	r := runCLI(nil, "bundle", "--redact-hosts", "--dns-server", inst.DNSServer, "-o", out, path)
	if r.code != 0 {
		t.Fatalf("want a pass:\n%s", r)
	}
	data := readBundleFile(t, out)
	for _, s := range bundleStrings(t, data) {
		if strings.Contains(s, "0a1b2c3d") || strings.Contains(s, scenarios.DemoDomain) {
			t.Errorf("the instance or its host is still in %q", s)
		}
	}
	if !bytes.Contains(data, []byte("Neo4j-host-2-Created-2026-11-25.txt NEO4J_URI")) {
		t.Errorf("the file name lost more than the instance id")
	}
}
