"""The EM fitter recovers known parameters (with forgetting and item difficulty), fast, and the review
keeps implausible or worse fits from going live."""

from __future__ import annotations

import random

import pytest

from tutor.learning.bkt import DEFAULT_BKT_PARAMS, BKTParams
from tutor.learning.bkt_em import Sequences, fit_em, fit_half_life, log_likelihood
from tutor.learning.fit_review import implausible, review_fit
from tutor.learning.irt import ItemParams, item_adjusted


def _simulate(
    params: BKTParams, n_learners: int, length: int, seed: int, *, items: bool = False
) -> tuple[list[list[bool]], list[list[ItemParams]]]:
    rng = random.Random(seed)
    out, its = [], []
    for _ in range(n_learners):
        known = rng.random() < params.prior
        seq, it = [], []
        for _ in range(rng.randint(length // 2, length)):  # variable lengths: nothing is padded
            item = ItemParams(difficulty=rng.gauss(0.0, 1.0)) if items else ItemParams()
            shown = item_adjusted(params, item)
            seq.append(rng.random() < ((1 - shown.slip) if known else shown.guess))
            it.append(item)
            known = rng.random() >= params.forget if known else rng.random() < params.learn
        out.append(seq)
        its.append(it)
    return out, its


def test_layout_keeps_every_answer_once() -> None:
    seqs = [[True, False, True], [False], [True, True]]
    data = Sequences.build(seqs)
    assert data.n_observations == 6
    assert data.n_sequences == 3
    assert list(data.offsets) == [0, 3, 5, 6]  # 3 sequences at t=0, 2 at t=1, 1 at t=2
    assert sorted(data.y.tolist()) == sorted(float(x) for s in seqs for x in s)


def test_recovers_plain_bkt() -> None:
    truth = BKTParams(prior=0.2, learn=0.15, guess=0.25, slip=0.1)
    seqs, _ = _simulate(truth, 400, 24, seed=11)
    fit = fit_em(Sequences.build(seqs), forgets=False)
    assert fit.params.forget == 0.0
    assert fit.params.prior == pytest.approx(truth.prior, abs=0.06)
    assert fit.params.learn == pytest.approx(truth.learn, abs=0.04)
    assert fit.params.guess == pytest.approx(truth.guess, abs=0.04)
    assert fit.params.slip == pytest.approx(truth.slip, abs=0.03)
    assert fit.converged


def test_recovers_forgetting_with_item_difficulty() -> None:
    truth = BKTParams(prior=0.3, learn=0.15, guess=0.2, slip=0.1, forget=0.05)
    seqs, items = _simulate(truth, 600, 30, seed=5, items=True)
    data = Sequences.build(seqs, items)
    fit = fit_em(data, forgets=True)
    assert fit.params.forget == pytest.approx(truth.forget, abs=0.02)
    assert fit.params.learn == pytest.approx(truth.learn, abs=0.04)
    assert fit.params.guess == pytest.approx(truth.guess, abs=0.04)
    assert fit.params.slip == pytest.approx(truth.slip, abs=0.03)
    # the model without forgetting explains the same answers worse
    plain = fit_em(data, forgets=False)
    assert fit.log_likelihood > plain.log_likelihood + 50
    assert log_likelihood(data, fit.params) == pytest.approx(fit.log_likelihood)


def test_boundary_fits_are_implausible_and_worse_fits_stay_inactive() -> None:
    boundary = BKTParams(prior=0.2, learn=0.001, guess=0.2, slip=0.499)
    assert {r.split()[0] for r in implausible(boundary)} == {"learn", "slip"}
    assert implausible(DEFAULT_BKT_PARAMS) == []
    worse = review_fit(DEFAULT_BKT_PARAMS, heldout_ll=-0.62, baseline_ll=-0.55, heldout_observations=400)
    assert not worse.activate
    assert "worse" in worse.reasons[0]
    good = review_fit(DEFAULT_BKT_PARAMS, heldout_ll=-0.52, baseline_ll=-0.55, heldout_observations=400)
    assert good.activate and good.reasons == ()


def test_half_life_is_chosen_from_timed_answers() -> None:
    # learners forget with time between sessions a week apart; answers within a session are minutes apart
    truth = BKTParams(prior=0.2, learn=0.2, guess=0.2, slip=0.1)
    rng = random.Random(3)
    seqs, gaps = [], []
    for _ in range(400):
        known = rng.random() < truth.prior
        seq, gap = [], []
        for step in range(30):
            days = 7.0 if step and step % 10 == 0 else (0.0 if step == 0 else 0.001)
            if days >= 1 and known and rng.random() > 0.5 ** (days / 10.0):
                known = False
            seq.append(rng.random() < ((1 - truth.slip) if known else truth.guess))
            gap.append(days)
            known = known or rng.random() < truth.learn
        seqs.append(seq)
        gaps.append(gap)
    data = Sequences.build(seqs, None, gaps)
    fit = fit_em(data, forgets=False)
    timed = fit_half_life(data, fit.params)
    assert 3.0 <= timed.half_life_days <= 30.0
    untimed = fit_half_life(Sequences.build(seqs), fit.params)
    assert untimed.half_life_days == fit.params.half_life_days  # no timestamps: left alone
