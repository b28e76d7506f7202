"""Difficulty-aware response model and the online difficulty update."""

from __future__ import annotations

import random

import pytest

from tutor.learning.bkt import DEFAULT_BKT_PARAMS, p_correct, update_p_known
from tutor.learning.irt import (
    ItemParams,
    OnlineIRTConfig,
    ability,
    item_adjusted,
    logit,
    online_item_update,
    predict_correct,
    sigmoid,
    update_p_known_for_item,
)
from tutor.learning.irt_fit import ItemObservation, recalibrate_items


def test_average_item_is_plain_bkt() -> None:
    assert item_adjusted(DEFAULT_BKT_PARAMS, ItemParams()) == DEFAULT_BKT_PARAMS
    assert predict_correct(0.4, DEFAULT_BKT_PARAMS) == pytest.approx(p_correct(0.4, DEFAULT_BKT_PARAMS))
    assert update_p_known_for_item(0.4, True, DEFAULT_BKT_PARAMS) == update_p_known(
        0.4, True, DEFAULT_BKT_PARAMS
    )


def test_difficulty_shifts_both_curves_on_the_logit_scale() -> None:
    hard = item_adjusted(DEFAULT_BKT_PARAMS, ItemParams(difficulty=1.0))
    # guess 0.2 -> sigmoid(logit(0.2) - 1); 1 - slip 0.9 -> sigmoid(logit(0.9) - 1)
    assert hard.guess == pytest.approx(sigmoid(logit(0.2) - 1.0))
    assert 1 - hard.slip == pytest.approx(sigmoid(logit(0.9) - 1.0))
    assert predict_correct(0.5, DEFAULT_BKT_PARAMS, ItemParams(difficulty=1.0)) < predict_correct(
        0.5, DEFAULT_BKT_PARAMS
    )


def test_discrimination_widens_the_gap_between_knowing_and_not() -> None:
    sharp = item_adjusted(DEFAULT_BKT_PARAMS, ItemParams(discrimination=2.0))
    assert sharp.guess < DEFAULT_BKT_PARAMS.guess
    assert sharp.slip < DEFAULT_BKT_PARAMS.slip


def test_correct_answer_on_hard_item_is_stronger_evidence() -> None:
    easy = update_p_known_for_item(0.3, True, DEFAULT_BKT_PARAMS, ItemParams(difficulty=-1.5))
    hard = update_p_known_for_item(0.3, True, DEFAULT_BKT_PARAMS, ItemParams(difficulty=1.5))
    assert hard > easy


def test_ability_shares_the_difficulty_scale() -> None:
    # where ability equals difficulty, a learner has about even odds on that item
    p = 0.5
    theta = ability(p, DEFAULT_BKT_PARAMS)
    item = ItemParams(difficulty=theta)
    assert predict_correct(p, DEFAULT_BKT_PARAMS, item) == pytest.approx(0.5, abs=0.06)


def test_online_update_moves_difficulty_by_the_decaying_step() -> None:
    cfg = OnlineIRTConfig(k0=0.4, decay=0.05)
    item = ItemParams(difficulty=0.0, n_attempts=0)
    after_wrong = online_item_update(item, predicted=0.7, correct=False, config=cfg)
    assert after_wrong.difficulty == pytest.approx(0.4 * 0.7)
    assert after_wrong.n_attempts == 1
    seasoned = ItemParams(difficulty=0.0, n_attempts=100)
    after_right = online_item_update(seasoned, predicted=0.7, correct=True, config=cfg)
    assert after_right.difficulty == pytest.approx(-(0.4 / 6.0) * 0.3)


def test_online_updates_converge_towards_true_difficulty() -> None:
    rng = random.Random(3)
    true_b = 1.2
    item = ItemParams()
    for _ in range(600):
        p_known = rng.random()
        truth = predict_correct(p_known, DEFAULT_BKT_PARAMS, ItemParams(difficulty=true_b))
        predicted = predict_correct(p_known, DEFAULT_BKT_PARAMS, item)
        item = online_item_update(item, predicted, rng.random() < truth)
    assert item.difficulty == pytest.approx(true_b, abs=0.35)


def test_batch_recalibration_recovers_difficulties() -> None:
    rng = random.Random(5)
    truth = {"easy": -1.0, "mid": 0.0, "hard": 1.5}
    observations = []
    for _ in range(900):
        key = rng.choice(list(truth))
        p_known = rng.random()
        p = predict_correct(p_known, DEFAULT_BKT_PARAMS, ItemParams(difficulty=truth[key]))
        observations.append(ItemObservation(key, p_known, DEFAULT_BKT_PARAMS, rng.random() < p))
    fitted = recalibrate_items(observations, min_attempts_for_discrimination=10_000)
    for key, b in truth.items():
        assert fitted[key].difficulty == pytest.approx(b, abs=0.35)
        assert fitted[key].discrimination == 1.0
    assert sum(f.n_attempts for f in fitted.values()) == 900
    assert fitted["easy"].difficulty < fitted["mid"].difficulty < fitted["hard"].difficulty


def test_invalid_item_params_are_rejected() -> None:
    with pytest.raises(ValueError):
        ItemParams(difficulty=float("nan"))
    with pytest.raises(ValueError):
        ItemParams(discrimination=0.0)
