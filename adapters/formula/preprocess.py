"""Turn a handwriting-pad picture into what pix2tex was trained on: dark ink on white, tightly
cropped, a small margin, within its trained size range and with sides divisible by 32.

Pads export all sorts of images (transparent PNGs, light ink on dark themes, huge canvases with a
small formula in a corner); the model saw none of that, so it is normalised here.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps

from tutor.errors import UnprocessableError

__all__ = ["PadSpec", "prepare_handwriting"]

_MIN_CONTRAST = 32  # grey levels between ink and paper below which the picture counts as blank


class PadSpec:
    """The size range pix2tex accepts (``max_dimensions``/``min_dimensions`` in its config)."""

    __slots__ = ("divisor", "margin", "max_size", "min_size")

    def __init__(
        self,
        max_size: tuple[int, int] = (672, 192),
        min_size: tuple[int, int] = (32, 32),
        margin: int = 8,
        divisor: int = 32,
    ) -> None:
        self.max_size = max_size
        self.min_size = min_size
        self.margin = margin
        self.divisor = divisor


def _to_gray_on_white(img: Image.Image) -> Image.Image:
    if img.mode in {"RGBA", "LA", "PA"} or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"))
        if alpha.min() < 255:
            # transparent canvas: the strokes are wherever alpha is, whatever their colour
            return Image.fromarray((255 - alpha).astype(np.uint8), mode="L")
        img = rgba
    gray = img.convert("L")
    if float(np.median(np.asarray(gray))) < 128:
        gray = ImageOps.invert(gray)  # light ink on a dark theme
    return gray


def prepare_handwriting(img: Image.Image, spec: PadSpec | None = None) -> Image.Image:
    """Return an ``L`` image ready for pix2tex; 422 when there is no ink to read."""
    spec = spec or PadSpec()
    gray = ImageOps.autocontrast(_to_gray_on_white(img))
    pixels = np.asarray(gray)
    if int(pixels.max()) - int(pixels.min()) < _MIN_CONTRAST:
        raise UnprocessableError("The picture looks blank; please write the formula and try again.")
    ink = pixels < 128
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    cropped = gray.crop((int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1))

    max_w, max_h = (spec.max_size[0] - 2 * spec.margin, spec.max_size[1] - 2 * spec.margin)
    width, height = cropped.size
    scale = min(1.0, max_w / width, max_h / height)
    min_h = spec.min_size[1] - 2 * spec.margin
    if height * scale < min_h:  # tiny scribble: enlarge up to the minimum height the model saw
        scale = min(min_h / height, max_w / width)
    if scale != 1.0:
        new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
        cropped = cropped.resize(new_size, Image.Resampling.LANCZOS)

    width, height = cropped.size
    out_w = _round_up(max(width + 2 * spec.margin, spec.min_size[0]), spec.divisor)
    out_h = _round_up(max(height + 2 * spec.margin, spec.min_size[1]), spec.divisor)
    canvas = Image.new("L", (min(out_w, spec.max_size[0]), min(out_h, spec.max_size[1])), 255)
    canvas.paste(cropped, ((canvas.width - width) // 2, (canvas.height - height) // 2))
    return canvas


def _round_up(value: int, divisor: int) -> int:
    return -(-value // divisor) * divisor
