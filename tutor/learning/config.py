"""Settings of the learner model, read from ``TUTOR_*`` variables (defaults are the documented ones)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from tutor.learning.bkt import DEFAULT_MASTERY_THRESHOLD
from tutor.learning.drift import DriftConfig
from tutor.learning.irt import OnlineIRTConfig
from tutor.learning.selection import SelectionConfig
from tutor.learning.spacing import DEFAULT_INTERVALS_DAYS, SpacingConfig

__all__ = ["LearningConfig"]


def _float(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be within [{low}, {high}], got {value}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    return int(_float(env, name, default, low, high))


def _optional_int(env: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return None
    return _int(env, name, low, low, high)


def _intervals(env: Mapping[str, str], name: str) -> tuple[int, ...]:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return DEFAULT_INTERVALS_DAYS
    try:
        days = tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"{name} must be comma-separated whole days, e.g. 1,3,7, got {raw!r}") from None
    if not days or any(d <= 0 or d > 365 for d in days):
        raise ValueError(f"{name} needs 1 to 365 days per step, got {raw!r}")
    return days


@dataclass(frozen=True, slots=True)
class LearningConfig:
    mastery_threshold: float = DEFAULT_MASTERY_THRESHOLD
    target_p_correct: float = 0.7
    review_share: float = 0.3
    recent_items: int = 20
    intervals_days: tuple[int, ...] = DEFAULT_INTERVALS_DAYS
    clear_after: int | None = None
    drift_z: float = 3.0
    irt_k0: float = 0.4
    alert_stuck_streak: int = 3
    alert_inactive_days: int = 7
    alert_decline_drop: float = 0.2

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> LearningConfig:
        return cls(
            mastery_threshold=_float(env, "TUTOR_MASTERY_THRESHOLD", DEFAULT_MASTERY_THRESHOLD, 0.5, 0.999),
            target_p_correct=_float(env, "TUTOR_TARGET_P_CORRECT", 0.7, 0.05, 0.95),
            review_share=_float(env, "TUTOR_REVIEW_SHARE", 0.3, 0.0, 1.0),
            recent_items=_int(env, "TUTOR_RECENT_ITEMS", 20, 0, 500),
            intervals_days=_intervals(env, "TUTOR_WRONG_BOOK_INTERVALS_DAYS"),
            clear_after=_optional_int(env, "TUTOR_WRONG_BOOK_CLEAR_AFTER", 1, 10),
            drift_z=_float(env, "TUTOR_ITEM_DRIFT_Z", 3.0, 1.0, 10.0),
            irt_k0=_float(env, "TUTOR_IRT_STEP", 0.4, 0.01, 2.0),
            alert_stuck_streak=_int(env, "TUTOR_ALERT_STUCK_STREAK", 3, 2, 50),
            alert_inactive_days=_int(env, "TUTOR_ALERT_INACTIVE_DAYS", 7, 1, 365),
            alert_decline_drop=_float(env, "TUTOR_ALERT_DECLINE_DROP", 0.2, 0.05, 1.0),
        )

    def selection(self, target: float | None = None) -> SelectionConfig:
        """Selection settings, with a class's own target P(correct) when it has one."""
        return SelectionConfig(
            target=self.target_p_correct if target is None else target,
            review_share=self.review_share,
            mastery_threshold=self.mastery_threshold,
        )

    @property
    def spacing(self) -> SpacingConfig:
        return SpacingConfig(intervals_days=self.intervals_days, clear_after=self.clear_after)

    @property
    def drift(self) -> DriftConfig:
        return DriftConfig(z_threshold=self.drift_z)

    @property
    def online_irt(self) -> OnlineIRTConfig:
        return OnlineIRTConfig(k0=self.irt_k0)
