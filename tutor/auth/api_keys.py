"""Service API keys: random secrets shown once; only a SHA-256 digest is stored."""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["KEY_PREFIX", "digest", "new_key"]

KEY_PREFIX = "tk_"


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
