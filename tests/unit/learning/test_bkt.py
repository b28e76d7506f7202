"""BKT update rules checked against steps computed by hand."""

from __future__ import annotations

import itertools

import pytest

from tutor.learning.bkt import (
    DEFAULT_BKT_PARAMS,
    P_KNOWN_EPS,
    BKTParams,
    is_mastered,
    mastery_level,
    p_correct,
    posterior_p_known,
    trace,
    update_p_known,
)


def test_default_params_are_the_documented_ones() -> None:
    assert BKTParams(prior=0.2, learn=0.15, guess=0.2, slip=0.1) == DEFAULT_BKT_PARAMS


def test_correct_answer_from_prior() -> None:
    # posterior = 0.2*0.9 / (0.2*0.9 + 0.8*0.2) = 0.18/0.34; then + (1 - post) * 0.15 = 0.6 exactly
    assert posterior_p_known(0.2, True, DEFAULT_BKT_PARAMS) == pytest.approx(0.18 / 0.34)
    assert update_p_known(0.2, True, DEFAULT_BKT_PARAMS) == pytest.approx(0.6)


def test_wrong_answer_from_prior() -> None:
    # posterior = 0.2*0.1 / (0.2*0.1 + 0.8*0.8) = 1/33; then 1/33 + 32/33*0.15 = 5.8/33
    assert posterior_p_known(0.2, False, DEFAULT_BKT_PARAMS) == pytest.approx(1 / 33)
    assert update_p_known(0.2, False, DEFAULT_BKT_PARAMS) == pytest.approx(5.8 / 33)


def test_two_correct_in_a_row() -> None:
    # from 0.6: posterior = 0.54 / (0.54 + 0.08) = 27/31; then 27/31 + 4/31*0.15 = 27.6/31
    assert trace([True, True], DEFAULT_BKT_PARAMS) == pytest.approx([0.2, 0.6, 27.6 / 31])


def test_p_correct() -> None:
    assert p_correct(0.2, DEFAULT_BKT_PARAMS) == pytest.approx(0.2 * 0.9 + 0.8 * 0.2)
    assert p_correct(1.0, DEFAULT_BKT_PARAMS) == pytest.approx(0.9)
    assert p_correct(0.0, DEFAULT_BKT_PARAMS) == pytest.approx(0.2)


def test_correct_raises_and_wrong_lowers_belief_before_learning() -> None:
    for p in (0.05, 0.3, 0.5, 0.9):
        assert posterior_p_known(p, True, DEFAULT_BKT_PARAMS) > p
        assert posterior_p_known(p, False, DEFAULT_BKT_PARAMS) < p


def test_many_correct_answers_reach_mastery() -> None:
    values = trace([True] * 6, DEFAULT_BKT_PARAMS)
    assert not is_mastered(values[0])
    assert is_mastered(values[-1])
    assert all(b > a for a, b in itertools.pairwise(values))


@pytest.mark.parametrize(
    ("prior", "learn", "guess", "slip"),
    [(-0.1, 0.1, 0.2, 0.1), (0.2, 1.5, 0.2, 0.1), (0.2, 0.1, 0.6, 0.5)],
)
def test_invalid_params_are_rejected(prior: float, learn: float, guess: float, slip: float) -> None:
    with pytest.raises(ValueError):
        BKTParams(prior=prior, learn=learn, guess=guess, slip=slip)


def test_invalid_probability_is_rejected() -> None:
    with pytest.raises(ValueError):
        update_p_known(1.2, True, DEFAULT_BKT_PARAMS)


@pytest.mark.parametrize("rights", [24, 40, 200])
def test_long_right_streak_never_reaches_certainty_and_wrong_answers_still_count(rights: int) -> None:
    # float64 used to round P(known) to exactly 1.0 after ~24 right answers; from there 30 wrong
    # answers left it at 1.0 and "mastered"
    values = trace([True] * rights + [False] * 30, DEFAULT_BKT_PARAMS)
    assert max(values) < 1.0
    assert values[rights] == pytest.approx(1.0 - P_KNOWN_EPS)
    assert values[-1] < 0.5
    assert not is_mastered(values[rights + 6])


def test_hard_item_parameters_do_not_stick_either() -> None:
    # a hard item: tiny guess, so each right answer is very strong evidence
    hard = BKTParams(prior=0.2, learn=0.15, guess=0.01, slip=0.3)
    values = trace([True] * 15 + [False] * 10, hard)
    assert values[15] < 1.0
    assert values[-1] < 0.5


def test_certain_input_is_accepted_and_moves() -> None:
    # rows written before the bound existed may hold exactly 1.0 or 0.0
    assert update_p_known(1.0, False, DEFAULT_BKT_PARAMS) < 1.0 - P_KNOWN_EPS
    assert update_p_known(0.0, True, DEFAULT_BKT_PARAMS) > P_KNOWN_EPS


def test_forgetting_lowers_the_belief_between_attempts() -> None:
    forgetful = BKTParams(prior=0.2, learn=0.15, guess=0.2, slip=0.1, forget=0.1)
    assert update_p_known(0.9, True, forgetful) < update_p_known(0.9, True, DEFAULT_BKT_PARAMS)
    # with forgetting the belief is bounded by 1 - forget (plus the learning of the unknown part)
    values = trace([True] * 100, forgetful)
    assert max(values) < 0.92


def test_forgetting_does_not_put_mastery_out_of_reach() -> None:
    # with forget 0.1 the belief before the next attempt never passes ~0.9: a plain 0.95 rule
    # would never call anyone mastered
    forgetful = BKTParams(prior=0.2, learn=0.15, guess=0.2, slip=0.1, forget=0.1)
    values = trace([True] * 12, forgetful)
    assert max(values) < 0.95
    assert is_mastered(values[-1], 0.95, forgetful)
    assert not is_mastered(values[1], 0.95, forgetful)
    assert mastery_level(0.5, DEFAULT_BKT_PARAMS) == 0.5  # the classic model is unchanged
