package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v2"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
)

func demoFlags() []ucli.Flag {
	var out []ucli.Flag
	for _, f := range connectionFlags() {
		switch f.Names()[0] {
		case "format", "color", "quiet", "strict", "verbose", "impersonate", "write-probe", "idle-probe", "http-uri", "driver":
			out = append(out, f)
		}
	}
	return append(out,
		&ucli.BoolFlag{Name: "list", Usage: "name the scenarios"},
		&ucli.BoolFlag{Name: "serve", Usage: "keep the scenario's servers running on 127.0.0.1 for any client (an application, a driver) and print how to connect, until interrupted; with --format json one JSON object"},
		&ucli.IntFlag{Name: "port", Usage: "with --serve: the entry's port (the URI's), so an application's configuration can stay put", DefaultText: "a free port"},
		&ucli.BoolFlag{Name: "names", Usage: "with --serve: keep the demo's names (resolved only by its DNS server: for the doctor with --dns-server, or /etc/hosts lines) instead of 127.0.0.1"},
		&ucli.StringFlag{Name: "ca-out", Usage: "with --serve: also write the CA to trust to this file (a TLS scenario that has one: not self-signed, not a plaintext one)", TakesFile: true},
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
			if err := httpInputs(cCtx, &extra); err != nil {
				return err
			}
			driver, err := r.demoDriver(cCtx)
			if err != nil {
				return err
			}
			var inst *scenarios.Instance
			if cCtx.Bool("serve") {
				inst, err = serveStart(cCtx, sc)
			} else {
				err = serveOnly(cCtx)
				if err == nil {
					inst, err = sc.Start()
				}
			}
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
			if extra.HTTPURI != "" {
				inst.HTTPURI = extra.HTTPURI
			}
			if cCtx.Bool("serve") {
				return serve(out, inst, cCtx.StringSlice("format"), cCtx.String("ca-out"))
			}
			t, err := demoTarget(inst, driver)
			if err != nil {
				return err
			}
			t.ListVersions = cCtx.Bool("verbose")
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
		fmt.Fprintf(tw, "%s\t%s\t(expect %s, exit %d; %s)\n", s.Name, s.Description, s.Expect.Verdict, s.Expect.Exit, listDrivers(s))
	}
	return tw.Flush()
}

// listDrivers is what the official drivers raise against the scenario
// served (demo --serve): see scenarios.DriverErrors.
func listDrivers(s scenarios.Scenario) string {
	d := s.Expect.Drivers
	switch {
	case s.Watched != nil:
		return "drivers: depends on the moment"
	case d.JavaScript == "" && d.Go == "":
		return "drivers pass"
	}
	return fmt.Sprintf("JavaScript: %s, Go: %s", orPass(d.JavaScript), orPass(d.Go))
}

// demoTarget builds the target exactly as the CLI would from flags, so the
// demo exercises the same precedence and validation.
func demoTarget(inst *scenarios.Instance, driver string) (*checks.Target, error) {
	in := inst.Inputs()
	in.Driver = driver
	return checks.Resolve(in)
}

// demoDriver is --driver, else NEO4J_DOCTOR_DRIVER, checked before any
// server starts; "" for none.
func (r *runner) demoDriver(cCtx *ucli.Context) (string, error) {
	from, value := "--driver", cCtx.String("driver")
	if value == "" {
		from, value = "NEO4J_DOCTOR_DRIVER", r.getenv("NEO4J_DOCTOR_DRIVER")
	}
	if value == "" {
		return "", nil
	}
	return checks.ParseDriver(from, value)
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
