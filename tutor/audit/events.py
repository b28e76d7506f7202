"""Write one audit event into the caller's transaction, chained to the previous one.

Writers take one PostgreSQL transaction-level advisory lock, then read the chain head: the lock is held
until the caller commits or rolls back, so two transactions can never chain onto the same event (no
fork), and a rolled-back change leaves no event behind. Record the event as the last step of a
transaction so the lock is held briefly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final
from uuid import UUID

from sqlalchemy import Select, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit.canonical import canonical_bytes, normalise
from tutor.audit.chain import GENESIS_HASH, ChainRow, row_hash
from tutor.audit.pseudonyms import STAFF_PREFIX, pseudonym_for
from tutor.db.models.audit import AuditChainHead, AuditEvent, LearnerPseudonym

__all__ = ["CHAIN_LOCK_KEY", "MAX_PAYLOAD_BYTES", "chain_head", "ensure_pseudonyms", "record_event"]

CHAIN_LOCK_KEY: Final = 0x7475746F72_6175  # "tutor" "au": one constant key for the whole chain
MAX_PAYLOAD_BYTES: Final = 512 * 1024
_KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
STAFF_ROLES: Final = frozenset({"teacher", "admin"})


def _replace_ids(value: Any, replacements: Mapping[str, str]) -> Any:
    """Swap learner ids that slipped into a payload for their pseudonyms."""
    if isinstance(value, str):
        return replacements.get(value, value)
    if isinstance(value, list):
        return [_replace_ids(item, replacements) for item in value]
    if isinstance(value, dict):
        return {key: _replace_ids(item, replacements) for key, item in value.items()}
    return value


async def chain_head(session: AsyncSession) -> tuple[int, str]:
    """(seq, hash) of the newest event, or (0, genesis) for an empty log."""
    head = (
        await session.execute(select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.id == 1))
    ).one_or_none()
    if head is not None:
        return int(head[0]), str(head[1])
    last = (
        await session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        )
    ).one_or_none()
    return (int(last[0]), str(last[1])) if last is not None else (0, GENESIS_HASH)


async def record_event(
    session: AsyncSession,
    *,
    kind: str,
    actor_id: UUID | None,
    actor_role: str | None,
    learner_id: UUID | None,
    payload: Mapping[str, Any],
    school_id: UUID | None = None,
) -> AuditEvent:
    """Append one event; it commits or rolls back with the caller's transaction.

    The learner is stored only as a pseudonym, and so is every person acting (students ``lrn_``, staff
    ``stf_``, with their role); their ids appearing as strings inside ``payload`` are replaced by the
    pseudonyms too. Service accounts keep their id (they are not people). Never put names,
    raw audio or images in ``payload``: store references (ids of rows erasure can delete) instead.
    """
    if len(kind) > 64 or not _KIND.match(kind):
        raise ValueError(f"audit kind {kind!r} must be dotted lowercase words, at most 64 characters")
    normalised = normalise(dict(payload))
    if len(canonical_bytes(normalised)) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"audit payload larger than {MAX_PAYLOAD_BYTES} bytes; store a reference instead")
    # Lock before pseudonyms are then only ever created under the lock, so two transactions creating the
    # same learner's pseudonym cannot deadlock against each other's lock.
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    learner_ref = await pseudonym_for(session, learner_id) if learner_id is not None else None
    replacements: dict[str, str] = {}
    if learner_id is not None and learner_ref is not None:
        replacements[str(learner_id)] = learner_ref
    stored_actor_id, actor_ref = actor_id, None
    if actor_role == "student" and actor_id is not None:
        stored_actor_id = None
        student_ref = learner_ref if learner_ref and actor_id == learner_id else None
        actor_ref = student_ref or await pseudonym_for(session, actor_id)
        replacements[str(actor_id)] = actor_ref
    elif actor_role in STAFF_ROLES and actor_id is not None:
        stored_actor_id = None  # staff appear by role and pseudonym; their school's admin can resolve it
        actor_ref = await pseudonym_for(session, actor_id, prefix=STAFF_PREFIX)
        replacements[str(actor_id)] = actor_ref
    clean = _replace_ids(normalised, replacements)
    last_seq, last_hash = await chain_head(session)
    row = ChainRow(
        seq=last_seq + 1,
        occurred_at=datetime.now(UTC),
        kind=kind,
        actor_id=stored_actor_id,
        actor_role=actor_role,
        actor_ref=actor_ref,
        learner_ref=learner_ref,
        school_id=school_id,
        payload=clean,
        prev_hash=last_hash,
    )
    digest = row_hash(row)
    event = AuditEvent(
        seq=row.seq,
        occurred_at=row.occurred_at,
        kind=kind,
        actor_id=stored_actor_id,
        actor_role=actor_role,
        actor_ref=actor_ref,
        learner_ref=learner_ref,
        school_id=school_id,
        payload=clean,
        prev_hash=last_hash,
        hash=digest,
    )
    session.add(event)
    await session.execute(
        insert(AuditChainHead)
        .values(id=1, seq=row.seq, hash=digest)
        .on_conflict_do_update(index_elements=["id"], set_={"seq": row.seq, "hash": digest})
    )
    await session.flush()
    return event


async def ensure_pseudonyms(session: AsyncSession, learners: Select[Any]) -> None:
    """Give every learner the select names a pseudonym (random, from PostgreSQL's CSPRNG), under the
    chain lock like every other pseudonym creation."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    ids = learners.subquery()
    random_pseudonym = text("'lrn_' || replace(gen_random_uuid()::text, '-', '')")
    await session.execute(
        insert(LearnerPseudonym)
        .from_select(
            ["learner_id", "pseudonym", "created_at"], select(ids.c.id, random_pseudonym, func.now())
        )
        .on_conflict_do_nothing(index_elements=["learner_id"])
    )
