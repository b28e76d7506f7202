"""items state their task (solve, calculate, expand, factor, simplify, reduce ...) for form-aware grading

Revision ID: 0008_i12_item_task
Revises: 0008_i13_keys_review
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_i12_item_task"
down_revision: str | None = "0008_i13_keys_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TASKS = "('solve', 'calculate', 'evaluate', 'expand', 'factor', 'simplify', 'reduce', 'derivative')"


def upgrade() -> None:
    op.add_column("items", sa.Column("task", sa.String(length=16), nullable=True))
    op.create_check_constraint(op.f("ck_items_task_known"), "items", f"task IS NULL OR task IN {_TASKS}")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_items_task_known"), "items", type_="check")
    op.drop_column("items", "task")
