"""Scheduled retention for ``tutor worker`` (SAQ cron, daily at 03:17 UTC)."""

from __future__ import annotations

from saq import CronJob
from saq.types import Context

from tutor.jobs.context import job_session
from tutor.privacy.config import PrivacySettings
from tutor.privacy.retention import run_retention
from tutor.settings import get_settings

__all__ = ["CRON_JOBS", "JOBS", "retention_job"]


async def retention_job(ctx: Context, *, dry_run: bool = False) -> dict[str, int]:
    """Delete expired rows; returns rows deleted per table (the job result, no personal data)."""
    async with job_session(ctx) as session:
        report = await run_retention(session, PrivacySettings.from_env(get_settings().env), dry_run=dry_run)
    return {item.table: item.rows for item in report.items}


JOBS = [retention_job]
CRON_JOBS = [CronJob(retention_job, cron="17 3 * * *", timeout=3600)]
