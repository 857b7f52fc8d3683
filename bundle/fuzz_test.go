package bundle

import (
	"os"
	"strings"
	"testing"

	"github.com/neo4j-doctor/neo4j-doctor/report"
)

// FuzzRead feeds `neo4j-doctor report BUNDLE` arbitrary bytes: Read must
// refuse or accept without panicking, and a refusal is the one line the
// CLI prints, bounded whatever the file holds.
//
//	go test ./bundle -run '^$' -fuzz FuzzRead -fuzzminimizetime 2s -parallel 1
//
// (minimizing a 10 KB interesting input takes the default minute each)
func FuzzRead(f *testing.F) {
	doc, err := os.ReadFile("../report/testdata/cluster.json")
	if err != nil {
		f.Fatal(err)
	}
	rep, _, err := report.Decode(doc)
	if err != nil {
		f.Fatal(err)
	}
	data, _, err := Build(rep, Options{Tool: Tool{Name: "neo4j-doctor", Version: "fuzz"}, Env: EnvSource{ResolvConf: os.DevNull, HostsFile: os.DevNull}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add(doc)
	for _, s := range []string{"", "{}", "[]", `{"bundleVersion":1}`, `{"bundleVersion":1,"report":{}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Read(data)
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") || len(msg) > 1024 {
				t.Fatalf("refusal is not one short line (%d bytes): %q", len(msg), msg)
			}
			return
		}
		if b == nil {
			t.Fatal("Read accepted the bundle but returned nil")
		}
	})
}
