package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed moves flags that follow positional arguments in front of
// them, because urfave/cli v2 stops parsing flags at the first argument and
// people write `neo4j-doctor Neo4j-x.txt --format json`. "--" ends flags.
func interspersed(args []string, flags []cli.Flag) []string {
	takesValue := map[string]bool{}
	for _, f := range flags {
		dv, ok := f.(cli.DocGenerationFlag)
		for _, n := range f.Names() {
			takesValue[n] = ok && dv.TakesValue()
		}
	}
	var fl, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && a != "-":
			fl = append(fl, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && takesValue[name] && i+1 < len(args) {
				i++
				fl = append(fl, args[i])
			}
		default:
			pos = append(pos, a)
		}
	}
	return append(fl, pos...)
}

// reorder applies interspersed to the part of argv after the command name
// (and the subcommand, if one is named).
func reorder(argv []string, app *cli.App) []string {
	if len(argv) < 2 {
		return argv
	}
	out := []string{argv[0]}
	rest := argv[1:]
	flags := app.Flags
	for _, c := range app.Commands {
		if rest[0] == c.Name {
			out = append(out, c.Name)
			rest = rest[1:]
			flags = c.Flags
			break
		}
	}
	return append(out, interspersed(rest, flags)...)
}
