"""Privacy settings read from ``TUTOR_*`` variables: retention per data kind and rate limits."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

__all__ = ["DEFAULT_RETENTION", "PrivacySettings", "parse_rate", "parse_retention"]

DEFAULT_RETENTION: Final[dict[str, int]] = {
    "recognitions": 90,
    "dialogues": 365,
    "attempts": 730,
    "wrong_answer_book": 730,
}
"""Days each data kind (table) is kept; the audit log itself is never purged (append-only)."""

_UNITS: Final = {"second", "minute", "hour", "day"}


def parse_retention(raw: str) -> dict[str, int]:
    """``"attempts=730,recognitions=90"`` to a mapping; ``table=0`` switches a kind off."""
    result: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, sep, days = part.partition("=")
        if not sep or not name.strip() or not days.strip().isdigit():
            raise ValueError(f"TUTOR_RETENTION_DAYS entry {part!r} must look like table=days")
        result[name.strip()] = int(days)
    return result


def parse_rate(raw: str) -> tuple[str, int]:
    """``"10/minute"`` to ``("minute", 10)``, the shape Litestar's RateLimitConfig takes."""
    count, sep, unit = raw.partition("/")
    if not sep or not count.strip().isdigit() or unit.strip() not in _UNITS or int(count) < 1:
        raise ValueError(f"rate {raw!r} must look like 10/minute (units: second, minute, hour, day)")
    return unit.strip(), int(count)


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name) or str(default)
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a positive whole number")
    return int(raw)


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    retention_days: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_RETENTION))
    model_rate: tuple[str, int] = ("minute", 30)
    """Per signed-in account, on every route marked as running a model (``MODEL_ROUTE``)."""
    math_rate: tuple[str, int] = ("minute", 120)
    """Per signed-in account, on the math routes (``MATH_ROUTE``: solve, answer check)."""
    login_free_failures: int = 5
    """Failed sign-ins an account gets before it must wait (30 s, then doubling per further failure)."""
    login_max_backoff_s: int = 900
    login_address_failures: tuple[str, int] = ("hour", 100)
    """Failed sign-ins per client address; past it only accounts already seen there may still try."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> PrivacySettings:
        retention = dict(DEFAULT_RETENTION)
        retention.update(parse_retention(env.get("TUTOR_RETENTION_DAYS", "")))
        return cls(
            retention_days={name: days for name, days in retention.items() if days > 0},
            model_rate=parse_rate(env.get("TUTOR_RATE_LIMIT_MODEL") or "30/minute"),
            math_rate=parse_rate(env.get("TUTOR_RATE_LIMIT_MATH") or "120/minute"),
            login_free_failures=_positive(env, "TUTOR_LOGIN_FREE_FAILURES", 5),
            login_max_backoff_s=_positive(env, "TUTOR_LOGIN_MAX_BACKOFF_S", 900),
            login_address_failures=parse_rate(env.get("TUTOR_LOGIN_ADDRESS_FAILURES") or "100/hour"),
        )
