#!/usr/bin/env bash
# Installs the schema check's node packages (@grafana/schema, typescript) from the committed lock file,
# only when they are missing or the lock file changed since the last install. Called by scripts/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")"
if ! cmp -s package-lock.json node_modules/.installed-package-lock.json; then
  echo "deps: npm ci in dashboards/schema-check"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-package-lock.json
fi
