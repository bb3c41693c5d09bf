"""Bounded admission: at most `concurrency` images in the engine and `queue` waiting.

A request beyond that is refused at once (503 + Retry-After) before its body is read, so
a flood costs a few bytes per refused request instead of memory per queued image.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

T = TypeVar("T")


class Busy(Exception):
    """No slot: the caller should answer 503 with Retry-After."""


class Gate:
    def __init__(self, concurrency: int, queue: int, queue_timeout: float) -> None:
        self.concurrency = concurrency
        self.capacity = concurrency + queue
        self.queue_timeout = queue_timeout
        self.admitted = 0  # requests holding a ticket: running + waiting (+ reading their upload)
        self.running = 0
        self._sem: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def enter(self) -> None:
        """Take a ticket or raise Busy. Call `leave()` exactly once after a successful enter."""
        if self.admitted >= self.capacity:
            raise Busy()
        self.admitted += 1

    def leave(self) -> None:
        self.admitted -= 1

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` in a worker thread once a slot is free (Busy after queue_timeout)."""
        loop = asyncio.get_running_loop()
        if self._sem is None or self._loop is not loop:  # one loop in service; tests start several
            self._sem, self._loop = asyncio.Semaphore(self.concurrency), loop
        try:
            async with asyncio.timeout(self.queue_timeout):
                await self._sem.acquire()
        except TimeoutError as exc:
            raise Busy() from exc
        self.running += 1
        try:
            return await run_in_threadpool(fn, *args)
        finally:
            self.running -= 1
            self._sem.release()
