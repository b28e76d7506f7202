"""Delete rows together with the rows that would block it through foreign keys without ON DELETE."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import ColumnElement, Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.privacy.references import children_of

__all__ = ["delete_where"]

_MAX_DEPTH: Final = 6


async def delete_where(
    session: AsyncSession,
    table: Table,
    condition: ColumnElement[bool],
    counts: dict[str, int],
    present: set[str],
    depth: int = 0,
) -> None:
    """Delete rows, first clearing children whose foreign keys would block it (no ON DELETE action)."""
    if depth > _MAX_DEPTH:
        raise RuntimeError(f"foreign keys nest deeper than {_MAX_DEPTH} levels below {table.name}")
    for child, column, referenced, ondelete in children_of(table):
        if (ondelete or "").upper() in {"CASCADE", "SET NULL", "SET DEFAULT"} or child is table:
            continue
        if child.name not in present:
            continue
        parents = select(referenced).where(condition)
        await delete_where(session, child, column.in_(parents), counts, present, depth + 1)
    result: Any = await session.execute(delete(table).where(condition))
    counts[table.name] = counts.get(table.name, 0) + int(result.rowcount or 0)
