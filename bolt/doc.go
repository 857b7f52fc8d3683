// Package bolt is a small Bolt client built for diagnosis rather than
// throughput: it negotiates a version (Handshake), opens a session and runs
// the few requests a connectivity check needs (Conn), and keeps evidence of
// every step — the raw handshake bytes, a bounded transcript of messages,
// and errors that name what the peer did (answered HTTP, wanted TLS, closed,
// reset, stayed silent, stalled mid-answer, stopped reading, spoke another
// protocol) with the bytes that prove it.
//
// Everything read from the peer is treated as hostile: sizes are bounded
// before allocation (Options), metadata of the wrong type is reported
// (HelloResult.Malformed) rather than trusted, NOOP floods are cut short,
// and every read and write obeys the caller's context. Credentials are
// written to the socket and nowhere else.
package bolt
