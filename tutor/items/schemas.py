"""Item shapes: learners never receive the answer of an item they are about to practise."""

from __future__ import annotations

from uuid import UUID

import msgspec

from tutor.db.models import Item

__all__ = ["ItemOut", "item_out"]


class ItemOut(msgspec.Struct, omit_defaults=True):
    id: UUID
    knowledge_points: list[str]
    answer_kind: str
    difficulty: float
    origin: str
    verified: bool
    stem_latex: str | None = None
    stem_text_zh: str | None = None
    stem_text_en: str | None = None
    answer: str | None = None
    discrimination: float | None = None


def item_out(item: Item, *, with_answer: bool) -> ItemOut:
    return ItemOut(
        id=item.id,
        knowledge_points=[kp.code for kp in item.knowledge_points],
        answer_kind=item.answer_kind,
        difficulty=round(item.difficulty, 4),
        origin=item.origin,
        verified=item.verified,
        stem_latex=item.stem_latex,
        stem_text_zh=item.stem_text_zh,
        stem_text_en=item.stem_text_en,
        answer=item.answer if with_answer else None,
        discrimination=round(item.discrimination, 4) if with_answer else None,
    )
