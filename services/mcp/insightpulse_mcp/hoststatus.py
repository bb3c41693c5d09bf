"""certificates and disk: read from the status files the mcp role's timer writes on each host
(``<host>.json`` in the host status directory, mounted read-only): no SSH key, no host shell."""

from __future__ import annotations

import glob
import json
import os
from datetime import UTC, datetime
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError


def read_hosts(directory: str) -> list[dict[str, Any]]:
    hosts = []
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            hosts.append(data)
    if not hosts:
        raise ToolError(
            f"no host status in {directory}: the mcp role's insightpulse-host-status timer writes it on each host"
        )
    return hosts


def _days_left(not_after: str, now: datetime) -> int | None:
    try:
        when = datetime.fromisoformat(not_after.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return (when - now).days


def certificates(directory: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    out = []
    for host in read_hosts(directory):
        for cert in host.get("certificates", []):
            out.append(
                {
                    "host": host.get("host"),
                    "name": cert.get("name"),
                    "domains": cert.get("domains", []),
                    "not_after": cert.get("not_after"),
                    "days_left": _days_left(cert.get("not_after", ""), now),
                    "issuer": cert.get("issuer"),
                    "checked": host.get("updated"),
                }
            )
    out.sort(key=lambda c: (c["days_left"] is None, c["days_left"] or 0))
    return {"certificates": out}


def disk(directory: str) -> dict[str, Any]:
    out = []
    for host in read_hosts(directory):
        for fs in host.get("disks", []):
            total, free = int(fs.get("total_bytes", 0)), int(fs.get("free_bytes", 0))
            out.append(
                {
                    "host": host.get("host"),
                    "path": fs.get("path"),
                    "total_bytes": total,
                    "free_bytes": free,
                    "free_percent": round(100.0 * free / total, 1) if total else None,
                    "checked": host.get("updated"),
                }
            )
    return {"disks": out}
