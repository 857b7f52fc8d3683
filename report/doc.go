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
//   - a diagnostic (stderr, input the tool could not act on; see Error) is
//     an `error: ...` line followed by zero or more `hint: ...` lines, one
//     line each; a hint names a concrete action: the flag, environment
//     variable, setting or command to change. The report labels its hints
//     fix: and note: instead (see The text report).
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
// and never look at the environment themselves. The width the text report
// wraps at is decided the same way, in WithWidth: COLUMNS when it is a
// positive integer, else the terminal's width when stdout is one, else
// 100 (DefaultWidth).
//
// # The text report
//
// What a person reads, top to bottom (Text):
//
//   - the header: the tool and its version, then the uri, user, whether a
//     password is set, the database and the resolver, each with where it
//     came from ("from NEO4J_URI", "from --username"), and settings that
//     are not at their default.
//   - the checklist, one line per check: `✓ id  summary  time`. A passing
//     check is that one line, except the members check, which always
//     lists the members (address and roles, one line each) with each
//     member's failing checks under it, one line each. A failing (✗) or
//     warning (!) check shows, under its line and in this order: its fix
//     (the first hint, `fix:`), its other hints (`note:`: context and
//     alternatives), its facts and its evidence. Consecutive checks
//     skipped with the same summary are one line: `– tls, bolt, auth: not
//     run: tcp failed`.
//   - after a blank line, for each check that failed or warned, in check
//     order, its cause and its fix: `✗ tls: the certificate is
//     self-signed`, then `  fix: …`. A healthy run has none.
//   - the counts: `✗ fail — 3 passed, 1 failed, 6 skipped in 4ms`.
//
// --verbose adds everything else, in the same places: the facts and
// evidence of passing checks, facts marked Verbose (raw bytes, Go's own
// error text, protocol detail), the `error:` line (Result.Error; left out
// even then when the summary, a fact or the evidence already holds its
// text), every member's checks with their details, settings left at their
// defaults, and times under a millisecond in µs.
//
// Layout:
//
//   - every line wraps at the width, with continuation lines under the
//     text after its label (`fix: `, `note: `, a fact's `name: `, a
//     check's summary column). No line is wider than the width except one
//     that holds a single token longer than it (a URL, a fingerprint),
//     which stands alone at column 0; a token that fits the width but not
//     after its label moves left until it fits.
//   - a span in backticks in a summary or a hint is something to paste (a
//     command, a setting=value, a Cypher statement): it stands on its own
//     line, two columns in from the text it belongs to, without the
//     backticks. Only a span longer than the whole width is broken, at
//     blanks.
//   - times stand in one right-aligned column and nowhere else in the
//     text the renderer adds: `<1ms`, `12ms`, `1.2s`, `1m5s`. A check that
//     took 500 ms or more stands out: its time is in the warning colour,
//     or without colour follows the word "slow" (`slow 1.2s`), which reads
//     the same on paper, in a pasted ticket and to a screen reader.
//   - a fact whose name would leave its value less than half the line
//     stands on its own line with its value under it.
//
// Markdown and GitHub annotations say things in the same order: the fix,
// the notes, the error, then the evidence. JUnit and JSON carry every
// fact, hint and error as they are.
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
