"""The exercise bank: stems, answers, knowledge points and IRT difficulty."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tutor.db.base import Base, metadata
from tutor.db.models.curriculum import KnowledgePoint

__all__ = ["ANSWER_KINDS", "ITEM_ORIGINS", "ITEM_TASKS", "Item", "item_knowledge_points"]

ANSWER_KINDS = ("number", "expression", "equation", "inequality", "pair", "set", "text")
ITEM_ORIGINS = ("seed", "template", "model", "teacher")
ITEM_TASKS = ("solve", "calculate", "evaluate", "expand", "factor", "simplify", "reduce", "derivative")
"""What an item asks (tutor.math.forms): grading checks the answer's form for it, not only its value."""

item_knowledge_points = Table(
    "item_knowledge_points",
    metadata,
    Column("item_id", ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("kp_code", ForeignKey("knowledge_points.code", ondelete="CASCADE"), primary_key=True, index=True),
)


class Item(Base):
    """One exercise. ``difficulty`` (b) and ``discrimination`` (a) share the learner-ability logit scale."""

    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint(f"answer_kind IN {ANSWER_KINDS!r}", name="answer_kind_known"),
        CheckConstraint(f"origin IN {ITEM_ORIGINS!r}", name="origin_known"),
        CheckConstraint(f"task IS NULL OR task IN {ITEM_TASKS!r}", name="task_known"),
        CheckConstraint(
            "stem_latex IS NOT NULL OR stem_text_zh IS NOT NULL OR stem_text_en IS NOT NULL", name="has_stem"
        ),
        CheckConstraint("discrimination > 0", name="discrimination_positive"),
        CheckConstraint("review_status IN ('pending', 'approved', 'rejected')", name="review_status_known"),
    )

    code: Mapped[str | None] = mapped_column(String(96), unique=True)
    school_id: Mapped[UUID | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    stem_latex: Mapped[str | None] = mapped_column(Text)
    stem_text_zh: Mapped[str | None] = mapped_column(Text)
    stem_text_en: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    answer_kind: Mapped[str] = mapped_column(String(16))
    task: Mapped[str | None] = mapped_column(String(16))
    """None on items made before tasks were stated: grading then reads the task from the stem."""
    difficulty: Mapped[float] = mapped_column(default=0.0)
    discrimination: Mapped[float] = mapped_column(default=1.0)
    difficulty_prior: Mapped[float] = mapped_column(default=0.0)
    calibration_attempts: Mapped[int] = mapped_column(default=0)
    origin: Mapped[str] = mapped_column(String(16))
    verified: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    review_status: Mapped[str] = mapped_column(String(16), default="approved", server_default="approved")
    """Generated items wait as ``pending`` in the teachers' review queue; ``rejected`` ones are not served."""

    knowledge_points: Mapped[list[KnowledgePoint]] = relationship(
        secondary=item_knowledge_points, lazy="selectin", order_by=KnowledgePoint.code
    )
