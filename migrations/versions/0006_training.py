"""privacy ledger, training runs and adapter registry

Revision ID: 0006_training
Revises: 0005_recognition
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0006_training"
down_revision: str | None = "0005_recognition"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
