"""OCR engines behind one interface; `make_engine` picks one by name (env OCR_ENGINE)."""

from __future__ import annotations

from .base import EngineUnavailable, OcrEngine

ENGINES = ("rapidocr", "paddleocr")


def make_engine(name: str, threads: int = 2, det_max_side: int = 960) -> OcrEngine:
    name = name.strip().lower()
    if name == "rapidocr":
        from .rapid import RapidOcrEngine

        return RapidOcrEngine(threads=threads, det_max_side=det_max_side)
    if name == "paddleocr":
        from .paddle import PaddleOcrEngine

        return PaddleOcrEngine(threads=threads)
    raise EngineUnavailable(f"unknown OCR_ENGINE {name!r}; expected one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "EngineUnavailable", "OcrEngine", "make_engine"]
