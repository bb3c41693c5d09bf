#!/bin/bash
# Entrypoint of insightpulse/odoo, with the command-line interface of the
# official odoo image's entrypoint (see the Dockerfile's header):
#
#   odoo [ARGS...] / -* [ARGS...]   wait for PostgreSQL, then run the server
#                                   (or subcommand) with the database options
#   odoo scaffold ...               run at once: it needs no database
#   anything else                   run as given (`bash`, `python3 ...`)
#
# The database options come from the environment (HOST, PORT, USER, PASSWORD or
# PASSWORD_FILE) unless the config file ($ODOO_RC) sets db_host, db_port,
# db_user or db_password, which then win. Like the official image, host, port
# and user are appended to the odoo command line. Unlike it, the password is
# not: a command line is visible to every user of the machine (`ps` on the
# host lists the container's processes). It is exported as PGPASSWORD instead,
# which libpq reads when Odoo's configuration has no db_password (Odoo's own
# connections, and the pg_dump/psql it runs inherit it).
set -euo pipefail

if [[ -n "${PASSWORD_FILE:-}" ]]; then
    PASSWORD="$(<"$PASSWORD_FILE")"
fi
HOST="${HOST:-db}"
PORT="${PORT:-5432}"
USER="${USER:-odoo}"
PASSWORD="${PASSWORD:-odoo}"

# Value of KEY in the [options] section of $ODOO_RC, empty when the file or the
# key is missing. Odoo reads the file with configparser: "key = value" or
# "key: value", whitespace around the value stripped, ";"/"#" start comments
# only at the beginning of a line. "False" means unset to Odoo, so it does here.
config_value() {
    local key=$1
    [[ -r "${ODOO_RC:-}" ]] || return 0
    awk -v key="$key" '
        /^[ \t]*\[/ { in_options = ($0 ~ /^[ \t]*\[options\][ \t]*$/); next }
        in_options && $0 ~ "^[ \t]*" key "[ \t]*[=:]" {
            sub("^[ \t]*" key "[ \t]*[=:][ \t]*", "")
            sub("[ \t\r]+$", "")
            value = $0
        }
        END { if (value != "False") print value }
    ' "$ODOO_RC"
}

db_args=()
add_db_arg() {
    local key=$1 fallback=$2 value
    value="$(config_value "$key")"
    # --key=value in one word: a value starting with "-" is never taken for an
    # option, by odoo or by wait-for-psql.py.
    db_args+=("--$key=${value:-$fallback}")
}
add_db_arg db_host "$HOST"
add_db_arg db_port "$PORT"
add_db_arg db_user "$USER"
config_password="$(config_value db_password)"
export PGPASSWORD="${config_password:-$PASSWORD}"
unset config_password

wait_for_db() {
    wait-for-psql.py "${db_args[@]}" --timeout "${ODOO_DB_WAIT_TIMEOUT:-30}"
}

case "${1:-}" in
    odoo | --)
        shift
        if [[ "${1:-}" == scaffold ]]; then
            exec odoo "$@"
        fi
        wait_for_db
        exec odoo "$@" "${db_args[@]}"
        ;;
    -*)
        wait_for_db
        exec odoo "$@" "${db_args[@]}"
        ;;
    *)
        exec "$@"
        ;;
esac
