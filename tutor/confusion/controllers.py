"""``GET /v1/learners/{id}/confusion``: the learner's teachers (and school admins), analytics consent."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.auth.guards import requires_roles
from tutor.auth.principal import Principal
from tutor.confusion.schemas import LearnerConfusionOut
from tutor.confusion.services import learner_confusion

__all__ = ["ConfusionController"]

Req = Request[Principal, Any, Any]


class ConfusionController(Controller):
    path = "/v1/learners/{learner_id:uuid}/confusion"
    tags = ("analytics",)
    guards = (requires_roles("teacher", "admin"),)

    @get(
        "/",
        summary="A learner's recent confusion scores with the signals behind them",
        description=(
            "A documented heuristic, not a trained classifier: a weighted mean of prosody signals from "
            "spoken questions (pitch rise at the end, hesitations, pauses, speaking rate) and behaviour "
            "signals per attempt (time since the previous attempt, repeated wrong answers on the item, "
            "help requests in tutoring dialogues). Only the learner's teachers and school admins, and only "
            "with the guardian's consent to analytics (else 403 `consent_required`)."
        ),
    )
    async def confusion(
        self,
        request: Req,
        db_session: AsyncSession,
        learner_id: UUID,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
    ) -> LearnerConfusionOut:
        return await learner_confusion(db_session, request.user, learner_id, limit=limit)
