"""Nightly learner-model maintenance for ``tutor worker``: refit BKT, recalibrate items, rebuild.

Fitting stores a new parameter version; the rebuild then replays every attempt with it so stored
mastery and the analytics aggregates follow the new parameters (``tutor fit-mastery`` alone does not).
"""

from __future__ import annotations

from saq import CronJob
from saq.types import Context

from tutor.analytics.rebuild import rebuild_aggregates
from tutor.jobs.context import job_session
from tutor.practice.attempt_step import learning_config
from tutor.practice.fitting import fit_mastery, recalibrate_item_bank
from tutor.settings import get_settings

__all__ = ["CRON_JOBS", "JOBS", "refit_learner_model"]


async def refit_learner_model(ctx: Context, *, min_observations: int = 50) -> dict[str, int]:
    """Fit, recalibrate and rebuild in one transaction; returns counts (no personal data)."""
    async with job_session(ctx) as session:
        outcomes = await fit_mastery(session, min_observations=min_observations)
        items = await recalibrate_item_bank(session)
        rebuilt = await rebuild_aggregates(session, learning_config(get_settings()))
    return {
        "knowledge_points_fitted": sum(1 for o in outcomes if o.params is not None),
        "knowledge_points_activated": sum(1 for o in outcomes if o.active),
        "items_recalibrated": items.items,
        "attempts_replayed": rebuilt.attempts,
    }


JOBS = [refit_learner_model]
CRON_JOBS = [CronJob(refit_learner_model, cron="41 2 * * *", timeout=3600)]
