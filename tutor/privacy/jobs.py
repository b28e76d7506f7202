"""Scheduled jobs for ``tutor worker``: retention (daily at 03:17 UTC) and, when an LRS is configured,
the xAPI push (every 10 minutes)."""

from __future__ import annotations

from saq import CronJob
from saq.types import Context

from tutor.jobs.context import job_session
from tutor.privacy.config import PrivacySettings
from tutor.privacy.retention import run_retention
from tutor.settings import get_settings

__all__ = ["CRON_JOBS", "JOBS", "retention_job", "xapi_push_job"]


async def retention_job(ctx: Context, *, dry_run: bool = False) -> dict[str, int]:
    """Delete expired rows; returns rows deleted per table (the job result, no personal data)."""
    async with job_session(ctx) as session:
        report = await run_retention(session, PrivacySettings.from_env(get_settings().env), dry_run=dry_run)
    return {item.table: item.rows for item in report.items}


async def xapi_push_job(ctx: Context) -> dict[str, int]:
    """Send new statements to the configured LRS (nothing to do without ``TUTOR_XAPI_LRS_URL``)."""
    from tutor.audit.config import AuditSettings
    from tutor.audit.lrs import LrsSettings, push_pending
    from tutor.db.engine import make_engine, make_session_maker
    from tutor.jobs.context import job_database_url

    settings = LrsSettings.from_env(get_settings().env)
    if settings is None:
        return {"sent": 0}
    engine = make_engine(job_database_url(ctx), pool_size=2)
    try:
        home = AuditSettings.from_env(get_settings().env).xapi_home_page
        report = await push_pending(make_session_maker(engine), settings, home_page=home)
    finally:
        await engine.dispose()
    return {"sent": report.sent}


JOBS = [retention_job, xapi_push_job]
CRON_JOBS = [
    CronJob(retention_job, cron="17 3 * * *", timeout=3600),
    CronJob(xapi_push_job, cron="*/10 * * * *", timeout=600),
]
