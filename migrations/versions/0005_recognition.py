"""formula and speech recognitions

Revision ID: 0005_recognition
Revises: 0004_dialogues
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0005_recognition"
down_revision: str | None = "0004_dialogues"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
