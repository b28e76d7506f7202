"""Flag items whose observed correctness departs from what the model predicts.

A drifting item (answer leaked, wording ambiguous, wrong key, a generated item harder than stated)
shows as residuals ``y - P(correct)`` that do not average out. We keep exponentially weighted sums
of the residuals and of their variances, so the check is O(1) per attempt and needs no history:
``z = sum(w * (y - p)) / sqrt(sum(w^2 * p * (1 - p)))``, with ``w`` halving every ``half_life`` attempts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["DriftConfig", "DriftState", "drift_z", "update_drift"]


@dataclass(frozen=True, slots=True)
class DriftConfig:
    """``|z| >= z_threshold`` after at least ``min_attempts`` attempts flags the item."""

    half_life: float = 30.0
    z_threshold: float = 3.0
    min_attempts: int = 20

    @property
    def decay(self) -> float:
        return 0.5 ** (1.0 / self.half_life)


@dataclass(frozen=True, slots=True)
class DriftState:
    """Running sums kept on the item row."""

    residual_sum: float = 0.0
    variance_sum: float = 0.0
    n_attempts: int = 0

    @property
    def z(self) -> float:
        if self.variance_sum <= 0.0:
            return 0.0
        return self.residual_sum / math.sqrt(self.variance_sum)

    def flagged(self, config: DriftConfig | None = None) -> bool:
        cfg = config or DriftConfig()
        return self.n_attempts >= cfg.min_attempts and abs(self.z) >= cfg.z_threshold


def update_drift(
    state: DriftState, predicted: float, correct: bool, config: DriftConfig | None = None
) -> DriftState:
    """Fold one attempt (its P(correct) predicted before the answer) into the running sums."""
    cfg = config or DriftConfig()
    d = cfg.decay
    y = 1.0 if correct else 0.0
    return DriftState(
        residual_sum=d * state.residual_sum + (y - predicted),
        variance_sum=d * d * state.variance_sum + predicted * (1.0 - predicted),
        n_attempts=state.n_attempts + 1,
    )


def drift_z(predicted: list[float], correct: list[bool]) -> float:
    """Unweighted z-score over a window of attempts (for batch reports and tests)."""
    if len(predicted) != len(correct):
        raise ValueError("predicted and correct must have the same length")
    variance = sum(p * (1.0 - p) for p in predicted)
    if variance <= 0.0:
        return 0.0
    return sum((1.0 if c else 0.0) - p for p, c in zip(predicted, correct, strict=True)) / math.sqrt(variance)
