"""Audit log tables: append-only hash-chained events, the chain head, and learner pseudonyms.

``audit_events`` has no foreign key to ``users``: events outlive an erased learner and name learners only
by pseudonym. ``learner_pseudonyms`` does reference ``users`` (ON DELETE CASCADE), so erasing a learner
deletes the only link from pseudonym to person while every event and its hash stays as it was.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, SmallInteger, String, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tutor.db.base import PlainBase

__all__ = ["AuditChainHead", "AuditEvent", "LearnerPseudonym"]


class AuditEvent(PlainBase):
    """One event; ``seq`` counts from 1 with no gaps (assigned under the chain lock)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_occurred_at", "occurred_at"),
        Index("ix_audit_events_kind_seq", "kind", "seq"),
        Index("ix_audit_events_learner_ref_seq", "learner_ref", "seq"),
        CheckConstraint("seq > 0", name="seq_positive"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[UUID | None] = mapped_column(Uuid)
    actor_role: Mapped[str | None] = mapped_column(String(16))
    actor_ref: Mapped[str | None] = mapped_column(String(40))
    learner_ref: Mapped[str | None] = mapped_column(String(40))
    school_id: Mapped[UUID | None] = mapped_column(Uuid, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChainHead(PlainBase):
    """The newest event's ``seq`` and hash: lets verify notice the newest events being deleted."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class LearnerPseudonym(PlainBase):
    """Random, per-learner pseudonym used in audit events; erasure deletes this row."""

    __tablename__ = "learner_pseudonyms"

    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
