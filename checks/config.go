package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/neo4j-doctor/neo4j-doctor/generation"
	"github.com/neo4j-doctor/neo4j-doctor/internal/aura"
)

var configCheck = Check{
	ID: "config", Title: "configuration",
	Doc: "the URI and what its scheme means (routing or direct; TLS verified, TLS accepting any certificate, or plaintext); credentials present; an Aura instance recognised; proxy variables, which Bolt drivers ignore, noted",
	Codes: []Code{
		{ID: "config.no_credentials", Doc: "no username and no password were given: only a server with authentication disabled accepts the connection"},
		{ID: "config.no_password", Doc: "a username was given without a password"},
		{ID: "config.aura_instance_mismatch", Doc: "the connection file's AURA_INSTANCEID names another Aura instance than the URI does"},
		{ID: "config.aura_plaintext", Doc: "the URI asks an Aura instance for an unencrypted connection, which Aura refuses"},
		{ID: "config.aura_port", Doc: "the URI names a port other than 7687 for an Aura instance"},
	},
	Run: checkConfig,
}

func checkConfig(_ context.Context, r *Run) Result {
	res := judgeConfig(r.T, r.serverGen())
	if f, ok := proxyFact(r.Env.Getenv); ok {
		res.Facts = append(res.Facts, f)
	}
	return res
}

// judgeConfig reads what the URI, the credentials and the connection file
// say, before anything goes on the wire.
func judgeConfig(t *Target, srv generation.Server) Result {
	res := Result{Status: Pass}
	mode := "direct: one server, no routing table"
	if t.Routing {
		mode = "routing: the routing table decides which servers are used"
	}
	// Where each value came from is in the report's header; the facts say
	// what the URI means.
	res.Facts = append(res.Facts,
		Fact{Name: "scheme", Value: t.Scheme + " — " + mode},
		// The summary says it too.
		Fact{Name: "encryption", Value: t.TLS.String(), Verbose: true},
	)
	res.Summary = fmt.Sprintf("%s to %s, %s", t.Scheme, t.Address(), t.TLS)

	switch {
	case t.BearerToken != "":
		// A bearer token names the user itself: user and password are
		// not used.
		res.Facts = append(res.Facts, Fact{Name: "credentials", Value: "a bearer token (scheme bearer)"})
	case t.Username == "" && t.Password == "":
		res.raise(Warn, "config.no_credentials")
		res.Summary += "; no credentials"
		res.Hints = append(res.Hints, "no username or password was given: pass -u/-p, set NEO4J_USERNAME/NEO4J_PASSWORD, or pass the connection file")
		if say := srv.Lookup(generation.AuthEnabled); say.Aura {
			res.Hints = append(res.Hints, say.Text)
		} else {
			res.Hints = append(res.Hints, "without them only a server with "+srv.Set(generation.AuthEnabled, "false")+" accepts the connection")
		}
	case t.Password == "":
		res.raise(Warn, "config.no_password")
		res.Summary += "; no password"
		res.Hints = append(res.Hints, "a username but no password was given: pass -p or set NEO4J_PASSWORD")
	}

	if aura.IsHost(t.Host) {
		id := aura.InstanceID(t.Host)
		res.Facts = append(res.Facts, Fact{Name: "aura instance", Value: id})
		if t.AuraInstanceID != "" && !strings.EqualFold(t.AuraInstanceID, id) {
			res.raise(Warn, "config.aura_instance_mismatch")
			res.Hints = append(res.Hints, fmt.Sprintf("AURA_INSTANCEID is %s but the URI names instance %s: the file may have been edited; download the credentials again from %s", t.AuraInstanceID, id, generation.Console))
		}
		if t.AuraName != "" {
			res.Facts = append(res.Facts, Fact{Name: "aura name", Value: t.AuraName})
		}
		if t.TLS == TLSOff {
			res.raise(Warn, "config.aura_plaintext")
			res.Hints = append(res.Hints, "Aura accepts only encrypted connections: use neo4j+s://"+t.Host)
		}
		if t.Port != DefaultPort {
			res.raise(Warn, "config.aura_port")
			res.Hints = append(res.Hints, fmt.Sprintf("Aura serves Bolt on port 7687, not %d: leave the port out of the URI", t.Port))
		}
	}
	return res
}
