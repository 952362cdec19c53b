#!/usr/bin/env bash
# Adds up the per-assembly totals that `dotnet test` prints ("Total tests: N", then "Passed: N",
# "Failed: N", "Skipped: N" lines) into one closing line: "N passed, N failed, N skipped".
set -euo pipefail
log=${1:?log file}
awk '
  /^Total tests: / { inblock = 1; next }
  inblock && /^ +Passed: /  { p += $2; next }
  inblock && /^ +Failed: /  { f += $2; next }
  inblock && /^ +Skipped: / { s += $2; next }
  inblock && /^ +Total time:/ { inblock = 0 }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }
' "$log"
