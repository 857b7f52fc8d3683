package checks

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

// jwt builds an unsigned-looking JWT with the given claims (JSON).
func jwt(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(claims)) + ".c2lnbmF0dXJl"
}

func TestDecodeJWT(t *testing.T) {
	t.Parallel()
	at := func(s int64) time.Time { return time.Unix(s, 0).UTC() }
	for _, c := range []struct {
		name  string
		token string
		want  tokenClaims
		err   error
	}{
		{"every claim", jwt(`{"exp":1900000000,"nbf":1800000000,"iat":1799999000,"iss":"https://idp.example.com/","aud":"neo4j","sub":"alice"}`),
			tokenClaims{Exp: at(1900000000), Nbf: at(1800000000), Iat: at(1799999000), Iss: "https://idp.example.com/", Aud: []string{"neo4j"}}, nil},
		{"a list of audiences", jwt(`{"aud":["neo4j","api"]}`), tokenClaims{Aud: []string{"neo4j", "api"}}, nil},
		{"no claims of interest", jwt(`{"sub":"alice"}`), tokenClaims{}, nil},
		{"a fractional date", jwt(`{"exp":1900000000.5}`), tokenClaims{Exp: time.Unix(1900000000, 5e8).UTC()}, nil},
		{"null claims", jwt(`{"exp":null,"iss":null,"aud":null}`), tokenClaims{}, nil},
		{"padding", strings.Replace(jwt(`{"iss":"x"}`), ".", "==.", 1), tokenClaims{Iss: "x"}, nil},
		{"a control character in a claim", jwt(`{"iss":"evil\u001b[2J"}`), tokenClaims{Iss: "evil?[2J"}, nil},

		{"not a JWT", "opaque-access-token", tokenClaims{}, errTokenNotJWT},
		{"two parts", "a.b", tokenClaims{}, errTokenNotJWT},
		{"empty payload", "a..c", tokenClaims{}, errTokenNotJWT},
		{"encrypted", "a.b.c.d.e", tokenClaims{}, errTokenEncrypted},
		{"payload not base64", "a.!!!.c", tokenClaims{}, errTokenPayload},
		{"payload not an object", jwt(`[1,2]`), tokenClaims{}, errTokenJSON},
		{"payload not JSON", jwt(`exp=1`), tokenClaims{}, errTokenJSON},
		{"trailing JSON", jwt(`{"exp":1}{"exp":2}`), tokenClaims{}, errTokenJSON},
		{"exp a string", jwt(`{"exp":"tomorrow"}`), tokenClaims{}, errTokenDate},
		{"exp negative", jwt(`{"exp":-1}`), tokenClaims{}, errTokenDate},
		{"exp past year 9999", jwt(`{"exp":1e300}`), tokenClaims{}, errTokenDate},
		{"iss a number", jwt(`{"iss":7}`), tokenClaims{}, errTokenIssuer},
		{"aud a list of numbers", jwt(`{"aud":[1]}`), tokenClaims{}, errTokenAudience},
		{"too long", strings.Repeat("a", maxToken+1), tokenClaims{}, errTokenTooLong},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := decodeJWT(c.token)
			if !errors.Is(err, c.err) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
			if !got.Exp.Equal(c.want.Exp) || !got.Nbf.Equal(c.want.Nbf) || !got.Iat.Equal(c.want.Iat) || got.Iss != c.want.Iss || strings.Join(got.Aud, ",") != strings.Join(c.want.Aud, ",") {
				t.Errorf("claims %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestTokenFactsNeverHoldTheToken(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	token := jwt(`{"exp":` + itoa(now.Add(25*time.Minute).Unix()) + `,"iat":` + itoa(now.Add(-35*time.Minute).Unix()) + `,"iss":"https://idp.example.com/","aud":["neo4j"]}`)
	c, err := decodeJWT(token)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"token expires":  "2026-12-05T12:25:00Z (in 25 minutes)",
		"token issued":   "2026-12-05T11:25:00Z (35 minutes ago)",
		"token issuer":   "https://idp.example.com/",
		"token audience": "neo4j",
	}
	facts := tokenFacts(c, now)
	if len(facts) != len(want) {
		t.Errorf("facts %v, want %v", facts, want)
	}
	for _, f := range facts {
		if want[f.Name] != f.Value {
			t.Errorf("fact %s = %q, want %q", f.Name, f.Value, want[f.Name])
		}
		for _, part := range strings.Split(token, ".") {
			if strings.Contains(f.Value, part) {
				t.Errorf("fact %s = %q holds a part of the token", f.Name, f.Value)
			}
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// decodeErrors is every error decodeJWT may give: a fixed set, none of
// which can quote the token.
var decodeErrors = []error{errTokenTooLong, errTokenNotJWT, errTokenEncrypted, errTokenPayload, errTokenJSON, errTokenDate, errTokenIssuer, errTokenAudience}

// FuzzDecodeJWT: any string gives either one of decodeJWT's fixed errors,
// or claims that are bounded, printable and plausible dates.
func FuzzDecodeJWT(f *testing.F) {
	for _, s := range []string{
		jwt(`{"exp":1900000000,"nbf":1800000000,"iat":1799999000,"iss":"https://idp.example.com/","aud":"neo4j"}`),
		jwt(`{"aud":["a","b"]}`), jwt(`{}`), jwt(`{"exp":1e400}`), "a.b.c", "a.b.c.d.e", "", ".", "..", "x.e30.y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := decodeJWT(token)
		if err != nil {
			known := false
			for _, e := range decodeErrors {
				known = known || err == e
			}
			if !known {
				t.Fatalf("decodeJWT(%q): unexpected error %v", token, err)
			}
			return
		}
		for _, when := range []time.Time{c.Exp, c.Nbf, c.Iat} {
			if !when.IsZero() && (when.Year() < 1970 || when.Year() > 9999) {
				t.Fatalf("decodeJWT(%q): date %v", token, when)
			}
		}
		if len(c.Aud) > 10 {
			t.Fatalf("decodeJWT(%q): %d audiences", token, len(c.Aud))
		}
		for _, s := range append([]string{c.Iss}, c.Aud...) {
			if len(s) > 400 || strings.ContainsFunc(s, unicode.IsControl) {
				t.Fatalf("decodeJWT(%q): claim %q is not bounded and printable", token, s)
			}
		}
		_ = tokenFacts(c, time.Now())
	})
}
