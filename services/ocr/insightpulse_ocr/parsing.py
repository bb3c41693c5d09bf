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
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from .models import Field, ReceiptFields, TextLine
from .vocabulary import COMMON_WORDS, TRADE_WORDS

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

    @property
    def height(self) -> float:
        """Median text height of the row's boxes: a store name in large type stands out."""
        return statistics.median(_box_metrics(s.box)[3] for s in self.segments) if self.segments else 0.0

    def segment_index(self, pos: int) -> int:
        """Which segment character `pos` of `text` belongs to (segments are joined by one space)."""
        end = 0
        for i, seg in enumerate(self.segments):
            end += len(unicodedata.normalize("NFKC", seg.text)) + 1
            if pos < end:
                return i
        return len(self.segments) - 1


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


@dataclass
class _VatMarkers:
    """What the receipt prints about its VAT besides the VAT amount, each with the OCR
    confidence of the row it was read on (0.0: not printed)."""

    vatable: tuple[Decimal, float] | None = None  # VATable Sales
    exempt: tuple[Decimal, float] | None = None  # VAT-Exempt Sales
    zero_rated: tuple[Decimal, float] | None = None  # Zero-Rated Sales
    exempt_notice: float = 0.0  # "VAT EXEMPT", "SC/PWD VAT-EXEMPT" with no amount
    non_vat: float = 0.0  # NON-VAT REG. TIN, NON-VAT seller
    no_input_tax: float = 0.0  # "this document is not valid for claim of input tax"
    vat_registered: float = 0.0  # VAT REG TIN
    source: dict[str, str] = field(default_factory=dict)


def _vat_markers(rows: list[Row]) -> _VatMarkers:
    m = _VatMarkers()
    for i, row in enumerate(rows):
        label = label_of(row.text)
        whole = fold(row.text)
        conf = row.confidence
        if has_any(whole, ("NONVAT",)):
            m.non_vat = max(m.non_vat, conf)
            m.source.setdefault("non_vat", row.text)
        elif has_any(whole, ("VATREG",)):
            m.vat_registered = max(m.vat_registered, conf)
        # the notice is often printed over two lines: read it with the next one
        pair = whole + (fold(rows[i + 1].text) if i + 1 < len(rows) else "")
        if has_any(pair, ("INPUTTAX",)) and has_any(pair, ("NOTVALID", "CLAIM")):
            m.no_input_tax = max(m.no_input_tax, conf)
            m.source.setdefault("no_input_tax", row.text)
        for key, words in (("vatable", ("VATABLE",)), ("zero_rated", ("ZERORATED", "ZERO"))):
            if has_any(label, words) and not has_any(label, ("EXEMPT",)):
                amount, aconf = _row_amount(rows, i)
                if amount is not None and getattr(m, key) is None:
                    setattr(m, key, (amount.value, aconf))
        if has_any(label, ("EXEMPT",)) and not has_any(label, ("LESS", "DISC")):
            amount, aconf = _row_amount(rows, i)
            if amount is not None and find_amounts(row.text):
                if m.exempt is None:
                    m.exempt = (amount.value, aconf)
                    m.source.setdefault("exempt", row.text)
            elif has_any(label, ("VAT", "SC", "PWD", "SENIOR")):
                m.exempt_notice = max(m.exempt_notice, conf)
                m.source.setdefault("exempt_notice", row.text)
    return m


def parse_vat(rows: list[Row], total: Field) -> tuple[Field, Field]:
    """(tax, vat_status). The tax is the printed VAT amount when there is one; otherwise 0.00
    on a VAT-exempt or non-VAT sale (inferred from its marker, so trusted only when the
    marker was read surely), or total less VATable sales; vat_status says which of
    vatable / exempt / non_vat / unknown the receipt is."""
    m = _vat_markers(rows)
    exempt_sales = m.exempt is not None and m.exempt[0] > 0
    vatable_sales = m.vatable is not None and m.vatable[0] > 0

    best = _best_labelled_amount(rows, _tax_weight, prefer_last=False)
    if best is not None:
        weight, i, amount, conf = best
        if amount.value > 0:
            # a VAT amount that is 12/112 of the total reads right; one that isn't is still reported
            if total.value and abs(float(amount.value) - total.value * 12 / 112) > 0.05 + total.value * 0.002:
                weight *= 0.9
            tax = Field(float(amount.value), conf * weight, rows[i].text)
            return tax, Field("vatable", conf * weight, rows[i].text)
        tax = Field(0.0, conf * weight, rows[i].text)
        if m.non_vat:
            return tax, Field("non_vat", m.non_vat * 0.95, m.source["non_vat"])
        if (exempt_sales and not vatable_sales) or m.exempt_notice:
            source = m.source.get("exempt") or m.source["exempt_notice"]
            evidence = m.exempt[1] if exempt_sales else m.exempt_notice
            return tax, Field("exempt", min(conf, evidence) * 0.95, source)
        return tax, Field("unknown", 0.0)

    # No VAT amount printed.
    if m.non_vat or (m.no_input_tax and not m.vat_registered and not vatable_sales):
        evidence, weight, key = (m.non_vat, 0.95, "non_vat") if m.non_vat else (m.no_input_tax, 0.8, "no_input_tax")
        source = m.source[key]
        tax = Field(0.0, evidence * weight, source, inferred=True, evidence=evidence)
        return tax, Field("non_vat", evidence * weight, source)
    if (exempt_sales and not vatable_sales) or (m.exempt_notice and not vatable_sales):
        evidence = m.exempt[1] if exempt_sales else m.exempt_notice
        source = m.source.get("exempt") or m.source["exempt_notice"]
        weight = 0.9 if exempt_sales else 0.85
        tax = Field(0.0, evidence * weight, source, inferred=True, evidence=evidence)
        return tax, Field("exempt", evidence * weight, source)

    # Only the VATable sales (the VAT base) is printed: VAT = total - base - exempt - zero-rated.
    if m.vatable is not None and total.value:
        base, conf = m.vatable
        others = sum(float(x[0]) for x in (m.exempt, m.zero_rated) if x is not None)
        tax = round(total.value - float(base) - others, 2)
        if 0 <= tax <= total.value * 0.2:
            source = next((r.text for r in rows if has_any(label_of(r.text), ("VATABLE",))), "")
            evidence = min(conf, total.confidence)
            value = Field(tax, evidence * 0.7, source, inferred=True, evidence=evidence)
            return value, Field("vatable" if tax > 0 else "unknown", evidence * 0.7 if tax > 0 else 0.0, source)
    return Field(), Field("unknown", 0.0)


def parse_tax(rows: list[Row], total: Field) -> Field:
    return parse_vat(rows, total)[0]


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


# A year or day glued to the time printed after it ("DEC 16, 202614:32", "2025-03-1410:22:31"):
# the models drop the space between them.
_THEN_TIME = r"(?=\d{1,2}[:.]\d{2})"
_DATE_PATTERNS = (
    # 2026-11-21, 2026/11/21, 2025-03-14 10:22:31
    (
        "ymd",
        re.compile(r"(?<!\d)(?P<y>20\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{2}" + _THEN_TIME + r"|\d{1,2}(?!\d))"),
    ),
    # 21-Nov-2026, 21 NOV 2026, 21Nov26
    ("dmy_name", re.compile(r"(?<!\d)(?P<d>\d{1,2})[\s\-./]*" + _MON + r"[\s\-./,]*(?P<y>20\d{2}|\d{2})(?!\d)", re.I)),
    # Nov 21, 2026, November 21 2026, DEC 16, 2026 14:32, OCT 20,2024 09:15:07 AM
    (
        "mdy_name",
        re.compile(
            _MON + r"\s*(?P<d>\d{1,2})(?:ST|ND|RD|TH)?\s*[,.]?\s*(?P<y>20\d{2})(?:(?!\d)|" + _THEN_TIME + ")", re.I
        ),
    ),
    # 11/21/2026, 11-21-26 (month first, as printed in the Philippines; day first when it can only be that)
    ("mdy", re.compile(r"(?<![\d/.-])(?P<m>\d{1,2})[/.-](?P<d>\d{1,2})[/.-](?P<y>20\d{2}|\d{2})(?![\d/])")),
)
_DATE_EXCLUDE = ("ISSUED", "VALID", "UNTIL", "EXPIR", "ACCRED", "PTU", "PERMIT", "BIRTH", "EFFECTIVE", "SINCE")
_TIME_RE = re.compile(r"\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[AP]\.?M\.?)?", re.I)


def date_matches(text: str) -> list[tuple[date, int, int]]:
    """(date, start, end) of the dates written in `text`, in the order of the patterns above,
    without duplicates."""
    found: list[tuple[date, int, int]] = []
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
            if all(d != f[0] for f in found):
                found.append((d, m.start(), m.end()))
    return found


def find_dates(text: str) -> list[date]:
    """Dates written in `text`, in the order of the patterns above, without duplicates."""
    return [d for d, _, _ in date_matches(text)]


def _is_bare_date(text: str) -> bool:
    """Nothing on the row but a date (and a time): no label of its own."""
    rest = text
    for _, start, end in sorted(date_matches(text), key=lambda t: -t[1]):
        rest = rest[:start] + " " + rest[end:]
    return not re.sub(r"[^A-Z]", "", _TIME_RE.sub(" ", rest).upper())


def parse_date(rows: list[Row]) -> Field:
    """The sale's date: a labelled one first, then the one nearest the top, never the BIR
    permit dates (Date Issued, Valid Until, PTU; also a date alone on the line under such a
    label). A date split over several boxes, or over two rows, is put together and reported,
    but as reshaped: not trusted."""
    best: tuple[float, date, float, str, bool] | None = None
    n = max(len(rows), 1)
    excluded = [has_any(compact(row.text), _DATE_EXCLUDE) for row in rows]
    for i, row in enumerate(rows):
        label = compact(row.text)
        if excluded[i]:
            continue
        matches = date_matches(row.text)
        if not matches:
            continue
        if i > 0 and excluded[i - 1] and not find_dates(rows[i - 1].text) and _is_bare_date(row.text):
            continue  # "Date Issued:" / "DEC 15, 2020" on the next line
        d, start, end = matches[0]
        pieces = row.segment_index(start) != row.segment_index(max(end - 1, start))
        weight = 1.0 if has_any(label, ("DATE",)) else 0.9
        weight -= 0.1 * (i / n)  # the transaction date is printed near the top
        if best is None or weight > best[0]:
            best = (weight, d, row.confidence, row.text, pieces)
    if best is None:
        # A date broken over two rows ("DEC 16," / "2026 14:32"): put together, not trusted.
        for i in range(len(rows) - 1):
            if excluded[i] or excluded[i + 1] or (i > 0 and excluded[i - 1]):
                continue
            text = rows[i].text + " " + rows[i + 1].text
            if find_dates(rows[i].text) or find_dates(rows[i + 1].text):
                continue
            matches = date_matches(text)
            if matches:
                conf = min(rows[i].confidence, rows[i + 1].confidence)
                best = (0.8, matches[0][0], conf, text, True)
                break
    if best is None:
        return Field()
    weight, d, conf, text, pieces = best
    return Field(d.isoformat(), conf * weight, text, reshaped=pieces)


# --------------------------------------------------------------------------- vendor

# Skipped when found anywhere in the compact text (long enough not to occur inside a name).
_VENDOR_SKIP = (
    "RECEIPT",
    "INVOICE",
    "WELCOME",
    "VATREG",
    "NONVAT",
    "OPERATEDBY",
    "OWNEDBY",
    "CASHIER",
    "TERMINAL",
    "STORE#",
    "ACCREDIT",
)
# Skipped only as whole words: a store may be called "UNITED CITY MART" or "SAVEMORE".
_VENDOR_SKIP_WORDS = frozenset(
    (
        "TIN",
        "TEL",
        "PHONE",
        "MOBILE",
        "BRGY",
        "BARANGAY",
        "STREET",
        "ST",
        "AVE",
        "AVENUE",
        "BLVD",
        "ROAD",
        "RD",
        "CITY",
        "PROVINCE",
        "DATE",
        "TIME",
        "TABLE",
        "ORDER",
        "SERVER",
        "PROP",
        "PROPRIETOR",
    )
)
_WORDS = COMMON_WORDS | TRADE_WORDS


def _split_words(token: str) -> list[str] | None:
    """`token` as a sequence of known words, fewest first, or None."""
    best: list[list[str] | None] = [None] * (len(token) + 1)
    best[0] = []
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 14), end):
            head = best[start]
            piece = token[start:end]
            if head is not None and piece in _WORDS and (len(piece) > 1 or piece == "A"):
                cand = [*head, piece]
                if best[end] is None or len(cand) < len(best[end]):
                    best[end] = cand
    return best[len(token)]


def respace_word(token: str) -> str | None:
    """A run-together store name with its spaces put back ("SOUTHSTARDRUG" -> "SOUTH STAR
    DRUG"), or None when `token` is not one. It must end in a trade word and the rest must
    split into known words; a first part that is not a known word is allowed only before a
    trade word of six letters or more ("ROBINSONSSUPERMARKET")."""
    if not token.isalpha() or not token.isupper() or token in _WORDS or len(token) < 6:
        return None
    for trade in sorted((t for t in TRADE_WORDS if token.endswith(t) and len(t) < len(token)), key=len, reverse=True):
        head = token[: -len(trade)]
        words = _split_words(head)
        if words:
            return " ".join([*words, trade])
        if len(trade) >= 6 and len(head) >= 4:
            return f"{head} {trade}"
    return None


def respace(text: str) -> tuple[str, bool, bool]:
    """(text with glued words split again, whether anything was split, whether a word was
    left that looks glued but could not be split: 10+ letters and unknown, or known words run
    together without a trade word at the end)."""
    changed = suspect = False

    def one(m: re.Match) -> str:
        nonlocal changed, suspect
        word = m.group(0)
        split = respace_word(word)
        if split:
            changed = True
            return split
        upper = word.upper()
        if upper not in _WORDS:
            # long and unknown, or made of known words run together ("ALLDAY"): maybe glued
            pieces = _split_words(upper) if len(upper) >= 6 else None
            if len(word) >= 10 or (pieces and len(pieces) > 1 and min(map(len, pieces)) >= 3):
                suspect = True
        return word

    return re.sub(r"[A-Za-z]+", one, text), changed, suspect


def _vendor_candidate(text: str) -> bool:
    label = compact(text)
    letters = sum(c.isalpha() for c in text)
    digits = sum(c.isdigit() for c in text)
    if letters < 3 or digits > letters / 2:
        return False
    if re.match(r"^(MIN|SN|S/N|OR|SI|POS)\b", text.upper()) or has_any(label, _VENDOR_SKIP):
        return False
    return not (find_amounts(text) or find_dates(text))


def parse_vendor(rows: list[Row], top: int = 6) -> Field:
    """The store's name: the first name-like row of the top `top` rows with text (rows of
    stray marks do not count), or the first one printed in large type if there is one. A
    row with an address or contact word is skipped unless it is that large-type name or
    ends in a trade word.
    Words the OCR ran together are split again when they can be (reshaped: not trusted);
    a long word that looks run together but cannot be split lowers the confidence."""
    texty = [(i, row) for i, row in enumerate(rows) if sum(c.isalpha() for c in row.text) >= 3][:top]
    if not texty:
        return Field()
    median_h = statistics.median(r.height for r in rows)
    chosen: tuple[int, Row] | None = None
    for i, row in texty:
        text = row.text.strip()
        if not _vendor_candidate(text):
            continue
        large = row.height >= 1.3 * median_h
        words = re.findall(r"[A-Z]+", text.upper())
        # an address or contact line, unless it is the name in large type or ends in what the
        # shop is ("UNITED CITY MART")
        named = (large and not any(c.isdigit() for c in text)) or (words and words[-1] in TRADE_WORDS)
        if set(words) & _VENDOR_SKIP_WORDS and not named:
            continue
        if large:
            chosen = (i, row)
            break
        if chosen is None:
            chosen = (i, row)
    if chosen is None:
        return Field()
    i, row = chosen
    text = row.text.strip()
    value, reshaped, suspect = respace(text)
    weight = 0.95 if i == texty[0][0] or row.height >= 1.3 * median_h else 0.8
    if suspect:
        weight *= 0.6
    return Field(value, row.confidence * weight, text, reshaped=reshaped)


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
    return Field("PHP", 0.5, "", inferred=True, evidence=0.0)


# --------------------------------------------------------------------------- all


def parse_receipt(lines: list[TextLine]) -> tuple[list[Row], ReceiptFields]:
    rows = group_rows(lines)
    total = parse_total(rows)
    tax, vat_status = parse_vat(rows, total)
    fields = ReceiptFields(
        vendor=parse_vendor(rows),
        date=parse_date(rows),
        total=total,
        tax=tax,
        currency=parse_currency(rows),
        vat_status=vat_status,
    )
    return rows, fields
