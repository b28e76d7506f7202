"""The job queue: SAQ's ``PostgresQueue`` on the service's own database.

Each area's ``jobs`` module exposes ``JOBS`` (async functions ``fn(ctx, **kwargs)``) and optionally
``CRON_JOBS`` (``saq.CronJob``); ``collect_jobs`` lists them. The API enqueues by function name;
``tutor worker`` runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from saq import CronJob
from saq.queue.postgres import PostgresQueue

from tutor.db.urls import libpq_url

__all__ = ["QUEUE_NAME", "collect_jobs", "make_queue"]

QUEUE_NAME = "tutor"


def make_queue(url: str) -> PostgresQueue:
    return PostgresQueue.from_url(libpq_url(url), name=QUEUE_NAME)


def collect_jobs() -> tuple[list[Callable[..., Any]], list[CronJob[Any]]]:
    from tutor import learning_jobs
    from tutor.attempts import jobs as attempt_jobs
    from tutor.privacy import jobs as privacy_jobs
    from tutor.training import jobs as training_jobs

    modules = (training_jobs, learning_jobs, privacy_jobs, attempt_jobs)
    functions = [fn for module in modules for fn in module.JOBS]
    cron = [job for module in modules for job in getattr(module, "CRON_JOBS", [])]
    return functions, cron
