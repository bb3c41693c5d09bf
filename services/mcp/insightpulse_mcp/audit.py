"""The operate tools' audit log: one JSON line per call (who = token name, what, when, result)
on the audit volume. Arguments are recorded; no tool takes a secret."""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)


class AuditLog:
    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, who: str, tool: str, arguments: dict[str, Any], ok: bool, result: str) -> None:
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "who": who,
            "tool": tool,
            "arguments": arguments,
            "ok": ok,
            "result": result[:500],
        }
        line = json.dumps(entry, sort_keys=True, default=str) + "\n"
        with self._lock:
            try:
                os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
                with open(self.path, "a", encoding="utf-8") as handle:
                    handle.write(line)
            except OSError as err:
                # The call's answer still goes out; the failure is in the service log.
                log.error("audit log %s not writable (%s): %s", self.path, err.strerror, line.strip())

    def tail(self, count: int = 20) -> list[dict[str, Any]]:
        try:
            with open(self.path, encoding="utf-8") as handle:
                lines = handle.readlines()[-count:]
        except OSError:
            return []
        return [json.loads(line) for line in lines if line.strip()]
