"""Knobs for the math engine, read from ``TUTOR_MATH_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["MathSettings"]


def _get(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    return default if raw in (None, "") else float(raw)


def _default_workers() -> int:
    """One worker per core (at least 2, so one hostile call never blocks everyone; at most 8)."""
    return min(8, max(2, os.cpu_count() or 2))


@dataclass(frozen=True)
class MathSettings:
    """Limits that keep hostile input from eating the service (SymPy can run unbounded)."""

    workers: int = field(default_factory=_default_workers)
    timeout_s: float = 5.0
    queue_wait_s: float = 10.0
    """Seconds a call may wait for a free worker before 503 (past ``max_waiting`` callers: 503 at once)."""
    memory_mb: int = 1536
    max_waiting: int = 64
    account_budget_s: float = 20.0
    """Worker seconds one account may use per :attr:`account_window_s` (then 429 with Retry-After)."""
    account_window_s: float = 60.0
    account_concurrency: int = 2
    """Sandbox calls one account may have in flight at once."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> MathSettings:
        return cls(
            workers=max(1, int(_get(env, "TUTOR_MATH_WORKERS", _default_workers()))),
            timeout_s=_get(env, "TUTOR_MATH_TIMEOUT_S", cls.timeout_s),
            queue_wait_s=_get(env, "TUTOR_MATH_QUEUE_WAIT_S", cls.queue_wait_s),
            memory_mb=int(_get(env, "TUTOR_MATH_MEMORY_MB", cls.memory_mb)),
            max_waiting=max(0, int(_get(env, "TUTOR_MATH_MAX_WAITING", cls.max_waiting))),
            account_budget_s=_get(env, "TUTOR_MATH_ACCOUNT_BUDGET_S", cls.account_budget_s),
            account_window_s=_get(env, "TUTOR_MATH_ACCOUNT_WINDOW_S", cls.account_window_s),
            account_concurrency=max(
                1, int(_get(env, "TUTOR_MATH_ACCOUNT_CONCURRENCY", cls.account_concurrency))
            ),
        )
