"""Which items a caller may see: the shared bank plus their own school's items."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tutor.auth.principal import Principal
from tutor.db.models import Item
from tutor.errors import NotFoundError

__all__ = ["visible_item"]


async def visible_item(session: AsyncSession, principal: Principal, item_id: UUID) -> Item:
    item = await session.get(Item, item_id)
    if item is None or (item.school_id is not None and item.school_id != principal.school_id):
        raise NotFoundError("Item not found.")
    return item
