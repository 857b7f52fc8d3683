package checks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/generation"
	"github.com/neo4j-doctor/neo4j-doctor/internal/aura"

	"github.com/miekg/dns"

	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

// slowDNS is where an answer becomes worth a warning: drivers resolve on
// every new connection.
const slowDNS = time.Second

// Resolver is the resolver a run uses for every connection: the system's,
// or the --dns-server, as `dig @server` would.
// Checks that run side by side (http beside the Bolt path) may ask at
// once, so it is made once.
func (r *Run) Resolver() *net.Resolver {
	r.resolverOnce.Do(func() {
		switch {
		case r.resolver != nil: // a member's run, given its seed's
			return
		case r.T.DNSServer == "":
			r.resolver = net.DefaultResolver
			return
		}
		server := r.T.DNSServer
		dial := r.Env.dnsDial()
		r.resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dial(ctx, network, server)
		}}
	})
	return r.resolver
}

// resolverAnswer is what one DNS server said about the host.
type resolverAnswer struct {
	server string
	a      []string
	aaaa   []string
	cnames []string // the chain, in order
	rcode  string   // NOERROR, NXDOMAIN, SERVFAIL, ...; "timeout" or the error
	rtt    time.Duration
}

var dnsCheck = Check{
	ID: "dns", Title: "name resolution", Needs: []string{"config"}, Member: true, Phase: true,
	Doc: "the system resolver's answer (or `--dns-server`'s), and each resolver's own A/AAAA answer and CNAME chain; NXDOMAIN, SERVFAIL and timeouts told apart; skipped for an IP address",
	// A name may resolve soon (a record not published yet, a resolver
	// coming up): --wait tries every one of these again.
	Codes: []Code{
		{ID: "dns.ip_address", Doc: "the host is an IP address: there is nothing to resolve"},
		{ID: "dns.nxdomain", Doc: "the host name does not exist (NXDOMAIN)", Wait: true},
		{ID: "dns.cname_target_missing", Doc: "the host name is an alias (CNAME) whose target does not resolve", Wait: true},
		{ID: "dns.no_address_records", Doc: "the host name exists but has no address (A or AAAA) record", Wait: true},
		{ID: "dns.timeout", Doc: "no DNS answer came in time", Wait: true},
		{ID: "dns.servfail", Doc: "the DNS server failed to answer (SERVFAIL)", Wait: true},
		{ID: "dns.failed", Doc: "the lookup failed for another reason", Wait: true},
		{ID: "dns.slow", Doc: "the host name resolves, but took over a second", Wait: true},
		{ID: "dns.resolvers_disagree", Doc: "the host name resolves, but a DNS server asked directly answered an error", Wait: true},
	},
	Run: checkDNS,
}

// dnsOutcome is what resolving the host gave.
type dnsOutcome struct {
	ips     []net.IPAddr
	err     error            // the resolver's verdict
	answers []resolverAnswer // what each DNS server said when asked directly
	elapsed time.Duration    // the resolver's time
}

func checkDNS(ctx context.Context, r *Run) Result {
	host := r.T.Host
	if ip := net.ParseIP(host); ip != nil {
		r.Addrs = []net.IP{ip}
		return judgeDNS(r.T, r.member, r.serverGen(), dnsOutcome{})
	}
	ctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
	defer cancel()

	var out dnsOutcome
	var wg sync.WaitGroup
	if servers := r.dnsServers(); len(servers) > 0 && !routing.Loopback(host) {
		out.answers = make([]resolverAnswer, len(servers))
		for i, s := range servers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out.answers[i] = queryServer(ctx, s, host, r.T.Timeout)
			}()
		}
	}
	start := r.Env.Now()
	out.ips, out.err = r.Resolver().LookupIPAddr(ctx, host)
	out.elapsed = r.Env.Now().Sub(start)
	wg.Wait()
	if out.err == nil {
		for _, ip := range out.ips {
			r.Addrs = append(r.Addrs, ip.IP)
		}
	}
	return judgeDNS(r.T, r.member, r.serverGen(), out)
}

// viaServerError is a lookup error that names the --dns-server asked: with
// a custom dialler the resolver still names the resolv.conf server in its
// errors. errors.As finds the *net.DNSError.
type viaServerError struct {
	host, server string
	err          *net.DNSError
}

func (e *viaServerError) Error() string {
	return fmt.Sprintf("lookup %s via %s: %s", e.host, e.server, e.err.Err)
}

func (e *viaServerError) Unwrap() error { return e.err }

// judgeDNS reads what resolving the host gave; member says the name comes
// from a routing table rather than from the user.
func judgeDNS(t *Target, member bool, srv generation.Server, out dnsOutcome) Result {
	host := t.Host
	if net.ParseIP(host) != nil {
		return Result{Status: Skip, Code: "dns.ip_address", Summary: "the host is an IP address; nothing to resolve"}
	}
	answers := out.answers
	res := Result{}
	via := "the system resolver (/etc/hosts, then the servers in resolv.conf)"
	if t.DNSServer != "" {
		via = t.DNSServer + " (--dns-server)"
	}
	res.Facts = append(res.Facts, Fact{Name: "resolved by", Value: via})
	for _, a := range answers {
		res.Facts = append(res.Facts, Fact{Name: "server " + a.server, Value: a.describe()})
		if a.rtt > 0 {
			res.Facts = append(res.Facts, Fact{Name: "server " + a.server + " time", Value: roundDur(a.rtt).String(), Verbose: true})
		}
	}
	if chain := longestChain(answers); len(chain) > 0 {
		res.Facts = append(res.Facts, Fact{Name: "cname chain", Value: host + " → " + strings.Join(chain, " → ")})
	}
	if err := out.err; err != nil {
		res.Err = err
		var de *net.DNSError
		isDNS := errors.As(err, &de)
		if isDNS && t.DNSServer != "" {
			res.Err = &viaServerError{host: host, server: t.DNSServer, err: de}
		}
		chain := longestChain(answers)
		switch {
		case isDNS && de.IsNotFound && len(chain) > 0:
			res.raise(Fail, "dns.cname_target_missing")
			last := chain[len(chain)-1]
			res.Summary = fmt.Sprintf("%s is an alias of %s, which has no address", host, last)
			res.Hints = append(res.Hints, fmt.Sprintf("the CNAME record points at %s, which does not resolve: fix the alias's target in DNS (or the target's own record)", last))
		case isDNS && de.IsNotFound && answeredNoData(answers):
			res.raise(Fail, "dns.no_address_records")
			res.Summary = fmt.Sprintf("%s exists but has no address (A/AAAA) records", host)
			res.Hints = append(res.Hints, "the name is in DNS but has no A or AAAA record: add one for the server's address")
		case isDNS && de.IsNotFound:
			res.raise(Fail, "dns.nxdomain")
			res.Summary = fmt.Sprintf("%s does not exist (NXDOMAIN)", host)
			if member {
				res.Hints = append(res.Hints, advertiseHints(t, srv, "this name comes from the cluster's routing table, not from your URI, and this machine cannot resolve it")...)
				return res
			}
			if id := aura.InstanceID(host); id != "" {
				// Aura publishes a name for every instance that exists,
				// running or paused: no name, no instance.
				res.Summary += ": no Aura instance " + id
				res.Hints = append(res.Hints,
					fmt.Sprintf("check in %s that instance %s exists, and copy its URI from there: it was deleted, or the id in the URI is mistyped", generation.Console, id),
					// "A paused instance is deleted after 30 days" (the
					// page of auraFreePause).
					"an AuraDB Free instance left paused for 30 days is deleted; one created less than a minute ago may not resolve yet")
				return res
			}
			res.Hints = append(res.Hints, "check the host name in the URI for typos",
				"for a private endpoint or a host known only inside a network, create the DNS record or connect from inside that network")
		case isDNS && de.IsTimeout || errors.Is(err, context.DeadlineExceeded):
			res.raise(Fail, "dns.timeout")
			res.Summary = fmt.Sprintf("no DNS answer for %s within %s", host, t.Timeout)
			res.Hints = append(res.Hints, "the DNS server does not answer: check the resolver in /etc/resolv.conf (or --dns-server) and that UDP/TCP port 53 is open")
		case isDNS && strings.Contains(de.Err, "misbehaving"):
			res.raise(Fail, "dns.servfail")
			res.Summary = fmt.Sprintf("the DNS server failed to answer for %s (SERVFAIL)", host)
			res.Hints = append(res.Hints, dnsRetryHint)
		default:
			res.raise(Fail, "dns.failed")
			res.Summary = fmt.Sprintf("DNS lookup of %s failed", host)
			res.Hints = append(res.Hints, dnsRetryHint)
		}
		return res
	}
	addrs := make([]string, len(out.ips))
	for i, ip := range out.ips {
		addrs[i] = ip.IP.String()
	}
	res.Facts = append([]Fact{{Name: "addresses", Value: strings.Join(addrs, ", ")}}, res.Facts...)
	res.Status = Pass
	res.Summary = fmt.Sprintf("%s resolves to %s", host, strings.Join(addrs, ", "))
	if out.elapsed > slowDNS {
		res.raise(Warn, "dns.slow")
		// The time column gives the time; the summary says why it matters.
		res.Summary += ", but took over a second"
		res.Facts = append(res.Facts, Fact{Name: "resolution time", Value: out.elapsed.Round(time.Millisecond).String(), Verbose: true})
		res.Hints = append(res.Hints, "name resolution took over a second; every new driver connection pays it: check the resolvers in /etc/resolv.conf")
	}
	for _, a := range answers {
		if a.rcode != "NOERROR" && a.rcode != "" {
			res.raise(Warn, "dns.resolvers_disagree")
			res.Hints = append(res.Hints, fmt.Sprintf("DNS server %s answered %s while the system resolver found the host: resolvers disagree, so some connections may fail", a.server, a.rcode))
		}
	}
	return res
}

// advertiseHints is what to do about a member whose advertised address
// clients cannot use (why says what is wrong with it): advertise one
// they can, in the names of the server's generation; on Aura, what an
// Aura user can do instead.
func advertiseHints(t *Target, srv generation.Server, why string) []string {
	value := "<a name clients resolve>:" + strconv.Itoa(t.Port)
	set, auraSay := pasteSet(srv, generation.BoltAdvertisedAddress, value)
	if auraSay != "" {
		return []string{auraSay, why}
	}
	hints := []string{why + ": on the server that advertises it set " + set}
	if all, _ := pasteSet(srv, generation.DefaultAdvertisedAddress, "<a name clients resolve>"); all != "" {
		hints = append(hints, "or set "+all+", the host every connector of that server advertises")
	}
	return hints
}

const dnsRetryHint = "the resolver could not answer: try another with --dns-server 1.1.1.1:53 to tell a local resolver problem from a missing record"

// answeredNoData reports whether a server said the name exists but has no
// address records (NOERROR with an empty answer, "NODATA").
func answeredNoData(answers []resolverAnswer) bool {
	for _, a := range answers {
		if a.rcode == "NOERROR" && len(a.a) == 0 && len(a.aaaa) == 0 && len(a.cnames) == 0 {
			return true
		}
	}
	return false
}

// dnsServers are the servers asked directly, for the per-resolver facts.
func (r *Run) dnsServers() []string {
	if r.T.DNSServer != "" {
		return []string{r.T.DNSServer}
	}
	cfg, err := dns.ClientConfigFromFile(r.Env.ResolvConf)
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range cfg.Servers {
		out = append(out, net.JoinHostPort(s, cfg.Port))
		if len(out) == 3 { // the resolver library uses at most three
			break
		}
	}
	return out
}

func queryServer(ctx context.Context, server, host string, timeout time.Duration) resolverAnswer {
	ans := resolverAnswer{server: server}
	c := &dns.Client{Timeout: timeout}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := new(dns.Msg)
			m.SetQuestion(dns.Fqdn(host), qt)
			in, rtt, err := c.ExchangeContext(ctx, m, server)
			mu.Lock()
			defer mu.Unlock()
			ans.rtt = max(ans.rtt, rtt)
			if err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
					ans.rcode = "timeout"
				} else if ans.rcode == "" || ans.rcode == "NOERROR" {
					ans.rcode = err.Error()
				}
				return
			}
			if in.Rcode != dns.RcodeSuccess || ans.rcode == "" {
				ans.rcode = dns.RcodeToString[in.Rcode]
			}
			for _, rr := range in.Answer {
				switch v := rr.(type) {
				case *dns.A:
					ans.a = append(ans.a, v.A.String())
				case *dns.AAAA:
					ans.aaaa = append(ans.aaaa, v.AAAA.String())
				case *dns.CNAME:
					if qt == dns.TypeA {
						ans.cnames = append(ans.cnames, strings.TrimSuffix(v.Target, "."))
					}
				}
			}
		}()
	}
	wg.Wait()
	sort.Strings(ans.a)
	sort.Strings(ans.aaaa)
	return ans
}

func (a resolverAnswer) describe() string {
	if a.rcode != "NOERROR" {
		return a.rcode
	}
	var parts []string
	if len(a.cnames) > 0 {
		parts = append(parts, "CNAME "+strings.Join(a.cnames, " → "))
	}
	if len(a.a) > 0 {
		parts = append(parts, "A "+strings.Join(a.a, ", "))
	}
	if len(a.aaaa) > 0 {
		parts = append(parts, "AAAA "+strings.Join(a.aaaa, ", "))
	}
	if len(parts) == 0 {
		parts = append(parts, "no addresses")
	}
	return strings.Join(parts, "; ")
}

func longestChain(answers []resolverAnswer) []string {
	var best []string
	for _, a := range answers {
		if len(a.cnames) > len(best) {
			best = a.cnames
		}
	}
	return best
}

// DNSServerAddr is the rule of --dns-server (and a targets file's
// dnsServer): HOST or HOST:PORT, port 53 when none is given; an IPv6
// address with brackets, or without them when it has no port. It returns
// the address to dial, and false when s is none of these.
func DNSServerAddr(s string) (string, bool) {
	if strings.Count(s, "[") != strings.Count(s, "]") {
		return "", false
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		h := strings.Trim(s, "[]")
		if strings.Contains(h, ":") && net.ParseIP(h) == nil {
			return "", false
		}
		host, port = h, "53"
	}
	n, err := strconv.Atoi(port)
	if host == "" || err != nil || n < 1 || n > 65535 || strings.ContainsAny(host, " /@[]") {
		return "", false
	}
	return net.JoinHostPort(host, port), true
}
