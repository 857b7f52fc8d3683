package checks

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/generation"
	"github.com/neo4j-doctor/neo4j-doctor/internal/truststore"
	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"
)

var tlsCheck = Check{
	ID: "tls", Title: "TLS", Needs: []string{"tcp"}, Member: true, Phase: true,
	Doc: "`+s` and `+ssc` only: version, cipher, the chain, names, expiry; which trust stores on this machine accept the chain (--trust-store: the application's); the cause when it fails (self-signed, unknown CA, TLS-inspecting proxy, no CA bundle, expired, wrong host, missing intermediate, plaintext port)",
	Codes: []Code{
		{ID: "tls.not_used", Doc: "the URI's scheme does not use TLS: nothing to check"},
		{ID: "tls.self_signed", Doc: "the certificate is self-signed and not trusted"},
		{ID: "tls.interception", Doc: "a TLS-inspecting proxy re-signs the connection with a certificate this system does not trust"},
		{ID: "tls.no_system_roots", Doc: "this system has no trusted CA certificates, so no certificate verifies"},
		{ID: "tls.incomplete_chain", Doc: "the server sends its certificate without the intermediate that signs it"},
		{ID: "tls.unknown_authority", Doc: "the certificate is signed by a CA this system does not trust"},
		{ID: "tls.expired", Doc: "a certificate in the chain has expired"},
		{ID: "tls.not_yet_valid", Doc: "a certificate in the chain is not valid yet (a clock may be wrong)"},
		{ID: "tls.host_mismatch", Doc: "the certificate is not valid for the host name in the URI"},
		{ID: "tls.verify_failed", Doc: "the certificate chain does not verify, for another reason"},
		{ID: "tls.plaintext_http", Doc: "the port answered plain HTTP to the TLS handshake: it is an HTTP port"},
		{ID: "tls.plaintext_bolt", Doc: "the port answered plaintext Bolt to the TLS handshake: TLS is not enabled on it"},
		{ID: "tls.plaintext_other", Doc: "the port answered bytes that are neither TLS, HTTP nor Bolt to the TLS handshake"},
		{ID: "tls.closed_on_hello", Doc: "the server closed the connection on the TLS handshake without sending a byte: TLS is off, or a proxy's backend is not up yet", Wait: true},
		{ID: "tls.protocol_version", Doc: "the server offers neither TLS 1.2 nor TLS 1.3"},
		{ID: "tls.cipher", Doc: "the server and the client share no cipher suite"},
		{ID: "tls.client_cert_required", Doc: "the server requires a client certificate (mutual TLS)"},
		{ID: "tls.server_name", Doc: "the server does not serve the requested server name (SNI)"},
		{ID: "tls.handshake_timeout", Doc: "the TLS handshake did not finish in time", Wait: true},
		{ID: "tls.failed", Doc: "the TLS handshake failed, for another reason"},
		{ID: "tls.unverified", Doc: "+ssc accepted a certificate that does not verify"},
		{ID: "tls.expiring_soon", Doc: "the certificate expires within the warning period (--cert-warn-days, 30 days by default)"},
		{ID: "tls.inspected", Doc: "a TLS-inspecting proxy, trusted by this system, reads the connection"},
		{ID: "tls.app_store_rejects", Doc: "the chain verifies with this system's store and --ca-file, but not with the store the application uses (--trust-store)"},
	},
	Run: checkTLS,
}

// checkTLS runs the TLS handshake for +s and +ssc URIs. Under +s a chain
// that does not verify fails here, so nothing after it (and no credential)
// goes over that connection.
func checkTLS(ctx context.Context, r *Run) Result {
	if r.T.TLS == TLSOff {
		return judgeTLS(r.T, r.member, r.serverGen(), nil, nil)
	}
	ctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
	defer cancel()
	info, err := r.s.startTLS(ctx)
	res := judgeTLS(r.T, r.member, r.serverGen(), info, err)
	stores := judgeStores(r.T, r.Env, r.member, info)
	if !r.member {
		r.trustStores = stores
	}
	appStore(&res, r.T, r.Env, stores, info, err)
	if errors.Is(err, tlsprobe.ErrHandshakeTimeout) {
		r.noResponse = true
	}
	return res
}

// judgeTLS reads what the TLS handshake gave; member says the host comes
// from a routing table rather than from the user.
func judgeTLS(t *Target, member bool, srv generation.Server, info *tlsprobe.Result, err error) Result {
	if t.TLS == TLSOff {
		return Result{Status: Skip, Code: "tls.not_used", Summary: t.Scheme + ":// does not use TLS"}
	}
	res := Result{}
	res.Facts = tlsFacts(info, err)
	res.Evidence = chainEvidence(info)
	if err != nil {
		var code string
		res.Err = err
		res.Summary, res.Hints, code = tlsFailure(t, member, srv, err)
		res.raise(Fail, code)
		if he, ok := errors.AsType[*tlsprobe.HandshakeError](err); ok && he.Alert != "" {
			// The server's own answer: the TLS alert it sent.
			res.Evidence = append(res.Evidence, Fact{Name: "alert", Value: fmt.Sprintf("%s (%d)", he.Alert, he.AlertCode)})
		}
		return res
	}
	res.Status = Pass
	// In days from two days on, else in hours (or less): DaysLeft is 0 on
	// a certificate's last day.
	left, unit := tlsprobe.HumanCount(info.ExpiresIn)
	res.Summary = fmt.Sprintf("%s, certificate valid for %s for %d more %s", info.Version, t.Host, left, unit)
	if info.AcceptedAny {
		res.raise(Warn, "tls.unverified")
		res.Summary = fmt.Sprintf("%s with an unverified certificate (accepted because of +ssc)", info.Version)
		res.Hints = append(res.Hints, fmt.Sprintf("the certificate would fail verification (%v); +ssc accepts any certificate, including an attacker's: for production trust its CA (--ca-file) and use %s", info.Unverified, secureScheme(t)))
	}
	if info.ExpiringSoon {
		res.raise(Warn, "tls.expiring_soon")
		soon := fmt.Sprintf("the certificate %s expires in %d %s (%s)", info.EarliestExpirySubject, left, unit, info.EarliestExpiry.Format(time.DateOnly))
		if srv.Aura {
			res.Hints = append(res.Hints, soon+": Aura renews its certificates itself; if this one is not renewed in time, "+srv.Text(generation.Support))
		} else {
			res.Hints = append(res.Hints, soon+": renew it, and replace the file "+srv.Text(generation.BoltCertificate)+" names")
		}
	}
	if info.Interception != "" {
		res.raise(Warn, "tls.inspected")
		res.Hints = append(res.Hints, fmt.Sprintf("the chain names %s, a TLS-inspecting proxy: it reads this traffic; exempt %s:%d from inspection", info.Interception, t.Host, t.Port))
	}
	return res
}

// tlsFacts are what the handshake showed, the leaf certificate one
// field per line: the fields a person acts on (whom it is for, who
// signed it, until when) for every report, the rest for --verbose.
func tlsFacts(info *tlsprobe.Result, err error) []Fact {
	if info == nil {
		return nil
	}
	var f []Fact
	add := func(name, value string, verbose bool) {
		if value != "" {
			f = append(f, Fact{Name: name, Value: value, Verbose: verbose})
		}
	}
	add("version", info.Version, true)
	add("cipher", info.CipherSuite, true)
	if info.Resumed {
		add("session", "resumed from an earlier probe in this process: the chain below is from that session's full handshake, at most 10 minutes old", true)
	}
	// The host in the URI, unless the server did not take it.
	add("server name (SNI)", info.SNI, !errors.Is(err, tlsprobe.ErrServerName))
	if len(info.Chain) > 0 {
		leaf := info.Chain[0]
		add("subject", leaf.Subject, false)
		add("issuer", leaf.Issuer, false)
		add("names", certNames(leaf), false)
		add("valid from", leaf.NotBefore.UTC().Format(time.RFC3339), !errors.Is(err, tlsprobe.ErrNotYetValid))
		add("expires", leaf.NotAfter.UTC().Format(time.RFC3339), false)
		// +ssc names the fingerprint it accepted, below.
		add("sha256", leaf.SHA256, true)
		add("serial", leaf.Serial, true)
		add("key", certKey(leaf), true)
		add("signature", leaf.SignatureAlgorithm, true)
	}
	if len(info.TrustedChain) > 0 {
		// Worth reading on a pass (a proxy that inspects shows here), not
		// beside a failure it did not cause.
		add("verified chain", strings.Join(info.TrustedChain, " → "), err != nil)
	}
	if info.AcceptedAny {
		add("accepted unverified", info.AcceptedSHA, false)
	}
	return f
}

func certNames(c tlsprobe.CertInfo) string {
	names := strings.Join(append(append([]string(nil), c.DNSNames...), c.IPs...), ", ")
	if names == "" {
		return "none"
	}
	return names
}

func certKey(c tlsprobe.CertInfo) string {
	if c.KeyBits == 0 {
		return c.KeyType
	}
	return fmt.Sprintf("%s %d bits", c.KeyType, c.KeyBits)
}

// chainEvidence is the rest of what the server sent: the chain's other
// certificates, one field per line, and the handshake's details, for
// --verbose; and, when the port did not answer TLS, what it answered.
// The verification error says what the summary says, at length.
func chainEvidence(info *tlsprobe.Result) []Fact {
	if info == nil {
		return nil
	}
	var ev []Fact
	for i, c := range info.Chain {
		if i == 0 {
			continue // the facts
		}
		n := fmt.Sprintf("certificate %d ", i)
		ev = append(ev,
			Fact{Name: n + "subject", Value: c.Subject, Verbose: true},
			Fact{Name: n + "issuer", Value: c.Issuer, Verbose: true},
			Fact{Name: n + "valid", Value: c.NotBefore.UTC().Format(time.RFC3339) + " to " + c.NotAfter.UTC().Format(time.RFC3339), Verbose: true},
			Fact{Name: n + "sha256", Value: c.SHA256, Verbose: true})
	}
	if info.ALPN != "" {
		ev = append(ev, Fact{Name: "alpn", Value: info.ALPN, Verbose: true})
	}
	ev = append(ev, Fact{Name: "ocsp staple", Value: fmt.Sprint(info.OCSPStapled), Verbose: true})
	if info.VerifyError != "" {
		ev = append(ev, Fact{Name: "verification", Value: info.VerifyError, Verbose: true})
	}
	ev = append(ev, receivedEvidence(info.Received)...)
	return ev
}

// tlsFailure words why the handshake failed, and names it with a code.
// srv gives the names of the server's settings, or on Aura what to do
// instead.
func tlsFailure(t *Target, member bool, srv generation.Server, err error) (summary string, hints []string, code string) {
	ssc := sscScheme(t)
	plain := strings.TrimSuffix(secureScheme(t), "+s://") + "://"
	// setting is the name of a setting in a sentence; on Aura, where
	// there is no setting to change, name is "" and aura says what to do.
	setting := func(it generation.Item) (name, aura string) {
		say := srv.Lookup(it)
		if say.Aura {
			return "", say.Text
		}
		return say.Text, ""
	}
	var ce *tlsprobe.CertError
	if errors.As(err, &ce) {
		switch {
		case errors.Is(err, tlsprobe.ErrSelfSigned):
			return "the certificate is self-signed", []string{
				"trust it: pass the certificate with --ca-file (drivers: add it to their trust store), or install one from a public CA",
				fmt.Sprintf("for a test server, %s encrypts without verifying the certificate", ssc),
			}, "tls.self_signed"
		case errors.Is(err, tlsprobe.ErrInterception):
			p := ce.Product
			if p == "" {
				p = "an unknown product"
			}
			return fmt.Sprintf("a TLS-inspecting proxy (%s) re-signs the connection", p), []string{
				fmt.Sprintf("exempt %s and port %d from TLS inspection, or trust the proxy's root CA (--ca-file; drivers: the trust store)", t.Host, t.Port),
				ssc + " works around it but lets the proxy read the traffic",
			}, "tls.interception"
		case errors.Is(err, tlsprobe.ErrNoSystemRoots):
			return "this system has no trusted CA certificates", []string{
				"install the CA bundle, which slim and distroless container images often lack: on Debian or Ubuntu `apt-get install ca-certificates`, or on Alpine `apk add ca-certificates`",
			}, "tls.no_system_roots"
		case errors.Is(err, tlsprobe.ErrIncompleteChain):
			fix := fmt.Sprintf("put the leaf followed by the intermediate(s) (%s) in the file ", ce.Missing)
			if name, aura := setting(generation.BoltCertificate); aura != "" {
				hints = []string{aura}
			} else {
				hints = []string{"configure the full chain on the server: " + fix + name + " names (public.crt by default)"}
			}
			return "the server sent its certificate without the intermediate that signs it", hints, "tls.incomplete_chain"
		case errors.Is(err, tlsprobe.ErrUnknownAuthority):
			return "the certificate is signed by an authority this system does not trust", []string{
				"pass the CA certificate with --ca-file (drivers: add it to the trust store), or use a certificate from a public CA",
				fmt.Sprintf("for a test server %s skips verification", ssc),
			}, "tls.unknown_authority"
		case errors.Is(err, tlsprobe.ErrExpired):
			clock := "if it looks current on the server, check this machine's clock"
			if name, aura := setting(generation.BoltCertificate); aura != "" {
				hints = []string{"check this machine's clock: Aura renews its certificates itself", aura}
			} else {
				hints = []string{"renew the certificate and replace the file " + name + " names; " + clock}
			}
			return fmt.Sprintf("the certificate expired %s ago", tlsprobe.HumanDuration(ce.Delta)), hints, "tls.expired"
		case errors.Is(err, tlsprobe.ErrNotYetValid):
			h := []string{"the certificate's validity starts in the future: check the clock on this machine and on the server (NTP)"}
			if ce.ClockSuspect {
				h = append([]string{"this machine's clock looks wrong: set it by NTP with `timedatectl set-ntp true`"}, h...)
			}
			return fmt.Sprintf("the certificate is not valid for another %s", tlsprobe.HumanDuration(ce.Delta)), h, "tls.not_yet_valid"
		case errors.Is(err, tlsprobe.ErrHostMismatch):
			summary = fmt.Sprintf("the certificate is not valid for %s: it is for %s", t.Host, listSome(ce.SANs, 3))
			if len(ce.SANs) == 0 {
				// "has no subject alternative names; its common name ... is
				// ignored", or "names no host at all".
				why, _, _ := strings.Cut(strings.TrimPrefix(ce.Detail, "the certificate "), "; connect with ")
				if why == "" {
					why = "names no host at all"
				}
				summary = fmt.Sprintf("the certificate is not valid for %s: it %s", t.Host, why)
			}
			reissue := fmt.Sprintf("reissue the certificate with %s among its names", t.Host)
			advertised, aura := setting(generation.BoltAdvertisedAddress)
			switch {
			case member:
				// The name is the routing table's: the user cannot pick
				// another, the server can advertise one its certificate
				// covers.
				reissue = fmt.Sprintf("reissue that server's certificate with %s among its names", t.Host)
				if ce.Suggest != "" && aura == "" {
					set, _ := pasteSet(srv, generation.BoltAdvertisedAddress, net.JoinHostPort(ce.Suggest, strconv.Itoa(t.Port)))
					return summary, []string{
						"this name comes from the cluster's routing table: have the server advertise a name its certificate covers; on it set " + set,
						"or " + reissue,
					}, "tls.host_mismatch"
				}
				if aura == "" {
					return summary, []string{reissue, "or have the server advertise a name its certificate covers, in " + advertised}, "tls.host_mismatch"
				}
				return summary, []string{reissue}, "tls.host_mismatch"
			case t.Routing && aura == "":
				reissue += "; in a cluster, each member's certificate must cover the name it advertises in " + advertised
			}
			if ce.Suggest != "" {
				return summary, []string{fmt.Sprintf("connect with %s://%s:%d instead", t.Scheme, ce.Suggest, t.Port), "or " + reissue}, "tls.host_mismatch"
			}
			return summary, []string{reissue}, "tls.host_mismatch"
		}
		return "the certificate does not verify", []string{"see the verification error; pass the CA with --ca-file or fix the certificate"}, "tls.verify_failed"
	}
	var he *tlsprobe.HandshakeError
	if errors.As(err, &he) {
		// policy is the hint that changes a setting of the server's SSL
		// policy: "<what> `name=value`<rest>"; on Aura, what to do instead.
		policy := func(what string, it generation.Item, value, rest string) string {
			set, aura := pasteSet(srv, it, value)
			if aura != "" {
				return aura
			}
			return what + set + rest
		}
		switch {
		case errors.Is(err, tlsprobe.ErrPlaintextPort):
			what, code := "closed the connection on the TLS handshake", "tls.closed_on_hello"
			switch he.Speaks {
			case tlsprobe.SpeaksHTTP:
				return "the port answered plain HTTP to the TLS handshake", []string{fmt.Sprintf("port %d is an HTTP port (Neo4j's is 7474): use the Bolt port, by default 7687", t.Port)}, "tls.plaintext_http"
			case tlsprobe.SpeaksBolt:
				what, code = "answered plaintext Bolt to the TLS handshake", "tls.plaintext_bolt"
			case tlsprobe.SpeaksOther:
				// Worded as a close, as it always was; but bytes came
				// back, so this is no server that is still starting.
				code = "tls.plaintext_other"
			}
			enable, aura := pasteSet(srv, generation.BoltSSLPolicyEnabled, "true")
			if aura != "" {
				return "the server " + what + ": this port does not use TLS", []string{aura}, code
			}
			level, _ := pasteSet(srv, generation.BoltTLSLevel, "REQUIRED")
			return "the server " + what + ": this port does not use TLS", []string{
				fmt.Sprintf("use %s (no encryption), or enable TLS on the server", plain),
				"to enable TLS, give the bolt SSL policy a certificate, then set these and restart the server (a tls_level of OPTIONAL also takes plaintext clients): " + enable + " and " + level,
			}, code
		case errors.Is(err, tlsprobe.ErrProtocolVersion):
			return "the server offers no TLS version this client accepts (1.2 or 1.3)",
				[]string{policy("allow TLSv1.2 and TLSv1.3 on the server: set ", generation.BoltTLSVersions, "TLSv1.2,TLSv1.3", "")}, "tls.protocol_version"
		case errors.Is(err, tlsprobe.ErrCipher):
			if name, aura := setting(generation.BoltCiphers); aura != "" {
				hints = []string{aura}
			} else {
				hints = []string{"allow modern cipher suites in " + name + " on the server (or remove the setting for the defaults)"}
			}
			return "the server and client share no cipher suite", hints, "tls.cipher"
		case errors.Is(err, tlsprobe.ErrClientCertRequired):
			return "the server requires a client certificate (mutual TLS)", []string{
				policy("set ", generation.BoltClientAuth, "NONE", " on the server (OPTIONAL also works), or give the driver a client certificate"),
			}, "tls.client_cert_required"
		case errors.Is(err, tlsprobe.ErrServerName):
			return "the server does not serve the requested server name (SNI)", []string{"connect with the host name the server expects, not an IP address or alias"}, "tls.server_name"
		case errors.Is(err, tlsprobe.ErrHandshakeTimeout):
			return "the TLS handshake timed out", []string{"something accepts TCP but does not answer TLS: check that the port is the Bolt port and that no proxy swallows the handshake"}, "tls.handshake_timeout"
		}
	}
	return "the TLS handshake failed", []string{"check that the port serves Bolt with TLS"}, "tls.failed"
}

// listSome is the first n of list, and how many more there are.
func listSome(list []string, n int) string {
	if len(list) <= n {
		return strings.Join(list, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(list[:n], ", "), len(list)-n)
}

// judgeStores says which trust stores accept the chain the server sent:
// for the run of the URI's host, every store env.TrustSearch finds (with
// --ca-file); for a member, only --trust-store's. The picked store is
// marked, and listed even when the search did not find it.
func judgeStores(t *Target, env *Env, member bool, info *tlsprobe.Result) []truststore.Verdict {
	chain := sentChain(info)
	if len(chain) == 0 {
		return nil
	}
	var stores []truststore.Store
	switch {
	case member:
	case env.TrustSearch != nil:
		search := *env.TrustSearch
		search.SystemRoots = env.Roots
		stores = search.Discover(t.CAFile, t.ExtraCAs)
	case t.CAFile != "":
		stores = []truststore.Store{truststore.FromCerts(truststore.CAFile, t.CAFile, "--ca-file", t.ExtraCAs)}
	}
	now := env.Now()
	var out []truststore.Verdict
	var systemAccepts bool
	picked := false
	for _, st := range stores {
		v := truststore.Judge(st, chain, now)
		if st.Kind == truststore.System {
			systemAccepts = v.Accepted
		}
		if p := t.TrustStore; p != nil && p.Kind == st.Kind && p.Path == st.Path {
			v.Picked, picked = true, true
		}
		out = append(out, v)
	}
	if p := t.TrustStore; p != nil && !picked {
		st := *p
		if st.Kind == truststore.System {
			st.Pool = env.Roots
			if st.Pool == nil {
				st = truststore.Search{Getenv: func(string) string { return "" }}.System()
				st.Path, st.From = p.Path, p.From
			}
		}
		v := truststore.Judge(st, chain, now)
		v.Picked = true
		out = append(out, v)
	}
	for i, v := range out {
		if v.Kind == truststore.Node && !v.Accepted && !v.Unreadable && systemAccepts {
			// Node trusts its built-in roots too, which are not read here.
			out[i].Reason += "; the system store has it, and whether node's built-in roots do is not known here"
		}
	}
	return out
}

// sentChain is the chain the server sent, leaf first.
func sentChain(info *tlsprobe.Result) []*x509.Certificate {
	if info == nil {
		return nil
	}
	var chain []*x509.Certificate
	for _, c := range info.Chain {
		b, _ := pem.Decode([]byte(c.PEM))
		if b == nil {
			return nil
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil
		}
		chain = append(chain, cert)
	}
	return chain
}

// trustFailure: the handshake failed only because no trusted root signs
// the chain.
func trustFailure(info *tlsprobe.Result, err error) bool {
	if info == nil || len(info.Problems) != 1 {
		return false
	}
	for _, e := range []error{tlsprobe.ErrSelfSigned, tlsprobe.ErrUnknownAuthority, tlsprobe.ErrInterception, tlsprobe.ErrNoSystemRoots} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// appStore adds the stores' verdicts to the tls result, and, under
// --trust-store, judges with the application's store: the handshake
// verified with it, so a failure of trust is the application's, worded
// for that store (tls.app_store_rejects when the doctor's own store
// accepts the chain).
func appStore(res *Result, t *Target, env *Env, stores []truststore.Verdict, info *tlsprobe.Result, err error) {
	failed := err != nil && trustFailure(info, err)
	for _, v := range stores {
		res.Facts = append(res.Facts, Fact{Name: "trust store " + v.Kind, Value: storeFact(v), Verbose: !v.Picked && !failed})
	}
	if t.TrustStore == nil || !failed {
		return
	}
	var app truststore.Verdict
	for _, v := range stores {
		if v.Picked {
			app = v
		}
	}
	root := app.Root
	if root == "" {
		root = truststore.MissingRoot(sentChain(info))
	}
	// where: a store the doctor read that holds the root, to copy it from.
	where := ""
	for _, v := range stores {
		if v.Accepted && v.Path != "" && !v.Picked {
			where = v.Path
			if v.Kind == truststore.CAFile {
				break
			}
		}
	}
	fix := storeHints(*t.TrustStore, where)
	if doctorAccepts(t, env, sentChain(info)) {
		// The doctor's trust has the root: the application's store is the
		// cause.
		res.Code = "tls.app_store_rejects"
		res.Summary = fmt.Sprintf("%s lacks the root %q", storeName(*t.TrustStore), root)
		res.Hints = fix
		return
	}
	res.Hints = append(fix, res.Hints...)
}

// doctorAccepts: the doctor's own trust (the system store and --ca-file)
// accepts the chain.
func doctorAccepts(t *Target, env *Env, chain []*x509.Certificate) bool {
	if len(chain) == 0 {
		return false
	}
	pool := env.Roots
	if pool == nil {
		sys, err := x509.SystemCertPool()
		if err != nil {
			sys = x509.NewCertPool()
		}
		pool = sys
	}
	pool = pool.Clone()
	for _, c := range t.ExtraCAs {
		pool.AddCert(c)
	}
	return truststore.Judge(truststore.Store{Kind: truststore.System, Pool: pool}, chain, env.Now()).Accepted
}

func storeFact(v truststore.Verdict) string {
	where := v.Path
	if where == "" {
		where = v.From
	} else if v.From != "found" && v.From != "" && v.From != "--trust-store" && v.From != "--ca-file" {
		where = v.From + "=" + v.Path
	}
	if v.Picked {
		where += ", the application's (--trust-store)"
	}
	if v.Accepted {
		return fmt.Sprintf("accepts, root %q (%s)", v.Root, where)
	}
	return fmt.Sprintf("rejects: %s (%s)", v.Reason, where)
}

// storeName names a kind of store in a sentence.
func storeName(st truststore.Store) string {
	switch st.Kind {
	case truststore.System:
		return "the system store"
	case truststore.CAFile:
		return "--ca-file"
	case truststore.Node:
		return "NODE_EXTRA_CA_CERTS"
	case truststore.Certifi:
		return "Python's certifi bundle"
	case truststore.Java:
		return "Java's cacerts"
	}
	return "the --trust-store file"
}

// storeHints are the fixes for the store that lacks the root, first
// what to add where. file holds the root ("" when no store the doctor
// read does). The names are the documentation's:
//   - Python driver, trusted_certificates=TrustCustomCAs(...), only on
//     neo4j:// or bolt:// with encrypted=True:
//     https://neo4j.com/docs/api/python-driver/current/api.html#trusted-certificates
//   - Python's ssl reads SSL_CERT_FILE through OpenSSL's default paths
//     (ssl.get_default_verify_paths); requests reads REQUESTS_CA_BUNDLE:
//     https://docs.python.org/3/library/ssl.html#ssl.get_default_verify_paths,
//     https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification
//   - Java driver, Config.TrustStrategy.trustCustomCertificateSignedBy(File...):
//     https://neo4j.com/docs/api/java-driver/current/org.neo4j.driver/org/neo4j/driver/Config.TrustStrategy.html
//   - keytool -importcert -keystore -storepass -alias -file:
//     https://docs.oracle.com/en/java/javase/17/docs/specs/man/keytool.html
//   - NODE_EXTRA_CA_CERTS, read once when the process starts:
//     https://nodejs.org/api/cli.html#node_extra_ca_certsfile
func storeHints(st truststore.Store, file string) []string {
	root := "the root"
	if file != "" {
		root = "the root (" + file + ")"
	} else {
		file = "root.pem"
	}
	switch st.Kind {
	case truststore.Certifi:
		return []string{
			fmt.Sprintf("give the driver the CA: trusted_certificates=neo4j.TrustCustomCAs(%q), with neo4j:// and encrypted=True (+s schemes take no trust setting)", file),
			fmt.Sprintf("or point Python's ssl at a bundle of certifi's roots and this one: `export SSL_CERT_FILE=bundle.pem` (REQUESTS_CA_BUNDLE for the requests library); an edit of %s is lost on certifi's next upgrade", st.Path),
		}
	case truststore.Java:
		return []string{
			fmt.Sprintf("import %s into Java's cacerts: `keytool -importcert -keystore %s -storepass changeit -alias neo4j-root -file %s`", root, st.Path, file),
			fmt.Sprintf("or give the driver the CA: Config.TrustStrategy.trustCustomCertificateSignedBy(new File(%q)), with neo4j:// and encryption on", file),
		}
	case truststore.Node:
		return []string{fmt.Sprintf("append %s to %s, the file NODE_EXTRA_CA_CERTS names, and restart the application: Node reads it once, at start", root, st.Path)}
	case truststore.System:
		if st.Path != "" {
			return []string{fmt.Sprintf("append %s to %s, which %s names in place of the system's store", root, st.Path, st.From)}
		}
		return []string{
			fmt.Sprintf("install %s in the system store: on Debian or Ubuntu copy it to /usr/local/share/ca-certificates/neo4j-root.crt and run `update-ca-certificates`", root),
			"on RHEL or Fedora copy it to /etc/pki/ca-trust/source/anchors/ and run `update-ca-trust`",
		}
	case truststore.CAFile:
		return []string{"pass the CA that signs the server's chain with --ca-file"}
	}
	return []string{fmt.Sprintf("add %s to %s", root, st.Path)}
}
