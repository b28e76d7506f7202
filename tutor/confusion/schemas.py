"""API shapes of the confusion read-out."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

__all__ = ["ConfusionRecordOut", "LearnerConfusionOut", "SignalOut"]


class SignalOut(msgspec.Struct, frozen=True):
    """``value`` as measured, ``strength`` its [0, 1] contribution, ``weight`` its share of the score."""

    name: str
    value: float
    strength: float
    weight: float


class ConfusionRecordOut(msgspec.Struct, frozen=True):
    id: UUID
    source: str
    created_at: datetime
    score: float
    level: str
    attempt_id: UUID | None
    recognition_id: UUID | None
    signals: list[SignalOut]


class LearnerConfusionOut(msgspec.Struct, frozen=True):
    learner_id: UUID
    heuristic: str
    """What the score is (a heuristic with fixed thresholds) and where its thresholds are documented."""
    records: list[ConfusionRecordOut]
    mean_score: float | None
    high: int
