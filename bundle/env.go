package bundle

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Environment is what the machine that ran the diagnosis looked like, as
// far as it bears on connecting to Neo4j.
type Environment struct {
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	GoVersion string `json:"goVersion"`
	Time      string `json:"time"`     // when the bundle was written, local time with its offset (RFC 3339)
	TimeZone  string `json:"timeZone"` // the zone's name, e.g. "CET" or "UTC"
	// ClockOffset is this machine's clock against the server's, where
	// something said the server's time.
	ClockOffset ClockOffset `json:"clockOffset"`
	ResolvConf  ResolvConf  `json:"resolvConf"`
	Hosts       HostsFile   `json:"hosts"`
	// Proxy lists the proxy variables that are set, with their values
	// reduced to scheme, host and port. Bolt drivers do not use HTTP
	// proxies, but a set HTTPS_PROXY often means a TLS-inspecting proxy
	// is in the way.
	Proxy []ProxyVar `json:"proxy"`
}

// ClockOffset is unknown unless a server said its time.
type ClockOffset struct {
	Known bool     `json:"known"`
	Ms    *float64 `json:"ms"` // local minus server, when known
	Why   string   `json:"why"`
}

// ResolvConf is the system resolver's configuration.
type ResolvConf struct {
	Path        string   `json:"path"`
	Nameservers []string `json:"nameservers"`
	Search      []string `json:"search"`
	Options     []string `json:"options"`
	Error       string   `json:"error"` // why it could not be read; "" when it was
}

// HostsFile is the hosts file's entries for the names this run looked up.
type HostsFile struct {
	Path    string       `json:"path"`
	Entries []HostsEntry `json:"entries"`
	Error   string       `json:"error"`
}

// HostsEntry is one line of the hosts file that names a host of the run.
type HostsEntry struct {
	Line    int      `json:"line"`
	Address string   `json:"address"`
	Names   []string `json:"names"`
}

// ProxyVar is one proxy-related environment variable.
type ProxyVar struct {
	Name  string `json:"name"`
	Value string `json:"value"` // scheme://host:port, or the NO_PROXY list; credentials, paths and queries removed
	// Removed says what was taken out of the value: "credentials",
	// "path", or "" for nothing.
	Removed []string `json:"removed"`
}

// ProxyVars are the variables Go, curl and most tools read for proxies.
var ProxyVars = []string{"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy"}

// maxEnvFile bounds resolv.conf and hosts: both are a few kilobytes.
const maxEnvFile = 1 << 20

// EnvSource is where Environment comes from; tests substitute each part.
type EnvSource struct {
	Getenv     func(string) string // nil: nothing is set
	ResolvConf string              // "" = /etc/resolv.conf
	HostsFile  string              // "" = the system's hosts file
	Now        func() time.Time    // nil = time.Now
}

// collectEnvironment describes this machine. names are the host names the
// run looked up, for picking the hosts-file entries that matter.
func collectEnvironment(src EnvSource, names []string, n counter) Environment {
	if src.Getenv == nil {
		src.Getenv = func(string) string { return "" }
	}
	if src.Now == nil {
		src.Now = time.Now
	}
	now := src.Now()
	zone, _ := now.Zone()
	env := Environment{
		OS: runtime.GOOS, Arch: runtime.GOARCH, GoVersion: runtime.Version(),
		Time: now.Format(time.RFC3339Nano), TimeZone: zone,
		ClockOffset: ClockOffset{Why: "unknown: Bolt never sends the server's time, and TLS 1.2/1.3 servers send random bytes where TLS once had a timestamp; compare `date -u` on both machines if certificate dates look wrong"},
		ResolvConf:  readResolvConf(src.ResolvConf),
		Hosts:       readHosts(src.HostsFile, names),
		Proxy:       []ProxyVar{},
	}
	for _, name := range ProxyVars {
		v := src.Getenv(name)
		if v == "" {
			continue
		}
		pv := ProxyVar{Name: name, Removed: []string{}}
		if strings.EqualFold(name, "NO_PROXY") {
			pv.Value = v // host names and CIDRs, no credentials
		} else {
			pv.Value, pv.Removed = proxyValue(v)
			for _, r := range pv.Removed {
				if r == "credentials" {
					n.add(KindProxyCreds, 1)
				}
			}
		}
		env.Proxy = append(env.Proxy, pv)
	}
	return env
}

// proxyValue keeps scheme, host and port: the rest (user info, a path or a
// query, which some proxies use for tokens) is dropped and said to be.
func proxyValue(v string) (string, []string) {
	raw := strings.TrimSpace(v)
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		// Unparseable text may be anything, a password included.
		return "(not a URL; not shown)", []string{"value"}
	}
	removed := []string{}
	if u.User != nil {
		removed = append(removed, "credentials")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		removed = append(removed, "path")
	}
	out := url.URL{Scheme: u.Scheme, Host: u.Host}
	if !strings.Contains(v, "://") {
		return u.Host, removed
	}
	return out.String(), removed
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxEnvFile))
}

func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

func readResolvConf(path string) ResolvConf {
	rc := ResolvConf{Path: path, Nameservers: []string{}, Search: []string{}, Options: []string{}}
	if path == "" {
		if runtime.GOOS == "windows" {
			rc.Error = "Windows has no resolv.conf: run ipconfig /all for its DNS servers"
			return rc
		}
		rc.Path = "/etc/resolv.conf"
	}
	data, err := readLimited(rc.Path)
	if err != nil {
		rc.Error = errText(err)
		return rc
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || strings.HasPrefix(f[0], "#") || strings.HasPrefix(f[0], ";") {
			continue
		}
		switch f[0] {
		case "nameserver":
			rc.Nameservers = append(rc.Nameservers, f[1])
		case "search", "domain":
			rc.Search = append(rc.Search, f[1:]...)
		case "options":
			rc.Options = append(rc.Options, f[1:]...)
		}
	}
	return rc
}

func hostsPath() string {
	if runtime.GOOS == "windows" {
		root := os.Getenv("SystemRoot")
		if root == "" {
			root = `C:\Windows`
		}
		return filepath.Join(root, "System32", "drivers", "etc", "hosts")
	}
	return "/etc/hosts"
}

// readHosts returns the hosts-file lines that name one of names: the
// entries that override DNS for this run.
func readHosts(path string, names []string) HostsFile {
	hf := HostsFile{Path: path, Entries: []HostsEntry{}}
	if hf.Path == "" {
		hf.Path = hostsPath()
	}
	want := map[string]bool{}
	for _, n := range names {
		if net.ParseIP(n) == nil && n != "" {
			want[strings.ToLower(strings.TrimSuffix(n, "."))] = true
		}
	}
	data, err := readLimited(hf.Path)
	if err != nil {
		hf.Error = errText(err)
		return hf
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(text)
		if len(f) < 2 || net.ParseIP(f[0]) == nil {
			continue
		}
		for _, n := range f[1:] {
			if want[strings.ToLower(strings.TrimSuffix(n, "."))] {
				hf.Entries = append(hf.Entries, HostsEntry{Line: line, Address: f[0], Names: f[1:]})
				break
			}
		}
	}
	return hf
}
