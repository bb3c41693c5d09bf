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

    def __init__(self, threads: int = 2, det_max_side: int = 960) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
            from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess
        except ImportError as exc:  # pragma: no cover - it is in requirements.txt
            raise EngineUnavailable("rapidocr-onnxruntime is not installed") from exc
        self._ocr = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1, print_verbose=False)
        if det_max_side > 0:
            # Text detection at most det_max_side on the long side (PaddleOCR's own default is
            # 960): RapidOCR 1.4 would detect on the whole photo (up to 2000 px), which costs
            # ~+500 MB of activations on a 1200x1600 photo against ~+270 MB here, and time.
            # Recognition still reads the crops from the full-resolution image.
            det = self._ocr.text_det
            det.get_preprocess = lambda _max_wh: DetPreProcess(det_max_side, "max", det.mean, det.std)

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
