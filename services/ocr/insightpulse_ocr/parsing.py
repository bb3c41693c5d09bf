"""Receipt fields from OCR text lines: pure functions, no I/O.

Built for Philippine receipts (BIR layout): amounts in PHP written `PHP 1,234.50`,
`₱1,234.50`, `P1,234.50` or bare; VAT 12% blocks (`VATable Sales`, `VAT Amount`,
`12% VAT`, `VAT (12%)`); totals as `TOTAL`, `AMOUNT DUE`, `TOTAL AMOUNT DUE`, never
`SUBTOTAL`, `TOTAL QTY`, `CASH` or `CHANGE`; dates US-style month first (11/21/2026)
as well as 21-Nov-2026, 2026-11-21 and Nov 21, 2026.

The OCR models often drop the spaces between words ("TOTALAMOUNTDUE"), so labels are
matched in a compact form: upper case, letters, digits and % only.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from .models import Field, ReceiptFields, TextLine

# --------------------------------------------------------------------------- rows


@dataclass
class Row:
    """Text pieces on one printed line, left to right."""

    segments: list[TextLine]

    @property
    def text(self) -> str:
        # NFKC: the models print full-width punctuation ("Feb 28，2025", "VAT（12%)")
        return unicodedata.normalize("NFKC", " ".join(s.text for s in self.segments))

    @property
    def confidence(self) -> float:
        return min((s.confidence for s in self.segments), default=0.0)


def _box_metrics(box) -> tuple[float, float, float, float, float]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = box
    cx = (x0 + x1 + x2 + x3) / 4
    cy = (y0 + y1 + y2 + y3) / 4
    width = math.hypot(x1 - x0, y1 - y0)
    height = (math.hypot(x3 - x0, y3 - y0) + math.hypot(x2 - x1, y2 - y1)) / 2
    angle = math.atan2(y1 - y0, x1 - x0)
    return cx, cy, width, height, angle


def estimate_skew(lines: list[TextLine]) -> float:
    """Median baseline angle (radians) of the wider boxes; 0 when there are none."""
    angles = []
    for line in lines:
        _, _, w, h, a = _box_metrics(line.box)
        if h > 0 and w >= 2.5 * h and abs(a) < math.radians(20):
            angles.append(a)
    return statistics.median(angles) if angles else 0.0


def group_rows(lines: list[TextLine]) -> list[Row]:
    """Group text boxes into printed rows, correcting for a slightly rotated photo.

    A label on the left and its amount on the right are separate boxes; with the photo
    turned by a degree or two, their centres differ in y by more than half a line on a
    wide receipt, so centres are first projected onto the direction across the lines.
    """
    if not lines:
        return []
    tan = math.tan(estimate_skew(lines))
    items = []
    heights = []
    for line in lines:
        cx, cy, _, h, _ = _box_metrics(line.box)
        items.append((cy - cx * tan, cx, line))
        heights.append(h)
    tolerance = max(statistics.median(heights) * 0.5, 1.0)
    items.sort(key=lambda t: t[0])

    rows: list[list[tuple[float, float, TextLine]]] = []
    for item in items:
        if rows:
            row = rows[-1]
            mean_y = sum(i[0] for i in row) / len(row)
            if abs(item[0] - mean_y) <= tolerance:
                row.append(item)
                continue
        rows.append([item])
    return [Row([i[2] for i in sorted(row, key=lambda t: t[1])]) for row in rows]


# --------------------------------------------------------------------------- amounts

_CUR = r"(?P<cur>PHP|Php|php|PhP|₱|(?<![A-Za-z])[Pp](?=\s?\d))?"
MONEY_RE = re.compile(
    r"(?P<sign>-)?\s*" + _CUR + r"\s?(?P<int>\d{1,3}(?:[,.]\d{3})+|\d+)[.,](?P<dec>\d{2})(?![\d]|[.,]\d)"
)
_NOT_AFTER = set("0123456789/:-")


@dataclass(frozen=True)
class Amount:
    value: Decimal
    currency_marker: str  # "", "PHP", "₱", "P"
    start: int
    end: int
    negative: bool


def find_amounts(text: str) -> list[Amount]:
    """Money amounts with two decimals in `text`, left to right."""
    found = []
    for m in MONEY_RE.finditer(text):
        start = m.start()
        if start > 0 and text[start - 1] in _NOT_AFTER and not m.group("sign"):
            continue  # a piece of a date, TIN or time
        digits = re.sub(r"[,.]", "", m.group("int"))
        try:
            value = Decimal(f"{digits}.{m.group('dec')}")
        except InvalidOperation:  # pragma: no cover - the regex admits digits only
            continue
        cur = m.group("cur") or ""
        marker = "PHP" if cur.upper() == "PHP" else ("₱" if cur == "₱" else ("P" if cur else ""))
        found.append(Amount(value, marker, start, m.end(), bool(m.group("sign"))))
    return found


def compact(text: str) -> str:
    """Upper case, letters, digits and % only: how labels are compared."""
    return re.sub(r"[^A-Z0-9%]", "", text.upper())


_FOLD = str.maketrans("01L5|", "OIISI")


def fold(text: str) -> str:
    """Compact text with the letters OCR confuses with digits made one: O/0, I/1/L/|, S/5.
    Used on both sides of a keyword test, so "Datelssued" still says ISSUED."""
    return compact(text).translate(_FOLD)


def has_any(label: str, keywords: tuple[str, ...]) -> bool:
    folded = label.translate(_FOLD)
    return any(k.translate(_FOLD) in folded for k in keywords)


def label_of(text: str) -> str:
    """The compact label of a row: its text less the amounts and currency words."""
    stripped = MONEY_RE.sub(" ", text)
    return re.sub(r"PHP$", "", compact(stripped))


# --------------------------------------------------------------------------- totals

_TOTAL_EXCLUDE = (
    "SUBTOTAL",
    "SUBTTL",
    "SUBTOT",
    "QTY",
    "QUANTITY",
    "ITEM",
    "CASH",
    "CHANGE",
    "TENDER",
    "DISC",
    "SAVING",
    "VATABLE",
    "EXEMPT",
    "ZERO",
    "POINTS",
    "CARD",
    "GCASH",
    "PAID",
)
# (compact label prefix or pattern, weight): first that matches wins for a row
_TOTAL_LABELS = (
    ("TOTALAMOUNTDUE", 1.0),
    ("AMOUNTDUE", 1.0),
    ("AMTDUE", 0.95),
    ("GRANDTOTAL", 1.0),
    ("TOTALDUE", 0.98),
    ("TOTALPAYABLE", 0.95),
    ("AMOUNTPAYABLE", 0.95),
    ("BALANCEDUE", 0.9),
    ("TOTALAMOUNT", 0.95),
    ("TOTALSALES", 0.8),
    ("TOTAL", 0.95),
    ("TOTL", 0.8),
)


def _total_weight(label: str) -> float:
    if not label or has_any(label, _TOTAL_EXCLUDE):
        return 0.0
    if has_any(label, ("VAT",)) and not has_any(label, ("TOTAL",)):
        return 0.0
    folded = label.translate(_FOLD)
    for key, weight in _TOTAL_LABELS:
        fkey = key.translate(_FOLD)
        if fkey in folded:
            # "TOTAL" should lead the label ("TOTAL", "TOTAL:", "TOTALPHP"), not trail it
            if key in ("TOTAL", "TOTL") and not folded.startswith(fkey):
                return weight * 0.6
            return weight
    return 0.0


def _row_amount(rows: list[Row], i: int) -> tuple[Amount | None, float]:
    """The amount that goes with the label on row i: its rightmost one, else the next row's
    when that row is a bare amount. Returns it with the confidence of the row(s) read."""
    amounts = [a for a in find_amounts(rows[i].text) if not a.negative]
    if amounts:
        return amounts[-1], rows[i].confidence
    if i + 1 < len(rows) and not label_of(rows[i + 1].text):
        nxt = [a for a in find_amounts(rows[i + 1].text) if not a.negative]
        if nxt:
            return nxt[-1], min(rows[i].confidence, rows[i + 1].confidence) * 0.9
    return None, 0.0


def _best_labelled_amount(
    rows: list[Row], weight_of: Callable[[str], float], prefer_last: bool
) -> tuple[float, int, Amount, float] | None:
    """(weight, row index, amount, confidence) of the amount on, or next to, the row whose
    label weighs most; among equal weights the last row wins if prefer_last, else the first."""
    best: tuple[float, int, Amount, float] | None = None
    for i, row in enumerate(rows):
        weight = weight_of(label_of(row.text))
        if weight <= 0:
            continue
        amount, conf = _row_amount(rows, i)
        if amount is None:
            continue
        if best is None or weight > best[0] or (prefer_last and weight == best[0]):
            best = (weight, i, amount, conf)
    return best


def parse_total(rows: list[Row]) -> Field:
    # The grand total is printed after subtotals carrying the same label weight: last one wins.
    best = _best_labelled_amount(rows, _total_weight, prefer_last=True)
    if best is not None:
        weight, i, amount, conf = best
        return Field(float(amount.value), conf * weight, rows[i].text)

    # No labelled total: the largest amount not on a payment/change/VAT-base row, untrusted.
    fallback: tuple[Decimal, float, str] | None = None
    for row in rows:
        label = label_of(row.text)
        if has_any(label, ("CASH", "CHANGE", "TENDER", "VATABLE", "CARD", "PAID")):
            continue
        for a in find_amounts(row.text):
            if not a.negative and (fallback is None or a.value > fallback[0]):
                fallback = (a.value, row.confidence, row.text)
    if fallback is not None:
        return Field(float(fallback[0]), fallback[1] * 0.4, fallback[2])
    return Field()


# --------------------------------------------------------------------------- tax (VAT)

_TAX_EXCLUDE = ("VATABLE", "EXEMPT", "ZERO", "REG", "TIN", "NONVAT", "VATEX", "SALES", "INCL", "LESS", "ABLE")


def _tax_weight(label: str) -> float:
    if not label:
        return 0.0
    folded = label.translate(_FOLD)
    if "VAT" in folded:
        if has_any(label, _TAX_EXCLUDE):
            return 0.0
        if has_any(label, ("12%", "12")) or folded in {
            k.translate(_FOLD) for k in ("VAT", "VATAMOUNT", "VATAMT", "OUTPUTVAT", "TOTALVAT")
        }:
            return 1.0
        return 0.85
    if folded in {k.translate(_FOLD) for k in ("TAX", "SALESTAX", "TAXAMOUNT", "TOTALTAX")}:
        return 0.8
    return 0.0


def parse_tax(rows: list[Row], total: Field) -> Field:
    best = _best_labelled_amount(rows, _tax_weight, prefer_last=False)
    if best is not None:
        weight, i, amount, conf = best
        # a VAT amount that is 12/112 of the total reads right; one that isn't is still reported
        if total.value and abs(float(amount.value) - total.value * 12 / 112) > 0.05 + total.value * 0.002:
            weight *= 0.9
        return Field(float(amount.value), conf * weight, rows[i].text)

    # Only the VATable sales (the VAT base) is printed: VAT = total - base.
    for i, row in enumerate(rows):
        if has_any(label_of(row.text), ("VATABLE",)):
            amount, conf = _row_amount(rows, i)
            if amount is not None and total.value:
                tax = round(total.value - float(amount.value), 2)
                if 0 <= tax <= total.value * 0.2:
                    return Field(tax, min(conf, total.confidence) * 0.7, row.text)
    return Field()


# --------------------------------------------------------------------------- dates

_MONTHS = {
    "JAN": 1,
    "FEB": 2,
    "MAR": 3,
    "APR": 4,
    "MAY": 5,
    "JUN": 6,
    "JUL": 7,
    "AUG": 8,
    "SEP": 9,
    "OCT": 10,
    "NOV": 11,
    "DEC": 12,
}
_MONTH_NAMES = (
    "JAN(UARY)?",
    "FEB(RUARY)?",
    "MAR(CH)?",
    "APR(IL)?",
    "MAY",
    "JUNE?",
    "JULY?",
    "AUG(UST)?",
    "SEP(T(EMBER)?)?",
    "OCT(OBER)?",
    "NOV(EMBER)?",
    "DEC(EMBER)?",
)
# OCR reads O as 0, I as 1 or l and S as 5 in month names too ("0ct 20,2026")
_MON_CLASS = {"O": "[O0]", "I": "[I1l]", "S": "[S5]", "(": "(?:"}
_MON = "(?P<mon>" + "|".join("".join(_MON_CLASS.get(c, c) for c in m) for m in _MONTH_NAMES) + r")\.?"
_MON_FOLD = str.maketrans("05", "OS")  # the first three letters hold no I


def _month_number(name: str) -> int:
    return _MONTHS.get(name.upper().translate(_MON_FOLD)[:3], 0)


_DATE_PATTERNS = (
    # 2026-11-21, 2026/11/21
    ("ymd", re.compile(r"(?<!\d)(?P<y>20\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")),
    # 21-Nov-2026, 21 NOV 2026, 21Nov26
    ("dmy_name", re.compile(r"(?<!\d)(?P<d>\d{1,2})[\s\-./]*" + _MON + r"[\s\-./,]*(?P<y>20\d{2}|\d{2})(?!\d)", re.I)),
    # Nov 21, 2026, November 21 2026
    ("mdy_name", re.compile(_MON + r"\s*(?P<d>\d{1,2})(?:ST|ND|RD|TH)?\s*,?\s*(?P<y>20\d{2})(?!\d)", re.I)),
    # 11/21/2026, 11-21-26 (month first, as printed in the Philippines; day first when it can only be that)
    ("mdy", re.compile(r"(?<![\d/.-])(?P<m>\d{1,2})[/.-](?P<d>\d{1,2})[/.-](?P<y>20\d{2}|\d{2})(?![\d/])")),
)
_DATE_EXCLUDE = ("ISSUED", "VALID", "UNTIL", "EXPIR", "ACCRED", "PTU", "PERMIT", "BIRTH", "EFFECTIVE", "SINCE")


def find_dates(text: str) -> list[date]:
    """Dates written in `text`, in the order of the patterns above, without duplicates."""
    found: list[date] = []
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            y = int(m.group("y"))
            if y < 100:
                y += 2000
            if kind in ("dmy_name", "mdy_name"):
                month = _month_number(m.group("mon"))
                day = int(m.group("d"))
            else:
                month, day = int(m.group("m")), int(m.group("d"))
                if kind == "mdy" and month > 12 and day <= 12:
                    month, day = day, month
            try:
                d = date(y, month, day)  # ValueError for month 0, Feb 30 and the like
            except ValueError:
                continue
            if d not in found:
                found.append(d)
    return found


def parse_date(rows: list[Row]) -> Field:
    best: tuple[float, date, float, str] | None = None
    n = max(len(rows), 1)
    for i, row in enumerate(rows):
        label = compact(row.text)
        if has_any(label, _DATE_EXCLUDE):
            continue
        dates = find_dates(row.text)
        if not dates:
            continue
        weight = 1.0 if has_any(label, ("DATE",)) else 0.9
        weight -= 0.1 * (i / n)  # the transaction date is printed near the top
        if best is None or weight > best[0]:
            best = (weight, dates[0], row.confidence, row.text)
    if best is None:
        return Field()
    weight, d, conf, text = best
    return Field(d.isoformat(), conf * weight, text)


# --------------------------------------------------------------------------- vendor

_VENDOR_SKIP = (
    "RECEIPT",
    "INVOICE",
    "WELCOME",
    "TIN",
    "VATREG",
    "NONVAT",
    "OPERATEDBY",
    "OWNEDBY",
    "TEL",
    "PHONE",
    "MOBILE",
    "CASHIER",
    "TERMINAL",
    "STORE#",
    "BRGY",
    "STREET",
    "AVE",
    "BLVD",
    "ROAD",
    "CITY",
    "PROVINCE",
    "DATE",
    "TIME",
    "TABLE",
    "ORDER",
    "SERVER",
)


def parse_vendor(rows: list[Row], top: int = 6) -> Field:
    for i, row in enumerate(rows[:top]):
        text = row.text.strip()
        label = compact(text)
        letters = sum(c.isalpha() for c in text)
        digits = sum(c.isdigit() for c in text)
        if letters < 3 or digits > letters / 2:
            continue
        if re.match(r"^(MIN|SN|S/N|OR|SI|POS)\b", text.upper()) or has_any(label, _VENDOR_SKIP):
            continue
        if find_amounts(text) or find_dates(text):
            continue
        weight = 0.95 if i == 0 else 0.8
        return Field(text, row.confidence * weight, text)
    return Field()


# --------------------------------------------------------------------------- currency


def parse_currency(rows: list[Row]) -> Field:
    for row in rows:
        upper = row.text.upper()
        markers = {a.currency_marker for a in find_amounts(row.text)} - {""}
        if markers or "₱" in row.text or re.search(r"(?<![A-Z])PHP|PESO", upper):
            return Field("PHP", row.confidence * 0.98, row.text)
        if "USD" in upper or "$" in row.text:
            return Field("USD", row.confidence * 0.9, row.text)
    # Nothing printed: the market's currency, reported but not trusted.
    return Field("PHP", 0.5, "")


# --------------------------------------------------------------------------- all


def parse_receipt(lines: list[TextLine]) -> tuple[list[Row], ReceiptFields]:
    rows = group_rows(lines)
    total = parse_total(rows)
    fields = ReceiptFields(
        vendor=parse_vendor(rows),
        date=parse_date(rows),
        total=total,
        tax=parse_tax(rows, total),
        currency=parse_currency(rows),
    )
    return rows, fields
