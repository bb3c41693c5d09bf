"""Plain data shared by the engines, the parser and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Point = tuple[float, float]


@dataclass(frozen=True)
class TextLine:
    """One piece of text the engine found: what it reads, how sure it is, where it is.

    `box` is the quadrilateral around the text, four (x, y) points in image pixels,
    clockwise from top-left, as both PaddleOCR and RapidOCR give it.
    """

    text: str
    confidence: float
    box: tuple[Point, Point, Point, Point]

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "confidence": round(float(self.confidence), 4),
            "box": [[round(float(x), 1), round(float(y), 1)] for x, y in self.box],
        }


# An inferred value is trusted only when the text it was deduced from was read at least this
# surely (OCR confidence), whatever its own confidence.
INFERRED_MIN_EVIDENCE = 0.90


@dataclass
class Field:
    """One parsed value and how far to believe it.

    `reshaped`: the value is not the text as read but the parser's reshaping of it (a store
    name with its lost spaces put back, a date put together from pieces in separate boxes or
    rows). Never trusted: a person or a rule must confirm it.
    `inferred`: the value is not printed but deduced from printed text (VAT 0.00 from a
    VAT-exempt or non-VAT marker, VAT as total less VATable sales, PHP when no currency is
    printed). Trusted only when `evidence`, the OCR confidence of that text, is at least
    INFERRED_MIN_EVIDENCE.
    """

    value: Any = None
    confidence: float = 0.0
    source: str = ""  # the row it was read from, for audits
    reshaped: bool = False
    inferred: bool = False
    evidence: float = 1.0

    def trusted(self, min_confidence: float) -> bool:
        if self.value is None or self.reshaped:
            return False
        if self.inferred and self.evidence < INFERRED_MIN_EVIDENCE:
            return False
        return round(float(self.confidence), 4) >= min_confidence

    def to_dict(self, min_confidence: float) -> dict[str, Any]:
        conf = round(float(self.confidence), 4) if self.value is not None else 0.0
        return {
            "value": self.value,
            "confidence": conf,
            "trusted": self.trusted(min_confidence),
            "reshaped": self.reshaped,
            "inferred": self.inferred,
        }


@dataclass
class ReceiptFields:
    vendor: Field = field(default_factory=Field)
    date: Field = field(default_factory=Field)
    total: Field = field(default_factory=Field)
    tax: Field = field(default_factory=Field)
    currency: Field = field(default_factory=Field)
    # vatable / exempt / non_vat / unknown: tells a tax of 0.00 on a VAT-exempt or non-VAT
    # sale from a VAT that was not read
    vat_status: Field = field(default_factory=lambda: Field("unknown"))

    def to_dict(self, min_confidence: float) -> dict[str, Any]:
        return {
            name: getattr(self, name).to_dict(min_confidence)
            for name in ("vendor", "date", "total", "tax", "currency", "vat_status")
        }
