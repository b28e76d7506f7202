"""Password hashing with argon2 (pwdlib's recommended settings).

argon2 is deliberately slow (~50-100 ms and 64 MiB per hash): on the event loop, enrolling a class
froze every other request. The async forms run in a small dedicated thread pool (argon2-cffi releases
the GIL while it hashes), bounded so that a burst of sign-ins or enrolments cannot take all memory.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from pwdlib import PasswordHash

__all__ = ["hash_password", "hash_password_async", "verify_password", "verify_password_async"]

_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="argon2")

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


async def hash_password_async(password: str) -> str:
    """:func:`hash_password` off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_POOL, hash_password, password)


async def verify_password_async(password: str, password_hash: str | None) -> bool:
    """:func:`verify_password` off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_POOL, verify_password, password, password_hash)
