"""Attempts: append-only learner answers, idempotent per (learner, Idempotency-Key)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tutor.db.base import Base

__all__ = ["MODALITIES", "Attempt"]

MODALITIES = ("typed", "handwriting", "speech")


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint(f"modality IN {MODALITIES!r}", name="modality_known"),
        UniqueConstraint("learner_id", "idempotency_key", name="uq_attempts_learner_idempotency"),
        Index("ix_attempts_learner_created", "learner_id", "created_at"),
        Index("ix_attempts_item_created", "item_id", "created_at"),
    )

    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    item_id: Mapped[UUID] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    submitted_answer: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool]
    counts_as_evidence: Mapped[bool] = mapped_column(default=True, server_default=true())
    """False for a re-submission of an item the learner saw graded shortly before (practice, not
    evidence: tutor.attempts.evidence); mastery (BKT) ignores such attempts."""
    modality: Mapped[str] = mapped_column(String(16), default="typed")
    client_ts: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recognition_id: Mapped[UUID | None] = mapped_column(Uuid)
    recognition_edited: Mapped[bool | None]
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
