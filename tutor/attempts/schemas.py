"""Attempt shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

__all__ = ["MAX_ANSWER_CHARS", "AttemptIn", "AttemptOut", "MasteryChange"]

MAX_ANSWER_CHARS = 2000


class AttemptIn(msgspec.Struct, forbid_unknown_fields=True):
    item_id: UUID
    answer: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_ANSWER_CHARS)]
    """The learner's final answer (typed, or the confirmed text of a recognition)."""
    modality: Literal["typed", "handwriting", "speech"] = "typed"
    client_ts: datetime | None = None
    recognition_id: UUID | None = None
    """A formula/speech recognition the learner confirmed or edited; sets the modality."""


class MasteryChange(msgspec.Struct):
    knowledge_point: str
    p_known_before: float
    p_known: float
    mastered: bool


class AttemptOut(msgspec.Struct):
    """``feedback`` is English (as before); ``feedback_zh``/``feedback_en`` carry both languages.

    ``counts_as_evidence`` is False for a re-submission of the item right after seeing it graded:
    it is practice, so ``mastery`` shows the rows unchanged (tutor.attempts.evidence).
    """

    id: UUID
    item_id: UUID
    is_correct: bool
    feedback: str
    modality: str
    mastery: list[MasteryChange]
    created_at: datetime
    recognition_edited: bool | None = None
    feedback_zh: str = ""
    feedback_en: str = ""
    counts_as_evidence: bool = True
