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

	ucli "github.com/urfave/cli/v2"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
)

func demoFlags() []ucli.Flag {
	var out []ucli.Flag
	for _, f := range connectionFlags() {
		switch f.Names()[0] {
		case "format", "color", "quiet", "strict", "verbose", "impersonate", "write-probe", "http-uri":
			out = append(out, f)
		}
	}
	return append(out,
		&ucli.BoolFlag{Name: "list", Usage: "name the scenarios"},
		&ucli.BoolFlag{Name: "serve", Usage: "keep the scenario's servers running and print their URIs until interrupted"},
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
			if err := httpInputs(cCtx, &extra); err != nil {
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
			if extra.HTTPURI != "" {
				inst.HTTPURI = extra.HTTPURI
			}
			if cCtx.Bool("serve") {
				return serve(out, inst)
			}
			t, err := demoTarget(inst)
			if err != nil {
				return err
			}
			v, _, _ := buildInfo()
			rep := checks.Diagnose(context.Background(), t, &checks.Env{Version: v}, checks.Options{Strict: o.strict})
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

func serve(w io.Writer, inst *scenarios.Instance) error {
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
	args = append(args, inst.Args()...)
	fmt.Fprintf(w, "\ndiagnose it from another terminal:\n  %s %s\n", env, strings.Join(args, " "))
}
