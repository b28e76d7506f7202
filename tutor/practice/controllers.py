"""Student routes: my next exercise and my wrong-answer book."""

from __future__ import annotations

from typing import Annotated, Any

from advanced_alchemy.filters import LimitOffset
from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.pagination import OffsetPagination
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.api.pagination import provide_limit_offset
from tutor.auth.consent_guard import TUTORING
from tutor.auth.guards import requires_roles
from tutor.auth.principal import Principal
from tutor.practice.next_exercise import next_exercise
from tutor.practice.schemas import NextExerciseOut, WrongAnswerOut
from tutor.practice.wrong_answers import wrong_answers
from tutor.settings import Settings

__all__ = ["PracticeController"]

Req = Request[Principal, Any, Any]


class PracticeController(Controller):
    opt = dict(TUTORING)  # a student needs guardian consent for tutoring (tutor.auth.consent_guard)
    path = "/v1/me"
    tags = ("practice",)
    guards = (requires_roles("student"),)
    dependencies = {"page": Provide(provide_limit_offset, sync_to_thread=False)}

    @get(
        "/next-exercise",
        summary="My next exercise, and why it was chosen",
        description=(
            "Picks an item whose predicted P(correct) is nearest the class target (default 0.7), on a "
            "knowledge point whose prerequisites are mastered and which is not mastered yet, never the "
            "item just answered and avoiding recently seen ones (least recently seen first when all "
            "were), mixing in due items from the wrong-answer book and spaced checks of mastered points "
            "that decayed. After repeated wrong answers it steps back to a prerequisite or an easier "
            "item; now and then it explores a not yet calibrated item near the target. The reason comes "
            "in Chinese and English. 404 when the bank has nothing for this learner."
        ),
    )
    async def get_next(self, request: Req, db_session: AsyncSession, settings: Settings) -> NextExerciseOut:
        return await next_exercise(db_session, request.user, settings)

    @get("/wrong-answers", summary="My wrong-answer book (错题本): open entries, the due ones first")
    async def get_wrong_answers(
        self,
        request: Req,
        db_session: AsyncSession,
        page: LimitOffset,
        due_only: Annotated[bool, Parameter(query="due_only", default=False)] = False,
    ) -> OffsetPagination[WrongAnswerOut]:
        items, total = await wrong_answers(
            db_session, request.user, due_only=due_only, limit=page.limit, offset=page.offset
        )
        return OffsetPagination(items=items, limit=page.limit, offset=page.offset, total=total)
