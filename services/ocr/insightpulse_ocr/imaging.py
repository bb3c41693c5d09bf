"""Image bytes in, an array the engines read out; clear errors for what is not an image."""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .upload import UploadError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF", "MPO"}


class ImageError(UploadError):
    """The upload is not an image the service can read; `status` is the HTTP answer."""


def decode_image(data: bytes, max_pixels: int, max_side: int) -> np.ndarray:
    """Decode `data` into an HxWx3 uint8 BGR array, upright (EXIF) and at most `max_side` on
    its long side. Raises ImageError: 415 for what is not an image of an accepted format,
    400 for a corrupt or truncated one, 413 for one with too many pixels."""
    if not data:
        raise ImageError(400, "empty upload: send the receipt image in the multipart field 'file'")
    try:
        img = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:
        raise ImageError(415, "not an image: send a JPEG, PNG, WEBP, BMP, TIFF or GIF receipt photo") from exc
    if img.format not in ACCEPTED_FORMATS:
        raise ImageError(415, f"unsupported image format {img.format}: send JPEG, PNG, WEBP, BMP, TIFF or GIF")
    width, height = img.size
    if width < 16 or height < 16:
        raise ImageError(400, f"image too small ({width}x{height}) to hold a receipt")
    if width * height > max_pixels:
        raise ImageError(413, f"image too large: {width}x{height} pixels, limit {max_pixels}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img.load()
            img = ImageOps.exif_transpose(img)
            if img.mode not in ("RGB", "L"):
                if "A" in img.getbands() or img.mode == "P":
                    rgba = img.convert("RGBA")
                    img = Image.new("RGB", rgba.size, (255, 255, 255))
                    img.paste(rgba, mask=rgba.getchannel("A"))
                else:
                    img = img.convert("RGB")
            if img.mode == "L":
                img = img.convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageError(400, f"corrupt or truncated image: {exc}") from exc
    if max(img.size) > max_side:
        img.thumbnail((max_side, max_side), Image.LANCZOS)
    return np.ascontiguousarray(np.asarray(img, dtype=np.uint8)[:, :, ::-1])
