"""Whatever bytes arrive, audio decoding ends in samples or a 4xx: never a crash (a 500)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.media import decode_audio
from tests.fixtures.media import encode_audio, tone
from tutor.errors import TutorError

WEBM = encode_audio(tone(0.5, 48_000), "webm", "libopus", rate=48_000)
MP3 = encode_audio(tone(0.5), "mp3", "libmp3lame")
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _decodes_or_4xx(data: bytes) -> None:
    try:
        audio = decode_audio(data)
    except TutorError as exc:
        assert 400 <= exc.status_code < 500
        assert exc.message
    else:
        assert audio.dtype == np.float32 and audio.ndim == 1 and audio.size > 0
        assert np.isfinite(audio).all() and float(np.abs(audio).max()) <= 1.0


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_as_audio(data: bytes) -> None:
    _decodes_or_4xx(data)


@FUZZ
@given(st.sampled_from([WEBM, MP3]), st.data())
def test_truncated_or_corrupted_recordings(original: bytes, data: st.DataObject) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=len(original)))
    flips = data.draw(st.lists(st.integers(min_value=0, max_value=len(original) - 1), max_size=8))
    damaged = bytearray(original[:cut])
    for position in flips:
        if position < len(damaged):
            damaged[position] ^= 0xFF
    _decodes_or_4xx(bytes(damaged))
