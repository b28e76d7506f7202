"""Whatever bytes arrive, image opening ends in an image or a 4xx: never a crash (a 500)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.media import open_image
from tests.fixtures.media import pad_drawing
from tutor.errors import TutorError

PNG = pad_drawing((200, 80))
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_as_image(data: bytes) -> None:
    try:
        open_image(data)
    except TutorError as exc:
        assert 400 <= exc.status_code < 500


@FUZZ
@given(st.data())
def test_truncated_or_corrupted_images(data: st.DataObject) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=len(PNG)))
    flips = data.draw(st.lists(st.integers(min_value=0, max_value=len(PNG) - 1), max_size=8))
    damaged = bytearray(PNG[:cut])
    for position in flips:
        if position < len(damaged):
            damaged[position] ^= 0xFF
    try:
        img = open_image(bytes(damaged))
    except TutorError as exc:
        assert 400 <= exc.status_code < 500
    else:
        assert img.size == (200, 80)
