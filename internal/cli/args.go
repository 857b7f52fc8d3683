package cli

import (
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// interspersed moves flags that follow positional arguments in front of
// them, because urfave/cli v2 stops parsing flags at the first argument and
// people write `neo4j-doctor Neo4j-x.txt --format json`. "--" ends flags.
func interspersed(args []string, flags []ucli.Flag) []string {
	fl, pos := split(args, flags)
	return append(fl, pos...)
}

// split separates flags (with their values) from positional arguments.
func split(args []string, flags []ucli.Flag) (fl, pos []string) {
	takesValue := map[string]bool{}
	for _, f := range flags {
		dv, ok := f.(ucli.DocGenerationFlag)
		for _, n := range f.Names() {
			takesValue[n] = ok && dv.TakesValue()
		}
	}
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
	return fl, pos
}

// reorder applies interspersed to argv after the command name. Flags
// written before a subcommand (`neo4j-doctor --format json demo`) are moved
// after it, so the subcommand honours them or rejects them as unknown.
func reorder(argv []string, app *ucli.App) []string {
	if len(argv) < 2 {
		return argv
	}
	fl, pos := split(argv[1:], app.Flags)
	if len(pos) > 0 {
		for _, c := range app.Commands {
			if pos[0] == c.Name {
				// Only what precedes the command's name is split by the
				// root's flags; what follows is the command's, and a value
				// of a flag the root does not know (serve --listen ADDR)
				// must not be taken for an argument.
				k := 1
				for ; k < len(argv); k++ {
					if _, p := split(argv[1:k+1], app.Flags); len(p) > 0 {
						break
					}
				}
				tail := append(append([]string(nil), argv[1:k]...), argv[k+1:]...)
				return append([]string{argv[0], c.Name}, interspersed(tail, c.Flags)...)
			}
		}
	}
	return append(append([]string{argv[0]}, fl...), pos...)
}
