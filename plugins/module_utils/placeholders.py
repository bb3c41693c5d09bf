# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Recognise placeholder secrets: the values example files and quick-start
guides ship (``change-me``, ``..._change_me``, ``<your-token>``, ``xxxx``) that
must never reach a running service. Used by the ``placeholder`` Jinja test and
the ``placeholder_secrets`` lookup the preflight role runs before any change."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Words that mark a value as "fill me in", wherever they appear in it.
_MARKERS = re.compile(r"(?<![a-z])(change|replace|fill)[\W_]*me(?![a-z])|placeholder|your[\W_]+\w+[\W_]+here|^<.*>$")
# Whole values that are only a default or a filler.
_WHOLE = re.compile(
    r"(x+|\*+|\.+|-+|todo|tbd|fixme|secret|password|passw0rd|example|default|test|admin|null|none|0+|1234\d*)"
)

# Names of variables that hold secrets: what the preflight inspects.
SECRET_NAME = re.compile(
    r"(^vault_|_password$|_passwd$|_token$|_tokens$|_secret$|_secret_key$"
    r"|_api_key$|_access_key$|_key_id$|_hmac_key$|_encryption_key$)"
)


def is_placeholder(value):
    """True when ``value`` is a string that only stands in for a real secret."""
    if not isinstance(value, str):
        return False
    text = value.strip().lower()
    if not text:
        return False
    return bool(_MARKERS.search(text) or _WHOLE.fullmatch(text))


def placeholder_names(values):
    """The sorted names of ``values`` (name -> value) whose value is a placeholder,
    looking into lists and dicts (e.g. a list of tokens)."""
    found = []
    for name, value in values.items():
        if _contains_placeholder(value):
            found.append(name)
    return sorted(found)


def _contains_placeholder(value):
    if isinstance(value, dict):
        return any(_contains_placeholder(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_contains_placeholder(v) for v in value)
    return is_placeholder(value)
