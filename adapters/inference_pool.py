"""A bounded worker pool for interactive model calls: timeout and back-pressure instead of a pile-up.

Model inference is slow and CPU-bound; if every request queued without limit, a burst would make all
of them time out. Threads suffice because torch, CTranslate2 and onnxruntime release the GIL. A slot is
taken when a call is accepted and freed only when its thread really finishes (a timed-out call still
occupies its worker), so the pool never admits more work than it can run.
"""

from __future__ import annotations

import asyncio
import math
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from tutor.errors import ServiceUnavailableError

__all__ = ["InferencePool", "PoolConfig"]

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PoolConfig:
    """``workers`` run at once, ``queue`` more may wait; each call gets ``timeout_s`` seconds."""

    workers: int = 1
    queue: int = 4
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        if self.workers < 1 or self.queue < 0 or self.timeout_s <= 0:
            raise ValueError("PoolConfig needs workers >= 1, queue >= 0 and timeout_s > 0")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> PoolConfig:
        """Read ``TUTOR_INFERENCE_WORKERS``, ``TUTOR_INFERENCE_QUEUE``, ``TUTOR_INFERENCE_TIMEOUT_S``."""
        return cls(
            workers=int(env.get("TUTOR_INFERENCE_WORKERS") or 1),
            queue=int(env.get("TUTOR_INFERENCE_QUEUE") or 4),
            timeout_s=float(env.get("TUTOR_INFERENCE_TIMEOUT_S") or 30.0),
        )


class InferencePool:
    """Run blocking callables on a few threads; refuse with 503 + Retry-After when full."""

    def __init__(self, config: PoolConfig, *, name: str = "inference") -> None:
        self.config = config
        self.name = name
        self._executor = ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._pending = 0

    @property
    def capacity(self) -> int:
        """How many calls may be running or waiting at once."""
        return self.config.workers + self.config.queue

    @property
    def pending(self) -> int:
        """Calls accepted and not yet finished (running or waiting)."""
        with self._lock:
            return self._pending

    def _retry_after(self) -> int:
        # a full queue drains in roughly (capacity / workers) call durations; timeout bounds a call
        waves = self.capacity / self.config.workers
        return max(1, math.ceil(min(self.config.timeout_s, 5.0) * waves / 2))

    def _acquire(self) -> None:
        with self._lock:
            if self._pending >= self.capacity:
                raise ServiceUnavailableError(
                    f"The {self.name} service is busy; please try again shortly.",
                    retry_after=self._retry_after(),
                )
            self._pending += 1

    def _release(self) -> None:
        with self._lock:
            self._pending -= 1

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn`` on a worker; 503 when the pool is full or the call exceeds its timeout."""
        self._acquire()

        def job() -> T:
            try:
                return fn(*args, **kwargs)
            finally:
                self._release()

        try:
            future = self._executor.submit(job)
        except BaseException:
            self._release()
            raise
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout=self.config.timeout_s)
        except TimeoutError:
            if future.cancel():  # it never started, so its slot is ours to free
                self._release()
            # a running call cannot be interrupted: it keeps its slot until it finishes
            raise ServiceUnavailableError(
                f"The {self.name} service took longer than {self.config.timeout_s:g} s; please try again.",
                retry_after=self._retry_after(),
            ) from None

    def shutdown(self, *, wait: bool = False) -> None:
        """Stop accepting work; queued calls that have not started are dropped."""
        self._executor.shutdown(wait=wait, cancel_futures=True)
