package cli

// CI scripts as people write them: bash calling neo4j-doctor from PATH
// against a fixture server that comes up late, relying on --wait and on the
// exit codes. testdata/ci holds one script per use.

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/neo4j-doctor/neo4j-doctor/fixtures"
	"github.com/neo4j-doctor/neo4j-doctor/fixtures/network"
)

func TestCIScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/ci",
		RequireExplicitExec: true,
		Setup:               noRaceExitSleep,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"late-server": cmdLateServer,
		},
	})
}

// ciPassword is the late server's only account's password (user neo4j).
const ciPassword = "ci-password"

// late-server DELAY reserves a loopback port, sets LATE_URI to
// bolt://127.0.0.1:PORT, and starts a fixture server there after DELAY:
// until then connections are refused, as while a container starts. With
// DELAY 0 it is up when the command returns. The server stops when the
// script ends.
func cmdLateServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: late-server DELAY")
	}
	delay, err := time.ParseDuration(args[0])
	ts.Check(err)
	cfg := fixtures.Neo4j526()
	cfg.Users = map[string]string{"neo4j": ciPassword}
	port, listen, release, err := network.ReserveLatePort()
	ts.Check(err)
	// Held until the server starts, and then served by the same socket, so
	// no parallel test can take the port while it refuses or in between.
	start := func() (*fixtures.Server, error) {
		ln, err := listen()
		if err != nil {
			return nil, err
		}
		cfg.Listener = ln
		srv, err := fixtures.Start(cfg)
		if err != nil {
			_ = ln.Close()
		}
		return srv, err
	}
	if delay == 0 {
		srv, err := start()
		ts.Check(err)
		ts.Defer(func() { _ = srv.Close() })
		ts.Setenv("LATE_URI", srv.URI("bolt"))
		return
	}
	done := make(chan struct{})
	var (
		wg       sync.WaitGroup
		srv      *fixtures.Server
		startErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-done:
			return
		case <-time.After(delay):
		}
		srv, startErr = start()
	}()
	ts.Defer(func() {
		close(done)
		wg.Wait()
		if srv == nil && startErr == nil {
			_ = release()
		}
		if srv != nil {
			_ = srv.Close()
		}
		if startErr != nil {
			ts.Logf("late-server: %v", startErr) // the script's assertions have failed already
		}
	})
	ts.Setenv("LATE_URI", "bolt://127.0.0.1:"+strconv.Itoa(port))
}
