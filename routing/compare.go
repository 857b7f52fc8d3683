package routing

import (
	"fmt"
	"slices"
	"strings"
)

// Disagreement says how another router's table differs from a reference
// table in what drivers act on: who takes writes, and which servers exist.
// TTL and the order of addresses do not matter: drivers sort them anyway.
type Disagreement struct {
	Writers bool // the writer sets differ
	Members bool // the sets of advertised addresses differ
}

// Any reports whether the tables disagree at all.
func (d Disagreement) Any() bool { return d.Writers || d.Members }

func (d Disagreement) String() string {
	switch {
	case d.Writers && d.Members:
		return "the writer and the member list"
	case d.Writers:
		return "the writer"
	case d.Members:
		return "the member list"
	}
	return "nothing"
}

// Compare says how other differs from ref.
func Compare(ref, other *Table) Disagreement {
	return Disagreement{
		Writers: !sameSet(ref.Writers, other.Writers),
		Members: !sameSet(addresses(ref), addresses(other)),
	}
}

// Membership is which members (any role) after lists that before does
// not, and which before lists that after does not, in table order;
// addresses compare as Compare compares them, case aside.
func Membership(before, after *Table) (joined, left []string) {
	return without(addresses(after), addresses(before)), without(addresses(before), addresses(after))
}

// without is the addresses of l that are not in drop, case aside.
func without(l, drop []string) []string {
	var out []string
	for _, a := range l {
		if !slices.ContainsFunc(drop, func(d string) bool { return strings.EqualFold(a, d) }) {
			out = append(out, a)
		}
	}
	return out
}

func addresses(t *Table) []string {
	var out []string
	for _, m := range t.Members() {
		out = append(out, m.Address)
	}
	return out
}

func sameSet(a, b []string) bool {
	norm := func(l []string) []string {
		out := make([]string, len(l))
		for i, s := range l {
			out[i] = strings.ToLower(s)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(a), norm(b))
}

// View is the table in one line, for showing two routers' views side by
// side: writers first, because that is what clients disagree about most.
func (t *Table) View() string {
	return fmt.Sprintf("writers %s; readers %s; routers %s", shortList(t.Writers), shortList(t.Readers), shortList(t.Routers))
}

// shortList keeps one view readable when a table is large.
func shortList(l []string) string {
	const show = 6
	switch {
	case len(l) == 0:
		return "(none)"
	case len(l) > show:
		return strings.Join(l[:show], ", ") + fmt.Sprintf(" and %d more", len(l)-show)
	}
	return strings.Join(l, ", ")
}
