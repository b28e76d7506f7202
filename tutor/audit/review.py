"""The teachers' review queue for AI-generated content: generated exercises and tutor dialogue turns.

Generated items wait as ``pending``; approving clears them to be served (a service key's items are not
served before that), rejecting stops them being served, editing changes the stem/answer only if the math
engine agrees with the new answer. Tutor turns can be approved (then they may become training data) or
rejected; they are never edited, because they are the record of what the learner was shown. Every
action is a ``content_reviews`` row and an audit event with the content before and after.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec
from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.auth.principal import Principal
from tutor.db.models import Dialogue, DialogueTurnRow, Enrolment, Item, SchoolClass
from tutor.db.models.privacy import ContentReview
from tutor.errors import ConflictError, ForbiddenError, NotFoundError, TutorError, UnprocessableError

__all__ = [
    "ItemEdit",
    "QueueEntry",
    "approve_item",
    "edit_item",
    "queue",
    "reject_item",
    "reject_turn",
    "review_turn_approved",
]


class QueueEntry(msgspec.Struct, kw_only=True):
    kind: Literal["item", "dialogue_turn"]
    id: str
    """Item id, or ``<dialogue id>/<seq>`` for a tutor turn."""
    created_at: datetime
    origin: str
    text: str
    answer: str | None = None
    answer_kind: str | None = None
    served_to_learners: bool
    model: str | None = None
    adapter: str | None = None


class ItemEdit(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    stem_latex: str | None = msgspec.field(default=None)
    answer: str
    note: str | None = None


def _staff(principal: Principal) -> None:
    if not (principal.is_teacher or principal.is_admin):
        raise ForbiddenError("Only teachers and school admins review AI-generated content.")


def _item_text(item: Item) -> str:
    return item.stem_latex or item.stem_text_zh or item.stem_text_en or ""


async def queue(session: AsyncSession, principal: Principal, *, limit: int) -> list[QueueEntry]:
    """Pending generated items of the school, and unreviewed tutor turns of learners the caller may see."""
    _staff(principal)
    items = await session.scalars(
        select(Item)
        .where(Item.school_id == principal.school_id, Item.review_status == "pending")
        .order_by(Item.created_at, Item.id)
        .limit(limit)
    )
    out = [
        QueueEntry(
            kind="item",
            id=str(item.id),
            created_at=item.created_at,
            origin=item.origin,
            text=_item_text(item),
            answer=item.answer,
            answer_kind=item.answer_kind,
            served_to_learners=item.verified,
        )
        for item in items
    ]
    turns = select(DialogueTurnRow, Dialogue.learner_id).join(
        Dialogue, Dialogue.id == DialogueTurnRow.dialogue_id
    )
    turns = turns.where(
        Dialogue.school_id == principal.school_id,
        DialogueTurnRow.role == "tutor",
        DialogueTurnRow.approved_at.is_(None),
    )
    if principal.is_teacher:
        turns = turns.where(
            exists().where(
                and_(
                    Enrolment.learner_id == Dialogue.learner_id,
                    Enrolment.class_id == SchoolClass.id,
                    SchoolClass.teacher_id == principal.id,
                )
            )
        )
    rejected = set(
        await session.scalars(
            select(ContentReview.content_id).where(
                ContentReview.school_id == principal.school_id,
                ContentReview.content_kind == "dialogue_turn",
                ContentReview.action == "rejected",
            )
        )
    )
    for turn, _ in (await session.execute(turns.order_by(DialogueTurnRow.created_at).limit(limit))).tuples():
        key = f"{turn.dialogue_id}/{turn.seq}"
        if key in rejected:
            continue
        out.append(
            QueueEntry(
                kind="dialogue_turn",
                id=key,
                created_at=turn.created_at,
                origin="model",
                text=turn.text,
                served_to_learners=True,
                model=turn.model,
                adapter=turn.adapter,
            )
        )
    return out[:limit]


async def _item(session: AsyncSession, principal: Principal, item_id: UUID) -> Item:
    _staff(principal)
    item = await session.get(Item, item_id, with_for_update=True)
    if item is None or item.school_id != principal.school_id:
        raise NotFoundError("Item not found.")
    if item.origin not in ("template", "model"):
        raise UnprocessableError("Only generated items are reviewed here.")
    return item


async def _record(
    session: AsyncSession,
    principal: Principal,
    *,
    content_kind: str,
    content_id: str,
    action: str,
    kind: str,
    note: str | None,
    payload: dict[str, Any],
    learner_id: UUID | None = None,
) -> None:
    session.add(
        ContentReview(
            school_id=principal.school_id,
            content_kind=content_kind,
            content_id=content_id,
            action=action,
            actor_id=principal.id,
            note=note,
        )
    )
    await session.flush()
    await record_event(
        session,
        kind=kind,
        actor_id=principal.id,
        actor_role=principal.role,
        learner_id=learner_id,
        school_id=principal.school_id,
        payload={
            "content": content_kind,
            "content_id": content_id,
            "action": action,
            "note": note,
            **payload,
        },
    )


def _snapshot(item: Item) -> dict[str, Any]:
    return {
        "stem_latex": item.stem_latex,
        "answer": item.answer,
        "answer_kind": item.answer_kind,
        "review_status": item.review_status,
        "served": item.verified,
    }


async def approve_item(session: AsyncSession, principal: Principal, item_id: UUID, note: str | None) -> Item:
    item = await _item(session, principal, item_id)
    before = _snapshot(item)
    item.review_status, item.verified = "approved", True
    await _record(
        session, principal, content_kind="item", content_id=str(item.id), action="approved",
        kind=kinds.AI_CONTENT_APPROVED, note=note, payload={"before": before, "after": _snapshot(item)},
    )  # fmt: skip
    return item


async def reject_item(session: AsyncSession, principal: Principal, item_id: UUID, note: str | None) -> Item:
    item = await _item(session, principal, item_id)
    before = _snapshot(item)
    item.review_status, item.verified = "rejected", False
    await _record(
        session, principal, content_kind="item", content_id=str(item.id), action="rejected",
        kind=kinds.AI_CONTENT_REJECTED, note=note, payload={"before": before, "after": _snapshot(item)},
    )  # fmt: skip
    return item


async def edit_item(session: AsyncSession, principal: Principal, item_id: UUID, data: ItemEdit) -> Item:
    """Change the stem and/or answer; the math engine must solve the stem to the new answer."""
    from tutor.math.grading import grade_answer
    from tutor.math.sandbox import run_sandboxed
    from tutor.math.solver import solve_problem

    item = await _item(session, principal, item_id)
    stem = data.stem_latex or item.stem_latex
    if not stem:
        raise UnprocessableError(
            "This item has no formula stem the math engine can check.", field="stem_latex"
        )
    try:
        solution = await run_sandboxed(solve_problem, stem)
        graded = await grade_answer(solution.answer, solution.answer_kind, data.answer)
    except TutorError as exc:
        raise UnprocessableError(
            f"The math engine cannot check this edit: {exc.message} / 数学引擎无法检查此修改。",
            field="stem_latex",
        ) from exc
    if not graded.correct:
        raise ConflictError(
            f"The math engine solves this stem to {solution.answer}, not {data.answer}. "
            f"/ 数学引擎的答案是 {solution.answer}。",
            code="answer_does_not_check",
            engine_answer=solution.answer,
        )
    before = _snapshot(item)
    item.stem_latex, item.answer, item.answer_kind = stem, solution.answer, solution.answer_kind
    item.review_status, item.verified = "approved", True
    await _record(
        session, principal, content_kind="item", content_id=str(item.id), action="edited",
        kind=kinds.AI_CONTENT_EDITED, note=data.note, payload={"before": before, "after": _snapshot(item)},
    )  # fmt: skip
    return item


async def review_turn_approved(
    session: AsyncSession, principal: Principal, dialogue_id: UUID, seq: int
) -> None:
    """Approving goes through the tutoring area's approval (which audits it); here only the history row."""
    session.add(
        ContentReview(
            school_id=principal.school_id,
            content_kind="dialogue_turn",
            content_id=f"{dialogue_id}/{seq}",
            action="approved",
            actor_id=principal.id,
        )
    )
    await session.flush()


async def reject_turn(
    session: AsyncSession, principal: Principal, dialogue_id: UUID, seq: int, note: str | None
) -> None:
    from tutor.auth.access import learner_visible_to

    _staff(principal)
    dialogue = await session.get(Dialogue, dialogue_id)
    if dialogue is None or dialogue.school_id != principal.school_id:
        raise NotFoundError("Dialogue not found.")
    await learner_visible_to(session, principal, dialogue.learner_id)
    turn = await session.scalar(
        select(DialogueTurnRow).where(DialogueTurnRow.dialogue_id == dialogue_id, DialogueTurnRow.seq == seq)
    )
    if turn is None or turn.role != "tutor":
        raise NotFoundError("Tutor turn not found.")
    if turn.approved_at is not None:
        raise ConflictError("This turn was already approved as training data.")
    await _record(
        session,
        principal,
        content_kind="dialogue_turn",
        content_id=f"{dialogue_id}/{seq}",
        action="rejected",
        kind=kinds.AI_CONTENT_REJECTED,
        note=note,
        learner_id=dialogue.learner_id,
        payload={"model": turn.model, "adapter": turn.adapter, "output_chars": len(turn.text)},
    )
