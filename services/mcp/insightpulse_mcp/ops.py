"""The operate tools' side of the operations contract with the backup role.

The backup role owns backups: it writes ``status.json`` after every backup and drill and runs
``insightpulse-ops.path``/``.service``, which starts the matching systemd unit for each request
file dropped in ``<ops>/requests/`` and moves the file to ``<ops>/done/`` with its result. This
side only writes request files (``<action>.<id>.json``: action, id, requested_by, requested_at)
and reads status.json and done/: no Docker socket, no SSH key, no host shell.

A request is written under a hidden name and renamed into place, so the host never sees half
a file.
"""

from __future__ import annotations

import glob
import json
import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

ACTIONS = ("backup_now", "restore_drill")
NOT_CONFIGURED = "backups are not configured on this platform (no backup role deployed: {path} is missing)"


class Operations:
    def __init__(self, ops_dir: str, status_file: str, sleep=time.sleep, clock=time.monotonic) -> None:
        self.requests = os.path.join(ops_dir, "requests")
        self.done = os.path.join(ops_dir, "done")
        self.status_file = status_file
        self._sleep = sleep
        self._clock = clock

    def _configured(self) -> None:
        if not os.path.isdir(self.requests):
            raise ToolError(NOT_CONFIGURED.format(path=self.requests))

    def status(self) -> dict[str, Any]:
        try:
            with open(self.status_file, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:
            raise ToolError(f"the backup status file cannot be read ({type(err).__name__})") from None
        return data if isinstance(data, dict) else {}

    def _done(self, limit: int = 10) -> list[dict[str, Any]]:
        files = sorted(glob.glob(os.path.join(self.done, "*.json")), key=_mtime, reverse=True)[:limit]
        out = []
        for path in files:
            try:
                with open(path, encoding="utf-8") as handle:
                    out.append(json.load(handle))
            except (OSError, ValueError):
                continue
        return out

    def request(self, action: str, who: str, wait_seconds: float = 0) -> dict[str, Any]:
        if action not in ACTIONS:
            raise ToolError(f"unknown action {action!r}")
        self._configured()
        request_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]
        body = {
            "action": action,
            "id": request_id,
            "requested_by": who,
            "requested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        name = f"{action}.{request_id}.json"
        hidden = os.path.join(self.requests, f".{name}.tmp")
        try:
            with open(hidden, "w", encoding="utf-8") as handle:
                json.dump(body, handle)
            os.chmod(hidden, 0o644)
            os.rename(hidden, os.path.join(self.requests, name))
        except OSError as err:
            raise ToolError(f"the request could not be queued ({err.strerror}): is {self.requests} writable?") from None
        answer = {"queued": True, "request": body, "result": None}
        deadline = self._clock() + max(0.0, min(float(wait_seconds), 120.0))
        while self._clock() < deadline:
            result = self.result(request_id)
            if result is not None:
                answer["result"] = result
                break
            self._sleep(1.0)
        if answer["result"] is None:
            answer["hint"] = "the host runs it in the background; backup_list shows the outcome"
        return answer

    def result(self, request_id: str) -> dict[str, Any] | None:
        for path in glob.glob(os.path.join(self.done, f"*.{request_id}.json")):
            try:
                with open(path, encoding="utf-8") as handle:
                    return json.load(handle)
            except (OSError, ValueError):
                return None
        return None

    def listing(self) -> dict[str, Any]:
        self._configured()
        status = self.status()
        pending = sorted(os.path.basename(p) for p in glob.glob(os.path.join(self.requests, "*.json")))
        return {
            "updated": status.get("updated"),
            "last_backup": status.get("last_backup"),
            "last_drill": status.get("last_drill"),
            "snapshots": status.get("snapshots", []),
            "pending_requests": pending,
            "recent_requests": self._done(),
            "note": None if status else "no backup has run yet on this platform",
        }


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0
