"""Confusion scores with the signals behind them, one row per spoken question or per attempt.

Rows cascade with the learner (erasure), the recognition (retention) and the attempt; they hold
numbers only, never the audio or the learner's words.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tutor.db.base import Base

__all__ = ["CONFUSION_SOURCES", "ConfusionRecord"]

CONFUSION_SOURCES = ("speech", "attempt")


class ConfusionRecord(Base):
    __tablename__ = "confusion_records"
    __table_args__ = (
        CheckConstraint(f"source IN {CONFUSION_SOURCES!r}", name="source_known"),
        CheckConstraint("score >= 0 AND score <= 1", name="score_probability"),
        Index("ix_confusion_records_learner_created", "learner_id", "created_at"),
    )

    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    recognition_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("recognitions.id", ondelete="CASCADE"), index=True
    )
    attempt_id: Mapped[UUID | None] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(8))
    signals: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
