#!/usr/bin/env bash
# Odoo tests of the collection's addons on a real Odoo 18 and PostgreSQL 17.
#
#   scripts/odoo-addon-tests.sh [addon ...]     (default: every addon under addons/)
#
# A throw-away PostgreSQL container (insightpulse/postgres:17) and one run of the
# sandbox Odoo image (insightpulse/odoo:18.0, see images/images.yml):
#   odoo -d <db> -i <addons> --test-enable --test-tags /<addon>,... --stop-after-init
# with addons/ and the pinned OCA wheels they depend on (downloaded once into
# .cache/wheels with `pip download --no-deps`, unpacked into a temporary addons
# folder) on the addons path. Odoo's log is kept in .cache/logs/addons.log and
# turned into .cache/junit/addons.xml, one testcase per Odoo test.
#
# Exits non-zero when an addon does not install, a test fails or errors, or no
# test ran. Its containers, network and temporary files go away however it ends;
# they carry the label insightpulse.test=addons.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
started=$(date +%s)

# OCA addons the collection's addons depend on, as PyPI wheels pinned to versions
# that load on the sandbox's Odoo 18 snapshot.
OCA_WHEELS=(odoo-addon-queue-job==18.0.1.6.1)
LABEL=insightpulse.test=addons
PIP=${PIP:-$ROOT/.venv/bin/pip}
PYTHON=${PYTHON:-python3}

image() { # local tag of a sandbox image, as images/images.yml names it
  awk -v want="$1:" '$0 == want {found=1; next} found && $1 == "tag:" {gsub(/["'\'']/, "", $2); print $2; exit}' \
    images/images.yml | sed "s|^|insightpulse/$1:|"
}
ODOO_IMAGE=${ODOO_IMAGE:-$(image odoo)}
PG_IMAGE=${PG_IMAGE:-$(image postgres)}

if [ $# -gt 0 ]; then
  addons=("$@")
else
  mapfile -t addons < <(find addons -mindepth 2 -maxdepth 2 -name __manifest__.py -printf '%h\n' | xargs -rn1 basename | sort)
fi
[ ${#addons[@]} -gt 0 ] || { echo "no addon under addons/" >&2; exit 2; }
for addon in "${addons[@]}"; do
  [ -f "addons/$addon/__manifest__.py" ] || { echo "addons/$addon/__manifest__.py: no such addon" >&2; exit 2; }
done
for name in "$ODOO_IMAGE" "$PG_IMAGE"; do
  docker image inspect "$name" >/dev/null 2>&1 || {
    echo "image $name is missing: build it with scripts/images.py build (or make sandbox)" >&2; exit 2; }
done

id=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
prefix=ipp-addons-$id
network=$prefix db=$prefix-db odoo=$prefix-odoo
work=$(mktemp -d "${TMPDIR:-/tmp}/odoo-addon-tests.XXXXXX")
made_network=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  docker rm -f -v "$odoo" "$db" >/dev/null 2>&1 || true
  [ -z "$made_network" ] || docker network rm "$network" >/dev/null 2>&1 || true
  rm -rf "$work"
  echo "odoo-addon-tests: $(( $(date +%s) - started ))s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# OCA wheels: downloaded once, unpacked per run (odoo/addons/<name> inside each wheel)
mkdir -p .cache/wheels .cache/junit .cache/logs "$work/oca"
for pin in "${OCA_WHEELS[@]}"; do
  dist=${pin%%==*} version=${pin##*==}
  wheel=$(find .cache/wheels -name "${dist//-/_}-${version}-*.whl" -print -quit)
  if [ -z "$wheel" ]; then
    "$PIP" download --quiet --no-deps --dest .cache/wheels "$pin"
    wheel=$(find .cache/wheels -name "${dist//-/_}-${version}-*.whl" -print -quit)
  fi
  [ -n "$wheel" ] || { echo "cannot find the wheel of $pin in .cache/wheels" >&2; exit 2; }
  "$PYTHON" -m zipfile -e "$wheel" "$work/wheel-$dist"
  cp -r "$work/wheel-$dist/odoo/addons/." "$work/oca/"
done
chmod -R a+rX "$work"

password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
docker network create --label "$LABEL" "$network" >/dev/null
made_network=1
docker run -d --name "$db" --label "$LABEL" --network "$network" \
  -e POSTGRES_USER=odoo -e POSTGRES_PASSWORD="$password" -e POSTGRES_DB=postgres "$PG_IMAGE" >/dev/null

list=$(IFS=,; echo "${addons[*]}")
tags=$(printf '/%s,' "${addons[@]}"); tags=${tags%,}
echo "odoo-addon-tests: installing and testing $list on $ODOO_IMAGE with ${OCA_WHEELS[*]}"
# Odoo's entrypoint waits for PostgreSQL (HOST/USER/PASSWORD), then runs odoo with them.
docker run --name "$odoo" --label "$LABEL" --network "$network" \
  -e HOST="$db" -e USER=odoo -e PASSWORD="$password" -e ODOO_DB_WAIT_TIMEOUT=120 \
  -v "$ROOT/addons:/mnt/extra-addons:ro" -v "$work/oca:/mnt/oca-addons:ro" \
  "$ODOO_IMAGE" odoo -d addons_test --addons-path=/mnt/extra-addons,/mnt/oca-addons \
  -i "$list" --without-demo=all --test-enable --test-tags "$tags" \
  --stop-after-init --workers=0 --max-cron-threads=0 --log-level=info \
  > .cache/logs/addons.log 2>&1 && odoo_rc=0 || odoo_rc=$?

# which of the addons ended up installed (a failed install leaves them uninstalled)
installed=$(docker exec "$db" psql -U odoo -d addons_test -tAc \
  "SELECT string_agg(name, ',' ORDER BY name) FROM ir_module_module WHERE state = 'installed'
     AND name = ANY(string_to_array('$list', ','))" 2>/dev/null || true)

"$PYTHON" tests/addons/odoo_log_junit.py .cache/logs/addons.log .cache/junit/addons.xml \
  --addons "$list" --installed "$installed" --exit-code "$odoo_rc"
