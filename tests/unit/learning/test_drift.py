"""Drift flags items whose answers stop matching the prediction."""

from __future__ import annotations

import random

from tutor.learning.drift import DriftConfig, DriftState, drift_z, update_drift


def _run(predicted: float, true_p: float, n: int, seed: int) -> DriftState:
    rng = random.Random(seed)
    state = DriftState()
    for _ in range(n):
        state = update_drift(state, predicted, rng.random() < true_p)
    return state


def test_calibrated_item_is_not_flagged() -> None:
    assert not _run(0.7, 0.7, 200, seed=1).flagged()


def test_item_much_easier_than_predicted_is_flagged() -> None:
    state = _run(0.4, 0.95, 60, seed=2)
    assert state.z > 3
    assert state.flagged()


def test_no_flag_before_enough_attempts() -> None:
    state = _run(0.1, 1.0, 5, seed=3)
    assert not state.flagged(DriftConfig(min_attempts=20))


def test_window_z() -> None:
    assert drift_z([0.5, 0.5, 0.5, 0.5], [True, True, True, True]) == 2.0
    assert drift_z([], []) == 0.0
