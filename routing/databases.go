package routing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/internal/clip"

	"github.com/neo4j-doctor/neo4j-doctor/bolt"
)

// MaxDatabases bounds how many databases one run looks at: each costs a
// round trip, and a DBMS with thousands of tenants would otherwise turn a
// diagnosis into a crawl.
const MaxDatabases = 64

// ErrSingleDatabase means the server predates multiple databases (Neo4j
// 3.5 and older, Bolt 3): there is nothing to list.
var ErrSingleDatabase = errors.New("routing: Bolt 3 servers (Neo4j 3.5 and older) have a single database")

// Database is one database as SHOW DATABASES describes it: one row per
// server that hosts it, merged.
type Database struct {
	Name    string
	Type    string // standard, system, composite; "" before 5.0
	Home    bool   // the user's home database
	Default bool   // the DBMS's default database
	Servers []DatabaseServer
}

// DatabaseServer is one row of SHOW DATABASES: the database on one server.
type DatabaseServer struct {
	Address string // as the server advertises it; "" when unknown
	// Role is 5.x's primary/secondary/unknown or 4.x's
	// leader/follower/read_replica/standalone.
	Role      string
	Writer    bool   // 5.x's writer column, or a 4.x leader or standalone
	Requested string // requestedStatus: what an administrator asked for
	Current   string // currentStatus: online, offline, quarantined, starting, ...
	Message   string // statusMessage (5.x) or error (4.x)
}

// Online reports whether the database serves queries somewhere.
func (d Database) Online() bool {
	for _, s := range d.Servers {
		if strings.EqualFold(s.Current, "online") {
			return true
		}
	}
	return false
}

// Status is "online" when every server says so, else the other statuses
// with how many servers report each, e.g. "offline on 3 of 3 servers".
func (d Database) Status() string {
	n := map[string]int{}
	var order []string
	for _, s := range d.Servers {
		st := strings.ToLower(s.Current)
		if st == "" {
			st = "unknown"
		}
		if n[st] == 0 {
			order = append(order, st)
		}
		n[st]++
	}
	if len(order) == 1 && order[0] == "online" {
		return "online"
	}
	var parts []string
	for _, st := range order {
		if st == "online" {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s on %d of %d servers", st, n[st], len(d.Servers)))
	}
	if len(parts) == 0 {
		return "no server hosts it"
	}
	return strings.Join(parts, ", ")
}

// Worst is the status that matters most for a diagnosis: quarantined, then
// offline, then any other state that is not online; "" when all are online.
func (d Database) Worst() string {
	rank := func(s string) int {
		switch s {
		case "online":
			return 0
		case "quarantined":
			return 3
		case "offline":
			return 2
		}
		return 1
	}
	worst, worstRank := "", 0
	for _, s := range d.Servers {
		st := strings.ToLower(s.Current)
		if st == "" {
			st = "unknown"
		}
		if r := rank(st); r > worstRank {
			worst, worstRank = st, r
		}
	}
	return worst
}

// Primary is the address of the server that takes writes for the
// database, "" when none does (no leader, or every copy is down).
func (d Database) Primary() string {
	for _, s := range d.Servers {
		if s.Writer && s.Address != "" {
			return s.Address
		}
	}
	return ""
}

// Message is the first status message a server gave, "" when none did.
func (d Database) Message() string {
	for _, s := range d.Servers {
		if s.Message != "" {
			return s.Message
		}
	}
	return ""
}

// ShowDatabases lists the databases the user can see, as SHOW DATABASES on
// the system database answers it, merged by name in the server's order.
// dropped counts databases beyond MaxDatabases.
func ShowDatabases(ctx context.Context, c *bolt.Conn, v bolt.Version) (dbs []Database, dropped int, err error) {
	if v.Major < 4 {
		return nil, 0, ErrSingleDatabase
	}
	res, err := c.Query(ctx, "SHOW DATABASES", nil, map[string]any{"mode": "r", "db": "system"})
	if err != nil {
		return nil, 0, err
	}
	return ParseDatabases(res)
}

// ParseDatabases reads a SHOW DATABASES result of any server generation by
// column name: 4.x has role leader/follower and error, 5.x writer and
// statusMessage.
func ParseDatabases(res bolt.QueryResult) ([]Database, int, error) {
	col := map[string]int{}
	for i, f := range res.Fields {
		col[f] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, 0, fmt.Errorf("%w: SHOW DATABASES returned no name column (columns %s)", ErrMalformed, clip.String(strings.Join(res.Fields, ", "), 200))
	}
	get := func(rec []any, name string) any {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return nil
	}
	text := func(rec []any, name string) string {
		s, _ := get(rec, name).(string)
		return clip.String(s, 200)
	}
	flag := func(rec []any, name string) bool {
		b, _ := get(rec, name).(bool)
		return b
	}
	// 4.0-4.2 have no home column: their home database is the default.
	_, hasHome := col["home"]
	idx := map[string]int{}
	var out []Database
	dropped := map[string]bool{}
	for _, rec := range res.Records {
		name := text(rec, "name")
		if name == "" {
			continue
		}
		key := strings.ToLower(name) // database names are case-insensitive
		i, ok := idx[key]
		if !ok {
			if len(out) >= MaxDatabases {
				dropped[key] = true
				continue
			}
			i = len(out)
			idx[key] = i
			out = append(out, Database{Name: name, Type: text(rec, "type")})
		}
		d := &out[i]
		d.Home = d.Home || flag(rec, "home") || !hasHome && flag(rec, "default")
		d.Default = d.Default || flag(rec, "default")
		role := strings.ToLower(text(rec, "role"))
		s := DatabaseServer{
			Address:   text(rec, "address"),
			Role:      role,
			Requested: text(rec, "requestedStatus"),
			Current:   text(rec, "currentStatus"),
			Message:   text(rec, "statusMessage"),
		}
		// 4.x has no writer column: its leader (or a standalone server)
		// takes writes, as long as the database is up there.
		s.Writer = flag(rec, "writer") ||
			(role == "leader" || role == "standalone") && strings.EqualFold(s.Current, "online")
		if s.Message == "" {
			s.Message = text(rec, "error")
		}
		if len(d.Servers) < MaxAddresses {
			d.Servers = append(d.Servers, s)
		}
	}
	return out, len(dropped), nil
}
