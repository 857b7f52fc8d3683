// Command goclient is an application on the official Go driver
// (neo4j-go-driver v5), started by scripts/e2e-drivers.sh against
// `neo4j-doctor demo --serve --format json SCENARIO`: it reads the JSON
// object the demo printed (a file named by its argument) and uses only
// that to connect. It runs verifyConnectivity, getServerInfo and
// `RETURN 1` (read mode) in turn, stops at the first that fails, and
// prints one JSON line: {"driver":"go","step":...,"error":CLASS,
// "message":...}; error is "" when all three pass. CLASS is the error's
// type, and a Neo4jError's code.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"
)

type served struct {
	URI             string `json:"uri"`
	User            string `json:"user"`
	Password        string `json:"password"`
	BearerTokenFile string `json:"bearerTokenFile"`
	Database        string `json:"database"`
	CAFile          string `json:"caFile"`
}

type outcome struct {
	Driver  string `json:"driver"`
	Step    string `json:"step"`
	Error   string `json:"error"`
	Message string `json:"message,omitempty"`
}

func main() {
	out := run()
	out.Driver = "go"
	data, _ := json.Marshal(out)
	fmt.Println(string(data))
}

func run() outcome {
	if len(os.Args) != 2 {
		return outcome{Step: "input", Error: "usage", Message: "usage: goclient SERVED.json"}
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		return outcome{Step: "input", Error: "input", Message: err.Error()}
	}
	var s served
	if err := json.Unmarshal(raw, &s); err != nil {
		return outcome{Step: "input", Error: "input", Message: err.Error()}
	}
	auth := neo4j.BasicAuth(s.User, s.Password, "")
	if s.BearerTokenFile != "" {
		tok, err := os.ReadFile(s.BearerTokenFile)
		if err != nil {
			return outcome{Step: "input", Error: "input", Message: err.Error()}
		}
		auth = neo4j.BearerAuth(strings.TrimSpace(string(tok)))
	}
	var pool *x509.CertPool
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return outcome{Step: "input", Error: "input", Message: err.Error()}
		}
		pool = x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
	}
	driver, err := neo4j.NewDriverWithContext(s.URI, auth, func(c *config.Config) {
		if pool != nil {
			c.TlsConfig = &tls.Config{RootCAs: pool}
		}
		// Short, so a silent server costs seconds, not the defaults' minute.
		c.SocketConnectTimeout = 3 * time.Second
		c.ConnectionAcquisitionTimeout = 6 * time.Second
		c.MaxTransactionRetryTime = 3 * time.Second
	})
	if err != nil {
		return failed("newDriver", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	defer driver.Close(ctx)
	if err := driver.VerifyConnectivity(ctx); err != nil {
		return failed("verifyConnectivity", err)
	}
	if _, err := driver.GetServerInfo(ctx); err != nil {
		return failed("getServerInfo", err)
	}
	opts := []neo4j.ExecuteQueryConfigurationOption{neo4j.ExecuteQueryWithReadersRouting()}
	if s.Database != "" {
		opts = append(opts, neo4j.ExecuteQueryWithDatabase(s.Database))
	}
	if _, err := neo4j.ExecuteQuery(ctx, driver, "RETURN 1", nil, neo4j.EagerResultTransformer, opts...); err != nil {
		return failed("RETURN 1", err)
	}
	return outcome{Step: "RETURN 1"}
}

// failed names err's class: its type without the pointer, as the neo4j
// package exports it (neo4j.ConnectivityError is an alias of an internal
// errorutil type), and a Neo4jError's code.
func failed(step string, err error) outcome {
	class := strings.TrimPrefix(fmt.Sprintf("%T", err), "*")
	class = strings.Replace(class, "errorutil.", "neo4j.", 1)
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) {
		class = "neo4j.Neo4jError " + ne.Code
	}
	return outcome{Step: step, Error: class, Message: err.Error()}
}
