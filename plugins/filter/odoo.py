# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Odoo filters: ``odoo_sizing`` and ``odoo_admin_passwd``.

The user documentation (formula included) lives next to this file in
``odoo_sizing.yml`` and ``odoo_admin_passwd.yml`` (one DOCUMENTATION per
filter, as ansible-doc expects for a file holding several filters).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import hmac
import math
import os

from ansible.errors import AnsibleFilterError

MIB = 1024 * 1024

# Odoo's own defaults (odoo/tools/config.py): limit_memory_soft 2048 MiB, limit_memory_hard 2560 MiB.
ODOO_DEFAULT_SOFT_MIB = 2048
ODOO_DEFAULT_HARD_MIB = 2560
RAM_STEP_MIB = 256  # nominal machine sizes are multiples of 256 MiB; MemTotal is a bit below
LIMIT_STEP_MIB = 16
MIN_PREFORK_RAM_MIB = 512
USERS_PER_WORKER = 6

# Odoo >= 17 hashes admin_passwd with pbkdf2_sha512 and 600000 rounds (passlib CryptContext in
# odoo/tools/config.py); earlier series used passlib's default (25000). Any round count verifies.
DEFAULT_ROUNDS = 600000
SCHEME_PREFIX = "$pbkdf2-sha512$"


def _floor_to(value, step):
    return int(value // step) * step


def _as_int(value, name, minimum):
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        raise AnsibleFilterError("odoo_sizing: %s must be a number, got %r" % (name, value)) from None
    if number < minimum:
        raise AnsibleFilterError("odoo_sizing: %s must be >= %s, got %s" % (name, minimum, number))
    return number


def odoo_sizing(cpus, ram_mb, users=None, limit_time_cpu=300, limit_time_real=600):
    """Odoo worker and memory settings for a machine; see odoo_sizing.yml for the formula."""
    cpus = _as_int(cpus, "cpus", 1)
    ram_mb = _as_int(ram_mb, "ram_mb", 1)
    ram = int(math.ceil(ram_mb / float(RAM_STEP_MIB))) * RAM_STEP_MIB

    hard_mib = min(ODOO_DEFAULT_HARD_MIB, _floor_to(ram * 0.8, LIMIT_STEP_MIB))
    soft_mib = min(ODOO_DEFAULT_SOFT_MIB, _floor_to(hard_mib * 0.8, LIMIT_STEP_MIB))

    if ram < MIN_PREFORK_RAM_MIB:
        workers = 0  # threaded mode: two prefork workers plus cron do not fit
    else:
        workers = min(2 * cpus + 1, ram // soft_mib)
        if users is not None:
            workers = min(workers, int(math.ceil(_as_int(users, "users", 1) / float(USERS_PER_WORKER))))
        workers = max(2, workers)
    max_cron_threads = 1 if workers <= 2 else 2
    db_maxconn = max(8, min(64, ram // 64))
    return {
        "workers": int(workers),
        "max_cron_threads": max_cron_threads,
        "limit_memory_soft": int(soft_mib * MIB),
        "limit_memory_hard": int(hard_mib * MIB),
        "db_maxconn": int(db_maxconn),
        "limit_time_cpu": int(limit_time_cpu),
        "limit_time_real": int(limit_time_real),
    }


def _ab64_encode(data):
    return base64.b64encode(data).decode("ascii").rstrip("=").replace("+", ".")


def _ab64_decode(text):
    text = text.replace(".", "+")
    return base64.b64decode(text + "=" * (-len(text) % 4))


def odoo_admin_passwd(plain, salt=None, rounds=DEFAULT_ROUNDS):
    """``$pbkdf2-sha512$rounds$salt$checksum`` exactly as passlib (and so Odoo) writes it.

    Without ``salt`` a random 16-byte salt is used (a new hash every run, so a template
    would always report a change); give a fixed salt string (>= 8 characters), for example
    ``inventory_hostname | hash('sha256')``, to render a stable hash.
    """
    if plain is None or plain == "":
        raise AnsibleFilterError("odoo_admin_passwd: the password is empty")
    rounds = int(rounds)
    if rounds < 1000:
        raise AnsibleFilterError("odoo_admin_passwd: rounds must be >= 1000")
    if salt is None:
        salt_bytes = os.urandom(16)
    else:
        salt_bytes = salt if isinstance(salt, bytes) else str(salt).encode("utf-8")
        if len(salt_bytes) < 8:
            raise AnsibleFilterError("odoo_admin_passwd: salt must be at least 8 characters")
        salt_bytes = salt_bytes[:1024]
    digest = hashlib.pbkdf2_hmac("sha512", str(plain).encode("utf-8"), salt_bytes, rounds)
    return "%s%d$%s$%s" % (SCHEME_PREFIX, rounds, _ab64_encode(salt_bytes), _ab64_encode(digest))


def odoo_admin_passwd_matches(stored, plain):
    """True when ``plain`` is the password behind ``stored`` (a pbkdf2_sha512 hash or, as
    Odoo still accepts, a plaintext admin_passwd)."""
    if stored is None or plain is None:
        return False
    stored = str(stored)
    if not stored.startswith(SCHEME_PREFIX):
        return hmac.compare_digest(stored.encode("utf-8"), str(plain).encode("utf-8"))
    try:
        rounds_text, salt_text, checksum_text = stored[len(SCHEME_PREFIX) :].split("$")
        rounds = int(rounds_text)
        salt = _ab64_decode(salt_text)
        expected = _ab64_decode(checksum_text)
    except (ValueError, TypeError):
        return False
    digest = hashlib.pbkdf2_hmac("sha512", str(plain).encode("utf-8"), salt, rounds)
    return hmac.compare_digest(digest, expected)


class FilterModule(object):
    def filters(self):
        return {
            "odoo_sizing": odoo_sizing,
            "odoo_admin_passwd": odoo_admin_passwd,
        }
