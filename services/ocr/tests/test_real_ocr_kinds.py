"""Real OCR on the receipt kinds (tests/receipts.py, KINDS): the rapidocr engine on generated
photos of upper-case dates with the time on the line, large-type and tightly set store names,
VAT-exempt and non-VAT sales, in more faces, narrower rolls and rougher photos. Besides each
kind's own field, no field may come back trusted with a wrong value."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from insightpulse_ocr.app import create_app
from insightpulse_ocr.config import Settings
from insightpulse_ocr.engines import make_engine
from insightpulse_ocr.imaging import decode_image
from insightpulse_ocr.parsing import parse_receipt

from tests.receipts import KIND_DATE_FORMATS, KINDS, SPACED_STORES, kind_receipt_jpeg, make_kind_receipt

pytestmark = pytest.mark.ocr

SEEDS = list(range(2000, 2004))
CASES = [(kind, seed) for kind in KINDS for seed in SEEDS]


@pytest.fixture(scope="module")
def engine():
    return make_engine("rapidocr", threads=2)


def spaced(v):
    return " ".join(re.sub(r"[^A-Z0-9 ]", " ", v.upper()).split()) if isinstance(v, str) else v


def test_cases_cover_the_kinds():
    receipts = {(k, s): make_kind_receipt(s, k) for k, s in CASES}
    dt = [r for (k, _), r in receipts.items() if k == "date_time"]
    assert {r.date_format for r in dt} == set(KIND_DATE_FORMATS)
    brands = [r.vendor for (k, _), r in receipts.items() if k == "brand_vendor"]
    assert any(" " not in v for v in brands) and any(v in SPACED_STORES for v in brands)
    assert {r.vat_status for r in receipts.values()} == {"vatable", "exempt", "non_vat"}
    assert any(r.narrow for r in receipts.values()) and any(not r.narrow for r in receipts.values())
    assert any(r.rough for r in receipts.values())
    assert len({r.font for r in receipts.values()}) >= 4


def test_kinds_are_reproducible_and_leave_the_standard_receipts_alone():
    assert kind_receipt_jpeg(2000, "non_vat")[1] == kind_receipt_jpeg(2000, "non_vat")[1]
    assert kind_receipt_jpeg(2000, "non_vat")[1] != kind_receipt_jpeg(2000, "vat_exempt")[1]


@pytest.mark.parametrize(("kind", "seed"), CASES)
def test_receipt_kind_through_the_real_engine(engine, kind, seed):
    receipt, jpeg = kind_receipt_jpeg(seed, kind)
    rows, fields = parse_receipt(engine.recognize(decode_image(jpeg, 40_000_000, 2000)))
    got = fields.to_dict(0.60)
    exp = receipt.expected
    context = f"{kind} {seed} {receipt.font} expected {exp}\n" + "\n".join(r.text for r in rows)

    assert got["total"]["value"] == exp["total"], context
    assert got["date"]["value"] == exp["date"], context  # never a date from the accreditation block
    assert got["tax"]["value"] == exp["tax"], context
    assert got["vat_status"]["value"] == exp["vat_status"], context
    assert re.sub(r"[^A-Z0-9]", "", (got["vendor"]["value"] or "").upper()) == re.sub(
        r"[^A-Z0-9]", "", exp["vendor"].upper()
    ), context
    # nothing trusted that is wrong: the store name with its spaces, the rest exactly
    for name in ("total", "date", "tax", "currency", "vat_status"):
        if got[name]["trusted"]:
            assert got[name]["value"] == exp[name], (name, context)
    if got["vendor"]["trusted"]:
        assert spaced(got["vendor"]["value"]) == spaced(exp["vendor"]), context
    # a reshaped value is never trusted
    assert not any(f["reshaped"] and f["trusted"] for f in got.values()), context


def test_http_end_to_end_vat_exempt_with_the_real_engine(engine, tmp_path):
    token = tmp_path / "token"
    token.write_text("real-engine-token")
    app = create_app(Settings(token_file=str(token)), engine=engine)
    receipt, jpeg = kind_receipt_jpeg(2000, "vat_exempt")
    with TestClient(app) as client:
        r = client.post(
            "/ocr",
            headers={"Authorization": "Bearer real-engine-token"},
            files={"file": ("receipt.jpg", jpeg, "image/jpeg")},
        )
    assert r.status_code == 200, r.text
    fields = r.json()["fields"]
    assert fields["total"]["value"] == float(receipt.total)
    assert fields["tax"]["value"] == 0.0
    assert fields["vat_status"]["value"] == "exempt"
    for f in fields.values():
        assert {"value", "confidence", "trusted", "reshaped", "inferred"} == set(f)
