"""The parser on the kinds of receipt real ones add to the standard layout: upper-case dates
with the time on the line, store names in large type or run together by the OCR, VAT-exempt
and non-VAT sales; and the rule that a reshaped or inferred value is not trusted blindly."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from insightpulse_ocr.models import TextLine
from insightpulse_ocr.parsing import (
    find_dates,
    group_rows,
    parse_date,
    parse_receipt,
    parse_total,
    parse_vat,
    parse_vendor,
    respace,
)

from tests.helpers import line, receipt_lines

MIN = 0.60


def rows_of(pairs, conf=0.97, low=(), low_conf=0.80):
    """Rows from (left, right) pairs; the text pieces named in `low` read at `low_conf`."""
    lines = [replace(t, confidence=low_conf) if t.text in low else t for t in receipt_lines(pairs, conf=conf)]
    return group_rows(lines)


def fields_of(pairs, **kw):
    _, fields = parse_receipt([t for r in rows_of(pairs, **kw) for t in r.segments])
    return fields.to_dict(MIN)


# ---------------------------------------------------------------- dates with the time on the line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DEC 16, 2026 14:32", date(2026, 12, 16)),
        ("OCT 20, 2024 09:15:07 AM", date(2024, 10, 20)),
        ("2025-03-14 10:22:31", date(2025, 3, 14)),
        # the models drop the space between the year (or day) and the time
        ("DEC 16, 202614:32", date(2026, 12, 16)),
        ("0CT20,202409:15:07AM", date(2024, 10, 20)),
        ("2025-03-1410:22:31", date(2025, 3, 14)),
        ("Date: SEP 04. 2025 7:05 PM", date(2025, 9, 4)),
    ],
)
def test_dates_followed_by_a_time(text, expected):
    assert find_dates(text)[0] == expected


@pytest.mark.parametrize("text", ["2025-03-141022", "DEC 16, 20261"])
def test_a_year_glued_to_digits_that_are_no_time_is_no_date(text):
    assert find_dates(text) == []


ACCREDITATION = [
    ("THANK YOU! PLEASE COME AGAIN", ""),
    ("Accreditation No: 04012345678901", ""),
    ("Date Issued: DEC 15, 2020", ""),
    ("Valid Until: DEC 15, 2025", ""),
    ("PTU No: FP123456789", ""),
]


@pytest.mark.parametrize("sale_date", ["DEC 16, 2026 14:32", "OCT 20, 2024 09:15:07 AM", "2025-03-14 10:22:31"])
def test_sale_date_with_time_wins_over_the_accreditation_block(sale_date):
    rows = rows_of([("SHOP", ""), (sale_date, ""), ("TOTAL", "10.00"), *ACCREDITATION])
    f = parse_date(rows)
    assert f.value == find_dates(sale_date)[0].isoformat()
    assert f.trusted(MIN) and not f.reshaped


@pytest.mark.parametrize(
    "block",
    [
        ACCREDITATION,
        [("Accreditation No: 0401234", ""), ("Date Issued: 2020-12-15 00:00:00", ""), ("PTU No: FP1", "")],
        # the label on one line, the permit date alone on the next
        [("Accreditation No: 0401234", ""), ("Date Issued:", ""), ("DEC 15, 2020", ""), ("Valid Until:", "")],
        [("Date Issued: 12/15/2020", "")],
    ],
)
def test_accreditation_dates_are_never_the_sale_date(block):
    # the sale's own date is unreadable: better no date than the printer's permit date
    rows = rows_of([("SHOP", ""), ("D#C 1%, 2O2G", ""), ("TOTAL", "10.00"), *block])
    assert parse_date(rows).value is None


def test_date_in_two_boxes_is_put_together_but_not_trusted():
    lines = [
        line("SHOP", 40, 40),
        line("DEC 16,", 40, 80, w=110),
        line("2026 14:32", 300, 80, w=160),
        line("TOTAL", 40, 120),
        line("10.00", 680, 120),
    ]
    f = parse_date(group_rows(lines))
    assert f.value == "2026-12-16"
    assert f.reshaped
    assert f.confidence > MIN and not f.trusted(MIN)


def test_date_in_one_box_with_its_time_is_trusted():
    lines = [line("SHOP", 40, 40), line("DEC 16, 2026 14:32", 40, 80), line("2026 14:32", 700, 80, w=10)]
    f = parse_date(group_rows(lines))
    assert f.value == "2026-12-16" and not f.reshaped and f.trusted(MIN)


def test_date_over_two_rows_is_put_together_but_not_trusted():
    rows = rows_of([("SHOP", ""), ("DEC 16,", ""), ("2026 14:32", ""), ("TOTAL", "10.00"), *ACCREDITATION])
    f = parse_date(rows)
    assert f.value == "2026-12-16"
    assert f.reshaped and not f.trusted(MIN)


# ---------------------------------------------------------------- vendor


def big(text, y, h=60.0, conf=0.97):
    return line(text, 400 - 18 * len(text), y, conf=conf, w=36.0 * len(text), h=h)


def with_body(first: list[TextLine], y0: float = 120) -> list[TextLine]:
    body = [
        ("Puregold Price Club, Inc.", ""),
        ("123 Rizal Ave., Manila", ""),
        ("VAT REG TIN: 000-123-456-000", ""),
        ("DEC 16, 2026 14:32", ""),
        ("TOTAL", "100.00"),
        ("CASH", "100.00"),
    ]
    return first + [replace(t, box=tuple((x, y + y0) for x, y in t.box)) for t in receipt_lines(body)]


@pytest.mark.parametrize("brand", ["PUREGOLD", "ROBINSONS", "SAVEMORE", "SHOPWISE", "ALFAMART"])
def test_one_word_store_name_in_large_type(brand):
    f = parse_vendor(group_rows(with_body([big(brand, 40)])))
    assert f.value == brand
    assert f.trusted(MIN) and not f.reshaped


def test_one_word_store_name_after_stray_marks():
    marks = [line("|", 30, 10, w=6), line("~ a", 500, 20, w=30)]
    f = parse_vendor(group_rows(with_body([*marks, big("PUREGOLD", 50)], y0=140)))
    assert f.value == "PUREGOLD"


def test_store_name_with_an_address_word_in_it():
    rows = rows_of([("UNITED CITY MART", ""), ("123 Rizal Ave.", ""), ("Quezon City", ""), ("TOTAL", "10.00")])
    assert parse_vendor(rows).value == "UNITED CITY MART"


def test_address_lines_are_still_skipped():
    rows = rows_of([("OFFICIAL RECEIPT", ""), ("123 Rizal Ave.", ""), ("Quezon City", ""), ("ACE HARDWARE", "")])
    assert parse_vendor(rows).value == "ACE HARDWARE"


@pytest.mark.parametrize(
    ("read", "respaced"),
    [
        ("SOUTHSTARDRUG", "SOUTH STAR DRUG"),
        ("SOUTH STARDRUG", "SOUTH STAR DRUG"),
        ("ALLDAYSUPERMARKET", "ALL DAY SUPERMARKET"),
        ("ROBINSONSSUPERMARKET", "ROBINSONS SUPERMARKET"),
        ("THEGENERICSPHARMACY", "THE GENERICS PHARMACY"),
        ("7-ELEVENPHILIPPINES", "7-ELEVEN PHILIPPINES"),
    ],
)
def test_run_together_store_name_gets_its_spaces_back_untrusted(read, respaced):
    f = parse_vendor(group_rows(with_body([big(read, 40, conf=0.99)])))
    assert f.value == respaced
    assert f.reshaped
    assert not f.trusted(MIN)
    assert f.to_dict(MIN)["trusted"] is False and f.to_dict(MIN)["reshaped"] is True


@pytest.mark.parametrize("name", ["PUREGOLD", "SAVEMORE", "SHOPWISE", "MINISTOP", "JOLLIBEE FOODS CORPORATION"])
def test_names_that_are_one_word_stay_as_read(name):
    assert respace(name) == (name, False, False)


def test_known_words_run_together_without_a_trade_word_are_not_trusted():
    f = parse_vendor(group_rows(with_body([big("ALLDAY SUPERMARKET", 40, conf=0.99)])))
    assert f.value == "ALLDAY SUPERMARKET"
    assert not f.reshaped and not f.trusted(MIN)


def test_a_long_run_together_word_that_cannot_be_split_is_not_trusted():
    f = parse_vendor(group_rows(with_body([big("CHOWKINGSM MEGAMALL", 40, conf=0.99)])))
    assert f.value == "CHOWKINGSM MEGAMALL"
    assert not f.reshaped and not f.trusted(MIN)


# ---------------------------------------------------------------- VAT-exempt and non-VAT sales

EXEMPT_SC = [
    ("MERCURY DRUG CORPORATION", ""),
    ("VAT REG TIN: 000-123-456-000", ""),
    ("SUBTOTAL", "560.00"),
    ("LESS: VAT 12%", "-60.00"),
    ("LESS: SC DISC 20%", "-100.00"),
    ("TOTAL AMOUNT DUE", "400.00"),
    ("CASH", "500.00"),
    ("CHANGE", "100.00"),
    ("VATable Sales", "0.00"),
    ("VAT-EXEMPT SALES", "500.00"),
    ("Zero-Rated Sales", "0.00"),
    ("SC/PWD ID No: 123456", ""),
]


def test_vat_exempt_sale_has_tax_zero_and_says_so():
    out = fields_of(EXEMPT_SC)
    assert out["total"]["value"] == 400.00
    assert out["tax"]["value"] == 0.0 and out["tax"]["inferred"] and out["tax"]["trusted"]
    assert out["vat_status"]["value"] == "exempt" and out["vat_status"]["trusted"]


def test_vat_exempt_marker_read_unsurely_gives_an_untrusted_zero():
    out = fields_of(EXEMPT_SC, low=("VAT-EXEMPT SALES", "500.00"), low_conf=0.8)
    assert out["tax"]["value"] == 0.0
    assert out["tax"]["confidence"] > MIN  # sure enough for a printed value, not for an inferred one
    assert not out["tax"]["trusted"]
    assert out["vat_status"]["value"] == "exempt"


@pytest.mark.parametrize("notice", ["VAT EXEMPT", "*** VAT-EXEMPT SALE ***", "SC/PWD VAT EXEMPT", "VATEXEMPT"])
def test_vat_exempt_notice_without_amounts(notice):
    out = fields_of([("SHOP", ""), ("LESS: PWD DISC 20%", "-20.00"), ("TOTAL", "80.00"), (notice, "")])
    assert out["tax"]["value"] == 0.0 and out["tax"]["inferred"]
    assert out["vat_status"]["value"] == "exempt"


def test_vat_exempt_with_a_printed_zero_vat_is_read_not_inferred():
    out = fields_of([*EXEMPT_SC, ("VAT AMOUNT", "0.00")])
    assert out["tax"]["value"] == 0.0 and not out["tax"]["inferred"] and out["tax"]["trusted"]
    assert out["vat_status"]["value"] == "exempt"


@pytest.mark.parametrize(
    "tin", ["NON-VAT REG. TIN: 123-456-789-00000", "NON VAT Reg TIN 123-456-789-000", "NONVATREGTIN:123"]
)
def test_non_vat_seller_has_tax_zero_and_says_so(tin):
    out = fields_of([("ALING NENA STORE", ""), (tin, ""), ("TOTAL", "350.00"), ("CASH", "400.00")])
    assert out["tax"]["value"] == 0.0 and out["tax"]["inferred"] and out["tax"]["trusted"]
    assert out["vat_status"]["value"] == "non_vat"


def test_not_valid_for_input_tax_notice_over_two_lines():
    out = fields_of(
        [
            ("KUYA JUN CARINDERIA", ""),
            ("TIN: 123-456-789-000", ""),
            ("TOTAL", "350.00"),
            ("THIS DOCUMENT IS NOT VALID", ""),
            ("FOR CLAIM OF INPUT TAX", ""),
        ]
    )
    assert out["tax"]["value"] == 0.0 and out["tax"]["inferred"]
    assert out["vat_status"]["value"] == "non_vat"


def test_notice_on_a_vat_registered_receipt_is_not_non_vat():
    rows = rows_of(
        [
            ("VAT REG TIN: 000-123-456-000", ""),
            ("TOTAL", "1,120.00"),
            ("VATable Sales", "1,000.00"),
            ("THIS DOCUMENT IS NOT VALID FOR CLAIM OF INPUT TAX", ""),
        ]
    )
    tax, status = parse_vat(rows, parse_total(rows))
    assert tax.value == 120.00 and tax.inferred
    assert status.value == "vatable"


def test_standard_receipt_with_zero_exempt_sales_is_vatable():
    rows = rows_of(
        [
            ("TOTAL", "1,120.00"),
            ("VATable Sales", "1,000.00"),
            ("VAT AMOUNT", "120.00"),
            ("VAT-Exempt Sales", "0.00"),
            ("Zero-Rated Sales", "0.00"),
        ]
    )
    tax, status = parse_vat(rows, parse_total(rows))
    assert tax.value == 120.00 and not tax.inferred and tax.trusted(MIN)
    assert status.value == "vatable" and status.trusted(MIN)


def test_mixed_sale_keeps_the_printed_vat():
    rows = rows_of(
        [
            ("TOTAL", "1,096.00"),
            ("VATable Sales", "800.00"),
            ("VAT AMOUNT", "96.00"),
            ("VAT-Exempt Sales", "200.00"),
        ]
    )
    tax, status = parse_vat(rows, parse_total(rows))
    assert tax.value == 96.00 and status.value == "vatable"


def test_vat_from_the_base_less_exempt_sales():
    rows = rows_of([("TOTAL", "1,320.00"), ("VATable Sales", "1,000.00"), ("VAT-Exempt Sales", "200.00")])
    tax, status = parse_vat(rows, parse_total(rows))
    assert tax.value == 120.00 and tax.inferred and status.value == "vatable"


def test_no_vat_information_is_unknown_not_zero():
    out = fields_of([("SHOP", ""), ("TOTAL", "100.00")])
    assert out["tax"]["value"] is None and not out["tax"]["trusted"]
    assert out["vat_status"] == {
        "value": "unknown",
        "confidence": 0.0,
        "trusted": False,
        "reshaped": False,
        "inferred": False,
    }
