package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// ListChecks writes --list-checks: one line per check in the order they
// run, with the checks it needs (a check whose need failed or was left
// out is skipped) and what it checks. The ids are the values --checks and
// --skip take. A check's Doc is Markdown for the README; the backticks of
// its code spans are dropped here.
func ListChecks(w io.Writer, docs []checks.CheckDoc) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "check\tneeds\twhat it checks")
	for _, d := range docs {
		needs := strings.Join(d.Needs, ", ")
		if needs == "" {
			needs = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", clean(d.ID), clean(needs), clean(strings.ReplaceAll(d.Doc, "`", "")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}
