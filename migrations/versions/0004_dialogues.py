"""tutoring dialogues and model outputs

Revision ID: 0004_dialogues
Revises: 0003_audit_consent
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision: str = "0004_dialogues"
down_revision: str | None = "0003_audit_consent"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "dialogues",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("learner_id", GUID(length=16), nullable=False),
        sa.Column("school_id", GUID(length=16), nullable=False),
        sa.Column("item_id", GUID(length=16), nullable=True),
        sa.Column("attempt_id", GUID(length=16), nullable=True),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("turn_count", sa.Integer(), nullable=False),
        *_stamps(),
        sa.CheckConstraint("lang IN ('zh', 'en')", name=op.f("ck_dialogues_lang_known")),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["users.id"], name=op.f("fk_dialogues_learner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_dialogues_school_id_schools"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_dialogues_item_id_items"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_dialogues_attempt_id_attempts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogues")),
    )
    op.create_index("ix_dialogues_learner_created", "dialogues", ["learner_id", "created_at"], unique=False)
    op.create_index(op.f("ix_dialogues_school_id"), "dialogues", ["school_id"], unique=False)

    op.create_table(
        "dialogue_turns",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("dialogue_id", GUID(length=16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("adapter", sa.String(length=140), nullable=True),
        sa.Column("template_id", sa.String(length=64), nullable=True),
        *_stamps(),
        sa.CheckConstraint("role IN ('student', 'tutor')", name=op.f("ck_dialogue_turns_role_known")),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogues.id"],
            name=op.f("fk_dialogue_turns_dialogue_id_dialogues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue_turns")),
        sa.UniqueConstraint("dialogue_id", "seq", name="uq_dialogue_turns_dialogue_seq"),
    )


def downgrade() -> None:
    op.drop_table("dialogue_turns")
    op.drop_index(op.f("ix_dialogues_school_id"), table_name="dialogues")
    op.drop_index("ix_dialogues_learner_created", table_name="dialogues")
    op.drop_table("dialogues")
