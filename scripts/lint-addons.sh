#!/usr/bin/env bash
# Lint the collection's Odoo addons the way OCA does.
#
#   scripts/lint-addons.sh [addon ...]     (default: every addon under addons/)
#
# - pylint with pylint-odoo (pylint_odoo plugin, its default Odoo checks: odoolint),
#   for Odoo 18.0;
# - oca-odoo-pre-commit-hooks: oca-checks-odoo-module on each addon, oca-checks-po on
#   its translation files (i18n/*.po, *.pot);
# - ruff on addons/ (the repository's rules, addons/ruff.toml for Odoo's import layout).
# The tools come from .venv (requirements: pylint-odoo, oca-odoo-pre-commit-hooks).
# Exits non-zero on any finding.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BIN=${VENV_BIN:-$ROOT/.venv/bin}
ODOO_VERSION=18.0

if [ $# -gt 0 ]; then
  addons=("$@")
else
  mapfile -t addons < <(find addons -mindepth 2 -maxdepth 2 -name __manifest__.py -printf '%h\n' | xargs -rn1 basename | sort)
fi
[ ${#addons[@]} -gt 0 ] || { echo "no addon under addons/" >&2; exit 2; }
for tool in pylint oca-checks-odoo-module oca-checks-po ruff; do
  [ -x "$BIN/$tool" ] || { echo "$BIN/$tool is missing: pip install -r requirements.txt into .venv" >&2; exit 2; }
done

paths=()
for addon in "${addons[@]}"; do
  [ -f "addons/$addon/__manifest__.py" ] || { echo "addons/$addon/__manifest__.py: no such addon" >&2; exit 2; }
  paths+=("addons/$addon")
done

rc=0
versions=$("$BIN/python" -c 'import importlib.metadata as m
print(", ".join(f"{d} {m.version(d)}" for d in ("pylint", "pylint-odoo", "oca-odoo-pre-commit-hooks")))')
echo "== pylint-odoo ($versions)"
# --manifest-required-authors: the author every manifest must name (OCA's own repositories use theirs).
"$BIN/pylint" --rcfile=/dev/null --load-plugins=pylint_odoo \
  --disable=all --enable=odoolint \
  --valid-odoo-versions="$ODOO_VERSION" \
  --manifest-required-authors=InsightPulse \
  --license-allowed=AGPL-3,LGPL-3 \
  --score=n --reports=n \
  "${paths[@]}" || rc=1

echo "== oca-checks-odoo-module"
"$BIN/oca-checks-odoo-module" "${paths[@]/%//__manifest__.py}" || rc=1

mapfile -t po_files < <(find "${paths[@]}" -path '*/i18n/*' \( -name '*.po' -o -name '*.pot' \) | sort)
echo "== oca-checks-po (${#po_files[@]} files)"
if [ ${#po_files[@]} -gt 0 ]; then
  "$BIN/oca-checks-po" "${po_files[@]}" || rc=1
fi

echo "== ruff"
"$BIN/ruff" check "${paths[@]}" || rc=1

[ "$rc" -eq 0 ] && echo "lint-addons: clean (${addons[*]})" || echo "lint-addons: findings above" >&2
exit "$rc"
