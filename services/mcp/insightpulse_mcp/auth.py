"""Bearer tokens: one file per token name, scopes by name, checked by the SDK's TokenVerifier hook.

The token directory is mounted read-only; a file renamed over an old one (a rotation by the
secret module) is picked up at the next request, without a restart. Tokens are compared in
constant time; a token is never logged, only its name.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver.exceptions import ToolError

log = logging.getLogger(__name__)

READ = "read"
OPERATE = "operate"
SCOPES = (READ, OPERATE)
# The token file names are the token names: the ones the audit log records.
_NAME_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


class TokenStore:
    """Token name -> (secret, scopes), re-read when the directory's files change."""

    def __init__(self, directory: str, scopes: dict[str, list[str]]) -> None:
        self.directory = directory
        self.scopes = {name: [s for s in granted if s in SCOPES] for name, granted in scopes.items()}
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._tokens: dict[str, str] = {}

    def _snapshot(self) -> tuple:
        entries = []
        for name in sorted(self.scopes):
            try:
                st = os.stat(os.path.join(self.directory, name))
                entries.append((name, st.st_ino, st.st_mtime_ns, st.st_size))
            except OSError:
                entries.append((name, None))
        return tuple(entries)

    def tokens(self) -> dict[str, str]:
        stamp = self._snapshot()
        with self._lock:
            if stamp != self._stamp:
                tokens = {}
                for name in self.scopes:
                    if not set(name) <= _NAME_OK:
                        log.warning("token name %r has characters outside [A-Za-z0-9_-]: ignored", name)
                        continue
                    try:
                        with open(os.path.join(self.directory, name), encoding="utf-8") as handle:
                            value = handle.read().strip()
                    except OSError as err:
                        log.warning("token %r cannot be read (%s): it is refused", name, err.strerror)
                        continue
                    if len(value) < 16:
                        log.warning("token %r is shorter than 16 characters: it is refused", name)
                        continue
                    tokens[name] = value
                self._tokens, self._stamp = tokens, stamp
                log.info("tokens loaded: %s", ", ".join(sorted(tokens)) or "none")
            return self._tokens

    def lookup(self, presented: str) -> str | None:
        """The name of the token presented, or None. Every token is compared (constant time)."""
        found = None
        given = presented.encode()
        for name, value in self.tokens().items():
            if hmac.compare_digest(given, value.encode()):
                found = name
        return found


class ScopedTokenVerifier:
    """The SDK's TokenVerifier: a known token becomes an AccessToken named after it."""

    def __init__(self, store: TokenStore) -> None:
        self.store = store

    async def verify_token(self, token: str) -> AccessToken | None:
        name = self.store.lookup(token)
        if name is None:
            return None
        return AccessToken(token=token, client_id=name, scopes=list(self.store.scopes.get(name, [])))


def caller() -> AccessToken | None:
    return get_access_token()


def require(scope: str) -> str:
    """The calling token's name, after checking it holds `scope`; a clear refusal otherwise."""
    token = caller()
    if token is None:
        raise ToolError("not authenticated: send 'Authorization: Bearer <token>'")
    if scope not in token.scopes:
        raise ToolError(
            f"insufficient scope: token '{token.client_id}' has [{', '.join(token.scopes)}], this tool needs '{scope}'"
        )
    return token.client_id
