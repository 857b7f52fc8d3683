package fleet

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/neo4j-doctor/neo4j-doctor/internal/fileerr"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// maxPasswordFile bounds a password file: a password is one line, and a
// path pointing at a log or a disk image must not be read whole.
const maxPasswordFile = 64 << 10

// Resolve turns the target into what checks.Diagnose takes, reading the
// password now from the variable or file the target names. file is the
// targets file's name, for the report's "from" column. The process's own
// NEO4J_* variables are deliberately not consulted: a target is exactly
// what the file says. Every error is a *checks.InputError naming the target.
func (t *Target) Resolve(file string, getenv func(string) string) (*checks.Target, error) {
	pw, pwFrom, err := t.password(getenv)
	if err != nil {
		return nil, err
	}
	in := checks.Inputs{
		Flags:        map[string]string{"uri": t.URI},
		CAFile:       t.CAFile,
		Timeout:      t.Timeout,
		DNSServer:    t.DNSServer,
		CertWarnDays: t.CertWarnDays,
	}
	if in.CertWarnDays == 0 {
		in.CertWarnDays = -1 // certWarnDays: 0 means never, as --cert-warn-days 0
	}
	if t.Username != "" {
		in.Flags["username"] = t.Username
	}
	if pw != "" {
		in.Flags["password"] = pw
	}
	if t.Database != "" {
		in.Flags["database"] = t.Database
	}
	ct, err := checks.Resolve(in)
	if err != nil {
		if ie, ok := err.(*checks.InputError); ok {
			// Resolve says "(uri from --uri)": here it came from the file.
			msg := strings.ReplaceAll(ie.Msg, "from --uri", "from "+file)
			hint := strings.ReplaceAll(ie.Hint, "--ca-file", "caFile")
			return nil, &checks.InputError{Msg: fmt.Sprintf("target %q: %s", t.Name, msg), Hint: hint}
		}
		return nil, err
	}
	// The report says where every value came from: here, the file and the
	// target, and for the password the variable or file it was read from.
	from := fmt.Sprintf("%s, target %s", file, t.Name)
	for k, s := range ct.Info.Settings {
		s.Source, s.From = "file", from
		if k == "password" {
			s.From = pwFrom
		}
		ct.Info.Settings[k] = s
	}
	if pw != "" {
		ct.Info.PasswordSource = pwFrom
	}
	return ct, nil
}

func (t *Target) password(getenv func(string) string) (pw, from string, err error) {
	switch {
	case t.PasswordEnv != "":
		if getenv == nil {
			getenv = os.Getenv
		}
		pw = getenv(t.PasswordEnv)
		if pw == "" {
			return "", "", &checks.InputError{
				Msg:  fmt.Sprintf("target %q: environment variable %s (its passwordEnv) is not set", t.Name, t.PasswordEnv),
				Hint: fmt.Sprintf("export %s before starting neo4j-doctor, or give the target a passwordFile:", t.PasswordEnv),
			}
		}
		return pw, t.PasswordEnv + " (passwordEnv)", nil
	case t.PasswordFile != "":
		pw, err := readPasswordFile(t.PasswordFile)
		if err != nil {
			return "", "", &checks.InputError{
				Msg:  fmt.Sprintf("target %q: passwordFile %s: %v", t.Name, t.PasswordFile, err),
				Hint: "passwordFile names a file holding only the password (a Kubernetes secret mounted as a file works)",
			}
		}
		return pw, t.PasswordFile + " (passwordFile)", nil
	}
	return "", "", nil
}

// readPasswordFile reads a password the way `echo secret > file` and a
// mounted Kubernetes secret write it: one trailing line break is not part
// of the password, every other byte is.
func readPasswordFile(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fileerr.Cause(err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("not a regular file")
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fileerr.Cause(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPasswordFile+1))
	if err != nil {
		return "", fileerr.Cause(err)
	}
	switch {
	case len(data) > maxPasswordFile:
		return "", fmt.Errorf("over %d bytes; a password file holds one line", maxPasswordFile)
	case !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0:
		return "", fmt.Errorf("not text")
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	data = bytes.TrimSuffix(data, []byte("\r"))
	if len(data) == 0 {
		return "", fmt.Errorf("empty")
	}
	return string(data), nil
}
