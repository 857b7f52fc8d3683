package cli

import (
	"strings"
	"unicode"

	ucli "github.com/urfave/cli/v2"

	"github.com/neo4j-doctor/neo4j-doctor/checks"
)

// accessInputs reads the access check's flags into in: --impersonate,
// --bearer-token (into in.Flags, where checks.Resolve applies the
// precedence of flag, connection file and NEO4J_BEARER_TOKEN) and
// --write-probe. A flag that is not set leaves in as it was. Every error is a usageError (exit 3) that never quotes
// the token.
func accessInputs(cCtx *ucli.Context, in *checks.Inputs) error {
	if cCtx.IsSet("impersonate") {
		u := cCtx.String("impersonate")
		switch {
		case strings.TrimSpace(u) == "":
			return &usageError{msg: "--impersonate is empty", hint: "--impersonate takes the user the statements run as, e.g. --impersonate alice; leave it out to run them as yourself"}
		case strings.ContainsFunc(u, unicode.IsControl):
			return &usageError{msg: "--impersonate holds a control character", hint: "--impersonate takes a user name as SHOW USERS lists it, e.g. --impersonate alice"}
		case u != strings.TrimSpace(u):
			return &usageError{msg: "--impersonate starts or ends with a space", hint: "--impersonate takes a user name as SHOW USERS lists it, without quotes or spaces around it"}
		}
		in.Impersonate = u
	}
	if cCtx.IsSet("bearer-token") {
		tok := cCtx.String("bearer-token")
		switch {
		case tok == "":
			return &usageError{msg: "--bearer-token is empty", hint: "put the token in NEO4J_BEARER_TOKEN (it stays out of shell history), or leave --bearer-token out to log in with a user and password"}
		case strings.ContainsFunc(tok, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
			// A pasted "Bearer eyJ…", or a token with its line break.
			return &usageError{msg: "--bearer-token holds a space, a line break or a control character", hint: "give the token alone, without \"Bearer \", quotes or a line break: NEO4J_BEARER_TOKEN=eyJ… neo4j-doctor …"}
		case cCtx.IsSet("password"):
			return &usageError{msg: "--bearer-token and --password together", hint: "a login uses one of them: drop --password to log in with the token, or --bearer-token to log in with the user and password"}
		}
		if cCtx.IsSet("uri") {
			if p, err := checks.ParseURI(cCtx.String("uri")); err == nil && p.HasPassword {
				return &usageError{msg: "--bearer-token and a password in --uri together", hint: "a login uses one of them: remove user:password@ from the URI to log in with the token, or drop --bearer-token"}
			}
		}
		in.Flags["bearer-token"] = tok
	}
	// Or: a demo scenario may ask for the probe itself.
	in.WriteProbe = in.WriteProbe || cCtx.Bool("write-probe")
	return nil
}

// idleInputs reads --idle-probe into in: sorted, without duplicates, each
// from 1ms to 24h, at most 8; anything else is bad input (exit 3). A flag
// that is not set leaves in as it was.
func idleInputs(cCtx *ucli.Context, in *checks.Inputs) error {
	if !cCtx.IsSet("idle-probe") {
		return nil
	}
	ds, err := checks.ParseIdleProbe("--idle-probe", splitList(cCtx.StringSlice("idle-probe")))
	if err != nil {
		return err
	}
	in.IdleProbe = ds
	return nil
}

// httpInputs reads --http-uri into in; an empty one is a usageError.
// checks.Resolve validates the URL itself.
func httpInputs(cCtx *ucli.Context, in *checks.Inputs) error {
	if !cCtx.IsSet("http-uri") {
		return nil
	}
	u := cCtx.String("http-uri")
	if strings.TrimSpace(u) == "" {
		return &usageError{msg: "--http-uri is empty", hint: "--http-uri takes the server's HTTP endpoint, such as http://localhost:7474; leave it out to derive it from the URI"}
	}
	in.HTTPURI = u
	return nil
}
