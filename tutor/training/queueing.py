"""Enqueue training runs on the service's SAQ queue (one lazily connected queue per app)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar.datastructures import State

from tutor.errors import ServiceUnavailableError
from tutor.jobs.queue import make_queue
from tutor.runtime import register_shutdown

__all__ = ["JOB_NAME", "enqueue_run"]

JOB_NAME = "train_adapter"
_STATE_KEY = "training_queue"


async def _queue(state: State) -> Any:
    queue = state.get(_STATE_KEY)
    if queue is None:
        url = state["db_engine"].url.render_as_string(hide_password=False)
        queue = make_queue(url)
        await queue.connect()
        state[_STATE_KEY] = queue
        register_shutdown(state, queue.disconnect)
    return queue


async def enqueue_run(state: State, run_id: UUID) -> None:
    """One job per run (keyed by the run id); no timeout and no retry: a retry would spend twice."""
    try:
        queue = await _queue(state)
        await queue.enqueue(JOB_NAME, run_id=str(run_id), key=f"train-{run_id}", timeout=0, retries=1)
    except Exception as exc:
        raise ServiceUnavailableError(
            "The job queue is unavailable; the training run could not be started.", retry_after=30
        ) from exc
