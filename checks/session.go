package checks

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/internal/truststore"
	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"
)

// session owns a run's connections and everything that goes on the wire
// for the connection steps: the TCP connection (and, when pipelining, a
// second one that lists the server's Bolt versions), TLS, the Bolt
// handshake, and the first flight: HELLO, LOGON and whatever the checks
// that run asked to ride along (Check.Ride). The tcp, tls, bolt and auth
// checks call it for their step and judge the typed outcome it returns;
// a check that rode along reads its own replies with Rides.
type session struct {
	r *Run

	// tcp
	conn     net.Conn
	connAddr string
	// the version listing: a connection of its own, opened with the
	// run's, that sends the handshake alone and reads the manifest
	versions    <-chan bolt.HandshakeResult
	stopListing func()
	listingDone chan struct{}
	listingKey  string
	// remembered: the list came from Env.Memory, not from this run
	remembered bool
	// tls
	tlsInfo *tlsprobe.Result
	tlsConn *tls.Conn // nil unless credentials may go over it
	// bolt
	hs bolt.HandshakeResult
	bc *bolt.Conn
	// the first flight
	sent     bool // the login and the rides are on the wire
	flight   []string
	hello    bolt.HelloResult
	helloErr error
	rides    map[string][]*bolt.Reply
	rideErr  map[string]error
}

// dialOutcome is what dialling one resolved address gave.
type dialOutcome struct {
	addr    string
	conn    net.Conn
	err     error
	elapsed time.Duration
	spare   net.Conn // a second connection for the version listing, or nil
}

// dial connects to every resolved address at once and keeps the
// connection to the first address in resolution order that answered, as
// drivers try them in that order. A pipelining run dials each address a
// second time in parallel, for the version listing, so the listing costs
// no round trip.
func (s *session) dial(ctx context.Context, addrs []net.IP) []dialOutcome {
	r := s.r
	port := strconv.Itoa(r.T.Port)
	outs := make([]dialOutcome, len(addrs))
	var wg sync.WaitGroup
	for i, ip := range addrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			addr := net.JoinHostPort(ip.String(), port)
			spares := s.wantListing(addr)
			dctx, cancel := context.WithTimeout(ctx, r.T.Timeout)
			defer cancel()
			var spare net.Conn
			done := make(chan struct{})
			if spares {
				go func() {
					defer close(done)
					spare, _ = r.Env.Dial(dctx, "tcp", addr)
				}()
			} else {
				close(done)
			}
			start := r.Env.Now()
			c, err := r.Env.Dial(dctx, "tcp", addr)
			outs[i] = dialOutcome{addr: addr, conn: c, err: err, elapsed: r.Env.Now().Sub(start)}
			<-done
			if spare != nil && err == nil {
				outs[i].spare = spare
			} else if spare != nil {
				_ = spare.Close()
			}
		}()
	}
	wg.Wait()
	for _, o := range outs {
		switch {
		case o.err != nil:
		case s.conn == nil:
			s.conn, s.connAddr = o.conn, o.addr
			if o.spare != nil {
				s.listVersions(ctx, o.spare, s.listKey(o.addr))
			}
		default:
			_ = o.conn.Close()
			if o.spare != nil {
				_ = o.spare.Close()
			}
		}
	}
	return outs
}

// listKey names the version list of the server at addr in Env.Memory.
func (s *session) listKey(addr string) string {
	return versionsKey(addr, s.r.T.TLS != TLSOff)
}

// wantListing says whether the run opens a connection to addr to read the
// server's version list: only the seed's run, only when pipelining (a
// sequential handshake reads it for free), only when asked for
// (Target.ListVersions), and not when the process remembers it.
func (s *session) wantListing(addr string) bool {
	r := s.r
	if r.T.NoPipelining || r.member || !r.T.ListVersions {
		return false
	}
	_, known := r.Env.Memory.knownVersions(s.listKey(addr))
	return !known
}

func (s *session) tlsConfig() tlsprobe.Config {
	r := s.r
	mode := tlsprobe.Verify
	if r.T.TLS == TLSAcceptAny {
		mode = tlsprobe.AcceptAny
	}
	cfg := tlsprobe.Config{
		ServerName:     r.T.Host,
		Mode:           mode,
		Roots:          r.Env.Roots,
		RootsAreSystem: r.Env.Roots != nil,
		ExtraCAs:       r.T.ExtraCAs,
		Now:            r.Env.Now,
		Timeout:        r.T.Timeout,
		WarnDays:       r.T.CertWarnDays,
		Sessions:       r.Env.Memory.tlsSessions(),
	}
	// --trust-store: verify as the application does, with its store alone.
	switch st := r.T.TrustStore; {
	case st == nil:
	case st.Kind == truststore.System:
		cfg.ExtraCAs = nil
	case st.Kind == truststore.Node:
		// Node adds NODE_EXTRA_CA_CERTS to roots built into node, which
		// cannot be read from here: the system's stand in for them.
		cfg.ExtraCAs = st.Certs
	default:
		cfg.Roots, cfg.RootsAreSystem, cfg.ExtraCAs = st.Pool, false, nil
	}
	return cfg
}

// startTLS runs the TLS handshake on the run's connection. Under +s a
// chain that does not verify leaves no connection: nothing after it, and
// no credential, goes over it.
func (s *session) startTLS(ctx context.Context) (*tlsprobe.Result, error) {
	tc, info, err := tlsprobe.Probe(ctx, s.conn, s.tlsConfig())
	s.tlsInfo, s.tlsConn = info, tc
	if tc == nil {
		s.conn = nil // Probe closed it
	}
	return info, err
}

// listVersions reads the manifest (every version the server speaks) on
// spare, a connection of its own, in parallel with the run's, since the
// speculative connection proposes no manifest. It sends nothing but the
// handshake.
func (s *session) listVersions(ctx context.Context, spare net.Conn, key string) {
	out := make(chan bolt.HandshakeResult, 1)
	ctx, cancel := context.WithTimeout(ctx, s.r.T.Timeout)
	done := make(chan struct{})
	s.versions, s.stopListing, s.listingDone, s.listingKey = out, cancel, done, key
	tlsOn := s.r.T.TLS != TLSOff
	cfg := s.tlsConfig()
	go func() {
		defer close(done)
		var hs bolt.HandshakeResult
		defer func() { out <- hs }()
		defer spare.Close()
		defer cancel()
		conn := spare
		if tlsOn {
			tc, _, err := tlsprobe.Probe(ctx, spare, cfg)
			if err != nil {
				return
			}
			defer tc.Close()
			conn = tc
		}
		hs, _ = bolt.Handshake(ctx, conn, bolt.DefaultProposals)
	}()
}

// endListing stops the listing connection and waits for it, so none
// outlives the step that gave up on it.
func (s *session) endListing() {
	if s.stopListing != nil {
		s.stopListing()
		<-s.listingDone
		s.stopListing = nil
	}
}

// boltOutcome is what the handshake step found.
type boltOutcome struct {
	hs  bolt.HandshakeResult
	err error // the handshake's verdict; nil when a version was agreed
	// pipelined: the login and the rides went out with the handshake and
	// the server took them; flight names those requests.
	pipelined bool
	flight    []string
	// sequential says why the exchange was not pipelined: --no-pipelining,
	// an unaccepted TLS connection, or the server's refusal of the flight
	// (refused); "" when it was, or when the first answer decided.
	sequential string
	refused    error
	// redialErr: the fresh connection a refusal needs could not be made.
	redialErr error
	// remembered: the version list is Env.Memory's, read by an earlier
	// diagnosis in this process.
	remembered bool
	// speaksTLS: after a plaintext handshake was closed without a byte,
	// the port answered a TLS handshake.
	speaksTLS bool
	// advertised is, when the port answered HTTP, the Bolt URI its
	// discovery document gives ("" when it gave none), and suspect why
	// that URI cannot be right for this client ("" when nothing is wrong
	// on its face).
	advertised, suspect string
}

const (
	seqOff       = "off"
	seqTLSRefuse = "off: the TLS connection was not accepted"
)

// handshake agrees a Bolt version. Unless pipelining is off it sends the
// first flight with the handshake (bolt.Speculate), and falls back to the
// sequential exchange on a fresh connection when the server does not take
// it, so speculation never decides a verdict.
func (s *session) handshake(parent context.Context) boltOutcome {
	r := s.r
	ctx, cancel := context.WithTimeout(parent, r.T.Timeout)
	defer cancel()
	conn := s.netConn()
	var out boltOutcome
	switch {
	case r.T.NoPipelining:
		out.sequential = seqOff
	case r.T.TLS != TLSOff && s.tlsConn == nil:
		// Credentials go out before the server answers: only over a
		// connection whose certificate was accepted.
		out.sequential = seqTLSRefuse
	default:
		reqs, owners := s.flightRequests(bolt.SpeculativeVersion)
		bc, replies, hs, err := bolt.Speculate(ctx, conn, reqs, bolt.Options{})
		if err == nil {
			s.takeFlight(ctx, bc, replies, owners)
			if bolt.SpeculationRefused(s.helloErr) {
				err = fmt.Errorf("%w: %w", bolt.ErrSpeculationRefused, s.helloErr)
				s.sent, s.hello, s.helloErr, s.rides, s.flight = false, bolt.HelloResult{}, nil, nil, nil
				_ = bc.Close()
				s.bc = nil
			}
		}
		if err != nil {
			// Only a speculation that worked uses the list: a peer that
			// stalls the listing connection must not cost a timeout before
			// the fallback costs its own.
			s.endListing()
		}
		if err == nil {
			s.hs, out.hs, out.pipelined, out.flight = hs, hs, true, s.flight
			if s.versions != nil {
				// The listing connection was opened with the run's, so it
				// is as far along: waiting for it costs no round trip.
				select {
				case l := <-s.versions:
					if l.Manifest {
						s.hs.Manifest, s.hs.Offered, s.hs.Capabilities = true, l.Offered, l.Capabilities
						out.hs = s.hs
						r.Env.Memory.rememberVersions(s.listingKey, l, s.hello.Server)
					}
				case <-ctx.Done():
				}
			} else if l, ok := r.Env.Memory.knownVersions(s.listKey(s.connAddr)); ok {
				s.hs.Manifest, s.hs.Offered, s.hs.Capabilities = true, l.Offered, l.Capabilities
				out.hs, s.remembered, out.remembered = s.hs, true, true
			}
			return out
		}
		if !errors.Is(err, bolt.ErrSpeculationRefused) {
			// Decided by the first bytes, as a sequential handshake
			// would have been: HTTP, TLS, silence, not Bolt.
			s.hs, out.hs, out.err = hs, hs, err
			out.speaksTLS = s.closedButSpeaksTLS(ctx, err)
			return out
		}
		out.refused = err
		// The fallback is a step of its own: it gets a full timeout.
		cancel()
		ctx, cancel = context.WithTimeout(parent, r.T.Timeout)
		defer cancel()
		fresh, ferr := s.redial(ctx)
		if ferr != nil {
			out.redialErr = ferr
			if errors.Is(err, bolt.ErrClosed) || errors.Is(err, bolt.ErrReset) {
				// A server that closed the first connection and will not
				// take a second one closes connections, pipelined or not:
				// that is the verdict, as a sequential handshake gives it.
				s.hs, out.hs, out.err = hs, hs, err
				out.speaksTLS = s.closedButSpeaksTLS(ctx, err)
			}
			return out
		}
		conn = fresh
	}
	hs, err := bolt.Handshake(ctx, conn, bolt.DefaultProposals)
	s.hs, out.hs = hs, hs // the bytes are evidence even when the handshake failed
	if err != nil {
		out.err = err
		out.speaksTLS = s.closedButSpeaksTLS(ctx, err)
		return out
	}
	s.bc = bolt.NewConn(conn, hs, bolt.Options{})
	return out
}

// closedButSpeaksTLS asks the port again, with a TLS handshake, when a
// plaintext Bolt handshake was closed or reset without an answer: a port
// that requires TLS does that.
func (s *session) closedButSpeaksTLS(ctx context.Context, err error) bool {
	if s.r.T.TLS != TLSOff || !errors.Is(err, bolt.ErrClosed) && !errors.Is(err, bolt.ErrReset) || s.connAddr == "" {
		return false
	}
	raw, derr := s.r.Env.Dial(ctx, "tcp", s.connAddr)
	if derr != nil {
		return false
	}
	ok, _, _ := tlsprobe.SpeaksTLS(ctx, raw, s.tlsConfig())
	return ok
}

func (s *session) netConn() net.Conn {
	if s.tlsConn != nil {
		return s.tlsConn
	}
	return s.conn
}

// redial opens a fresh connection to the address the tcp check reached,
// with TLS as the tls check did, and makes it the run's connection.
func (s *session) redial(ctx context.Context) (net.Conn, error) {
	raw, err := s.r.Env.Dial(ctx, "tcp", s.connAddr)
	if err != nil {
		return nil, err
	}
	s.conn = raw
	if s.r.T.TLS == TLSOff {
		return raw, nil
	}
	tc, _, err := tlsprobe.Probe(ctx, raw, s.tlsConfig())
	if err != nil {
		_ = raw.Close()
		s.conn = nil
		return nil, err
	}
	s.tlsConn = tc
	return tc, nil
}

// auth is the token the run logs in with: the bearer token (scheme
// bearer) when one was given, else the user and password.
func (t *Target) auth() bolt.Auth {
	if t.BearerToken != "" {
		return bolt.Auth{Scheme: "bearer", Credentials: t.BearerToken}
	}
	return bolt.BasicAuth(t.Username, t.Password)
}

// helloRequest is the login the run sends: the routing context of a
// neo4j:// URI on every connection, members' included, and none for
// bolt://, as drivers do.
func (s *session) helloRequest() bolt.HelloRequest {
	r := s.r
	return bolt.HelloRequest{
		UserAgent: "neo4j-doctor/" + r.Env.Version,
		BoltAgent: "neo4j-doctor/" + r.Env.Version,
		Auth:      r.T.auth(),
		Routing:   r.routingContext(),
	}
}

// flightRequests is the first flight for v: the login, then each ride of
// a check that will run, in check order. owners names the check of each
// request ("" for the login's). A ride that v cannot express stays home,
// and its check hears why from Rides.
func (s *session) flightRequests(v bolt.Version) (reqs []bolt.Request, owners []string) {
	r := s.r
	reqs = bolt.Login(v, s.helloRequest())
	// The flight goes out in one write once built: its login is counted
	// here, refused or not, as the server sees it.
	r.countLogon()
	owners = make([]string, len(reqs))
	s.rideErr = nil
	f := Flight{Version: v, Target: r.T, Member: r.member, Routing: r.routingContext(), Remembered: r.remembered}
	for _, c := range r.list {
		if c.Ride == nil || !r.willRun(c.ID) {
			continue
		}
		ride := c.Ride(f)
		if err := bolt.Expressible(v, ride...); err != nil {
			if s.rideErr == nil {
				s.rideErr = map[string]error{}
			}
			s.rideErr[c.ID] = err
			continue
		}
		for _, req := range ride {
			reqs = append(reqs, req)
			owners = append(owners, c.ID)
		}
	}
	return reqs, owners
}

// takeFlight keeps the first flight's replies: it reads the login's, under
// ctx, and files the rest under the check that asked for them.
func (s *session) takeFlight(ctx context.Context, bc *bolt.Conn, replies []*bolt.Reply, owners []string) {
	s.bc, s.sent = bc, true
	s.rides = map[string][]*bolt.Reply{}
	s.flight = nil
	var login []*bolt.Reply
	for i, rep := range replies {
		s.flight = append(s.flight, rep.Name())
		if owners[i] == "" {
			login = append(login, rep)
			continue
		}
		s.rides[owners[i]] = append(s.rides[owners[i]], rep)
	}
	s.hello, s.helloErr = bolt.ReadLogin(ctx, login)
	if !s.r.member && s.connAddr != "" {
		// A remembered version list holds while the server's agent does:
		// an upgraded server gets its list read again, and this run does
		// not show the old one.
		if !s.r.Env.Memory.rememberAgent(s.listKey(s.connAddr), s.hello.Server) && s.remembered {
			s.hs.Manifest, s.hs.Offered, s.hs.Capabilities, s.remembered = false, nil, 0, false
		}
	}
}

// login returns the server's answer to HELLO and LOGON, sending the first
// flight now when it did not go with the handshake.
func (s *session) login(parent context.Context) (bolt.HelloResult, error) {
	if s.sent {
		return s.hello, s.helloErr
	}
	ctx, cancel := context.WithTimeout(parent, s.r.T.Timeout)
	defer cancel()
	reqs, owners := s.flightRequests(s.bc.Version())
	replies, err := s.bc.Send(ctx, reqs...)
	if err != nil {
		s.sent, s.helloErr = true, err
		return bolt.HelloResult{}, err
	}
	s.takeFlight(ctx, s.bc, replies, owners)
	return s.hello, s.helloErr
}

// Rides returns the replies to the requests check id asked to send with
// the first flight (Check.Ride), in order; nil when none went out (the
// check did not ask, or the login failed before they could).
func (r *Run) Rides(id string) ([]*bolt.Reply, error) {
	if err := r.s.rideErr[id]; err != nil {
		return nil, err
	}
	return r.s.rides[id], nil
}

// Bolt is the run's Bolt connection after the login, for a check's own
// requests beyond the first flight; nil when the connection steps did not
// get that far.
func (r *Run) Bolt() *bolt.Conn { return r.s.bc }

// BoltVersion is the negotiated Bolt version; zero before the handshake.
func (r *Run) BoltVersion() bolt.Version { return r.s.hs.Version }

func (s *session) close() {
	// The listing connection is read only by the handshake step; when
	// that never ran (tls failed, --skip bolt) or stopped waiting, end it
	// here rather than let it run out its own timeout after the report.
	s.endListing()
	switch {
	case s.bc != nil:
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_ = s.bc.Goodbye(ctx)
		cancel()
		_ = s.bc.Close()
	case s.tlsConn != nil:
		_ = s.tlsConn.Close()
	case s.conn != nil:
		_ = s.conn.Close()
	}
}
