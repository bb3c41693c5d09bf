"""Engine adapters: PaddleOCR (with a fake PaddleOCR giving its real result shapes) and
RapidOCR give the same TextLines, and so the same JSON from the API."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
from fastapi.testclient import TestClient
from insightpulse_ocr.app import create_app
from insightpulse_ocr.config import Settings
from insightpulse_ocr.engines import EngineUnavailable, make_engine
from insightpulse_ocr.engines.base import to_box
from insightpulse_ocr.engines.paddle import PaddleOcrEngine, paddle_result_to_lines
from insightpulse_ocr.engines.rapid import rapid_result_to_lines

from tests.helpers import SIMPLE_RECEIPT, receipt_lines

DETECTIONS = [(line.text, line.confidence, [list(p) for p in line.box]) for line in receipt_lines(SIMPLE_RECEIPT)]


class FakePaddle2:
    """PaddleOCR 2.x: ocr(img, cls=True) -> [page] with page = [[box, (text, score)], ...]."""

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.seen = None

    def ocr(self, img, cls=True):
        self.seen = (img.shape, cls)
        return [[[box, (text, score)] for text, score, box in DETECTIONS]]


class FakeOCRResult(dict):
    """PaddleOCR 3.x OCRResult: a dict with numpy arrays, plus a .json view."""

    @property
    def json(self):
        return {"res": {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self.items()}}


class FakePaddle3:
    """PaddleOCR 3.x: predict(img) -> [OCRResult] with rec_texts / rec_scores / rec_polys."""

    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def predict(self, img):
        return [
            FakeOCRResult(
                rec_texts=[t for t, _, _ in DETECTIONS],
                rec_scores=np.array([s for _, s, _ in DETECTIONS]),
                rec_polys=[np.array(b, dtype=np.int16) for _, _, b in DETECTIONS],
                rec_boxes=np.array([[b[0][0], b[0][1], b[2][0], b[2][1]] for _, _, b in DETECTIONS]),
            )
        ]


class FakeRapid:
    """RapidOCR's own result shape: ([[box, text, score], ...], elapsed)."""

    def __call__(self, img):
        return [[box, text, score] for text, score, box in DETECTIONS], [0.1, 0.01, 0.2]


def rapid_engine():
    from insightpulse_ocr.engines.rapid import RapidOcrEngine

    eng = RapidOcrEngine.__new__(RapidOcrEngine)
    eng._ocr = FakeRapid()
    return eng


IMG = np.zeros((100, 80, 3), dtype=np.uint8)


def test_paddle2_adapter():
    fake = FakePaddle2()
    lines = PaddleOcrEngine(ocr=fake).recognize(IMG)
    assert fake.seen == ((100, 80, 3), True)
    assert [ln.text for ln in lines] == [t for t, _, _ in DETECTIONS]
    assert lines[0].box == to_box(DETECTIONS[0][2])


def test_paddle3_adapter_reads_polys():
    lines = PaddleOcrEngine(ocr=FakePaddle3()).recognize(IMG)
    assert [ln.text for ln in lines] == [t for t, _, _ in DETECTIONS]
    assert lines[0].confidence == pytest.approx(DETECTIONS[0][1])


def test_paddle3_adapter_falls_back_to_axis_aligned_boxes():
    res = FakePaddle3().predict(IMG)
    res[0]["rec_polys"] = []
    lines = paddle_result_to_lines(res)
    assert len(lines) == len(DETECTIONS)
    box = DETECTIONS[0][2]
    assert lines[0].box[0] == pytest.approx(tuple(box[0]))
    assert lines[0].box[2] == pytest.approx(tuple(box[2]))


def test_paddle_adapters_skip_empty_pages_and_blank_text():
    assert paddle_result_to_lines(None) == []
    assert paddle_result_to_lines([None]) == []
    assert paddle_result_to_lines([[[[[0, 0], [1, 0], [1, 1], [0, 1]], ("  ", 0.9)]]]) == []


def test_rapid_adapter():
    assert rapid_result_to_lines(None) == []
    lines = rapid_engine().recognize(IMG)
    assert [ln.text for ln in lines] == [t for t, _, _ in DETECTIONS]


def test_to_box_shapes():
    assert to_box([1, 2, 3, 4]) == ((1, 2), (3, 2), (3, 4), (1, 4))
    assert to_box(np.array([[1, 2], [3, 2], [3, 4], [1, 4]])) == ((1, 2), (3, 2), (3, 4), (1, 4))
    with pytest.raises(ValueError):
        to_box([[0, 0], [1, 1], [2, 2]])


@pytest.mark.parametrize("paddle", [FakePaddle2, FakePaddle3])
def test_same_json_from_both_engines(tmp_path, paddle):
    import io

    from PIL import Image

    (tmp_path / "token").write_text("t")
    buf = io.BytesIO()
    Image.new("RGB", (80, 100), "white").save(buf, format="PNG")
    outputs = []
    for engine in (rapid_engine(), PaddleOcrEngine(ocr=paddle())):
        client = TestClient(create_app(Settings(token_file=str(tmp_path / "token")), engine=engine))
        r = client.post("/ocr", headers={"Authorization": "Bearer t"}, files={"file": ("r.png", buf.getvalue())})
        assert r.status_code == 200
        body = r.json()
        body.pop("timing_ms")
        outputs.append((body.pop("engine"), body))
    assert [name for name, _ in outputs] == ["rapidocr", "paddleocr"]
    assert outputs[0][1] == outputs[1][1]
    assert outputs[0][1]["fields"]["total"]["value"] == 1120.0


def test_make_engine_paddleocr_imports_lazily(monkeypatch):
    module = types.ModuleType("paddleocr")
    module.PaddleOCR = FakePaddle3
    monkeypatch.setitem(sys.modules, "paddleocr", module)
    eng = make_engine("paddleocr", threads=3)
    assert eng.name == "paddleocr"
    assert eng._ocr.kwargs["cpu_threads"] == 3


def test_make_engine_paddleocr_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "paddleocr", None)  # import fails
    with pytest.raises(EngineUnavailable, match="paddleocr"):
        make_engine("paddleocr")


def test_make_engine_unknown():
    with pytest.raises(EngineUnavailable, match="unknown OCR_ENGINE"):
        make_engine("tesseract")


def test_paddle_not_imported_by_default():
    import insightpulse_ocr.app  # noqa: F401

    assert "paddle" not in sys.modules
