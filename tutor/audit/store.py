"""Read audit events from PostgreSQL in constant memory: server-side cursor, fixed-size batches."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit.chain import ChainRow
from tutor.db.models.audit import AuditEvent

__all__ = ["DEFAULT_BATCH", "EventFilter", "stream_rows"]

DEFAULT_BATCH = 2000

_COLUMNS = (
    AuditEvent.seq,
    AuditEvent.occurred_at,
    AuditEvent.kind,
    AuditEvent.actor_id,
    AuditEvent.actor_role,
    AuditEvent.actor_ref,
    AuditEvent.learner_ref,
    AuditEvent.school_id,
    AuditEvent.payload,
    AuditEvent.prev_hash,
    AuditEvent.hash,
)


class EventFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Which events to read; ``None`` means no restriction on that field."""

    from_seq: int | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    kinds: Collection[str] | None = None
    learner_refs: Collection[str] | None = None
    school_id: UUID | None = None


def _statement(where: EventFilter) -> Select[Any]:
    stmt = select(*_COLUMNS).order_by(AuditEvent.seq)
    if where.from_seq is not None:
        stmt = stmt.where(AuditEvent.seq >= where.from_seq)
    if where.occurred_from is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= where.occurred_from)
    if where.occurred_to is not None:
        stmt = stmt.where(AuditEvent.occurred_at < where.occurred_to)
    if where.kinds is not None:
        stmt = stmt.where(AuditEvent.kind.in_(list(where.kinds)))
    if where.learner_refs is not None:
        stmt = stmt.where(AuditEvent.learner_ref.in_(list(where.learner_refs)))
    if where.school_id is not None:
        stmt = stmt.where(AuditEvent.school_id == where.school_id)
    return stmt


async def stream_rows(
    session: AsyncSession, where: EventFilter | None = None, *, batch_size: int = DEFAULT_BATCH
) -> AsyncGenerator[Sequence[ChainRow], None]:
    """Events in ``seq`` order, ``batch_size`` at a time, never more in memory."""
    stmt = _statement(where or EventFilter()).execution_options(yield_per=batch_size)
    result = await session.stream(stmt)
    try:
        async for partition in result.partitions(batch_size):
            yield [
                ChainRow(
                    seq=row[0],
                    occurred_at=row[1],
                    kind=row[2],
                    actor_id=row[3],
                    actor_role=row[4],
                    actor_ref=row[5],
                    learner_ref=row[6],
                    school_id=row[7],
                    payload=row[8],
                    prev_hash=row[9],
                    hash=row[10],
                )
                for row in partition
            ]
    finally:
        await result.close()
