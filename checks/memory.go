package checks

import (
	"context"
	"crypto/tls"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

// Memory is what a process that diagnoses again and again (serve, watch,
// --wait, --targets) keeps between diagnoses, so that a repeated probe
// costs the server less and finishes sooner:
//
//   - per target, the last routing table and the server agent: the next
//     probe contacts the remembered members in the same flight as the seed
//     (a warm probe), then reconciles them with the fresh table;
//   - per server, the Bolt versions it offers (the handshake manifest),
//     which a pipelined handshake cannot read and which otherwise costs a
//     connection of its own, for VersionsTTL;
//   - TLS sessions, resumed for SessionMaxAge, after which a full handshake
//     shows the server's certificate again.
//
// A nil *Memory remembers nothing: every diagnosis is cold, as a one-shot
// command's is. A Memory is safe for concurrent diagnoses.
type Memory struct {
	now      func() time.Time
	mu       sync.Mutex
	versions map[string]versionsEntry // by the address the seed answered at, and TLS
	targets  map[string]targetEntry   // by Target.memoryKey
	sessions *sessionCache
}

// VersionsTTL is how long a server's version list is believed; a rolling
// upgrade changes it, and the server agent then tells (see rememberAgent).
const VersionsTTL = time.Hour

// SessionMaxAge bounds TLS resumption: a resumed handshake shows the
// certificate of the session's first handshake, so a rotated certificate
// shows within this time.
const SessionMaxAge = 10 * time.Minute

type versionsEntry struct {
	hs    bolt.HandshakeResult // Manifest, Offered and Capabilities
	agent string               // the server agent when it was read
	at    time.Time
}

type targetEntry struct {
	table *routing.Table
	agent string
}

// NewMemory returns an empty Memory; now is the clock (nil: time.Now).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, versions: map[string]versionsEntry{}, targets: map[string]targetEntry{},
		sessions: &sessionCache{now: now, max: SessionMaxAge, inner: tls.NewLRUClientSessionCache(1024)}}
}

// versionsKey names a server's listing: the address it answered at, and
// whether over TLS (a proxy may answer one and not the other).
func versionsKey(addr string, tlsOn bool) string {
	if tlsOn {
		return addr + "/tls"
	}
	return addr
}

// knownVersions is the server's remembered version list, if fresh.
func (m *Memory) knownVersions(key string) (bolt.HandshakeResult, bool) {
	if m == nil {
		return bolt.HandshakeResult{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.versions[key]
	if !ok || m.now().Sub(e.at) > VersionsTTL {
		return bolt.HandshakeResult{}, false
	}
	return e.hs, true
}

func (m *Memory) rememberVersions(key string, hs bolt.HandshakeResult, agent string) {
	if m == nil || !hs.Manifest {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.versions[key] = versionsEntry{hs: bolt.HandshakeResult{Manifest: true, Offered: hs.Offered, Capabilities: hs.Capabilities}, agent: agent, at: m.now()}
}

// rememberAgent forgets a server's version list when its agent changed
// since the list was read: it was upgraded or replaced. It reports
// whether a list is still remembered.
func (m *Memory) rememberAgent(key, agent string) bool {
	if m == nil || agent == "" {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.versions[key]
	switch {
	case !ok:
		return false
	case e.agent == "":
		e.agent = agent
		m.versions[key] = e
	case e.agent != agent:
		delete(m.versions, key)
		return false
	}
	return true
}

// lastTable is the routing table and agent the last diagnosis of the
// target found; nil when there is none.
func (m *Memory) lastTable(key string) (*routing.Table, string) {
	if m == nil {
		return nil, ""
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.targets[key]
	return e.table, e.agent
}

func (m *Memory) rememberTable(key string, t *routing.Table, agent string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if t == nil {
		delete(m.targets, key)
		return
	}
	m.targets[key] = targetEntry{table: t, agent: agent}
}

// tlsSessions is the cache TLS handshakes resume from; nil without Memory.
func (m *Memory) tlsSessions() tls.ClientSessionCache {
	if m == nil {
		return nil
	}
	return m.sessions
}

// sessionCache is a ClientSessionCache whose sessions expire after max.
type sessionCache struct {
	now   func() time.Time
	max   time.Duration
	inner tls.ClientSessionCache
	mu    sync.Mutex
	born  map[string]time.Time
}

func (c *sessionCache) Get(key string) (*tls.ClientSessionState, bool) {
	c.mu.Lock()
	born, ok := c.born[key]
	c.mu.Unlock()
	if !ok || c.now().Sub(born) > c.max {
		return nil, false
	}
	return c.inner.Get(key)
}

func (c *sessionCache) Put(key string, cs *tls.ClientSessionState) {
	c.mu.Lock()
	if c.born == nil {
		c.born = map[string]time.Time{}
	}
	if cs == nil {
		delete(c.born, key)
	} else if _, ok := c.born[key]; !ok || c.now().Sub(c.born[key]) > c.max {
		// A ticket renewed on a resumed session keeps its first
		// handshake's age: only a full handshake shows the chain anew.
		c.born[key] = c.now()
	}
	c.mu.Unlock()
	c.inner.Put(key, cs)
}

// memoryKey names what is remembered of a target: its address, the
// database and the user (the home database, and so the table, is the
// user's), and whether TLS is on.
func (t *Target) memoryKey() string {
	return strings.Join([]string{t.Scheme, strings.ToLower(t.Address()), t.Database, t.Username, strconv.Itoa(int(t.TLS))}, "\x00")
}

// wireCount is what a diagnosis cost the server: the TCP connections it
// opened (any port of the servers it checked) and the logins it sent.
type wireCount struct {
	connections, logons atomic.Int64
	// raw is the dialler without the count, for the resolver: a DNS
	// server is not one of the servers checked.
	raw dialFunc
}

type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// counting wraps dial so that every connection it opens is counted.
func (w *wireCount) counting(dial dialFunc) dialFunc {
	w.raw = dial
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err == nil && strings.HasPrefix(network, "tcp") {
			w.connections.Add(1)
		}
		return c, err
	}
}

// dnsDial is the dialler for DNS servers: not counted.
func (e *Env) dnsDial() dialFunc {
	if e.wire != nil && e.wire.raw != nil {
		return e.wire.raw
	}
	return e.Dial
}

// countLogon counts one login (LOGON, or HELLO with credentials before
// Bolt 5.1) as it goes on the wire.
func (r *Run) countLogon() {
	if w := r.Env.wire; w != nil {
		w.logons.Add(1)
	}
}
