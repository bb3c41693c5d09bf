"""TEST DOUBLE for Odoo: the module catalog, from real ``__manifest__.py`` files.

Mirrors ``odoo.modules.module.load_manifest``/``adapt_version`` and
``odoo.tools.parse_version`` closely enough for dependency resolution and
version comparison.
"""

import ast
import os
import re

from . import SERIE

MANIFEST_DEFAULTS = {
    "application": False,
    "author": "Odoo S.A.",
    "auto_install": False,
    "category": "Uncategorized",
    "depends": [],
    "description": "",
    "installable": True,
    "license": "LGPL-3",
    "sequence": 100,
    "summary": "",
    "version": "1.0",
    "website": "",
    "excludes": [],
}


def adapt_version(version):
    if version == SERIE or not version.startswith(SERIE + "."):
        base_version = version
        version = f"{SERIE}.{version}"
    else:
        base_version = version[len(SERIE) + 1:]
    if not re.match(r"^[0-9]+\.[0-9]+(?:\.[0-9]+)?$", base_version):
        raise ValueError(f"Invalid version {base_version!r}. Modules should have a version in format `x.y`, "
                         f"`x.y.z`, `{SERIE}.x.y` or `{SERIE}.x.y.z`.")
    return version


_component_re = re.compile(r"(\d+ | [a-z]+ | \.| -)", re.VERBOSE)
_replace = {"pre": "c", "preview": "c", "-": "final-", "_": "final-", "rc": "c", "dev": "@", "saas": "", "~": ""}


def parse_version(s):
    """Same ordering key as odoo.tools.parse_version."""
    parts = []
    for part in _component_re.split(s.lower()):
        part = _replace.get(part, part)
        if not part or part == ".":
            continue
        if part[:1] in "0123456789":
            parts.append(part.zfill(8))
        else:
            parts.append("*" + part)
    parts.append("*final")
    while parts and parts[-1] == "00000000":
        parts.pop()
    return tuple(parts)


def load_manifest(path, name):
    with open(os.path.join(path, "__manifest__.py"), encoding="utf-8") as fh:
        raw = ast.literal_eval(fh.read())
    manifest = dict(MANIFEST_DEFAULTS)
    manifest.update(raw)
    manifest["name"] = raw.get("name", name)
    manifest["technical_name"] = name
    manifest["addons_path"] = path
    if isinstance(manifest["auto_install"], (list, tuple, set)):
        manifest["auto_install"] = set(manifest["auto_install"])
    elif manifest["auto_install"]:
        manifest["auto_install"] = set(manifest["depends"])
    else:
        manifest["auto_install"] = False
    manifest["version"] = adapt_version(str(manifest["version"]))
    return manifest


def scan(addons_paths):
    """{technical name: manifest}; the first addons path holding a name wins, like Odoo."""
    catalog = {}
    for root in addons_paths:
        if not os.path.isdir(root):
            continue
        for name in sorted(os.listdir(root)):
            path = os.path.join(root, name)
            if name in catalog or not os.path.isfile(os.path.join(path, "__manifest__.py")):
                continue
            try:
                catalog[name] = load_manifest(path, name)
            except (ValueError, SyntaxError):
                continue
    return catalog
