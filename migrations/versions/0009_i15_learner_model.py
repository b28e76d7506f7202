"""learner model: forgetting and half-life per BKT version, activation with a held-out review,
learner ability

Revision ID: 0009_i15_learner_model
Revises: 0009_i11_attempt_hot_rows
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009_i15_learner_model"
down_revision: str | None = "0009_i11_attempt_hot_rows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("bkt_param_versions", sa.Column("forget", sa.Double(), server_default="0", nullable=False))
    op.add_column(
        "bkt_param_versions", sa.Column("half_life_days", sa.Double(), server_default="30", nullable=False)
    )
    # versions stored before this revision were all in force; new fits start inactive until reviewed
    op.add_column(
        "bkt_param_versions", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.add_column("bkt_param_versions", sa.Column("heldout_ll", sa.Double(), nullable=True))
    op.add_column("bkt_param_versions", sa.Column("baseline_heldout_ll", sa.Double(), nullable=True))
    op.add_column(
        "bkt_param_versions", sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.create_check_constraint(
        op.f("ck_bkt_param_versions_forget_half_life"),
        "bkt_param_versions",
        "forget BETWEEN 0 AND 1 AND half_life_days BETWEEN 0 AND 3650",
    )
    op.create_index(
        "ix_bkt_param_versions_kp_active",
        "bkt_param_versions",
        ["kp_code", sa.text("id DESC")],
        postgresql_where=sa.text("active"),
    )


    op.create_table(
        "learner_ability",
        sa.Column("learner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("theta", sa.Double(), server_default="0", nullable=False),
        sa.Column("n_answers", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("theta BETWEEN -10 AND 10", name=op.f("ck_learner_ability_theta_range")),
    )


def downgrade() -> None:
    op.drop_table("learner_ability")
    op.drop_index("ix_bkt_param_versions_kp_active", table_name="bkt_param_versions")
    op.drop_constraint(op.f("ck_bkt_param_versions_forget_half_life"), "bkt_param_versions", type_="check")
    for column in ("report", "baseline_heldout_ll", "heldout_ll", "active", "half_life_days", "forget"):
        op.drop_column("bkt_param_versions", column)
