"""Fakes shared by the tests: text lines laid out like an engine returns them."""

from __future__ import annotations

import math

from insightpulse_ocr.models import TextLine


def line(text: str, x: float, y: float, conf: float = 0.97, w: float | None = None, h: float = 28.0, angle_deg=0.0):
    """A TextLine whose box starts at (x, y), `w` wide (default from the text), turned by angle_deg."""
    w = w if w is not None else 16.0 * len(text)
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    p0 = (x, y)
    p1 = (x + w * c, y + w * s)
    p2 = (p1[0] - h * s, p1[1] + h * c)
    p3 = (x - h * s, y + h * c)
    return TextLine(text, conf, (p0, p1, p2, p3))


def receipt_lines(rows: list[tuple[str, str]], conf: float = 0.97, angle_deg: float = 0.0) -> list[TextLine]:
    """Rows of (left text, right text) printed 40 px apart on an 800 px wide receipt,
    the right text right-aligned at x=760; the whole receipt turned by angle_deg about (0, 0)."""
    a = math.radians(angle_deg)
    out = []
    for i, (left, right) in enumerate(rows):
        y = 40 + 40 * i
        for text, x in ((left, 40.0), (right, 760.0 - 16.0 * len(right))):
            if not text:
                continue
            # rotate the start point, and the box with it
            rx = x * math.cos(a) - y * math.sin(a)
            ry = x * math.sin(a) + y * math.cos(a)
            out.append(line(text, rx, ry, conf, angle_deg=angle_deg))
    return out


SIMPLE_RECEIPT = [
    ("JOLLIBEE FOODS CORPORATION", ""),
    ("123 Rizal Ave., Makati City", ""),
    ("VAT REG TIN: 000-123-456-000", ""),
    ("Date: 11/21/2026", "Time: 14:32"),
    ("2 x CHICKENJOY", "398.00"),
    ("SPAGHETTI", "722.00"),
    ("TOTAL QTY: 3", ""),
    ("SUBTOTAL", "1,120.00"),
    ("TOTAL AMOUNT DUE", "PHP 1,120.00"),
    ("CASH", "1,500.00"),
    ("CHANGE", "380.00"),
    ("VATable Sales", "1,000.00"),
    ("VAT AMOUNT", "120.00"),
    ("Date Issued: 01/15/2020", ""),
]
