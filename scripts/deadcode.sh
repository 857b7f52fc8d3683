#!/usr/bin/env bash
# Fails when `go tool deadcode` reports a function that .ci/deadcode-allow
# does not name, or when an entry of that list matches nothing any more.
set -euo pipefail
cd "$(dirname "$0")/.."
allow=.ci/deadcode-allow
report=$(go tool deadcode ./...)
awk -v report="$report" '
  /^[[:space:]]*(#|$)/ { next }
  { entries[++n] = $1 (substr($1, length($1)) == "/" ? "" : " " $2); used[n] = 0 }
  END {
    bad = 0
    split(report, lines, "\n")
    for (i in lines) {
      line = lines[i]
      if (line == "") continue
      # checks/check.go:147:6: unreachable func: Register
      file = line; sub(/:.*/, "", file)
      fn = line; sub(/.*unreachable func: /, "", fn)
      ok = 0
      for (e = 1; e <= n; e++) {
        if (entries[e] == file " " fn || (substr(entries[e], length(entries[e])) == "/" && index(file, entries[e]) == 1)) {
          ok = 1; used[e] = 1
        }
      }
      if (!ok) { print "deadcode: not reached, and not in " ARGV[1] ": " line; bad = 1 }
    }
    for (e = 1; e <= n; e++) if (!used[e]) { print "deadcode: " ARGV[1] " names what deadcode no longer reports: " entries[e]; bad = 1 }
    exit bad
  }' "$allow"
echo "deadcode: nothing unreachable outside $allow"
