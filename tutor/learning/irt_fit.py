"""Batch recalibration of item difficulty (and discrimination where data allows) from history.

The online Elo-style step is cheap but noisy and order-dependent; this refits every item jointly by
maximum a posteriori on all recorded attempts (scipy L-BFGS-B), holding the learners' P(known) at each
attempt fixed. Priors keep items with few attempts near their stated difficulty: ``b ~ N(prior, 1)``
and ``log a ~ N(0, 0.5^2)``; discrimination is only fitted for items with enough attempts.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from tutor.learning.bkt import BKTParams
from tutor.learning.irt import DEFAULT_ITEM, ItemParams, logit

__all__ = ["ItemObservation", "recalibrate_items"]

_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class ItemObservation:
    """One answer to ``item`` by a learner whose P(known) of the item's knowledge point was ``p_known``."""

    item: Hashable
    p_known: float
    params: BKTParams
    correct: bool


def _sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)), dtype=np.float64)


def recalibrate_items(
    observations: Sequence[ItemObservation],
    priors: Mapping[Hashable, ItemParams] | None = None,
    *,
    prior_sd: float = 1.0,
    log_a_sd: float = 0.5,
    min_attempts_for_discrimination: int = 200,
    max_abs_difficulty: float = 6.0,
) -> dict[Hashable, ItemParams]:
    """New `ItemParams` for every item seen in ``observations`` (``n_attempts`` = attempts used)."""
    if not observations:
        return {}
    priors = priors or {}
    keys = list(dict.fromkeys(o.item for o in observations))
    index = {k: i for i, k in enumerate(keys)}
    n_items = len(keys)
    n = len(observations)
    idx = np.fromiter((index[o.item] for o in observations), dtype=np.int64, count=n)
    pi = np.fromiter((o.p_known for o in observations), dtype=np.float64, count=n)
    y = np.fromiter((1.0 if o.correct else 0.0 for o in observations), dtype=np.float64, count=n)
    u1 = np.fromiter((logit(1.0 - o.params.slip) for o in observations), dtype=np.float64)
    u0 = np.fromiter((logit(o.params.guess) for o in observations), dtype=np.float64)
    mid = (u1 + u0) / 2.0
    counts = np.bincount(idx, minlength=n_items)
    b_prior = np.array([priors.get(k, DEFAULT_ITEM).difficulty for k in keys])
    fit_a = counts >= min_attempts_for_discrimination
    n_a = int(fit_a.sum())

    def unpack(theta: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        b = theta[:n_items]
        log_a = np.zeros(n_items)
        log_a[fit_a] = theta[n_items:]
        return b, log_a

    def objective(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        b, log_a = unpack(theta)
        a = np.exp(log_a)[idx]
        s1 = _sigmoid(mid + a * (u1 - mid) - b[idx])
        s0 = _sigmoid(mid + a * (u0 - mid) - b[idx])
        p = np.clip(pi * s1 + (1.0 - pi) * s0, _EPS, 1.0 - _EPS)
        nll = -float(np.sum(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))
        dnll_dp = -(y / p - (1.0 - y) / (1.0 - p))
        d1, d0 = pi * s1 * (1.0 - s1), (1.0 - pi) * s0 * (1.0 - s0)
        grad_b = np.bincount(idx, weights=dnll_dp * -(d1 + d0), minlength=n_items)
        grad_b += (b - b_prior) / prior_sd**2
        nll += float(np.sum((b - b_prior) ** 2)) / (2 * prior_sd**2)
        grad: list[NDArray[np.float64]] = [np.asarray(grad_b, dtype=np.float64)]
        if n_a:
            da = dnll_dp * (d1 * (u1 - mid) + d0 * (u0 - mid)) * a  # chain rule through a = exp(log a)
            grad_log_a = np.bincount(idx, weights=da, minlength=n_items)[fit_a]
            la = log_a[fit_a]
            grad.append(grad_log_a + la / log_a_sd**2)
            nll += float(np.sum(la**2)) / (2 * log_a_sd**2)
        return nll, np.concatenate(grad)

    start = np.concatenate([b_prior, np.zeros(n_a)])
    bounds = [(-max_abs_difficulty, max_abs_difficulty)] * n_items + [(np.log(0.2), np.log(4.0))] * n_a
    result = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds)
    b, log_a = unpack(np.asarray(result.x, dtype=np.float64))
    return {k: ItemParams(float(b[i]), float(np.exp(log_a[i])), int(counts[i])) for k, i in index.items()}
