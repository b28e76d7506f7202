"""The hmmlearn BKT fitter recovers parameters it is given data from."""

from __future__ import annotations

import random

import pytest

from tutor.learning.bkt import BKTParams
from tutor.learning.bkt_fit import BKTFitError, fit_bkt


def _simulate(params: BKTParams, n_learners: int, length: int, seed: int) -> list[list[bool]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n_learners):
        known = rng.random() < params.prior
        seq = []
        for _ in range(length):
            seq.append(rng.random() < ((1 - params.slip) if known else params.guess))
            if not known and rng.random() < params.learn:
                known = True
        out.append(seq)
    return out


def test_fit_recovers_known_parameters() -> None:
    truth = BKTParams(prior=0.2, learn=0.15, guess=0.25, slip=0.1)
    fit = fit_bkt(_simulate(truth, 250, 15, seed=11))
    # the prior is the least identified parameter (it trades off against guess on early answers)
    assert fit.params.prior == pytest.approx(truth.prior, abs=0.1)
    assert fit.params.learn == pytest.approx(truth.learn, abs=0.05)
    assert fit.params.guess == pytest.approx(truth.guess, abs=0.05)
    assert fit.params.slip == pytest.approx(truth.slip, abs=0.04)
    assert fit.n_sequences == 250
    assert fit.n_observations == 250 * 15
    assert fit.log_likelihood < 0
    assert -0.7 < fit.log_likelihood_per_observation < 0


def test_too_little_data_is_refused_with_a_reason() -> None:
    with pytest.raises(BKTFitError, match="at least 50"):
        fit_bkt([[True, False, True]])
