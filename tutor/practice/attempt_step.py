"""The learner model's part of the attempt transaction, as one object the attempt service calls twice.

``load_step`` before the BKT update (it supplies item-aware BKT parameters: a right answer to a hard
item says more than one to an easy item), ``step.record`` after it (difficulty, drift, wrong-answer
book, aggregates). Kept here so the attempt service stays a short, readable sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tutor.db.models import Item
from tutor.learning.bkt import BKTParams
from tutor.learning.config import LearningConfig
from tutor.learning.irt import ItemParams, item_adjusted
from tutor.practice.params import item_params, kp_params, params_or_default
from tutor.practice.recording import KpChange, record_learning_effects
from tutor.settings import Settings

__all__ = ["LearnerModelStep", "learning_config", "load_step"]


class _Change(Protocol):
    @property
    def knowledge_point(self) -> str: ...
    @property
    def p_known_before(self) -> float: ...
    @property
    def p_known(self) -> float: ...


def learning_config(settings: Settings) -> LearningConfig:
    """Learner-model settings; the threshold and default target come from the service settings."""
    base = LearningConfig.from_env(settings.env)
    return replace(
        base, mastery_threshold=settings.mastery_threshold, target_p_correct=settings.default_target_p_correct
    )


@dataclass(frozen=True, slots=True)
class LearnerModelStep:
    item_id: UUID
    item: ItemParams
    fitted: dict[str, tuple[BKTParams, int | None]]
    kp_codes: tuple[str, ...]

    @property
    def bkt_update_params(self) -> dict[str, tuple[BKTParams, int | None]]:
        """Per knowledge point: (parameters as this item shows them, fitted version or None)."""
        out: dict[str, tuple[BKTParams, int | None]] = {}
        for code in self.kp_codes:
            params, version = params_or_default(self.fitted, code)
            out[code] = (item_adjusted(params, self.item), version)
        return out

    async def record(
        self,
        session: AsyncSession,
        settings: Settings,
        *,
        learner_id: UUID,
        answer: str,
        correct: bool,
        at: datetime,
        changes: Sequence[_Change],
    ) -> float | None:
        """Everything after the BKT update; returns the P(correct) predicted for this answer."""
        return await record_learning_effects(
            session,
            learner_id=learner_id,
            item_id=self.item_id,
            item=self.item,
            answer=answer,
            correct=correct,
            at=at,
            changes=[KpChange(c.knowledge_point, c.p_known_before, c.p_known) for c in changes],
            kp_params={code: params_or_default(self.fitted, code)[0] for code in self.kp_codes},
            config=learning_config(settings),
        )


async def load_step(session: AsyncSession, item: Item, kp_codes: Sequence[str]) -> LearnerModelStep:
    return LearnerModelStep(
        item_id=item.id,
        item=item_params(item),
        fitted=await kp_params(session, kp_codes),
        kp_codes=tuple(kp_codes),
    )
