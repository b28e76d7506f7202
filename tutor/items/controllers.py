"""The exercise bank (read side)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from advanced_alchemy.filters import LimitOffset
from litestar import Controller, get
from litestar.di import Provide
from litestar.pagination import OffsetPagination
from litestar.params import Parameter
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.api.pagination import provide_limit_offset
from tutor.api.types import AuthedRequest
from tutor.auth.guards import requires_roles
from tutor.auth.scopes import ITEMS_READ, SERVICE_SCOPE
from tutor.db.models import Item, item_knowledge_points
from tutor.items.access import visible_item
from tutor.items.schemas import ItemOut, item_out

__all__ = ["ItemController"]

Req = AuthedRequest


class ItemController(Controller):
    path = "/v1/items"
    tags = ["items"]
    dependencies = {"page": Provide(provide_limit_offset, sync_to_thread=False)}

    @get(
        "/{item_id:uuid}",
        opt={SERVICE_SCOPE: ITEMS_READ},
        summary="One item (learners get it without the answer)",
    )
    async def get_item(self, request: Req, db_session: AsyncSession, item_id: UUID) -> ItemOut:
        item = await visible_item(db_session, request.user, item_id)
        return item_out(item, with_answer=not request.user.is_student)

    @get(
        "/",
        guards=[requires_roles("teacher", "admin", "service")],
        opt={SERVICE_SCOPE: ITEMS_READ},
        summary="Browse the item bank",
    )
    async def list_items(
        self,
        request: Req,
        db_session: AsyncSession,
        page: LimitOffset,
        knowledge_point: Annotated[str | None, Parameter(query="knowledge_point", max_length=64)] = None,
    ) -> OffsetPagination[ItemOut]:
        query = select(Item).where(or_(Item.school_id.is_(None), Item.school_id == request.user.school_id))
        if knowledge_point:
            query = query.where(
                Item.id.in_(
                    select(item_knowledge_points.c.item_id).where(
                        item_knowledge_points.c.kp_code == knowledge_point
                    )
                )
            )
        total = await db_session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = await db_session.scalars(
            query.order_by(Item.difficulty, Item.id).limit(page.limit).offset(page.offset)
        )
        return OffsetPagination(
            items=[item_out(i, with_answer=True) for i in rows],
            limit=page.limit,
            offset=page.offset,
            total=total,
        )
