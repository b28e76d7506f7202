"""Analytics response shapes (the teacher dashboard's backend)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

import msgspec

__all__ = [
    "AlertOut",
    "AlertsOut",
    "CommonWrongAnswer",
    "DriftingItemOut",
    "MasteryCell",
    "MasteryMatrixOut",
    "MasteryRow",
    "ProgressBucket",
    "ProgressOut",
    "WeakPointOut",
    "WeakPointsOut",
]


class MasteryCell(msgspec.Struct):
    """``p_known`` is the probability that the learner knows the point; the credible interval that
    used to sit beside it depended only on (p_known, n) and carried no information, so it was removed."""

    p_known: float
    n_observations: int
    mastered: bool


class MasteryRow(msgspec.Struct):
    learner_id: UUID
    display_name: str
    cells: list[MasteryCell | None]
    """Aligned with ``knowledge_points``; null where the learner never practised the point."""
    mastered_count: int


class MasteryMatrixOut(msgspec.Struct):
    class_id: UUID
    knowledge_points: list[str]
    mastery_threshold: float
    learners: list[MasteryRow]


class CommonWrongAnswer(msgspec.Struct):
    item_id: UUID
    answer: str
    count: int


class WeakPointOut(msgspec.Struct):
    knowledge_point: str
    name_zh: str
    name_en: str
    share_not_mastered: float
    """Share of the class's learners not (yet) at the mastery threshold on this point."""
    learners_practised: int
    attempts: int
    error_rate: float
    common_wrong_answers: list[CommonWrongAnswer]


class WeakPointsOut(msgspec.Struct):
    class_id: UUID
    class_size: int
    points: list[WeakPointOut]


class ProgressBucket(msgspec.Struct):
    start: date
    attempts: int
    correct: int
    accuracy: float | None
    newly_mastered: int
    mastered_total: int
    """Knowledge points mastered by the class's learners up to the end of this bucket (ever reached)."""


class ProgressOut(msgspec.Struct):
    class_id: UUID
    bucket: Literal["day", "week"]
    from_date: date
    to_date: date
    buckets: list[ProgressBucket]


class AlertOut(msgspec.Struct, omit_defaults=True):
    kind: Literal["stuck", "inactive", "declining"]
    learner_id: UUID
    display_name: str
    detail: str
    knowledge_point: str | None = None
    wrong_streak: int | None = None
    last_attempt_at: datetime | None = None
    accuracy_before: float | None = None
    accuracy_recent: float | None = None


class AlertsOut(msgspec.Struct):
    class_id: UUID
    generated_at: datetime
    alerts: list[AlertOut]


class DriftingItemOut(msgspec.Struct):
    item_id: UUID
    knowledge_points: list[str]
    difficulty: float
    calibration_attempts: int
    drift_z: float
    """Positive: answered correctly more often than predicted (easier than its difficulty says)."""
    drift_attempts: int
