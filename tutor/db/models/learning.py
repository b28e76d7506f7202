"""Learner-model tables: fitted BKT versions, item drift state, the wrong-answer book, and the small
aggregates the attempt transaction keeps up to date so teacher analytics never scan the attempts."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tutor.db.base import PlainBase

__all__ = [
    "BKTParamVersion",
    "ItemCalibration",
    "ItemCalibrationInbox",
    "LearnerAbility",
    "LearnerDailyActivity",
    "LearnerDailyStats",
    "LearnerKpStats",
    "WrongAnswerEntry",
    "WrongAnswerTally",
]

MAX_TALLY_ANSWER_CHARS = 200


class BKTParamVersion(PlainBase):
    """One fit of one knowledge point's BKT parameters; the newest *active* row per point is in force."""

    __tablename__ = "bkt_param_versions"
    __table_args__ = (
        CheckConstraint(
            "prior BETWEEN 0 AND 1 AND learn BETWEEN 0 AND 1 AND guess BETWEEN 0 AND 1"
            " AND slip BETWEEN 0 AND 1",
            name="probabilities",
        ),
        CheckConstraint(
            "forget BETWEEN 0 AND 1 AND half_life_days BETWEEN 0 AND 3650", name="forget_half_life"
        ),
        Index("ix_bkt_param_versions_kp_latest", "kp_code", text("id DESC")),
        Index("ix_bkt_param_versions_kp_active", "kp_code", text("id DESC"), postgresql_where=text("active")),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    kp_code: Mapped[str] = mapped_column(String(64), ForeignKey("knowledge_points.code", ondelete="CASCADE"))
    prior: Mapped[float]
    learn: Mapped[float]
    guess: Mapped[float]
    slip: Mapped[float]
    forget: Mapped[float] = mapped_column(default=0.0, server_default="0")
    half_life_days: Mapped[float] = mapped_column(default=30.0, server_default="30")
    active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    """In force (the newest active version per point is used); a fit that fails review stays inactive."""
    heldout_ll: Mapped[float | None]
    """Mean log-likelihood per held-out answer under this version."""
    baseline_heldout_ll: Mapped[float | None]
    """The same for the parameters in force when it was fitted (the comparison behind ``active``)."""
    report: Mapped[dict[str, object] | None] = mapped_column(JSONB)
    n_sequences: Mapped[int]
    n_observations: Mapped[int]
    log_likelihood: Mapped[float]
    method: Mapped[str] = mapped_column(String(48))
    fitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ItemCalibration(PlainBase):
    """Running drift sums of an item (difficulty itself lives on ``items``)."""

    __tablename__ = "item_calibration"

    item_id: Mapped[UUID] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    drift_residual: Mapped[float] = mapped_column(default=0.0)
    drift_variance: Mapped[float] = mapped_column(default=0.0)
    drift_attempts: Mapped[int] = mapped_column(default=0)
    drift_flagged: Mapped[bool] = mapped_column(default=False)
    recalibrated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ItemCalibrationInbox(PlainBase):
    """One graded attempt waiting to move its item's difficulty and drift sums (append-only).

    The attempt transaction only inserts here (no lock on the shared item row); ``tutor.attempts.
    item_fold`` consumes the rows in id order, in batches, under an advisory lock."""

    __tablename__ = "item_calibration_inbox"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    item_id: Mapped[UUID] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    predicted: Mapped[float]
    correct: Mapped[bool]
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WrongAnswerEntry(PlainBase):
    """错题本: one row per (learner, item); ``cleared_at`` set once re-practised correctly."""

    __tablename__ = "wrong_answer_book"
    __table_args__ = (
        Index(
            "ix_wrong_answer_book_open_due",
            "learner_id",
            "due_at",
            postgresql_where=text("cleared_at IS NULL"),
        ),
    )

    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[UUID] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    last_wrong_answer: Mapped[str] = mapped_column(Text)
    wrong_count: Mapped[int] = mapped_column(default=1)
    stage: Mapped[int] = mapped_column(default=0)
    first_wrong_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LearnerKpStats(PlainBase):
    """Per (learner, knowledge point): what alerts need (attempt counts are on ``mastery``)."""

    __tablename__ = "learner_kp_stats"

    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kp_code: Mapped[str] = mapped_column(
        String(64), ForeignKey("knowledge_points.code", ondelete="CASCADE"), primary_key=True
    )
    wrong_streak: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    mastered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LearnerDailyStats(PlainBase):
    """Attempts, correct answers and newly mastered points per learner, UTC day and knowledge point."""

    __tablename__ = "learner_daily_stats"

    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kp_code: Mapped[str] = mapped_column(
        String(64), ForeignKey("knowledge_points.code", ondelete="CASCADE"), primary_key=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)
    newly_mastered: Mapped[int] = mapped_column(default=0)


class LearnerDailyActivity(PlainBase):
    """Attempts and correct answers per learner and UTC day (each attempt once, whatever its points)."""

    __tablename__ = "learner_daily_activity"

    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WrongAnswerTally(PlainBase):
    """How often a learner of a class gave one wrong answer (trimmed, first 200 chars) to one item,
    per knowledge point of the item: the weak-points view sums a few hundred rows of consenting
    learners, whatever the number of attempts. Counted for the classes a learner is enrolled in when
    answering. One row per learner (not per class) so that concurrent attempts of a class never
    write the same row, and erasure or a withdrawn consent reaches the learner's share."""

    __tablename__ = "class_wrong_answer_tallies"
    __table_args__ = (Index("ix_class_wrong_answer_tallies_learner", "learner_id"),)

    class_id: Mapped[UUID] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True)
    kp_code: Mapped[str] = mapped_column(
        String(64), ForeignKey("knowledge_points.code", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[UUID] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    answer: Mapped[str] = mapped_column(String(MAX_TALLY_ANSWER_CHARS), primary_key=True)
    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LearnerAbility(PlainBase):
    """One learner's general ability on the item-difficulty logit scale (`tutor.learning.ability`)."""

    __tablename__ = "learner_ability"
    __table_args__ = (CheckConstraint("theta BETWEEN -10 AND 10", name="theta_range"),)

    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    theta: Mapped[float] = mapped_column(default=0.0, server_default="0")
    n_answers: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
