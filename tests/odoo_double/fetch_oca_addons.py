#!/usr/bin/env python3
"""Fetch real OCA addons for the Odoo TEST DOUBLE's catalog (tests only).

Downloads ``odoo-addon-queue_job`` and ``odoo-addon-web_responsive`` (18.0
series) from PyPI with ``pip download --no-deps`` and unpacks each wheel's
``odoo/addons/<name>/`` into an addons directory (default
``.cache/oca-addons`` at the repository root, which is gitignored). The
manifests are real, so the double resolves their real dependencies.

pip runs with the caller's configuration (index, ``cert``/``PIP_CERT``); when
no CA bundle is configured the host's is passed, as pip's own certifi bundle
does not know site CAs.

Usage: python tests/odoo_double/fetch_oca_addons.py [ADDONS_DIR]   (prints ADDONS_DIR)
"""

import glob
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DIR = REPO / ".cache" / "oca-addons"
REQUIREMENTS = ["odoo-addon-queue_job==18.0.*", "odoo-addon-web_responsive==18.0.*"]
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"


def fetch(target=DEFAULT_DIR, requirements=REQUIREMENTS):
    target = Path(target)
    wanted = [r.split("==")[0].replace("odoo-addon-", "") for r in requirements]
    if all((target / name / "__manifest__.py").is_file() for name in wanted):
        return target
    target.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if "PIP_CERT" not in env and os.path.exists(HOST_CA):
        probe = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True,
                               check=False)
        if ".cert=" not in probe.stdout:
            env["PIP_CERT"] = HOST_CA
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                        "-d", tmp, *requirements], check=True, env=env)
        for wheel in sorted(glob.glob(os.path.join(tmp, "*.whl"))):
            with zipfile.ZipFile(wheel) as zf:
                for member in zf.namelist():
                    if member.startswith("odoo/addons/") and not member.endswith("/"):
                        rel = Path(member).relative_to("odoo/addons")
                        if ".." in rel.parts:
                            continue
                        dest = target / rel
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        dest.write_bytes(zf.read(member))
    return target


if __name__ == "__main__":
    print(fetch(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DIR))
