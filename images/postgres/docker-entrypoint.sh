#!/usr/bin/env bash
# Entrypoint of insightpulse/postgres (interface: see the Dockerfile's header).
# `postgres ...` (or just `-c ...`): initialise an empty PGDATA once, then exec
# postgres as the postgres user; anything else runs as given.
set -Eeuo pipefail

log() { printf '[entrypoint] %s\n' "$*" >&2; }

if [ "${1:0:1}" = '-' ]; then
  set -- postgres "$@"
fi

if [ "$1" != postgres ]; then
  exec "$@"
fi

# Started as root: own the data and socket directories, then come back as postgres.
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  chmod 3777 /var/run/postgresql
  find "$PGDATA" \! -user postgres -exec chown postgres:postgres {} +
  chown postgres:postgres /var/run/postgresql
  export HOME=/var/lib/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

psql_init() { psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" "$@"; }

run_init_files() {
  local f
  shopt -s nullglob
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) # executable: run; otherwise sourced, as upstream does
        log "running $f"
        # shellcheck disable=SC1090
        if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
      *.sql) log "running $f"; psql_init --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) log "running $f"; gzip -dc "$f" | psql_init --dbname "$POSTGRES_DB" ;;
      *) log "ignoring $f" ;;
    esac
  done
}

initialise() {
  export POSTGRES_USER="${POSTGRES_USER:-postgres}"
  export POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
  local method="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  local -a initdb_args
  read -ra initdb_args <<<"${POSTGRES_INITDB_ARGS:-}"
  # As upstream: trust on the socket and loopback (reachable only inside the
  # container); every other client goes through `host all all all <method>`.
  initdb_args=(--username="$POSTGRES_USER" --auth=trust "${initdb_args[@]}")

  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$method" != trust ]; then
    log "error: the database is not initialised and POSTGRES_PASSWORD is not set."
    log "Set POSTGRES_PASSWORD to the superuser's password (or, to allow every"
    log "connection without a password, POSTGRES_HOST_AUTH_METHOD=trust)."
    exit 1
  fi

  log "initialising $PGDATA (superuser $POSTGRES_USER, host auth $method)"
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    initdb "${initdb_args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD")
  else
    initdb "${initdb_args[@]}"
  fi
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf '\nhost all all all %s\n' "$method" >>"$PGDATA/pg_hba.conf"

  # Temporary server: unix socket only, so nothing connects before init is done.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
  if [ "$POSTGRES_DB" != postgres ]; then
    psql_init --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  run_init_files
  pg_ctl -D "$PGDATA" -m fast -w stop
  log "initialisation done"
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initialise
fi
exec "$@"
