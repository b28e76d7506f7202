"""tenancy: usernames unique per school, who created a learner, adapter activations per school

Revision ID: 0008_i13_tenancy
Revises: 0007_training_sources
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID
from alembic import op

revision: str = "0008_i13_tenancy"
down_revision: str | None = "0007_training_sources"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("created_by", GUID(length=16), nullable=True))
    op.create_foreign_key(
        op.f("fk_users_created_by_users"), "users", "users", ["created_by"], ["id"], ondelete="SET NULL"
    )
    op.drop_constraint(op.f("uq_users_username"), "users", type_="unique")
    op.create_index(op.f("ix_users_username"), "users", ["username"], unique=False)
    op.create_unique_constraint("uq_users_school_username", "users", ["school_id", "username"])

    op.add_column("adapter_activations", sa.Column("school_id", GUID(length=16), nullable=True))
    op.execute(
        "UPDATE adapter_activations a SET school_id = r.school_id FROM training_runs r WHERE r.id = a.run_id"
    )
    op.alter_column("adapter_activations", "school_id", nullable=False)
    op.drop_index(op.f("ix_adapter_activations_name_created"), table_name="adapter_activations")
    op.create_index(
        "ix_adapter_activations_school_name_created",
        "adapter_activations",
        ["school_id", "adapter_name", "created_at"],
        unique=False,
    )
    op.create_foreign_key(
        op.f("fk_adapter_activations_school_id_schools"),
        "adapter_activations",
        "schools",
        ["school_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.drop_constraint(op.f("uq_training_runs_adapter_version"), "training_runs", type_="unique")
    op.create_unique_constraint(
        "uq_training_runs_school_adapter_version",
        "training_runs",
        ["school_id", "adapter_name", "adapter_version"],
    )


def downgrade() -> None:
    op.drop_constraint("uq_training_runs_school_adapter_version", "training_runs", type_="unique")
    op.create_unique_constraint(
        op.f("uq_training_runs_adapter_version"), "training_runs", ["adapter_name", "adapter_version"]
    )
    op.drop_constraint(
        op.f("fk_adapter_activations_school_id_schools"), "adapter_activations", type_="foreignkey"
    )
    op.drop_index("ix_adapter_activations_school_name_created", table_name="adapter_activations")
    op.create_index(
        op.f("ix_adapter_activations_name_created"),
        "adapter_activations",
        ["adapter_name", "created_at"],
        unique=False,
    )
    op.drop_column("adapter_activations", "school_id")
    op.drop_constraint("uq_users_school_username", "users", type_="unique")
    op.drop_index(op.f("ix_users_username"), table_name="users")
    op.create_unique_constraint(op.f("uq_users_username"), "users", ["username"])
    op.drop_constraint(op.f("fk_users_created_by_users"), "users", type_="foreignkey")
    op.drop_column("users", "created_by")
