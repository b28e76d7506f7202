"""API shapes of the recognition routes."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec

__all__ = [
    "ConfirmedInput",
    "EngineQuality",
    "FormulaJsonIn",
    "LocalizedMessage",
    "RecognitionOut",
    "RecognitionQualityOut",
    "RecognitionStatus",
    "StrokeIn",
]

# 5 MB of image as base64, plus room for a data: URL prefix
MAX_BASE64_CHARS = (5 * 1024 * 1024 * 4) // 3 + 128
# hard caps while decoding; the friendlier limits (adapters.formula.strokes.StrokeLimits) are lower
_MAX_JSON_STROKES = 1000
_MAX_JSON_POINTS_PER_STROKE = 20_000
_MAX_INKML_CHARS = 2_000_000

RecognitionStatus = Literal["ok", "low_confidence", "unclear", "no_speech"]


class StrokeIn(msgspec.Struct, forbid_unknown_fields=True):
    """One pen stroke: ``[x, y]`` points (a third and fourth value, time and pressure, are ignored)."""

    points: Annotated[
        list[Annotated[list[float], msgspec.Meta(min_length=2, max_length=4)]],
        msgspec.Meta(max_length=_MAX_JSON_POINTS_PER_STROKE),
    ]


class FormulaJsonIn(msgspec.Struct, forbid_unknown_fields=True):
    """Exactly one of: a pad picture (plain base64 or a ``data:image/png;base64,...`` URL), the pad's
    pen strokes, or an InkML document."""

    image_base64: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_BASE64_CHARS)] | None = None
    strokes: Annotated[list[StrokeIn], msgspec.Meta(max_length=_MAX_JSON_STROKES)] | None = None
    inkml: Annotated[str, msgspec.Meta(min_length=1, max_length=_MAX_INKML_CHARS)] | None = None


class LocalizedMessage(msgspec.Struct, frozen=True):
    """A sentence for the learner, in both languages the frontend shows."""

    zh: str
    en: str


class RecognitionOut(msgspec.Struct):
    """What was read or heard, for the learner to confirm or edit before it is used."""

    id: UUID
    kind: Literal["handwriting", "speech"]
    text: str
    confidence: float
    parseable: bool
    engine: str
    language: str | None = None
    status: RecognitionStatus = "ok"
    """``ok``; ``low_confidence`` (shown, but the learner should check it); ``unclear`` (whisper's output
    failed the hallucination checks and ``text`` is empty); ``no_speech`` (silence or noise)."""
    message: LocalizedMessage | None = None
    """What to tell the learner when ``status`` is not ``ok`` (e.g. 请再说一遍 / please say it again)."""
    problem: str | None = None
    """The spoken question as the math engine's input (``x^2-7x+12``), when it could be read."""


class ConfirmedInput(msgspec.Struct, frozen=True):
    """A recognition the learner confirmed: what attempts and solve store alongside the answer."""

    recognition_id: UUID
    modality: Literal["handwriting", "speech"]
    text: str
    edited: bool
    engine: str


class EngineQuality(msgspec.Struct):
    """Per engine and kind: how often learners had to correct what was recognised."""

    engine: str
    kind: str
    recognitions: int
    confirmed: int
    edited: int
    edit_rate: float | None


class RecognitionQualityOut(msgspec.Struct):
    engines: list[EngineQuality]
