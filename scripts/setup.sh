#!/usr/bin/env bash
# One-time (and cheap to repeat) setup of a development/CI machine:
#   - Debian packages the tooling and the local tests need (only when missing)
#   - .venv with the pinned Python tooling (requirements.txt)
#   - services/{ocr,mcp}/.venv for the OCR service, the MCP coordinator and their tests
# Re-running is fast: pip runs only when a requirements file changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages: make/venv/git for the tooling, debootstrap for the sandbox
# images, fonts for the OCR tests. (The browser test's Chromium runs in a
# container: molecule/platform/browser/.)
APT_PACKAGES=(make git python3-venv debootstrap rsync fonts-dejavu-core fonts-dejavu-extra fonts-liberation)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# venv_sync DIR REQUIREMENTS...: create DIR and install the files, skipping pip
# when their combined checksum is what was installed last time.
venv_sync() {
  local dir=$1; shift
  local stamp="$dir/.requirements.sha256" sum
  sum=$(cat "$@" | sha256sum | cut -d' ' -f1)
  if [ -x "$dir/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    log "$dir is up to date"
    return 0
  fi
  log "installing $* into $dir"
  [ -x "$dir/bin/python" ] || "$PYTHON" -m venv "$dir"
  "$dir/bin/pip" install -q --upgrade pip
  local args=()
  for f in "$@"; do args+=(-r "$f"); done
  "$dir/bin/pip" install -q "${args[@]}"
  echo "$sum" > "$stamp"
}

venv_sync .venv requirements.txt
for service in ocr mcp; do
  if [ -f "services/$service/requirements.txt" ]; then
    venv_sync "services/$service/.venv" "services/$service/requirements.txt" \
      $(ls "services/$service/requirements-dev.txt" 2>/dev/null)
  fi
done
log "done: activate with 'source .venv/bin/activate' (make targets do it for you)"
