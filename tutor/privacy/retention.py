"""Retention: delete rows older than their data kind's retention period (``tutor retention run``, a job).

A data kind is a table; its age column is the first of ``created_at``, ``occurred_at``, ``recorded_at``,
``last_attempt_at`` (the wrong-answer book: an entry ages from the learner's last try at it).
The audit log is never purged: it is append-only and holds no names, only pseudonyms.

A guardian's consent can shorten (never lengthen) how long a learner's data is kept: a consent with
``retention_days`` set applies to that learner's rows of the purpose's tables (``CONSENT_TABLES``).
Sign-in throttle rows (keyed hashes) are forgotten after a day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

import msgspec
from sqlalchemy import Column, Date, Table, and_, cast, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.auth.login_throttle import purge_stale
from tutor.db.base import metadata
from tutor.db.models.consent import LearnerConsent
from tutor.privacy.access import existing_tables
from tutor.privacy.config import PrivacySettings
from tutor.privacy.deletion import delete_where
from tutor.privacy.references import learner_references

__all__ = ["AGE_COLUMNS", "CONSENT_TABLES", "RetentionItem", "RetentionReport", "run_retention"]

AGE_COLUMNS: Final = ("created_at", "occurred_at", "recorded_at", "last_attempt_at", "day")
CONSENT_TABLES: Final[dict[str, tuple[str, ...]]] = {
    "tutoring": ("attempts", "dialogues", "recognitions", "wrong_answer_book"),
    "analytics": ("learner_daily_activity", "learner_daily_stats", "learner_kp_stats"),
}
"""Which learner tables a consent's ``retention_days`` limits."""
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
    items.extend(await _consent_limits(session, moment, present, dry_run))
    if not dry_run:
        await purge_stale(session, moment)
        await record_event(
            session,
            kind=kinds.RETENTION_RUN,
            actor_id=None,
            actor_role="service",
            learner_id=None,
            payload={"deleted": {item.table: item.rows for item in items if item.rows}},
        )
    return RetentionReport(dry_run=dry_run, ran_at=moment, items=items)


async def _consent_limits(
    session: AsyncSession, moment: datetime, present: set[str], dry_run: bool
) -> list[RetentionItem]:
    """Rows older than the shorter period a learner's active consent for the purpose allows."""
    items: list[RetentionItem] = []
    for purpose, tables in CONSENT_TABLES.items():
        for name in tables:
            table = metadata.tables.get(name)
            column = None if table is None else _age_column(table)
            if table is None or column is None or name not in present or "learner_id" not in table.columns:
                continue
            limit = moment - func.make_interval(0, 0, 0, LearnerConsent.retention_days)
            cutoff = cast(literal(moment) - func.make_interval(0, 0, 0, LearnerConsent.retention_days), Date)
            too_old = column < (cutoff if isinstance(column.type, Date) else limit)
            expired = exists().where(
                and_(
                    LearnerConsent.learner_id == table.c.learner_id,
                    LearnerConsent.purpose == purpose,
                    LearnerConsent.revoked_at.is_(None),
                    LearnerConsent.retention_days.is_not(None),
                    too_old,
                )
            )
            if dry_run:
                count = await session.scalar(select(func.count()).select_from(table).where(expired)) or 0
            else:
                counts: dict[str, int] = {}
                await delete_where(session, table, expired, counts, present)
                count = counts.get(name, 0)
            if count:
                items.append(
                    RetentionItem(
                        table=name, days=0, cutoff=moment, rows=int(count), note=f"{purpose} consent period"
                    )
                )
    return items
