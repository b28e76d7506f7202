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

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.db.models import Item, Mastery, Prerequisite
from tutor.db.models.learning import LearnerAbility
from tutor.learning.ability import for_learner, prerequisite_evidence, update_ability
from tutor.learning.bkt import BKTParams
from tutor.learning.config import LearningConfig
from tutor.learning.irt import ItemParams, item_adjusted, predict_correct
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
    theta: float = 0.0
    """The learner's ability (`tutor.learning.ability`): the item is easier for a stronger learner."""
    n_answers: int = 0

    @property
    def bkt_update_params(self) -> dict[str, tuple[BKTParams, int | None]]:
        """Per knowledge point: (parameters as this item shows them, fitted version or None)."""
        out: dict[str, tuple[BKTParams, int | None]] = {}
        for code in self.kp_codes:
            params, version = params_or_default(self.fitted, code)
            out[code] = (item_adjusted(params, for_learner(self.item, self.theta)), version)
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
        await self._update_ability(session, learner_id, correct, changes)
        await _prerequisite_evidence(session, learner_id, self.kp_codes, correct)
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

    async def _update_ability(
        self, session: AsyncSession, learner_id: UUID, correct: bool, changes: Sequence[_Change]
    ) -> None:
        """Elo step on the learner's own row (an atomic upsert: no lock held across the transaction)."""
        seen = for_learner(self.item, self.theta)
        predictions = [
            predict_correct(c.p_known_before, params_or_default(self.fitted, c.knowledge_point)[0], seen)
            for c in changes
        ]
        if not predictions:
            return
        moved = update_ability(self.theta, self.n_answers, min(predictions), correct)
        stmt = insert(LearnerAbility).values(learner_id=learner_id, theta=moved, n_answers=1)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["learner_id"],
                set_={
                    "theta": LearnerAbility.theta + (moved - self.theta),
                    "n_answers": LearnerAbility.n_answers + 1,
                    "updated_at": func.now(),
                },
            )
        )


async def _prerequisite_evidence(
    session: AsyncSession, learner_id: UUID, kp_codes: Sequence[str], correct: bool
) -> None:
    """Nudge the learner's belief in the direct prerequisites of the answered points
    (`tutor.learning.ability.prerequisite_evidence`). Rows another attempt holds are skipped, never
    waited for: this is weak evidence and must not add a lock wait to the attempt."""
    pairs = (
        (
            await session.execute(
                select(Prerequisite.code, Prerequisite.requires).where(
                    Prerequisite.code.in_(kp_codes), Prerequisite.requires.not_in(kp_codes)
                )
            )
        )
        .tuples()
        .all()
    )
    if not pairs:
        return
    graph: dict[str, list[str]] = {}
    for code, requires in pairs:
        graph.setdefault(code, []).append(requires)
    rows = (
        await session.scalars(
            select(Mastery)
            .where(Mastery.learner_id == learner_id, Mastery.kp_code.in_({r for _, r in pairs}))
            .order_by(Mastery.kp_code)
            .with_for_update(skip_locked=True)
        )
    ).all()
    nudged = prerequisite_evidence(
        {r.kp_code: r.p_known for r in rows},
        list(kp_codes),
        correct,
        graph,
    )
    for row in rows:
        if row.kp_code in nudged:
            row.p_known = nudged[row.kp_code]  # not practice: ``updated_at`` (the decay clock) stays


async def load_step(
    session: AsyncSession, item: Item, kp_codes: Sequence[str], *, learner_id: UUID | None = None
) -> LearnerModelStep:
    ability = None if learner_id is None else await session.get(LearnerAbility, learner_id)
    return LearnerModelStep(
        item_id=item.id,
        item=item_params(item),
        fitted=await kp_params(session, kp_codes),
        kp_codes=tuple(kp_codes),
        theta=0.0 if ability is None else ability.theta,
        n_answers=0 if ability is None else ability.n_answers,
    )
