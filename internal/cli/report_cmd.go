package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/neo4j-doctor/neo4j-doctor/internal/fileerr"

	ucli "github.com/urfave/cli/v2"

	"github.com/neo4j-doctor/neo4j-doctor/bundle"
	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

func (r *runner) reportCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "report",
		Usage:     "show a support bundle's run again, exactly as its user saw it",
		UsageText: "neo4j-doctor report [--format FORMAT] [--verbose] BUNDLE",
		Description: "Renders the report inside a bundle written by neo4j-doctor bundle (or a report written\n" +
			"with --format json) in any format, with the version that wrote it in the header. stderr says\n" +
			"whose run it was; stdout is what the user saw. The exit code is the run's own (0, 1 or 2),\n" +
			"or 3, with one error: line saying what is wrong and where, when the file is not one it can read:\n" +
			"not JSON, cut short, of another bundleVersion or schemaVersion, or with a key missing, unknown\n" +
			"or of the wrong type.",
		ArgsUsage: "BUNDLE",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "format", Value: "text", Usage: orList(report.FormatNames())},
			&ucli.BoolFlag{Name: "verbose", Usage: "also show the evidence of passing checks and every member's own checks"},
			&ucli.StringFlag{Name: "color", Value: "auto", Usage: "colour: auto, always or never (auto honours NO_COLOR)"},
		},
		OnUsageError: func(_ *ucli.Context, err error, _ bool) error {
			return &usageError{msg: err.Error(), hint: "see neo4j-doctor report --help"}
		},
		Action: r.reportAction,
	}
}

const readHint = "neo4j-doctor report takes a file written by neo4j-doctor bundle -o FILE (or --format json)"

func (r *runner) reportAction(cCtx *ucli.Context) error {
	if cCtx.NArg() != 1 {
		return &usageError{msg: fmt.Sprintf("expected one bundle file, got %d arguments", cCtx.NArg()), hint: "neo4j-doctor report BUNDLE"}
	}
	format := cCtx.String("format")
	if _, ok := report.LookupFormat(format); !ok {
		return &usageError{msg: fmt.Sprintf("--format %q is not a format", format), hint: formatHint()}
	}
	streams, err := r.colorStreams(cCtx)
	if err != nil {
		return err
	}
	path := cCtx.Args().First()
	data, err := readBundle(path)
	if err != nil {
		return err
	}
	rep, tool, err := decodeBundle(data, streams)
	if err != nil {
		hint := readHint
		if v := (*report.VersionError)(nil); errors.As(err, &v) && v.Got != "" {
			hint = "it was written by another release of neo4j-doctor: read it with that release (its tool.version says which)"
		}
		return &usageError{msg: fmt.Sprintf("%s is not a neo4j-doctor bundle or report: %v", path, firstLine(err.Error())), hint: hint}
	}
	if err := render(streams.Out, format, rep, report.Options{Tool: tool, Verbose: cCtx.Bool("verbose"), Color: streams.OutColor, Width: streams.Width}); err != nil {
		return err
	}
	return &exitError{code: rep.ExitCode}
}

// decodeBundle reads a bundle, or failing that a plain JSON report, and
// says on stderr whose run a bundle holds.
func decodeBundle(data []byte, streams report.Streams) (*checks.Report, report.ToolInfo, error) {
	b, berr := bundle.Read(data)
	if berr == nil {
		t := b.Tool
		report.BundleOrigin(streams.Err, t.Name+" "+t.Version, t.Commit, b.Environment.OS+"/"+b.Environment.Arch, b.CreatedAt,
			b.Redactions.Hosts, streams.ErrColor)
		return b.Report, b.ReportTool, nil
	}
	rep, tool, rerr := report.Decode(data)
	if rerr == nil {
		return rep, tool, nil
	}
	// Say why it is not what it looks like. Short of one JSON object,
	// bundle and report say the same: say it once, as neither.
	if t := bytes.TrimLeft(data, " \t\r\n"); !json.Valid(data) || t[0] != '{' {
		if inner := errors.Unwrap(berr); inner != nil {
			return nil, report.ToolInfo{}, inner
		}
		return nil, report.ToolInfo{}, berr
	}
	// An object without a bundleVersion but with a schemaVersion is a
	// broken report.
	var bv, rv *report.VersionError
	if errors.As(berr, &bv) && bv.Got == "" {
		if errors.As(rerr, &rv) && rv.Got == "" {
			return nil, report.ToolInfo{}, errors.New("neither a bundle (no bundleVersion) nor a report (no schemaVersion)")
		}
		return nil, report.ToolInfo{}, rerr
	}
	return nil, report.ToolInfo{}, berr
}

func readBundle(path string) ([]byte, error) {
	bad := func(err error) error {
		return &usageError{msg: fmt.Sprintf("cannot read bundle %s: %v", path, fileerr.Cause(err)), hint: readHint}
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, bad(err)
	case st.IsDir():
		return nil, bad(errors.New("it is a directory"))
	case !st.Mode().IsRegular():
		// A FIFO without a writer would block forever.
		return nil, bad(errors.New("it is not a regular file"))
	case st.Size() > bundle.MaxSize:
		return nil, bad(fmt.Errorf("%d bytes is more than a bundle can be", st.Size()))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, bad(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, bundle.MaxSize+1))
	if err != nil {
		return nil, bad(err)
	}
	return data, nil
}
