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

// maxSecretFile bounds a password or token file: a secret is one line (a
// JWT a few kilobytes), and a path pointing at a log or a disk image must
// not be read whole.
const maxSecretFile = 64 << 10

// Resolve turns the target into what checks.Diagnose takes, reading the
// password or bearer token now from the variable or file the target
// names. file is the targets file's name, for the report's "from" column.
// The process's own NEO4J_* variables are deliberately not consulted: a
// target is exactly what the file says. Every error is a
// *checks.InputError naming the target.
func (t *Target) Resolve(file string, getenv func(string) string) (*checks.Target, error) {
	pw, pwFrom, err := t.secret(getenv, passwordRef)
	if err != nil {
		return nil, err
	}
	tok, tokFrom, err := t.secret(getenv, tokenRef)
	if err != nil {
		return nil, err
	}
	in := checks.Inputs{
		Flags:        map[string]string{"uri": t.URI},
		CAFile:       t.CAFile,
		TrustStore:   t.TrustStore,
		Timeout:      t.Timeout,
		DNSServer:    t.DNSServer,
		CertWarnDays: t.CertWarnDays,
		Impersonate:  t.Impersonate,
		WriteProbe:   t.WriteProbe,
		IdleProbe:    t.IdleProbe,
		HTTPURI:      t.HTTPURI,
	}
	if tok != "" {
		in.Flags["bearer-token"] = tok
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
			msg := strings.ReplaceAll(strings.ReplaceAll(ie.Msg, "from --uri", "from "+file), "--trust-store", "trustStore")
			hint := strings.ReplaceAll(ie.Hint, "--ca-file", "caFile")
			return nil, &checks.InputError{Msg: fmt.Sprintf("target %q: %s", t.Name, msg), Hint: hint}
		}
		return nil, err
	}
	// The report says where every value came from: here, the file and the
	// target, and for the password or token the variable or file it was
	// read from.
	from := fmt.Sprintf("%s, target %s", file, t.Name)
	for k, s := range ct.Info.Settings {
		s.Source, s.From = "file", from
		switch k {
		case "password":
			s.From = pwFrom
		case "bearer-token":
			s.From = tokFrom
		}
		ct.Info.Settings[k] = s
	}
	if pw != "" {
		ct.Info.PasswordSource = pwFrom
	}
	return ct, nil
}

// secretRef is one kind of secret a target names by reference.
type secretRef struct {
	what      string // "password", "bearer token"
	env, file func(*Target) string
	envKey    string // "passwordEnv"
	fileKey   string // "passwordFile"
}

var (
	passwordRef = secretRef{what: "password", env: func(t *Target) string { return t.PasswordEnv }, file: func(t *Target) string { return t.PasswordFile }, envKey: "passwordEnv", fileKey: "passwordFile"}
	tokenRef    = secretRef{what: "token", env: func(t *Target) string { return t.BearerTokenEnv }, file: func(t *Target) string { return t.BearerTokenFile }, envKey: "bearerTokenEnv", fileKey: "bearerTokenFile"}
)

// secret reads the secret of kind ref the target names: its value and
// where it came from, for the report ("PW (passwordEnv)"); "" when the
// target names none.
func (t *Target) secret(getenv func(string) string, ref secretRef) (value, from string, err error) {
	switch env, file := ref.env(t), ref.file(t); {
	case env != "":
		if getenv == nil {
			getenv = os.Getenv
		}
		value = getenv(env)
		if value == "" {
			return "", "", &checks.InputError{
				Msg:  fmt.Sprintf("target %q: environment variable %s (its %s) is not set", t.Name, env, ref.envKey),
				Hint: fmt.Sprintf("export %s before starting neo4j-doctor, or give the target a %s:", env, ref.fileKey),
			}
		}
		return value, env + " (" + ref.envKey + ")", nil
	case file != "":
		value, err := readSecretFile(file)
		if err != nil {
			return "", "", &checks.InputError{
				Msg:  fmt.Sprintf("target %q: %s %s: %v", t.Name, ref.fileKey, file, err),
				Hint: fmt.Sprintf("%s names a file holding only the %s (a Kubernetes secret mounted as a file works)", ref.fileKey, ref.what),
			}
		}
		return value, file + " (" + ref.fileKey + ")", nil
	}
	return "", "", nil
}

// readSecretFile reads a password or token the way `echo secret > file`
// and a mounted Kubernetes secret write it: one trailing line break is
// not part of the secret, every other byte is.
func readSecretFile(path string) (string, error) {
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
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fileerr.Cause(err)
	}
	switch {
	case len(data) > maxSecretFile:
		return "", fmt.Errorf("over %d bytes; a secret file holds one line", maxSecretFile)
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
