package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// Set by the release build with -ldflags "-X main.version=…".
var (
	version = ""
	commit  = ""
	date    = ""
)

func buildInfo() (v, c, d string) {
	v, c, d = version, commit, date
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value
			case s.Key == "vcs.time" && d == "":
				d = s.Value
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	if c == "" {
		c = "unknown"
	}
	if d == "" {
		d = "unknown"
	}
	return v, c, d
}

const exitHelp = `EXIT CODES:
   0  healthy: every check passed (warnings allowed unless --strict)
   1  the server was reached but a check failed
   2  no response: DNS or TCP failed, or nothing answered in time
   3  no attempt: bad flags, unreadable or malformed file, invalid URI
`

// usageError is bad input found by the CLI itself: exit 3.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }

// exitError carries the exit code of a finished diagnosis.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func connectionFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "uri", Aliases: []string{"a", "address"}, Usage: "Neo4j URI, e.g. neo4j+s://<id>.databases.neo4j.io (env NEO4J_URI, then NEO4J_ADDRESS)"},
		&cli.StringFlag{Name: "username", Aliases: []string{"u"}, Usage: "user name (env NEO4J_USERNAME)"},
		&cli.StringFlag{Name: "password", Aliases: []string{"p"}, Usage: "password; prefer the environment or a file, which stay out of shell history (env NEO4J_PASSWORD)"},
		&cli.StringFlag{Name: "database", Aliases: []string{"d"}, Usage: "database (env NEO4J_DATABASE; default: the user's home database)"},
		&cli.StringFlag{Name: "ca-file", Usage: "PEM file of extra CA certificates to trust", TakesFile: true},
		&cli.IntFlag{Name: "cert-warn-days", Value: 30, Usage: "warn when the server's certificate expires within this many days"},
		&cli.StringFlag{Name: "format", Value: "text", Usage: "report format: text or json"},
		&cli.DurationFlag{Name: "timeout", Value: 5 * time.Second, Usage: "deadline for each network step"},
		&cli.StringFlag{Name: "color", Value: "auto", Usage: "colour: auto, always or never (auto honours NO_COLOR)"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing; the exit code is the answer"},
		&cli.BoolFlag{Name: "strict", Usage: "warnings fail (exit 1)"},
		&cli.StringFlag{Name: "dns-server", Usage: "resolve with this DNS server (HOST:PORT) instead of the system's, for every connection, like dig @server"},
		&cli.BoolFlag{Name: "verbose", Usage: "also show the evidence of passing checks and every member's own checks"},
	}
}

// runMu serialises run: urfave/cli v2 keeps its help and version flags in
// package globals that every App.Run writes. A process runs the CLI once,
// so this costs nothing outside tests.
var runMu sync.Mutex

func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	runMu.Lock()
	defer runMu.Unlock()
	v, c, d := buildInfo()
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version, commit and build date"}
	cli.VersionPrinter = func(cCtx *cli.Context) {
		fmt.Fprintf(cCtx.App.Writer, "neo4j-doctor %s (commit %s, built %s)\n", v, c, d)
	}
	app := &cli.App{
		Name:      "neo4j-doctor",
		Usage:     "find out why a Neo4j driver cannot connect, and how to fix it",
		UsageText: "neo4j-doctor [flags] [CONNECTION_FILE]\nneo4j-doctor check [flags] [CONNECTION_FILE]\nneo4j-doctor demo [--list | --serve] [SCENARIO]",
		Description: "Walks DNS → TCP → TLS → Bolt handshake → versions → auth → routing table → every\n" +
			"cluster member → a query, and prints what passed, what failed, the evidence and the fix.\n" +
			"CONNECTION_FILE is the Aura credentials file (Neo4j-<id>-Created-<date>.txt) or any dotenv\n" +
			"file with NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE.\n" +
			"Precedence: flag, then the connection file, then the environment, then the default.\n\n" + exitHelp,
		Version:         v,
		Writer:          stdout,
		ErrWriter:       stderr,
		Flags:           connectionFlags(),
		HideHelpCommand: true,
		Action:          func(cCtx *cli.Context) error { return checkAction(cCtx, getenv) },
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return &usageError{msg: err.Error(), hint: "see neo4j-doctor --help"}
		},
		ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{
			{
				Name:      "check",
				Usage:     "diagnose a Neo4j connection (the default command)",
				ArgsUsage: "[CONNECTION_FILE]",
				Flags:     connectionFlags(),
				Action:    func(cCtx *cli.Context) error { return checkAction(cCtx, getenv) },
				OnUsageError: func(_ *cli.Context, err error, _ bool) error {
					return &usageError{msg: err.Error(), hint: "see neo4j-doctor check --help"}
				},
			},
			demoCommand(getenv),
		},
	}
	err := app.Run(reorder(args, app))
	var ee *exitError
	var ue *usageError
	var ie *checks.InputError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		report.Error(stderr, errors.New(ue.msg), ue.hint, false)
		return checks.ExitNoAttempt
	case errors.As(err, &ie):
		report.Error(stderr, errors.New(ie.Msg), ie.Hint, false)
		return checks.ExitNoAttempt
	default:
		report.Error(stderr, errors.New(firstLine(err.Error())), "see neo4j-doctor --help", false)
		return checks.ExitNoAttempt
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// options are the output choices, validated before any connection.
type options struct {
	format  string
	color   string
	quiet   bool
	strict  bool
	verbose bool
}

func outputOptions(cCtx *cli.Context) (options, error) {
	o := options{
		format: cCtx.String("format"), color: cCtx.String("color"),
		quiet: cCtx.Bool("quiet"), strict: cCtx.Bool("strict"), verbose: cCtx.Bool("verbose"),
	}
	switch o.format {
	case "text", "json":
	default:
		return o, &usageError{msg: fmt.Sprintf("--format %q is not a format", o.format), hint: "--format takes text or json"}
	}
	switch o.color {
	case "auto", "always", "never":
	default:
		return o, &usageError{msg: fmt.Sprintf("--color %q is not a choice", o.color), hint: "--color takes auto, always or never"}
	}
	if d := cCtx.Int("cert-warn-days"); d < 0 {
		return o, &usageError{msg: fmt.Sprintf("--cert-warn-days %d is negative", d), hint: "--cert-warn-days takes a number of days, 0 or more"}
	}
	if t := cCtx.Duration("timeout"); t <= 0 {
		return o, &usageError{msg: fmt.Sprintf("--timeout %s is not positive", t), hint: "--timeout takes a duration such as 5s or 500ms"}
	}
	return o, nil
}

func targetFromCLI(cCtx *cli.Context, getenv func(string) string) (*checks.Target, error) {
	if cCtx.NArg() > 1 {
		return nil, &usageError{msg: fmt.Sprintf("expected at most one connection file, got %d arguments", cCtx.NArg()), hint: "put flags before the file: neo4j-doctor [flags] [CONNECTION_FILE]"}
	}
	in := checks.Inputs{
		Flags:        map[string]string{},
		File:         cCtx.Args().First(),
		Env:          getenv,
		CAFile:       cCtx.String("ca-file"),
		Timeout:      cCtx.Duration("timeout"),
		DNSServer:    cCtx.String("dns-server"),
		CertWarnDays: cCtx.Int("cert-warn-days"),
	}
	for _, name := range []string{"uri", "username", "password", "database"} {
		if cCtx.IsSet(name) {
			in.Flags[name] = cCtx.String(name)
		}
	}
	if in.CertWarnDays == 0 {
		in.CertWarnDays = -1 // --cert-warn-days 0: never warn
	}
	if s := in.DNSServer; s != "" {
		addr, err := dnsServerAddr(s)
		if err != nil {
			return nil, err
		}
		in.DNSServer = addr
	}
	return checks.Resolve(in)
}

func checkAction(cCtx *cli.Context, getenv func(string) string) error {
	o, err := outputOptions(cCtx)
	if err != nil {
		return err
	}
	t, err := targetFromCLI(cCtx, getenv)
	if err != nil {
		return err
	}
	v, _, _ := buildInfo()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep := checks.Diagnose(ctx, t, &checks.Env{Version: v}, checks.Options{Strict: o.strict})
	return emit(cCtx.App.Writer, rep, o, getenv)
}

func emit(w io.Writer, rep *checks.Report, o options, getenv func(string) string) error {
	if o.quiet {
		return &exitError{code: rep.ExitCode}
	}
	v, _, _ := buildInfo()
	var err error
	switch o.format {
	case "json":
		err = report.JSON(w, rep, report.ToolInfo{Name: "neo4j-doctor", Version: v})
	default:
		err = report.Text(w, rep, report.TextOptions{
			Version: v, Verbose: o.verbose,
			Color: report.ColorEnabled(o.color, w, getenv),
		})
	}
	if err != nil {
		return err
	}
	return &exitError{code: rep.ExitCode}
}

// dnsServerAddr validates --dns-server: HOST or HOST:PORT, port 53 by default.
func dnsServerAddr(s string) (string, error) {
	bad := &usageError{msg: fmt.Sprintf("--dns-server %q is not HOST or HOST:PORT", s), hint: "--dns-server takes an address such as 1.1.1.1, 1.1.1.1:53 or [2606:4700::1111]:53"}
	if strings.Count(s, "[") != strings.Count(s, "]") {
		return "", bad
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		if strings.Contains(s, ":") && net.ParseIP(strings.Trim(s, "[]")) == nil {
			return "", bad
		}
		host, port = strings.Trim(s, "[]"), "53"
	}
	n, err := strconv.Atoi(port)
	if host == "" || err != nil || n < 1 || n > 65535 || strings.ContainsAny(host, " /@") {
		return "", bad
	}
	return net.JoinHostPort(host, port), nil
}
