package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
	ucli "github.com/urfave/cli/v2"
	"go.yaml.in/yaml/v3"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
	"github.com/neo4j-doctor/neo4j-doctor/exporter"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/scenarios"
	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// defaultListen is the exporter's port: Bolt's 7687 in the 9xxx range
// Prometheus exporters use.
const defaultListen = ":9687"

func (r *runner) serveCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "serve",
		Usage:     "serve Prometheus probes of the targets of a targets file, as blackbox_exporter does for HTTP",
		ArgsUsage: "[--demo [SCENARIO...]]",
		Description: "Prometheus scrapes /probe?target=NAME (NAME from the targets file; the credentials stay in the file)\n" +
			"and gets that diagnosis as metrics, within its scrape timeout less --timeout-offset.\n" +
			"Probes of a target share the diagnosis running, and within --min-probe-interval of the last one\n" +
			"get its result, with neo4j_doctor_probe_result_age_seconds.\n" +
			"/probe?target=NAME&debug=true answers the text report, /metrics the exporter's own metrics,\n" +
			"/ a status page with the last result per target and the last failures' reports\n" +
			"(--web.hide-reports: verdicts and failing steps only, and no debug reports).\n" +
			"--web.config.file takes Prometheus's web configuration file (TLS, client certificates,\n" +
			"basic auth with bcrypt hashes), reread on every connection and request, as every Prometheus exporter.\n" +
			"SIGHUP (or POST /-/reload, with --web.enable-lifecycle) rereads the targets file; a file that\n" +
			"does not load is refused and the previous one stays in use. SIGINT or SIGTERM stop the server.\n" +
			"--demo serves the demo's scenarios (default: all of them) as targets, for a first try.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "targets", Usage: "the targets `FILE` (YAML; see the README)", TakesFile: true},
			&ucli.StringFlag{Name: "web.listen-address", Aliases: []string{"listen"}, Value: defaultListen, Usage: "`ADDRESS` to serve on; every interface by default, 127.0.0.1:9687 to serve this host only"},
			&ucli.StringFlag{Name: "web.config.file", Usage: "Prometheus's web configuration `FILE`: TLS, client certificates, basic auth (see the README)", TakesFile: true},
			&ucli.BoolFlag{Name: "web.enable-lifecycle", Usage: "allow POST /-/reload (403 without it; SIGHUP always reloads)"},
			&ucli.BoolFlag{Name: "web.hide-reports", Usage: "the status page shows verdicts and failing steps only; /probe?debug=true answers 403"},
			&ucli.DurationFlag{Name: "min-probe-interval", Value: exporter.DefaultMinInterval, Usage: "least `DURATION` between two diagnoses of a target; a probe in between gets the last result (0: a diagnosis per probe)"},
			&ucli.IntFlag{Name: "max-concurrent", Value: exporter.DefaultMaxConcurrent, Usage: "diagnoses running at once; more probes queue and their wait comes out of the scrape's budget; one that cannot start in time to finish answers 503"},
			&ucli.DurationFlag{Name: "timeout-offset", Value: exporter.DefaultTimeoutOffset, Usage: "taken off Prometheus's scrape timeout so the answer arrives in time"},
			&ucli.IntFlag{Name: "keep-failures", Value: exporter.DefaultKeepFailures, Usage: "failed probes whose reports the status page keeps"},
			&ucli.BoolFlag{Name: "no-cache", Usage: "start every diagnosis cold: remember nothing of a target's last probe (routing table, version list, TLS session)"},
			&ucli.BoolFlag{Name: "demo", Usage: "start the demo's scenarios on loopback and serve them as targets (SCENARIO... names some; default all)"},
		},
		OnUsageError: func(_ *ucli.Context, err error, _ bool) error {
			return &usageError{msg: err.Error(), hint: "see neo4j-doctor serve --help"}
		},
		Action: r.serveAction,
	}
}

// serveMemory is what serve's probes remember of each target's last:
// every probe after a target's first is warm, unless --no-cache.
func serveMemory(noCache bool) *checks.Memory {
	if noCache {
		return nil
	}
	return checks.NewMemory(nil)
}

func (r *runner) serveAction(cCtx *ucli.Context) error {
	path, demo := cCtx.String("targets"), cCtx.Bool("demo")
	switch {
	case path == "" && !demo:
		return &usageError{msg: "serve needs --targets FILE", hint: "neo4j-doctor serve --targets targets.yml (or --demo to try it on the demo's scenarios)"}
	case path != "" && demo:
		return &usageError{msg: "--targets and --demo together", hint: "--demo writes its own targets file; drop one of them"}
	case cCtx.NArg() > 0 && !demo:
		return &usageError{msg: fmt.Sprintf("unexpected argument %q", cCtx.Args().First()), hint: "serve takes scenario names only with --demo"}
	case cCtx.Int("max-concurrent") < 1:
		return &usageError{msg: fmt.Sprintf("--max-concurrent %d is not positive", cCtx.Int("max-concurrent")), hint: "--max-concurrent takes 1 or more"}
	case cCtx.Duration("timeout-offset") < 0:
		return &usageError{msg: fmt.Sprintf("--timeout-offset %s is negative", cCtx.Duration("timeout-offset")), hint: "--timeout-offset takes a duration such as 500ms"}
	case cCtx.Int("keep-failures") < 1:
		return &usageError{msg: fmt.Sprintf("--keep-failures %d is not positive", cCtx.Int("keep-failures")), hint: "--keep-failures takes 1 or more"}
	case cCtx.Duration("min-probe-interval") < 0:
		return &usageError{msg: fmt.Sprintf("--min-probe-interval %s is negative", cCtx.Duration("min-probe-interval")), hint: "--min-probe-interval takes a duration such as 5s, or 0 for a diagnosis per probe"}
	}
	webConfig := cCtx.String("web.config.file")
	wc, err := loadWebConfig(webConfig)
	if err != nil {
		return err
	}
	log := report.NewLogger(r.streams.Err)
	if demo {
		d, err := startDemoTargets(cCtx.Args().Slice())
		if err != nil {
			return err
		}
		defer d.close()
		path = d.path
		log.Info("demo scenarios started on loopback", "targets", strings.Join(d.names, ","), "targets_file", d.path)
	}
	v, _, _ := buildInfo()
	exp, err := exporter.New(exporter.Config{
		Path:          path,
		Getenv:        r.getenv,
		MaxConcurrent: cCtx.Int("max-concurrent"),
		TimeoutOffset: cCtx.Duration("timeout-offset"),
		KeepFailures:  cCtx.Int("keep-failures"),
		// The default 5s is every Prometheus's scrape of the target
		// sharing one diagnosis, and no faster than the usual interval.
		MinProbeInterval: cCtx.Duration("min-probe-interval"),
		EnableLifecycle:  cCtx.Bool("web.enable-lifecycle"),
		HideReports:      cCtx.Bool("web.hide-reports"),
		Env:              &checks.Env{Version: v, Memory: serveMemory(cCtx.Bool("no-cache"))},
		Logger:           log,
		Version:          v,
	})
	if err != nil {
		return err
	}
	addr := cCtx.String("web.listen-address")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return &usageError{msg: fmt.Sprintf("cannot listen on %s: %v", addr, unwrapOp(err)), hint: "choose another --web.listen-address, e.g. 127.0.0.1:9688"}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGHUP, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	scheme := "http"
	if wc.tls {
		scheme = "https"
	}
	log.Info("listening", "address", scheme+"://"+ln.Addr().String()+"/", "targets_file", path, "max_concurrent", cCtx.Int("max-concurrent"),
		"web_config", webConfig, "tls", wc.tls, "client_auth", wc.clientAuth, "basic_auth_users", wc.users,
		"lifecycle", cCtx.Bool("web.enable-lifecycle"), "hide_reports", cCtx.Bool("web.hide-reports"), "min_probe_interval", cCtx.Duration("min-probe-interval").String())
	// The idle probes of the targets that opt in (idleProbeEvery:) run in
	// the background, never inside a scrape.
	ctx, cancel := context.WithCancel(context.Background())
	idleDone := make(chan struct{})
	go func() { defer close(idleDone); exp.RunIdle(ctx) }()
	defer func() { cancel(); <-idleDone }()
	return serveLoop(ln, exp, webConfig, serveLimits, sigs, log)
}

// httpLimits are the HTTP server's bounds against slow or greedy clients.
type httpLimits struct {
	// readHeader is the time a client has to send the request headers,
	// read the time to send the whole request, the TLS handshake included
	// (no endpoint reads a body: see exporter.MaxRequestBody).
	readHeader, read time.Duration
	// write runs from the end of the request headers to the end of the
	// answer, so it must exceed the longest probe: Prometheus's scrape
	// timeout, at most exporter.MaxProbeTimeout.
	write, idle    time.Duration
	maxHeaderBytes int
}

var serveLimits = httpLimits{
	readHeader:     10 * time.Second,
	read:           30 * time.Second,
	write:          exporter.MaxProbeTimeout + 30*time.Second,
	idle:           2 * time.Minute,
	maxHeaderBytes: 16 << 10,
}

// webSummary is what the log says of the web configuration file; the
// file itself is exporter-toolkit's, which reads it again on every
// connection and request.
type webSummary struct {
	tls        bool
	clientAuth string
	users      int
}

// loadWebConfig validates the web configuration file as exporter-toolkit
// will read it (its certificates and keys too), so a bad file stops serve
// at start with exit 3 rather than failing every scrape.
func loadWebConfig(path string) (webSummary, error) {
	if path == "" {
		return webSummary{}, nil
	}
	if err := web.Validate(path); err != nil {
		return webSummary{}, &usageError{
			msg:  fmt.Sprintf("--web.config.file %s: %v", path, err),
			hint: "check the file against Prometheus's web configuration format (tls_server_config, basic_auth_users with bcrypt hashes): https://prometheus.io/docs/prometheus/latest/configuration/https/",
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return webSummary{}, err
	}
	var c struct {
		TLS struct {
			Cert       string `yaml:"cert"`
			CertFile   string `yaml:"cert_file"`
			ClientAuth string `yaml:"client_auth_type"`
		} `yaml:"tls_server_config"`
		Users map[string]yaml.Node `yaml:"basic_auth_users"`
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		return webSummary{}, &usageError{msg: fmt.Sprintf("--web.config.file %s: %v", path, err), hint: "check the file against Prometheus's web configuration format: https://prometheus.io/docs/prometheus/latest/configuration/https/"}
	}
	s := webSummary{tls: c.TLS.Cert != "" || c.TLS.CertFile != "", users: len(c.Users)}
	if s.tls {
		s.clientAuth = cmp.Or(c.TLS.ClientAuth, "NoClientCert")
	}
	return s, nil
}

// warnOnly passes on a logger's warnings and errors only: exporter-toolkit
// announces the listener and TLS at info level, which serve's own
// "listening" line already says.
type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

// serveLoop serves until SIGINT or SIGTERM, rereading the targets file on
// each SIGHUP. It owns ln. webConfig ("" for plain HTTP without
// authentication) is exporter-toolkit's web configuration file.
func serveLoop(ln net.Listener, exp *exporter.Exporter, webConfig string, lim httpLimits, sigs <-chan os.Signal, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           exp.Handler(),
		ReadHeaderTimeout: lim.readHeader,
		ReadTimeout:       lim.read,
		WriteTimeout:      lim.write,
		IdleTimeout:       lim.idle,
		MaxHeaderBytes:    lim.maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		errc <- web.Serve(ln, srv, &web.FlagConfig{WebConfigFile: &webConfig}, slog.New(warnOnly{log.Handler()}))
	}()
	for {
		select {
		case err := <-errc:
			return fmt.Errorf("serving http: %w", err)
		case s := <-sigs:
			if s == syscall.SIGHUP {
				// Reload logs whether the file was taken or refused.
				_ = exp.Reload()
				continue
			}
			log.Info("stopping", "signal", s.String())
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := srv.Shutdown(ctx)
			cancel()
			if err != nil {
				_ = srv.Close()
			}
			if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("serving http: %w", err)
			}
			return nil
		}
	}
}

func unwrapOp(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}

// demoTargets are demo scenarios running on loopback, written as a targets
// file, each scenario's password (the demo's published one, or the wrong
// one wrong-password uses) in a password file beside it, or its bearer
// token in the file the scenario wrote.
type demoTargets struct {
	dir   string
	path  string
	names []string
	insts []*scenarios.Instance
}

func (d *demoTargets) close() {
	for _, in := range d.insts {
		_ = in.Close()
	}
	_ = os.RemoveAll(d.dir)
}

func startDemoTargets(names []string) (*demoTargets, error) {
	var scs []scenarios.Scenario
	if len(names) == 0 {
		scs = scenarios.Scenarios()
	}
	for _, n := range names {
		sc, ok := scenarios.LookupScenario(n)
		if !ok {
			return nil, &usageError{msg: fmt.Sprintf("no demo scenario %q", n), hint: "neo4j-doctor demo --list names them"}
		}
		scs = append(scs, sc)
	}
	dir, err := os.MkdirTemp("", "neo4j-doctor-serve-demo-")
	if err != nil {
		return nil, err
	}
	d := &demoTargets{dir: dir, path: filepath.Join(dir, "targets.yml")}
	var b strings.Builder
	b.WriteString("# Written by neo4j-doctor serve --demo: the demo's scenarios as targets.\n" +
		"# Edit it and send SIGHUP (or POST /-/reload, with --web.enable-lifecycle) to try a reload.\n" +
		"targets:\n")
	for _, sc := range scs {
		in, err := sc.Start()
		if err != nil {
			d.close()
			return nil, err
		}
		d.insts = append(d.insts, in)
		d.names = append(d.names, sc.Name)
		fmt.Fprintf(&b, "  - name: %s\n    uri: %s\n", sc.Name, in.URI)
		if in.BearerToken != "" {
			fmt.Fprintf(&b, "    bearerTokenFile: %s\n", in.BearerTokenFile)
		} else {
			pw := filepath.Join(dir, sc.Name+".password")
			if err := os.WriteFile(pw, []byte(in.Password+"\n"), 0o600); err != nil {
				d.close()
				return nil, err
			}
			fmt.Fprintf(&b, "    username: %s\n    passwordFile: %s\n", in.Username, pw)
		}
		fmt.Fprintf(&b, "    dnsServer: %s\n    timeout: %s\n", in.DNSServer, in.Timeout)
		if in.WriteProbe {
			b.WriteString("    writeProbe: true\n")
		}
		if in.Impersonate != "" {
			fmt.Fprintf(&b, "    impersonate: %s\n", in.Impersonate)
		}
		if len(in.IdleProbe) > 0 {
			// The idle scenarios' probe, in the background every minute:
			// neo4j_doctor_idle_safe_seconds.
			var ds []string
			for _, d := range in.IdleProbe {
				ds = append(ds, checks.IdleString(d))
			}
			fmt.Fprintf(&b, "    idleProbe: [%s]\n    idleProbeEvery: 1m\n", strings.Join(ds, ", "))
		}
		if in.Database != "" {
			fmt.Fprintf(&b, "    database: %s\n", in.Database)
		}
		if in.CAFile != "" {
			fmt.Fprintf(&b, "    caFile: %s\n", in.CAFile)
		}
		if in.TrustStore != "" {
			fmt.Fprintf(&b, "    trustStore: %s\n", in.TrustStore)
		}
	}
	if err := os.WriteFile(d.path, []byte(b.String()), 0o600); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}
