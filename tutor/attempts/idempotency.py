"""Idempotency-Key handling for attempts: never lost, never doubled.

A transaction-scoped advisory lock on (learner, key) tells "in flight" (409) from "done" (replay the
stored response) without a second table; the unique constraint on the attempts table is the backstop.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.attempts.schemas import AttemptIn
from tutor.db.models import Attempt
from tutor.errors import ConflictError, UnprocessableError

__all__ = ["MAX_KEY_LENGTH", "claim_key", "lock_learner", "request_hash"]

MAX_KEY_LENGTH = 128


def request_hash(body: AttemptIn) -> str:
    return hashlib.sha256(msgspec.json.encode(body, order="sorted")).hexdigest()


async def claim_key(session: AsyncSession, learner_id: UUID, key: str, body_hash: str) -> Attempt | None:
    """Lock the key for this transaction; return the stored attempt when the key was used before.

    Raises 409 while another request with the key is in flight and 422 when the key comes with a
    different body.
    """
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise UnprocessableError(f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable characters.")
    lock_id = func.hashtextextended(f"attempt:{learner_id}:{key}", 0)
    if not await session.scalar(select(func.pg_try_advisory_xact_lock(lock_id))):
        raise ConflictError(
            "An attempt with this Idempotency-Key is still being processed; retry shortly.",
            headers={"Retry-After": "1"},
        )
    previous = await session.scalar(
        select(Attempt).where(Attempt.learner_id == learner_id, Attempt.idempotency_key == key)
    )
    if previous is not None and previous.request_hash != body_hash:
        raise UnprocessableError("This Idempotency-Key was already used for a different attempt.")
    return previous


async def lock_learner(session: AsyncSession, learner_id: UUID) -> None:
    """The learner's transaction lock: their attempts run one at a time, other learners never wait.

    Taken after the (non-blocking) key claim and before any row is written, always in that order, so
    it cannot take part in a lock cycle; it is released at commit or rollback (also when a killed
    client's connection is dropped by the server's idle-in-transaction timeout).
    """
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtextextended(f"learner:{learner_id}", 0)))
    )
