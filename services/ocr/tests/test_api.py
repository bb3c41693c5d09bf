"""The HTTP API with a fake engine: auth, limits, bad input, flood, and the JSON shape."""

from __future__ import annotations

import asyncio
import io
import os
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from insightpulse_ocr.app import create_app
from insightpulse_ocr.config import Settings
from PIL import Image

from tests.helpers import SIMPLE_RECEIPT, receipt_lines

TOKEN = "s3cr3t-token-for-tests"  # noqa: S105 - a test value


class FakeEngine:
    name = "fake"

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls = 0
        self.shapes: list[tuple[int, ...]] = []

    def recognize(self, image):
        self.calls += 1
        self.shapes.append(image.shape)
        if self.delay:
            time.sleep(self.delay)
        return receipt_lines(SIMPLE_RECEIPT)


class BrokenEngine(FakeEngine):
    def recognize(self, image):
        raise RuntimeError("engine exploded")


def png_bytes(size=(200, 300), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, "white" if mode == "RGB" else 255).save(buf, format="PNG")
    return buf.getvalue()


def jpeg_bytes(size=(200, 300)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, format="JPEG")
    return buf.getvalue()


@pytest.fixture
def token_file(tmp_path):
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    path.chmod(0o600)
    return path


def make(token_file, engine=None, **overrides):
    settings = Settings(token_file=str(token_file), **overrides)
    engine = engine or FakeEngine()
    return TestClient(create_app(settings, engine=engine)), engine


def auth(token=TOKEN):
    return {"Authorization": f"Bearer {token}"}


def post_file(client, data: bytes, headers=None, name="receipt.jpg", ctype="image/jpeg"):
    return client.post("/ocr", headers=headers if headers is not None else auth(), files={"file": (name, data, ctype)})


# ---------------------------------------------------------------- health and success


def test_health(token_file):
    client, _ = make(token_file)
    with client:
        r = client.get("/health")
    assert r.status_code == 200
    assert r.json()["status"] == "healthy"
    assert r.json()["engine"] == "fake"


def test_ocr_returns_lines_and_fields(token_file):
    client, engine = make(token_file)
    r = post_file(client, jpeg_bytes())
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["engine"] == "fake"
    assert {"text", "confidence", "box"} <= set(body["lines"][0])
    assert len(body["lines"][0]["box"]) == 4
    fields = body["fields"]
    # the five original fields with their three keys, as clients read them; what was added since
    # is only added: the vat_status field, and reshaped/inferred on every field
    assert set(fields) == {"vendor", "date", "total", "tax", "currency", "vat_status"}
    for f in fields.values():
        assert set(f) == {"value", "confidence", "trusted", "reshaped", "inferred"}
    assert fields["vat_status"]["value"] == "vatable"
    assert not any(f["reshaped"] or f["inferred"] for f in fields.values())
    assert fields["total"]["value"] == 1120.0 and fields["total"]["trusted"] is True
    assert fields["date"]["value"] == "2026-11-21"
    assert fields["tax"]["value"] == 120.0
    assert fields["currency"]["value"] == "PHP"
    assert body["min_confidence"] == 0.6
    assert engine.shapes == [(300, 200, 3)]


def test_ocr_accepts_a_bare_image_body(token_file):
    client, _ = make(token_file)
    r = client.post("/ocr", headers={**auth(), "Content-Type": "image/png"}, content=png_bytes())
    assert r.status_code == 200


def test_ocr_min_confidence_from_settings(token_file):
    client, _ = make(token_file, min_confidence=0.99)
    fields = post_file(client, jpeg_bytes()).json()["fields"]
    assert fields["total"]["trusted"] is False


def test_large_photos_are_scaled_down_before_ocr(token_file):
    client, engine = make(token_file, max_side=1000)
    assert post_file(client, jpeg_bytes((1500, 3000))).status_code == 200
    assert max(engine.shapes[0]) == 1000


def test_exif_rotation_is_applied(token_file):
    img = Image.new("RGB", (300, 200), "white")
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    client, engine = make(token_file)
    assert post_file(client, buf.getvalue()).status_code == 200
    assert engine.shapes == [(300, 200, 3)]


# ---------------------------------------------------------------- auth


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
    ],
)
def test_missing_or_wrong_token_is_401(token_file, headers):
    client, engine = make(token_file)
    r = post_file(client, jpeg_bytes(), headers=headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert TOKEN not in r.text
    assert engine.calls == 0


def test_bearer_scheme_is_case_insensitive(token_file):
    client, _ = make(token_file)
    assert post_file(client, jpeg_bytes(), headers={"Authorization": f"bearer {TOKEN}"}).status_code == 200


def test_missing_or_empty_token_file_refuses_everyone(tmp_path):
    client, _ = make(tmp_path / "absent")
    assert post_file(client, jpeg_bytes(), headers=auth("")).status_code == 401
    assert post_file(client, jpeg_bytes(), headers={"Authorization": "Bearer "}).status_code == 401
    empty = tmp_path / "empty"
    empty.write_text("\n")
    client, _ = make(empty)
    assert post_file(client, jpeg_bytes(), headers={"Authorization": "Bearer "}).status_code == 401


def test_rotated_token_is_used_without_restart(token_file):
    client, _ = make(token_file)
    assert post_file(client, jpeg_bytes()).status_code == 200
    # rewrite in place, as a rotation does; make sure the mtime moves even on coarse clocks
    token_file.write_text("the-new-token\n")
    st = token_file.stat()
    os.utime(token_file, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert post_file(client, jpeg_bytes()).status_code == 401
    assert post_file(client, jpeg_bytes(), headers=auth("the-new-token")).status_code == 200
    # and renamed over (atomic replace)
    new = token_file.parent / "token.tmp"
    new.write_text("third-token")
    new.replace(token_file)
    assert post_file(client, jpeg_bytes(), headers=auth("the-new-token")).status_code == 401
    assert post_file(client, jpeg_bytes(), headers=auth("third-token")).status_code == 200


def test_token_file_appearing_later_is_picked_up(tmp_path):
    path = tmp_path / "token"
    client, _ = make(path)
    assert post_file(client, jpeg_bytes()).status_code == 401
    path.write_text(TOKEN)
    assert post_file(client, jpeg_bytes()).status_code == 200


# ---------------------------------------------------------------- bad input


def test_not_an_image_is_415(token_file):
    client, engine = make(token_file)
    r = post_file(client, b"%PDF-1.4 this is not a photo", name="r.pdf", ctype="application/pdf")
    assert r.status_code == 415
    assert "not an image" in r.json()["detail"]
    assert engine.calls == 0


def test_corrupt_image_is_400(token_file):
    client, _ = make(token_file)
    data = jpeg_bytes((400, 400))
    r = post_file(client, data[: len(data) // 3])  # truncated JPEG
    assert r.status_code == 400
    assert "corrupt" in r.json()["detail"]


def test_empty_file_is_400(token_file):
    client, _ = make(token_file)
    r = post_file(client, b"")
    assert r.status_code == 400


def test_no_file_field_is_400(token_file):
    client, _ = make(token_file)
    r = client.post("/ocr", headers=auth(), files={"image": ("r.jpg", jpeg_bytes(), "image/jpeg")})
    assert r.status_code == 400
    assert "'file'" in r.json()["detail"]


def test_wrong_content_type_is_415(token_file):
    client, _ = make(token_file)
    r = client.post("/ocr", headers=auth(), json={"file": "x"})
    assert r.status_code == 415


def test_malformed_multipart_is_400(token_file):
    client, _ = make(token_file)
    r = client.post("/ocr", headers={**auth(), "Content-Type": "multipart/form-data; boundary=xyz"}, content=b"garbage")
    assert r.status_code == 400


def test_too_many_pixels_is_413(token_file):
    client, _ = make(token_file, max_image_pixels=10_000)
    r = post_file(client, png_bytes((200, 200)))
    assert r.status_code == 413
    assert "pixels" in r.json()["detail"]


def test_service_survives_an_engine_failure(token_file):
    client, _ = make(token_file, engine=BrokenEngine())
    r = post_file(client, jpeg_bytes())
    assert r.status_code == 500
    assert client.get("/health").json()["status"] == "healthy"


# ---------------------------------------------------------------- size limit


def test_over_the_limit_is_413_from_content_length(token_file):
    client, engine = make(token_file, max_upload_bytes=1000)
    r = post_file(client, b"\xff" * 5000)
    assert r.status_code == 413
    assert "1000 bytes" in r.json()["detail"]
    assert engine.calls == 0


def test_over_the_limit_is_413_while_streaming_without_content_length(token_file):
    """A chunked upload with no Content-Length is cut off as soon as it passes the limit."""
    settings = Settings(token_file=str(token_file), max_upload_bytes=100_000)
    app = create_app(settings, engine=FakeEngine())
    sent = {"bytes": 0}

    async def body():
        yield b"--b\r\nContent-Disposition: form-data; name=file; filename=r.jpg\r\nContent-Type: image/jpeg\r\n\r\n"
        for _ in range(10_000):  # would be 640 MB if it were all read
            sent["bytes"] += 65536
            yield b"\xff" * 65536
        yield b"\r\n--b--\r\n"

    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            return await c.post(
                "/ocr", headers={**auth(), "Content-Type": "multipart/form-data; boundary=b"}, content=body()
            )

    r = asyncio.run(go())
    assert r.status_code == 413
    assert sent["bytes"] < 1_000_000


def test_bare_body_over_the_limit_is_413(token_file):
    client, _ = make(token_file, max_upload_bytes=1000)
    r = client.post("/ocr", headers={**auth(), "Content-Type": "image/jpeg"}, content=b"\xff" * 5000)
    assert r.status_code == 413


def test_exactly_at_the_limit_is_accepted(token_file):
    data = jpeg_bytes()
    client, _ = make(token_file, max_upload_bytes=len(data))
    assert post_file(client, data).status_code == 200


def test_default_limit_is_10_mib():
    assert Settings().max_upload_bytes == 10 * 1024 * 1024


# ---------------------------------------------------------------- flood


def _flood(app, n):
    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=30) as c:
            files = {"file": ("r.jpg", jpeg_bytes(), "image/jpeg")}
            return await asyncio.gather(*(c.post("/ocr", headers=auth(), files=files) for _ in range(n)))

    return asyncio.run(go())


def test_flood_gets_503_with_retry_after_and_the_service_stays_up(token_file):
    settings = Settings(token_file=str(token_file), max_concurrency=1, max_queue=2, retry_after=7)
    engine = FakeEngine(delay=0.2)
    app = create_app(settings, engine=engine)
    responses = _flood(app, 12)
    codes = sorted(r.status_code for r in responses)
    assert codes.count(200) == 3
    assert codes.count(503) == 9
    busy = next(r for r in responses if r.status_code == 503)
    assert busy.headers["Retry-After"] == "7"
    assert engine.calls == 3
    assert app.state.gate.admitted == 0
    # after the flood, normal service
    assert [r.status_code for r in _flood(app, 2)] == [200, 200]


def test_queue_timeout_gives_503(token_file):
    settings = Settings(token_file=str(token_file), max_concurrency=1, max_queue=5, queue_timeout=0.1)
    app = create_app(settings, engine=FakeEngine(delay=0.5))
    codes = sorted(r.status_code for r in _flood(app, 3))
    assert codes == [200, 503, 503]


def test_requests_run_one_at_a_time_by_default(token_file):
    active = {"now": 0, "max": 0}
    lock = threading.Lock()

    class Counting(FakeEngine):
        def recognize(self, image):
            with lock:
                active["now"] += 1
                active["max"] = max(active["max"], active["now"])
            time.sleep(0.05)
            with lock:
                active["now"] -= 1
            return super().recognize(image)

    app = create_app(Settings(token_file=str(token_file), max_queue=10), engine=Counting())
    assert all(r.status_code == 200 for r in _flood(app, 5))
    assert active["max"] == 1
