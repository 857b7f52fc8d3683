package bolt

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/bolt/packstream"
)

var (
	v3  = Version{3, 0}
	v40 = Version{4, 0}
	v42 = Version{4, 2}
	v43 = Version{4, 3}
	v44 = Version{4, 4}
	v50 = Version{5, 0}
	v51 = Version{5, 1}
	v53 = Version{5, 3}
	v58 = Version{5, 8}
)

func wire(r request) []byte { return AppendMessage(nil, r.msg) }

// mustFn turns a (request, error) builder result into a request or a fatal.
func mustFn(t *testing.T) func(request, error) request {
	return func(r request, err error) request {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}

// The byte examples of bolt-facts.md §3.1 and §4.3-4.6.
func TestMessageBytes(t *testing.T) {
	must := mustFn(t)
	for _, tc := range []struct {
		name string
		got  request
		want string
	}{
		{"RUN", must(runMessage(v58, "RETURN 1", nil, nil)), "00 0D B3 10 88 52 45 54 55 52 4E 20 31 A0 A0 00 00"},
		{"RUN v3", must(runMessage(v3, "RETURN 1", map[string]any{}, map[string]any{})), "00 0D B3 10 88 52 45 54 55 52 4E 20 31 A0 A0 00 00"},
		{"PULL", pullMessage(v44, -1), "00 06 B1 3F A1 81 6E FF 00 00"},
		{"PULL_ALL", pullMessage(v3, -1), "00 02 B0 3F 00 00"},
		{"ROUTE 5.x", must(routeMessage(v58, RouteRequest{Context: map[string]string{"address": "localhost:7687"}})),
			"00 1C B3 66 A1 87 61 64 64 72 65 73 73 8E 6C 6F 63 61 6C 68 6F 73 74 3A 37 36 38 37 90 A0 00 00"},
		{"ROUTE 4.4", must(routeMessage(v44, RouteRequest{Context: map[string]string{"address": "localhost:7687"}})),
			"00 1C B3 66 A1 87 61 64 64 72 65 73 73 8E 6C 6F 63 61 6C 68 6F 73 74 3A 37 36 38 37 90 A0 00 00"},
		{"ROUTE 4.3", must(routeMessage(v43, RouteRequest{Context: map[string]string{"address": "localhost:7687"}})),
			"00 1C B3 66 A1 87 61 64 64 72 65 73 73 8E 6C 6F 63 61 6C 68 6F 73 74 3A 37 36 38 37 90 C0 00 00"},
		{"ROUTE 4.3 db", must(routeMessage(v43, RouteRequest{Database: "neo4j"})), "00 0A B3 66 A0 90 85 6E 65 6F 34 6A 00 00"},
		{"LOGON none", logonMessage(BasicAuth("", "")), "00 0F B1 6A A1 86 73 63 68 65 6D 65 84 6E 6F 6E 65 00 00"},
		{"GOODBYE", goodbyeMessage(), "00 02 B0 02 00 00"},
		{"RESET", resetMessage(), "00 02 B0 0F 00 00"},
	} {
		if got := wire(tc.got); !bytes.Equal(got, h(t, tc.want)) {
			t.Errorf("%s:\n got % X\nwant %s", tc.name, got, tc.want)
		}
	}
}

func decodeHello(t *testing.T, r request) map[string]any {
	t.Helper()
	s, err := packstream.DecodeStruct(r.msg, packstream.Limits{})
	if err != nil || s.Tag != MsgHello || len(s.Fields) != 1 {
		t.Fatalf("HELLO % X: %v", r.msg, err)
	}
	return s.Fields[0].(map[string]any)
}

// The facts' HELLO example lists user_agent first; our maps are sorted, so
// compare lengths and decoded content rather than bytes.
func TestHelloExample(t *testing.T) {
	want := h(t, "00 46 B1 01 A2 8A 75 73 65 72 5F 61 67 65 6E 74 D0 10 6E 65 6F 34 6A 2D 64 6F 63 74 6F 72 2F 30 2E 31 8A 62 6F 6C 74 5F 61 67 65 6E 74 A1 87 70 72 6F 64 75 63 74 D0 10 6E 65 6F 34 6A 2D 64 6F 63 74 6F 72 2F 30 2E 31 00 00")
	r := helloMessage(v53, HelloRequest{UserAgent: "neo4j-doctor/0.1"})
	got := wire(r)
	if len(got) != len(want) || !bytes.Equal(got[:5], want[:5]) {
		t.Fatalf("got % X", got)
	}
	ws, err := packstream.DecodeStruct(want[2:len(want)-2], packstream.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ws.Fields[0], decodeHello(t, r)) {
		t.Fatalf("content differs: %v vs %v", ws.Fields[0], decodeHello(t, r))
	}
}

func TestHelloShape(t *testing.T) {
	auth := BasicAuth("neo4j", "hunter2hunter2")
	routing := map[string]string{"address": "db:7687"}
	for _, tc := range []struct {
		v                         Version
		creds, routing, boltAgent bool
	}{
		{v3, true, false, false},
		{v40, true, false, false},
		{Version{4, 1}, true, true, false},
		{v44, true, true, false},
		{v50, true, true, false},
		{v51, false, true, false},
		{v53, false, true, true},
		{v58, false, true, true},
	} {
		r := helloMessage(tc.v, HelloRequest{UserAgent: "ua/1", Auth: auth, Routing: routing})
		m := decodeHello(t, r)
		_, creds := m["credentials"]
		_, rt := m["routing"]
		_, ba := m["bolt_agent"]
		if creds != tc.creds || rt != tc.routing || ba != tc.boltAgent || m["user_agent"] != "ua/1" {
			t.Errorf("%s: HELLO %v", tc.v, m)
		}
		if creds && (m["scheme"] != "basic" || m["principal"] != "neo4j" || m["credentials"] != "hunter2hunter2") {
			t.Errorf("%s: token %v", tc.v, m)
		}
		if r.secret != creds {
			t.Errorf("%s: secret flag %v", tc.v, r.secret)
		}
		if strings.Contains(r.summary, "hunter2") {
			t.Errorf("%s: summary leaks: %s", tc.v, r.summary)
		}
		if creds && !strings.Contains(r.summary, `credentials: "******"`) {
			t.Errorf("%s: summary %s", tc.v, r.summary)
		}
		// nil routing = omitted, even where the version has it
		if _, ok := decodeHello(t, helloMessage(tc.v, HelloRequest{}))["routing"]; ok {
			t.Errorf("%s: routing sent without a context", tc.v)
		}
	}
	m := decodeHello(t, helloMessage(v58, HelloRequest{UserAgent: "ua/1", BoltAgent: "neo4j-doctor/0.1"}))
	if ba := m["bolt_agent"].(map[string]any); ba["product"] != "neo4j-doctor/0.1" {
		t.Fatalf("bolt_agent %v", ba)
	}
}

func TestAuthToken(t *testing.T) {
	for _, tc := range []struct {
		a    Auth
		want map[string]any
	}{
		{BasicAuth("", ""), map[string]any{"scheme": "none"}},
		{Auth{}, map[string]any{"scheme": "none"}},
		{BasicAuth("u", ""), map[string]any{"scheme": "basic", "principal": "u", "credentials": ""}},
		{Auth{Scheme: "bearer", Credentials: "jwt"}, map[string]any{"scheme": "bearer", "credentials": "jwt"}},
		{Auth{Scheme: "basic", Principal: "u", Credentials: "p", Realm: "ldap"}, map[string]any{"scheme": "basic", "principal": "u", "credentials": "p", "realm": "ldap"}},
	} {
		if got := tc.a.token(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v: %v", tc.a, got)
		}
	}
	a := BasicAuth("neo4j", "s3cr3t-pass")
	for _, s := range []string{a.String(), fmt.Sprintf("%v %+v %#v %s", a, a, a, a)} {
		if strings.Contains(s, "s3cr3t") {
			t.Fatalf("formatting leaks: %s", s)
		}
	}
}

func TestRouteShapes(t *testing.T) {
	must := mustFn(t)
	r := must(routeMessage(v44, RouteRequest{Context: map[string]string{"address": "a:1"}, Bookmarks: []string{"bm"}, Database: "movies", ImpUser: "bob"}))
	s, _ := packstream.DecodeStruct(r.msg, packstream.Limits{})
	want := []any{map[string]any{"address": "a:1"}, []any{"bm"}, map[string]any{"db": "movies", "imp_user": "bob"}}
	if !reflect.DeepEqual(s.Fields, want) {
		t.Fatalf("ROUTE %v", s.Fields)
	}
	if _, err := routeMessage(v42, RouteRequest{}); !errors.Is(err, ErrUnsupportedRequest) || !strings.Contains(err.Error(), "routing procedure") {
		t.Fatalf("4.2: %v", err)
	}
	if _, err := routeMessage(v43, RouteRequest{ImpUser: "bob"}); !errors.Is(err, ErrUnsupportedRequest) {
		t.Fatalf("4.3 imp_user: %v", err)
	}
}

func TestRunExtraChecks(t *testing.T) {
	must := mustFn(t)
	if _, err := runMessage(v3, "RETURN 1", nil, map[string]any{"db": "x"}); !errors.Is(err, ErrUnsupportedRequest) {
		t.Fatalf("v3 db: %v", err)
	}
	if _, err := runMessage(v43, "RETURN 1", nil, map[string]any{"imp_user": "x"}); !errors.Is(err, ErrUnsupportedRequest) {
		t.Fatalf("4.3 imp_user: %v", err)
	}
	if _, err := runMessage(v44, "RETURN 1", map[string]any{"x": struct{}{}}, nil); err == nil {
		t.Fatal("unencodable parameter accepted")
	}
	r := must(runMessage(v44, "RETURN $x", map[string]any{"x": 1}, map[string]any{"db": "neo4j", "mode": "r"}))
	if r.summary != `RUN "RETURN $x" {x: 1} {db: "neo4j", mode: "r"}` {
		t.Fatalf("summary %s", r.summary)
	}
}
