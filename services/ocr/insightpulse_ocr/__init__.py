"""InsightPulse receipt OCR service: PaddleOCR models behind a token-protected HTTP API."""

__version__ = "0.1.0"
