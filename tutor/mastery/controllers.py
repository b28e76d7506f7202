"""A learner's own mastery per knowledge point."""

from __future__ import annotations

import msgspec
from litestar import Controller, get
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.api.types import AuthedRequest
from tutor.auth.guards import requires_roles
from tutor.db.models import KnowledgePoint, Mastery
from tutor.settings import Settings

__all__ = ["MasteryController", "MasteryOut"]


class MasteryOut(msgspec.Struct):
    knowledge_point: str
    name_zh: str
    name_en: str
    p_known: float
    mastered: bool
    n_observations: int
    n_correct: int


class MasteryController(Controller):
    path = "/v1/me/mastery"
    tags = ["mastery"]
    guards = [requires_roles("student")]

    @get("/", summary="My mastery per knowledge point (BKT P(known))")
    async def my_mastery(
        self, request: AuthedRequest, db_session: AsyncSession, settings: Settings
    ) -> list[MasteryOut]:
        rows = await db_session.execute(
            select(Mastery, KnowledgePoint)
            .join(KnowledgePoint, KnowledgePoint.code == Mastery.kp_code)
            .where(Mastery.learner_id == request.user.id)
            .order_by(Mastery.kp_code)
        )
        return [
            MasteryOut(
                knowledge_point=m.kp_code,
                name_zh=kp.name_zh,
                name_en=kp.name_en,
                p_known=round(m.p_known, 6),
                mastered=m.p_known >= settings.mastery_threshold,
                n_observations=m.n_observations,
                n_correct=m.n_correct,
            )
            for m, kp in rows.tuples()
        ]
