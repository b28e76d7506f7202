"""Mastery with its uncertainty."""

from __future__ import annotations

import pytest

from tutor.learning.mastery import estimate_mastery, mastery_interval


def test_interval_narrows_with_evidence() -> None:
    low2, high2 = mastery_interval(0.6, 2)
    low30, high30 = mastery_interval(0.6, 30)
    assert low2 < low30 < 0.6 < high30 < high2


def test_mastered_flag_uses_threshold() -> None:
    assert estimate_mastery(0.96, 10).mastered
    assert not estimate_mastery(0.94, 10).mastered
    assert estimate_mastery(0.9, 10, threshold=0.85).mastered


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError):
        mastery_interval(1.5, 3)
    with pytest.raises(ValueError):
        mastery_interval(0.5, -1)
