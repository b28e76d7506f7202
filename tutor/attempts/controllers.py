"""Attempts: learners submit answers; the response says right/wrong and how mastery moved."""

from __future__ import annotations

from typing import Annotated

from advanced_alchemy.filters import LimitOffset
from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.pagination import OffsetPagination
from litestar.params import Parameter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.api.pagination import provide_limit_offset
from tutor.api.types import AuthedRequest
from tutor.attempts.schemas import AttemptIn, AttemptOut
from tutor.attempts.services import _decode, record_attempt_retrying
from tutor.auth.consent_guard import TUTORING
from tutor.auth.guards import requires_roles
from tutor.db.models import Attempt
from tutor.settings import Settings

__all__ = ["AttemptController"]

Req = AuthedRequest


class AttemptController(Controller):
    opt = dict(TUTORING)  # a student needs guardian consent for tutoring (tutor.auth.consent_guard)
    path = "/v1"
    tags = ["attempts"]
    guards = [requires_roles("student")]
    dependencies = {"page": Provide(provide_limit_offset, sync_to_thread=False)}

    @post(
        "/attempts",
        summary="Submit an answer",
        description=(
            "Grades the answer against the item, stores the attempt and updates mastery in one transaction. "
            "Send an `Idempotency-Key` header: a retry with the same key and body returns the stored "
            "response "
            "(200); the same key with another body is 422; while the first is still in flight, 409."
        ),
    )
    async def submit(
        self,
        request: Req,
        settings: Settings,
        data: AttemptIn,
        idempotency_key: Annotated[str | None, Parameter(header="Idempotency-Key", max_length=128)] = None,
    ) -> Response[AttemptOut]:
        # its own transaction (not the request session): committed before the answer, retried whole
        result = await record_attempt_retrying(
            request.app.state.session_maker,
            request.user,
            data,
            idempotency_key=idempotency_key,
            settings=settings,
        )
        return Response(result.out, status_code=201 if result.created else 200)

    @get("/me/attempts", summary="My attempts, newest first")
    async def my_attempts(
        self, request: Req, db_session: AsyncSession, page: LimitOffset
    ) -> OffsetPagination[AttemptOut]:
        query = select(Attempt).where(Attempt.learner_id == request.user.id)
        total = await db_session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = await db_session.scalars(
            query.order_by(Attempt.created_at.desc(), Attempt.id.desc()).limit(page.limit).offset(page.offset)
        )
        return OffsetPagination(
            items=[_decode(a.response) for a in rows if a.response is not None],
            limit=page.limit,
            offset=page.offset,
            total=total,
        )
