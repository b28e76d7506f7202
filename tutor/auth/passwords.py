"""Password hashing with argon2 (pwdlib's recommended settings)."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash

__all__ = ["hash_password", "verify_password"]

# A valid hash of a random password: verifying against it keeps unknown-user logins as slow as known ones.
_DUMMY = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$4dS3pEiMfvgqk8fGYfFLl8FYmhkhk+jb5mQuKuWxz6E"


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    try:
        return _hasher().verify(password, password_hash or _DUMMY)
    except Exception:  # malformed stored hash: treat as a failed login, never a 500
        return False
