package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/fleet"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

func targetsFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "targets", Usage: "diagnose every target of this YAML `FILE` concurrently: a summary table (failures first, the healthy targets one count line; --verbose lists them), then the reports of those that did not pass; the exit code is the worst", TakesFile: true}
}

// targetsExcludes are the flags that describe one target: with --targets
// the file describes every target, so each is refused with the key that
// replaces it (defaults: applies it to every target).
var targetsExcludes = []struct{ flag, key string }{
	{"uri", "uri:"},
	{"username", "username:"},
	{"password", "passwordEnv: or passwordFile:"},
	{"bearer-token", "bearerTokenEnv: or bearerTokenFile:"},
	{"impersonate", "impersonate:"},
	{"write-probe", "writeProbe: true"},
	{"idle-probe", "idleProbe: [30s, 2m]"},
	{"http-uri", "httpUri:"},
	{"database", "database:"},
	{"ca-file", "caFile:"},
	{"cert-warn-days", "certWarnDays:"},
	{"timeout", "timeout:"},
	{"dns-server", "dnsServer:"},
	{"all-databases", ""},
	{"output", ""},
	{"wait", ""},
	{"wait-all", ""},
}

// targetsAction is `check --targets FILE`.
func (r *runner) targetsAction(cCtx *ucli.Context) error {
	path := cCtx.String("targets")
	if cCtx.NArg() > 0 {
		return &usageError{msg: "a connection file and --targets together", hint: "put the connection in the targets file (neo4j-doctor check --targets FILE), or drop --targets"}
	}
	for _, x := range targetsExcludes {
		if !cCtx.IsSet(x.flag) {
			continue
		}
		hint := "--" + x.flag + " is not available with --targets"
		if x.key != "" {
			hint = fmt.Sprintf("set %s in the targets file, for one target or under defaults: for all", x.key)
		}
		return &usageError{msg: fmt.Sprintf("--%s and --targets together", x.flag), hint: hint}
	}
	name := "text"
	if fs := splitList(cCtx.StringSlice("format")); len(fs) > 1 {
		return &usageError{msg: "several --format values with --targets", hint: "--targets writes one format to stdout: " + orList(fleetFormatNames())}
	} else if len(fs) == 1 {
		name = fs[0]
	}
	format, ok := report.LookupFormat(name)
	if !ok || !format.HasFleet() {
		return &usageError{msg: fmt.Sprintf("--format %q is not a format for --targets", name), hint: "--targets writes " + orList(fleetFormatNames())}
	}
	streams, err := r.colorStreams(cCtx)
	if err != nil {
		return err
	}
	only, skip := splitList(cCtx.StringSlice("checks")), splitList(cCtx.StringSlice("skip"))
	if _, err := checks.LeftOut(only, skip); err != nil {
		return err
	}
	f, err := fleet.Load(path, r.getenv)
	if err != nil {
		return err
	}
	v, _, _ := buildInfo()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	env := machineEnv(v, r.getenv)
	if !cCtx.Bool("no-cache") {
		// Targets on one cluster share its servers' version lists and TLS
		// sessions.
		env.Memory = checks.NewMemory(nil)
	}
	res, err := fleet.Diagnose(ctx, f, fleet.Options{
		Env: env, Strict: cCtx.Bool("strict"), Getenv: r.getenv, Only: only, Skip: skip,
		NoPipelining: cCtx.Bool("no-pipelining"),
	})
	if err != nil {
		return err
	}
	if cCtx.Bool("quiet") {
		return &exitError{code: res.ExitCode}
	}
	err = format.RenderFleet(streams.Out, res, report.Options{
		Tool: report.ToolInfo{Name: "neo4j-doctor", Version: v}, Verbose: cCtx.Bool("verbose"), Color: streams.OutColor, Width: streams.Width,
	})
	if err != nil {
		return fmt.Errorf("writing the report: %s", strings.TrimPrefix(err.Error(), "report: "))
	}
	return &exitError{code: res.ExitCode}
}
