"""service keys with scopes and expiry; review status of generated items; teachers' review actions

Revision ID: 0008_i13_keys_review
Revises: 0008_i13_privacy
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008_i13_keys_review"
down_revision: str | None = "0008_i13_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("scopes", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("api_keys", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    # Keys made before scopes existed keep only exercise generation and expire 90 days after creation.
    op.execute(
        "UPDATE api_keys SET scopes = '[\"exercises:generate\"]'::jsonb, "
        "expires_at = created_at + interval '90 days'"
    )
    op.alter_column("api_keys", "scopes", nullable=False)
    op.alter_column("api_keys", "expires_at", nullable=False)
    op.add_column("api_keys", sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("api_keys", sa.Column("created_by", GUID(length=16), nullable=True))
    op.add_column("api_keys", sa.Column("revoked_by", GUID(length=16), nullable=True))
    op.create_foreign_key(
        op.f("fk_api_keys_created_by_users"), "api_keys", "users", ["created_by"], ["id"], ondelete="SET NULL"
    )
    op.create_foreign_key(
        op.f("fk_api_keys_revoked_by_users"), "api_keys", "users", ["revoked_by"], ["id"], ondelete="SET NULL"
    )
    op.add_column(
        "items", sa.Column("review_status", sa.String(length=16), server_default="approved", nullable=False)
    )
    op.create_check_constraint(
        op.f("ck_items_review_status_known"), "items", "review_status IN ('pending', 'approved', 'rejected')"
    )
    op.create_table(
        "content_reviews",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("school_id", GUID(length=16), nullable=False),
        sa.Column("content_kind", sa.String(length=32), nullable=False),
        sa.Column("content_id", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor_id", GUID(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('approved', 'rejected', 'edited')", name=op.f("ck_content_reviews_action_known")
        ),
        sa.CheckConstraint(
            "content_kind IN ('item', 'dialogue_turn')", name=op.f("ck_content_reviews_content_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_content_reviews_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_content_reviews_school_id_schools"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_reviews")),
    )
    op.create_index("ix_content_reviews_content", "content_reviews", ["content_kind", "content_id"])
    op.create_index(op.f("ix_content_reviews_school_id"), "content_reviews", ["school_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_content_reviews_school_id"), table_name="content_reviews")
    op.drop_index("ix_content_reviews_content", table_name="content_reviews")
    op.drop_table("content_reviews")
    op.drop_constraint(op.f("ck_items_review_status_known"), "items", type_="check")
    op.drop_column("items", "review_status")
    op.drop_constraint(op.f("fk_api_keys_revoked_by_users"), "api_keys", type_="foreignkey")
    op.drop_constraint(op.f("fk_api_keys_created_by_users"), "api_keys", type_="foreignkey")
    for column in ("revoked_by", "created_by", "last_used_at", "expires_at", "scopes"):
        op.drop_column("api_keys", column)
