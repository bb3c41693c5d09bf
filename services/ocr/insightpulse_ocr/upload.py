"""Read the receipt image from the request body, enforcing the size limit while reading.

Accepted bodies:
* `multipart/form-data` with the image in the field `file` (as `curl -F file=@receipt.jpg`);
* a bare image body (`Content-Type: image/*` or `application/octet-stream`).

Nothing beyond `limit` bytes of image (plus a small allowance for the multipart framing
and other fields) is ever held: the stream is parsed as it arrives and abandoned at the
first byte over.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

FIELD = b"file"
FRAMING_ALLOWANCE = 64 * 1024


class UploadError(Exception):
    """A request the service refuses; `status` is the HTTP answer, `message` says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def too_large(limit: int) -> UploadError:
    return UploadError(413, f"upload too large: the limit is {limit} bytes ({limit / 1048576:.1f} MiB)")


class _FilePart:
    """Multipart callbacks that keep the first part named `file` and nothing else."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.content_type = ""
        self.found = False
        self._in_file = False
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._headers = {}
        self._field = self._value = b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.strip().lower()] = self._value.strip()
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        if params.get(b"name") == FIELD and not self.found:
            self._in_file = True
            self.content_type = self._headers.get(b"content-type", b"").decode("latin-1")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            if len(self.data) + (end - start) > self.limit:
                raise too_large(self.limit)
            self.data += data[start:end]

    def _part_end(self) -> None:
        if self._in_file:
            self._in_file = False
            self.found = True


async def read_image_body(
    content_type: str | None, content_length: str | None, stream: AsyncIterator[bytes], limit: int
) -> tuple[bytes, str]:
    """The image bytes and their declared content type, or UploadError (400/411/413/415)."""
    ctype, params = parse_options_header(content_type or "")
    ctype_s = ctype.decode("latin-1").lower()
    multipart = ctype_s == "multipart/form-data"
    raw = ctype_s.startswith("image/") or ctype_s == "application/octet-stream"
    if not (multipart or raw):
        raise UploadError(
            415,
            "send the image as multipart/form-data in the field 'file' "
            "(curl -F file=@receipt.jpg), or as the body with Content-Type image/*",
        )
    body_limit = limit + (FRAMING_ALLOWANCE if multipart else 0)
    if content_length:
        try:
            declared = int(content_length)
        except ValueError as exc:
            raise UploadError(400, "invalid Content-Length") from exc
        if declared > body_limit:
            raise too_large(limit)

    if raw:
        data = bytearray()
        async for chunk in stream:
            if len(data) + len(chunk) > limit:
                raise too_large(limit)
            data += chunk
        return bytes(data), ctype_s

    boundary = params.get(b"boundary")
    if not boundary:
        raise UploadError(400, "multipart/form-data without a boundary")
    part = _FilePart(limit)
    parser = MultipartParser(boundary, part.callbacks())
    received = 0
    try:
        async for chunk in stream:
            received += len(chunk)
            if received > body_limit:
                raise too_large(limit)
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        raise UploadError(400, f"malformed multipart body: {exc}") from exc
    if not part.found:
        raise UploadError(400, "no 'file' field in the form: send the receipt image as file=@receipt.jpg")
    return bytes(part.data), part.content_type
