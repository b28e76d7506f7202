"""spoken question's math reading on recognitions; confusion records

Revision ID: 0008_i14_speech_confusion
Revises: 0008_i12_attempt_evidence
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008_i14_speech_confusion"
down_revision: str | None = "0008_i12_attempt_evidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("recognitions", sa.Column("problem", sa.Text(), nullable=True))
    op.create_table(
        "confusion_records",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("learner_id", GUID(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("recognition_id", GUID(length=16), nullable=True),
        sa.Column("attempt_id", GUID(length=16), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("signals", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('speech', 'attempt')", name=op.f("ck_confusion_records_source_known")),
        sa.CheckConstraint("score >= 0 AND score <= 1", name=op.f("ck_confusion_records_score_probability")),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["users.id"], name=op.f("fk_confusion_records_learner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recognition_id"],
            ["recognitions.id"],
            name=op.f("fk_confusion_records_recognition_id_recognitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_confusion_records_attempt_id_attempts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confusion_records")),
    )
    op.create_index(
        "ix_confusion_records_learner_created", "confusion_records", ["learner_id", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_confusion_records_recognition_id"), "confusion_records", ["recognition_id"], unique=False
    )
    op.create_index(op.f("ix_confusion_records_attempt_id"), "confusion_records", ["attempt_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_confusion_records_attempt_id"), table_name="confusion_records")
    op.drop_index(op.f("ix_confusion_records_recognition_id"), table_name="confusion_records")
    op.drop_index("ix_confusion_records_learner_created", table_name="confusion_records")
    op.drop_table("confusion_records")
    op.drop_column("recognitions", "problem")
