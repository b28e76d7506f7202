"""Engine and session factory for one database URL."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from tutor.db.urls import async_url

__all__ = ["make_engine", "make_session_maker", "session_timeouts"]


def session_timeouts(env: Mapping[str, str]) -> dict[str, str]:
    """Server-side limits for the API's connections, so no transaction outlives its client for long.

    A SIGKILLed API leaves its transactions to the server: ``client_connection_check_interval`` ends
    a running statement whose client is gone, ``idle_in_transaction_session_timeout`` one that waits
    for a client that will never speak again (a dropped network), ``lock_timeout`` and
    ``statement_timeout`` bound what a live request can wait for (503 with Retry-After, see
    ``tutor.api.problems``). Their locks (an Idempotency-Key's claim) go with them, so a retry is
    served within seconds. Values in milliseconds, ``TUTOR_DB_*_MS``; jobs and migrations do not use
    these (their statements may run long).
    """
    return {
        "idle_in_transaction_session_timeout": env.get("TUTOR_DB_IDLE_IN_TRANSACTION_MS") or "60000",
        "lock_timeout": env.get("TUTOR_DB_LOCK_TIMEOUT_MS") or "5000",
        "statement_timeout": env.get("TUTOR_DB_STATEMENT_TIMEOUT_MS") or "30000",
        "client_connection_check_interval": env.get("TUTOR_DB_CLIENT_CHECK_MS") or "2000",
        "tcp_keepalives_idle": "10",
        "tcp_keepalives_interval": "5",
        "tcp_keepalives_count": "3",
    }


def make_engine(
    url: str, *, pool_size: int = 10, server_settings: Mapping[str, str] | None = None
) -> AsyncEngine:
    # hide_parameters: an error never writes bound values (answers, names, hashes) into a log
    connect_args = {"server_settings": dict(server_settings)} if server_settings else {}
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args=connect_args,
    )


def make_session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
