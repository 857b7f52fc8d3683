package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./report -update to accept)\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}

func TestTextGolden(t *testing.T) {
	variants := []struct {
		suffix string
		opts   TextOptions
	}{
		{".txt", TextOptions{Version: "1.0.0"}},
		{".color.txt", TextOptions{Version: "1.0.0", Color: true}},
		{".verbose.txt", TextOptions{Version: "1.0.0", Verbose: true}},
	}
	for _, c := range cases {
		for _, v := range variants {
			t.Run(c.name+v.suffix, func(t *testing.T) {
				var b bytes.Buffer
				if err := Text(&b, c.report(), v.opts); err != nil {
					t.Fatal(err)
				}
				if !v.opts.Color && bytes.Contains(b.Bytes(), []byte("\x1b")) {
					t.Error("escape sequence with colour off")
				}
				if v.opts.Color && !bytes.Contains(b.Bytes(), []byte("\x1b[")) {
					t.Error("no escape sequence with colour on")
				}
				golden(t, c.name+v.suffix, b.Bytes())
			})
		}
	}
}

func TestJSONGolden(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := JSON(&b, c.report(), ToolInfo{Version: "1.0.0"}); err != nil {
				t.Fatal(err)
			}
			if err := validateJSON(b.Bytes()); err != nil {
				t.Errorf("golden document is invalid: %v", err)
			}
			golden(t, c.name+".json", b.Bytes())
		})
	}
}
