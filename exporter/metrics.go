package exporter

import (
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// Phases are the steps a driver goes through (the checks that declare
// Check.Phase), reported as neo4j_doctor_phase_duration_seconds{phase}.
// Every phase is reported on every probe, 0 when it did not run, so
// dashboards and recording rules see the same series whatever failed (as
// blackbox_exporter's HTTP phases).
func Phases() []string {
	var out []string
	for _, c := range checks.Checks() {
		if c.Phase {
			out = append(out, c.ID)
		}
	}
	return out
}

// Statuses are the states of neo4j_doctor_check_status, a state set:
// exactly one is 1 for each check.
var Statuses = []checks.Status{checks.Pass, checks.Warn, checks.Fail, checks.Skip}

// Roles are the routing-table roles, as neo4j_doctor_routing_table_servers'
// role label spells them (the table's own words, lower-cased).
var Roles = []string{"route", "read", "write"}

// AccessModes are the states of neo4j_doctor_database_access, a state set,
// spelt as SHOW DATABASES's access column spells them.
var AccessModes = []string{"read-write", "read-only"}

// DatabaseAccessor is what the exporter needs of a report to export the
// access mode of the database the run reached: the database (named, or
// the user's home) and its mode as the server reported it, one of
// AccessModes; ok is false when the run did not learn it (the access
// check did not run or get that far, or a server without SHOW DATABASES).
// It must be read from typed data the access check leaves in the report,
// never from its facts, which are prose. *checks.Report implements it.
type DatabaseAccessor interface {
	DatabaseAccess() (database, mode string, ok bool)
}

// databaseAccess reads rep's access mode through DatabaseAccessor; ok is
// false for a mode that is not one of AccessModes, so a new word from a
// server never becomes a series nobody alerts on.
func databaseAccess(rep any) (database, mode string, ok bool) {
	a, is := rep.(DatabaseAccessor)
	if !is {
		return "", "", false
	}
	database, mode, ok = a.DatabaseAccess()
	if !ok || !slices.Contains(AccessModes, mode) {
		return "", "", false
	}
	return database, mode, true
}

// probeFacts are what the metrics of a probe say of its diagnosis, read
// from the report once when it ends: the last result of every target is
// kept for the probes it answers, and a thousand targets' reports (with
// their artifacts) weighed 200 MB, their gathered metric families 30 MB,
// these a few hundred kilobytes (BenchmarkFleet1000).
type probeFacts struct {
	took       time.Duration
	exitCode   int
	resolved   bool // false: the target could not be resolved, no diagnosis
	checks     []checkFact
	headline   checks.Headline
	access     accessFact
	httpStatus int
	webSocket  checks.Status
	members    []memberFact
	// what the diagnosis cost the servers, and whether it started warm
	connections, logons int
	warm, tableChanged  bool
}

type checkFact struct {
	id       string
	status   checks.Status
	duration time.Duration
}

// accessFact is the access mode the report gave (a DatabaseAccessor).
type accessFact struct {
	database, mode string
	ok             bool
}

func (a accessFact) DatabaseAccess() (string, string, bool) { return a.database, a.mode, a.ok }

type memberFact struct {
	address string
	status  checks.Status
}

// factsOf reads rep's facts; rep is nil when the target could not be
// resolved (a password variable gone since the config was loaded): the
// probe then fails with exit code 3 and nothing else.
func factsOf(rep *checks.Report, took time.Duration) *probeFacts {
	f := &probeFacts{took: took, exitCode: checks.ExitNoAttempt}
	if rep == nil {
		return f
	}
	f.resolved, f.exitCode = true, rep.ExitCode
	f.connections, f.logons, f.warm, f.tableChanged = rep.Connections, rep.Logons, rep.Warm, rep.TableChange != nil
	f.checks = make([]checkFact, len(rep.Checks))
	for i, c := range rep.Checks {
		f.checks[i] = checkFact{c.ID, c.Status, c.Duration}
	}
	f.headline = rep.Headline()
	db, mode, ok := databaseAccess(rep)
	f.access = accessFact{db, mode, ok}
	if h := rep.HTTP; h != nil {
		f.httpStatus, f.webSocket = h.Status, h.WebSocket
	}
	f.members = make([]memberFact, len(rep.Members))
	for i, m := range rep.Members {
		f.members[i] = memberFact{m.Address, m.Status}
	}
	return f
}

// probeMetrics is the answer to one /probe: a fresh registry holding only
// this probe's gauges, so a target's series vanish with it instead of
// lingering from an earlier probe.
func probeMetrics(f *probeFacts) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	gauge := func(name, help string) prometheus.Gauge {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		reg.MustRegister(g)
		return g
	}
	vec := func(name, help string, labels ...string) *prometheus.GaugeVec {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
		reg.MustRegister(g)
		return g
	}
	success := gauge("neo4j_doctor_probe_success", "1 when the diagnosis is healthy (exit code 0: every check passed, warnings allowed), else 0.")
	gauge("neo4j_doctor_probe_duration_seconds", "How long the whole diagnosis took.").Set(f.took.Seconds())
	exit := gauge("neo4j_doctor_probe_exit_code", "The CLI's exit code for this diagnosis: 0 healthy, 1 reached but a check failed, 2 no response, 3 no attempt (bad target configuration).")
	exit.Set(float64(f.exitCode))
	if !f.resolved {
		return reg
	}
	if f.exitCode == checks.ExitHealthy {
		success.Set(1)
	}
	gauge("neo4j_doctor_probe_connections", "TCP connections the diagnosis opened to the target's servers: one per server on a healthy cluster.").Set(float64(f.connections))
	gauge("neo4j_doctor_probe_logons", "Logins the diagnosis sent (LOGON, or HELLO with credentials before Bolt 5.1): each one the server checks, with LDAP or SSO at the identity provider.").Set(float64(f.logons))
	warm := gauge("neo4j_doctor_probe_warm", "1 when the diagnosis started from what the exporter remembered of the target's last (routing table, version lists, TLS sessions), else 0: the first probe of a target, or --no-cache.")
	changed := gauge("neo4j_doctor_routing_table_changed", "1 when the routing table differs from the one the target's last diagnosis read (writer, members joined or left), else 0.")
	if f.warm {
		warm.Set(1)
	}
	if f.tableChanged {
		changed.Set(1)
	}

	status := vec("neo4j_doctor_check_status", "The status of each check, as a state set: 1 for the check's status, 0 for the others.", "check", "status")
	for _, c := range f.checks {
		for _, s := range Statuses {
			v := 0.0
			if c.status == s {
				v = 1
			}
			status.WithLabelValues(c.id, string(s)).Set(v)
		}
	}
	phase := vec("neo4j_doctor_phase_duration_seconds", "How long each step took; 0 when it did not run.", "phase")
	for _, p := range Phases() {
		d := time.Duration(0)
		for _, c := range f.checks {
			if c.id == p && c.status != checks.Skip {
				d = c.duration
			}
		}
		phase.WithLabelValues(p).Set(d.Seconds())
	}

	s := f.headline
	if s.BoltVersion != "" {
		vec("neo4j_doctor_bolt_info", "The negotiated Bolt version and the server's agent string; present once a handshake succeeded.", "version", "agent").
			WithLabelValues(s.BoltVersion, s.ServerAgent).Set(1)
	}
	if len(s.Certificates) > 0 {
		cert := vec("neo4j_doctor_certificate_expiry_timestamp_seconds", "When the first certificate of the server's chain expires, as a Unix time, for the target and every member seen over TLS.", "address")
		for _, c := range s.Certificates {
			cert.WithLabelValues(c.Address).Set(float64(c.NotAfter.Unix()))
		}
	}
	if s.Routing != nil {
		rt := vec("neo4j_doctor_routing_table_servers", "How many servers the routing table lists for each role; present once a table was read.", "role")
		sizes := map[string]int{"route": s.Routing.Routers, "read": s.Routing.Readers, "write": s.Routing.Writers}
		for _, r := range Roles {
			rt.WithLabelValues(r).Set(float64(sizes[r]))
		}
	}
	accessMetric(reg, f.access)
	if f.httpStatus != 0 {
		gauge("neo4j_doctor_probe_http_status", "The HTTP status of GET / (the discovery document) at the target's HTTP endpoint; present once the endpoint answered.").Set(float64(f.httpStatus))
	}
	if f.webSocket != "" && f.webSocket != checks.Skip {
		v := 0.0
		if f.webSocket == checks.Pass {
			v = 1
		}
		gauge("neo4j_doctor_websocket_up", "1 when Bolt over WebSocket to the Bolt port (as Neo4j Browser speaks it) upgraded and logged in, else 0; present once the websocket check ran.").Set(v)
	}
	if len(f.members) > 0 {
		up := vec("neo4j_doctor_member_up", "1 when the cluster member is reachable and authenticates the way a driver reaches it, else 0.", "address")
		for _, m := range f.members {
			v := 1.0
			if m.status == checks.Fail {
				v = 0
			}
			up.WithLabelValues(m.address).Set(v)
		}
	}
	return reg
}

// resultAge registers neo4j_doctor_probe_result_age_seconds in reg.
func resultAge(reg *prometheus.Registry, age time.Duration) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "neo4j_doctor_probe_result_age_seconds",
		Help: "How long ago the diagnosis these metrics come from ended: 0 for one run for this probe (or shared with probes of the same target at the same time), up to --min-probe-interval for a probe answered from the last result.",
	})
	g.Set(age.Seconds())
	reg.MustRegister(g)
}

// accessMetric registers neo4j_doctor_database_access in reg when src (a
// report) says the access mode of the database reached.
func accessMetric(reg *prometheus.Registry, src any) {
	db, mode, ok := databaseAccess(src)
	if !ok {
		return
	}
	access := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "neo4j_doctor_database_access",
		Help: "The access mode of the database the diagnosis reached (named, or the user's home) as SHOW DATABASES reports it, as a state set: 1 for its mode, read-write or read-only, 0 for the other; present once the access check read it.",
	}, []string{"database", "mode"})
	reg.MustRegister(access)
	for _, m := range AccessModes {
		v := 0.0
		if m == mode {
			v = 1
		}
		access.WithLabelValues(db, m).Set(v)
	}
}
