"""Decode uploaded audio in-process with PyAV to 16 kHz mono float32, bounded while it decodes.

No system ffmpeg is needed (PyAV bundles its libraries). The duration limit is enforced on the samples
actually decoded, not on what the container header claims, so a file that lies about its length
still stops at the limit. The raw bytes and samples stay in memory only and are never logged.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from adapters.media.limits import MediaLimits
from tutor.errors import PayloadTooLargeError, UnprocessableError

if TYPE_CHECKING:
    import av

__all__ = ["ALLOWED_AUDIO_CONTAINERS", "SAMPLE_RATE", "decode_audio"]

SAMPLE_RATE = 16_000
# ffmpeg demuxer names for WAV, MP3, M4A/MP4, OGG (Opus/Vorbis) and WebM/Matroska (what browsers record)
ALLOWED_AUDIO_CONTAINERS = frozenset({"wav", "mp3", "mov,mp4,m4a,3gp,3g2,mj2", "ogg", "matroska,webm"})
_FORMATS_HINT = "WAV, MP3, M4A, OGG/Opus or WebM"


def decode_audio(data: bytes, limits: MediaLimits | None = None) -> npt.NDArray[np.float32]:
    """Return the first audio stream of ``data`` as 16 kHz mono float32 in [-1, 1]; 413/422 on bad input."""
    limits = limits or MediaLimits()
    if not data:
        raise UnprocessableError("The uploaded audio is empty.")
    if len(data) > limits.max_audio_bytes:
        raise PayloadTooLargeError(
            f"The recording is larger than {limits.max_audio_bytes // (1024 * 1024)} MB; "
            "please record a shorter question.",
            max_bytes=limits.max_audio_bytes,
        )
    import av  # lazily: the API starts without loading FFmpeg's libraries

    max_samples = int(limits.max_audio_seconds * SAMPLE_RATE)
    try:
        with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
            if container.format.name not in ALLOWED_AUDIO_CONTAINERS or not container.streams.audio:
                raise _not_audio()
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            chunks: list[npt.NDArray[np.float32]] = []
            total = 0
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    total += _append(chunks, out)
                if total > max_samples:
                    raise _too_long(limits)
            for out in resampler.resample(None):
                total += _append(chunks, out)
    except av.FFmpegError:
        raise _not_audio() from None
    if total > max_samples:
        raise _too_long(limits)
    if total == 0:
        raise UnprocessableError("The recording contains no audio.")
    samples = np.concatenate(chunks)
    np.clip(samples, -1.0, 1.0, out=samples)
    return samples


def _append(chunks: list[npt.NDArray[np.float32]], frame: av.AudioFrame) -> int:
    array = frame.to_ndarray().reshape(-1).astype(np.float32, copy=False)
    chunks.append(array)
    return int(array.shape[0])


def _not_audio() -> UnprocessableError:
    return UnprocessableError(
        f"The file is not a readable recording; please upload {_FORMATS_HINT} audio.",
        allowed_formats=["wav", "mp3", "m4a", "ogg", "webm"],
    )


def _too_long(limits: MediaLimits) -> UnprocessableError:
    return UnprocessableError(
        f"The recording is longer than {limits.max_audio_seconds:g} seconds; please ask a shorter question.",
        max_seconds=limits.max_audio_seconds,
    )
