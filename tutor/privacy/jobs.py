"""Scheduled retention for ``tutor worker`` (SAQ cron, daily at 03:17 UTC)."""

from __future__ import annotations

from saq import CronJob
from saq.types import Context

from tutor.db.engine import make_engine, make_session_maker
from tutor.privacy.config import PrivacySettings
from tutor.privacy.retention import run_retention
from tutor.settings import get_settings

__all__ = ["CRON_JOBS", "JOBS", "retention_job"]


async def retention_job(ctx: Context, *, dry_run: bool = False) -> dict[str, int]:
    """Delete expired rows; returns rows deleted per table (the job result, no personal data)."""
    url = get_settings().database_url
    if url is None:
        raise RuntimeError("retention needs TUTOR_DATABASE_URL in the worker")
    engine = make_engine(url, pool_size=1)
    try:
        async with make_session_maker(engine)() as session, session.begin():
            report = await run_retention(session, PrivacySettings.from_env(), dry_run=dry_run)
    finally:
        await engine.dispose()
    return {item.table: item.rows for item in report.items}


JOBS = [retention_job]
CRON_JOBS = [CronJob(retention_job, cron="17 3 * * *", timeout=3600)]
