#!/usr/bin/env bash
# A local PostgreSQL for the Odoo contract tests and the test double:
# start Debian's cluster if nothing answers on 127.0.0.1:5432, and make sure the
# role the double uses (LOGIN CREATEDB, not 'postgres', which Odoo refuses) exists.
set -euo pipefail
PGUSER_NAME=${PGUSER:-odoo}
PGPASS=${PGPASSWORD:-odoo}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! pg_isready -q -h 127.0.0.1 -p "${PGPORT:-5432}" 2>/dev/null; then
  cluster=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1" "$2}')
  [ -n "$cluster" ] || { echo "postgres: no PostgreSQL cluster installed (apt-get install postgresql)" >&2; exit 1; }
  echo "[postgres] starting cluster $cluster" >&2
  # shellcheck disable=SC2086
  as_root pg_ctlcluster $cluster start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "${PGPORT:-5432}" && break; sleep 1; done
fi
pg_isready -q -h 127.0.0.1 -p "${PGPORT:-5432}" || { echo "postgres: not answering on 127.0.0.1:${PGPORT:-5432}" >&2; exit 1; }
exists=$(as_root su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname = '$PGUSER_NAME'\"")
if [ "$exists" != 1 ]; then
  echo "[postgres] creating role $PGUSER_NAME" >&2
  as_root su postgres -c "psql -qc \"CREATE ROLE \\\"$PGUSER_NAME\\\" LOGIN CREATEDB PASSWORD '$PGPASS'\""
fi
