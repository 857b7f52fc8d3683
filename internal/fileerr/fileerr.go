// Package fileerr words file errors for messages that name the file
// themselves.
package fileerr

import (
	"errors"
	"os"
)

// Cause is err without the operation and path an *os.PathError adds
// ("open x: no such file or directory" becomes "no such file or
// directory"); any other error is returned as it is.
func Cause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
