"""A learner's own mastery per knowledge point."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from litestar import Controller, get
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.api.types import AuthedRequest
from tutor.auth.guards import requires_roles
from tutor.db.models import KnowledgePoint, Mastery
from tutor.learning.bkt import is_mastered
from tutor.learning.decay import decay_since, needs_mastery_check
from tutor.practice.params import kp_params, params_or_default
from tutor.settings import Settings

__all__ = ["MasteryController", "MasteryOut"]


class MasteryOut(msgspec.Struct):
    knowledge_point: str
    name_zh: str
    name_en: str
    p_known: float
    """As of now: the belief after the last answer, faded for the time since (`tutor.learning.decay`)."""
    mastered: bool
    n_observations: int
    n_correct: int
    p_known_at_last_practice: float
    last_practised_at: datetime
    mastery_check_due: bool
    """Mastered at the last answer but faded below the threshold: the next exercise will check it."""


class MasteryController(Controller):
    path = "/v1/me/mastery"
    tags = ["mastery"]
    guards = [requires_roles("student")]

    @get("/", summary="My mastery per knowledge point (BKT P(known), faded for time without practice)")
    async def my_mastery(
        self, request: AuthedRequest, db_session: AsyncSession, settings: Settings
    ) -> list[MasteryOut]:
        rows = await db_session.execute(
            select(Mastery, KnowledgePoint)
            .join(KnowledgePoint, KnowledgePoint.code == Mastery.kp_code)
            .where(Mastery.learner_id == request.user.id)
            .order_by(Mastery.kp_code)
        )
        fitted = await kp_params(db_session)
        now = datetime.now(UTC)
        threshold = settings.mastery_threshold
        out = []
        for m, kp in rows.tuples():
            params = params_or_default(fitted, m.kp_code)[0]
            shown = decay_since(m.p_known, m.updated_at, now, params)
            out.append(
                MasteryOut(
                    knowledge_point=m.kp_code,
                    name_zh=kp.name_zh,
                    name_en=kp.name_en,
                    p_known=round(shown, 6),
                    mastered=is_mastered(shown, threshold, params),
                    n_observations=m.n_observations,
                    n_correct=m.n_correct,
                    p_known_at_last_practice=round(m.p_known, 6),
                    last_practised_at=m.updated_at,
                    mastery_check_due=needs_mastery_check(m.p_known, shown, threshold, params),
                )
            )
        return out
