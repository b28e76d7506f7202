"""Dynamic batching: concurrent requests with the same batch key share one ``generate`` call.

A bounded queue gives back-pressure (503 + Retry-After when full); one collector task groups
requests by key (adapter + decoding params) up to ``max_batch_size`` or ``max_wait`` seconds, and
hands each batch to a synchronous runner on a single worker thread so the event loop never blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from tutor.errors import ServiceUnavailableError

__all__ = ["DynamicBatcher"]

Req = TypeVar("Req")
Res = TypeVar("Res")


@dataclass(slots=True)
class _Pending(Generic[Req, Res]):
    key: Hashable
    request: Req
    future: asyncio.Future[Res] = field(repr=False)


class DynamicBatcher(Generic[Req, Res]):
    """Queue requests, run them in batches through ``runner(batch) -> results`` on ``executor``."""

    def __init__(
        self,
        runner: Callable[[Sequence[Req]], list[Res]],
        key: Callable[[Req], Hashable],
        executor: Executor,
        *,
        max_batch_size: int = 8,
        max_wait_s: float = 0.01,
        max_queue: int = 64,
        est_batch_seconds: float = 2.0,
    ) -> None:
        self._runner = runner
        self._key = key
        self._executor = executor
        self.max_batch_size = max_batch_size
        self.max_wait_s = max_wait_s
        self.max_queue = max_queue
        self._est_batch_seconds = est_batch_seconds
        self._pending: deque[_Pending[Req, Res]] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.batches_run = 0

    @property
    def queued(self) -> int:
        return len(self._pending)

    def _retry_after(self) -> int:
        batches_ahead = math.ceil(len(self._pending) / self.max_batch_size)
        return max(1, math.ceil(batches_ahead * self._est_batch_seconds))

    async def submit(self, request: Req) -> Res:
        """Wait for this request's result; 503 at once when the queue is full."""
        if len(self._pending) >= self.max_queue:
            raise ServiceUnavailableError(
                "The model is busy: too many generation requests are waiting. Try again shortly.",
                retry_after=self._retry_after(),
            )
        loop = asyncio.get_running_loop()
        item: _Pending[Req, Res] = _Pending(self._key(request), request, loop.create_future())
        self._pending.append(item)
        self._wakeup.set()
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._collect())
        try:
            return await item.future
        except asyncio.CancelledError:
            # a caller that went away frees its queue slot if its batch has not started
            if item in self._pending:
                self._pending.remove(item)
            raise

    def _take(self, key: Hashable, batch: list[_Pending[Req, Res]]) -> None:
        for item in list(self._pending):
            if len(batch) >= self.max_batch_size:
                return
            if item.key == key:
                self._pending.remove(item)
                batch.append(item)

    async def _collect(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            first = self._pending.popleft()
            batch = [first]
            self._take(first.key, batch)
            deadline = loop.time() + self.max_wait_s
            while len(batch) < self.max_batch_size:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), remaining)
                self._take(first.key, batch)
            live = [item for item in batch if not item.future.done()]
            if not live:
                continue
            started = loop.time()
            try:
                results = await loop.run_in_executor(self._executor, self._runner, [i.request for i in live])
            except Exception as exc:
                for item in live:
                    if not item.future.done():
                        item.future.set_exception(exc)
                continue
            finally:
                self.batches_run += 1
                elapsed = loop.time() - started
                self._est_batch_seconds = 0.8 * self._est_batch_seconds + 0.2 * elapsed
            for item, result in zip(live, results, strict=True):
                if not item.future.done():
                    item.future.set_result(result)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        for item in self._pending:
            if not item.future.done():
                item.future.set_exception(ServiceUnavailableError("The model engine is shutting down."))
        self._pending.clear()
