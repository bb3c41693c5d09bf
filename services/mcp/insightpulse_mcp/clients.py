"""The other services the read tools ask: the OCR service and Superset (plain HTTP on the
platform's internal network, with the standard library)."""

from __future__ import annotations

import base64
import binascii
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

from mcp.server.mcpserver.exceptions import ToolError

from .config import read_secret

_IMAGE_TYPES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"GIF8": "image/gif",
    b"RIFF": "image/webp",
    b"II*\x00": "image/tiff",
    b"MM\x00*": "image/tiff",
    b"BM": "image/bmp",
}


def _http(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, timeout: float, what: str
) -> tuple[int, Any]:
    """(status, parsed JSON or None); a clear ToolError when the service cannot be reached."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")  # noqa: S310 - internal http(s) URL from the settings
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    except (OSError, ValueError) as err:
        raise ToolError(f"{what} is not reachable ({type(err).__name__}): is it running?") from None
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, None


class OcrClient:
    def __init__(self, url: str, token_file: str, max_bytes: int, timeout: float) -> None:
        self.url = url.rstrip("/")
        self.token_file = token_file
        self.max_bytes = max_bytes
        self.timeout = timeout

    def recognize(self, image_base64: str) -> dict[str, Any]:
        if not self.url:
            raise ToolError("the OCR service is not deployed on this platform")
        if not isinstance(image_base64, str) or not image_base64.strip():
            raise ToolError("image_base64 is empty: pass the receipt photo as base64")
        text = image_base64.strip()
        if text.startswith("data:") and "," in text:  # a data: URL
            text = text.split(",", 1)[1]
        if len(text) > (self.max_bytes * 4) // 3 + 8:
            raise ToolError(f"image too large: the limit is {self.max_bytes} bytes")
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ToolError("image_base64 is not valid base64") from None
        if len(data) > self.max_bytes:
            raise ToolError(f"image too large: {len(data)} bytes, the limit is {self.max_bytes}")
        ctype = next((t for magic, t in _IMAGE_TYPES.items() if data.startswith(magic)), None)
        if ctype is None:
            raise ToolError("not an image: send a JPEG, PNG, WebP, TIFF, BMP or GIF photo of the receipt")
        token = read_secret(self.token_file)
        if not token:
            raise ToolError("the OCR service's token is not configured on this server")
        status, body = _http(
            f"{self.url}/ocr",
            data=data,
            headers={"Authorization": f"Bearer {token}", "Content-Type": ctype},
            timeout=self.timeout,
            what="the OCR service",
        )
        if status != 200 or not isinstance(body, dict):
            detail = body.get("detail") or body.get("error") if isinstance(body, dict) else None
            raise ToolError(f"the OCR service answered HTTP {status}" + (f": {detail}" if detail else ""))
        return {
            "fields": body.get("fields", {}),
            "min_confidence": body.get("min_confidence"),
            "text": body.get("text", ""),
            "engine": body.get("engine"),
            "timing_ms": body.get("timing_ms"),
        }


class SupersetClient:
    def __init__(self, url: str, public_url: str, username: str, password_file: str, timeout: float = 20.0) -> None:
        self.url = url.rstrip("/")
        self.public_url = (public_url or url).rstrip("/")
        self.username = username
        self.password_file = password_file
        self.timeout = timeout

    def dashboards(self, search: str = "", limit: int = 100) -> dict[str, Any]:
        if not self.url:
            raise ToolError("Superset is not deployed on this platform")
        password = read_secret(self.password_file)
        if not password:
            raise ToolError("Superset access is not configured on this server (no password)")
        status, body = _http(
            f"{self.url}/api/v1/security/login",
            data=json.dumps(
                {"username": self.username, "password": password, "provider": "db", "refresh": False}
            ).encode(),
            headers={"Content-Type": "application/json"},
            timeout=self.timeout,
            what="Superset",
        )
        if status != 200 or not isinstance(body, dict) or "access_token" not in body:
            raise ToolError(f"Superset refused the login of '{self.username}' (HTTP {status})")
        rison = f"(columns:!(id,dashboard_title,url,published,changed_on_utc),page_size:{int(limit)}"
        if search:
            safe = search.replace("!", "!!").replace("'", "!'")
            rison += f",filters:!((col:dashboard_title,opr:ct,value:'{safe}'))"
        rison += ")"
        status, listing = _http(
            f"{self.url}/api/v1/dashboard/?q={quote(rison)}",
            headers={"Authorization": f"Bearer {body['access_token']}"},
            timeout=self.timeout,
            what="Superset",
        )
        if status != 200 or not isinstance(listing, dict):
            raise ToolError(f"Superset's dashboard list answered HTTP {status}")
        dashboards = [
            {
                "id": item.get("id"),
                "title": item.get("dashboard_title"),
                "url": self.public_url + (item.get("url") or f"/superset/dashboard/{item.get('id')}/"),
                "published": item.get("published"),
                "changed_on": item.get("changed_on_utc"),
            }
            for item in listing.get("result", [])
        ]
        return {"count": listing.get("count", len(dashboards)), "dashboards": dashboards}
