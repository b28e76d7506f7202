"""privacy bookkeeping: keyed-hash keys, erasure records, sign-in throttles, xAPI push watermark

Revision ID: 0008_i13_privacy
Revises: 0008_i13_tenancy
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID
from alembic import op

revision: str = "0008_i13_privacy"
down_revision: str | None = "0008_i13_tenancy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "privacy_keys",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_privacy_keys")),
    )
    op.create_table(
        "erasure_records",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_erasure_records")),
    )
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )
    op.create_index("ix_login_throttles_last_failure", "login_throttles", ["last_failure_at"], unique=False)
    op.create_table(
        "login_known_addresses",
        sa.Column("user_id", GUID(length=16), nullable=False),
        sa.Column("address_key", sa.String(length=64), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_known_addresses_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "address_key", name=op.f("pk_login_known_addresses")),
    )
    op.create_table(
        "xapi_push_state",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("pushed_until", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_xapi_push_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xapi_push_state")),
    )


def downgrade() -> None:
    op.drop_table("xapi_push_state")
    op.drop_table("login_known_addresses")
    op.drop_index("ix_login_throttles_last_failure", table_name="login_throttles")
    op.drop_table("login_throttles")
    op.drop_table("erasure_records")
    op.drop_table("privacy_keys")
