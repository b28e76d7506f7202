"""attempts say whether they count as evidence (first-attempt scoring for re-submissions)

Revision ID: 0008_i12_attempt_evidence
Revises: 0008_i12_item_task
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_i12_attempt_evidence"
down_revision: str | None = "0008_i12_item_task"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "attempts", sa.Column("counts_as_evidence", sa.Boolean(), server_default=sa.true(), nullable=False)
    )


def downgrade() -> None:
    op.drop_column("attempts", "counts_as_evidence")
