"""Access requests: everything the service holds about one learner, as JSON.

The same foreign-key discovery as erasure decides what "everything" is, so the two can never disagree:
rows that name the learner, and the rows that hang off those (a dialogue's turns, which carry the
learner's own words but no learner column). Secrets (password and key hashes) are left out; audit
events are found through the learner's pseudonym.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Final
from uuid import UUID

import msgspec
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.audit.formats import event_document
from tutor.audit.pseudonyms import pseudonyms_of
from tutor.audit.store import EventFilter, stream_rows
from tutor.auth.principal import Principal
from tutor.db.models import User
from tutor.errors import ForbiddenError, NotFoundError
from tutor.privacy.references import children_of, learner_references

__all__ = ["MAX_ROWS_PER_TABLE", "LearnerExport", "existing_tables", "export_learner"]

MAX_ROWS_PER_TABLE: Final = 20_000
_SECRET = re.compile(r"password|hash|secret|token|idempotency", re.IGNORECASE)


class LearnerExport(msgspec.Struct, frozen=True, kw_only=True):
    """The JSON body of ``GET /v1/learners/{id}/export``."""

    exported_at: datetime
    learner: dict[str, Any]
    pseudonym: str | None
    tables: dict[str, list[dict[str, Any]]]
    audit_events: list[dict[str, Any]]
    truncated: list[str]


async def existing_tables(session: AsyncSession) -> set[str]:
    """Tables present in the database now (a model may be ahead of its migration)."""
    rows = await session.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
    return {str(name) for (name,) in rows.tuples()}


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in msgspec.to_builtins(row).items() if not _SECRET.search(key)}


async def export_learner(session: AsyncSession, learner_id: UUID, *, by: Principal) -> LearnerExport:
    """The learner's data; allowed to the learner themself and to their school's admin."""
    learner = await session.get(User, learner_id)
    if learner is None or learner.school_id != by.school_id or learner.role != "student":
        raise NotFoundError("Learner not found.")
    if not (by.is_admin or by.id == learner_id):
        raise ForbiddenError(
            "Only the learner themself or the school administrator can export a learner's data."
        )
    present = await existing_tables(session)
    tables: dict[str, list[dict[str, Any]]] = {}
    truncated: list[str] = []
    references = learner_references()
    direct = {reference.table.name for reference in references if not reference.nulls_out}
    for reference in references:
        if reference.nulls_out or reference.table.name not in present:
            continue
        rows = (
            await session.execute(
                select(reference.table).where(reference.column == learner_id).limit(MAX_ROWS_PER_TABLE + 1)
            )
        ).mappings()
        found = [_plain(dict(row)) for row in rows]
        if len(found) > MAX_ROWS_PER_TABLE:
            truncated.append(str(reference.table.name))
            found = found[:MAX_ROWS_PER_TABLE]
        if found:
            tables.setdefault(str(reference.table.name), []).extend(found)
        for child, column, referenced, _ in children_of(reference.table):
            if child.name not in present or child.name in direct:
                continue  # tables naming the learner themselves are exported on their own
            parents = select(referenced).where(reference.column == learner_id)
            rows = (
                await session.execute(select(child).where(column.in_(parents)).limit(MAX_ROWS_PER_TABLE + 1))
            ).mappings()
            below = [_plain(dict(row)) for row in rows]
            if len(below) > MAX_ROWS_PER_TABLE:
                truncated.append(str(child.name))
                below = below[:MAX_ROWS_PER_TABLE]
            if below:
                tables.setdefault(str(child.name), []).extend(below)
    pseudonym = (await pseudonyms_of(session, [learner_id])).get(learner_id)
    events: list[dict[str, Any]] = []
    if pseudonym is not None:
        async for batch in stream_rows(session, EventFilter(learner_refs=[pseudonym])):
            events.extend(event_document(row) for row in batch)
            if len(events) > MAX_ROWS_PER_TABLE:
                truncated.append("audit_events")
                events = events[:MAX_ROWS_PER_TABLE]
                break
    profile = _plain(
        {c.key: getattr(learner, c.key) for c in User.__table__.columns if c.key not in {"sa_orm_sentinel"}}
    )
    await record_event(
        session,
        kind=kinds.LEARNER_DATA_READ,
        actor_id=by.id,
        actor_role=by.role,
        learner_id=learner_id,
        school_id=by.school_id,
        payload={"purpose": "access_request", "tables": sorted(tables), "audit_events": len(events)},
    )
    return LearnerExport(
        exported_at=datetime.now(UTC),
        learner=profile,
        pseudonym=pseudonym,
        tables=tables,
        audit_events=events,
        truncated=truncated,
    )
