# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Health table filter: ``health_report``.

The user documentation lives next to this file in ``health_report.yml``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.errors import AnsibleFilterError

# The Nginx front's 503 page for a service that is declared but not up says so in a comment.
PLACEHOLDER_MARKER = "insightpulse-nginx: service unavailable"


def _version(text):
    """A version out of a JSON answer: Odoo's JSON-RPC ``result.server_version`` or a top-level
    ``version``/``server_version``; empty when there is none."""
    try:
        data = json.loads(text or "")
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    for holder in (data.get("result"), data):
        if isinstance(holder, dict):
            for key in ("server_version", "version"):
                if isinstance(holder.get(key), str):
                    return holder[key]
    return ""


def _state(status, body):
    if status == 200:
        return "up"
    if status == 503 and PLACEHOLDER_MARKER in (body or ""):
        return "unavailable (503 page)"
    if status == 0:
        return "no answer"
    return "down (HTTP %d)" % status


def health_report(probes, required=None):
    """Rows, a printable table and the required services that are not up.

    Each probe: ``name``, ``url``, ``status`` (HTTP status, 0 for no answer), ``seconds``,
    ``body`` (the health answer) and optionally ``version_body`` (the version endpoint's answer).
    """
    if not isinstance(probes, list):
        raise AnsibleFilterError("health_report: expected a list of probes")
    required = list(required or [])
    rows = []
    for probe in probes:
        try:
            name, url = probe["name"], probe["url"]
            status = int(probe.get("status") or 0)
            seconds = float(probe.get("seconds") or 0.0)
        except (KeyError, TypeError, ValueError) as err:
            raise AnsibleFilterError("health_report: malformed probe %r (%s)" % (probe, err)) from err
        rows.append(
            {
                "name": name,
                "url": url,
                "state": _state(status, probe.get("body")),
                "status": status,
                "ms": int(round(seconds * 1000)),
                "version": _version(probe.get("version_body")),
                "required": name in required,
            }
        )
    unknown = sorted(set(required) - {row["name"] for row in rows})
    if unknown:
        raise AnsibleFilterError("health_report: required service(s) not probed: %s" % ", ".join(unknown))
    down = [row for row in rows if row["required"] and row["state"] != "up"]
    headers = ("service", "url", "state", "ms", "version", "required")
    cells = [headers] + [
        (r["name"], r["url"], r["state"], str(r["ms"]), r["version"] or "-", "yes" if r["required"] else "no")
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    table = ["  ".join(row[i].ljust(widths[i]) for i in range(len(headers))).rstrip() for row in cells]
    return {
        "rows": rows,
        "table": table,
        "down": [r["name"] for r in down],
        "problems": ["%s: %s answered %s" % (r["name"], r["url"], r["state"]) for r in down],
        "ok": not down,
    }


class FilterModule(object):
    def filters(self):
        return {"health_report": health_report}
