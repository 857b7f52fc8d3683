package checks

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/tlsprobe"
)

// outcomeWant is what a user sees of one judged result: its status and
// code, a phrase of its summary, and a phrase of its first hint ("" when
// the result must have no hint at all).
type outcomeWant struct {
	status  Status
	code    string
	summary string
	hint    string
}

// match asserts res against w, and that a result that is not a pass
// carries a code c declares while a pass carries none.
func (w outcomeWant) match(t *testing.T, c Check, res Result) {
	t.Helper()
	if res.Status != w.status || res.Code != w.code {
		t.Errorf("status %s code %q, want %s %q (summary %q)", res.Status, res.Code, w.status, w.code, res.Summary)
	}
	switch {
	case res.Status == Pass && res.Code != "":
		t.Errorf("a pass carries code %q", res.Code)
	case res.Status != Pass && !slices.ContainsFunc(c.Codes, func(k Code) bool { return k.ID == res.Code }):
		t.Errorf("code %q is not declared by the %s check", res.Code, c.ID)
	}
	if res.Status == Fail || res.Status == Warn {
		i := slices.IndexFunc(c.Codes, func(k Code) bool { return k.ID == res.Code })
		if was := waitedBefore(c.ID, normalise(res)); i >= 0 && c.Codes[i].Wait != was {
			t.Errorf("code %q has Wait %v, but --wait's rules before codes said %v for this result", res.Code, c.Codes[i].Wait, was)
		}
	}
	if !strings.Contains(res.Summary, w.summary) {
		t.Errorf("summary %q does not say %q", res.Summary, w.summary)
	}
	switch {
	case w.hint == "" && len(res.Hints) > 0:
		t.Errorf("unexpected hints %q", res.Hints)
	case w.hint != "" && len(res.Hints) == 0:
		t.Errorf("no hint; want one saying %q", w.hint)
	case w.hint != "" && !strings.Contains(res.Hints[0], w.hint):
		t.Errorf("first hint %q does not say %q", res.Hints[0], w.hint)
	}
}

// waitedBefore is what checks/wait.go decided for a failing (or, under
// --strict, warning) result of the config, dns, tcp, tls and version
// checks before it read codes, from the result's words: the Wait flags
// must say the same.
func waitedBefore(id string, res Result) bool {
	switch id {
	case "dns", "tcp":
		return true
	case "tls":
		if strings.Contains(res.Error, tlsprobe.ErrHandshakeTimeout.Error()) {
			return true
		}
		return strings.Contains(res.Error, tlsprobe.ErrPlaintextPort.Error()) && lookup(res.Evidence, "received") == ""
	}
	return false
}

var judgeCodeShape = regexp.MustCompile(`^[a-z]+\.[a-z][a-z0-9_]*[a-z0-9]$`)

// coverCodes asserts that c's codes are well formed and documented, and
// that the table's wants, all of them, exercise every one.
func coverCodes(t *testing.T, c Check, wants []outcomeWant) {
	t.Helper()
	tested := map[string]bool{}
	for _, w := range wants {
		tested[w.code] = true
	}
	seen := map[string]bool{}
	for _, k := range c.Codes {
		if !judgeCodeShape.MatchString(k.ID) || !strings.HasPrefix(k.ID, c.ID+".") {
			t.Errorf("code %q is not %s.<outcome> in lower case with underscores", k.ID, c.ID)
		}
		if seen[k.ID] {
			t.Errorf("code %q is declared twice", k.ID)
		}
		seen[k.ID] = true
		if strings.TrimSpace(k.Doc) == "" || strings.Contains(k.Doc, "\n") {
			t.Errorf("code %q has no one-line Doc", k.ID)
		}
		if !tested[k.ID] {
			t.Errorf("code %q is declared but no case produces it", k.ID)
		}
	}
}

// lookup is the value of the first fact called name, "" when none is.
func lookup(fs []Fact, name string) string {
	for _, f := range fs {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}
