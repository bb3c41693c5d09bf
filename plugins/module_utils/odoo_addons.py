# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Odoo addons on disk: finding them, their manifest versions and their checksums.

The checksums are byte-compatible with click-odoo-contrib's ``addon_hash`` and are
stored under the same ``ir.config_parameter`` keys as click-odoo-update and OCA
``module_auto_update``, so either tool can follow the other.

Nothing here imports Ansible, so the unit tests drive it directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import fnmatch
import hashlib
import json
import os
import re

from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_errors import OdooError

# ir.config_parameter key shared with click-odoo-update and OCA module_auto_update
CHECKSUMS_PARAM = "module_auto_update.installed_checksums"
EXCLUDE_PATTERNS_PARAM = "module_auto_update.exclude_patterns"
DEFAULT_EXCLUDE_PATTERNS = "*.pyc,*.pyo,i18n/*.pot,i18n_extra/*.pot,static/*,tests/*"


def find_addon(addons_path, name):
    for base in addons_path or []:
        path = os.path.join(base, name)
        for manifest in ("__manifest__.py", "__openerp__.py"):
            if os.path.isfile(os.path.join(path, manifest)):
                return path
    return None


def read_manifest(addon_dir):
    for manifest in ("__manifest__.py", "__openerp__.py"):
        path = os.path.join(addon_dir, manifest)
        if os.path.isfile(path):
            with open(path, "r") as handle:
                return ast.literal_eval(handle.read())
    raise OdooError("no __manifest__.py in %s" % addon_dir)


def adapt_version(version, serie):
    """Odoo's ``adapt_version``: prefix a manifest version with the series ('1.0' -> '18.0.1.0')."""
    version = str(version or "1.0")
    if serie and (version == serie or not version.startswith(serie + ".")):
        version = "%s.%s" % (serie, version)
    return version


def serie_of(version):
    """'18.0.1.3' -> '18.0' (None when it cannot tell)."""
    if not version:
        return None
    parts = str(version).split(".")
    if len(parts) >= 2 and parts[0].isdigit():
        return "%s.%s" % (parts[0], parts[1])
    return None


def version_key(version):
    """Comparable key for dotted versions; non-numeric parts compare as text after numbers."""
    key = []
    for part in re.split(r"[.\-+]", str(version or "")):
        if part.isdigit():
            key.append((0, int(part), ""))
        elif part:
            key.append((1, 0, part))
    return tuple(key)


def version_newer(available, installed):
    """True when the available (manifest) version is newer than the installed one."""
    if not available:
        return False
    if not installed:
        return True
    return version_key(available) > version_key(installed)


def _walk_addon(top, exclude_patterns, keep_langs):
    keep = {lang.split("_")[0] for lang in keep_langs}
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        reldir = os.path.relpath(dirpath, top)
        if reldir == ".":
            reldir = ""
        for filename in sorted(filenames):
            filepath = os.path.join(reldir, filename)
            if any(fnmatch.fnmatch(filepath, pattern) for pattern in exclude_patterns):
                continue
            if keep and reldir in ("i18n", "i18n_extra"):
                basename, ext = os.path.splitext(filename)
                if ext == ".po" and basename.split("_")[0] not in keep:
                    continue
            yield filepath


def addon_hash(top, exclude_patterns=None, keep_langs=()):
    """sha1 of an addon's files, byte-compatible with click-odoo-contrib's
    ``_addon_hash.addon_hash`` so checksums stored by either tool agree."""
    if exclude_patterns is None:
        exclude_patterns = DEFAULT_EXCLUDE_PATTERNS.split(",")
    digest = hashlib.sha1()  # noqa: S324 - content fingerprint, same algorithm as click-odoo-contrib
    for filepath in _walk_addon(top, exclude_patterns, keep_langs):
        digest.update(filepath.encode("utf-8"))
        with open(os.path.join(top, filepath), "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def parse_checksums(value):
    if not value:
        return {}
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
