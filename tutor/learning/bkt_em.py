"""Fast BKT fitting: EM (forward-backward, analytic M-step) over variable-length sequences, with forgetting.

Why not the previous fitter (hmmlearn Baum-Welch, then an L-BFGS refinement of the item-aware
likelihood): it padded every sequence to the longest one and differentiated numerically, 77-167x
slower than pyBKT's C++ build on the same data, and it had no forgetting. pyBKT itself needs a
source build with its C++ extension on this stack (see `tutor.learning.bkt_fit`), so this module is a
small numpy EM instead:

* Sequences are sorted by length and laid out *time-major*: at step ``t`` only the ``n_t`` sequences
  still running are touched (a prefix of the sorted order), so there is no padding and every step is
  one vectorised numpy operation over the learners.
* E-step: the scaled forward-backward recursions of the two-state HMM (unknown, known) with
  transitions ``[[1 - learn, learn], [forget, 1 - forget]]``.
* M-step: prior, learn and forget in closed form from the expected transitions. Emissions: plain
  guess/slip in closed form; with item parameters (difficulty ``b`` and discrimination ``a`` of the
  item behind each answer, `tutor.learning.irt.item_adjusted`) the emission model is a logistic
  regression in (logit(1 - slip), logit(guess)) with offset ``-b``, solved by a few Newton steps with
  the exact gradient and Hessian (it is the closed form when every ``b = 0, a = 1``).

`log_likelihood` scores any parameter set on any data with the same forward pass; `tutor fit-mastery`
uses it for the held-out comparison that decides whether a fit is activated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from tutor.learning.bkt import DEFAULT_BKT_PARAMS, P_KNOWN_EPS, BKTParams
from tutor.learning.irt import ItemParams

__all__ = ["HALF_LIVES_DAYS", "EMFit", "Sequences", "fit_em", "fit_half_life", "log_likelihood"]

_F = NDArray[np.float64]
_PROBE_ITERATIONS = 12
_U_MAX = 7.0  # emission logits kept within +-7 (probabilities 0.0009 .. 0.9991)
_STARTS: tuple[BKTParams, ...] = (
    DEFAULT_BKT_PARAMS,
    BKTParams(prior=0.4, learn=0.05, guess=0.1, slip=0.05, forget=0.02),
    BKTParams(prior=0.1, learn=0.3, guess=0.3, slip=0.2, forget=0.05),
)


@dataclass(frozen=True, slots=True)
class Sequences:
    """Answer sequences in time-major layout (built once, reused by every EM iteration and score)."""

    y: _F  # answers, 1.0 = correct, time-major
    b: _F  # item difficulty per answer
    a: _F  # item discrimination per answer
    offsets: NDArray[np.int64]  # start of step t in the flat arrays; n_t = offsets[t+1] - offsets[t]
    n_sequences: int
    gaps: _F | None = None  # days since the same sequence's previous answer (0 for the first)

    @property
    def n_observations(self) -> int:
        return int(self.y.size)

    @property
    def has_items(self) -> bool:
        return bool(np.any(self.b != 0.0) or np.any(self.a != 1.0))

    def step(self, t: int) -> slice:
        return slice(int(self.offsets[t]), int(self.offsets[t + 1]))

    @property
    def n_steps(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def build(
        cls,
        sequences: Sequence[Sequence[bool]],
        items: Sequence[Sequence[ItemParams]] | None = None,
        gaps_days: Sequence[Sequence[float]] | None = None,
    ) -> Sequences:
        keep = [j for j, s in enumerate(sequences) if len(s) > 0]
        lengths = np.array([len(sequences[j]) for j in keep], dtype=np.int64)
        order = np.argsort(-lengths, kind="stable")
        keep = [keep[j] for j in order]
        lengths = lengths[order]
        n = len(keep)
        total = int(lengths.sum())
        if n == 0:
            empty = np.zeros(0)
            return cls(empty, empty, empty, np.zeros(1, dtype=np.int64), 0)
        y = np.concatenate([np.asarray(sequences[j], dtype=np.float64) for j in keep])
        if items is not None:
            b = np.concatenate([np.array([i.difficulty for i in items[j]], dtype=np.float64) for j in keep])
            a = np.concatenate(
                [np.array([i.discrimination for i in items[j]], dtype=np.float64) for j in keep]
            )
        else:
            b, a = np.zeros(total), np.ones(total)
        # time-major position of answer t of (sorted) sequence j: offsets[t] + j
        counts = np.bincount(np.concatenate([np.arange(m) for m in lengths]), minlength=int(lengths[0]))
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        seq_idx = np.repeat(np.arange(n), lengths)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        t_idx = np.arange(total) - np.repeat(starts, lengths)
        pos = offsets[t_idx] + seq_idx
        out_y, out_b, out_a = np.empty(total), np.empty(total), np.empty(total)
        out_y[pos], out_b[pos], out_a[pos] = y, b, a
        out_g = None
        if gaps_days is not None:
            out_g = np.empty(total)
            out_g[pos] = np.concatenate([np.asarray(gaps_days[j], dtype=np.float64) for j in keep])
        return cls(out_y, out_b, out_a, offsets, n, out_g)


def _sigmoid(x: _F) -> _F:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)), dtype=np.float64)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1.0 - 1e-6)
    return math.log(p / (1.0 - p))


def _emissions(data: Sequences, u1: float, u0: float) -> tuple[_F, _F]:
    """P(correct | known), P(correct | unknown) per answer (item-adjusted)."""
    a = data.a
    e1 = _sigmoid(u1 * (1.0 + a) / 2.0 + u0 * (1.0 - a) / 2.0 - data.b)
    e0 = _sigmoid(u0 * (1.0 + a) / 2.0 + u1 * (1.0 - a) / 2.0 - data.b)
    return e1, e0


def _forward(
    data: Sequences, p: BKTParams, u1: float, u0: float, *, decay: bool = False
) -> tuple[_F, _F, _F, _F, _F]:
    """Filtered P(known) after each answer, the likelihoods of each answer per state and its marginal.

    With ``decay`` (and gaps in the data) the belief fades between answers as `tutor.learning.decay`
    does online; EM's E-step runs without it (its backward pass has no time term)."""
    e1, e0 = _emissions(data, u1, u0)
    like1 = np.where(data.y > 0.5, e1, 1.0 - e1)
    like0 = np.where(data.y > 0.5, e0, 1.0 - e0)
    pred = np.empty_like(data.y)
    filt = np.empty_like(data.y)
    current = np.full(data.n_sequences, min(max(p.prior, P_KNOWN_EPS), 1.0 - P_KNOWN_EPS))
    for t in range(data.n_steps):
        s = data.step(t)
        cur = current[: s.stop - s.start]
        if decay and t > 0 and data.gaps is not None and p.half_life_days > 0:
            faded = p.prior + (cur - p.prior) * 0.5 ** (data.gaps[s] / p.half_life_days)
            cur = np.where(cur > p.prior, faded, cur)
        pred[s] = cur
        num = cur * like1[s]
        f = num / (num + (1.0 - cur) * like0[s])
        filt[s] = f
        current = np.clip(f * (1.0 - p.forget) + (1.0 - f) * p.learn, P_KNOWN_EPS, 1.0 - P_KNOWN_EPS)
    marginal = pred * like1 + (1.0 - pred) * like0
    return filt, like1, like0, marginal, pred


def log_likelihood(data: Sequences, params: BKTParams) -> float:
    """Total log-likelihood of the answers under ``params`` (item-adjusted when items were given)."""
    if data.n_observations == 0:
        return 0.0
    u1, u0 = _logit(1.0 - params.slip), _logit(params.guess)
    marginal = _forward(data, params, u1, u0, decay=True)[3]
    return float(np.sum(np.log(np.maximum(marginal, 1e-300))))


HALF_LIVES_DAYS: tuple[float, ...] = (
    0.0,
    2.0,
    3.0,
    5.0,
    7.0,
    10.0,
    14.0,
    20.0,
    30.0,
    45.0,
    60.0,
    90.0,
    120.0,
)
"""Candidate half-lives of the time decay (0 = none), chosen by likelihood on the timed answers."""


def fit_half_life(data: Sequences, params: BKTParams, grid: Sequence[float] = HALF_LIVES_DAYS) -> BKTParams:
    """``params`` with the half-life that explains the timed answers best (unchanged without gaps)."""
    if data.gaps is None or not np.any(data.gaps > 0):
        return params
    return max((replace(params, half_life_days=h) for h in grid), key=lambda p: log_likelihood(data, p))


@dataclass(frozen=True, slots=True)
class EMFit:
    params: BKTParams
    n_sequences: int
    n_observations: int
    log_likelihood: float
    iterations: int
    converged: bool

    @property
    def log_likelihood_per_observation(self) -> float:
        return self.log_likelihood / max(self.n_observations, 1)


def _e_step(
    data: Sequences, p: BKTParams, u1: float, u0: float
) -> tuple[_F, float, float, float, float, float]:
    """Posterior P(known) per answer (gamma) and the expected transition counts."""
    filt, like1, like0, marginal, _ = _forward(data, p, u1, u0)
    ll = float(np.sum(np.log(np.maximum(marginal, 1e-300))))
    gamma = np.empty_like(filt)
    l_, f_ = p.learn, p.forget
    last = data.n_steps - 1
    s = data.step(last)
    gamma[s] = filt[s]
    beta1 = np.ones(s.stop - s.start)  # scaled backward messages of the sequences still running at t+1
    beta0 = np.ones(s.stop - s.start)
    n01 = n10 = 0.0
    from0 = from1 = 0.0  # expected time in each state before a transition
    for t in range(last - 1, -1, -1):
        s, s1 = data.step(t), data.step(t + 1)
        m = s1.stop - s1.start  # sequences that continue after t (a prefix of those at t)
        f = filt[s]
        fc = f[:m]
        # next-step emission times backward, for both next states
        w1 = like1[s1] * beta1
        w0 = like0[s1] * beta0
        norm = fc * ((1 - f_) * w1 + f_ * w0) + (1 - fc) * (l_ * w1 + (1 - l_) * w0)
        x11 = fc * (1 - f_) * w1 / norm
        x10 = fc * f_ * w0 / norm
        x01 = (1 - fc) * l_ * w1 / norm
        x00 = (1 - fc) * (1 - l_) * w0 / norm
        n01 += float(x01.sum())
        n10 += float(x10.sum())
        from0 += float((x00 + x01).sum())
        from1 += float((x10 + x11).sum())
        g = f.copy()  # a sequence ending at t: its posterior is the filtered belief
        g[:m] = x11 + x10  # P(known at t) = sum over the next state of xi(known, .)
        gamma[s] = g
        b1 = np.ones(s.stop - s.start)
        b0 = np.ones(s.stop - s.start)
        b1[:m] = ((1 - f_) * w1 + f_ * w0) / norm
        b0[:m] = (l_ * w1 + (1 - l_) * w0) / norm
        beta1, beta0 = b1, b0
    return gamma, ll, n01, n10, from0, from1


def _m_emissions(
    data: Sequences, gamma: _F, u1: float, u0: float, newton_steps: int = 4
) -> tuple[float, float]:
    y = data.y
    if not data.has_items:
        g1, g0 = gamma, 1.0 - gamma
        p1 = float(np.sum(g1 * y) / max(np.sum(g1), 1e-12))
        p0 = float(np.sum(g0 * y) / max(np.sum(g0), 1e-12))
        return (
            float(np.clip(_logit(p1), -_U_MAX, _U_MAX)),
            float(np.clip(_logit(p0), -_U_MAX, _U_MAX)),
        )
    a = data.a
    hi, lo = (1.0 + a) / 2.0, (1.0 - a) / 2.0
    theta = np.array([u1, u0])
    for _ in range(newton_steps):
        e1, e0 = _emissions(data, float(theta[0]), float(theta[1]))
        r1, r0 = gamma * (y - e1), (1.0 - gamma) * (y - e0)
        v1, v0 = gamma * e1 * (1.0 - e1), (1.0 - gamma) * e0 * (1.0 - e0)
        grad = np.array([np.sum(r1 * hi + r0 * lo), np.sum(r1 * lo + r0 * hi)])
        h11 = np.sum(v1 * hi * hi + v0 * lo * lo)
        h00 = np.sum(v1 * lo * lo + v0 * hi * hi)
        h10 = np.sum((v1 + v0) * hi * lo)
        hess = np.array([[h11, h10], [h10, h00]]) + 1e-9 * np.eye(2)
        theta = np.clip(theta + np.linalg.solve(hess, grad), -_U_MAX, _U_MAX)
    return float(theta[0]), float(theta[1])


def _params(prior: float, learn: float, forget: float, u1: float, u0: float, like: BKTParams) -> BKTParams:
    guess = 1.0 / (1.0 + math.exp(-u0))
    slip = 1.0 - 1.0 / (1.0 + math.exp(-u1))
    if guess + slip >= 1.0:  # the states swapped meaning; keep it representable, the caller rejects it
        guess, slip = min(guess, 0.999 - slip), slip
    return BKTParams(
        prior=float(np.clip(prior, 1e-6, 1 - 1e-6)),
        learn=float(np.clip(learn, 0.0, 1.0)),
        guess=float(np.clip(guess, 0.0, 1.0)),
        slip=float(np.clip(slip, 0.0, 1.0)),
        forget=float(np.clip(forget, 0.0, 1.0)),
        half_life_days=like.half_life_days,
    )


def _fit_from(data: Sequences, start: BKTParams, forgets: bool, max_iter: int, tol: float) -> EMFit:
    p = start if forgets else BKTParams(start.prior, start.learn, start.guess, start.slip, 0.0)
    u1, u0 = _logit(1.0 - p.slip), _logit(p.guess)
    previous = -math.inf
    converged = False
    iterations = 0
    ll = -math.inf
    first = data.step(0)
    for iterations in range(1, max_iter + 1):  # noqa: B007 (the count is reported)
        gamma, ll, n01, n10, from0, from1 = _e_step(data, p, u1, u0)
        prior = float(np.mean(gamma[first]))
        learn = n01 / max(from0, 1e-12)
        forget = n10 / max(from1, 1e-12) if forgets else 0.0
        u1, u0 = _m_emissions(data, gamma, u1, u0)
        p = _params(prior, learn, forget, u1, u0, start)
        if ll - previous < tol * data.n_observations:
            converged = True
            break
        previous = ll
    ll = log_likelihood(data, p)
    return EMFit(p, data.n_sequences, data.n_observations, ll, iterations, converged)


def fit_em(
    data: Sequences,
    *,
    forgets: bool = True,
    starts: Sequence[BKTParams] = _STARTS,
    max_iter: int = 200,
    tol: float = 1e-6,
) -> EMFit:
    """Maximum-likelihood BKT (+forgetting) parameters; the best of a few starting points.

    Starts whose optimum has the states swapped (guess or slip at 0.5 or above) lose to any other; the
    caller still checks plausibility (`tutor.practice.fitting`).
    """
    if data.n_observations == 0:
        raise ValueError("no answers to fit")
    # every start runs a few iterations; only the most promising one runs to convergence
    probes = [_fit_from(data, s, forgets, _PROBE_ITERATIONS, tol) for s in starts]
    admissible = [f for f in probes if f.params.guess < 0.5 and f.params.slip < 0.5]
    best = max(admissible or probes, key=lambda f: f.log_likelihood)
    if best.converged:
        return best
    final = _fit_from(data, best.params, forgets, max_iter, tol)
    return EMFit(
        final.params,
        final.n_sequences,
        final.n_observations,
        final.log_likelihood,
        final.iterations + best.iterations,
        final.converged,
    )
