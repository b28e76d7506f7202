"""Private training: the privacy ledger (one row per run), who each run included, adapter activations.

The run row *is* the ledger entry and the registry entry: what was spent (epsilon, delta, accountant,
noise, clipping, steps, sample rate) sits next to what it produced (adapter version, card, scores), so
neither can drift from the other. ``training_run_learners`` is what per-learner budgets are summed over.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tutor.db.base import Base, PlainBase

__all__ = ["ACTIVATION_ACTIONS", "RUN_STATUSES", "AdapterActivation", "TrainingRun", "TrainingRunLearner"]

RUN_STATUSES = ("queued", "running", "succeeded", "failed")
ACTIVATION_ACTIONS = ("activate", "rollback")


class TrainingRun(Base):
    __tablename__ = "training_runs"
    __table_args__ = (
        CheckConstraint(f"status IN {RUN_STATUSES!r}", name="status_known"),
        CheckConstraint("accountant IN ('prv', 'rdp')", name="accountant_known"),
        CheckConstraint("epsilon >= 0 AND delta > 0 AND delta < 1", name="budget_valid"),
        UniqueConstraint(
            "school_id", "adapter_name", "adapter_version", name="uq_training_runs_school_adapter_version"
        ),
        # One run at a time per base model: a second queued/running run violates this index.
        Index(
            "uq_training_runs_active_base_model",
            "base_model",
            unique=True,
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    base_model: Mapped[str] = mapped_column(String(300))
    adapter_name: Mapped[str] = mapped_column(String(100))
    adapter_version: Mapped[int]
    dataset_hash: Mapped[str | None] = mapped_column(String(64))
    learner_count: Mapped[int]
    example_count: Mapped[int] = mapped_column(default=0)
    epsilon: Mapped[float]
    epsilon_spent: Mapped[float | None]
    delta: Mapped[float]
    accountant: Mapped[str] = mapped_column(String(8))
    noise_multiplier: Mapped[float]
    max_grad_norm: Mapped[float]
    steps: Mapped[int]
    sample_rate: Mapped[float]
    epochs: Mapped[int]
    batch_learners: Mapped[int]
    examples_per_learner: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress_step: Mapped[int] = mapped_column(default=0)
    progress_loss: Mapped[float | None]
    progress_epsilon: Mapped[float | None]
    error: Mapped[str | None] = mapped_column(Text)
    adapter_dir: Mapped[str | None] = mapped_column(Text)
    card: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    eval_scores: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    sanity_passed: Mapped[bool | None]
    gate_passed: Mapped[bool | None]
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TrainingRunLearner(PlainBase):
    """A learner included (and charged the run's epsilon) in a run."""

    __tablename__ = "training_run_learners"

    run_id: Mapped[UUID] = mapped_column(ForeignKey("training_runs.id", ondelete="CASCADE"), primary_key=True)
    learner_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AdapterActivation(Base):
    """Activation history per school and adapter name; the newest row not rolled back is served to
    that school's learners (other schools are not affected)."""

    __tablename__ = "adapter_activations"
    __table_args__ = (
        CheckConstraint(f"action IN {ACTIVATION_ACTIONS!r}", name="action_known"),
        Index("ix_adapter_activations_school_name_created", "school_id", "adapter_name", "created_at"),
    )

    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    adapter_name: Mapped[str] = mapped_column(String(100))
    run_id: Mapped[UUID] = mapped_column(ForeignKey("training_runs.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16), default="activate")
    actor_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rolled_back_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
