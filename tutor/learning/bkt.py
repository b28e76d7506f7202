"""Bayesian Knowledge Tracing: the per-knowledge-point mastery update applied on every attempt.

The four classic parameters (Corbett & Anderson 1995) are kept per knowledge point; forgetting is 0.
An update first conditions P(known) on the observation (Bayes), then applies the learning transition,
so the value stored after an attempt is the belief *before the next* attempt.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_BKT_PARAMS",
    "DEFAULT_MASTERY_THRESHOLD",
    "BKTParams",
    "is_mastered",
    "p_correct",
    "posterior_p_known",
    "trace",
    "update_p_known",
]

DEFAULT_MASTERY_THRESHOLD = 0.95
"""P(known) at or above which a knowledge point counts as mastered (the usual BKT convention)."""

_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class BKTParams:
    """BKT parameters of one knowledge point; all probabilities.

    ``prior``: P(known) before any attempt; ``learn``: P(unknown -> known) per attempt;
    ``guess``: P(correct | unknown); ``slip``: P(wrong | known).
    """

    prior: float
    learn: float
    guess: float
    slip: float

    def __post_init__(self) -> None:
        for name in ("prior", "learn", "guess", "slip"):
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
"""Used for a knowledge point until `tutor fit-mastery` has stored a fitted version."""


def _check_probability(p_known: float) -> None:
    if not 0.0 <= p_known <= 1.0:
        raise ValueError(f"p_known must be within [0, 1], got {p_known!r}")


def p_correct(p_known: float, params: BKTParams) -> float:
    """Predicted probability that the next answer on this knowledge point is correct."""
    _check_probability(p_known)
    return p_known * (1.0 - params.slip) + (1.0 - p_known) * params.guess


def posterior_p_known(p_known: float, correct: bool, params: BKTParams) -> float:
    """P(known | observation), before the learning transition."""
    _check_probability(p_known)
    if correct:
        known = p_known * (1.0 - params.slip)
        unknown = (1.0 - p_known) * params.guess
    else:
        known = p_known * params.slip
        unknown = (1.0 - p_known) * (1.0 - params.guess)
    total = known + unknown
    if total <= _EPS:
        # Degenerate parameters (e.g. slip 0 and a certain learner answering wrong): keep the belief.
        return p_known
    return known / total


def update_p_known(p_known: float, correct: bool, params: BKTParams) -> float:
    """P(known) after one attempt: Bayes posterior given the answer, then the learning transition."""
    posterior = posterior_p_known(p_known, correct, params)
    return posterior + (1.0 - posterior) * params.learn


def trace(observations: list[bool], params: BKTParams, p_known: float | None = None) -> list[float]:
    """P(known) before each observation and after the last one (``len(observations) + 1`` values)."""
    current = params.prior if p_known is None else p_known
    out = [current]
    for correct in observations:
        current = update_p_known(current, correct, params)
        out.append(current)
    return out


def is_mastered(p_known: float, threshold: float = DEFAULT_MASTERY_THRESHOLD) -> bool:
    """Whether a knowledge point counts as mastered at this P(known)."""
    return p_known >= threshold
