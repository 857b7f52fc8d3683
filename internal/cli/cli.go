// Package cli is neo4j-doctor's command line: flags, subcommands, exit
// codes and where each output goes. The root package's main calls Run and
// nothing else; report/ renders, checks/ diagnoses.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/internal/truststore"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// Set by the release build with -ldflags
// "-X github.com/neo4j-doctor/neo4j-doctor/internal/cli.version=…" (and
// commit, date); see .goreleaser.yaml. Without them buildInfo falls back
// to what the Go toolchain recorded.
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
   With --wait the code is the last attempt's.
`

// usageError is bad input found by the CLI itself: exit 3.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg }

// exitError carries the exit code of a finished diagnosis.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func connectionFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "uri", Aliases: []string{"a", "address"}, Usage: "Neo4j URI, e.g. neo4j+s://<id>.databases.neo4j.io (env NEO4J_URI, then NEO4J_ADDRESS)"},
		&ucli.StringFlag{Name: "username", Aliases: []string{"u"}, Usage: "user name (env NEO4J_USERNAME)"},
		&ucli.StringFlag{Name: "password", Aliases: []string{"p"}, Usage: "password; prefer the environment or a file, which stay out of shell history (env NEO4J_PASSWORD)"},
		&ucli.StringFlag{Name: "bearer-token", Usage: "log in with this SSO bearer token (a JWT) instead of a user and password; prefer the environment or a file, which stay out of shell history (env NEO4J_BEARER_TOKEN)"},
		&ucli.StringFlag{Name: "database", Aliases: []string{"d"}, Usage: "database (env NEO4J_DATABASE; default: the user's home database)"},
		&ucli.BoolFlag{Name: "all-databases", Usage: "neo4j:// only: also check the status and routing table of every database the user can see (SHOW DATABASES)"},
		&ucli.StringFlag{Name: "impersonate", Usage: "run the statements as this `USER` (Bolt 4.4+; needs the IMPERSONATE privilege)"},
		&ucli.BoolFlag{Name: "write-probe", Usage: "opt in to one write, CREATE () in a transaction that is always rolled back and never committed, on the writer (neo4j://) or the server reached (bolt://): proves writes land"},
		&ucli.StringSliceFlag{Name: "idle-probe", Usage: "leave one connection idle for each `DURATION` (comma list, up to 8, e.g. 30s,2m,6m,61m), all at once, then check it still answers: the idle limit of a load balancer, NAT or firewall in between; the run takes as long as the longest"},
		&ucli.StringFlag{Name: "http-uri", Usage: "the server's HTTP(S) `URL` for the http and websocket checks, e.g. https://host:7473 (default: derived from the URI: :7474, :7473 for +s/+ssc, 443 on Aura; skipped when nothing answers there)"},
		&ucli.StringFlag{Name: "driver", Usage: "the official driver your application uses, " + orList(checks.Drivers) + ": hints also quote its setting or code (env NEO4J_DOCTOR_DRIVER)"},
		&ucli.StringFlag{Name: "ca-file", Usage: "PEM file of extra CA certificates to trust", TakesFile: true},
		&ucli.StringFlag{Name: "trust-store", Usage: "the trust store the application verifies certificates with: system, ca-file, node (NODE_EXTRA_CA_CERTS), certifi, java, or the `PATH` of a PEM bundle, a directory of PEM files or a Java keystore; the tls verdict follows it", TakesFile: true},
		&ucli.IntFlag{Name: "cert-warn-days", Value: 30, Usage: "warn when the server's certificate expires within this many days"},
		&ucli.StringSliceFlag{Name: "format", Usage: "report format: " + orList(report.FormatNames()) + "; several, each with its own -o", DefaultText: "text"},
		&ucli.DurationFlag{Name: "timeout", Value: 5 * time.Second, Usage: "deadline for each network step"},
		&ucli.BoolFlag{Name: "no-pipelining", Usage: "wait for the Bolt handshake's answer before sending HELLO, for a proxy that chokes on bytes sent ahead (costs a round trip per connection)"},
		&ucli.BoolFlag{Name: "no-cache", Usage: "with --wait, --targets or watch: start every diagnosis cold, remembering nothing from the last (routing table, version list, TLS session)"},
		&ucli.StringFlag{Name: "color", Value: "auto", Usage: "colour: auto, always or never (auto honours NO_COLOR)"},
		&ucli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing; the exit code is the answer"},
		&ucli.BoolFlag{Name: "strict", Usage: "warnings fail (exit 1)"},
		&ucli.StringFlag{Name: "dns-server", Usage: "resolve with this DNS server (HOST:PORT) instead of the system's, for every connection, like dig @server"},
		&ucli.BoolFlag{Name: "verbose", Usage: "also show the evidence of passing checks and every member's own checks, and read the server's whole Bolt version list (one more connection, without a login); with --targets, also list every healthy target's row"},
		&ucli.StringSliceFlag{Name: "checks", Usage: "run only these checks (comma list of ids) and the checks they need; see --list-checks"},
		&ucli.StringSliceFlag{Name: "skip", Usage: "leave out these checks (comma list of ids) and the checks that need them, e.g. --skip query"},
	}
}

// ciFlags are the flags of the diagnosis commands (the default and check)
// for running unattended: a health gate and files for CI dashboards.
func ciFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringSliceFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the n-th --format to the n-th `FILE` (- is stdout); the text report still goes to stdout", TakesFile: true},
		&ucli.DurationFlag{Name: "wait", Usage: "diagnose again, with backoff, until healthy or this `DURATION` has passed; stops at once on a failure that waiting does not fix"},
		&ucli.BoolFlag{Name: "wait-all", Usage: "with --wait, wait out every failure, even a wrong password or a bad certificate"},
		&ucli.BoolFlag{Name: "list-checks", Usage: "list the checks, what each needs and does, and exit"},
		targetsFlag(),
	}
}

// runner is one run of the command line: the streams it writes to and the
// environment it reads, as Run was given them. Nothing else is shared with
// other runs, so runs may overlap (the tests run many at once).
type runner struct {
	// streams are the run's stdout and stderr with their terminals; colour
	// is decided on them once, in colorStreams, by the command that runs.
	streams report.Streams
	getenv  func(string) string
	// interrupt, when not nil, ends a watch as Ctrl-C does when it is
	// closed: for tests, which cannot signal the process they share.
	interrupt <-chan struct{}
}

// machineEnv is what a diagnosis knows of this machine (see
// checks.MachineEnv). The tests replace it, so that their verdicts do
// not depend on whether they run in a container.
var machineEnv = checks.MachineEnv

// Run runs the command line args (args[0] is the program's name), writing
// to streams (report.NewStreams(os.Stdout, os.Stderr) for the program,
// report.TestStreams for tests) and reading the environment through
// getenv, and returns the exit code.
func Run(args []string, streams report.Streams, getenv func(string) string) int {
	return run(args, streams, getenv, nil)
}

// run is Run with the interrupt a test may give (see runner.interrupt).
func run(args []string, streams report.Streams, getenv func(string) string, interrupt <-chan struct{}) int {
	r := &runner{streams: streams, getenv: getenv, interrupt: interrupt}
	v, _, _ := buildInfo()
	app := &ucli.App{
		Name:      "neo4j-doctor",
		Usage:     "find out why a Neo4j driver cannot connect, and how to fix it",
		UsageText: "neo4j-doctor [flags] [CONNECTION_FILE]\nneo4j-doctor check [flags] [CONNECTION_FILE]\nneo4j-doctor watch [--interval 5s] [--for DURATION] [flags] [CONNECTION_FILE]\nneo4j-doctor demo [--list | --serve] [--write-probe] [--impersonate USER] [--driver NAME] [SCENARIO]\nneo4j-doctor check --targets FILE\nneo4j-doctor serve --targets FILE [--web.listen-address ADDRESS] [--web.config.file FILE]",
		Description: "Walks DNS → TCP → TLS → Bolt handshake → versions → auth → routing table → every\n" +
			"cluster member → access (who you are, which database you reach, whether you may write there)\n" +
			"→ a query, and prints what passed, what failed, the evidence and the fix. Nothing is written\n" +
			"unless --write-probe asks for one write, which is always rolled back.\n" +
			"CONNECTION_FILE is the Aura credentials file (Neo4j-<id>-Created-<date>.txt) or any dotenv\n" +
			"file with NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD (or NEO4J_BEARER_TOKEN), NEO4J_DATABASE.\n" +
			"Precedence: flag, then the connection file, then the environment, then the default.\n" +
			"In CI: --wait 2m waits until the server is ready (stopping at once on a wrong password or\n" +
			"certificate); --format junit, github or markdown with -o FILE writes what dashboards read.\n" +
			"During an incident or a rolling upgrade: watch diagnoses every 5s and prints what changes.\n" +
			"Words: a router hands drivers the routing table, a reader serves reads, the writer (the\n" +
			"leader) takes writes; the server in your URI is the first router a neo4j:// driver asks.\n\n" + exitHelp,
		Version:         v,
		Writer:          streams.Out,
		ErrWriter:       streams.Err,
		Flags:           append(connectionFlags(), ciFlags()...),
		HideHelpCommand: true,
		// -o takes file names, which may hold commas; the comma lists of
		// --format, --checks and --skip are split by splitList instead.
		DisableSliceFlagSeparator: true,
		Action:                    r.checkAction,
		OnUsageError: func(_ *ucli.Context, err error, _ bool) error {
			return &usageError{msg: err.Error(), hint: "see neo4j-doctor --help"}
		},
		ExitErrHandler: func(*ucli.Context, error) {},
		Commands: []*ucli.Command{
			{
				Name:      "check",
				Usage:     "diagnose a Neo4j connection (the default command)",
				ArgsUsage: "[CONNECTION_FILE]",
				Flags:     append(connectionFlags(), ciFlags()...),
				Action:    r.checkAction,
				OnUsageError: func(_ *ucli.Context, err error, _ bool) error {
					return &usageError{msg: err.Error(), hint: "see neo4j-doctor check --help"}
				},
			},
			r.watchCommand(),
			r.demoCommand(),
			r.bundleCommand(),
			r.reportCommand(),
			completionCommand(),
			manCommand(),
			r.serveCommand(),
		},
	}
	for _, c := range app.Commands {
		c.Subcommands = append(c.Subcommands, helpSubcommand()) // not urfave's shared one: see urfave.go
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
		report.Error(streams.Err, errors.New(ue.msg), ue.hint, false)
		return checks.ExitNoAttempt
	case errors.As(err, &ie):
		report.Error(streams.Err, errors.New(ie.Msg), ie.Hint, false)
		return checks.ExitNoAttempt
	default:
		report.Error(streams.Err, errors.New(firstLine(err.Error())), "see neo4j-doctor --help", false)
		return checks.ExitNoAttempt
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// colorStreams decides colour for this run, once, from --color, NO_COLOR,
// TERM and whether each stream is a terminal: the one place --color is
// read and checked. It decides the width the text report wraps at too,
// from COLUMNS and stdout's terminal.
func (r *runner) colorStreams(cCtx *ucli.Context) (report.Streams, error) {
	mode := cCtx.String("color")
	s, err := r.streams.WithColor(mode, r.getenv)
	if err != nil {
		return s, &usageError{msg: fmt.Sprintf("--color %q is not a choice", mode), hint: "--color takes auto, always or never"}
	}
	return s.WithWidth(r.getenv), nil
}

// options are the output choices, validated before any connection.
type options struct {
	plan    []output       // --format and -o, paired
	outs    *outputs       // plan with its files open; nil until checkAction opens them
	streams report.Streams // stdout and stderr, colour decided
	quiet   bool
	strict  bool
	verbose bool
	wait    time.Duration // --wait; 0: one attempt
	waitAll bool
	only    []string // --checks
	skip    []string // --skip
	noCache bool     // --no-cache
}

// memory is what the diagnoses of one command remember of each other
// (--wait's attempts, watch's runs, --targets' targets): nil with
// --no-cache.
func (o options) memory() *checks.Memory {
	if o.noCache {
		return nil
	}
	return checks.NewMemory(nil)
}

// checkOptions are the diagnosis's options: --strict, --checks, --skip,
// and the idle probe's progress on stderr unless --quiet.
func (o options) checkOptions() checks.Options {
	opts := checks.Options{Strict: o.strict, Only: o.only, Skip: o.skip}
	if !o.quiet {
		opts.IdleProgress = report.NewIdleProgress(o.streams.Err, o.streams.ErrColor).Event
	}
	return opts
}

func (r *runner) outputOptions(cCtx *ucli.Context) (options, error) {
	o := options{
		quiet: cCtx.Bool("quiet"), strict: cCtx.Bool("strict"), verbose: cCtx.Bool("verbose"),
		wait: cCtx.Duration("wait"), waitAll: cCtx.Bool("wait-all"),
		only: splitList(cCtx.StringSlice("checks")), skip: splitList(cCtx.StringSlice("skip")),
		noCache: cCtx.Bool("no-cache"),
	}
	plan, err := planOutputs(splitList(cCtx.StringSlice("format")), cCtx.StringSlice("output"))
	if err != nil {
		return o, err
	}
	o.plan = plan
	if _, err := checks.LeftOut(o.only, o.skip); err != nil {
		return o, err
	}
	if o.wait < 0 {
		return o, &usageError{msg: fmt.Sprintf("--wait %s is negative", o.wait), hint: "--wait takes a duration such as 60s or 2m"}
	}
	if o.waitAll && o.wait == 0 {
		return o, &usageError{msg: "--wait-all without --wait", hint: "add --wait DURATION, e.g. --wait 60s --wait-all"}
	}
	if o.streams, err = r.colorStreams(cCtx); err != nil {
		return o, err
	}
	if d := cCtx.Int("cert-warn-days"); d < 0 {
		return o, &usageError{msg: fmt.Sprintf("--cert-warn-days %d is negative", d), hint: "--cert-warn-days takes a number of days, 0 or more"}
	}
	if t := cCtx.Duration("timeout"); t <= 0 {
		return o, &usageError{msg: fmt.Sprintf("--timeout %s is not positive", t), hint: "--timeout takes a duration such as 5s or 500ms"}
	}
	return o, nil
}

func (r *runner) targetFromCLI(cCtx *ucli.Context) (*checks.Target, error) {
	if cCtx.NArg() > 1 {
		return nil, &usageError{msg: fmt.Sprintf("expected at most one connection file, got %d arguments", cCtx.NArg()), hint: "put flags before the file: neo4j-doctor [flags] [CONNECTION_FILE]"}
	}
	in := checks.Inputs{
		Flags:        map[string]string{},
		File:         cCtx.Args().First(),
		Env:          r.getenv,
		CAFile:       cCtx.String("ca-file"),
		Timeout:      cCtx.Duration("timeout"),
		DNSServer:    cCtx.String("dns-server"),
		CertWarnDays: cCtx.Int("cert-warn-days"),
		AllDatabases: cCtx.Bool("all-databases"),
		NoPipelining: cCtx.Bool("no-pipelining"),
		ListVersions: cCtx.Bool("verbose"),
		Driver:       cCtx.String("driver"),
		TrustStore:   cCtx.String("trust-store"),
		TrustSearch:  r.trustSearch(),
	}
	for _, name := range []string{"uri", "username", "password", "database"} {
		if cCtx.IsSet(name) {
			in.Flags[name] = cCtx.String(name)
		}
	}
	if err := accessInputs(cCtx, &in); err != nil {
		return nil, err
	}
	if err := idleInputs(cCtx, &in); err != nil {
		return nil, err
	}
	if err := httpInputs(cCtx, &in); err != nil {
		return nil, err
	}
	if in.CertWarnDays == 0 {
		in.CertWarnDays = -1 // --cert-warn-days 0: never warn
	}
	if s := in.DNSServer; s != "" {
		addr, ok := checks.DNSServerAddr(s)
		if !ok {
			return nil, &usageError{msg: fmt.Sprintf("--dns-server %q is not HOST or HOST:PORT", s), hint: "--dns-server takes an address such as 1.1.1.1, 1.1.1.1:53 or [2606:4700::1111]:53"}
		}
		in.DNSServer = addr
	}
	t, err := checks.Resolve(in)
	if err != nil {
		return nil, err
	}
	if err := checks.OptedIn(t, splitList(cCtx.StringSlice("checks"))); err != nil {
		return nil, err
	}
	return t, nil
}

func (r *runner) checkAction(cCtx *ucli.Context) error {
	if cCtx.Bool("list-checks") {
		return report.ListChecks(r.streams.Out, checks.CheckDocs())
	}
	if cCtx.IsSet("targets") {
		return r.targetsAction(cCtx)
	}
	o, err := r.outputOptions(cCtx)
	if err != nil {
		return err
	}
	if o.wait > 0 && cCtx.IsSet("idle-probe") {
		return &usageError{msg: "--idle-probe and --wait together", hint: "wait for the server first (--wait), then run the idle probe on its own: each attempt would wait out every idle time"}
	}
	t, err := r.targetFromCLI(cCtx)
	if err != nil {
		return err
	}
	if o.outs, err = openOutputs(o.plan, r.getenv); err != nil {
		return err
	}
	defer o.outs.abort()
	v, _, _ := buildInfo()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var mem *checks.Memory // one diagnosis remembers nothing
	if o.wait > 0 {
		mem = o.memory()
	}
	diagnose := func(ctx context.Context) *checks.Report {
		env := machineEnv(v, r.getenv)
		env.TrustSearch = r.trustSearch()
		env.Memory = mem
		return checks.Diagnose(ctx, t, env, o.checkOptions())
	}
	var rep *checks.Report
	if o.wait <= 0 {
		rep = diagnose(ctx)
	} else {
		var progress *report.WaitProgress
		if !o.quiet {
			progress = report.NewWaitProgress(o.streams.Err, o.streams.ErrColor)
		}
		rep = newWaiter(o.wait, o.waitAll, progress).run(ctx, diagnose)
	}
	return r.emit(rep, o)
}

// emit writes every output o asks for and returns the report's exit code
// as an *exitError. The demo calls it without opening o's files first.
func (r *runner) emit(rep *checks.Report, o options) error {
	outs := o.outs
	if outs == nil {
		plan := o.plan
		if plan == nil {
			plan = []output{{format: "text", path: "-"}}
		}
		var err error
		if outs, err = openOutputs(plan, r.getenv); err != nil {
			return err
		}
	}
	defer outs.abort()
	if err := outs.write(rep, o); err != nil {
		return err
	}
	return &exitError{code: rep.ExitCode}
}

// defaultTrustSearch is where the doctor looks for the trust stores
// applications use; the tests replace it, so that none reads this
// machine's own stores.
var defaultTrustSearch = truststore.Default

// trustSearch is defaultTrustSearch reading the runner's environment.
func (r *runner) trustSearch() *truststore.Search {
	s := defaultTrustSearch()
	if s.Getenv != nil {
		s.Getenv = r.getenv
	}
	return &s
}
