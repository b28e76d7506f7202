"""API shapes of the recognition routes."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec

__all__ = ["ConfirmedInput", "EngineQuality", "FormulaJsonIn", "RecognitionOut", "RecognitionQualityOut"]

# 5 MB of image as base64, plus room for a data: URL prefix
MAX_BASE64_CHARS = (5 * 1024 * 1024 * 4) // 3 + 128


class FormulaJsonIn(msgspec.Struct, forbid_unknown_fields=True):
    """A pad picture sent as JSON: plain base64 or a ``data:image/png;base64,...`` URL."""

    image_base64: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_BASE64_CHARS)]


class RecognitionOut(msgspec.Struct):
    """What was read or heard, for the learner to confirm or edit before it is used."""

    id: UUID
    kind: Literal["handwriting", "speech"]
    text: str
    confidence: float
    parseable: bool
    engine: str
    language: str | None = None


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
