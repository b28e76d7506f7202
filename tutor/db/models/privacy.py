"""Privacy bookkeeping that must hold no personal data: keyed-hash keys, erasure records, sign-in
throttles, reviews of AI content and the xAPI push watermark.

Erasure records and throttles name people only by a keyed hash (``tutor.privacy.keyed``), so a copy of
these tables alone cannot be matched against a list of ids or usernames.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, SmallInteger, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tutor.db.base import Base, PlainBase

__all__ = [
    "REVIEW_ACTIONS",
    "ContentReview",
    "ErasureRecord",
    "LoginKnownAddress",
    "LoginThrottle",
    "PrivacyKey",
    "XapiPushState",
]

REVIEW_ACTIONS = ("approved", "rejected", "edited")


class PrivacyKey(PlainBase):
    """A random key per purpose for keyed hashes; lives with the data so erasure records outlive
    secret rotation and restores."""

    __tablename__ = "privacy_keys"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ErasureRecord(PlainBase):
    """An erased account, as a keyed hash of its id: seeding and imports never create it again."""

    __tablename__ = "erasure_records"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    school_id: Mapped[UUID | None] = mapped_column(Uuid)
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginThrottle(PlainBase):
    """Failed sign-ins per account (``acct:``) or client address (``addr:``), keyed-hashed."""

    __tablename__ = "login_throttles"
    __table_args__ = (Index("ix_login_throttles_last_failure", "last_failure_at"),)

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginKnownAddress(PlainBase):
    """A (keyed-hashed) address an account signed in from successfully: an address flooded with
    failures still lets these accounts in (one attacker behind a school's NAT cannot lock it out)."""

    __tablename__ = "login_known_addresses"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    address_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_success_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ContentReview(Base):
    """One teacher review action on AI-generated content (the queue's history; also audited)."""

    __tablename__ = "content_reviews"
    __table_args__ = (
        CheckConstraint(f"action IN {REVIEW_ACTIONS!r}", name="action_known"),
        CheckConstraint("content_kind IN ('item', 'dialogue_turn')", name="content_kind_known"),
        Index("ix_content_reviews_content", "content_kind", "content_id"),
    )

    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    content_kind: Mapped[str] = mapped_column(String(32))
    content_id: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)


class XapiPushState(PlainBase):
    """Statements up to ``pushed_until`` were sent to the configured LRS."""

    __tablename__ = "xapi_push_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    pushed_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
