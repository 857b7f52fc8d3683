package checks

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/neo4j-doctor/neo4j-doctor/internal/clip"
)

// tokenClaims is what a bearer token (a JWT) says of its own lifetime and
// origin, read without verifying its signature: the server does that.
// Nothing here holds the token or its signature.
type tokenClaims struct {
	Exp, Nbf, Iat time.Time // zero when the claim is absent
	Iss           string    // "" when absent
	Aud           []string  // nil when absent
}

// maxToken bounds the token decodeJWT reads: identity providers issue a
// few kilobytes at most.
const maxToken = 16 << 10

// What decodeJWT says of a token it cannot read. None quotes the token.
var (
	errTokenTooLong   = fmt.Errorf("it is over %d bytes long", maxToken)
	errTokenNotJWT    = errors.New("it is not a JWT (three base64url parts separated by dots)")
	errTokenEncrypted = errors.New("it is an encrypted JWT (JWE), whose claims only the server can read")
	errTokenPayload   = errors.New("its middle part is not base64url")
	errTokenJSON      = errors.New("its claims are not a JSON object")
	errTokenDate      = errors.New("its exp, nbf or iat is not a date (seconds since 1970)")
	errTokenIssuer    = errors.New("its iss is not a string")
	errTokenAudience  = errors.New("its aud is neither a string nor a list of strings")
)

// decodeJWT reads the exp, nbf, iat, iss and aud claims of a JWT without
// verifying it. A token that is not a readable JWT is an error, never a
// panic; the error does not quote the token.
func decodeJWT(token string) (tokenClaims, error) {
	var c tokenClaims
	if len(token) > maxToken {
		return c, errTokenTooLong
	}
	parts := strings.Split(strings.TrimSpace(token), ".")
	switch {
	case len(parts) == 5:
		return c, errTokenEncrypted
	case len(parts) != 3 || parts[0] == "" || parts[1] == "":
		return c, errTokenNotJWT
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return c, errTokenPayload
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil || dec.More() {
		return c, errTokenJSON
	}
	for name, at := range map[string]*time.Time{"exp": &c.Exp, "nbf": &c.Nbf, "iat": &c.Iat} {
		v, ok := claims[name]
		if !ok || v == nil {
			continue
		}
		if *at, err = numericDate(v); err != nil {
			return tokenClaims{}, err
		}
	}
	switch iss := claims["iss"].(type) {
	case nil:
	case string:
		c.Iss = claimText(iss)
	default:
		return tokenClaims{}, errTokenIssuer
	}
	switch aud := claims["aud"].(type) {
	case nil:
	case string:
		c.Aud = []string{claimText(aud)}
	case []any:
		for _, a := range aud {
			s, ok := a.(string)
			if !ok {
				return tokenClaims{}, errTokenAudience
			}
			if len(c.Aud) < 10 {
				c.Aud = append(c.Aud, claimText(s))
			}
		}
	default:
		return tokenClaims{}, errTokenAudience
	}
	return c, nil
}

// numericDate reads a JWT NumericDate: seconds since 1970, possibly with
// a fraction, within years 1970 to 9999.
func numericDate(v any) (time.Time, error) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, errTokenDate
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > 253402300799 {
		return time.Time{}, errTokenDate
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// claimText is a claim as a report may show it: bounded, one line,
// nothing that steers a terminal.
func claimText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return '?'
		}
		return r
	}, s)
	return clip.String(s, 200)
}

// tokenOrigin names where the bearer token came from: "the bearer token
// given with --bearer-token", "NEO4J_BEARER_TOKEN from the environment",
// "NEO4J_BEARER_TOKEN in conn.env"; "the bearer token" when the run does
// not say.
func tokenOrigin(t *Target) string {
	st, ok := t.Info.Settings["bearer-token"]
	switch {
	case !ok || st.From == "":
		return "the bearer token"
	case st.Source == "flag":
		return "the bearer token given with " + st.From
	case st.Source == "env":
		return st.From + " from the environment"
	case st.Source == "file":
		if i := strings.LastIndexByte(st.From, ' '); i > 0 {
			return st.From[i+1:] + " in " + st.From[:i]
		}
	}
	return "the bearer token from " + st.From
}

// tokenFacts are what the token says of itself, as facts; never the
// token. now is this machine's clock.
func tokenFacts(c tokenClaims, now time.Time) []Fact {
	var out []Fact
	at := func(name string, when time.Time) {
		if !when.IsZero() {
			out = append(out, Fact{Name: name, Value: when.UTC().Format(time.RFC3339) + " (" + relative(when, now) + ")"})
		}
	}
	at("token expires", c.Exp)
	at("token valid from", c.Nbf)
	at("token issued", c.Iat)
	if c.Iss != "" {
		out = append(out, Fact{Name: "token issuer", Value: c.Iss})
	}
	if len(c.Aud) > 0 {
		out = append(out, Fact{Name: "token audience", Value: strings.Join(c.Aud, ", ")})
	}
	return out
}

// relative says when t is as seen from now: "in 25 minutes", "3 hours
// ago", "now".
func relative(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d >= time.Minute:
		return "in " + roughly(d)
	case d <= -time.Minute:
		return roughly(-d) + " ago"
	}
	return "now"
}

// roughly is a duration as a person says it, to the nearest unit: "25
// minutes", "3 hours", "2 days".
func roughly(d time.Duration) string {
	unit := func(n time.Duration, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch {
	case d >= 36*time.Hour:
		return unit(d.Round(24*time.Hour)/(24*time.Hour), "day")
	case d >= 90*time.Minute:
		return unit(d.Round(time.Hour)/time.Hour, "hour")
	case d >= 90*time.Second:
		return unit(d.Round(time.Minute)/time.Minute, "minute")
	}
	return unit(d.Round(time.Second)/time.Second, "second")
}
