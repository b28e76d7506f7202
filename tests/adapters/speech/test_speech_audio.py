"""Browser and phone recordings decode in-process to 16 kHz mono; bad or oversized audio is a clear 4xx."""

from __future__ import annotations

import numpy as np
import pytest

from adapters.media import SAMPLE_RATE, MediaLimits, decode_audio
from tests.fixtures.media import encode_audio, tone
from tutor.errors import PayloadTooLargeError, UnprocessableError


@pytest.mark.parametrize(
    ("fmt", "codec", "rate"),
    [
        ("wav", "pcm_s16le", 44_100),
        ("mp3", "libmp3lame", 44_100),
        ("ipod", "aac", 44_100),  # .m4a
        ("ogg", "libopus", 48_000),
        ("webm", "libopus", 48_000),  # what MediaRecorder produces
    ],
    ids=["wav", "mp3", "m4a", "ogg-opus", "webm-opus"],
)
def test_decodes_to_16k_mono_float(fmt: str, codec: str, rate: int) -> None:
    audio = decode_audio(encode_audio(tone(1.0, rate), fmt, codec, rate=rate))
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(audio.shape[0] - SAMPLE_RATE) < 0.1 * SAMPLE_RATE  # one second, give or take codec padding
    assert 0.1 < float(np.abs(audio).max()) <= 1.0
    # the 440 Hz tone survives resampling
    spectrum = np.abs(np.fft.rfft(audio[: SAMPLE_RATE // 2]))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / (SAMPLE_RATE // 2)
    assert abs(peak_hz - 440) < 10


def test_61_seconds_is_refused_while_decoding() -> None:
    data = encode_audio(tone(61.0, 8_000), "wav", "pcm_s16le", rate=8_000, layout="mono")
    with pytest.raises(UnprocessableError) as info:
        decode_audio(data)
    assert "60 seconds" in info.value.message


def test_60_seconds_is_accepted() -> None:
    data = encode_audio(tone(59.5, 8_000), "wav", "pcm_s16le", rate=8_000, layout="mono")
    assert decode_audio(data).shape[0] <= 60 * SAMPLE_RATE


def test_11_megabytes_is_413() -> None:
    with pytest.raises(PayloadTooLargeError) as info:
        decode_audio(b"RIFF" + b"\0" * (11 * 1024 * 1024))
    assert "10 MB" in info.value.message


@pytest.mark.parametrize(
    "data",
    [b"What is seven plus five?\n" * 20, b"RIFF\x10\x00\x00\x00WAVEfmt ", b"\x89PNG\r\n\x1a\n" + b"\0" * 64],
    ids=["text-named-wav", "truncated-wav", "png"],
)
def test_non_audio_is_422(data: bytes) -> None:
    with pytest.raises(UnprocessableError) as info:
        decode_audio(data)
    assert "not a readable recording" in info.value.message


def test_empty_is_422() -> None:
    with pytest.raises(UnprocessableError) as info:
        decode_audio(b"")
    assert "empty" in info.value.message


def test_limits_come_from_env() -> None:
    limits = MediaLimits.from_env({"TUTOR_MAX_AUDIO_SECONDS": "5", "TUTOR_MAX_IMAGE_BYTES": "1000"})
    assert limits.max_audio_seconds == 5.0 and limits.max_image_bytes == 1000
    data = encode_audio(tone(6.0, 8_000), "wav", "pcm_s16le", rate=8_000, layout="mono")
    with pytest.raises(UnprocessableError):
        decode_audio(data, limits)
