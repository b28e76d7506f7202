"""teacher approval of tutor dialogue turns (a training data source)

Revision ID: 0007_training_sources
Revises: 0006_training
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID
from alembic import op

revision: str = "0007_training_sources"
down_revision: str | None = "0006_training"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("dialogue_turns", sa.Column("approved_by", GUID(length=16), nullable=True))
    op.add_column("dialogue_turns", sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
    op.create_foreign_key(
        op.f("fk_dialogue_turns_approved_by_users"),
        "dialogue_turns",
        "users",
        ["approved_by"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_dialogue_turns_approved_by_users"), "dialogue_turns", type_="foreignkey")
    op.drop_column("dialogue_turns", "approved_at")
    op.drop_column("dialogue_turns", "approved_by")
