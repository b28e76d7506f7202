"""Shapes of the practice routes (the next exercise never carries its answer)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from tutor.items.schemas import ItemOut

__all__ = ["NextExerciseOut", "PickReasonOut", "WrongAnswerOut"]


class PickReasonOut(msgspec.Struct):
    code: Literal[
        "review_due",
        "mastery_check",
        "ready_to_learn",
        "prerequisite_gaps",
        "maintenance",
        "remediation_prerequisite",
        "remediation_easier",
        "exploration",
    ]
    knowledge_point: str
    predicted_p_correct: float
    target_p_correct: float
    explanation: str
    """English, for older clients; ``explanation_zh`` and ``explanation_en`` in the learner's language."""
    explanation_zh: str
    explanation_en: str


class NextExerciseOut(msgspec.Struct):
    item: ItemOut
    reason: PickReasonOut


class WrongAnswerOut(msgspec.Struct):
    item: ItemOut
    last_wrong_answer: str
    wrong_count: int
    first_wrong_at: datetime
    last_attempt_at: datetime
    due_at: datetime
    is_due: bool
    item_id: UUID
