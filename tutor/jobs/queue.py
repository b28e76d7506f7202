"""The job queue: SAQ's ``PostgresQueue`` on the service's own database.

Areas register job functions in ``JOB_MODULES`` (each module exposes ``JOBS``: a list of async
functions ``fn(ctx, **kwargs)``, and optionally ``CRON_JOBS``: a list of ``saq.CronJob``). The API
enqueues by function name; ``tutor worker`` runs them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from saq import CronJob
from saq.queue.postgres import PostgresQueue

from tutor.db.urls import libpq_url

__all__ = ["JOB_MODULES", "QUEUE_NAME", "collect_jobs", "make_queue"]

QUEUE_NAME = "tutor"
JOB_MODULES = ("tutor.training.jobs", "tutor.learning_jobs", "tutor.privacy.jobs")


def make_queue(url: str) -> PostgresQueue:
    return PostgresQueue.from_url(libpq_url(url), name=QUEUE_NAME)


def collect_jobs() -> tuple[list[Callable[..., Any]], list[CronJob[Any]]]:
    functions: list[Callable[..., Any]] = []
    cron: list[CronJob[Any]] = []
    for name in JOB_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and name.startswith(exc.name):
                continue
            raise
        functions.extend(getattr(module, "JOBS", []))
        cron.extend(getattr(module, "CRON_JOBS", []))
    return functions, cron
