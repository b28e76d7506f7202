"""``tutor worker`` folds the item calibration inbox every minute (the API also folds every 2 s).

So item difficulty and drift stay current when attempts come in while no API process is folding
(several API processes, or an API restarted mid-class): see ``tutor.attempts.item_fold``.
"""

from __future__ import annotations

from saq import CronJob
from saq.types import Context

from tutor.attempts.item_fold import BATCH, fold_item_calibration
from tutor.jobs.context import job_session
from tutor.practice.attempt_step import learning_config
from tutor.settings import get_settings

__all__ = ["CRON_JOBS", "JOBS", "fold_item_calibration_job"]


async def fold_item_calibration_job(ctx: Context, *, batches: int = 50) -> dict[str, int]:
    """Fold up to ``batches`` committed batches; returns counts (no personal data)."""
    config = learning_config(get_settings())
    folded = 0
    for _ in range(batches):
        async with job_session(ctx) as session:
            outcome = await fold_item_calibration(session, config)
        folded += outcome.folded
        if outcome.skipped or outcome.folded < BATCH:
            break
    return {"folded": folded}


JOBS = [fold_item_calibration_job]
CRON_JOBS = [CronJob(fold_item_calibration_job, cron="* * * * *", timeout=300)]
