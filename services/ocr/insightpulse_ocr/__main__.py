"""`python -m insightpulse_ocr`: serve on OCR_HOST:OCR_PORT (127.0.0.1:8001) with one worker."""

from __future__ import annotations

import logging

import uvicorn

from .app import create_app
from .config import Settings


def main() -> None:
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        workers=1,
        log_level=settings.log_level,
        access_log=True,
        timeout_keep_alive=5,
        limit_concurrency=settings.max_concurrency + settings.max_queue + 32,
    )


if __name__ == "__main__":
    main()
