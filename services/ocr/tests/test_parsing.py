"""The receipt parser on its own: amounts, dates, labels, rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from insightpulse_ocr.parsing import (
    compact,
    estimate_skew,
    find_amounts,
    find_dates,
    group_rows,
    parse_currency,
    parse_date,
    parse_receipt,
    parse_tax,
    parse_total,
    parse_vendor,
)

from tests.helpers import SIMPLE_RECEIPT, line, receipt_lines


def rows_of(pairs, **kw):
    return group_rows(receipt_lines(pairs, **kw))


# ---------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("text", "value", "marker"),
    [
        ("PHP 1,234.50", "1234.50", "PHP"),
        ("PHP1,234.50", "1234.50", "PHP"),
        ("Php 99.00", "99.00", "PHP"),
        ("\u20b11,234.50", "1234.50", "₱"),
        ("P1,234.50", "1234.50", "P"),
        ("p12.00", "12.00", "P"),
        ("1,234,567.89", "1234567.89", ""),
        ("1.234.50", "1234.50", ""),  # a comma read as a dot
        ("12,00", "12.00", ""),
        ("0.00", "0.00", ""),
    ],
)
def test_find_amounts_reads_philippine_money(text, value, marker):
    [a] = find_amounts(text)
    assert a.value == Decimal(value)
    assert a.currency_marker == marker


@pytest.mark.parametrize(
    "text",
    [
        "11/21/2026",
        "2026-11-21",
        "TIN: 000-123-456-000",
        "Time: 14:32",
        "MIN: 12345678901",
        "TOTAL QTY: 3",
        "11.21.2026",
    ],
)
def test_find_amounts_ignores_dates_ids_and_counts(text):
    assert find_amounts(text) == []


def test_find_amounts_negative_and_several():
    found = find_amounts("LESS DISC -200.00 NET 800.00")
    assert [(a.value, a.negative) for a in found] == [(Decimal("200.00"), True), (Decimal("800.00"), False)]


def test_compact_drops_spaces_and_punctuation():
    assert compact("Total Amount Due:") == "TOTALAMOUNTDUE"
    assert compact("VAT (12%)") == "VAT12%"


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11/21/2026", date(2026, 11, 21)),  # US month first, as in PH
        ("Date: 11/21/26 14:32", date(2026, 11, 21)),
        ("03/04/2026", date(2026, 3, 4)),  # ambiguous: month first
        ("21/11/2026", date(2026, 11, 21)),  # can only be day first
        ("11-21-2026", date(2026, 11, 21)),
        ("21-Nov-2026", date(2026, 11, 21)),
        ("21 NOV 2026", date(2026, 11, 21)),
        ("21Nov26", date(2026, 11, 21)),
        ("2026-11-21", date(2026, 11, 21)),
        ("2026/11/21 10:00", date(2026, 11, 21)),
        ("Nov 21, 2026", date(2026, 11, 21)),
        ("Nov21,2026", date(2026, 11, 21)),
        ("November 21, 2026", date(2026, 11, 21)),
        ("Sept. 3, 2025", date(2025, 9, 3)),
        ("Jul 4, 2026", date(2026, 7, 4)),
        ("jul 4, 2026", date(2026, 7, 4)),
        ("04-JUL-2026", date(2026, 7, 4)),
        ("April 1, 2026", date(2026, 4, 1)),
        ("APRlL 1, 2026", date(2026, 4, 1)),
        ("Date:0ct 20,2026", date(2026, 10, 20)),  # O read as zero
        ("1O-N0V-2026".replace("1O", "10"), date(2026, 11, 10)),
    ],
)
def test_find_dates_formats(text, expected):
    assert find_dates(text)[0] == expected


@pytest.mark.parametrize("text", ["13/13/2026", "02/30/2026", "TIN 000-123-456-000", "MIN:12345678901", "14:32"])
def test_find_dates_rejects_non_dates(text):
    assert find_dates(text) == []


def test_parse_date_prefers_transaction_date_over_permit_dates():
    rows = rows_of(
        [
            ("SHOP", ""),
            ("Date: 21-Nov-2026", ""),
            ("TOTAL", "10.00"),
            ("PTU No: FP123 Date Issued: 01/15/2020", ""),
            ("Datelssued: 01/15/2020", ""),  # I read as l
            ("Valid Until: 01/15/2030", ""),
        ]
    )
    f = parse_date(rows)
    assert f.value == "2026-11-21"
    assert f.confidence > 0.9


def test_full_width_punctuation_from_the_model():
    rows = rows_of([("SHOP", ""), ("Feb 28\uff0c2025 19:17", ""), ("VAT\uff0812%)", "12.00"), ("TOTAL", "112.00")])
    assert parse_date(rows).value == "2025-02-28"
    assert parse_tax(rows, parse_total(rows)).value == 12.00


def test_parse_date_unlabelled_date_near_top():
    rows = rows_of([("SHOP", ""), ("2026-11-21", "14:32"), ("TOTAL", "10.00")])
    assert parse_date(rows).value == "2026-11-21"


def test_parse_date_none():
    assert parse_date(rows_of([("SHOP", ""), ("TOTAL", "10.00")])).value is None


# ---------------------------------------------------------------- totals


@pytest.mark.parametrize(
    "label", ["TOTAL", "AMOUNT DUE", "TOTAL AMOUNT DUE", "TOTAL DUE", "GRAND TOTAL", "TOTALAMOUNTDUE"]
)
def test_total_labels(label):
    rows = rows_of([("SUBTOTAL", "1,000.00"), ("LESS SC DISC", "-200.00"), (label, "800.00"), ("CASH", "1,000.00")])
    f = parse_total(rows)
    assert f.value == 800.00
    assert f.confidence > 0.9


def test_total_not_confused_by_subtotal_qty_cash_change():
    rows = rows_of(
        [
            ("TOTAL QTY: 12", ""),
            ("SUBTOTAL", "2,000.00"),
            ("SUB TOTAL", "2,000.00"),
            ("TOTAL", "P1,850.00"),
            ("CASH", "2,000.00"),
            ("CHANGE", "150.00"),
            ("VATable Sales", "1,651.79"),
        ]
    )
    assert parse_total(rows).value == 1850.00


def test_total_amount_due_wins_over_plain_total():
    rows = rows_of([("TOTAL", "1,000.00"), ("SENIOR DISC", "-200.00"), ("AMOUNT DUE", "800.00")])
    assert parse_total(rows).value == 800.00


def test_total_amount_on_next_line():
    rows = rows_of([("TOTAL AMOUNT DUE", ""), ("", "PHP 2,345.60"), ("CASH", "3,000.00")])
    assert parse_total(rows).value == 2345.60


def test_total_without_label_falls_back_untrusted():
    rows = rows_of([("ITEM A", "10.00"), ("ITEM B", "25.50"), ("CASH", "100.00")])
    f = parse_total(rows)
    assert f.value == 25.50
    assert f.confidence < 0.6


def test_total_with_ocr_digit_letter_confusion():
    rows = rows_of([("SUBT0TAL", "50.00"), ("T0TAL", "50.00")])
    assert parse_total(rows).value == 50.00
    assert parse_total(rows).source.startswith("T0TAL")


# ---------------------------------------------------------------- tax


@pytest.mark.parametrize("label", ["VAT AMOUNT", "12% VAT", "VAT (12%)", "VAT", "VAT 12%", "VATAMOUNT"])
def test_vat_labels(label):
    rows = rows_of(
        [
            ("VAT REG TIN: 000-123-456-000", ""),
            ("TOTAL", "1,120.00"),
            ("VATable Sales", "1,000.00"),
            (label, "120.00"),
            ("VAT-Exempt Sales", "0.00"),
            ("Zero-Rated Sales", "0.00"),
        ]
    )
    rows_total = parse_total(rows)
    f = parse_tax(rows, rows_total)
    assert f.value == 120.00
    assert f.confidence > 0.9


def test_vat_from_vatable_sales_only():
    rows = rows_of([("TOTAL", "1,120.00"), ("VATable Sales", "1,000.00"), ("VAT-Exempt", "0.00")])
    f = parse_tax(rows, parse_total(rows))
    assert f.value == 120.00
    assert f.confidence < 0.9


def test_vat_inconsistent_with_total_is_less_sure():
    rows = rows_of([("TOTAL", "1,120.00"), ("VAT", "99.00")])
    f = parse_tax(rows, parse_total(rows))
    assert f.value == 99.00
    assert f.confidence < 0.9


# ---------------------------------------------------------------- vendor, currency


def test_vendor_is_the_first_name_like_top_line():
    rows = rows_of([("OFFICIAL RECEIPT", ""), ("MERCURY DRUG CORPORATION", ""), ("Quezon Ave, Quezon City", "")])
    assert parse_vendor(rows).value == "MERCURY DRUG CORPORATION"


def test_vendor_skips_numbers_and_addresses():
    rows = rows_of([("VAT REG TIN 000-111-222-000", ""), ("123 Ayala Ave.", ""), ("7-ELEVEN", "")])
    assert parse_vendor(rows).value == "7-ELEVEN"


@pytest.mark.parametrize(
    ("right", "currency", "trusted"),
    [("PHP 100.00", "PHP", True), ("\u20b1100.00", "PHP", True), ("P100.00", "PHP", True), ("100.00", "PHP", False)],
)
def test_currency(right, currency, trusted):
    rows = rows_of([("TOTAL", right)])
    f = parse_currency(rows)
    assert f.value == currency
    assert (f.confidence >= 0.6) is trusted


def test_currency_usd():
    assert parse_currency(rows_of([("TOTAL", "USD 10.00")])).value == "USD"


# ---------------------------------------------------------------- rows and the whole receipt


def test_group_rows_straight():
    rows = group_rows(receipt_lines(SIMPLE_RECEIPT))
    texts = [r.text for r in rows]
    assert "TOTAL AMOUNT DUE PHP 1,120.00" in texts
    assert "SUBTOTAL 1,120.00" in texts


@pytest.mark.parametrize("angle", [-3.0, -1.5, 1.5, 3.0])
def test_group_rows_on_a_rotated_photo(angle):
    lines = receipt_lines(SIMPLE_RECEIPT, angle_deg=angle)
    assert abs(estimate_skew(lines) - angle * 3.14159 / 180) < 0.01
    texts = [r.text for r in group_rows(lines)]
    assert "TOTAL AMOUNT DUE PHP 1,120.00" in texts
    assert "CASH 1,500.00" in texts


def test_group_rows_empty():
    assert group_rows([]) == []
    assert estimate_skew([line("x", 0, 0, w=5)]) == 0.0


def test_parse_receipt_simple():
    _, fields = parse_receipt(receipt_lines(SIMPLE_RECEIPT))
    out = fields.to_dict(0.60)
    assert out["vendor"]["value"] == "JOLLIBEE FOODS CORPORATION"
    assert out["date"] == {
        "value": "2026-11-21",
        "confidence": pytest.approx(0.97, abs=0.03),
        "trusted": True,
        "reshaped": False,
        "inferred": False,
    }
    assert out["total"]["value"] == 1120.00 and out["total"]["trusted"]
    assert out["tax"]["value"] == 120.00 and out["tax"]["trusted"]
    assert out["currency"]["value"] == "PHP" and out["currency"]["trusted"]


def test_low_ocr_confidence_is_not_trusted():
    _, fields = parse_receipt(receipt_lines(SIMPLE_RECEIPT, conf=0.55))
    out = fields.to_dict(0.60)
    assert out["total"]["value"] == 1120.00
    assert not out["total"]["trusted"]
    assert fields.to_dict(0.50)["total"]["trusted"]


def test_nothing_found():
    _, fields = parse_receipt([])
    out = fields.to_dict(0.6)
    for name in ("vendor", "date", "total", "tax"):
        assert out[name] == {"value": None, "confidence": 0.0, "trusted": False, "reshaped": False, "inferred": False}
    assert out["vat_status"]["value"] == "unknown" and not out["vat_status"]["trusted"]
    assert out["currency"]["value"] == "PHP" and out["currency"]["inferred"] and not out["currency"]["trusted"]
