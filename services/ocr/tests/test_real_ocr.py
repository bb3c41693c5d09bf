"""Real OCR: the rapidocr engine (PP-OCRv4 ONNX models from the wheel) on generated receipt
photos, through the parser and through the HTTP API. About a second per receipt on 2 cores."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from insightpulse_ocr.app import create_app
from insightpulse_ocr.config import Settings
from insightpulse_ocr.engines import make_engine
from insightpulse_ocr.imaging import decode_image
from insightpulse_ocr.parsing import parse_receipt

from tests.receipts import CURRENCY_STYLES, DATE_FORMATS, TOTAL_LABELS, VAT_LABELS, make_receipt, receipt_jpeg

pytestmark = pytest.mark.ocr

# 14 receipts: every date format twice, every total label, VAT label and currency style
SEEDS = list(range(1000, 1014))


@pytest.fixture(scope="module")
def engine():
    return make_engine("rapidocr", threads=2)


def test_seeds_cover_the_formats():
    receipts = [make_receipt(s) for s in SEEDS]
    assert {r.date_format for r in receipts} == set(DATE_FORMATS)
    assert {r.total_label for r in receipts} == set(TOTAL_LABELS)
    assert {r.vat_label for r in receipts} == set(VAT_LABELS)
    assert {r.currency_style for r in receipts} == set(CURRENCY_STYLES)


def test_generator_is_reproducible():
    assert receipt_jpeg(1000)[1] == receipt_jpeg(1000)[1]
    assert receipt_jpeg(1000)[1] != receipt_jpeg(1001)[1]


@pytest.mark.parametrize("seed", SEEDS)
def test_total_and_date_from_a_receipt_photo(engine, seed):
    receipt, jpeg = receipt_jpeg(seed)
    lines = engine.recognize(decode_image(jpeg, 40_000_000, 2000))
    rows, fields = parse_receipt(lines)
    got = fields.to_dict(0.60)
    context = f"{receipt.date_format} / {receipt.total_label} / {receipt.currency_style}\n" + "\n".join(
        r.text for r in rows
    )
    assert got["total"]["value"] == float(receipt.total), context
    assert got["date"]["value"] == receipt.date.isoformat(), context
    assert got["total"]["trusted"] and got["date"]["trusted"], context
    assert got["tax"]["value"] == float(receipt.tax), context
    assert got["currency"]["value"] == "PHP"


def test_http_end_to_end_with_the_real_engine(engine, tmp_path):
    token = tmp_path / "token"
    token.write_text("real-engine-token")
    app = create_app(Settings(token_file=str(token)), engine=engine)
    receipt, jpeg = receipt_jpeg(1004)  # peso sign, "Nov 21, 2026"-style date
    with TestClient(app) as client:
        assert client.get("/health").json() == {"status": "healthy", "engine": "rapidocr"}
        r = client.post(
            "/ocr",
            headers={"Authorization": "Bearer real-engine-token"},
            files={"file": ("receipt.jpg", jpeg, "image/jpeg")},
        )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["engine"] == "rapidocr"
    assert len(body["lines"]) > 20
    assert body["fields"]["total"]["value"] == float(receipt.total)
    assert body["fields"]["date"]["value"] == receipt.date.isoformat()
    assert body["fields"]["currency"] == {
        "value": "PHP",
        "confidence": body["fields"]["currency"]["confidence"],
        "trusted": True,
        "reshaped": False,
        "inferred": False,
    }
    assert body["fields"]["vat_status"]["value"] == "vatable"
