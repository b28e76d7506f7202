"""Classes and enrolments: the unit a teacher is allowed to see."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from tutor.db.base import Base, PlainBase

__all__ = ["Enrolment", "SchoolClass"]


class SchoolClass(Base):
    __tablename__ = "classes"
    __table_args__ = (CheckConstraint("target_p_correct > 0 AND target_p_correct < 1", name="target_range"),)

    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    target_p_correct: Mapped[float] = mapped_column(default=0.7)


class Enrolment(PlainBase):
    __tablename__ = "enrolments"

    class_id: Mapped[UUID] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True)
    learner_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
