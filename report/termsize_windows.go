//go:build windows

package report

import "golang.org/x/sys/windows"

// terminalColumns is the width of the console window on fd, 0 when
// unknown.
func terminalColumns(fd uintptr) int {
	var info windows.ConsoleScreenBufferInfo
	if err := windows.GetConsoleScreenBufferInfo(windows.Handle(fd), &info); err != nil {
		return 0
	}
	return int(info.Window.Right-info.Window.Left) + 1
}
