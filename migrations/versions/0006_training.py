"""privacy ledger, training runs and adapter registry

Revision ID: 0006_training
Revises: 0005_recognition
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_training"
down_revision: str | None = "0005_recognition"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_runs",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("school_id", GUID(length=16), nullable=False),
        sa.Column("requested_by", GUID(length=16), nullable=True),
        sa.Column("base_model", sa.String(length=300), nullable=False),
        sa.Column("adapter_name", sa.String(length=100), nullable=False),
        sa.Column("adapter_version", sa.Integer(), nullable=False),
        sa.Column("dataset_hash", sa.String(length=64), nullable=True),
        sa.Column("learner_count", sa.Integer(), nullable=False),
        sa.Column("example_count", sa.Integer(), nullable=False),
        sa.Column("epsilon", sa.Double(), nullable=False),
        sa.Column("epsilon_spent", sa.Double(), nullable=True),
        sa.Column("delta", sa.Double(), nullable=False),
        sa.Column("accountant", sa.String(length=8), nullable=False),
        sa.Column("noise_multiplier", sa.Double(), nullable=False),
        sa.Column("max_grad_norm", sa.Double(), nullable=False),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("sample_rate", sa.Double(), nullable=False),
        sa.Column("epochs", sa.Integer(), nullable=False),
        sa.Column("batch_learners", sa.Integer(), nullable=False),
        sa.Column("examples_per_learner", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress_step", sa.Integer(), nullable=False),
        sa.Column("progress_loss", sa.Double(), nullable=True),
        sa.Column("progress_epsilon", sa.Double(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("adapter_dir", sa.Text(), nullable=True),
        sa.Column("card", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("eval_scores", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("sanity_passed", sa.Boolean(), nullable=True),
        sa.Column("gate_passed", sa.Boolean(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("accountant IN ('prv', 'rdp')", name=op.f("ck_training_runs_accountant_known")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed')",
            name=op.f("ck_training_runs_status_known"),
        ),
        sa.CheckConstraint(
            "epsilon >= 0 AND delta > 0 AND delta < 1", name=op.f("ck_training_runs_budget_valid")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_training_runs_requested_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_training_runs_school_id_schools"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_runs")),
        sa.UniqueConstraint("adapter_name", "adapter_version", name="uq_training_runs_adapter_version"),
    )
    op.create_index(op.f("ix_training_runs_school_id"), "training_runs", ["school_id"], unique=False)
    op.create_index(
        "uq_training_runs_active_base_model",
        "training_runs",
        ["base_model"],
        unique=True,
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )

    op.create_table(
        "training_run_learners",
        sa.Column("run_id", GUID(length=16), nullable=False),
        sa.Column("learner_id", GUID(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_training_run_learners_learner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["training_runs.id"],
            name=op.f("fk_training_run_learners_run_id_training_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "learner_id", name=op.f("pk_training_run_learners")),
    )
    op.create_index(
        op.f("ix_training_run_learners_learner_id"), "training_run_learners", ["learner_id"], unique=False
    )

    op.create_table(
        "adapter_activations",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("adapter_name", sa.String(length=100), nullable=False),
        sa.Column("run_id", GUID(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor_id", GUID(length=16), nullable=True),
        sa.Column("rolled_back_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('activate', 'rollback')", name=op.f("ck_adapter_activations_action_known")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_adapter_activations_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["training_runs.id"],
            name=op.f("fk_adapter_activations_run_id_training_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adapter_activations")),
    )
    op.create_index(
        "ix_adapter_activations_name_created",
        "adapter_activations",
        ["adapter_name", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_adapter_activations_name_created", table_name="adapter_activations")
    op.drop_table("adapter_activations")
    op.drop_index(op.f("ix_training_run_learners_learner_id"), table_name="training_run_learners")
    op.drop_table("training_run_learners")
    op.drop_index("uq_training_runs_active_base_model", table_name="training_runs")
    op.drop_index(op.f("ix_training_runs_school_id"), table_name="training_runs")
    op.drop_table("training_runs")
