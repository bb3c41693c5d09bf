"""The interface every OCR engine implements."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..models import TextLine


class EngineUnavailable(RuntimeError):
    """The engine's library or models are missing on this host."""


class OcrEngine(Protocol):
    name: str

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        """Text lines found in `image`, an HxWx3 uint8 array in BGR order (OpenCV's)."""
        ...


def to_box(points) -> tuple[tuple[float, float], ...]:
    """Four (x, y) points from whatever the engine returns (lists, tuples, numpy arrays).

    Axis-aligned boxes given as [x0, y0, x1, y1] become their four corners."""
    pts = np.asarray(points, dtype=float).reshape(-1)
    if pts.size == 4:
        x0, y0, x1, y1 = pts.tolist()
        return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    pts = pts.reshape(-1, 2)
    if pts.shape[0] != 4:
        raise ValueError(f"expected a 4-point box, got {pts.shape[0]} points")
    return tuple((float(x), float(y)) for x, y in pts)  # type: ignore[return-value]
