"""The blocking part of each recognition, run on an inference pool thread: decode, recognise, check."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.formula import Pix2TexEngine
from adapters.media import MediaLimits, decode_audio, open_image
from adapters.speech import SpeechEngine

__all__ = ["Recognised", "math_can_parse", "recognise_formula", "recognise_speech"]


@dataclass(frozen=True, slots=True)
class Recognised:
    text: str
    confidence: float
    engine: str
    parseable: bool
    language: str | None = None


def math_can_parse(text: str) -> bool:
    """Whether the math engine reads ``text``; the learner sees this before confirming."""
    if not text.strip():
        return False
    try:
        from tutor.math.parsing import parse_math
    except ImportError:  # the math engine is optional for recognition
        return False
    try:
        parse_math(text)
    except Exception:  # any refusal (syntax, size, unsupported) simply means "cannot parse"
        return False
    return True


def recognise_formula(engine: Pix2TexEngine, data: bytes, limits: MediaLimits) -> Recognised:
    result = engine.recognize(open_image(data, limits))
    return Recognised(result.latex, result.confidence, result.engine, math_can_parse(result.latex))


def recognise_speech(
    engine: SpeechEngine, data: bytes, limits: MediaLimits, language: str | None
) -> Recognised:
    transcript = engine.transcribe(decode_audio(data, limits), language)
    return Recognised(
        transcript.text,
        transcript.confidence,
        transcript.engine,
        math_can_parse(transcript.text),
        transcript.language,
    )
