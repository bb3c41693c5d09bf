"""Synthetic Philippine receipts rendered as phone photos, for real-OCR tests and benches.

Every receipt is drawn from a `random.Random(seed)`, so a given seed always gives the same
receipt and the same image bytes. Text is rendered with real TrueType fonts (Debian
`fonts-dejavu-core`, and `fonts-liberation` when installed), on a thermal-paper strip laid
on a table, then photographed: slight rotation, uneven light, blur, sensor noise and JPEG.

    python -m tests.receipts OUT_DIR [COUNT]   # write a few samples to look at
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

    @property
    def expected(self) -> dict:
        return {
            "vendor": self.vendor,
            "date": self.date.isoformat(),
            "total": float(self.total),
            "tax": float(self.tax),
            "currency": "PHP",
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


def make_receipt(seed: int) -> Receipt:
    """Draw the content of one receipt from the seed."""
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


def render_paper(r: Receipt, rng: random.Random) -> Image.Image:
    """The receipt as printed: dark text on a narrow strip of slightly off-white paper."""
    size = rng.randint(26, 30)
    font = ImageFont.truetype(r.font, size)
    width = 820
    margin = 36
    line_h = int(size * 1.45)
    height = margin * 2 + line_h * len(r.lines)
    tone = rng.randint(232, 250)
    paper = Image.new("L", (width, height), tone)
    draw = ImageDraw.Draw(paper)
    ink = rng.randint(20, 60)
    y = margin
    for left, right, align in r.lines:
        if align == "center":
            w = draw.textlength(left, font=font)
            draw.text(((width - w) / 2, y), left, font=font, fill=ink)
        else:
            draw.text((margin, y), left, font=font, fill=ink)
            if right:
                w = draw.textlength(right, font=font)
                draw.text((width - margin - w, y), right, font=font, fill=ink)
        y += line_h
    return paper


def photograph(paper: Image.Image, rng: random.Random, size: tuple[int, int] = PHOTO_SIZE) -> Image.Image:
    """Lay the paper on a table and take a phone photo of it."""
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
    arr *= light[..., None]
    photo = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    photo = photo.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.6, 1.2)))
    arr = np.asarray(photo).astype(np.float32)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0.0, rng.uniform(4.0, 8.0), arr.shape)
    photo = Image.fromarray(np.clip(arr + noise, 0, 255).astype(np.uint8))
    return photo


def receipt_jpeg(seed: int, size: tuple[int, int] = PHOTO_SIZE) -> tuple[Receipt, bytes]:
    """The receipt drawn from `seed` and its photo as JPEG bytes (deterministic)."""
    r = make_receipt(seed)
    rng = random.Random(seed * 7919 + 1)  # noqa: S311 - reproducible test data, not crypto
    photo = photograph(render_paper(r, rng), rng, size)
    buf = io.BytesIO()
    photo.save(buf, format="JPEG", quality=rng.randint(80, 92))
    return r, buf.getvalue()


def dataset(count: int, first_seed: int = 1000) -> list[tuple[Receipt, bytes]]:
    return [receipt_jpeg(first_seed + i) for i in range(count)]


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    for rec, data in dataset(n):
        (out / f"receipt-{rec.seed}.jpg").write_bytes(data)
        print(rec.seed, rec.expected)
