// Package report is the only package in neo4j-doctor that writes output.
// checks/ produces a checks.Report and never prints; this package renders it
// as text for people or JSON for machines, and writes the CLI's own errors
// and progress. Keeping every write here is what lets the contract below
// hold everywhere.
//
// # Output contract
//
// Where output goes:
//
//   - stdout carries the report and nothing else, in the --format chosen:
//     the text checklist, exactly one JSON document (schema version 1, see
//     SchemaJSON; `neo4j-doctor --format json | jq` never sees a stray
//     line), JUnit XML, GitHub annotations or Markdown. With -o/--output
//     each format goes to its own file and stdout keeps the text report.
//   - stderr carries everything else: --wait progress, and diagnostics for
//     input the tool could not act on.
//
// How messages read:
//
//   - messages are lower-case and carry no trailing period, so they compose
//     with wrapped Go errors ("dns: lookup x: no such host").
//   - a diagnostic is an `error: ...` line followed by zero or more
//     `hint: ...` lines, one line each; a hint names a concrete action: the
//     flag, environment variable, setting or command to change.
//   - secrets are never rendered. The report says where the password came
//     from ("from NEO4J_PASSWORD"), never what it is; credentials in a URI
//     are stripped again here even though checks/ already strips them.
//   - text that came from the network (server messages, certificate
//     fields, raw bytes) has control characters escaped before it reaches a
//     terminal, so a hostile peer cannot rewrite the screen.
//
// Colour is decided once per stream (see Streams: NewStreams, then
// WithColor) from --color (auto, always, never), NO_COLOR, TERM and
// whether the stream is a terminal; renderers take the decision as a bool
// and never look at the environment themselves.
//
// Exit codes, the same in text and JSON mode (the JSON carries it as
// exitCode), mirroring pg_isready:
//
//	0  healthy: every check passed (warnings allowed unless --strict)
//	1  the server was reached but a check failed
//	2  no response: DNS or TCP failed, or nothing answered in time
//	3  no attempt: bad flags, an unreadable file, an invalid URI
//
// The constants live in checks (checks.ExitHealthy ... checks.ExitNoAttempt).
//
// # JSON compatibility
//
// The document is described by schema/report.v1.schema.json, embedded as
// SchemaJSON. Every object is closed (additionalProperties: false) so a
// field added here without a schema change fails the tests. Adding a field
// to version 1 is allowed together with the schema; renaming or removing a
// field, or changing its meaning, bumps schemaVersion.
package report
