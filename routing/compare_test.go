package routing_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/routing"
)

func TestCompare(t *testing.T) {
	t.Parallel()
	ref := &routing.Table{TTL: 300, Routers: []string{"a:1", "b:1", "c:1"}, Readers: []string{"b:1", "c:1"}, Writers: []string{"a:1"}}
	cases := []struct {
		name  string
		other routing.Table
		want  routing.Disagreement
		says  string
	}{
		{"same, other order and TTL, case of names", routing.Table{TTL: 10, Routers: []string{"C:1", "b:1", "a:1"}, Readers: []string{"c:1", "b:1"}, Writers: []string{"A:1"}}, routing.Disagreement{}, "nothing"},
		{"another writer", routing.Table{Routers: ref.Routers, Readers: []string{"a:1", "c:1"}, Writers: []string{"b:1"}}, routing.Disagreement{Writers: true}, "the writer"},
		{"no writer", routing.Table{Routers: ref.Routers, Readers: ref.Readers}, routing.Disagreement{Writers: true}, "the writer"},
		{"a member missing", routing.Table{Routers: []string{"a:1", "b:1"}, Readers: []string{"b:1"}, Writers: []string{"a:1"}}, routing.Disagreement{Members: true}, "the member list"},
		{"a member more", routing.Table{Routers: ref.Routers, Readers: []string{"b:1", "c:1", "d:1"}, Writers: []string{"a:1"}}, routing.Disagreement{Members: true}, "the member list"},
		{"both", routing.Table{Routers: []string{"x:1"}, Readers: []string{"x:1"}, Writers: []string{"x:1"}}, routing.Disagreement{Writers: true, Members: true}, "the writer and the member list"},
	}
	for _, c := range cases {
		got := routing.Compare(ref, &c.other)
		if got != c.want || got.Any() != (c.want != routing.Disagreement{}) || got.String() != c.says {
			t.Errorf("%s: %+v (%q), want %+v (%q)", c.name, got, got, c.want, c.says)
		}
	}
}

func TestView(t *testing.T) {
	t.Parallel()
	tb := &routing.Table{Routers: []string{"a:1"}, Readers: nil, Writers: []string{"a:1"}}
	if v := tb.View(); v != "writers a:1; readers (none); routers a:1" {
		t.Errorf("View = %q", v)
	}
	var many []string
	for i := range 100 {
		many = append(many, fmt.Sprintf("m%d:1", i))
	}
	v := (&routing.Table{Routers: many}).View()
	if !strings.Contains(v, "and 94 more") || len(v) > 200 {
		t.Errorf("View of 100 routers: %q", v)
	}
}

func TestMembership(t *testing.T) {
	before := &routing.Table{Writers: []string{"a:1"}, Readers: []string{"b:1", "c:1"}, Routers: []string{"a:1", "b:1", "c:1"}}
	after := &routing.Table{Writers: []string{"B:1"}, Readers: []string{"a:1", "d:1"}, Routers: []string{"a:1", "B:1", "d:1"}}
	joined, left := routing.Membership(before, after)
	if !slices.Equal(joined, []string{"d:1"}) || !slices.Equal(left, []string{"c:1"}) {
		t.Errorf("joined %q, left %q; want d:1 joined and c:1 left (B:1 is b:1)", joined, left)
	}
	if joined, left := routing.Membership(before, before); joined != nil || left != nil {
		t.Errorf("the same table: joined %q, left %q", joined, left)
	}
}
