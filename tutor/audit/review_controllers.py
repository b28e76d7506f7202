"""``/v1/review``: the teachers' queue of AI-generated content and their approve / reject / edit actions."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.api.types import AuthedRequest
from tutor.audit import review
from tutor.auth.guards import requires_roles
from tutor.db.models import Item

__all__ = ["ReviewController"]

Note = Annotated[str, msgspec.Meta(max_length=500)]


class ReviewNote(msgspec.Struct, forbid_unknown_fields=True):
    note: Note | None = None


class ItemEditIn(msgspec.Struct, forbid_unknown_fields=True):
    answer: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    stem_latex: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)] | None = None
    note: Note | None = None


class ReviewedItemOut(msgspec.Struct):
    id: UUID
    stem_latex: str | None
    answer: str
    answer_kind: str
    review_status: str
    served_to_learners: bool


class ReviewedTurnOut(msgspec.Struct):
    dialogue_id: UUID
    seq: int
    action: str


def _item_out(item: Item) -> ReviewedItemOut:
    return ReviewedItemOut(
        id=item.id,
        stem_latex=item.stem_latex,
        answer=item.answer,
        answer_kind=item.answer_kind,
        review_status=item.review_status,
        served_to_learners=item.verified,
    )


class ReviewController(Controller):
    path = "/v1/review"
    tags = ["review"]
    guards = [requires_roles("teacher", "admin")]

    @get("/queue", summary="AI-generated content waiting for a teacher's review (oldest first)")
    async def queue(
        self,
        request: AuthedRequest,
        db_session: AsyncSession,
        limit: Annotated[int, Parameter(query="limit", ge=1, le=200)] = 50,
    ) -> list[review.QueueEntry]:
        return await review.queue(db_session, request.user, limit=limit)

    @post("/items/{item_id:uuid}/approve", status_code=200, summary="Approve a generated item (it is served)")
    async def approve_item(
        self, request: AuthedRequest, db_session: AsyncSession, item_id: UUID, data: ReviewNote | None = None
    ) -> ReviewedItemOut:
        note = data.note if data else None
        return _item_out(await review.approve_item(db_session, request.user, item_id, note))

    @post("/items/{item_id:uuid}/reject", status_code=200, summary="Reject a generated item (never served)")
    async def reject_item(
        self, request: AuthedRequest, db_session: AsyncSession, item_id: UUID, data: ReviewNote | None = None
    ) -> ReviewedItemOut:
        note = data.note if data else None
        return _item_out(await review.reject_item(db_session, request.user, item_id, note))

    @post(
        "/items/{item_id:uuid}/edit",
        status_code=200,
        summary="Correct a generated item; the math engine must agree with the new answer",
    )
    async def edit_item(
        self, request: AuthedRequest, db_session: AsyncSession, item_id: UUID, data: ItemEditIn
    ) -> ReviewedItemOut:
        edit = review.ItemEdit(stem_latex=data.stem_latex, answer=data.answer, note=data.note)
        return _item_out(await review.edit_item(db_session, request.user, item_id, edit))

    @post(
        "/dialogue-turns/{dialogue_id:uuid}/{seq:int}/approve",
        status_code=200,
        summary="Approve a tutor turn (it may become training data)",
    )
    async def approve_turn(
        self,
        request: AuthedRequest,
        db_session: AsyncSession,
        dialogue_id: UUID,
        seq: Annotated[int, Parameter(ge=1, le=10_000)],
    ) -> ReviewedTurnOut:
        from tutor.tutoring.dialogues import approve_turn

        await approve_turn(db_session, request.user, dialogue_id, seq)
        await review.review_turn_approved(db_session, request.user, dialogue_id, seq)
        return ReviewedTurnOut(dialogue_id=dialogue_id, seq=seq, action="approved")

    @post(
        "/dialogue-turns/{dialogue_id:uuid}/{seq:int}/reject",
        status_code=200,
        summary="Reject a tutor turn (kept as the record of what was shown; never training data)",
    )
    async def reject_turn(
        self,
        request: AuthedRequest,
        db_session: AsyncSession,
        dialogue_id: UUID,
        seq: Annotated[int, Parameter(ge=1, le=10_000)],
        data: ReviewNote | None = None,
    ) -> ReviewedTurnOut:
        await review.reject_turn(db_session, request.user, dialogue_id, seq, data.note if data else None)
        return ReviewedTurnOut(dialogue_id=dialogue_id, seq=seq, action="rejected")
