"""Random pseudonyms: audit events name learners (``lrn_``) and staff (``stf_``) only by these.

A random value (not a hash of the id) means that once erasure deletes the mapping row, nothing, not even
the server's secrets, links the remaining audit events back to the child. Staff pseudonyms are resolved
by their school's admin (``GET /v1/audit/actors/{ref}``) when someone must answer for an action.
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
from tutor.db.models.people import User

__all__ = ["PSEUDONYM_PREFIX", "STAFF_PREFIX", "pseudonym_for", "pseudonyms_of", "staff_for_pseudonym"]

PSEUDONYM_PREFIX = "lrn_"
STAFF_PREFIX = "stf_"


async def pseudonym_for(session: AsyncSession, learner_id: UUID, *, prefix: str = PSEUDONYM_PREFIX) -> str:
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
            pseudonym=prefix + secrets.token_hex(16),
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


async def staff_for_pseudonym(session: AsyncSession, pseudonym: str) -> User | None:
    """The staff account behind a ``stf_`` pseudonym (learners' pseudonyms are never resolved here)."""
    if not pseudonym.startswith(STAFF_PREFIX):
        return None
    return await session.scalar(
        select(User)
        .join(LearnerPseudonym, LearnerPseudonym.learner_id == User.id)
        .where(LearnerPseudonym.pseudonym == pseudonym, User.role.in_(("teacher", "admin")))
    )
