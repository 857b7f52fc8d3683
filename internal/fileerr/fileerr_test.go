package fileerr

import (
	"errors"
	"fmt"
	"os"
	"testing"
)

func TestCause(t *testing.T) {
	_, err := os.Open("/nonexistent/neo4j-doctor")
	if got := Cause(err); !errors.Is(got, os.ErrNotExist) || got.Error() != "no such file or directory" {
		t.Errorf("Cause(%v) = %v", err, got)
	}
	if got := Cause(fmt.Errorf("reading: %w", err)); got.Error() != "no such file or directory" {
		t.Errorf("a wrapped PathError: %v", got)
	}
	plain := errors.New("plain")
	if Cause(plain) != plain {
		t.Error("another error changed")
	}
}
