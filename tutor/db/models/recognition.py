"""Recognitions: what pix2tex/whisper read and what the learner confirmed. Never the raw media."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tutor.db.base import Base

__all__ = ["RECOGNITION_KINDS", "Recognition"]

RECOGNITION_KINDS = ("handwriting", "speech")


class Recognition(Base):
    __tablename__ = "recognitions"
    __table_args__ = (
        CheckConstraint(f"kind IN {RECOGNITION_KINDS!r}", name="kind_known"),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_probability"),
        Index("ix_recognitions_learner_created", "learner_id", "created_at"),
        Index("ix_recognitions_engine", "engine"),
    )

    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    engine: Mapped[str] = mapped_column(String(32))
    recognized_text: Mapped[str] = mapped_column(Text)
    problem: Mapped[str | None] = mapped_column(Text)
    """A spoken question read as the math engine's input; confirming it is not an edit."""
    confidence: Mapped[float] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(8))
    parseable: Mapped[bool]
    confirmed_text: Mapped[str | None] = mapped_column(Text)
    edited: Mapped[bool | None]
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
