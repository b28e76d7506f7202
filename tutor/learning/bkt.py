"""Bayesian Knowledge Tracing: the per-knowledge-point mastery update applied on every attempt.

The classic parameters (Corbett & Anderson 1995) are kept per knowledge point, plus ``forget``
(P(known -> unknown) per attempt, 0 in the classic model; pyBKT's ``forgets=True``). An update first
conditions P(known) on the observation (Bayes), then applies the transition, so the value stored
after an attempt is the belief *before the next* attempt.

Numerics: the posterior is computed on the log-odds scale and every belief is kept inside
``[P_KNOWN_EPS, 1 - P_KNOWN_EPS]``. In plain float64 arithmetic ``p + (1 - p) * learn`` reaches exactly
1.0 after about 24 right answers, and from 1.0 no amount of wrong answers can move it (the "known"
branch is all there is). The bound is also a modelling statement: we are never more than 99.99% sure
a learner knows a point, so a run of wrong answers always brings the belief down within a few answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "DEFAULT_BKT_PARAMS",
    "DEFAULT_MASTERY_THRESHOLD",
    "P_KNOWN_EPS",
    "BKTParams",
    "clamp_p_known",
    "is_mastered",
    "mastery_level",
    "p_correct",
    "posterior_p_known",
    "trace",
    "transition",
    "update_p_known",
]

DEFAULT_MASTERY_THRESHOLD = 0.95
"""P(known) at or above which a knowledge point counts as mastered (the usual BKT convention)."""

P_KNOWN_EPS = 1e-4
"""Every stored or computed P(known) stays within ``[P_KNOWN_EPS, 1 - P_KNOWN_EPS]``."""


@dataclass(frozen=True, slots=True)
class BKTParams:
    """BKT parameters of one knowledge point; all probabilities.

    ``prior``: P(known) before any attempt; ``learn``: P(unknown -> known) per attempt;
    ``guess``: P(correct | unknown); ``slip``: P(wrong | known); ``forget``: P(known -> unknown) per
    attempt (0 = classic BKT); ``half_life_days``: how fast shown mastery fades without practice.
    """

    prior: float
    learn: float
    guess: float
    slip: float
    forget: float = 0.0
    half_life_days: float = 30.0
    """Time decay of shown mastery without practice (`tutor.learning.decay`); 0 turns it off."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.half_life_days <= 3650.0:
            raise ValueError(f"half_life_days must be within [0, 3650], got {self.half_life_days!r}")
        for name in ("prior", "learn", "guess", "slip", "forget"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"BKT {name} must be within [0, 1], got {value!r}")
        if self.guess + self.slip >= 1.0:
            # Otherwise a correct answer would be evidence *against* knowing the skill.
            raise ValueError(
                f"BKT guess + slip must be below 1 (got {self.guess} + {self.slip}): "
                "a correct answer must make knowing the skill more likely"
            )


DEFAULT_BKT_PARAMS = BKTParams(prior=0.2, learn=0.15, guess=0.2, slip=0.1)
"""Used for a knowledge point until `tutor fit-mastery` has activated a fitted version."""


def _check_probability(p_known: float) -> None:
    if not 0.0 <= p_known <= 1.0:
        raise ValueError(f"p_known must be within [0, 1], got {p_known!r}")


def clamp_p_known(p_known: float) -> float:
    """``p_known`` moved into ``[P_KNOWN_EPS, 1 - P_KNOWN_EPS]`` (old rows may hold exactly 0 or 1)."""
    return min(max(p_known, P_KNOWN_EPS), 1.0 - P_KNOWN_EPS)


def p_correct(p_known: float, params: BKTParams) -> float:
    """Predicted probability that the next answer on this knowledge point is correct."""
    _check_probability(p_known)
    return p_known * (1.0 - params.slip) + (1.0 - p_known) * params.guess


def _log(x: float) -> float:
    return math.log(max(x, 1e-300))


def posterior_p_known(p_known: float, correct: bool, params: BKTParams) -> float:
    """P(known | observation), before the transition; computed as log-odds so it cannot round to 0 or 1."""
    _check_probability(p_known)
    p = clamp_p_known(p_known)
    if correct:
        ratio = _log(1.0 - params.slip) - _log(params.guess)
    else:
        ratio = _log(params.slip) - _log(1.0 - params.guess)
    log_odds = math.log(p) - math.log1p(-p) + ratio
    if log_odds >= 0:
        post = 1.0 / (1.0 + math.exp(-log_odds))
    else:
        z = math.exp(log_odds)
        post = z / (1.0 + z)
    return clamp_p_known(post)


def transition(p_known: float, params: BKTParams) -> float:
    """P(known) one attempt later, before seeing its answer: learning and forgetting."""
    return clamp_p_known(p_known * (1.0 - params.forget) + (1.0 - p_known) * params.learn)


def update_p_known(p_known: float, correct: bool, params: BKTParams) -> float:
    """P(known) after one attempt: Bayes posterior given the answer, then the transition."""
    return transition(posterior_p_known(p_known, correct, params), params)


def trace(observations: list[bool], params: BKTParams, p_known: float | None = None) -> list[float]:
    """P(known) before each observation and after the last one (``len(observations) + 1`` values)."""
    current = params.prior if p_known is None else p_known
    out = [current]
    for correct in observations:
        current = update_p_known(current, correct, params)
        out.append(current)
    return out


def mastery_level(p_known: float, params: BKTParams | None = None) -> float:
    """P(known) relative to the highest belief the point's forgetting allows.

    With per-attempt forgetting the belief before the next attempt never exceeds about
    ``1 - forget`` (the transition forgets even a certain learner), so a fixed 0.95 threshold on it
    would be out of reach once ``forget`` passes 0.05; the level rescales by that ceiling (it is
    P(known) itself when ``forget`` is 0, the classic model).
    """
    if params is None or params.forget <= 0.0:
        return p_known
    return min(1.0, p_known / (1.0 - params.forget))


def is_mastered(
    p_known: float, threshold: float = DEFAULT_MASTERY_THRESHOLD, params: BKTParams | None = None
) -> bool:
    """Whether a knowledge point counts as mastered at this P(known) (see `mastery_level`)."""
    return mastery_level(p_known, params) >= threshold
