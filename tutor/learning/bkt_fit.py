"""Fit BKT parameters of one knowledge point from learners' answer sequences (Baum-Welch EM).

Why hmmlearn and not pyBKT (the usual BKT library): pyBKT 1.4.3 does not work with this stack. Its
import probes scikit-learn's private metrics and crashes with scikit-learn >= 1.8, and with 1.7.2 its
pure-Python EM (the wheel has no compiled extension) fails under numpy 2 ("setting an array element
with a sequence" in ``EM_fit``); numpy 2 is required by torch and the rest of the stack.

BKT *is* a two-state hidden Markov model, so hmmlearn's ``CategoricalHMM`` (scikit-learn-contrib,
maintained) fits it exactly: start probabilities ``[1 - prior, prior]``, transition matrix
``[[1 - learn, learn], [0, 1]]`` (EM keeps the structural zero, so forgetting stays 0) and emissions
``[[1 - guess, guess], [slip, 1 - slip]]``. ``init_params=""`` makes EM start from our values.

Items differ in difficulty, and the next-exercise selector deliberately serves easier items to
learners it believes do not know a point: plain BKT then reads those easy successes as guessing
(guess estimates of 0.4-0.6 in our simulations). When each answer's item parameters are known, the
hmmlearn optimum is therefore refined by maximising the exact likelihood of our item-aware response
model (`tutor.learning.irt.item_adjusted`) with scipy (L-BFGS-B over the four parameters, forward
algorithm vectorised over learners).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from tutor.learning.bkt import DEFAULT_BKT_PARAMS, P_KNOWN_EPS, BKTParams
from tutor.learning.irt import ItemParams, logit

__all__ = ["BKTFit", "BKTFitError", "fit_bkt"]

_STARTS: tuple[BKTParams, ...] = (
    DEFAULT_BKT_PARAMS,
    BKTParams(prior=0.4, learn=0.05, guess=0.1, slip=0.05),
    BKTParams(prior=0.1, learn=0.3, guess=0.3, slip=0.2),
)
_MAX_GUESS = 0.5  # exclusive bounds: with both below 0.5, guess + slip < 1 holds
_MAX_SLIP = 0.5


class BKTFitError(ValueError):
    """The data cannot give usable parameters (too little of it, or a degenerate optimum)."""


@dataclass(frozen=True, slots=True)
class BKTFit:
    """A fitted parameter set and the evidence behind it (stored as one version per fit)."""

    params: BKTParams
    n_sequences: int
    n_observations: int
    log_likelihood: float
    converged: bool

    @property
    def log_likelihood_per_observation(self) -> float:
        """Comparable across data sets of different sizes (the fit quality shown with mastery)."""
        return self.log_likelihood / self.n_observations


def _model(start: BKTParams, n_iter: int, tol: float, seed: int) -> object:
    from hmmlearn.hmm import CategoricalHMM

    model = CategoricalHMM(
        n_components=2, n_features=2, n_iter=n_iter, tol=tol, params="ste", init_params="", random_state=seed
    )
    model.startprob_ = np.array([1.0 - start.prior, start.prior])
    model.transmat_ = np.array([[1.0 - start.learn, start.learn], [0.0, 1.0]])
    model.emissionprob_ = np.array([[1.0 - start.guess, start.guess], [start.slip, 1.0 - start.slip]])
    return model


def _params_of(model: object) -> BKTParams | None:
    start = np.asarray(model.startprob_)  # type: ignore[attr-defined]
    trans = np.asarray(model.transmat_)  # type: ignore[attr-defined]
    emis = np.asarray(model.emissionprob_)  # type: ignore[attr-defined]
    prior, learn = float(start[1]), float(trans[0, 1])
    guess, slip = float(emis[0, 1]), float(emis[1, 0])
    if guess >= _MAX_GUESS or slip >= _MAX_SLIP:
        # The two states swapped meaning (a "known" state that answers worse): not a BKT solution.
        return None
    return BKTParams(prior=prior, learn=learn, guess=guess, slip=slip)


def fit_bkt(
    sequences: Sequence[Sequence[bool]],
    *,
    items: Sequence[Sequence[ItemParams]] | None = None,
    min_observations: int = 50,
    n_iter: int = 200,
    tol: float = 1e-4,
    seed: int = 0,
) -> BKTFit:
    """Maximum-likelihood BKT parameters for one knowledge point.

    ``sequences`` holds one chronological answer sequence per learner; ``items``, when given, the
    parameters of the item behind each answer (same shape). EM runs from a few starting points and the
    best admissible optimum (guess and slip below 0.5) wins; with ``items`` it is then refined on the
    item-aware likelihood.
    """
    if items is not None:
        if len(items) != len(sequences) or any(
            len(a) != len(b) for a, b in zip(items, sequences, strict=True)
        ):
            raise BKTFitError("items must give one ItemParams per answer, in the same shape as sequences")
        pairs = [(list(s), list(i)) for s, i in zip(sequences, items, strict=True) if len(s) > 0]
        plain = _fit_plain([s for s, _ in pairs], min_observations, n_iter, tol, seed)
        # Selection effects can push plain BKT out of bounds; the item-aware refinement still works.
        return _refine_with_items(plain.params if plain else DEFAULT_BKT_PARAMS, pairs)
    fit = _fit_plain(sequences, min_observations, n_iter, tol, seed)
    if fit is None:
        raise BKTFitError("BKT fit found no admissible optimum (guess and slip must stay below 0.5)")
    return fit


def _fit_plain(
    sequences: Sequence[Sequence[bool]], min_observations: int, n_iter: int, tol: float, seed: int
) -> BKTFit | None:
    seqs = [list(s) for s in sequences if len(s) > 0]
    n_obs = sum(len(s) for s in seqs)
    if n_obs < min_observations:
        raise BKTFitError(f"need at least {min_observations} answers to fit BKT, got {n_obs}")
    x = np.concatenate([np.asarray(s, dtype=np.int64) for s in seqs]).reshape(-1, 1)
    lengths = [len(s) for s in seqs]

    best: BKTFit | None = None
    hmm_logger = logging.getLogger("hmmlearn.base")
    previous_level = hmm_logger.level
    hmm_logger.setLevel(logging.ERROR)  # hmmlearn logs every non-monotone EM step as a warning
    try:
        for start in _STARTS:
            model = _model(start, n_iter, tol, seed)
            model.fit(x, lengths)  # type: ignore[attr-defined]
            params = _params_of(model)
            if params is None:
                continue
            ll = float(model.score(x, lengths))  # type: ignore[attr-defined]
            converged = bool(model.monitor_.converged)  # type: ignore[attr-defined]
            if best is None or ll > best.log_likelihood:
                best = BKTFit(params, len(seqs), n_obs, ll, converged)
    finally:
        hmm_logger.setLevel(previous_level)
    return best


def _refine_with_items(start: BKTParams, pairs: list[tuple[list[bool], list[ItemParams]]]) -> BKTFit:
    n_seq = len(pairs)
    length = max(len(s) for s, _ in pairs)
    y = np.zeros((length, n_seq))
    mask = np.zeros((length, n_seq))
    b = np.zeros((length, n_seq))
    a = np.ones((length, n_seq))
    for j, (seq, its) in enumerate(pairs):
        n = len(seq)
        y[:n, j] = seq
        mask[:n, j] = 1.0
        b[:n, j] = [i.difficulty for i in its]
        a[:n, j] = [i.discrimination for i in its]

    def nll(x: NDArray[np.float64]) -> float:
        prior, learn, guess, slip = (float(v) for v in x)
        u1, u0 = logit(1.0 - slip), logit(guess)
        mid = (u1 + u0) / 2.0
        e1 = 1.0 / (1.0 + np.exp(-(mid + a * (u1 - mid) - b)))
        e0 = 1.0 / (1.0 + np.exp(-(mid + a * (u0 - mid) - b)))
        p = np.full(n_seq, min(max(prior, P_KNOWN_EPS), 1.0 - P_KNOWN_EPS))
        total = 0.0
        for t in range(length):
            like1 = np.where(y[t] > 0.5, e1[t], 1.0 - e1[t])
            like0 = np.where(y[t] > 0.5, e0[t], 1.0 - e0[t])
            marginal = p * like1 + (1.0 - p) * like0
            total += float(np.sum(mask[t] * np.log(np.maximum(marginal, 1e-12))))
            post = p * like1 / np.maximum(marginal, 1e-12)
            post = np.where(mask[t] > 0, post, p)
            # the same bounded belief as the online update (tutor.learning.bkt.P_KNOWN_EPS): in float64
            # an unbounded p reaches exactly 1.0 and later wrong answers then carry no likelihood
            p = np.clip(post + (1.0 - post) * learn, P_KNOWN_EPS, 1.0 - P_KNOWN_EPS)
        return -total

    x0 = np.array([start.prior, start.learn, start.guess, start.slip])
    x0 = np.clip(x0, 0.01, [0.99, 0.99, 0.49, 0.49])
    bounds = [(1e-3, 0.999), (1e-3, 0.999), (1e-3, _MAX_GUESS - 1e-3), (1e-3, _MAX_SLIP - 1e-3)]
    result = minimize(nll, x0, method="L-BFGS-B", bounds=bounds)
    prior, learn, guess, slip = (float(v) for v in result.x)
    return BKTFit(
        BKTParams(prior=prior, learn=learn, guess=guess, slip=slip),
        n_seq,
        int(mask.sum()),
        -float(result.fun),
        bool(result.success),
    )
