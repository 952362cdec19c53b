#!/usr/bin/env bash
# Adds up the per-assembly totals that `dotnet test` prints into one closing line, "N passed, N failed, N skipped".
set -euo pipefail
log=${1:?log file}
grep -E '^(Passed|Failed)! +- ' "$log" | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\1 \2 \3/' \
  | awk '{f+=$1; p+=$2; s+=$3} END {printf "%d passed, %d failed, %d skipped\n", p, f, s}'
