"""Learner ability (Elo-style) and evidence passed to prerequisites."""

from __future__ import annotations

import random

import pytest

from tutor.learning.ability import AbilityConfig, for_learner, prerequisite_evidence, update_ability
from tutor.learning.bkt import DEFAULT_BKT_PARAMS
from tutor.learning.irt import ItemParams, predict_correct

PREREQS = {"lin.two_step": ["lin.one_step"], "lin.one_step": ["num.integers"]}


def test_stronger_learner_is_more_likely_to_answer_the_same_item() -> None:
    item = ItemParams(difficulty=0.5)
    weak = predict_correct(0.5, DEFAULT_BKT_PARAMS, for_learner(item, -1.0))
    strong = predict_correct(0.5, DEFAULT_BKT_PARAMS, for_learner(item, 1.0))
    assert strong > predict_correct(0.5, DEFAULT_BKT_PARAMS, item) > weak


def test_ability_tracks_a_learner_who_beats_the_prediction() -> None:
    rng = random.Random(1)
    theta = 0.0
    for n in range(200):  # answers right 85% of the time where 60% was predicted at theta 0
        predicted = min(0.6 + 0.1 * theta, 0.95)
        theta = update_ability(theta, n, predicted, rng.random() < 0.85)
    assert theta > 0.8
    assert update_ability(2.99, 0, 0.1, True) <= AbilityConfig().max_abs


def test_steps_shrink_with_evidence() -> None:
    cfg = AbilityConfig()
    assert cfg.step(0) > cfg.step(100) >= cfg.k_min
    assert update_ability(0.0, 0, 0.5, False) == pytest.approx(-0.15)


def test_prerequisites_move_a_little_in_the_answer_s_direction() -> None:
    p = {"lin.one_step": 0.6, "lin.two_step": 0.4, "num.integers": 0.9}
    up = prerequisite_evidence(p, ["lin.two_step"], True, PREREQS)
    down = prerequisite_evidence(p, ["lin.two_step"], False, PREREQS)
    assert set(up) == {"lin.one_step"}  # direct prerequisites only
    assert 0.6 < up["lin.one_step"] < 0.65
    assert 0.55 < down["lin.one_step"] < 0.6
    assert prerequisite_evidence(p, ["num.integers"], True, PREREQS) == {}
    assert prerequisite_evidence({}, ["lin.two_step"], True, PREREQS) == {}  # no belief yet: nothing
