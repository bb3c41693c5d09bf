#!/usr/bin/env bash
# `make test`: every check CI runs, in order, continuing past a failure so one
# run shows everything that is wrong. Ends with one summary line:
#   total: N passed, N failed, N skipped
# where N counts pytest test cases of every suite (unit, workflows, contract,
# OCR, Molecule testinfra verifiers, read from JUnit XML) plus each check that
# is not a pytest suite (each linter, ansible-test sanity, each Molecule
# scenario's full sequence) as one. The last check fails when anything that ran
# changed this machine's clock, time zone, kernel modules or sysctls.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
rm -rf .cache/junit .cache/results
mkdir -p .cache/junit .cache/results .cache/logs

declare -a STAGES=()
stage() {  # stage NAME KIND(check|pytest) COMMAND...
  local name=$1 kind=$2; shift 2
  local start rc
  start=$(date +%s)
  printf '\n\033[1m=== %s\033[0m\n' "$name"
  "$@"
  rc=$?
  STAGES+=("$name|$kind|$rc|$(( $(date +%s) - start ))")
  return 0
}

# This machine's clock, time zone, kernel modules and sysctls, before any
# container runs: compared once everything has run (scripts/host_state.py).
python3 scripts/host_state.py snapshot .cache/host-state-before.json

# The Molecule scenarios are the long pole (most of their time is containers
# booting, images pulling, services starting and health gates waiting, not
# this machine's CPU), so they start first, in the background, and the
# linters and the other suites run meanwhile. Their lines (PASSED/FAILED per
# scenario, a failing scenario's log tail) are printed when they are done.
molecule_start=$(date +%s)
make -s molecule >.cache/logs/molecule.log 2>&1 &
molecule_pid=$!

stage "yamllint" check yamllint --strict .
stage "ansible-lint" check ansible-lint
stage "ruff" check ruff check .
stage "addon lint (pylint-odoo, OCA hooks)" check scripts/lint-addons.sh
stage "changelog fragments" check antsibull-changelog lint
stage "unit + workflows" pytest make -s unit
stage "contract (real Odoo 18)" pytest make -s contract
stage "odoo addons (real Odoo 18)" pytest make -s addons
stage "ocr service" pytest make -s ocr
stage "mcp coordinator" pytest make -s mcp
stage "ansible-test sanity" check make -s sanity
stage "images (official interfaces)" pytest make -s image-tests
printf '\n\033[1m=== molecule (started first, in the background)\033[0m\n'
wait "$molecule_pid"
molecule_rc=$?
cat .cache/logs/molecule.log
STAGES+=("molecule|molecule|$molecule_rc|$(( $(date +%s) - molecule_start ))")
stage "host state unchanged" check python3 scripts/host_state.py compare .cache/host-state-before.json

printf '\n\033[1m=== summary\033[0m\n'
.venv/bin/python scripts/test_summary.py "${STAGES[@]}"
summary_rc=$?

# What ended each failed scenario, last, where CI's kept tail will show it.
failed_logs=()
for r in .cache/results/molecule-*; do
  [ -f "$r" ] || continue
  read -r name rc _ <"$r"
  [ "$rc" = 0 ] || failed_logs+=(".cache/logs/molecule-$name.log")
done
if [ ${#failed_logs[@]} -gt 0 ]; then
  printf '\n\033[1m=== what failed in Molecule\033[0m\n'
  python3 scripts/failed_tasks.py "${failed_logs[@]}"
fi
exit $summary_rc
