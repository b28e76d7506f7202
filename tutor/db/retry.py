"""Retry a whole transaction on the errors PostgreSQL asks clients to retry (40001, 40P01).

The attempt transaction is built not to deadlock; this is the safety net for what still can happen
(a serialization failure, a deadlock with a maintenance job). The callable must open and commit its
own transaction, so each try starts from scratch and nothing half-written survives a failed one.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from sqlalchemy.exc import DBAPIError

__all__ = ["RETRYABLE_SQLSTATES", "retry_transaction", "sqlstate"]

T = TypeVar("T")
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
log = structlog.get_logger(__name__)


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a driver error wrapped by SQLAlchemy (asyncpg or psycopg), if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for attr in ("sqlstate", "pgcode"):
            code = getattr(current, attr, None)
            if isinstance(code, str) and code:
                return code
        current = getattr(current, "orig", None) or current.__cause__
    return None


async def retry_transaction(fn: Callable[[], Awaitable[T]], *, attempts: int = 4) -> T:
    """Run ``fn``; on a retryable SQLSTATE run it again (bounded, with jittered backoff)."""
    for n in range(1, attempts + 1):
        try:
            return await fn()
        except DBAPIError as exc:
            code = sqlstate(exc)
            if code not in RETRYABLE_SQLSTATES or n == attempts:
                raise
            log.info("transaction.retry", sqlstate=code, attempt=n)
            await asyncio.sleep(random.uniform(0.005, 0.03) * 2**n)
    raise AssertionError("unreachable")
