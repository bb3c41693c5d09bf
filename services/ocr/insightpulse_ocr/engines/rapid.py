"""RapidOCR: PaddleOCR's PP-OCRv4 det/rec and mobile cls models as ONNX, run by onnxruntime.

The models ship inside the `rapidocr-onnxruntime` wheel, so this engine works offline.
One engine holds one onnxruntime session per model for the life of the process.
"""

from __future__ import annotations

import numpy as np

from ..models import TextLine
from .base import EngineUnavailable, to_box


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, threads: int = 2) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # pragma: no cover - it is in requirements.txt
            raise EngineUnavailable("rapidocr-onnxruntime is not installed") from exc
        self._ocr = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1, print_verbose=False)

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        result, _elapsed = self._ocr(image)
        return rapid_result_to_lines(result)


def rapid_result_to_lines(result) -> list[TextLine]:
    """RapidOCR returns None or [[box, text, score], ...]."""
    lines = []
    for item in result or []:
        box, text, score = item[0], item[1], item[2]
        if text and str(text).strip():
            lines.append(TextLine(str(text).strip(), float(score), to_box(box)))
    return lines
