"""What a job needs from its worker: the database (the queue's own: jobs and data share one server)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from saq.types import Context
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.db.engine import make_engine, make_session_maker

__all__ = ["job_database_url", "job_session"]


def job_database_url(ctx: Context) -> str:
    worker = ctx.get("worker")
    conninfo = getattr(getattr(getattr(worker, "queue", None), "pool", None), "conninfo", None)
    if isinstance(conninfo, str) and conninfo:
        return conninfo
    from tutor.settings import get_settings

    url = get_settings().database_url
    if not url:
        raise RuntimeError("The job cannot find the database URL.")
    return url


@asynccontextmanager
async def job_session(ctx: Context) -> AsyncIterator[AsyncSession]:
    """One transaction on the job's database, committed when the block succeeds."""
    engine = make_engine(job_database_url(ctx), pool_size=1)
    try:
        async with make_session_maker(engine)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()
