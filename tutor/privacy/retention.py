"""Retention: delete rows older than their data kind's retention period (``tutor retention run``, a job).

A data kind is a table; its age column is the first of ``created_at``, ``occurred_at``, ``recorded_at``.
The audit log is never purged: it is append-only and holds no names, only pseudonyms.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

import msgspec
from sqlalchemy import Column, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.db.base import metadata
from tutor.privacy.access import existing_tables
from tutor.privacy.config import PrivacySettings
from tutor.privacy.deletion import delete_where
from tutor.privacy.references import learner_references

__all__ = ["AGE_COLUMNS", "RetentionItem", "RetentionReport", "run_retention"]

AGE_COLUMNS: Final = ("created_at", "occurred_at", "recorded_at")
_NEVER_PURGED: Final = frozenset(
    {"audit_events", "audit_chain_head", "users", "schools", "learner_pseudonyms"}
)


class RetentionItem(msgspec.Struct, frozen=True, kw_only=True):
    table: str
    days: int
    cutoff: datetime
    rows: int
    note: str | None = None


class RetentionReport(msgspec.Struct, frozen=True, kw_only=True):
    dry_run: bool
    ran_at: datetime
    items: list[RetentionItem]

    @property
    def total(self) -> int:
        return sum(item.rows for item in self.items)


def _age_column(table: Table) -> Column[datetime] | None:
    for name in AGE_COLUMNS:
        if name in table.columns:
            column: Column[datetime] = table.columns[name]
            return column
    return None


async def run_retention(
    session: AsyncSession, settings: PrivacySettings, *, dry_run: bool, now: datetime | None = None
) -> RetentionReport:
    """Count (dry run) or delete expired rows per configured kind, in the caller's transaction."""
    moment = now or datetime.now(UTC)
    learner_references()  # registers every model module on the metadata
    present = await existing_tables(session)
    items: list[RetentionItem] = []
    for name, days in sorted(settings.retention_days.items()):
        cutoff = moment - timedelta(days=days)
        table = metadata.tables.get(name)
        if name in _NEVER_PURGED:
            items.append(RetentionItem(table=name, days=days, cutoff=cutoff, rows=0, note="never purged"))
            continue
        if table is None or name not in present:
            items.append(RetentionItem(table=name, days=days, cutoff=cutoff, rows=0, note="no such table"))
            continue
        column = _age_column(table)
        if column is None:
            items.append(RetentionItem(table=name, days=days, cutoff=cutoff, rows=0, note="no age column"))
            continue
        expired = column < cutoff
        if dry_run:
            count = await session.scalar(select(func.count()).select_from(table).where(expired)) or 0
        else:
            counts: dict[str, int] = {}
            await delete_where(session, table, expired, counts, present)
            count = counts.get(name, 0)
        items.append(RetentionItem(table=name, days=days, cutoff=cutoff, rows=int(count)))
    if not dry_run:
        await record_event(
            session,
            kind=kinds.RETENTION_RUN,
            actor_id=None,
            actor_role="service",
            learner_id=None,
            payload={"deleted": {item.table: item.rows for item in items if item.rows}},
        )
    return RetentionReport(dry_run=dry_run, ran_at=moment, items=items)
