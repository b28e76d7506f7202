"""Shown mastery fades with time without practice, towards the prior, with a half-life."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tutor.learning.bkt import DEFAULT_BKT_PARAMS, BKTParams, update_p_known
from tutor.learning.decay import decay_p_known, decay_since, needs_mastery_check

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_half_life_halves_the_excess_over_the_prior() -> None:
    p = decay_p_known(0.9, timedelta(days=30), DEFAULT_BKT_PARAMS)
    assert p == pytest.approx(0.2 + 0.7 / 2)
    assert decay_p_known(0.9, timedelta(days=60), DEFAULT_BKT_PARAMS) == pytest.approx(0.2 + 0.7 / 4)


def test_two_weeks_away_turns_mastered_into_a_mastery_check() -> None:
    shown = decay_since(0.99, T0, T0 + timedelta(days=14), DEFAULT_BKT_PARAMS)
    assert 0.75 < shown < 0.8
    assert needs_mastery_check(0.99, shown, 0.95)
    # one right answer on the check brings it back near mastery; a wrong one sends it to practice
    assert update_p_known(shown, True, DEFAULT_BKT_PARAMS) > 0.94
    assert update_p_known(shown, False, DEFAULT_BKT_PARAMS) < 0.5


def test_no_decay_below_the_prior_without_time_or_when_switched_off() -> None:
    assert decay_p_known(0.1, timedelta(days=300), DEFAULT_BKT_PARAMS) == 0.1
    assert decay_p_known(0.9, timedelta(0), DEFAULT_BKT_PARAMS) == 0.9
    assert decay_p_known(0.9, -timedelta(hours=1), DEFAULT_BKT_PARAMS) == 0.9  # clock skew
    off = BKTParams(prior=0.2, learn=0.15, guess=0.2, slip=0.1, half_life_days=0.0)
    assert decay_p_known(0.9, timedelta(days=300), off) == 0.9
    assert decay_since(0.9, None, T0, DEFAULT_BKT_PARAMS) == 0.9


def test_decay_is_monotone_in_time() -> None:
    values = [decay_p_known(0.99, timedelta(days=d), DEFAULT_BKT_PARAMS) for d in range(0, 200, 10)]
    assert values == sorted(values, reverse=True)
    assert values[-1] > DEFAULT_BKT_PARAMS.prior
