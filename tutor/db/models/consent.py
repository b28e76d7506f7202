"""Guardian consent per learner and purpose; a revoked row stays as the record of what was allowed when."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from tutor.db.base import Base

__all__ = ["CONSENT_PURPOSES", "GUARDIAN_RELATIONS", "LearnerConsent"]

CONSENT_PURPOSES = ("tutoring", "model_training", "analytics")
GUARDIAN_RELATIONS = ("parent", "legal_guardian", "learner_adult", "other")


class LearnerConsent(Base):
    __tablename__ = "learner_consents"
    __table_args__ = (
        CheckConstraint(f"purpose IN {CONSENT_PURPOSES!r}", name="purpose_known"),
        CheckConstraint(f"guardian_relation IN {GUARDIAN_RELATIONS!r}", name="relation_known"),
        CheckConstraint("retention_days IS NULL OR retention_days > 0", name="retention_positive"),
        Index(
            "uq_learner_consents_active",
            "learner_id",
            "purpose",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    guardian_relation: Mapped[str] = mapped_column(String(32))
    evidence_ref: Mapped[str | None] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    granted_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    retention_days: Mapped[int | None]
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
