package cli

import (
	"flag"
	"fmt"

	ucli "github.com/urfave/cli/v2"
)

// urfave/cli v2 keeps the --help and --version flags and the version
// printer in package variables, and each App.Run writes to what they hold:
// BoolFlag.Apply records its default in the flag itself, and a subcommand
// without a help subcommand gets urfave's one shared help command, whose
// fields its setup then sets. Two runs in one process (the tests run many
// at once) would race on them. So the variables are set once, here, to
// flags that applying does not write to, and every command brings its own
// help subcommand (helpSubcommand); nothing else of urfave's is shared
// between runs.
func init() {
	ucli.HelpFlag = &sharedBoolFlag{ucli.BoolFlag{Name: "help", Aliases: []string{"h"}, Usage: "show help", DisableDefaultText: true}}
	ucli.VersionFlag = &sharedBoolFlag{ucli.BoolFlag{Name: "version", Usage: "print the version, commit and build date"}}
	ucli.VersionPrinter = func(cCtx *ucli.Context) {
		v, c, d := buildInfo()
		fmt.Fprintf(cCtx.App.Writer, "neo4j-doctor %s (commit %s, built %s)\n", v, c, d)
	}
}

// sharedBoolFlag is a BoolFlag that any number of runs may apply at once:
// Apply defines it in the run's own flag set and writes nothing to the
// flag. Everything else (its help line included) is the BoolFlag's.
type sharedBoolFlag struct{ ucli.BoolFlag }

func (f *sharedBoolFlag) Apply(set *flag.FlagSet) error {
	for _, name := range f.Names() {
		set.Bool(name, false, f.Usage)
	}
	return nil
}

// helpSubcommand is `neo4j-doctor COMMAND help [TOPIC]`, as urfave's own
// help command does it for a command without subcommands, but one per
// command and run (see init). It is hidden, as urfave's is from the
// completions and the man page.
func helpSubcommand() *ucli.Command {
	return &ucli.Command{
		Name:      "help",
		Aliases:   []string{"h"},
		Usage:     "Shows a list of commands or help for one command",
		ArgsUsage: "[command]",
		Hidden:    true,
		HideHelp:  true,
		Action: func(cCtx *ucli.Context) error {
			parent := cCtx.Lineage()[1]
			if topic := cCtx.Args().First(); topic != "" {
				return ucli.ShowCommandHelp(parent, topic)
			}
			tmpl := parent.Command.CustomHelpTemplate
			if tmpl == "" {
				tmpl = ucli.CommandHelpTemplate
			}
			ucli.HelpPrinter(cCtx.App.Writer, tmpl, parent.Command)
			return nil
		},
	}
}
