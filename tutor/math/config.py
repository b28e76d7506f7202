"""Knobs for the math engine, read from ``TUTOR_MATH_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["MathSettings"]


def _get(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    return default if raw in (None, "") else float(raw)


@dataclass(frozen=True)
class MathSettings:
    """Limits that keep hostile input from eating the service (SymPy can run unbounded)."""

    workers: int = 2
    timeout_s: float = 5.0
    queue_wait_s: float = 1.0
    memory_mb: int = 1536

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> MathSettings:
        return cls(
            workers=max(1, int(_get(env, "TUTOR_MATH_WORKERS", cls.workers))),
            timeout_s=_get(env, "TUTOR_MATH_TIMEOUT_S", cls.timeout_s),
            queue_wait_s=_get(env, "TUTOR_MATH_QUEUE_WAIT_S", cls.queue_wait_s),
            memory_mb=int(_get(env, "TUTOR_MATH_MEMORY_MB", cls.memory_mb)),
        )
