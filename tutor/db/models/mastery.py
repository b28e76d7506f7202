"""Mastery: the current BKT belief P(known) per learner and knowledge point."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from tutor.db.base import PlainBase

__all__ = ["Mastery"]


class Mastery(PlainBase):
    __tablename__ = "mastery"
    __table_args__ = (CheckConstraint("p_known >= 0 AND p_known <= 1", name="p_known_probability"),)

    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kp_code: Mapped[str] = mapped_column(
        String(64), ForeignKey("knowledge_points.code", ondelete="CASCADE"), primary_key=True, index=True
    )
    p_known: Mapped[float]
    n_observations: Mapped[int] = mapped_column(default=0)
    n_correct: Mapped[int] = mapped_column(default=0)
    params_version: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
