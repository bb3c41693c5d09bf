#!/usr/bin/env bash
# Run Molecule scenarios (full test sequence), MOLECULE_JOBS at a time.
# Each scenario's output goes to .cache/logs/molecule-<name>.log; a failing
# scenario's log tail is printed. Exit status: number of failed scenarios.
#   scripts/molecule.sh [scenario ...]     (default: all under molecule/)
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
JOBS=${MOLECULE_JOBS:-2}
mkdir -p .cache/logs .cache/junit .cache/results

scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
  # Longest first (platform converges the whole site.yml; odoo deploys its
  # faults), so the last scenario to start is a short one and the slots finish
  # together; then the rest.
  for s in platform odoo backup postgres ocr certbot firewall docker common; do
    [ -f "molecule/$s/molecule.yml" ] && scenarios+=("$s")
  done
  for f in molecule/*/molecule.yml; do
    s=$(basename "$(dirname "$f")")
    [[ " ${scenarios[*]} " == *" $s "* ]] || scenarios+=("$s")
  done
fi

docker info >/dev/null 2>&1 || { echo "molecule: no Docker daemon answers (run scripts/sandbox.sh)" >&2; exit 1; }

run_one() {
  local s=$1 start rc
  start=$(date +%s)
  molecule test -s "$s" >".cache/logs/molecule-$s.log" 2>&1
  rc=$?
  echo "$s $rc $(( $(date +%s) - start ))" > ".cache/results/molecule-$s"
  if [ $rc -eq 0 ]; then
    printf 'molecule %-22s PASSED  %4ss\n' "$s" "$(( $(date +%s) - start ))"
  else
    printf 'molecule %-22s FAILED  %4ss (log: .cache/logs/molecule-%s.log)\n' "$s" "$(( $(date +%s) - start ))" "$s"
    grep -v 'Found installed collection' ".cache/logs/molecule-$s.log" | tail -n 120 | sed "s/^/  [$s] /"
  fi
  return $rc
}

failed=0
pids=()
for s in "${scenarios[@]}"; do
  rm -f ".cache/results/molecule-$s"
  run_one "$s" &
  pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 2; done
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || failed=$((failed + 1))
done
exit $failed
