#!/usr/bin/env bash
# Entrypoint of insightpulse/nginx (interface: see the Dockerfile's header).
# Before `nginx ...` starts, run /docker-entrypoint.d/ in name order: executable
# *.envsh are sourced (their exports reach nginx and later scripts), executable
# *.sh are run. Any other command runs as given.
set -Eeuo pipefail

log() {
  if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then printf '%s: %s\n' "$0" "$*"; fi
}

if [ "${1:-}" = nginx ]; then
  shopt -s nullglob
  for f in /docker-entrypoint.d/*; do
    if [ ! -x "$f" ]; then
      log "ignoring $f, not executable"
      continue
    fi
    case "$f" in
      *.envsh)
        log "sourcing $f"
        set +u # written for sh like upstream's, not for nounset
        # shellcheck disable=SC1090
        . "$f"
        set -u ;;
      *.sh)
        log "launching $f"
        "$f" ;;
      *) log "ignoring $f, not *.sh or *.envsh" ;;
    esac
  done
  log "configuration complete; ready for start up"
fi

exec "$@"
