"""Engine and session factory for one database URL."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from tutor.db.urls import async_url

__all__ = ["make_engine", "make_session_maker"]


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    # hide_parameters: an error never writes bound values (answers, names, hashes) into a log
    return create_async_engine(
        async_url(url), pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, hide_parameters=True
    )


def make_session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
