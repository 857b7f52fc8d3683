package routing

import (
	"bytes"
	"errors"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
)

// FuzzParse feeds Parse whatever rt map a server could send (the fuzzer's
// bytes decoded as PackStream, as the client decodes a ROUTE SUCCESS):
// it never panics, and what it keeps is bounded, deduplicated and made of
// host:port addresses only.
func FuzzParse(f *testing.F) {
	seed := func(rt map[string]any) []byte {
		b, err := packstream.Append(nil, rt)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add(seed(map[string]any{"ttl": int64(300), "db": "neo4j", "servers": []any{
		map[string]any{"role": "WRITE", "addresses": []any{"a:7687"}},
		map[string]any{"role": "READ", "addresses": []any{"b:7687", "c:7687"}},
		map[string]any{"role": "ROUTE", "addresses": []any{"a:7687", "b:7687", "c:7687"}},
	}}))
	f.Add(seed(map[string]any{"ttl": int64(-1), "servers": []any{
		map[string]any{"role": "leader", "addresses": []any{int64(1), nil, "x", "[::1]:7687", "h:0", "h:70000"}},
		map[string]any{"role": "READ", "addresses": []any{"b:7687", "b:7687"}},
		"not a map",
		map[string]any{"role": "ROUTE"},
	}}))
	f.Add(seed(map[string]any{"ttl": "300", "servers": nil}))
	f.Add(seed(map[string]any{"ttl": int64(1) << 62, "servers": []any{}}))
	lim := packstream.Limits{MaxDepth: 8, MaxCollection: 1 << 12, MaxString: 1 << 10, MaxValues: 1 << 14}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The table is the one field of a SUCCESS, as the server sends it.
		m, _, err := packstream.DecodeMessage(append([]byte{0xB1, 0x70}, data...), lim)
		if err != nil {
			return
		}
		v := m.Fields[0]
		rt, ok := v.(map[string]any)
		if !ok {
			return
		}
		tbl, err := Parse(rt)
		if err != nil {
			if !errors.Is(err, ErrMalformed) || tbl != nil {
				t.Fatalf("Parse: %v (table %v)", err, tbl)
			}
			return
		}
		if n := len(tbl.Routers) + len(tbl.Readers) + len(tbl.Writers); n > MaxAddresses {
			t.Fatalf("kept %d addresses, cap %d", n, MaxAddresses)
		}
		if len(tbl.Problems) > MaxProblems+1 {
			t.Fatalf("%d problems, cap %d and a count", len(tbl.Problems), MaxProblems)
		}
		for _, p := range tbl.Problems {
			if len(p.Text) > 200 {
				t.Fatalf("problem of %d bytes: a hostile string is not cut", len(p.Text))
			}
		}
		for role, list := range map[string][]string{"ROUTE": tbl.Routers, "READ": tbl.Readers, "WRITE": tbl.Writers} {
			seen := map[string]bool{}
			for _, a := range list {
				if seen[a] {
					t.Fatalf("%s lists %q twice", role, a)
				}
				seen[a] = true
				host, port, err := SplitAddress(a)
				if err != nil || host == "" || port < 1 || port > 65535 {
					t.Fatalf("%s keeps %q, which is not host:port (%v)", role, a, err)
				}
			}
		}
		members := tbl.Members()
		seen := map[string]bool{}
		for _, m := range members {
			if seen[m.Address] || len(m.Roles) == 0 || len(m.Roles) > 3 {
				t.Fatalf("member %+v", m)
			}
			seen[m.Address] = true
		}
		if len(members) > MaxAddresses {
			t.Fatalf("%d members", len(members))
		}
		if !bytes.Contains(data, []byte(tbl.Database)) {
			t.Fatalf("database %q is not from the input", tbl.Database)
		}
	})
}
