"""PaddleOCR itself, for hosts that have its models (or a GPU).

PaddleOCR is imported only when this engine is chosen, and it fetches its models on first
use unless they are already in its cache; the service image does not carry it. Both of its
result shapes are read:

* 2.x `ocr.ocr(img, cls=True)`: one list per page of `[box, (text, score)]`;
* 3.x `ocr.predict(img)`: one result per page, a mapping with `rec_texts`, `rec_scores`
  and `rec_polys` (or `rec_boxes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..models import TextLine
from .base import EngineUnavailable, to_box


class PaddleOcrEngine:
    name = "paddleocr"

    def __init__(self, threads: int = 2, lang: str = "en", ocr: Any = None) -> None:
        if ocr is None:
            try:
                from paddleocr import PaddleOCR
            except ImportError as exc:
                raise EngineUnavailable(
                    "OCR_ENGINE=paddleocr needs the paddleocr and paddlepaddle packages on this host"
                ) from exc
            ocr = _make_paddle(PaddleOCR, threads, lang)
        self._ocr = ocr

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        if hasattr(self._ocr, "predict"):
            return paddle_result_to_lines(self._ocr.predict(image))
        return paddle_result_to_lines(self._ocr.ocr(image, cls=True))


def _make_paddle(cls: Any, threads: int, lang: str) -> Any:  # pragma: no cover - needs PaddleOCR
    try:  # 3.x
        return cls(lang=lang, use_textline_orientation=True, cpu_threads=threads)
    except (TypeError, ValueError):  # 2.x
        return cls(lang=lang, use_angle_cls=True, show_log=False, cpu_threads=threads)


def paddle_result_to_lines(result: Any) -> list[TextLine]:
    lines: list[TextLine] = []
    for page in result or []:
        if page is None:
            continue
        data = getattr(page, "json", None)
        if isinstance(data, Mapping) and "res" in data:  # 3.x result object
            page = data["res"]
        if isinstance(page, Mapping) or hasattr(page, "keys"):
            texts = page.get("rec_texts") or []
            scores = page.get("rec_scores") or []
            boxes = page.get("rec_polys")
            if boxes is None or len(boxes) == 0:
                boxes = page.get("rec_boxes")
            for text, score, box in zip(texts, scores, boxes if boxes is not None else [], strict=False):
                if text and str(text).strip():
                    lines.append(TextLine(str(text).strip(), float(score), to_box(box)))
            continue
        for item in page:  # 2.x
            box, (text, score) = item[0], item[1]
            if text and str(text).strip():
                lines.append(TextLine(str(text).strip(), float(score), to_box(box)))
    return lines
