"""Uploaded images are checked from the header before decoding; every bad file is a clear 4xx."""

from __future__ import annotations

import pytest
from PIL import Image

from adapters.media import MediaLimits, open_image
from tests.fixtures.media import pad_drawing, png_header_only
from tutor.errors import PayloadTooLargeError, UnprocessableError


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_accepts_pad_formats(fmt: str) -> None:
    img = open_image(pad_drawing(fmt=fmt))
    assert img.size == (600, 240)
    assert img.format == fmt


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (pad_drawing()[:400], "damaged"),
        (b"What is 7 plus 5?\n" * 10, "not a readable"),
        (b"GIF89a" + b"\0" * 100, "not a readable"),
    ],
    ids=["empty", "truncated-png", "text-file", "gif"],
)
def test_bad_images_are_422_with_a_message(data: bytes, words: str) -> None:
    with pytest.raises(UnprocessableError) as info:
        open_image(data)
    assert words in info.value.message


def test_decompression_bomb_is_refused_without_decoding() -> None:
    bomb = png_header_only(50_000, 50_000)
    assert len(bomb) < 200  # tiny on disk, 2.5 gigapixels declared
    with pytest.raises(UnprocessableError) as info:
        open_image(bomb)
    assert "megapixels" in info.value.message


def test_just_over_the_pixel_limit_is_refused_by_our_check() -> None:
    limits = MediaLimits(max_image_pixels=100 * 100)
    with pytest.raises(UnprocessableError) as info:
        open_image(png_header_only(101, 100), limits)
    assert "101x100" in info.value.message


def test_too_many_bytes_is_413() -> None:
    with pytest.raises(PayloadTooLargeError) as info:
        open_image(b"\x89PNG" + b"\0" * (5 * 1024 * 1024))
    assert "5 MB" in info.value.message


def test_pillow_global_bomb_guard_is_set() -> None:
    assert MediaLimits().max_image_pixels == Image.MAX_IMAGE_PIXELS
