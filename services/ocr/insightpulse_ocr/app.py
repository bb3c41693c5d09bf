"""HTTP API: GET /health, POST /ocr (Bearer token, receipt image) -> text lines + fields."""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from . import __version__
from .auth import TokenStore
from .config import Settings
from .engines import OcrEngine, make_engine
from .gate import Busy, Gate
from .imaging import ImageError, decode_image
from .parsing import parse_receipt
from .upload import UploadError, read_image_body

log = logging.getLogger("insightpulse_ocr")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def recognize_bytes(engine: OcrEngine, settings: Settings, data: bytes) -> dict[str, Any]:
    """Decode, recognise and parse one image (runs in a worker thread)."""
    t0 = time.perf_counter()
    image = decode_image(data, settings.max_image_pixels, settings.max_side)
    t1 = time.perf_counter()
    lines = engine.recognize(image)
    t2 = time.perf_counter()
    rows, fields = parse_receipt(lines)
    t3 = time.perf_counter()
    return {
        "engine": engine.name,
        "image": {"width": int(image.shape[1]), "height": int(image.shape[0])},
        "lines": [line.to_dict() for line in lines],
        "text": "\n".join(row.text for row in rows),
        "fields": fields.to_dict(settings.min_confidence),
        "min_confidence": settings.min_confidence,
        "timing_ms": {
            "decode": round((t1 - t0) * 1000, 1),
            "ocr": round((t2 - t1) * 1000, 1),
            "parse": round((t3 - t2) * 1000, 1),
        },
    }


def create_app(settings: Settings | None = None, engine: OcrEngine | None = None) -> FastAPI:
    """The ASGI app. Without `engine`, the one named by settings.engine is loaded at startup
    (and a failure to load it stops the process rather than serving errors)."""
    settings = settings or Settings.from_env()
    tokens = TokenStore(settings.token_file)
    gate = Gate(settings.max_concurrency, settings.max_queue, settings.queue_timeout)
    holder: dict[str, OcrEngine] = {}
    if engine is not None:
        holder["engine"] = engine

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if "engine" not in holder:
            t0 = time.perf_counter()
            holder["engine"] = make_engine(settings.engine, settings.threads, settings.det_max_side)
            log.info(
                "engine %s loaded in %.1fs (%d threads)", settings.engine, time.perf_counter() - t0, settings.threads
            )
        if tokens.current() is None:
            log.error("no token in %s yet: POST /ocr answers 401 until there is one", settings.token_file)
        yield

    app = FastAPI(
        title="InsightPulse receipt OCR",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.gate = gate
    app.state.tokens = tokens

    @app.get("/health")
    async def health() -> dict[str, Any]:
        eng = holder.get("engine")
        return {"status": "healthy" if eng else "starting", "engine": eng.name if eng else settings.engine}

    @app.post("/ocr")
    async def ocr(request: Request) -> JSONResponse:
        if not tokens.check(request.headers.get("authorization")):
            return _error(401, "missing or invalid bearer token", {"WWW-Authenticate": "Bearer"})
        busy = {"Retry-After": str(settings.retry_after)}
        try:
            gate.enter()
        except Busy:
            return _error(503, "busy: too many receipts in progress, retry later", busy)
        try:
            try:
                data, _ctype = await read_image_body(
                    request.headers.get("content-type"),
                    request.headers.get("content-length"),
                    request.stream(),
                    settings.max_upload_bytes,
                )
            except UploadError as exc:
                return _error(exc.status, exc.message)
            try:
                result = await gate.run(recognize_bytes, holder["engine"], settings, data)
            except Busy:
                return _error(503, "busy: waited too long for a free OCR slot, retry later", busy)
            except ImageError as exc:
                return _error(exc.status, exc.message)
            except Exception:
                log.exception("OCR failed")
                return _error(500, "OCR failed on this image; the service is still up")
            return JSONResponse(result)
        finally:
            gate.leave()

    return app


def __getattr__(name: str) -> Any:
    # `uvicorn insightpulse_ocr.app:app` builds the app from the environment on first use.
    if name == "app":
        value = create_app()
        globals()["app"] = value
        return value
    raise AttributeError(name)
