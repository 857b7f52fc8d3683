package report

import "github.com/neo4j-doctor/neo4j-doctor/checks"

// Mark is the one-character mark of a status as the text report shows it:
// ✓ pass, ! warn, ✗ fail, – skip. Everything else that shows a status to
// people (serve's status page) uses it, so a warning reads the same
// everywhere.
func Mark(s checks.Status) string { return symbol(s) }
