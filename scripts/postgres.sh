#!/usr/bin/env bash
# A project-local PostgreSQL cluster on 127.0.0.1 (no systemd here): data under .data/pg, owned and
# run by the postgres user, TCP only. Idempotent: "start" reuses a running or existing cluster.
set -euo pipefail

cmd=${1:-start}
root=$(cd "$(dirname "$0")/.." && pwd)
port=${PGPORT:-55432}
data=${PGDATA_DIR:-$root/.data/pg}
user=${DB_USER:-incidentdesk}
password=${DB_PASSWORD:-incidentdesk}
database=${DB_NAME:-incidentdesk}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
as_postgres() { runuser -u postgres -- "$@"; }
psql_admin() { as_postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

install() {
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "postgres: installing PostgreSQL from the OS packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
}

start() {
  install
  mkdir -p "$(dirname "$data")"
  if [ ! -s "$data/PG_VERSION" ]; then
    mkdir -p "$data" && chown postgres:postgres "$data" && chmod 700 "$data"
    as_postgres "$bin/initdb" -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$data" >/dev/null
  fi
  if ! as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300 -c fsync=off -c full_page_writes=off" start >/dev/null
  fi
  # The role may create databases: integration tests make one per test class.
  if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != "1" ]; then
    psql_admin -c "CREATE ROLE $user LOGIN CREATEDB PASSWORD '$password'"
  fi
  # DROP DATABASE ... WITH (FORCE) (the tests' per-class databases) must be able to end an autovacuum worker
  # that happens to be in the database; that takes pg_signal_backend.
  psql_admin -c "GRANT pg_signal_backend TO $user" >/dev/null
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" != "1" ]; then
    psql_admin -c "CREATE DATABASE $database OWNER $user"
  fi
  echo "postgres: running on 127.0.0.1:$port (data $data)"
}

stop() {
  [ -n "$bin" ] && [ -s "$data/PG_VERSION" ] || { echo "postgres: no local cluster"; return 0; }
  if as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    echo "postgres: stopped"
  else
    echo "postgres: not running"
  fi
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
