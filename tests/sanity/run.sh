#!/usr/bin/env bash
# ansible-test sanity on plugins/ of insightpulse.platform.
#
# ansible-test insists on running from .../ansible_collections/<namespace>/<name>, so
# this builds that tree in a temp dir (a copy: through a symlink, os.getcwd() gives the
# real path and ansible-test refuses it), runs sanity there, and removes it.
# Neither --docker (no images here) nor --venv (its pip bootstrap downloads get-pip.py from
# ci-files.testing.ansible.com, unreachable) work here, so sanity runs --local in a dedicated
# virtualenv, .venv-sanity (git-ignored), holding ansible-core plus the exact requirements
# ansible-test pins for each test (--requirements installs them from PyPI on first use).
#
# usage: tests/sanity/run.sh [extra ansible-test sanity args, e.g. --test validate-modules]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PYTHON_VERSION="${SANITY_PYTHON:-3.11}"
VENV="${SANITY_VENV:-$ROOT/.venv-sanity}"
CORE_PIN="$(grep -E '^ansible-core==' "$ROOT/requirements.txt")"
if [ ! -x "$VENV/bin/ansible-test" ]; then
  "python$PYTHON_VERSION" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q "$CORE_PIN"
fi
# ansible-test builds one virtualenv per sanity test and bootstraps pip in it with get-pip.py from
# ci-files.testing.ansible.com (unreachable here). Give it a stand-in from its documented cache
# location: ensurepip from the interpreter itself, then pip installs the requested pip version from
# PyPI. HOME points at a git-ignored cache in the checkout so nothing lands in the real home.
export HOME="$ROOT/.cache/sanity-home"
AT_REQS="$("$VENV/bin/python" -c 'import ansible_test._internal.python_requirements as m; print(m.__file__)')"
PIP_VERSION="$(sed -n "s/^ *pip='\([0-9.]*\)',.*/\1/p" "$AT_REQS" | head -1)"
GET_PIP="$HOME/.ansible/test/cache/get_pip_${PIP_VERSION//./_}.py"
if [ ! -f "$GET_PIP" ]; then
  mkdir -p "$(dirname "$GET_PIP")"
  cat > "$GET_PIP" <<'PY'
"""Stand-in for get-pip.py (written by tests/sanity/run.sh): ensurepip, then pip install argv."""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet"] + args)
PY
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/insightpulse-sanity.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

DEST="$WORK/ansible_collections/insightpulse/platform"
mkdir -p "$DEST"
tar -C "$ROOT" -cf - \
  --exclude='./.git' --exclude='./.venv*' --exclude='./collections' --exclude='./.cache' \
  --exclude='__pycache__' --exclude='.pytest_cache' --exclude='.ruff_cache' --exclude='./tests/output' \
  --exclude='./molecule' --exclude='./services' . | tar -C "$DEST" -xmf -
# ansible-test only looks at files git knows about when a .git is present; the copy has none,
# so it scans the tree, which is what we want for uncommitted work too.

cd "$DEST"
export PATH="$VENV/bin:$PATH"
exec ansible-test sanity --local --requirements --python "$PYTHON_VERSION" --color no "$@" plugins/
