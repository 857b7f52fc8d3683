package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// FuzzDecode feeds `neo4j-doctor report FILE` arbitrary bytes: Decode must
// refuse or accept without panicking, a refusal is the one line the CLI
// prints (bounded, whatever the file holds), and an accepted document
// survives a round trip: written again and read back, it reads the same.
//
//	go test ./report -run '^$' -fuzz FuzzDecode -fuzzminimizetime 2s -parallel 1
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	for _, s := range []string{"", "{}", "[]", "null", `{"schemaVersion":1}`, `{"schemaVersion":2}`, `{"schemaVersion":1e400}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		rep, tool, err := report.Decode(doc)
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") || len(msg) > 1024 {
				t.Fatalf("refusal is not one short line (%d bytes): %q", len(msg), msg)
			}
			return
		}
		var once, twice bytes.Buffer
		if err := report.JSON(&once, rep, tool); err != nil {
			t.Fatalf("an accepted report does not write: %v", err)
		}
		rep2, tool2, err := report.Decode(once.Bytes())
		if err != nil {
			t.Fatalf("a report written from an accepted one is refused: %v\n%s", err, once.Bytes())
		}
		if err := report.JSON(&twice, rep2, tool2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatalf("not stable over a round trip:\n%s\n---\n%s", once.Bytes(), twice.Bytes())
		}
	})
}
