package report

import (
	"fmt"
	"io"
	"strings"
)

// BundleInfo is what a support bundle holds, for the lines below. It is
// plain data so that report/ needs nothing from package bundle.
type BundleInfo struct {
	Path          string // where it was written; "" for stdout
	Bytes         int
	Checks        int
	Members       int
	Frames        int      // Bolt messages in the transcripts
	Certificates  int      // certificates in the TLS chains
	Failures      int      // server FAILURE messages
	HostsRedacted bool     // --redact-hosts
	Redacted      []string // "kind N", in the bundle's order
	PasswordScan  string   // "passed", or why not
}

// BundleWritten is the stderr line after `neo4j-doctor bundle`: where the
// bundle went, how big it is, what is in it and what was taken out, e.g.
//
//	bundle: wrote case.json (41.2 KiB): report (10 checks, 3 members), 57 Bolt messages, 0 certificates, 1 server failure, environment; redacted: host-name 31, ip-address 12; password scan passed
func BundleWritten(w io.Writer, b BundleInfo, color bool) {
	p := newPalette(color)
	where := "stdout"
	if b.Path != "" {
		where = clean(b.Path)
	}
	redacted := "nothing needed redacting"
	if len(b.Redacted) > 0 {
		redacted = "redacted: " + clean(strings.Join(b.Redacted, ", "))
	}
	if b.HostsRedacted {
		redacted += " (host names and addresses are pseudonyms)"
	}
	scan := "password scan " + clean(b.PasswordScan)
	if b.PasswordScan != "passed" {
		scan = "password scan " + clean(strings.SplitN(b.PasswordScan, ":", 2)[0])
	}
	s := fmt.Sprintf("%s wrote %s (%s): report (%s, %s), %s, %s, %s, environment; %s; %s\n",
		paint(p.dim, "bundle:"), where, formatBytes(b.Bytes), bundlePlural(b.Checks, "check"), bundlePlural(b.Members, "member"),
		bundlePlural(b.Frames, "Bolt message"), bundlePlural(b.Certificates, "certificate"), bundlePlural(b.Failures, "server failure"), redacted, scan)
	_, _ = io.WriteString(w, s)
}

// BundleOrigin is the stderr line before `neo4j-doctor report BUNDLE`
// renders a bundle, saying whose run it is; stdout then carries exactly
// what the user saw.
func BundleOrigin(w io.Writer, tool, commit, platform, created string, hostsRedacted bool, color bool) {
	p := newPalette(color)
	s := fmt.Sprintf("%s a run by %s (commit %s) on %s, written %s", paint(p.dim, "bundle:"), clean(tool), clean(commit), clean(platform), clean(created))
	if hostsRedacted {
		s += "; host names and addresses are pseudonyms"
	}
	_, _ = io.WriteString(w, oneLine(s)+"\n")
}

func bundlePlural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func formatBytes(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1024*1024))
}
