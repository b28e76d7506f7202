"""Per-learner random pseudonyms: audit events name learners only by these.

A random value (not a hash of the id) means that once erasure deletes the mapping row, nothing, not even
the server's secrets, links the remaining audit events back to the child.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.db.models.audit import LearnerPseudonym

__all__ = ["PSEUDONYM_PREFIX", "pseudonym_for", "pseudonyms_of"]

PSEUDONYM_PREFIX = "lrn_"


async def pseudonym_for(session: AsyncSession, learner_id: UUID) -> str:
    """The learner's pseudonym, created on first use (safe under concurrent first uses)."""
    found = await session.scalar(
        select(LearnerPseudonym.pseudonym).where(LearnerPseudonym.learner_id == learner_id)
    )
    if found is not None:
        return found
    await session.execute(
        insert(LearnerPseudonym)
        .values(
            learner_id=learner_id,
            pseudonym=PSEUDONYM_PREFIX + secrets.token_hex(16),
            created_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing(index_elements=["learner_id"])
    )
    created = await session.scalar(
        select(LearnerPseudonym.pseudonym).where(LearnerPseudonym.learner_id == learner_id)
    )
    if created is None:  # pragma: no cover - the insert above or a concurrent one guarantees a row
        raise RuntimeError("learner pseudonym could not be created")
    return created


async def pseudonyms_of(session: AsyncSession, learner_ids: Iterable[UUID]) -> dict[UUID, str]:
    """Existing pseudonyms of several learners (learners with no events have none)."""
    ids = list(learner_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(LearnerPseudonym.learner_id, LearnerPseudonym.pseudonym).where(
            LearnerPseudonym.learner_id.in_(ids)
        )
    )
    return {learner_id: pseudonym for learner_id, pseudonym in rows.tuples()}
