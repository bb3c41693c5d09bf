"""Synthetic Philippine receipts rendered as phone photos, for real-OCR tests and benches.

Every receipt is drawn from a `random.Random(seed)`, so a given seed always gives the same
receipt and the same image bytes. Text is rendered with real TrueType fonts (Debian
`fonts-dejavu-core`, and `fonts-liberation` when installed), on a thermal-paper strip laid
on a table, then photographed: slight rotation, uneven light, blur, sensor noise and JPEG.

    python -m tests.receipts OUT_DIR [COUNT] [KIND]   # write a few samples to look at
"""

from __future__ import annotations

import calendar
import io
import random
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation"))
# (file name, has the peso sign U+20B1)
FONT_FILES = (
    ("DejaVuSansMono.ttf", True),
    ("DejaVuSans.ttf", True),
    ("DejaVuSansMono-Bold.ttf", True),
    ("LiberationMono-Regular.ttf", False),
    ("LiberationSans-Regular.ttf", False),
)

# More faces for the receipt kinds below (serif, condensed, narrow, bold), each with the bold
# face its headline is printed in. Debian `fonts-dejavu-core` has DejaVu Sans/Mono/Serif
# (+ Bold); `fonts-dejavu-extra` the condensed faces; `fonts-liberation` the Liberation ones.
# A face that is not installed falls back to DejaVu Sans Mono, as above.
KIND_FONT_FILES = (
    ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    ("LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf"),
    ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
    ("LiberationSansNarrow-Regular.ttf", "LiberationSansNarrow-Bold.ttf"),
)

PHOTO_SIZE = (1200, 1600)  # width, height: a phone photo as a client app uploads it (about 2 MP)

VENDORS = (
    "JOLLIBEE FOODS CORPORATION",
    "MERCURY DRUG CORPORATION",
    "SM SUPERMARKET",
    "PUREGOLD PRICE CLUB INC",
    "7-ELEVEN PHILIPPINES",
    "NATIONAL BOOKSTORE",
    "ACE HARDWARE PHILS INC",
    "ROBINSONS SUPERMARKET",
    "CHOWKING SM MEGAMALL",
    "SHELL SERVICE STATION",
    "STARBUCKS COFFEE BGC",
    "WATSONS PERSONAL CARE",
)
ITEMS = (
    "CHICKENJOY 1PC",
    "SPAGHETTI REG",
    "RICE",
    "COKE MISMO",
    "BIOGESIC 500MG",
    "ALAXAN FR",
    "BOND PAPER A4",
    "BALLPEN BLACK",
    "UNLEADED 95",
    "CAFE LATTE GR",
    "PANDESAL 10S",
    "SARDINES 155G",
    "DISHWASHING LIQ",
    "SHAMPOO SACHET",
    "MINERAL WATER 1L",
)
STREETS = ("Rizal Ave.", "EDSA cor. Shaw Blvd.", "Ayala Ave.", "Taft Ave.", "Ortigas Ave.", "Quezon Ave.")
CITIES = ("Makati City", "Quezon City", "Pasig City", "Taguig City", "Manila", "Cebu City")

DATE_FORMATS = ("mdy_slash", "d_mon_y", "iso", "mon_d_y", "mdy_slash_short", "d_mon_y_space", "month_d_y")
TOTAL_LABELS = ("TOTAL", "AMOUNT DUE", "TOTAL AMOUNT DUE", "TOTAL DUE")
VAT_LABELS = ("VAT AMOUNT", "12% VAT", "VAT (12%)", "VAT")
CURRENCY_STYLES = ("PHP", "peso", "P", "none")


def fmt_date(d: date, style: str) -> str:
    mon = calendar.month_abbr[d.month]
    if style == "mdy_slash":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == "mdy_slash_short":
        return f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}"
    if style == "d_mon_y":
        return f"{d.day:02d}-{mon}-{d.year}"
    if style == "d_mon_y_space":
        return f"{d.day} {mon.upper()} {d.year}"
    if style == "iso":
        return d.isoformat()
    if style == "mon_d_y":
        return f"{mon} {d.day}, {d.year}"
    if style == "month_d_y":
        return f"{calendar.month_name[d.month]} {d.day}, {d.year}"
    raise ValueError(style)


def money(v: Decimal) -> str:
    return f"{v:,.2f}"


def with_currency(v: Decimal, style: str) -> str:
    if style == "PHP":
        return f"PHP {money(v)}"
    if style == "peso":
        return f"\u20b1{money(v)}"
    if style == "P":
        return f"P{money(v)}"
    return money(v)


@dataclass
class Receipt:
    seed: int
    vendor: str
    date: date
    date_format: str
    total: Decimal
    tax: Decimal
    currency_style: str
    total_label: str
    vat_label: str
    font: str
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (left, right, align)
    kind: str = "standard"  # one of KINDS
    vat_status: str = "vatable"  # vatable / exempt / non_vat, as the parser should report it
    bold_font: str = ""  # the headline face (lines in `headline`)
    headline: dict[int, float] = field(default_factory=dict)  # line index -> size factor, printed bold
    tight: bool = False  # headline words set close together, as store names often are
    narrow: bool = False  # a 58 mm roll instead of 80 mm
    rough: bool = False  # a worse photo: shadow band, stronger blur, lower JPEG quality

    @property
    def expected(self) -> dict:
        return {
            "vendor": self.vendor,
            "date": self.date.isoformat(),
            "total": float(self.total),
            "tax": float(self.tax),
            "currency": "PHP",
            "vat_status": self.vat_status,
        }


def _font_path(name: str) -> str | None:
    for d in FONT_DIRS:
        if (d / name).exists():
            return str(d / name)
    return None


def pick_font(rng: random.Random, need_peso: bool) -> str:
    """A font file for the receipt. The draw is over the full list whatever is installed, so
    the same seed gives the same receipt everywhere; a missing font falls back to DejaVu."""
    names = [name for name, has_peso in FONT_FILES if has_peso or not need_peso]
    name = rng.choice(names)
    path = _font_path(name) or _font_path("DejaVuSansMono.ttf") or _font_path("DejaVuSans.ttf")
    if path is None:
        raise RuntimeError("no TrueType fonts found: apt-get install fonts-dejavu-core fonts-liberation")
    return path


def make_receipt(seed: int, kind: str = "standard") -> Receipt:
    """Draw the content of one receipt from the seed (and the kind: see KINDS)."""
    if kind != "standard":
        return make_kind_receipt(seed, kind)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not crypto
    vendor = rng.choice(VENDORS)
    d = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 730))
    date_format = DATE_FORMATS[seed % len(DATE_FORMATS)]
    currency_style = rng.choice(CURRENCY_STYLES)
    font = pick_font(rng, need_peso=currency_style == "peso")
    total_label = rng.choice(TOTAL_LABELS)
    vat_label = rng.choice(VAT_LABELS)

    items = []
    for _ in range(rng.randint(2, 6)):
        qty = rng.choice((1, 1, 1, 2, 3))
        unit = (
            Decimal(rng.randrange(1500, 250000)) / 100
            if rng.random() < 0.3
            else Decimal(rng.randrange(1500, 60000)) / 100
        )
        items.append((rng.choice(ITEMS), qty, unit))
    subtotal = sum((q * u for _, q, u in items), Decimal("0"))
    discount = Decimal("0")
    if rng.random() < 0.25:
        discount = (subtotal * Decimal("0.20")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    total = subtotal - discount
    vatable = (total / Decimal("1.12")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    tax = total - vatable
    cash = (total / 100).to_integral_value(rounding="ROUND_CEILING") * 100 + (100 if rng.random() < 0.5 else 0)
    change = cash - total

    r = Receipt(seed, vendor, d, date_format, total, tax, currency_style, total_label, vat_label, font)
    add = r.lines.append
    add((vendor, "", "center"))
    if rng.random() < 0.5:
        add((f"Operated by: {rng.choice(('JFC', 'Golden ABC', 'Prime Retail'))} Inc.", "", "center"))
    add((f"{rng.randint(1, 999)} {rng.choice(STREETS)}", "", "center"))
    add((rng.choice(CITIES), "", "center"))
    add((f"VAT REG TIN: {rng.randint(100, 999)}-{rng.randint(100, 999)}-{rng.randint(100, 999)}-000", "", "center"))
    add((f"MIN: {rng.randint(10**10, 10**11 - 1)}", "", "center"))
    add(("SALES INVOICE" if rng.random() < 0.5 else "OFFICIAL RECEIPT", "", "center"))
    ds = fmt_date(d, date_format)
    tm = f"{rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}"
    if rng.random() < 0.6:
        add((f"Date: {ds}", f"Time: {tm}", "lr"))
    else:
        add((ds, tm, "lr"))
    add((f"OR#: {rng.randint(1, 99999):06d}", f"Cashier: {rng.choice(('ANA', 'MARK', 'JOY', 'RICO'))}", "lr"))
    add(("-" * 34, "", "center"))
    for name, qty, unit in items:
        label = f"{qty} x {name}" if qty > 1 else name
        add((label, money(qty * unit), "lr"))
    add(("-" * 34, "", "center"))
    add((f"TOTAL QTY: {sum(q for _, q, _ in items)}", "", "left"))
    add(("SUBTOTAL", money(subtotal), "lr"))
    if discount:
        add(("LESS: SC/PWD DISC 20%", f"-{money(discount)}", "lr"))
    add((total_label, with_currency(total, currency_style), "lr"))
    add(("CASH", money(cash), "lr"))
    add(("CHANGE", money(change), "lr"))
    add(("-" * 34, "", "center"))
    add(("VATable Sales", money(vatable), "lr"))
    add((vat_label, money(tax), "lr"))
    add(("VAT-Exempt Sales", "0.00", "lr"))
    add(("Zero-Rated Sales", "0.00", "lr"))
    add(("-" * 34, "", "center"))
    add(("THANK YOU! PLEASE COME AGAIN", "", "center"))
    issued = date(2020, 1, 1) + timedelta(days=rng.randrange(0, 900))
    add((f"PTU No: FP{rng.randint(10**8, 10**9 - 1)}", "", "center"))
    add((f"Date Issued: {fmt_date(issued, 'mdy_slash')}", "", "center"))
    add((f"Valid Until: {fmt_date(issued.replace(year=issued.year + 5), 'mdy_slash')}", "", "center"))
    return r


# ------------------------------------------------------------------ receipt kinds
#
# Receipts unlike the standard one above, in the ways real ones differ from it:
#   date_time     the date in upper case with the time on the same line ("DEC 16, 2026 14:32",
#                 "OCT 20, 2024 09:15:07 AM", "2025-03-14 10:22:31"), and the printer's
#                 accreditation block at the bottom dated in the same style
#   brand_vendor  a store name in large bold type on the top line: one word ("PUREGOLD"), or
#                 several set close together ("SOUTH STAR DRUG")
#   vat_exempt    a senior-citizen / PWD sale: VAT-exempt sales, the VAT taken off, no VAT
#   non_vat       a seller not registered for VAT: NON-VAT REG. TIN, no VAT block, the
#                 "not valid for claim of input tax" notice
# They draw from their own random stream, so the standard receipts stay as they were; each
# draws a font from KIND_FONT_FILES, a 58 or 80 mm roll, and a fair or rough photo.

KINDS = ("date_time", "brand_vendor", "vat_exempt", "non_vat")
BRANDS = ("PUREGOLD", "ROBINSONS", "SHOPWISE", "SAVEMORE", "ALFAMART", "MINISTOP", "LANDMARK", "GAISANO", "METRO")
SPACED_STORES = (
    "SOUTH STAR DRUG",
    "ROSE PHARMACY",
    "ALL DAY SUPERMARKET",
    "THE GENERICS PHARMACY",
    "GOLDEN CROWN BAKERY",
    "GREEN LEAF HARDWARE",
    "UNITED CITY MART",
    "BLUE OCEAN SEAFOOD",
)
SMALL_SELLERS = (
    "ALING NENA SARI-SARI STORE",
    "KUYA JUN CARINDERIA",
    "BANTAYAN PRINTING SERVICES",
    "SAN ROQUE BAKESHOP",
    "DELA CRUZ AUTO SUPPLY",
    "MANG TOMAS LUGAWAN",
)
KIND_DATE_FORMATS = ("MON_D_Y_24", "MON_DD_Y_12", "ISO_TIME")


def fmt_kind_date(d: date, style: str, rng: random.Random) -> str:
    """A date as the kinds print it, the time on the same line."""
    mon = calendar.month_abbr[d.month].upper()
    hh, mm, ss = rng.randint(7, 22), rng.randint(0, 59), rng.randint(0, 59)
    if style == "MON_D_Y_24":
        return f"{mon} {d.day}, {d.year} {hh:02d}:{mm:02d}"
    if style == "MON_DD_Y_12":
        return f"{mon} {d.day:02d}, {d.year} {(hh - 1) % 12 + 1:02d}:{mm:02d}:{ss:02d} {'AM' if hh < 12 else 'PM'}"
    if style == "ISO_TIME":
        return f"{d.isoformat()} {hh:02d}:{mm:02d}:{ss:02d}"
    raise ValueError(style)


def _kind_font(rng: random.Random) -> tuple[str, str]:
    regular, bold = rng.choice(KIND_FONT_FILES)
    fallback = _font_path("DejaVuSansMono.ttf") or _font_path("DejaVuSans.ttf")
    if fallback is None:
        raise RuntimeError("no TrueType fonts found: apt-get install fonts-dejavu-core fonts-liberation")
    path = _font_path(regular) or fallback
    return path, (_font_path(bold) or _font_path("DejaVuSansMono-Bold.ttf") or path)


def _items(rng: random.Random) -> list[tuple[str, int, Decimal]]:
    return [
        (rng.choice(ITEMS), rng.choice((1, 1, 2, 3)), Decimal(rng.randrange(1500, 60000)) / 100)
        for _ in range(rng.randint(2, 5))
    ]


def _tin(rng: random.Random) -> str:
    return f"{rng.randint(100, 999)}-{rng.randint(100, 999)}-{rng.randint(100, 999)}-{rng.randint(0, 99999):05d}"


def _accreditation(rng: random.Random, date_style: str) -> list[tuple[str, str, str]]:
    """The BIR accreditation block printed under every receipt: the printer's permit dates,
    in the receipt's own date style, which the parser must not take for the sale's date."""
    issued = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 1500))
    until = issued.replace(year=issued.year + 5)
    if date_style in KIND_DATE_FORMATS:
        issued_s = fmt_kind_date(issued, date_style, rng).rsplit(" ", 2 if date_style == "MON_DD_Y_12" else 1)[0]
        until_s = fmt_kind_date(until, date_style, rng).rsplit(" ", 2 if date_style == "MON_DD_Y_12" else 1)[0]
    else:
        issued_s, until_s = fmt_date(issued, date_style), fmt_date(until, date_style)
    lines = [(f"Accreditation No: {rng.randint(10**13, 10**14 - 1)}", "", "center")]
    if rng.random() < 0.3:
        # the permit date alone on the line under its label
        lines += [("Date Issued:", "", "center"), (issued_s, "", "center")]
    else:
        lines.append((f"Date Issued: {issued_s}", "", "center"))
    lines.append((f"Valid Until: {until_s}", "", "center"))
    lines.append((f"PTU No: FP{rng.randint(10**8, 10**9 - 1)}", "", "center"))
    return lines


def make_kind_receipt(seed: int, kind: str) -> Receipt:
    """Draw one receipt of `kind` (see KINDS) from the seed."""
    if kind not in KINDS:
        raise ValueError(f"unknown receipt kind {kind!r}")
    rng = random.Random(f"{kind}:{seed}")  # noqa: S311 - reproducible test data, not crypto
    font, bold = _kind_font(rng)
    d = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 1000))
    if kind == "date_time":
        date_format = KIND_DATE_FORMATS[seed % len(KIND_DATE_FORMATS)]
    else:
        date_format = rng.choice(DATE_FORMATS + KIND_DATE_FORMATS)
    ds = fmt_kind_date(d, date_format, rng) if date_format in KIND_DATE_FORMATS else fmt_date(d, date_format)
    currency_style = rng.choice(("PHP", "P", "none"))
    total_label = rng.choice(TOTAL_LABELS)
    vat_label = rng.choice(VAT_LABELS)

    if kind == "brand_vendor":
        vendor = rng.choice(BRANDS if seed % 2 == 0 else SPACED_STORES)
    elif kind == "non_vat":
        vendor = rng.choice(SMALL_SELLERS)
    else:
        vendor = rng.choice(VENDORS + BRANDS + SPACED_STORES)

    items = _items(rng)
    gross = sum((q * u for _, q, u in items), Decimal("0"))
    vat_status = {"vat_exempt": "exempt", "non_vat": "non_vat"}.get(kind, "vatable")
    if kind == "vat_exempt":
        exempt = (gross / Decimal("1.12")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        discount = (exempt * Decimal("0.20")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        total, tax, vatable = exempt - discount, Decimal("0.00"), Decimal("0.00")
    elif kind == "non_vat":
        exempt = discount = vatable = Decimal("0.00")
        total, tax = gross, Decimal("0.00")
    else:
        exempt = discount = Decimal("0.00")
        total = gross
        vatable = (total / Decimal("1.12")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        tax = total - vatable
    cash = (total / 100).to_integral_value(rounding="ROUND_CEILING") * 100 + (100 if rng.random() < 0.5 else 0)

    r = Receipt(seed, vendor, d, date_format, total, tax, currency_style, total_label, vat_label, font)
    r.kind, r.vat_status, r.bold_font = kind, vat_status, bold
    r.narrow = rng.random() < 0.35
    r.rough = rng.random() < 0.4
    add = r.lines.append
    add((vendor, "", "center"))
    if kind == "brand_vendor" or rng.random() < 0.4:
        r.headline[0] = rng.choice((1.5, 1.7, 2.0))
        r.tight = kind == "brand_vendor" or rng.random() < 0.5
    if kind == "brand_vendor" and " " not in vendor:
        add((f"{vendor.title()} {rng.choice(('Price Club', 'Stores', 'Retail'))}, Inc.", "", "center"))
    if kind == "non_vat":
        add(
            (
                f"Prop: {rng.choice(('Juan', 'Maria', 'Jose', 'Ana'))} {rng.choice(('Dela Cruz', 'Santos', 'Reyes'))}",
                "",
                "center",
            )
        )
    add((f"{rng.randint(1, 999)} {rng.choice(STREETS)}", "", "center"))
    add((rng.choice(CITIES), "", "center"))
    if kind == "non_vat":
        add((f"{rng.choice(('NON-VAT REG. TIN', 'NON-VAT REG TIN', 'NON VAT Reg. TIN'))}: {_tin(rng)}", "", "center"))
    else:
        add((f"VAT REG TIN: {_tin(rng)}", "", "center"))
    add((f"MIN: {rng.randint(10**10, 10**11 - 1)}", "", "center"))
    add((rng.choice(("SALES INVOICE", "OFFICIAL RECEIPT", "CASH INVOICE")), "", "center"))
    layout = rng.random()
    if layout < 0.4:
        add((ds, "", "left"))
    elif layout < 0.7:
        add((f"Date: {ds}", "", "left"))
    else:
        add((ds, "", "center"))
    add((f"SI No: {rng.randint(1, 99999):06d}", f"Cashier: {rng.choice(('ANA', 'MARK', 'JOY', 'RICO'))}", "lr"))
    add(("-" * 30, "", "center"))
    for name, qty, unit in items:
        add((f"{qty} x {name}" if qty > 1 else name, money(qty * unit), "lr"))
    add(("-" * 30, "", "center"))
    if kind == "vat_exempt":
        add(("SUBTOTAL", money(gross), "lr"))
        add(("LESS: VAT 12%", f"-{money(gross - exempt)}", "lr"))
        add(
            (
                rng.choice(("LESS: SC DISC 20%", "LESS: PWD DISC 20%", "SENIOR CITIZEN DISC")),
                f"-{money(discount)}",
                "lr",
            )
        )
    else:
        add(("SUBTOTAL", money(gross), "lr"))
    add((total_label, with_currency(total, currency_style), "lr"))
    add(("CASH", money(cash), "lr"))
    add(("CHANGE", money(cash - total), "lr"))
    add(("-" * 30, "", "center"))
    if kind == "vat_exempt":
        style = rng.choice(("block", "block_no_vat", "marker"))
        if style in ("block", "block_no_vat"):
            add(("VATable Sales", "0.00", "lr"))
            add((rng.choice(("VAT-Exempt Sales", "VAT-EXEMPT SALES", "VAT EXEMPT SALES")), money(exempt), "lr"))
            add(("Zero-Rated Sales", "0.00", "lr"))
            if style == "block":
                add((vat_label, "0.00", "lr"))
        else:
            add((rng.choice(("VAT EXEMPT", "*** VAT-EXEMPT SALE ***", "SC/PWD VAT EXEMPT")), "", "center"))
        add((f"SC/PWD ID No: {rng.randint(10**5, 10**6 - 1)}", "", "left"))
        add(("Signature: ____________", "", "left"))
    elif kind == "non_vat":
        add(("THIS DOCUMENT IS NOT VALID", "", "center"))
        add(("FOR CLAIM OF INPUT TAX", "", "center"))
    else:
        add(("VATable Sales", money(vatable), "lr"))
        add((vat_label, money(tax), "lr"))
        add(("VAT-Exempt Sales", "0.00", "lr"))
        add(("Zero-Rated Sales", "0.00", "lr"))
    add(("-" * 30, "", "center"))
    add(("THANK YOU! PLEASE COME AGAIN", "", "center"))
    for line in _accreditation(rng, date_format):
        add(line)
    return r


def _draw_headline(draw, text: str, font, width: int, y: float, ink: int, tight: bool) -> None:
    """A centred bold store name; `tight` sets its words a third of a space apart."""
    words = text.split(" ")
    gap = draw.textlength(" ", font=font) * (0.3 if tight else 1.0)
    total = sum(draw.textlength(w, font=font) for w in words) + gap * (len(words) - 1)
    x = (width - total) / 2
    for w in words:
        draw.text((x, y), w, font=font, fill=ink)
        x += draw.textlength(w, font=font) + gap


def render_paper(r: Receipt, rng: random.Random) -> Image.Image:
    """The receipt as printed: dark text on a narrow strip of slightly off-white paper."""
    size = rng.randint(26, 30)
    font = ImageFont.truetype(r.font, size)
    width = 820
    if r.narrow:
        width = 640
        # the same characters per line on a narrower roll: a smaller font
        size = max(20, int(size * 0.8))
        font = ImageFont.truetype(r.font, size)
    margin = 36
    line_h = int(size * 1.45)
    heights = [int(line_h * r.headline.get(i, 1.0)) for i in range(len(r.lines))]
    height = margin * 2 + sum(heights)
    tone = rng.randint(232, 250)
    paper = Image.new("L", (width, height), tone)
    draw = ImageDraw.Draw(paper)
    ink = rng.randint(20, 60)
    y = margin
    for i, (left, right, align) in enumerate(r.lines):
        if i in r.headline:
            big = ImageFont.truetype(r.bold_font or r.font, int(size * r.headline[i]))
            _draw_headline(draw, left, big, width, y, ink, r.tight)
        elif align == "center":
            w = draw.textlength(left, font=font)
            draw.text(((width - w) / 2, y), left, font=font, fill=ink)
        else:
            draw.text((margin, y), left, font=font, fill=ink)
            if right:
                w = draw.textlength(right, font=font)
                draw.text((width - margin - w, y), right, font=font, fill=ink)
        y += heights[i]
    return paper


def photograph(
    paper: Image.Image, rng: random.Random, size: tuple[int, int] = PHOTO_SIZE, rough: bool = False
) -> Image.Image:
    """Lay the paper on a table and take a phone photo of it (`rough`: a worse one)."""
    pw, ph = size
    scale = min((pw * 0.86) / paper.width, (ph * 0.94) / paper.height, 1.0)
    paper = paper.resize((int(paper.width * scale), int(paper.height * scale)), Image.LANCZOS)
    angle = rng.uniform(-2.5, 2.5)
    rgba = paper.convert("RGBA").rotate(angle, resample=Image.BICUBIC, expand=True)
    bg_color = (rng.randint(90, 150), rng.randint(80, 130), rng.randint(60, 110))
    photo = Image.new("RGB", size, bg_color)
    x = (pw - rgba.width) // 2 + rng.randint(-20, 20)
    y = (ph - rgba.height) // 2 + rng.randint(-15, 15)
    photo.paste(rgba.convert("RGB"), (x, y), rgba)

    arr = np.asarray(photo).astype(np.float32)
    # uneven light: a soft gradient across the frame
    gy, gx = np.mgrid[0:ph, 0:pw].astype(np.float32)
    light = 0.85 + 0.2 * (gx / pw) * rng.uniform(0.5, 1.0) + 0.05 * (gy / ph)
    if rough:
        # the phone's shadow: a soft dark band across the receipt
        centre, spread = rng.uniform(0.25, 0.75) * ph, rng.uniform(0.06, 0.12) * ph
        light = light * (1.0 - 0.3 * np.exp(-(((gy - centre) / spread) ** 2)))
    arr *= light[..., None]
    photo = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    blur = rng.uniform(1.0, 1.5) if rough else rng.uniform(0.6, 1.2)
    photo = photo.filter(ImageFilter.GaussianBlur(radius=blur))
    arr = np.asarray(photo).astype(np.float32)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0.0, rng.uniform(4.0, 8.0), arr.shape)
    photo = Image.fromarray(np.clip(arr + noise, 0, 255).astype(np.uint8))
    return photo


def receipt_jpeg(seed: int, size: tuple[int, int] = PHOTO_SIZE) -> tuple[Receipt, bytes]:
    """The receipt drawn from `seed` and its photo as JPEG bytes (deterministic)."""
    return render_jpeg(make_receipt(seed), size)


def kind_receipt_jpeg(seed: int, kind: str, size: tuple[int, int] = PHOTO_SIZE) -> tuple[Receipt, bytes]:
    """A receipt of one of KINDS and its photo as JPEG bytes (deterministic)."""
    return render_jpeg(make_kind_receipt(seed, kind), size)


def render_jpeg(r: Receipt, size: tuple[int, int] = PHOTO_SIZE) -> tuple[Receipt, bytes]:
    rng = random.Random(r.seed * 7919 + 1)  # noqa: S311 - reproducible test data, not crypto
    photo = photograph(render_paper(r, rng), rng, size, rough=r.rough)
    buf = io.BytesIO()
    quality = rng.randint(80, 92)
    if r.rough:
        quality = rng.randint(60, 75)
    photo.save(buf, format="JPEG", quality=quality)
    return r, buf.getvalue()


def dataset(count: int, first_seed: int = 1000) -> list[tuple[Receipt, bytes]]:
    return [receipt_jpeg(first_seed + i) for i in range(count)]


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    kind = sys.argv[3] if len(sys.argv) > 3 else "standard"
    samples = dataset(n) if kind == "standard" else [kind_receipt_jpeg(1000 + i, kind) for i in range(n)]
    for rec, data in samples:
        (out / f"receipt-{rec.seed}.jpg").write_bytes(data)
        print(rec.seed, rec.expected)
