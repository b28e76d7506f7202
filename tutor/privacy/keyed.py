"""Keyed hashes (HMAC-SHA256) for records that must name a person without holding personal data.

The key is random, one per purpose, and kept in the database (``privacy_keys``), so erasure records
keep working after the JWT secret is rotated or the data directory is lost, while a copy of, say, the
erasure records alone cannot be tested against a list of known account ids or usernames.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from tutor.db.models.privacy import PrivacyKey

__all__ = ["ERASURE", "LOGIN", "keyed_digest", "purpose_key"]

ERASURE: Final = "erasure"
LOGIN: Final = "login"


async def purpose_key(db: AsyncSession | AsyncConnection, purpose: str) -> bytes:
    """The purpose's key, created on first use (concurrent first uses agree on one)."""
    await db.execute(
        insert(PrivacyKey)
        .values(name=purpose, secret=secrets.token_hex(32), created_at=datetime.now(UTC))
        .on_conflict_do_nothing(index_elements=["name"])
    )
    secret = (await db.execute(select(PrivacyKey.secret).where(PrivacyKey.name == purpose))).scalar_one()
    return bytes.fromhex(secret)


def digest_with(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


async def keyed_digest(db: AsyncSession | AsyncConnection, purpose: str, value: str) -> str:
    return digest_with(await purpose_key(db, purpose), value)


__all__ += ["digest_with"]
