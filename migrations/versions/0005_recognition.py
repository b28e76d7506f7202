"""formula and speech recognitions

Revision ID: 0005_recognition
Revises: 0004_dialogues
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision: str = "0005_recognition"
down_revision: str | None = "0004_dialogues"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recognitions",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("learner_id", GUID(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("engine", sa.String(length=32), nullable=False),
        sa.Column("recognized_text", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("parseable", sa.Boolean(), nullable=False),
        sa.Column("confirmed_text", sa.Text(), nullable=True),
        sa.Column("edited", sa.Boolean(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('handwriting', 'speech')", name=op.f("ck_recognitions_kind_known")),
        sa.CheckConstraint(
            "confidence >= 0 AND confidence <= 1", name=op.f("ck_recognitions_confidence_probability")
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["users.id"], name=op.f("fk_recognitions_learner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognitions")),
    )
    op.create_index("ix_recognitions_engine", "recognitions", ["engine"], unique=False)
    op.create_index(
        "ix_recognitions_learner_created", "recognitions", ["learner_id", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_recognitions_learner_created", table_name="recognitions")
    op.drop_index("ix_recognitions_engine", table_name="recognitions")
    op.drop_table("recognitions")
