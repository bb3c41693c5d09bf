"""Settings, all from the environment (12-factor); defaults suit a 2-core, 512 MB host."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < minimum:
        raise ValueError(f"{name}={value} is below {minimum}")
    return value


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


@dataclass(frozen=True)
class Settings:
    engine: str = "rapidocr"  # OCR_ENGINE: rapidocr | paddleocr
    token_file: str = "/etc/ocr/token"  # noqa: S105 - a path, not a secret (OCR_TOKEN_FILE)
    min_confidence: float = 0.60  # MIN_CONFIDENCE: fields below are reported untrusted
    max_upload_bytes: int = 10 * 1024 * 1024  # MAX_UPLOAD_BYTES
    max_image_pixels: int = 40_000_000  # MAX_IMAGE_PIXELS: decompression-bomb guard
    max_side: int = 2000  # OCR_MAX_SIDE: longer photos are scaled down to this first
    det_max_side: int = 960  # OCR_DET_MAX_SIDE: text detection runs at most this size (0: whole photo)
    max_concurrency: int = 1  # MAX_CONCURRENCY: images recognised at the same time
    max_queue: int = 8  # MAX_QUEUE: requests waiting for a slot; more get 503
    queue_timeout: float = 60.0  # QUEUE_TIMEOUT: seconds a request may wait for a slot
    retry_after: int = 5  # RETRY_AFTER: seconds, sent with 503
    threads: int = 2  # OCR_THREADS: onnxruntime intra-op threads per inference
    host: str = "127.0.0.1"  # OCR_HOST
    port: int = 8001  # OCR_PORT
    log_level: str = "info"  # LOG_LEVEL

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            engine=os.environ.get("OCR_ENGINE", cls.engine).strip().lower() or cls.engine,
            token_file=os.environ.get("OCR_TOKEN_FILE", cls.token_file),
            min_confidence=_float("MIN_CONFIDENCE", cls.min_confidence),
            max_upload_bytes=_int("MAX_UPLOAD_BYTES", cls.max_upload_bytes, 1),
            max_image_pixels=_int("MAX_IMAGE_PIXELS", cls.max_image_pixels, 1),
            max_side=_int("OCR_MAX_SIDE", cls.max_side, 64),
            det_max_side=_int("OCR_DET_MAX_SIDE", cls.det_max_side, 0),
            max_concurrency=_int("MAX_CONCURRENCY", cls.max_concurrency, 1),
            max_queue=_int("MAX_QUEUE", cls.max_queue, 0),
            queue_timeout=_float("QUEUE_TIMEOUT", cls.queue_timeout),
            retry_after=_int("RETRY_AFTER", cls.retry_after, 1),
            threads=_int("OCR_THREADS", min(cls.threads, os.cpu_count() or 1), 1),
            host=os.environ.get("OCR_HOST", cls.host),
            port=_int("OCR_PORT", cls.port, 1),
            log_level=os.environ.get("LOG_LEVEL", cls.log_level).lower(),
        )
