"""Tutoring dialogues: one conversation about a problem (or an attempt) and its turns.

Turns hold the learner's own words, so rows cascade with the learner (erasure) and nothing here is
copied to logs; the audit log gets the model's side with its model/adapter/template provenance.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tutor.db.base import Base

__all__ = ["DIALOGUE_ROLES", "Dialogue", "DialogueTurnRow"]

DIALOGUE_ROLES = ("student", "tutor")


class Dialogue(Base):
    __tablename__ = "dialogues"
    __table_args__ = (
        CheckConstraint("lang IN ('zh', 'en')", name="lang_known"),
        Index("ix_dialogues_learner_created", "learner_id", "created_at"),
    )

    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[UUID | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    attempt_id: Mapped[UUID | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"))
    problem: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    turn_count: Mapped[int] = mapped_column(Integer, default=0)

    turns: Mapped[list[DialogueTurnRow]] = relationship(
        back_populates="dialogue",
        order_by="DialogueTurnRow.seq",
        cascade="all, delete-orphan",
        lazy="noload",
    )


class DialogueTurnRow(Base):
    """One message; ``seq`` orders them. Tutor turns record what produced them.

    A teacher (or school admin) may approve a tutor turn: approved turns of learners with training
    consent become training examples (``tutor.training.data``).
    """

    __tablename__ = "dialogue_turns"
    __table_args__ = (
        CheckConstraint(f"role IN {DIALOGUE_ROLES!r}", name="role_known"),
        UniqueConstraint("dialogue_id", "seq", name="uq_dialogue_turns_dialogue_seq"),
    )

    dialogue_id: Mapped[UUID] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(200))
    adapter: Mapped[str | None] = mapped_column(String(140))
    template_id: Mapped[str | None] = mapped_column(String(64))
    approved_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    dialogue: Mapped[Dialogue] = relationship(back_populates="turns", lazy="noload")
