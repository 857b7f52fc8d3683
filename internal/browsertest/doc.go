// Package browsertest proves the fixture server's Bolt over WebSocket
// faithful to a real browser client, as Neo4j Browser uses the Bolt port:
// headless Chromium loads a page that uses the official JavaScript
// driver's browser bundle (npm neo4j-driver, lib/browser/neo4j-web.min.js,
// pinned in js/package.json), connects over ws:// to a fixture server on
// 127.0.0.1 and runs RETURN 1, over ws:// (neo4j://, bolt://) and wss://
// (bolt+s://, certificate errors ignored); with a certificate the browser
// does not trust, behind a proxy that strips the upgrade
// (fixtures.WebSocketStripped), and from an HTTPS page to a plaintext Bolt
// port (mixed content: the driver switches to wss, whose ClientHello the
// plaintext port closes), the same page must fail with the driver's
// "WebSocket connection failure" — the browser hides which it was; only a
// non-browser client such as neo4j-doctor can tell them apart. Told
// encrypted: false on an HTTPS page, the driver's ws:// is refused by
// Chromium itself: "An insecure WebSocket connection may not be initiated
// from a page loaded over HTTPS."
//
// It needs a browser and the bundle, so it runs only when
// scripts/e2e-browser.sh (called by .ci/run after the Go tests) sets
// NEO4J_DOCTOR_CHROMIUM and NEO4J_DOCTOR_NEO4J_WEB_JS; in the unit suite it
// skips, saying so. It has no code of its own.
package browsertest
