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


@dataclass
class Field:
    value: Any = None
    confidence: float = 0.0
    source: str = ""  # the row it was read from, for audits

    def to_dict(self, min_confidence: float) -> dict[str, Any]:
        conf = round(float(self.confidence), 4) if self.value is not None else 0.0
        return {
            "value": self.value,
            "confidence": conf,
            "trusted": self.value is not None and conf >= min_confidence,
        }


@dataclass
class ReceiptFields:
    vendor: Field = field(default_factory=Field)
    date: Field = field(default_factory=Field)
    total: Field = field(default_factory=Field)
    tax: Field = field(default_factory=Field)
    currency: Field = field(default_factory=Field)

    def to_dict(self, min_confidence: float) -> dict[str, Any]:
        return {
            name: getattr(self, name).to_dict(min_confidence) for name in ("vendor", "date", "total", "tax", "currency")
        }
