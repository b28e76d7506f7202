"""Voice-activity check with Silero VAD (the ONNX model bundled with faster-whisper).

Whisper invents text for silence and noise; asking a small dedicated model first lets both engines
return an empty transcript instead, and trims leading/trailing silence so the decoder does less work.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["speech_span"]


def speech_span(
    audio: npt.NDArray[np.float32], *, threshold: float = 0.5, sample_rate: int = 16_000
) -> tuple[int, int] | None:
    """(start, end) sample indices covering all detected speech, or None when there is none."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(threshold=threshold, min_speech_duration_ms=200, speech_pad_ms=300)
    chunks = get_speech_timestamps(audio, options, sampling_rate=sample_rate)
    if not chunks:
        return None
    return int(chunks[0]["start"]), int(chunks[-1]["end"])
