"""audit log (hash chain) and guardian consent

Revision ID: 0003_audit_consent
Revises: 0002_learning

``audit_events`` is append-only whatever the database role: a trigger raises on UPDATE, DELETE and
TRUNCATE (only a superuser can bypass it, with session_replication_role = replica). Where a separate
application role ``tutor_app`` exists, its UPDATE/DELETE/TRUNCATE grants are revoked as well.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_audit_consent"
down_revision: str | None = "0002_learning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=True),
        sa.Column("actor_ref", sa.String(length=40), nullable=True),
        sa.Column("learner_ref", sa.String(length=40), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("seq > 0", name=op.f("ck_audit_events_seq_positive")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
    )
    op.create_index("ix_audit_events_occurred_at", "audit_events", ["occurred_at"], unique=False)
    op.create_index("ix_audit_events_kind_seq", "audit_events", ["kind", "seq"], unique=False)
    op.create_index("ix_audit_events_learner_ref_seq", "audit_events", ["learner_ref", "seq"], unique=False)
    op.create_index(op.f("ix_audit_events_school_id"), "audit_events", ["school_id"], unique=False)

    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_chain_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )

    op.create_table(
        "learner_pseudonyms",
        sa.Column("learner_id", GUID(length=16), nullable=False),
        sa.Column("pseudonym", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_learner_pseudonyms_learner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("learner_id", name=op.f("pk_learner_pseudonyms")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_learner_pseudonyms_pseudonym")),
    )

    op.create_table(
        "learner_consents",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("learner_id", GUID(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("guardian_relation", sa.String(length=32), nullable=False),
        sa.Column("evidence_ref", sa.String(length=200), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_by", GUID(length=16), nullable=True),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", GUID(length=16), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('tutoring', 'model_training', 'analytics')",
            name=op.f("ck_learner_consents_purpose_known"),
        ),
        sa.CheckConstraint(
            "guardian_relation IN ('parent', 'legal_guardian', 'learner_adult', 'other')",
            name=op.f("ck_learner_consents_relation_known"),
        ),
        sa.CheckConstraint(
            "retention_days IS NULL OR retention_days > 0",
            name=op.f("ck_learner_consents_retention_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_learner_consents_learner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by"],
            ["users.id"],
            name=op.f("fk_learner_consents_granted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"],
            ["users.id"],
            name=op.f("fk_learner_consents_revoked_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_consents")),
    )
    op.create_index(op.f("ix_learner_consents_learner_id"), "learner_consents", ["learner_id"], unique=False)
    op.create_index(
        "uq_learner_consents_active",
        "learner_consents",
        ["learner_id", "purpose"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )

    op.execute(
        """
        CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
    )
    op.execute(
        """
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tutor_app') THEN
                REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM tutor_app;
            END IF;
        END
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_update_delete ON audit_events")
    op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    op.drop_index("uq_learner_consents_active", table_name="learner_consents")
    op.drop_index(op.f("ix_learner_consents_learner_id"), table_name="learner_consents")
    op.drop_table("learner_consents")
    op.drop_table("learner_pseudonyms")
    op.drop_table("audit_chain_head")
    op.drop_index(op.f("ix_audit_events_school_id"), table_name="audit_events")
    op.drop_index("ix_audit_events_learner_ref_seq", table_name="audit_events")
    op.drop_index("ix_audit_events_kind_seq", table_name="audit_events")
    op.drop_index("ix_audit_events_occurred_at", table_name="audit_events")
    op.drop_table("audit_events")
