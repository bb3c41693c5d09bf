#!/bin/bash
# As the official redis image's entrypoint: `-opt` means `redis-server -opt`;
# redis-server started as root owns /data to redis and runs as redis.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
    set -- redis-server "$@"
fi
if [ "$1" = redis-server ]; then
    shift
    case "${1:-}" in
        -v|--version|-h|--help) exec redis-server "$@" ;;
    esac
    args=()
    # A configuration file must come first; protected mode off follows it so
    # the caller's own options still win.
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
        args+=("$1")
        shift
    fi
    args+=(--protected-mode no "$@")
    if [ "$(id -u)" = 0 ]; then
        find . \! -user redis -exec chown redis '{}' +
        exec setpriv --reuid=redis --regid=redis --init-groups redis-server "${args[@]}"
    fi
    exec redis-server "${args[@]}"
fi
exec "$@"
