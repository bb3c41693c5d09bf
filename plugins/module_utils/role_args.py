# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the variables an inventory gives against every role's argument spec, up
front: the preflight play runs this before any host is touched, so a bad value
fails in one short line (variable, value, what is allowed) instead of when its
role starts, after other roles already changed hosts, inside a dump of the
whole spec."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

try:
    import zoneinfo
except ImportError:  # Python < 3.9 on the controller: time zones are then checked by the role
    zoneinfo = None

# Keys of an argument spec option that ArgumentSpecValidator understands; the
# rest (description, version_added ...) is documentation.
_SPEC_KEYS = (
    "type",
    "elements",
    "choices",
    "options",
    "no_log",
    "aliases",
    "required_if",
    "required_one_of",
    "mutually_exclusive",
    "required_together",
    "required_by",
)


def _clean(spec, nested=False):
    """An argument spec reduced to what validation reads, with no defaults (only
    what is given is checked) and no top-level variable required (a role reports
    its own missing variables); inside a given value (a list of dicts) required
    keys stay required."""
    cleaned = {}
    for name, option in (spec or {}).items():
        option = dict(option or {})
        entry = {k: option[k] for k in _SPEC_KEYS if k in option}
        if nested and option.get("required"):
            entry["required"] = True
        if "options" in entry:
            entry["options"] = _clean(entry["options"], nested=True)
        cleaned[name] = entry
    return cleaned


def _timezone_errors(given, options):
    if zoneinfo is None:
        return []
    errors = []
    zones = None
    for name, value in given.items():
        if not name.endswith("_timezone") or options.get(name, {}).get("type", "str") != "str":
            continue
        zones = zones if zones is not None else zoneinfo.available_timezones()
        if not isinstance(value, str) or value not in zones:
            errors.append("%s: %r is not an IANA time zone name (for example Asia/Manila, UTC)" % (name, value))
    return errors


_CONVERT = re.compile(r"argument '(?P<name>\w+)' is of type \w+ and we were unable to convert to (?P<type>\w+)")
_CONVERT_NESTED = re.compile(
    r"argument '(?P<name>\w+)' is of type \w+ found in '(?P<parent>[^']+)'\.?"
    r" and we were unable to convert to (?P<type>\w+)"
)


def _readable(message, given):
    """The validator's conversion errors end in a Python class name: say instead
    which value is not of which type."""
    match = _CONVERT.match(message)
    if match and match.group("name") in given:
        value = given[match.group("name")]
        value = str(value) if isinstance(value, str) else value
        return "%s: %r is not a %s" % (match.group("name"), value, match.group("type"))
    match = _CONVERT_NESTED.match(message)
    if match:
        return "%s: a %s inside it is not a %s" % (match.group("parent"), match.group("name"), match.group("type"))
    return message


def role_argument_errors(role, spec, given):
    """One readable line per bad value among ``given`` (variable name -> value) for
    the role ``role`` whose ``main`` entry point options are ``spec``."""
    options = spec or {}
    given = {k: v for k, v in given.items() if k in options}
    if not given:
        return []
    result = ArgumentSpecValidator(_clean(options)).validate(given)
    lines = ["%s: %s" % (role, _readable(message, given)) for message in result.error_messages]
    lines += ["%s: %s" % (role, message) for message in _timezone_errors(given, options)]
    return lines
