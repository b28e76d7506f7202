"""Pad pictures become dark-on-white, ink-cropped images in pix2tex's size range."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from adapters.formula import PadSpec, prepare_handwriting
from tests.fixtures.media import pad_drawing
from tutor.errors import UnprocessableError


def _prepare(data: bytes, spec: PadSpec | None = None) -> np.ndarray:
    out = prepare_handwriting(Image.open(io.BytesIO(data)), spec)
    assert out.mode == "L"
    return np.asarray(out)


@pytest.mark.parametrize(
    ("transparent", "dark"),
    [(False, False), (True, False), (False, True)],
    ids=["light", "transparent", "dark"],
)
def test_output_is_dark_ink_on_white_with_sides_divisible_by_32(transparent: bool, dark: bool) -> None:
    pixels = _prepare(pad_drawing(transparent=transparent, dark=dark))
    height, width = pixels.shape
    assert width % 32 == 0 and height % 32 == 0
    assert width <= 672 and height <= 192
    assert np.median(pixels) > 200  # paper is white
    assert pixels.min() < 80  # ink is dark
    assert (pixels[0, :] > 200).all() and (pixels[:, 0] > 200).all()  # margin around the ink


def test_ink_is_cropped_from_a_big_canvas() -> None:
    # a 2000x1000 canvas with the formula in the middle: the result is bounded, not a shrunken canvas
    pixels = _prepare(pad_drawing((2000, 1000)))
    ink_rows = np.flatnonzero((pixels < 128).any(axis=1))
    assert ink_rows[-1] - ink_rows[0] > 0.5 * pixels.shape[0]


def test_small_scribble_is_scaled_up_to_the_minimum() -> None:
    spec = PadSpec(max_size=(320, 96), min_size=(32, 64))
    pixels = _prepare(pad_drawing((120, 40)), spec)
    assert pixels.shape[0] >= 64


def test_blank_picture_is_a_clear_422() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (300, 100), (255, 255, 255)).save(buf, format="PNG")
    with pytest.raises(UnprocessableError) as info:
        _prepare(buf.getvalue())
    assert "blank" in info.value.message
