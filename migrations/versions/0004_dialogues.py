"""tutoring dialogues and model outputs

Revision ID: 0004_dialogues
Revises: 0003_audit_consent
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0004_dialogues"
down_revision: str | None = "0003_audit_consent"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
