"""adaptive learning: BKT parameter versions, IRT state, wrong-answer book, aggregates

Revision ID: 0002_learning
Revises: 0001_foundation
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_learning"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def _learner() -> sa.Column:
    return sa.Column(
        "learner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, nullable=False
    )


def _kp(primary_key: bool = True) -> sa.Column:
    return sa.Column(
        "kp_code",
        sa.String(64),
        sa.ForeignKey("knowledge_points.code", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=False,
    )


def _item() -> sa.Column:
    return sa.Column(
        "item_id", sa.Uuid(), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True, nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "bkt_param_versions",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        _kp(primary_key=False),
        sa.Column("prior", sa.Double(), nullable=False),
        sa.Column("learn", sa.Double(), nullable=False),
        sa.Column("guess", sa.Double(), nullable=False),
        sa.Column("slip", sa.Double(), nullable=False),
        sa.Column("n_sequences", sa.Integer(), nullable=False),
        sa.Column("n_observations", sa.Integer(), nullable=False),
        sa.Column("log_likelihood", sa.Double(), nullable=False),
        sa.Column("method", sa.String(48), nullable=False),
        sa.Column("fitted_at", _TZ, server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "prior BETWEEN 0 AND 1 AND learn BETWEEN 0 AND 1 AND guess BETWEEN 0 AND 1 AND slip BETWEEN 0 AND 1",
            name=op.f("ck_bkt_param_versions_probabilities"),
        ),
    )
    op.create_index("ix_bkt_param_versions_kp_latest", "bkt_param_versions", ["kp_code", sa.text("id DESC")])

    op.create_table(
        "item_calibration",
        _item(),
        sa.Column("drift_residual", sa.Double(), nullable=False, server_default="0"),
        sa.Column("drift_variance", sa.Double(), nullable=False, server_default="0"),
        sa.Column("drift_attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("drift_flagged", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("recalibrated_at", _TZ, nullable=True),
        sa.Column("updated_at", _TZ, server_default=sa.text("now()"), nullable=False),
    )

    op.create_table(
        "wrong_answer_book",
        _learner(),
        _item(),
        sa.Column("last_wrong_answer", sa.Text(), nullable=False),
        sa.Column("wrong_count", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("stage", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("first_wrong_at", _TZ, nullable=False),
        sa.Column("last_attempt_at", _TZ, nullable=False),
        sa.Column("due_at", _TZ, nullable=False),
        sa.Column("cleared_at", _TZ, nullable=True),
    )
    op.create_index(
        "ix_wrong_answer_book_open_due",
        "wrong_answer_book",
        ["learner_id", "due_at"],
        postgresql_where=sa.text("cleared_at IS NULL"),
    )

    op.create_table(
        "learner_kp_stats",
        _learner(),
        _kp(),
        sa.Column("wrong_streak", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_attempt_at", _TZ, nullable=False),
        sa.Column("mastered_at", _TZ, nullable=True),
    )

    op.create_table(
        "learner_daily_stats",
        _learner(),
        sa.Column("day", sa.Date(), primary_key=True, nullable=False),
        _kp(),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("correct", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("newly_mastered", sa.Integer(), nullable=False, server_default="0"),
    )

    op.create_table(
        "learner_daily_activity",
        _learner(),
        sa.Column("day", sa.Date(), primary_key=True, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("correct", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_attempt_at", _TZ, nullable=False),
    )

    op.create_table(
        "class_wrong_answer_tallies",
        sa.Column(
            "class_id", sa.Uuid(), sa.ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True, nullable=False
        ),
        _kp(),
        _item(),
        sa.Column("answer", sa.String(200), primary_key=True, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_at", _TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("class_wrong_answer_tallies")
    op.drop_table("learner_daily_activity")
    op.drop_table("learner_daily_stats")
    op.drop_table("learner_kp_stats")
    op.drop_index("ix_wrong_answer_book_open_due", table_name="wrong_answer_book")
    op.drop_table("wrong_answer_book")
    op.drop_table("item_calibration")
    op.drop_index("ix_bkt_param_versions_kp_latest", table_name="bkt_param_versions")
    op.drop_table("bkt_param_versions")
