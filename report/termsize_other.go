//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package report

// terminalColumns is 0 where the terminal's size cannot be asked: the
// report wraps at COLUMNS or DefaultWidth there.
func terminalColumns(uintptr) int { return 0 }
