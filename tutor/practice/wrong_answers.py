"""The learner's wrong-answer book (错题本): open entries, the due ones first."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tutor.auth.principal import Principal
from tutor.db.models import Item
from tutor.db.models.learning import WrongAnswerEntry
from tutor.items.schemas import item_out
from tutor.practice.schemas import WrongAnswerOut

__all__ = ["wrong_answers"]


async def wrong_answers(
    session: AsyncSession, principal: Principal, *, due_only: bool, limit: int, offset: int
) -> tuple[list[WrongAnswerOut], int]:
    now = datetime.now(UTC)
    conditions = [WrongAnswerEntry.learner_id == principal.id, WrongAnswerEntry.cleared_at.is_(None)]
    if due_only:
        conditions.append(WrongAnswerEntry.due_at <= now)
    total = await session.scalar(select(func.count()).select_from(WrongAnswerEntry).where(*conditions)) or 0
    rows = await session.execute(
        select(WrongAnswerEntry, Item)
        .join(Item, Item.id == WrongAnswerEntry.item_id)
        .where(*conditions)
        .options(selectinload(Item.knowledge_points))
        .order_by(WrongAnswerEntry.due_at, WrongAnswerEntry.item_id)
        .limit(limit)
        .offset(offset)
    )
    out = [
        WrongAnswerOut(
            item=item_out(item, with_answer=False),
            item_id=item.id,
            last_wrong_answer=entry.last_wrong_answer,
            wrong_count=entry.wrong_count,
            first_wrong_at=entry.first_wrong_at,
            last_attempt_at=entry.last_attempt_at,
            due_at=entry.due_at,
            is_due=entry.due_at <= now,
        )
        for entry, item in rows.tuples()
    ]
    return out, total
