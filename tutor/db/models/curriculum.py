"""Knowledge points (keyed by a stable code) and their prerequisite edges."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tutor.db.base import PlainBase

__all__ = ["KnowledgePoint", "Prerequisite"]


class KnowledgePoint(PlainBase):
    __tablename__ = "knowledge_points"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(160))
    description: Mapped[str | None] = mapped_column(Text)


class Prerequisite(PlainBase):
    """Edge: ``code`` needs ``requires`` first."""

    __tablename__ = "knowledge_point_prerequisites"
    __table_args__ = (CheckConstraint("code <> requires", name="no_self_edge"),)

    code: Mapped[str] = mapped_column(
        ForeignKey("knowledge_points.code", ondelete="CASCADE"), primary_key=True
    )
    requires: Mapped[str] = mapped_column(
        ForeignKey("knowledge_points.code", ondelete="CASCADE"), primary_key=True, index=True
    )
