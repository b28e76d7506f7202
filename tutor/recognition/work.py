"""The blocking part of each recognition, run on an inference pool thread: decode, recognise, check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from adapters.formula import Pix2TexEngine
from adapters.formula.strokes import Stroke, render_strokes
from adapters.media import MediaLimits, decode_audio, open_image
from adapters.speech import SpeechEngine
from adapters.speech.prosody import Prosody
from tutor.recognition.schemas import RecognitionStatus

__all__ = [
    "HANDWRITING_LOW_CONFIDENCE",
    "Recognised",
    "math_can_parse",
    "recognise_formula",
    "recognise_speech",
    "recognise_strokes",
]

HANDWRITING_LOW_CONFIDENCE = 0.5
"""Below this mean token probability a pix2tex reading is flagged for the learner to check."""


_SPEECH_STATUS: dict[str, RecognitionStatus] = {
    "ok": "ok",
    "low_confidence": "low_confidence",
    "rejected": "unclear",
    "no_speech": "no_speech",
}


@dataclass(frozen=True, slots=True)
class Recognised:
    text: str
    confidence: float
    engine: str
    parseable: bool
    language: str | None = None
    status: RecognitionStatus = "ok"
    reasons: tuple[str, ...] = ()
    prosody: Prosody | None = None
    problem: str | None = None


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


def _handwriting(engine: Pix2TexEngine, image: object) -> Recognised:
    result = engine.recognize(image)  # type: ignore[arg-type]
    status: RecognitionStatus = "low_confidence" if result.confidence < HANDWRITING_LOW_CONFIDENCE else "ok"
    return Recognised(
        result.latex, result.confidence, result.engine, math_can_parse(result.latex), status=status
    )


def recognise_formula(engine: Pix2TexEngine, data: bytes, limits: MediaLimits) -> Recognised:
    return _handwriting(engine, open_image(data, limits))


def recognise_strokes(engine: Pix2TexEngine, strokes: Sequence[Stroke]) -> Recognised:
    """Pen strokes drawn server-side into the picture pix2tex expects, then read like a picture."""
    return _handwriting(engine, render_strokes(strokes))


def recognise_speech(
    engine: SpeechEngine, data: bytes, limits: MediaLimits, language: str | None
) -> Recognised:
    transcript = engine.transcribe(decode_audio(data, limits), language)
    status = _SPEECH_STATUS[transcript.status]
    return Recognised(
        transcript.text,
        transcript.confidence,
        transcript.engine,
        math_can_parse(transcript.text),
        transcript.language,
        status=status,
        reasons=transcript.reasons,
        prosody=transcript.prosody,
    )
