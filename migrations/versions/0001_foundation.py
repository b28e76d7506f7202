"""foundation: people, classes, curriculum, items, attempts, mastery

Revision ID: 0001_foundation
Revises: 
Create Date: 2026-11-24 13:12:58.503467
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001_foundation'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('knowledge_points',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_knowledge_points'))
    )
    op.create_table('schools',
    sa.Column('id', GUID(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', DateTimeUTC(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schools'))
    )
    op.create_table('knowledge_point_prerequisites',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('requires', sa.String(length=64), nullable=False),
    sa.CheckConstraint('code <> requires', name=op.f('ck_knowledge_point_prerequisites_no_self_edge')),
    sa.ForeignKeyConstraint(['code'], ['knowledge_points.code'], name=op.f('fk_knowledge_point_prerequisites_code_knowledge_points'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requires'], ['knowledge_points.code'], name=op.f('fk_knowledge_point_prerequisites_requires_knowledge_points'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code', 'requires', name=op.f('pk_knowledge_point_prerequisites'))
    )
    op.create_index(op.f('ix_knowledge_point_prerequisites_requires'), 'knowledge_point_prerequisites', ['requires'], unique=False)
    op.create_table('users',
    sa.Column('id', GUID(length=16), nullable=False),
    sa.Column('school_id', GUID(length=16), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', DateTimeUTC(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('student', 'teacher', 'admin', 'service')", name=op.f('ck_users_role_known')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_users_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_index(op.f('ix_users_school_id'), 'users', ['school_id'], unique=False)
    op.create_table('api_keys',
    sa.Column('id', GUID(length=16), nullable=False),
    sa.Column('school_id', GUID(length=16), nullable=False),
    sa.Column('service_user_id', GUID(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_api_keys_school_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_user_id'], ['users.id'], name=op.f('fk_api_keys_service_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_index(op.f('ix_api_keys_school_id'), 'api_keys', ['school_id'], unique=False)
    op.create_table('classes',
    sa.Column('id', GUID(length=16), nullable=False),
    sa.Column('school_id', GUID(length=16), nullable=False),
    sa.Column('teacher_id', GUID(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('target_p_correct', sa.Double(), nullable=False),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', DateTimeUTC(timezone=True), nullable=False),
    sa.CheckConstraint('target_p_correct > 0 AND target_p_correct < 1', name=op.f('ck_classes_target_range')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_classes_school_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['teacher_id'], ['users.id'], name=op.f('fk_classes_teacher_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classes'))
    )
    op.create_index(op.f('ix_classes_school_id'), 'classes', ['school_id'], unique=False)
    op.create_index(op.f('ix_classes_teacher_id'), 'classes', ['teacher_id'], unique=False)
    op.create_table('items',
    sa.Column('id', GUID(length=16), nullable=False),
    sa.Column('code', sa.String(length=96), nullable=True),
    sa.Column('school_id', GUID(length=16), nullable=True),
    sa.Column('stem_latex', sa.Text(), nullable=True),
    sa.Column('stem_text_zh', sa.Text(), nullable=True),
    sa.Column('stem_text_en', sa.Text(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answer_kind', sa.String(length=16), nullable=False),
    sa.Column('difficulty', sa.Double(), nullable=False),
    sa.Column('discrimination', sa.Double(), nullable=False),
    sa.Column('difficulty_prior', sa.Double(), nullable=False),
    sa.Column('calibration_attempts', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('created_by', GUID(length=16), nullable=True),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', DateTimeUTC(timezone=True), nullable=False),
    sa.CheckConstraint("answer_kind IN ('number', 'expression', 'equation', 'inequality', 'pair', 'set', 'text')", name=op.f('ck_items_answer_kind_known')),
    sa.CheckConstraint("origin IN ('seed', 'template', 'model', 'teacher')", name=op.f('ck_items_origin_known')),
    sa.CheckConstraint('discrimination > 0', name=op.f('ck_items_discrimination_positive')),
    sa.CheckConstraint('stem_latex IS NOT NULL OR stem_text_zh IS NOT NULL OR stem_text_en IS NOT NULL', name=op.f('ck_items_has_stem')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_items_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_items_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_items')),
    sa.UniqueConstraint('code', name=op.f('uq_items_code'))
    )
    op.create_index(op.f('ix_items_school_id'), 'items', ['school_id'], unique=False)
    op.create_table('mastery',
    sa.Column('learner_id', GUID(length=16), nullable=False),
    sa.Column('kp_code', sa.String(length=64), nullable=False),
    sa.Column('p_known', sa.Double(), nullable=False),
    sa.Column('n_observations', sa.Integer(), nullable=False),
    sa.Column('n_correct', sa.Integer(), nullable=False),
    sa.Column('params_version', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('p_known >= 0 AND p_known <= 1', name=op.f('ck_mastery_p_known_probability')),
    sa.ForeignKeyConstraint(['kp_code'], ['knowledge_points.code'], name=op.f('fk_mastery_kp_code_knowledge_points'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_mastery_learner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('learner_id', 'kp_code', name=op.f('pk_mastery'))
    )
    op.create_index(op.f('ix_mastery_kp_code'), 'mastery', ['kp_code'], unique=False)
    op.create_table('attempts',
    sa.Column('id', GUID(length=16), nullable=False),
    sa.Column('learner_id', GUID(length=16), nullable=False),
    sa.Column('item_id', GUID(length=16), nullable=False),
    sa.Column('submitted_answer', sa.Text(), nullable=False),
    sa.Column('is_correct', sa.Boolean(), nullable=False),
    sa.Column('modality', sa.String(length=16), nullable=False),
    sa.Column('client_ts', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recognition_id', sa.Uuid(), nullable=True),
    sa.Column('recognition_edited', sa.Boolean(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=True),
    sa.Column('response', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('sa_orm_sentinel', sa.Integer(), nullable=True),
    sa.Column('created_at', DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', DateTimeUTC(timezone=True), nullable=False),
    sa.CheckConstraint("modality IN ('typed', 'handwriting', 'speech')", name=op.f('ck_attempts_modality_known')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_attempts_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_attempts_learner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts')),
    sa.UniqueConstraint('learner_id', 'idempotency_key', name='uq_attempts_learner_idempotency')
    )
    op.create_index('ix_attempts_item_created', 'attempts', ['item_id', 'created_at'], unique=False)
    op.create_index('ix_attempts_learner_created', 'attempts', ['learner_id', 'created_at'], unique=False)
    op.create_table('enrolments',
    sa.Column('class_id', GUID(length=16), nullable=False),
    sa.Column('learner_id', GUID(length=16), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_enrolments_class_id_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_enrolments_learner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('class_id', 'learner_id', name=op.f('pk_enrolments'))
    )
    op.create_index(op.f('ix_enrolments_learner_id'), 'enrolments', ['learner_id'], unique=False)
    op.create_table('item_knowledge_points',
    sa.Column('item_id', GUID(length=16), nullable=False),
    sa.Column('kp_code', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_item_knowledge_points_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kp_code'], ['knowledge_points.code'], name=op.f('fk_item_knowledge_points_kp_code_knowledge_points'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'kp_code', name=op.f('pk_item_knowledge_points'))
    )
    op.create_index(op.f('ix_item_knowledge_points_kp_code'), 'item_knowledge_points', ['kp_code'], unique=False)



def downgrade() -> None:
    
    op.drop_index(op.f('ix_item_knowledge_points_kp_code'), table_name='item_knowledge_points')
    op.drop_table('item_knowledge_points')
    op.drop_index(op.f('ix_enrolments_learner_id'), table_name='enrolments')
    op.drop_table('enrolments')
    op.drop_index('ix_attempts_learner_created', table_name='attempts')
    op.drop_index('ix_attempts_item_created', table_name='attempts')
    op.drop_table('attempts')
    op.drop_index(op.f('ix_mastery_kp_code'), table_name='mastery')
    op.drop_table('mastery')
    op.drop_index(op.f('ix_items_school_id'), table_name='items')
    op.drop_table('items')
    op.drop_index(op.f('ix_classes_teacher_id'), table_name='classes')
    op.drop_index(op.f('ix_classes_school_id'), table_name='classes')
    op.drop_table('classes')
    op.drop_index(op.f('ix_api_keys_school_id'), table_name='api_keys')
    op.drop_table('api_keys')
    op.drop_index(op.f('ix_users_school_id'), table_name='users')
    op.drop_table('users')
    op.drop_index(op.f('ix_knowledge_point_prerequisites_requires'), table_name='knowledge_point_prerequisites')
    op.drop_table('knowledge_point_prerequisites')
    op.drop_table('schools')
    op.drop_table('knowledge_points')

