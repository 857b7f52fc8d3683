//go:build !urfave_cli_no_docs

package cli

import (
	"io"

	ucli "github.com/urfave/cli/v2"
)

// manCommand prints the man page; scripts/gen-docs.sh runs it for the
// release archives. Release binaries are built with urfave_cli_no_docs,
// which drops urfave/cli's Markdown and troff writers (about 250 KB and
// half a millisecond of package init); see man_nodocs.go.
func manCommand() *ucli.Command {
	return &ucli.Command{
		Name:   "man",
		Usage:  "print the man page (troff, section 1)",
		Hidden: true,
		Action: func(cCtx *ucli.Context) error {
			s, err := cCtx.App.ToManWithSection(1)
			if err != nil {
				return err
			}
			_, err = io.WriteString(cCtx.App.Writer, s)
			return err
		},
	}
}
