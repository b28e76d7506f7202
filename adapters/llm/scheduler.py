"""Iteration-level batching for one local model: requests join and leave between decoding slices.

Collect-then-generate batching (one ``generate`` per batch) makes a 16-token request wait behind a
512-token one, runs requests that differ only in ``max_new_tokens`` one by one, and keeps generating
for callers who went away. This scheduler instead runs the model in *slices* of at most
``slice_tokens`` decoding steps: every slice takes the oldest waiting request's group (same adapter
and decoding controls; ``max_new_tokens``, ``min_new_tokens`` and the caller may differ) up to
``max_batch_size`` rows, continues each row from its prompt plus what it generated so far, and stops
each row on its own budget (a per-row stopping criterion). Between slices new requests are admitted,
finished and cancelled ones leave, and requests that waited past their queue deadline get a 503.
Streams are rows like any other: each new token is pushed to its caller as it is produced.

transformers 5.23's own continuous batching (``init_continuous_batching``) was tried first: on this
CPU stack it drops ``repetition_penalty`` ("isn't supported by CB") and produced no result within
10 s on a 2-layer model, so this loop over ``generate`` is used instead. A slice that serves the same
rows as the previous one continues its KV cache (:class:`adapters.llm.slicing.SliceCache`); when rows
join or leave, the batch is re-encoded once (one prefill), measured in ``bench/bench_llm_batching.py``.

Only greedy/sampled single-sequence requests are sliced; beam search and ``num_return_sequences >
1`` need the whole search at once and go through :class:`adapters.llm.batching.DynamicBatcher`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from adapters.llm.params import GenerationParams
from tutor.errors import ServiceUnavailableError

__all__ = ["SliceJob", "SliceScheduler", "sliceable"]


def sliceable(params: GenerationParams) -> bool:
    return params.num_beams == 1 and params.num_return_sequences == 1


@dataclass(eq=False)
class SliceJob:
    """One request's state across slices (touched by the worker thread only inside a slice)."""

    key: Hashable
    payload: Any  # what the runner needs (the engine's request)
    prompt_ids: list[int]
    max_new_tokens: int
    min_new_tokens: int
    deadline: float  # loop time by which the first slice must have started
    future: asyncio.Future[SliceJob]
    on_token: Callable[[int], None] | None = None  # called on the worker thread, per new token
    generated: list[int] = field(default_factory=list)
    cancel: threading.Event = field(default_factory=threading.Event)
    finish: str | None = None  # stop | length | cancelled | time_limit
    started_at: float | None = None
    first_token_at: float | None = None
    slices: int = 0

    @property
    def remaining(self) -> int:
        return self.max_new_tokens - len(self.generated)


SliceRunner = Callable[[Sequence[SliceJob], int], None]
"""Runs one slice of at most ``steps`` tokens for the jobs (worker thread); appends to ``generated``
and sets ``finish="stop"`` on rows that produced end-of-sequence."""


class SliceScheduler:
    """See the module docstring. ``runner`` does the model work on ``executor`` (the model's thread)."""

    def __init__(
        self,
        runner: SliceRunner,
        executor: Executor,
        *,
        max_batch_size: int = 8,
        slice_tokens: int = 16,
        max_queue: int = 64,
        queue_timeout_s: float = 30.0,
        time_limit_s: float = 120.0,
    ) -> None:
        self._runner = runner
        self._executor = executor
        self.max_batch_size = max_batch_size
        self.slice_tokens = slice_tokens
        self.max_queue = max_queue
        self.queue_timeout_s = queue_timeout_s
        self.time_limit_s = time_limit_s
        self._jobs: list[SliceJob] = []
        self._task: asyncio.Task[None] | None = None
        self._wakeup = asyncio.Event()
        self.slices_run = 0
        self.rows_run = 0

    @property
    def queued(self) -> int:
        return len(self._jobs)

    def submit(
        self,
        key: Hashable,
        payload: Any,
        prompt_ids: list[int],
        params: GenerationParams,
        on_token: Callable[[int], None] | None = None,
    ) -> SliceJob:
        """Queue a request; await ``job.future``; ``job.cancel.set()`` drops it at the next step."""
        if len(self._jobs) >= self.max_queue:
            raise ServiceUnavailableError(
                "The model is busy: too many generation requests are waiting. Try again shortly.",
                retry_after=max(1, round(len(self._jobs) / self.max_batch_size)),
            )
        loop = asyncio.get_running_loop()
        job = SliceJob(
            key=key,
            payload=payload,
            prompt_ids=prompt_ids,
            max_new_tokens=params.max_new_tokens,
            min_new_tokens=params.min_new_tokens,
            deadline=loop.time() + self.queue_timeout_s,
            future=loop.create_future(),
            on_token=on_token,
        )
        self._jobs.append(job)
        self._wakeup.set()
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._loop())
        return job

    def _settle(self, job: SliceJob, now: float) -> bool:
        """Finish a job that is done; True when it left the queue."""
        if job.cancel.is_set() and job.finish is None:
            job.finish = "cancelled"
        elif job.finish is None and job.remaining <= 0:
            job.finish = "length"
        elif job.finish is None and job.started_at is not None and now - job.started_at >= self.time_limit_s:
            job.finish = "time_limit"
        elif job.finish is None and job.started_at is None and now > job.deadline:
            job.finish = "expired"
            if not job.future.done():
                job.future.set_exception(
                    ServiceUnavailableError(
                        "The model is busy: this request waited too long in the queue. Try again shortly.",
                        retry_after=5,
                    )
                )
        if job.finish is None:
            return False
        if not job.future.done():
            job.future.set_result(job)
        return True

    def _pick(self) -> list[SliceJob]:
        first = self._jobs[0]
        return [j for j in self._jobs if j.key == first.key][: self.max_batch_size]

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while self._jobs:
            now = loop.time()
            self._jobs = [j for j in self._jobs if not self._settle(j, now)]
            if not self._jobs:
                break
            batch = self._pick()
            # the slice ends when its shortest row is done, so a finished request leaves (and its
            # caller is answered) at once instead of riding along until the longest row's budget
            steps = min(self.slice_tokens, min(j.remaining for j in batch))
            for job in batch:
                if job.started_at is None:
                    job.started_at = now
            try:
                await loop.run_in_executor(self._executor, self._runner, batch, steps)
            except Exception as exc:
                for job in batch:
                    job.finish = "error"
                    if not job.future.done():
                        job.future.set_exception(exc)
                self._jobs = [j for j in self._jobs if j not in batch]
                continue
            self.slices_run += 1
            self.rows_run += len(batch)
            # rotate: the group just served goes behind the others, so groups take turns
            served = set(map(id, batch))
            waiting = [j for j in self._jobs if id(j) not in served]
            self._jobs = waiting + [j for j in self._jobs if id(j) in served]
        self._wakeup.clear()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        for job in self._jobs:
            if not job.future.done():
                job.future.set_exception(ServiceUnavailableError("The model engine is shutting down."))
        self._jobs.clear()
