"""Privacy settings read from ``TUTOR_*`` variables: retention per data kind and rate limits."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

__all__ = ["DEFAULT_MODEL_PATHS", "DEFAULT_RETENTION", "PrivacySettings", "parse_rate", "parse_retention"]

DEFAULT_RETENTION: Final[dict[str, int]] = {
    "recognitions": 90,
    "dialogues": 365,
    "attempts": 730,
    "wrong_answer_book": 730,
}
"""Days each data kind (table) is kept; the audit log itself is never purged (append-only)."""

_UNITS: Final = {"second", "minute", "hour", "day"}
DEFAULT_MODEL_PATHS: Final = ("/v1/solve", "/v1/dialogues", "/v1/exercises/generate", "/v1/recognize")
"""Path prefixes of routes that run a model (POST only)."""


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


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    retention_days: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_RETENTION))
    login_rate: tuple[str, int] = ("minute", 60)
    """Per client address: a classroom behind one NAT signs in together, so keep it well above class size."""
    model_rate: tuple[str, int] = ("minute", 30)
    """Per account (bearer token), POSTs to ``model_paths`` only."""
    model_paths: tuple[str, ...] = DEFAULT_MODEL_PATHS

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> PrivacySettings:
        retention = dict(DEFAULT_RETENTION)
        retention.update(parse_retention(env.get("TUTOR_RETENTION_DAYS", "")))
        paths = env.get("TUTOR_RATE_LIMIT_MODEL_PATHS")
        return cls(
            retention_days={name: days for name, days in retention.items() if days > 0},
            login_rate=parse_rate(env.get("TUTOR_RATE_LIMIT_LOGIN") or "60/minute"),
            model_rate=parse_rate(env.get("TUTOR_RATE_LIMIT_MODEL") or "30/minute"),
            model_paths=tuple(p.strip() for p in paths.split(",") if p.strip())
            if paths
            else DEFAULT_MODEL_PATHS,
        )
