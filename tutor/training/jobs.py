"""The SAQ job that executes an accepted training run (``tutor worker`` runs it)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from saq.types import Context

from adapters.training.config import TrainingSettings
from tutor.db.engine import make_engine, make_session_maker
from tutor.jobs.context import job_database_url
from tutor.training.queueing import JOB_NAME
from tutor.training.runner import execute_run

__all__ = ["JOBS", "train_adapter"]


async def train_adapter(ctx: Context, *, run_id: str) -> dict[str, Any]:
    engine = make_engine(job_database_url(ctx), pool_size=2)
    try:
        run = await execute_run(make_session_maker(engine), UUID(run_id), TrainingSettings.from_env())
    finally:
        await engine.dispose()
    return {"run_id": run_id, "status": run.status, "epsilon": run.epsilon}


train_adapter.__name__ = JOB_NAME
JOBS = [train_adapter]
