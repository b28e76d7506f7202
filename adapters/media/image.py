"""Open an uploaded image safely: size and format are checked from the header before any decoding.

Pillow's ``Image.open`` only reads the header, so a 50000x50000 PNG of a few kilobytes (a
decompression bomb) is refused here without its pixels ever being allocated.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image

from adapters.media.limits import MediaLimits
from tutor.errors import PayloadTooLargeError, UnprocessableError

__all__ = ["ALLOWED_IMAGE_FORMATS", "open_image"]

ALLOWED_IMAGE_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})

# Pillow's own guard as a second line: it raises DecompressionBombError above twice this value.
Image.MAX_IMAGE_PIXELS = MediaLimits().max_image_pixels


def open_image(data: bytes, limits: MediaLimits | None = None) -> Image.Image:
    """Validate ``data`` and return the decoded image; 413/422 with a message a learner can act on."""
    limits = limits or MediaLimits()
    if not data:
        raise UnprocessableError("The uploaded image is empty.")
    if len(data) > limits.max_image_bytes:
        raise PayloadTooLargeError(
            f"The image is larger than {limits.max_image_bytes // (1024 * 1024)} MB; "
            "please upload a smaller picture.",
            max_bytes=limits.max_image_bytes,
        )
    try:
        with warnings.catch_warnings():
            # our own pixel check below is the limit; Pillow's warning would only add log noise
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=sorted(ALLOWED_IMAGE_FORMATS))
    except Image.DecompressionBombError:
        raise _too_many_pixels(limits) from None
    except (OSError, SyntaxError, ValueError):
        raise UnprocessableError(
            "The file is not a readable PNG, JPEG or WebP image.", allowed_formats=["png", "jpeg", "webp"]
        ) from None
    width, height = img.size
    if width < 1 or height < 1:
        raise UnprocessableError("The image has no pixels.")
    if width * height > limits.max_image_pixels:
        raise _too_many_pixels(limits, width, height)
    try:
        img.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UnprocessableError("The image is damaged or incomplete; please upload it again.") from None
    return img


def _too_many_pixels(limits: MediaLimits, width: int = 0, height: int = 0) -> UnprocessableError:
    size = f" ({width}x{height})" if width else ""
    return UnprocessableError(
        f"The image is too large{size}: at most {limits.max_image_pixels / 1e6:g} megapixels are accepted.",
        max_pixels=limits.max_image_pixels,
    )
