package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/report"
	"github.com/neo4j-doctor/neo4j-doctor/watch"
)

// minInterval is the shortest --interval: each run opens a connection to
// every cluster member, so a shorter one would load a cluster that is
// already in trouble for no new information. The tests watch fixture
// clusters at this pace.
const minInterval = 100 * time.Millisecond

const defaultInterval = 5 * time.Second

const watchDescription = "Runs the whole diagnosis every --interval (default 5s) and prints a line only when\n" +
	"something changes: a check's status (with its code and summary), the writer (A → B, or\n" +
	"none), a member up or down, the routing table's members, a run slower than usual (more than\n" +
	"3× the median of the last 20 runs and 100ms more than it). The first run prints the state it\n" +
	"found in one or two lines. On Ctrl-C, or when --for is over, it prints a summary: runs and\n" +
	"the share that passed and that had a writer, each window without a writer (start, length; one\n" +
	"still open at the end says so), the leader changes, failures by step with their codes, the\n" +
	"slowest run.\n" +
	"Each run is a full diagnosis on new connections, closed when the run ends: watch holds no\n" +
	"connection open between runs. --interval is at least 100ms.\n" +
	"--format json writes one JSON object per line: a start, a change per change, a summary\n" +
	"(report/schema/watch.v1.schema.json).\n\n" +
	`EXIT CODES:
   The worst (highest) exit code of any run, however the watch ended:
   0  every run was healthy (warnings allowed unless --strict)
   1  in some run the server was reached but a check failed
   2  in some run there was no response: DNS or TCP failed, or nothing answered in time
   3  no attempt: bad flags, unreadable or malformed file, invalid URI
`

func watchFlags() []ucli.Flag {
	var out []ucli.Flag
	for _, f := range connectionFlags() {
		switch f.Names()[0] {
		case "verbose":
			continue
		case "format":
			f = &ucli.StringSliceFlag{Name: "format", Usage: "text or json (one object per line)", DefaultText: "text"}
		}
		out = append(out, f)
	}
	return append(out,
		&ucli.DurationFlag{Name: "interval", Value: defaultInterval, Usage: "from one run's start to the next's; at least 100ms"},
		&ucli.DurationFlag{Name: "for", Usage: "stop after this `DURATION` and print the summary", DefaultText: "until Ctrl-C"},
	)
}

func (r *runner) watchCommand() *ucli.Command {
	return &ucli.Command{
		Name:        "watch",
		Usage:       "diagnose again and again, print a line when something changes, then a summary",
		ArgsUsage:   "[CONNECTION_FILE]",
		Description: watchDescription,
		Flags:       watchFlags(),
		OnUsageError: func(_ *ucli.Context, err error, _ bool) error {
			return &usageError{msg: err.Error(), hint: "see neo4j-doctor watch --help"}
		},
		Action: r.watchAction,
	}
}

// watchSettings are watch's own flags, checked before any connection.
type watchSettings struct {
	format   string
	interval time.Duration
	limit    time.Duration // --for; 0: until Ctrl-C
}

func watchOptions(cCtx *ucli.Context) (watchSettings, error) {
	return checkWatch(cCtx.StringSlice("format"), cCtx.Duration("interval"), cCtx.Duration("for"))
}

// checkWatch checks --format, --interval and --for; format "" is text.
func checkWatch(format []string, interval, limit time.Duration) (watchSettings, error) {
	ws := watchSettings{format: "text", interval: interval, limit: limit}
	formats := splitList(format)
	switch {
	case len(formats) > 1:
		return ws, &usageError{msg: fmt.Sprintf("watch writes one --format, got %d", len(formats)), hint: "--format text or --format json"}
	case len(formats) == 1 && !slices.Contains(report.WatchFormats(), formats[0]):
		return ws, &usageError{msg: fmt.Sprintf("--format %q is not a format watch writes", formats[0]), hint: "--format text or --format json (one JSON object per line)"}
	case len(formats) == 1:
		ws.format = formats[0]
	}
	if ws.interval < minInterval {
		return ws, &usageError{msg: fmt.Sprintf("--interval %s is below %s", ws.interval, minInterval),
			hint: "each run connects to every member: take --interval 100ms or more (default 5s)"}
	}
	if ws.limit < 0 {
		return ws, &usageError{msg: fmt.Sprintf("--for %s is negative", ws.limit), hint: "--for takes a duration such as 10m, or leave it out to watch until Ctrl-C"}
	}
	return ws, nil
}

func (r *runner) watchAction(cCtx *ucli.Context) error {
	ws, err := watchOptions(cCtx)
	if err != nil {
		return err
	}
	o, err := r.outputOptions(cCtx)
	if err != nil {
		return err
	}
	t, err := r.targetFromCLI(cCtx)
	if err != nil {
		return err
	}
	ctx, stop := r.interruptContext()
	defer stop()
	return r.watch(ctx, t, o, ws)
}

// interruptContext ends on Ctrl-C or SIGTERM, or when the test that runs
// the CLI closes r.interrupt.
func (r *runner) interruptContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if r.interrupt == nil {
		return ctx, stop
	}
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-r.interrupt:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(); stop() }
}

// watch runs the watch and returns the worst run's exit code as an
// *exitError. The demo calls it for a scenario shown with watch.
func (r *runner) watch(ctx context.Context, t *checks.Target, o options, ws watchSettings) error {
	v, _, _ := buildInfo()
	var out io.Writer = o.streams.Out
	if o.quiet {
		out = io.Discard
	}
	rend, _ := report.NewWatch(ws.format, out, report.Options{Tool: report.ToolInfo{Version: v}, Color: o.streams.OutColor, Width: o.streams.Width})
	start := time.Now()
	if err := rend.Header(report.WatchHeader{Tool: report.ToolInfo{Version: v}, Target: t.Info, Interval: ws.interval, For: ws.limit, Started: start}); err != nil {
		return err
	}
	tr := watch.NewTracker(start)
	var werr error
	mem := o.memory()
	interrupted := watch.Watch(ctx, watch.Options{Interval: ws.interval, For: ws.limit}, func(ctx context.Context) *checks.Report {
		env := machineEnv(v, r.getenv)
		env.Memory = mem
		return checks.Diagnose(ctx, t, env, checks.Options{Strict: o.strict, Only: o.only, Skip: o.skip})
	}, func(run watch.Run) {
		if err := rend.Run(run, tr.Observe(run)); err != nil && werr == nil {
			werr = err
		}
	})
	if werr != nil {
		return werr
	}
	s := tr.Summary(time.Now(), interrupted)
	if err := rend.Summary(s); err != nil {
		return err
	}
	return &exitError{code: s.ExitCode}
}
