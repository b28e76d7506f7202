"""One difficulty scale: a target P(correct) for a typical learner <-> a point-relative logit."""

from __future__ import annotations

import pytest

from tutor.learning.bkt import BKTParams
from tutor.learning.difficulty import difficulty_for_target, relative_to_point, typical_p_correct


@pytest.mark.parametrize("target", [0.3, 0.5, 0.7, 0.85])
def test_round_trip(target: float) -> None:
    assert typical_p_correct(difficulty_for_target(target)) == pytest.approx(target, abs=1e-3)


def test_higher_target_means_an_easier_item_and_the_point_s_parameters_count() -> None:
    assert difficulty_for_target(0.85) < difficulty_for_target(0.7) < difficulty_for_target(0.4)
    hard_point = BKTParams(prior=0.2, learn=0.1, guess=0.05, slip=0.3)
    assert difficulty_for_target(0.7, hard_point) < difficulty_for_target(0.7)
    assert difficulty_for_target(0.999) == -6.0  # beyond reach: the easiest representable item


def test_relative_to_point_centres_the_point_s_items() -> None:
    assert relative_to_point([-2.5, -1.5, -2.0]) == pytest.approx([-0.5, 0.5, 0.0])
    assert relative_to_point([]) == []
