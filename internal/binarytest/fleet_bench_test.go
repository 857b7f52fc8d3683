package binarytest

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/certs"
)

// BenchmarkFleet1000 is issue 18's "fleet of a thousand": one `serve`
// process, the real binary in a process of its own, probing 1,000 targets
// the way Prometheus scrapes them: every target once per 15 s interval,
// the scrapes spread evenly over the interval, each with
// X-Prometheus-Scrape-Timeout-Seconds: 10 and a 10 s client timeout,
// for max(2, b.N) intervals. Every scrape diagnoses
// (--min-probe-interval 0).
//
// The targets are fixture servers on 127.0.0.1 in this process, many
// targets per listener (they differ by user): a quarter are 3-member
// clusters over neo4j://, the rest single servers over neo4j:// or
// bolt://. 5 % are broken, 10 each of: a wrong password, a refused port,
// a server that accepts and never answers (it holds a slot for the step
// timeout, 5 s), a self-signed certificate, a database that does not
// exist. Before the fleet starts, healthy targets of the same mix (every
// ninth) are probed one at a time, 200 probes spread over one interval
// (the lone probes), through the same process and client.
//
// Reported (the serve process's own, not this process's):
//
//	cpu-%            its CPU time over the fleet's wall time, user + system
//	                 (/proc/PID/stat, the counters getrusage reads), in %
//	                 of one core
//	fixtures-cpu-%   the same for this process: the fixture servers and
//	                 the scrapes, on the same cores
//	others-cpu-%     the machine's busy time (/proc/stat) less these two
//	                 processes': what else ran on the cores meanwhile,
//	                 which the latencies depend on
//	peak-rss-MB      its VmHWM, read before it is stopped
//	max-goroutines   the most go_goroutines its /metrics showed, read
//	                 every 0.5 s
//	max-heap-MB      the most go_memstats_heap_inuse_bytes, likewise
//	p50-ms, p99-ms   scrape durations of the healthy targets under the
//	                 fleet, as Prometheus sees them (queue wait included)
//	lone-p50-ms, lone-p99-ms  the same, probed one at a time
//	p99/lone         p99-ms / lone-p99-ms: the slowest 1 % under load
//	                 against the slowest 1 % alone
//	contention-failures  scrapes of healthy targets not answered 200 with
//	                 neo4j_doctor_probe_success 1 (must be 0)
//	rejected         the exporter's probes_rejected_total at the end
//	queued-%         the diagnoses that waited over 1 ms for a slot
//	                 (neo4j_doctor_exporter_queue_wait_seconds), in %
//
// Issue 18's targets: peak-rss-MB < 200, p99/lone < 2, contention-failures
// 0. The benchmark fails on a contention failure, on a broken target that
// passed, and logs the rest.
//
//	taskset -c 0,1 go test ./internal/binarytest -run '^$' -bench Fleet1000 -benchtime 1x
//
// With -short it is 100 targets, a 3 s interval and a 2.5 s scrape
// timeout, to check that it runs (a few seconds). For sizing,
// NEO4J_DOCTOR_BENCH_TARGETS sets the number of targets and
// NEO4J_DOCTOR_BENCH_INTERVAL the scrape interval (the scrape timeout is
// 10 s, or the interval when shorter), NEO4J_DOCTOR_BENCH_MAX_CONCURRENT
// serve's --max-concurrent (default 16).
func BenchmarkFleet1000(b *testing.B) {
	n, interval, scrapeTimeout := 1000, 15*time.Second, 10*time.Second
	if testing.Short() {
		n, interval, scrapeTimeout = 100, 3*time.Second, 2500*time.Millisecond
	}
	if v, err := strconv.Atoi(os.Getenv("NEO4J_DOCTOR_BENCH_TARGETS")); err == nil && v >= 20 {
		n = v
	}
	if v, err := time.ParseDuration(os.Getenv("NEO4J_DOCTOR_BENCH_INTERVAL")); err == nil && v > 0 {
		interval, scrapeTimeout = v, min(scrapeTimeout, v)
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "neo4j-doctor")
	goBuild(b, ".", module, bin)
	fl := startFleet(b, n)
	targets := filepath.Join(dir, "targets.yml")
	if err := os.WriteFile(targets, fl.file(), 0o600); err != nil {
		b.Fatal(err)
	}
	args := []string{"--targets", targets, "--min-probe-interval", "0"}
	if v := os.Getenv("NEO4J_DOCTOR_BENCH_MAX_CONCURRENT"); v != "" {
		args = append(args, "--max-concurrent", v)
	}
	srv := startServeProcess(b, bin, []string{"FLEET_PASSWORD=" + fleetPassword, "WRONG_PASSWORD=not-" + fleetPassword}, args...)

	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 2 * n, MaxIdleConnsPerHost: 2 * n}}
	defer client.CloseIdleConnections()
	scrape := func(name string) (time.Duration, bool) {
		ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.base+"/probe?target="+name, nil)
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", strconv.FormatFloat(scrapeTimeout.Seconds(), 'f', -1, 64))
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return time.Since(start), false
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		return took, err == nil && resp.StatusCode == http.StatusOK && strings.Contains(string(body), "\nneo4j_doctor_probe_success 1\n")
	}

	// The lone probes: healthy targets of the mix (every ninth), one at a
	// time, 200 spread over one scrape interval before the fleet, so that
	// they meet as much of what else the machine runs as the fleet's
	// scrapes do (back to back, in half a second, they would meet less).
	var alone []fleetTarget
	for i, t := range fl.targets {
		if t.broken == "" && i%9 == 0 {
			alone = append(alone, t)
		}
	}
	var lone []time.Duration
	loneStart := time.Now()
	for j := range 200 {
		time.Sleep(time.Until(loneStart.Add(time.Duration(j) * interval / 200)))
		t := alone[j%len(alone)]
		took, ok := scrape(t.name)
		if !ok {
			b.Fatalf("lone probe of %s did not pass", t.name)
		}
		lone = append(lone, took)
	}

	intervals := max(2, b.N)
	var (
		mu                     sync.Mutex
		healthy                []time.Duration
		contention, falsePass  int
		failedTargets          []string
		maxGoroutines, maxHeap float64
	)
	stopPoll := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			g, _ := srv.metric(client, "go_goroutines")
			h, _ := srv.metric(client, "go_memstats_heap_inuse_bytes")
			mu.Lock()
			maxGoroutines, maxHeap = max(maxGoroutines, g), max(maxHeap, h)
			mu.Unlock()
			select {
			case <-stopPoll:
				return
			case <-tick.C:
			}
		}
	}()

	cpu0, self0, busy0 := srv.cpu(b), selfCPU(), machineBusy(b)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i, t := range fl.targets {
		offset := time.Duration(i) * interval / time.Duration(n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range intervals {
				time.Sleep(time.Until(start.Add(time.Duration(k)*interval + offset)))
				took, ok := scrape(t.name)
				mu.Lock()
				switch {
				case t.broken == "" && !ok:
					contention++
					failedTargets = append(failedTargets, t.name)
				case t.broken == "":
					healthy = append(healthy, took)
				case ok:
					falsePass++
					failedTargets = append(failedTargets, t.name)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	cpu, self, busy := srv.cpu(b)-cpu0, selfCPU()-self0, machineBusy(b)-busy0
	b.StopTimer()
	close(stopPoll)
	<-polled
	rejected, _ := srv.metric(client, "neo4j_doctor_exporter_probes_rejected_total")
	diagnoses, _ := srv.metric(client, "neo4j_doctor_exporter_queue_wait_seconds_count")
	unqueued, _ := srv.metric(client, `neo4j_doctor_exporter_queue_wait_seconds_bucket{le="0.001"}`)
	hwm := srv.peakRSS(b)
	srv.stop(b)

	p := func(ds []time.Duration, q float64) float64 {
		s := slices.Clone(ds)
		slices.Sort(s)
		return ms(s[min(len(s)-1, int(q*float64(len(s))))])
	}
	b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "cpu-%")
	b.ReportMetric(100*self.Seconds()/wall.Seconds(), "fixtures-cpu-%")
	b.ReportMetric(max(0, 100*(busy-cpu-self).Seconds()/wall.Seconds()), "others-cpu-%")
	b.ReportMetric(float64(hwm)/(1<<20), "peak-rss-MB")
	b.ReportMetric(maxGoroutines, "max-goroutines")
	b.ReportMetric(maxHeap/(1<<20), "max-heap-MB")
	b.ReportMetric(p(healthy, 0.5), "p50-ms")
	b.ReportMetric(p(healthy, 0.99), "p99-ms")
	b.ReportMetric(p(lone, 0.5), "lone-p50-ms")
	b.ReportMetric(p(lone, 0.99), "lone-p99-ms")
	b.ReportMetric(p(healthy, 0.99)/p(lone, 0.99), "p99/lone")
	b.ReportMetric(float64(contention), "contention-failures")
	b.ReportMetric(rejected, "rejected")
	b.ReportMetric(100*(diagnoses-unqueued)/max(diagnoses, 1), "queued-%")
	b.Logf("%d targets (%d broken), %d intervals of %s in %s; %d healthy scrapes", n, fl.broken, intervals, interval, wall.Round(time.Millisecond), len(healthy))
	if contention > 0 || falsePass > 0 {
		b.Errorf("%d scrapes of healthy targets failed, %d of broken targets passed: %v", contention, falsePass, failedTargets[:min(len(failedTargets), 20)])
	}
}

const fleetPassword = "fleet-Zx9-pw"

// fleetTarget is one line of the targets file.
type fleetTarget struct {
	name, uri, user, database string
	wrongPassword             bool
	broken                    string // why it must fail; "" for a healthy one
}

type fleetRig struct {
	targets []fleetTarget
	broken  int
}

// usersPerServer is how many targets share one listener (one user each).
const usersPerServer = 50

// startFleet starts the fixture servers for n targets and lists them,
// the broken ones spread through the list.
func startFleet(tb testing.TB, n int) *fleetRig {
	tb.Helper()
	users := map[string]string{}
	for u := range usersPerServer {
		users[fmt.Sprintf("user%02d", u)] = fleetPassword
	}
	member := fixtures.Neo4j526()
	member.Users = users
	member.Timeouts.Idle = 20 * time.Second

	var (
		f                 = &fleetRig{}
		single            *fixtures.Server
		clusterURI        string
		singleN, clusterN int
	)
	nextSingle := func() (string, string) {
		if singleN%usersPerServer == 0 {
			s, err := fixtures.Start(member)
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { _ = s.Close() })
			single = s
		}
		singleN++
		return single.Addr(), fmt.Sprintf("user%02d", (singleN-1)%usersPerServer)
	}
	nextCluster := func() (string, string) {
		if clusterN%usersPerServer == 0 {
			c, err := fixtures.StartCluster(3, fixtures.ClusterConfig{Member: member})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { _ = c.Close() })
			clusterURI = c.URI("neo4j")
		}
		clusterN++
		return clusterURI, fmt.Sprintf("user%02d", (clusterN-1)%usersPerServer)
	}

	// The broken kinds, each on servers of its own where it needs one.
	stalled, err := fixtures.Start(fixtures.Config{Misbehave: fixtures.Misbehaviour{Kind: fixtures.Stall}, Timeouts: fixtures.Timeouts{Idle: 20 * time.Second, Handshake: 20 * time.Second}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = stalled.Close() })
	leaf, err := certs.SelfSigned(certs.LeafOptions{IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		tb.Fatal(err)
	}
	selfSignedCfg := fixtures.Neo4j526()
	selfSignedCfg.Users = users
	selfSignedCfg.TLS = &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}}
	selfSigned, err := fixtures.Start(selfSignedCfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = selfSigned.Close() })
	refused, release, err := fixtures.ClosedAddress()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = release() })
	kinds := []string{"wrong password", "refused port", "stalled server", "self-signed certificate", "missing database"}

	nBroken := n / 20
	every := n / max(nBroken, 1)
	for i := range n {
		t := fleetTarget{name: fmt.Sprintf("t%04d", i)}
		if nBroken > 0 && i%every == every/2 && f.broken < nBroken {
			t.broken = kinds[f.broken%len(kinds)]
			f.broken++
			switch t.broken {
			case "wrong password":
				addr, user := nextSingle()
				t.uri, t.user, t.wrongPassword = "bolt://"+addr, user, true
			case "refused port":
				t.uri, t.user = "bolt://"+refused, "user00"
			case "stalled server":
				t.uri, t.user = "bolt://"+stalled.Addr(), "user00"
			case "self-signed certificate":
				t.uri, t.user = "bolt+s://"+selfSigned.Addr(), fmt.Sprintf("user%02d", i%usersPerServer)
			case "missing database":
				addr, user := nextSingle()
				t.uri, t.user, t.database = "neo4j://"+addr, user, "nope"
			}
		} else {
			switch i % 4 {
			case 0:
				t.uri, t.user = nextCluster()
			case 1, 3:
				addr, user := nextSingle()
				t.uri = "neo4j://" + addr
				t.user = user
			case 2:
				addr, user := nextSingle()
				t.uri, t.user = "bolt://"+addr, user
			}
		}
		f.targets = append(f.targets, t)
	}
	return f
}

// file is the targets file: one password variable for all, another for
// the wrong ones.
func (f *fleetRig) file() []byte {
	var b strings.Builder
	b.WriteString("defaults:\n  passwordEnv: FLEET_PASSWORD\ntargets:\n")
	for _, t := range f.targets {
		fmt.Fprintf(&b, "  - {name: %s, uri: '%s', username: %s", t.name, t.uri, t.user)
		if t.database != "" {
			fmt.Fprintf(&b, ", database: %s", t.database)
		}
		if t.wrongPassword {
			b.WriteString(", passwordEnv: WRONG_PASSWORD")
		}
		b.WriteString("}\n")
	}
	return []byte(b.String())
}

// serveProcess is `neo4j-doctor serve` running as a process of its own.
type serveProcess struct {
	cmd    *exec.Cmd
	base   string
	exited chan struct{}
}

func startServeProcess(tb testing.TB, bin string, env []string, args ...string) *serveProcess {
	tb.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + tb.TempDir()}, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`msg=listening address=(http://127\.0\.0\.1:\d+)/`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		_ = cmd.Wait()
		close(p.exited)
	}()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	select {
	case p.base = <-addr:
	case <-p.exited:
		tb.Fatal("serve exited before it listened")
	case <-time.After(30 * time.Second):
		tb.Fatal("serve did not listen within 30s")
	}
	return p
}

// metric reads one unlabelled sample from the process's /metrics.
func (p *serveProcess) metric(client *http.Client, name string) (float64, bool) {
	resp, err := client.Get(p.base + "/metrics")
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

// cpu is the process's user + system time so far, from /proc/PID/stat.
func (p *serveProcess) cpu(tb testing.TB) time.Duration {
	tb.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		tb.Fatal(err)
	}
	// The fields after the command name, which is in parentheses.
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64) // field 14
	stime, _ := strconv.ParseInt(fields[12], 10, 64) // field 15
	const clkTck = 100                               // sysconf(_SC_CLK_TCK) on Linux
	return time.Duration(utime+stime) * time.Second / clkTck
}

// machineBusy is the time every CPU of the machine spent busy so far
// (the first line of /proc/stat less idle and iowait), whatever the
// process.
func machineBusy(tb testing.TB) time.Duration {
	tb.Helper()
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		tb.Fatal(err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	var busy int64
	for i, f := range strings.Fields(line)[1:] {
		v, _ := strconv.ParseInt(f, 10, 64)
		if i != 3 && i != 4 && i < 8 { // idle, iowait; guest time is in user already
			busy += v
		}
	}
	const clkTck = 100 // sysconf(_SC_CLK_TCK) on Linux
	return time.Duration(busy) * time.Second / clkTck
}

// selfCPU is this process's user + system time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's VmHWM in bytes.
func (p *serveProcess) peakRSS(tb testing.TB) int64 {
	tb.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		tb.Fatal(err)
	}
	for l := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kb << 10
		}
	}
	tb.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

// stop ends the process with SIGTERM, as a deployment would.
func (p *serveProcess) stop(tb testing.TB) {
	tb.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		tb.Error("serve did not stop within 10s of SIGTERM")
	}
}
