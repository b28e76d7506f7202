"""Erase a learner: personal and derived data go in one transaction; the audit chain stays intact.

Audit events never held the learner's id or name, only a random pseudonym; deleting the pseudonym row
(with the user) cuts the last link, so no audit row needs to change and the chain still verifies.

What stays is an **erasure record**: a keyed hash of the account id and the erasure time, nothing else.
``tutor seed`` / ``tutor up`` (and any future import) check it, so a restart never re-creates the
learner; the record alone cannot be matched to a person without the key and the id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.auth.principal import Principal
from tutor.db.models import ErasureRecord, User
from tutor.errors import ForbiddenError, NotFoundError
from tutor.privacy.access import existing_tables
from tutor.privacy.deletion import delete_where
from tutor.privacy.keyed import ERASURE, keyed_digest
from tutor.privacy.references import learner_references

__all__ = ["ErasureReport", "erase_learner", "erasure_key"]


def erasure_key(account_id: UUID) -> str:
    """What the erasure record hashes: the account id (the seed's natural key for its accounts)."""
    return f"account:{account_id}"


class ErasureReport(msgspec.Struct, frozen=True, kw_only=True):
    learner_ref: str
    deleted: dict[str, int]
    blanked: dict[str, int]


async def erase_learner(session: AsyncSession, learner_id: UUID, *, by: Principal) -> ErasureReport:
    """Delete the learner and every row that references them; blank them where they were only an actor."""
    learner = await session.get(User, learner_id)
    if learner is None or learner.school_id != by.school_id:
        raise NotFoundError("Learner not found.")
    if learner.role != "student":
        raise ForbiddenError(
            "Only learner accounts can be erased here; staff accounts are deactivated instead."
        )
    present = await existing_tables(session)
    deleted: dict[str, int] = {}
    blanked: dict[str, int] = {}
    for reference in learner_references():
        if reference.table.name not in present:
            continue
        if reference.table.name == "learner_pseudonyms":
            continue  # deleted last, with the user, so the erasure event can still use the pseudonym
        if reference.nulls_out and reference.column.nullable:
            result: Any = await session.execute(
                update(reference.table)
                .where(reference.column == learner_id)
                .values({reference.column.name: None})
            )
            if result.rowcount:
                blanked[f"{reference.table.name}.{reference.column.name}"] = int(result.rowcount)
        else:
            await delete_where(session, reference.table, reference.column == learner_id, deleted, present)
    event = await record_event(
        session,
        kind=kinds.LEARNER_ERASED,
        actor_id=by.id,
        actor_role=by.role,
        learner_id=learner_id,
        school_id=by.school_id,
        payload={"deleted": {k: v for k, v in deleted.items() if v}, "blanked": blanked},
    )
    users = User.__table__
    assert isinstance(users, Table)
    await delete_where(session, users, users.c.id == learner_id, deleted, present)
    session.add(
        ErasureRecord(
            key_hash=await keyed_digest(session, ERASURE, erasure_key(learner_id)),
            school_id=by.school_id,
            erased_at=datetime.now(UTC),
        )
    )
    await session.flush()
    session.expunge(learner)
    return ErasureReport(
        learner_ref=event.learner_ref or "",
        deleted={k: v for k, v in sorted(deleted.items()) if v},
        blanked=blanked,
    )
