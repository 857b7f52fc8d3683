// Command rsswrap runs a command and writes its peak RSS in bytes to the
// file named by its first argument: rsswrap OUT COMMAND [ARGS...]. The
// command's exit code is rsswrap's.
//
// Linux folds into a child's ru_maxrss the RSS of the process it was
// forked from, as it was when the child called exec; a child of a test
// process holding big fixtures (or running under the race detector) would
// report that. This wrapper is a fresh, small process, so its child's
// figure is the child's own peak, or this wrapper's 2 or 3 MiB if larger.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: rsswrap OUT COMMAND [ARGS...]")
		os.Exit(125)
	}
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		fmt.Fprintln(os.Stderr, "rsswrap:", err)
		os.Exit(125)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "rsswrap: no rusage")
		os.Exit(125)
	}
	peak := ru.Maxrss << 10 // Linux and the BSDs count KiB
	if runtime.GOOS == "darwin" {
		peak = ru.Maxrss // bytes
	}
	if err := os.WriteFile(os.Args[1], []byte(strconv.FormatInt(peak, 10)), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "rsswrap:", err)
		os.Exit(125)
	}
	os.Exit(cmd.ProcessState.ExitCode())
}
