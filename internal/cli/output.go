package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/internal/fileerr"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// formatHint is the hint for a --format that is not one: "--format takes
// text or json, or junit, github or markdown for CI".
func formatHint() string {
	var people, ci []string
	for _, f := range report.Formats() {
		if f.CI {
			ci = append(ci, f.Name)
		} else {
			people = append(people, f.Name)
		}
	}
	return "--format takes " + orList(people) + ", or " + orList(ci) + " for CI"
}

// fleetFormatNames are the formats `check --targets` writes.
func fleetFormatNames() []string {
	var names []string
	for _, f := range report.Formats() {
		if f.HasFleet() {
			names = append(names, f.Name)
		}
	}
	return names
}

// orList writes names as a list for people: "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

const outputHint = "give one -o FILE per --format, in the same order (-o - is stdout): --format junit -o report.xml"

// output is one rendering of the report and where it goes.
type output struct {
	format string
	path   string // "-": stdout
}

// planOutputs pairs --format values with -o values by position: the n-th
// format is written to the n-th output. Without -o there is one format
// and it goes to stdout, as always. With -o, stdout still carries the text
// report unless an output is "-" (stdout), so the terminal or the CI log
// keeps the checklist while files get the machine formats.
func planOutputs(formatList, paths []string) ([]output, error) {
	if len(formatList) == 0 {
		formatList = []string{"text"}
	}
	for _, f := range formatList {
		if _, ok := report.LookupFormat(f); !ok {
			return nil, &usageError{msg: fmt.Sprintf("--format %q is not a format", f), hint: formatHint()}
		}
	}
	switch {
	case len(paths) == 0 && len(formatList) == 1:
		return []output{{format: formatList[0], path: "-"}}, nil
	case len(paths) == 0:
		return nil, &usageError{msg: fmt.Sprintf("%d formats but no -o to write them to", len(formatList)), hint: outputHint}
	case len(paths) != len(formatList):
		return nil, &usageError{msg: fmt.Sprintf("%d --format values but %d -o values", len(formatList), len(paths)), hint: outputHint}
	}
	var plan []output
	seen := map[string]bool{}
	stdout := false
	for i, p := range paths {
		if p == "" {
			return nil, &usageError{msg: "-o is empty", hint: outputHint}
		}
		if p == "-" {
			stdout = true
		} else {
			key := filepath.Clean(p)
			if seen[key] {
				return nil, &usageError{msg: fmt.Sprintf("-o %s is given twice", p), hint: "each format needs its own file"}
			}
			seen[key] = true
		}
		plan = append(plan, output{format: formatList[i], path: p})
	}
	if !stdout {
		plan = append([]output{{format: "text", path: "-"}}, plan...)
	}
	return plan, nil
}

// openFile is an output file being written. A regular file (or a new
// one) is written to a temporary file beside it and renamed into place
// once complete, so a CI step reading it never sees half a report; a
// device or pipe (/dev/stderr) is written in place.
type openFile struct {
	path string
	f    *os.File
	tmp  bool
}

// outputs is the plan with its files open: made before the diagnosis so
// that a path that cannot be written is bad input (exit 3), not a lost
// report after a long --wait.
type outputs struct {
	plan    []output
	files   map[int]*openFile // by index in plan
	summary *os.File          // GITHUB_STEP_SUMMARY, with --format github
}

func openOutputs(plan []output, getenv func(string) string) (*outputs, error) {
	o := &outputs{plan: plan, files: map[int]*openFile{}}
	github := false
	for i, out := range plan {
		github = github || out.format == "github"
		if out.path == "-" {
			continue
		}
		of, err := openOutput(out.path)
		if err != nil {
			o.abort()
			return nil, &usageError{msg: fmt.Sprintf("cannot write -o %s: %v", out.path, fileerr.Cause(err)), hint: "-o takes a file in a directory that exists and is writable, or - for stdout"}
		}
		o.files[i] = of
	}
	if p := getenv("GITHUB_STEP_SUMMARY"); github && p != "" {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			o.abort()
			return nil, &usageError{msg: fmt.Sprintf("cannot append the job summary to GITHUB_STEP_SUMMARY %s: %v", p, fileerr.Cause(err)), hint: "unset GITHUB_STEP_SUMMARY outside GitHub Actions, or point it at a writable file"}
		}
		o.summary = f
	}
	return o, nil
}

func openOutput(path string) (*openFile, error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return nil, errors.New("it is a directory")
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return &openFile{path: path, f: f}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &openFile{path: path, f: f, tmp: true}, nil
}

// write renders rep once per output, in the order of the plan, to stdout
// (opts.streams.Out) or its file. With quiet nothing goes to stdout; files
// and the job summary are still written, since they were asked for by
// name.
func (o *outputs) write(rep *checks.Report, opts options) error {
	v, _, _ := buildInfo()
	tool := report.ToolInfo{Name: "neo4j-doctor", Version: v}
	for i, out := range o.plan {
		w, color, width := opts.streams.Out, opts.streams.OutColor, opts.streams.Width
		if of := o.files[i]; of != nil {
			w, color, width = of.f, opts.streams.ColorFor(of.f), opts.streams.WidthFor(of.f)
		} else if opts.quiet {
			continue
		}
		var b bytes.Buffer
		if err := render(&b, out.format, rep, report.Options{Tool: tool, Verbose: opts.verbose, Color: color, Width: width}); err != nil {
			return err
		}
		if _, err := w.Write(b.Bytes()); err != nil {
			if of := o.files[i]; of != nil {
				return &usageError{msg: fmt.Sprintf("cannot write -o %s: %v", of.path, fileerr.Cause(err)), hint: "check the free space and permissions there"}
			}
			return err
		}
		if of := o.files[i]; of != nil {
			if err := of.finish(); err != nil {
				return &usageError{msg: fmt.Sprintf("cannot write -o %s: %v", of.path, fileerr.Cause(err)), hint: "check the free space and permissions there"}
			}
			delete(o.files, i)
		}
	}
	if o.summary != nil {
		var b bytes.Buffer
		if err := report.Markdown(&b, rep, tool); err != nil {
			return err
		}
		b.WriteString("\n")
		_, err := o.summary.Write(b.Bytes())
		if cerr := o.summary.Close(); err == nil {
			err = cerr
		}
		o.summary = nil
		if err != nil {
			return &usageError{msg: fmt.Sprintf("cannot append the job summary to GITHUB_STEP_SUMMARY: %v", fileerr.Cause(err)), hint: "check the free space and permissions there"}
		}
	}
	return nil
}

// render writes rep in the format named format, which planOutputs or the
// report command checked.
func render(w io.Writer, format string, rep *checks.Report, o report.Options) error {
	f, ok := report.LookupFormat(format)
	if !ok {
		return fmt.Errorf("no format %q", format)
	}
	return f.Render(w, rep, o)
}

// finish completes a file: a temporary file is made readable like any
// file the user creates and renamed over the destination.
func (of *openFile) finish() error {
	if !of.tmp {
		return of.f.Close()
	}
	err := of.f.Chmod(0o644)
	if cerr := of.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(of.f.Name(), of.path)
	}
	if err != nil {
		_ = os.Remove(of.f.Name())
	}
	return err
}

// abort closes what write did not finish and removes temporary files, so
// a failed or interrupted run leaves the destination as it was.
func (o *outputs) abort() {
	if o == nil {
		return
	}
	for i, of := range o.files {
		_ = of.f.Close()
		if of.tmp {
			_ = os.Remove(of.f.Name())
		}
		delete(o.files, i)
	}
	if o.summary != nil {
		_ = o.summary.Close()
		o.summary = nil
	}
}

// splitList flattens a repeatable comma-list flag (--checks a,b --checks
// c) into trimmed, non-empty values.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for s := range strings.SplitSeq(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
