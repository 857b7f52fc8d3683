package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
)

func demoFlags() []ucli.Flag {
	var out []ucli.Flag
	for _, f := range connectionFlags() {
		switch f.Names()[0] {
		case "format", "color", "quiet", "strict", "verbose", "impersonate", "write-probe", "idle-probe":
			out = append(out, f)
		}
	}
	return append(out,
		&ucli.BoolFlag{Name: "list", Usage: "name the scenarios"},
		&ucli.BoolFlag{Name: "serve", Usage: "keep the scenario's servers running and print their URIs until interrupted"},
		&ucli.DurationFlag{Name: "interval", Usage: "a scenario shown with watch (leader-switch): the time between runs instead of the scenario's", DefaultText: "the scenario's"},
		&ucli.DurationFlag{Name: "for", Usage: "a scenario shown with watch (leader-switch): how long to watch instead of the scenario's", DefaultText: "the scenario's"},
	)
}

func (r *runner) demoCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "demo",
		Usage:     "start Bolt servers in-process on loopback and diagnose them (default: a healthy 3-member cluster)",
		ArgsUsage: "[SCENARIO]",
		Flags:     demoFlags(),
		OnUsageError: func(_ *ucli.Context, err error, _ bool) error {
			return &usageError{msg: err.Error(), hint: "see neo4j-doctor demo --help"}
		},
		Action: func(cCtx *ucli.Context) error {
			out := r.streams.Out
			if cCtx.Bool("list") {
				return listScenarios(out)
			}
			o, err := r.outputOptions(cCtx)
			if err != nil {
				return err
			}
			name := scenarios.Scenarios()[0].Name
			if cCtx.NArg() > 1 {
				return &usageError{msg: "expected at most one scenario", hint: "neo4j-doctor demo --list names them"}
			}
			if cCtx.NArg() == 1 {
				name = cCtx.Args().First()
			}
			sc, ok := scenarios.LookupScenario(name)
			if !ok {
				return &usageError{msg: fmt.Sprintf("no demo scenario %q", name), hint: "neo4j-doctor demo --list names them"}
			}
			// --write-probe and --impersonate, checked before any server
			// starts; they add to what the scenario itself asks for.
			extra := checks.Inputs{Flags: map[string]string{}}
			if err := accessInputs(cCtx, &extra); err != nil {
				return err
			}
			if err := idleInputs(cCtx, &extra); err != nil {
				return err
			}
			inst, err := sc.Start()
			if err != nil {
				return err
			}
			defer inst.Close()
			inst.WriteProbe = inst.WriteProbe || extra.WriteProbe
			if extra.Impersonate != "" {
				inst.Impersonate = extra.Impersonate
			}
			if extra.IdleProbe != nil {
				inst.IdleProbe = extra.IdleProbe
			}
			if cCtx.Bool("serve") {
				return serve(out, inst)
			}
			t, err := demoTarget(inst)
			if err != nil {
				return err
			}
			if sc.Watched != nil {
				return r.demoWatch(cCtx, inst, t, o)
			}
			v, _, _ := buildInfo()
			// Ctrl-C during an idle probe prints what is known so far.
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			// The demo's servers run in this process: the machine's proxy
			// variables apply to them, a container does not separate them.
			rep := checks.Diagnose(ctx, t, &checks.Env{Version: v, Getenv: r.getenv}, o.checkOptions())
			return r.emit(rep, o)
		},
	}
}

func listScenarios(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range scenarios.Scenarios() {
		fmt.Fprintf(tw, "%s\t%s\t(expect %s, exit %d)\n", s.Name, s.Description, s.Expect.Verdict, s.Expect.Exit)
	}
	return tw.Flush()
}

// demoTarget builds the target exactly as the CLI would from flags, so the
// demo exercises the same precedence and validation.
func demoTarget(inst *scenarios.Instance) (*checks.Target, error) {
	return checks.Resolve(inst.Inputs())
}

// demoWatch shows a scenario that changes with watch: its changes start
// for one round, each state held until a run has seen it, and watch runs
// with the scenario's --interval and --for (or the flags').
func (r *runner) demoWatch(cCtx *ucli.Context, inst *scenarios.Instance, t *checks.Target, o options) error {
	w := inst.Scenario.Watched
	interval, limit := w.Interval, w.For
	if cCtx.IsSet("interval") {
		interval = cCtx.Duration("interval")
	}
	if cCtx.IsSet("for") {
		limit = cCtx.Duration("for")
	}
	ws, err := checkWatch(cCtx.StringSlice("format"), interval, limit)
	if err != nil {
		return err
	}
	// Served 2: a state lasts until the seed has answered two routing
	// tables since the change before, so some run read it.
	if _, err := inst.Change(w.Unit, fixtures.ScheduleOptions{Rounds: 1, Served: 2}); err != nil {
		return err
	}
	ctx, stop := r.interruptContext()
	defer stop()
	return r.watch(ctx, t, o, ws)
}

func serve(w io.Writer, inst *scenarios.Instance) error {
	if sc := inst.Scenario; sc.Watched != nil {
		if _, err := inst.Change(sc.Watched.Unit, fixtures.ScheduleOptions{Rounds: fixtures.Forever}); err != nil {
			return err
		}
	}
	serveInfo(w, inst)
	fmt.Fprintf(w, "\nserving until interrupted (Ctrl-C)\n")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}

// serveInfo prints what demo --serve started and the command that
// diagnoses it, with the flags the scenario is shown with. A bearer
// token is not printed: the command reads it from the file that holds it.
func serveInfo(w io.Writer, inst *scenarios.Instance) {
	sc := inst.Scenario
	fmt.Fprintf(w, "scenario   %s: %s\n", sc.Name, sc.Description)
	fmt.Fprintf(w, "uri        %s\n", inst.URI)
	fmt.Fprintf(w, "servers    %s\n", strings.Join(inst.Servers, ", "))
	fmt.Fprintf(w, "dns        %s (names under .%s resolve only here)\n", inst.DNSServer, scenarios.DemoDomain)
	args := []string{"neo4j-doctor", "--dns-server", inst.DNSServer, "--uri", inst.URI}
	env := "NEO4J_PASSWORD=" + scenarios.DemoPassword
	if inst.BearerToken != "" {
		// The token is not printed: it is in a file, as a mounted secret.
		fmt.Fprintf(w, "token      %s (a bearer token made for the demo, for user %s)\n", inst.BearerTokenFile, scenarios.DemoAppUser)
		env = `NEO4J_BEARER_TOKEN="$(cat ` + inst.BearerTokenFile + `)"`
	} else {
		fmt.Fprintf(w, "user       %s (the demo's fixed password is %q)\n", inst.Username, scenarios.DemoPassword)
		args = append(args, "-u", inst.Username)
	}
	if inst.CAFile != "" {
		fmt.Fprintf(w, "ca file    %s\n", inst.CAFile)
		args = append(args, "--ca-file", inst.CAFile)
	}
	if inst.Database != "" {
		args = append(args, "-d", inst.Database)
	}
	if inst.Timeout > 0 && inst.Timeout != 5*time.Second {
		// A scenario that waits on silence is shown with a short step
		// timeout, so the diagnosis ends in seconds.
		args = append(args, "--timeout", inst.Timeout.String())
	}
	args = append(args, inst.Args()...)
	if wt := sc.Watched; wt != nil {
		fmt.Fprintf(w, "\nit changes for as long as it is served; watch it from another terminal:\n  %s %s watch --interval %s %s\n",
			env, args[0], wt.Interval, strings.Join(args[1:], " "))
		return
	}
	fmt.Fprintf(w, "\ndiagnose it from another terminal:\n  %s %s\n", env, strings.Join(args, " "))
}
