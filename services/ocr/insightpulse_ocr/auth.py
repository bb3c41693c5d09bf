"""Bearer token kept in a file, re-read when the file changes, compared in constant time."""

from __future__ import annotations

import hmac
import logging
import os
import threading

log = logging.getLogger("insightpulse_ocr.auth")


class TokenStore:
    """The token in `path` (surrounding whitespace ignored).

    The file is stat'ed on every check and read again when its mtime, size or inode
    changes, so a rotated token (rewritten in place or renamed over) is taken up by the
    next request without a restart. A missing, unreadable or empty file fails closed:
    every request is refused.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._sig: tuple[int, int, int] | None = None
        self._token: bytes | None = None
        self._lock = threading.Lock()
        self._warned = False

    def current(self) -> bytes | None:
        try:
            st = os.stat(self.path)
        except OSError:
            if not self._warned:
                log.error("token file %s is missing or unreadable: refusing all requests", self.path)
                self._warned = True
            self._sig, self._token = None, None
            return None
        sig = (st.st_mtime_ns, st.st_size, st.st_ino)
        if sig != self._sig:
            with self._lock:
                try:
                    with open(self.path, "rb") as fh:
                        token = fh.read(4096).strip()
                except OSError:
                    log.error("cannot read token file %s: refusing all requests", self.path)
                    return None
                if self._sig is not None:
                    log.info("token file %s changed: new token in use", self.path)
                self._token, self._sig, self._warned = (token or None), sig, False
        return self._token

    def check(self, authorization: str | None) -> bool:
        """True when `authorization` is `Bearer <the token>`."""
        presented = b""
        if authorization:
            scheme, _, value = authorization.strip().partition(" ")
            if scheme.lower() == "bearer":
                presented = value.strip().encode("utf-8", "surrogateescape")
        token = self.current()
        if token is None:
            hmac.compare_digest(presented, presented)  # same work either way
            return False
        return hmac.compare_digest(presented, token) and bool(presented)
