package report

import (
	_ "embed"
	"encoding/json"
	"io"
)

// ServedSchemaVersion is the version of what `demo --serve --format json`
// writes (ServedSchemaJSON).
const ServedSchemaVersion = 1

// ServedSchemaJSON is the JSON Schema of the object `demo --serve --format
// json` writes.
//
//go:embed schema/served.v1.schema.json
var ServedSchemaJSON []byte

// ServedSchemaID is the $id of ServedSchemaJSON.
const ServedSchemaID = "https://github.com/neo4j-doctor/neo4j-doctor/report/schema/served.v1.schema.json"

// Served is a demo scenario served for any client (demo --serve): what an
// application needs to connect, and what it should see. The password is
// the demo's published constant; a bearer token is never in it, only the
// file that holds it.
type Served struct {
	SchemaVersion   int          `json:"schemaVersion"`
	Scenario        string       `json:"scenario"`
	Description     string       `json:"description"`
	URI             string       `json:"uri"`
	User            string       `json:"user,omitempty"`
	Password        string       `json:"password,omitempty"`
	BearerTokenFile string       `json:"bearerTokenFile,omitempty"`
	Database        string       `json:"database,omitempty"`
	CAFile          string       `json:"caFile,omitempty"`
	Servers         []string     `json:"servers"`
	DNSServer       string       `json:"dnsServer"`
	Names           bool         `json:"names"`
	Hosts           []string     `json:"hosts,omitempty"`
	Note            string       `json:"note,omitempty"`
	Changes         bool         `json:"changes"`
	Expect          ServedExpect `json:"expect"`
	Diagnose        []string     `json:"diagnose"`
}

// ServedExpect is what a correct client sees of a served scenario.
type ServedExpect struct {
	Exit    int    `json:"exit"`
	Verdict string `json:"verdict"`
	Check   string `json:"check,omitempty"`
	// DriverErrors: the error class each official driver raises on the
	// first of verifyConnectivity, getServerInfo and RETURN 1 that fails,
	// "" when all three pass; keys javascript and go.
	DriverErrors map[string]string `json:"driverErrors"`
	// DriversNotRun, when set, says why no driver is run against the
	// scenario served (its name would be asked of the real DNS), and
	// DriverErrors are then not measured.
	DriversNotRun string `json:"driversNotRun,omitempty"`
}

// WriteServed writes s as one line of JSON.
func WriteServed(w io.Writer, s Served) error {
	s.SchemaVersion = ServedSchemaVersion
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(s)
}
