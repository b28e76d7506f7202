"""attempts off the shared hot rows: per-learner wrong-answer tallies, an item calibration inbox

Revision ID: 0009_i11_attempt_hot_rows
Revises: 0008_i14_speech_confusion

The attempt transaction no longer locks rows other learners write (the item row, its calibration
row, a class's tally row): tallies get a ``learner_id`` (one learner's rows, counted per class as
before), and item calibration goes through ``item_calibration_inbox``, an append-only queue that
``tutor.attempts.item_fold`` folds into ``items`` / ``item_calibration`` in batches.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_i11_attempt_hot_rows"
down_revision: str | None = "0008_i14_speech_confusion"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "item_calibration_inbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("predicted", sa.Float(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_item_calibration_inbox"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_item_calibration_inbox_item_id_items", ondelete="CASCADE"
        ),
    )
    # the tallies are derived data: rebuilt per learner from the attempts (what tutor.analytics.rebuild does)
    op.execute("DELETE FROM class_wrong_answer_tallies")
    op.drop_constraint("pk_class_wrong_answer_tallies", "class_wrong_answer_tallies", type_="primary")
    op.add_column(
        "class_wrong_answer_tallies",
        sa.Column("learner_id", sa.Uuid(), nullable=False),
    )
    op.create_foreign_key(
        "fk_class_wrong_answer_tallies_learner_id_users",
        "class_wrong_answer_tallies",
        "users",
        ["learner_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_primary_key(
        "pk_class_wrong_answer_tallies",
        "class_wrong_answer_tallies",
        ["class_id", "kp_code", "item_id", "answer", "learner_id"],
    )
    op.create_index("ix_class_wrong_answer_tallies_learner", "class_wrong_answer_tallies", ["learner_id"])
    op.execute(
        "INSERT INTO class_wrong_answer_tallies "
        "(class_id, kp_code, item_id, answer, learner_id, count, last_at) "
        "SELECT e.class_id, ikp.kp_code, a.item_id, "
        "left(btrim(regexp_replace(a.submitted_answer, '\\s+', ' ', 'g')), 200), a.learner_id, count(*), "
        "max(a.created_at) FROM attempts a JOIN enrolments e ON e.learner_id = a.learner_id "
        "JOIN item_knowledge_points ikp ON ikp.item_id = a.item_id WHERE NOT a.is_correct "
        "GROUP BY 1, 2, 3, 4, 5"
    )


def downgrade() -> None:
    op.drop_index("ix_class_wrong_answer_tallies_learner", "class_wrong_answer_tallies")
    op.execute("DELETE FROM class_wrong_answer_tallies")
    op.drop_constraint(
        "fk_class_wrong_answer_tallies_learner_id_users", "class_wrong_answer_tallies", type_="foreignkey"
    )
    op.drop_constraint("pk_class_wrong_answer_tallies", "class_wrong_answer_tallies", type_="primary")
    op.drop_column("class_wrong_answer_tallies", "learner_id")
    op.create_primary_key(
        "pk_class_wrong_answer_tallies",
        "class_wrong_answer_tallies",
        ["class_id", "kp_code", "item_id", "answer"],
    )
    op.drop_table("item_calibration_inbox")
