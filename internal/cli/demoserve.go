package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// serveOnly refuses the flags of --serve without it.
func serveOnly(cCtx *ucli.Context) error {
	for _, f := range []string{"port", "names", "ca-out"} {
		if cCtx.IsSet(f) {
			return &usageError{msg: "--" + f + " is for demo --serve", hint: "add --serve: neo4j-doctor demo --serve --" + f + " ... SCENARIO"}
		}
	}
	return nil
}

// serveStart checks the flags of demo --serve and starts the scenario
// for any client.
func serveStart(cCtx *ucli.Context, sc scenarios.Scenario) (*scenarios.Instance, error) {
	if _, err := serveFormat(cCtx.StringSlice("format")); err != nil {
		return nil, err
	}
	port := cCtx.Int("port")
	if port < 0 || port > 65535 {
		return nil, &usageError{msg: fmt.Sprintf("--port %d is not a TCP port", port), hint: "--port takes 1 to 65535, e.g. --port 7687"}
	}
	inst, err := sc.Serve(scenarios.ServeOptions{Port: port, Names: cCtx.Bool("names")})
	if errors.Is(err, scenarios.ErrNoPort) {
		return nil, &usageError{msg: fmt.Sprintf("scenario %s takes no --port: its entry is a proxy on a free port", sc.Name), hint: "leave --port out; the URI printed names the port"}
	}
	if err != nil && port != 0 {
		return nil, &usageError{msg: fmt.Sprintf("cannot serve on port %d: %v", port, err), hint: "pick a free port, or leave --port out"}
	}
	return inst, err
}

// serveFormat is demo --serve's format: text (the default) or json.
func serveFormat(formats []string) (string, error) {
	f := splitList(formats)
	switch {
	case len(f) == 0:
		return "text", nil
	case len(f) == 1 && (f[0] == "text" || f[0] == "json"):
		return f[0], nil
	}
	return "", &usageError{msg: fmt.Sprintf("demo --serve prints text or json, not %s", strings.Join(f, ",")), hint: "use --format json for one JSON object a program can read, or leave --format out"}
}

func serve(w io.Writer, inst *scenarios.Instance, formats []string, caOut string) error {
	if sc := inst.Scenario; sc.Watched != nil {
		if _, err := inst.Change(sc.Watched.Unit, fixtures.ScheduleOptions{Rounds: fixtures.Forever}); err != nil {
			return err
		}
	}
	if caOut != "" && inst.CAFile != "" {
		pem, err := os.ReadFile(inst.CAFile)
		if err == nil {
			err = os.WriteFile(caOut, pem, 0o644)
		}
		if err != nil {
			return &usageError{msg: fmt.Sprintf("--ca-out: %v", err), hint: "give a file in a directory you can write"}
		}
		inst.CAFile = caOut
	}
	if f, _ := serveFormat(formats); f == "json" {
		if err := report.WriteServed(w, serveDoc(inst)); err != nil {
			return err
		}
	} else {
		serveInfo(w, inst)
		fmt.Fprintf(w, "\nserving until interrupted (Ctrl-C)\n")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}

// serveDoc is what demo --serve prints of inst (the JSON of --format json).
func serveDoc(inst *scenarios.Instance) report.Served {
	sc := inst.Scenario
	d := report.Served{
		Scenario: sc.Name, Description: sc.Description, URI: inst.URI,
		User: inst.Username, Password: inst.Password, Database: inst.Database,
		BearerTokenFile: inst.BearerTokenFile, CAFile: inst.CAFile,
		Servers: append([]string{}, inst.Servers...), DNSServer: inst.DNSServer, Note: sc.Served,
		Changes: sc.Watched != nil,
	}
	opts, _ := inst.Served()
	d.Names = opts.Names
	if d.Names {
		d.Hosts = inst.Names()
	}
	d.Expect.Exit, d.Expect.Verdict, d.Expect.Check = sc.Expect.Exit, sc.Expect.Verdict, sc.Expect.Check
	d.Expect.DriverErrors = map[string]string{"javascript": sc.Expect.Drivers.JavaScript, "go": sc.Expect.Drivers.Go}
	d.Expect.DriversNotRun = sc.Expect.Drivers.NotRun
	d.Diagnose = diagnoseArgs(inst)
	return d
}

// diagnoseArgs is the doctor's command line for the instance; a resolver
// only where a demo name is on the way.
func diagnoseArgs(inst *scenarios.Instance) []string {
	args := []string{"neo4j-doctor"}
	if needsDemoDNS(inst) {
		args = append(args, "--dns-server", inst.DNSServer)
	}
	args = append(args, "--uri", inst.URI)
	if inst.BearerToken == "" {
		args = append(args, "-u", inst.Username)
	}
	if inst.CAFile != "" {
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
	return append(args, inst.Args()...)
}

// needsDemoDNS: the URI's host is a name (served with --names, or a
// scenario whose point is a name: the demo's zone, or an Aura name the
// demo's DNS server answers for), or the scenario was started for the
// doctor alone. Without it such a name would go to this machine's
// resolver, and for an Aura name out to the real DNS.
func needsDemoDNS(inst *scenarios.Instance) bool {
	if opts, ok := inst.Served(); !ok || opts.Names {
		return true
	}
	u, err := url.Parse(inst.URI)
	if err != nil {
		return true
	}
	return net.ParseIP(u.Hostname()) == nil && u.Hostname() != "localhost"
}

// serveInfo prints what demo --serve started, how an application
// connects to it, what it should see, and the command that diagnoses it,
// with the flags the scenario is shown with. A bearer token is not
// printed: the command reads it from the file that holds it.
func serveInfo(w io.Writer, inst *scenarios.Instance) {
	sc := inst.Scenario
	d := serveDoc(inst)
	fmt.Fprintf(w, "scenario   %s: %s\n", sc.Name, sc.Description)
	fmt.Fprintf(w, "uri        %s\n", inst.URI)
	fmt.Fprintf(w, "servers    %s\n", strings.Join(inst.Servers, ", "))
	if needsDemoDNS(inst) {
		fmt.Fprintf(w, "dns        %s (names under .%s resolve only here)\n", inst.DNSServer, scenarios.DemoDomain)
	}
	if len(d.Hosts) > 0 {
		fmt.Fprintf(w, "hosts      for a client without --dns-server, add to /etc/hosts:\n             127.0.0.1 %s\n", strings.Join(d.Hosts, " "))
	}
	env := "NEO4J_PASSWORD=" + scenarios.DemoPassword
	if inst.BearerToken != "" {
		// The token is not printed: it is in a file, as a mounted secret.
		fmt.Fprintf(w, "token      %s (a bearer token made for the demo, for user %s)\n", inst.BearerTokenFile, scenarios.DemoAppUser)
		env = `NEO4J_BEARER_TOKEN="$(cat ` + inst.BearerTokenFile + `)"`
	} else {
		fmt.Fprintf(w, "user       %s (the demo's fixed password is %q)\n", inst.Username, scenarios.DemoPassword)
	}
	if inst.Database != "" {
		fmt.Fprintf(w, "database   %s\n", inst.Database)
	}
	if inst.CAFile != "" {
		fmt.Fprintf(w, "ca file    %s (the CA to trust); in the driver:\n", inst.CAFile)
		for _, l := range trustCA(inst.CAFile) {
			fmt.Fprintf(w, "             %-11s %s\n", l[0], l[1])
		}
	}
	if sc.Served != "" {
		fmt.Fprintf(w, "name       %s\n", sc.Served)
	}
	fmt.Fprintf(w, "drivers    %s\n", driverExpect(sc))
	args := d.Diagnose
	if wt := sc.Watched; wt != nil {
		fmt.Fprintf(w, "\nit changes for as long as it is served; watch it from another terminal:\n  %s %s watch --interval %s %s\n",
			env, args[0], wt.Interval, strings.Join(args[1:], " "))
		return
	}
	fmt.Fprintf(w, "\ndiagnose it from another terminal:\n  %s %s\n", env, strings.Join(args, " "))
}

// driverExpect says what the official drivers do with the scenario.
func driverExpect(sc scenarios.Scenario) string {
	dr := sc.Expect.Drivers
	switch {
	case sc.Watched != nil:
		return "it changes while served: what a driver sees depends on the moment"
	case dr.JavaScript == "" && dr.Go == "":
		return "verifyConnectivity, getServerInfo and RETURN 1 pass (JavaScript and Go drivers)"
	}
	return fmt.Sprintf("JavaScript raises %s; Go returns %s", orPass(dr.JavaScript), orPass(dr.Go))
}

func orPass(class string) string {
	if class == "" {
		return "nothing (passes)"
	}
	return class
}

// trustCA is how each driver trusts the CA file for a neo4j+s:// or
// bolt+s:// URI. JavaScript and Go are measured by
// scripts/e2e-drivers.sh; the others are from the drivers' manuals:
// https://neo4j.com/docs/python-manual/current/connect-advanced/
// https://neo4j.com/docs/java-manual/current/connect-advanced/
// https://neo4j.com/docs/dotnet-manual/current/connect-advanced/
func trustCA(path string) [][2]string {
	return [][2]string{
		{"JavaScript", "`NODE_EXTRA_CA_CERTS=" + path + "` in the environment of node"},
		{"Go", "config.TlsConfig = &tls.Config{RootCAs: pool} with the PEM of " + path + " appended"},
		{"Python", "neo4j:// with encrypted=True, trusted_certificates=neo4j.TrustCustomCAs(\"" + path + "\")"},
		{"Java", "neo4j:// with Config.builder().withEncryption().withTrustStrategy(Config.TrustStrategy.trustCustomCertificateSignedBy(new File(\"" + path + "\")))"},
		{".NET", "neo4j:// with o.WithEncryptionLevel(EncryptionLevel.Encrypted).WithTrustManager(TrustManager.CreateCertTrust(new[] { new X509Certificate2(\"" + path + "\") }))"},
	}
}
