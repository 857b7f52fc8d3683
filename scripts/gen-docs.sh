#!/bin/sh
# Generates the shell completions and the man page from the CLI itself
# (neo4j-doctor completion bash|zsh|fish, neo4j-doctor man), for the
# release archives and packages. goreleaser runs it as a before hook:
#   sh scripts/gen-docs.sh build/docs
# Not in dist/: goreleaser insists dist/ is empty after the hooks ran.
set -eu
out=${1:-build/docs}
cd "$(dirname "$0")/.."
mkdir -p "$out/completions" "$out/man"
bin="$out/neo4j-doctor-docs"
go build -o "$bin" .
"$bin" completion bash > "$out/completions/neo4j-doctor.bash"
"$bin" completion zsh > "$out/completions/_neo4j-doctor"
"$bin" completion fish > "$out/completions/neo4j-doctor.fish"
"$bin" man > "$out/man/neo4j-doctor.1"
gzip -9 -n -f -k "$out/man/neo4j-doctor.1"
rm -f "$bin"
