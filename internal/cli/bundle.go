package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/internal/fileerr"

	ucli "github.com/urfave/cli/v2"

	"github.com/neo4j-doctor/neo4j-doctor/bundle"
	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

const bundleHint = "neo4j-doctor bundle [flags] [CONNECTION_FILE] -o FILE"

func (r *runner) bundleCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "bundle",
		Usage:     "diagnose, and write everything the run saw to one JSON file for support, with no secret in it",
		UsageText: bundleHint,
		Description: "Runs the same diagnosis as check and prints its report, then writes a support bundle:\n" +
			"the report, every step's raw evidence (handshake bytes, the certificate chain as PEM,\n" +
			"routing tables as received, the Bolt transcript, server failures, timings, and the same\n" +
			"for each cluster member) and this machine's environment (build, OS, resolv.conf, matching\n" +
			"hosts entries, proxy variables). The password, URI credentials and bearer tokens are never\n" +
			"written; --redact-hosts also replaces host names and addresses with stable pseudonyms.\n" +
			"neo4j-doctor report FILE shows the run again. The exit code is the diagnosis's, or 3 when\n" +
			"the bundle cannot be written.",
		ArgsUsage: "[CONNECTION_FILE]",
		Flags: append(connectionFlags(),
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the bundle to `FILE` (- is stdout, and then the report is not printed)", TakesFile: true},
			&ucli.BoolFlag{Name: "redact-hosts", Usage: "replace host names and IP addresses with stable pseudonyms (host-1, private-ip-2, ...) and leave certificates out"},
		),
		OnUsageError: func(_ *ucli.Context, err error, _ bool) error {
			return &usageError{msg: err.Error(), hint: "see neo4j-doctor bundle --help"}
		},
		Action: r.bundleAction,
	}
}

func (r *runner) bundleAction(cCtx *ucli.Context) error {
	path := cCtx.String("output")
	if path == "" {
		return &usageError{msg: "bundle needs -o FILE", hint: "write it with " + bundleHint}
	}
	if f := splitList(cCtx.StringSlice("format")); len(f) > 1 {
		// -o is the bundle here, so there is no second output to pair
		// a format with; report renders the bundle in any format later.
		return &usageError{msg: fmt.Sprintf("bundle prints the report in one --format, not %d", len(f)), hint: "render the bundle in other formats afterwards: neo4j-doctor report --format junit FILE"}
	}
	o, err := r.outputOptions(cCtx)
	if err != nil {
		return err
	}
	t, err := r.targetFromCLI(cCtx)
	if err != nil {
		return err
	}
	t.ListVersions = true // a bundle carries every piece of evidence
	// The file is created before the diagnosis, so a path that cannot be
	// written is bad input, not a run thrown away.
	var dest *bundleFile
	if path != "-" {
		if dest, err = openBundleFile(path); err != nil {
			return &usageError{msg: fmt.Sprintf("cannot write -o %s: %v", path, fileerr.Cause(err)), hint: "-o takes a file in a directory that exists and is writable"}
		}
		defer dest.discard()
	}
	v, c, d := buildInfo()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep := checks.Diagnose(ctx, t, machineEnv(v, r.getenv), o.checkOptions())
	data, sum, err := bundle.Build(rep, bundle.Options{
		Tool:        bundle.Tool{Name: "neo4j-doctor", Version: v, Commit: c, Date: d},
		Password:    t.Password,
		BearerToken: t.BearerToken,
		RedactHosts: cCtx.Bool("redact-hosts"),
		Env:         bundle.EnvSource{Getenv: r.getenv},
	})
	if err == nil && dest == nil {
		if _, err := o.streams.Out.Write(data); err != nil {
			return err
		}
		return &exitError{code: rep.ExitCode}
	}
	if err == nil {
		if werr := dest.commit(data); werr != nil {
			return &usageError{msg: fmt.Sprintf("cannot write -o %s: %v", path, fileerr.Cause(werr)), hint: "check the free space and permissions there"}
		}
	}
	// The report is printed even when the bundle could not be made: the
	// diagnosis itself is sound.
	result := r.emit(rep, o)
	if err != nil {
		hint := "this is a bug in neo4j-doctor: please report it (without the bundle)"
		if !errors.Is(err, bundle.ErrSecret) {
			hint = "please report it; the report above is the whole diagnosis"
		}
		return &usageError{msg: "the bundle was not written: " + err.Error(), hint: hint}
	}
	if !o.quiet {
		info := report.BundleInfo{
			Path: path, Bytes: sum.Bytes, Checks: sum.Checks, Members: sum.Members, Frames: sum.Frames,
			Certificates: sum.Certificates, Failures: sum.Failures, HostsRedacted: sum.Redactions.Hosts,
			PasswordScan: sum.Redactions.PasswordScan,
		}
		for _, c := range sum.Redactions.Counts {
			info.Redacted = append(info.Redacted, fmt.Sprintf("%s %d", c.Kind, c.Count))
		}
		report.BundleWritten(o.streams.Err, info, o.streams.ErrColor)
	}
	return result
}

// bundleFile is the bundle being written: a temporary file beside the
// destination, renamed into place once complete, readable by its owner
// only, as it describes the user's infrastructure.
type bundleFile struct {
	path string
	f    *os.File
	done bool
}

func openBundleFile(path string) (*bundleFile, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, errors.New("it is a directory")
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+strings.TrimPrefix(filepath.Base(path), ".")+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &bundleFile{path: path, f: f}, nil
}

func (b *bundleFile) commit(data []byte) error {
	_, err := b.f.Write(data)
	if err == nil {
		err = b.f.Chmod(0o600)
	}
	if cerr := b.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(b.f.Name(), b.path)
	}
	b.done = err == nil
	return err
}

// discard removes the temporary file of a bundle that was not committed.
func (b *bundleFile) discard() {
	if b.done {
		return
	}
	_ = b.f.Close()
	_ = os.Remove(b.f.Name())
}
