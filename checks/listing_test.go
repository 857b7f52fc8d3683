package checks_test

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// The connection that lists the server's versions is read by the bolt
// check only. When that check does not run, the diagnosis must still end
// it: a peer that accepts and never answers would otherwise hold it open
// for a whole --timeout after the report was printed.
func TestListingConnectionEndsWithTheDiagnosis(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		open   int
		conns  []net.Conn
		closed = make(chan struct{}, 8)
	)
	go func() {
		for range 8 {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open++
			conns = append(conns, c)
			mu.Unlock()
			go func() {
				_, _ = io.Copy(io.Discard, c) // silent: reads until the client closes
				closed <- struct{}{}
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})

	tt := resolve(t, target{uri: "bolt://" + ln.Addr().String(), timeout: 5 * time.Second, listVersions: true})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	rep := checks.Diagnose(ctx, tt, testEnv(t), checks.Options{Skip: []string{"bolt"}})
	if el := time.Since(start); el > time.Second {
		t.Fatalf("the diagnosis took %s with the bolt check skipped", el)
	}
	wantStatuses(t, rep, map[string]checks.Status{"tcp": checks.Pass, "bolt": checks.Skip})
	// Both were dialled before the tcp check passed; Accept may lag.
	var n int
	for deadline := time.Now().Add(time.Second); ; time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		n = open
		mu.Unlock()
		if n >= 2 || time.Now().After(deadline) {
			break
		}
	}
	if n < 2 {
		t.Fatalf("%d connections accepted, want the run's and the listing one", n)
	}
	for i := range n {
		select {
		case <-closed:
		case <-time.After(time.Second):
			t.Fatalf("%d of %d connections still open 1s after the diagnosis returned (the timeout is 5s)", n-i, n)
		}
	}
}
