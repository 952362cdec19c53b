#!/usr/bin/env bash
# Installs what the service and its tests need from the OS packages, only what is missing,
# in one apt transaction. Safe to run again. Needs root (as on the project's machines).
set -euo pipefail

want=()
need() { command -v "$1" >/dev/null 2>&1 || [ -x "${3:-/nonexistent}" ] || want+=("$2"); }

need initdb postgresql "$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -n 1)"
need promtool prometheus
need prometheus-alertmanager prometheus-alertmanager
need docker-compose docker-compose
need npm npm
need chromium chromium /usr/bin/chromium

if [ ${#want[@]} -gt 0 ]; then
  echo "deps: installing ${want[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi
bash "$(dirname "$0")/../dashboards/schema-check/install.sh"
echo "deps: ok"
