// Package binarytest holds the tests that build the neo4j-doctor binary
// with `go build` and hold it to what users get: its size as released
// (size_test.go), --version from the release -ldflags (release_test.go),
// peak RSS, package init and the --timeout bound (cost_test.go), and its
// memory against hostile servers (hostile_rss_test.go). Building binaries
// is slow beside the unit suite, so every test here skips under -short:
// .ci/run runs `go test -race -short ./...` and this package on its own,
// side by side. It has no code of its own.
package binarytest
