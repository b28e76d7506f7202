"""Review of a fitted BKT parameter set before it goes live: plausible, and better on held-out data.

A fit that puts slip at 0.001 or 0.499, or learn at 0.001, is an optimiser artefact (selection effects,
too little data, forgetting the model does not have), and once live it does damage: with slip 0.001
one wrong answer moved a learner from 0.977 to 0.073. So a new version is activated only when every
parameter lies in a plausible range *and* it predicts held-out learners at least as well as the
parameters in force; otherwise it is stored inactive with the reasons, for a person to look at.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutor.learning.bkt import BKTParams

__all__ = ["PLAUSIBLE", "FitReview", "implausible", "review_fit"]

PLAUSIBLE: dict[str, tuple[float, float]] = {
    "prior": (0.01, 0.95),
    "learn": (0.005, 0.6),
    "guess": (0.0, 0.45),
    "slip": (0.01, 0.4),
    "forget": (0.0, 0.3),
}
"""Closed ranges per parameter; guess and slip stay well below 0.5 (above it the states swap meaning)."""


def implausible(params: BKTParams) -> list[str]:
    """One sentence per parameter outside its plausible range (empty: all plausible)."""
    out = []
    for name, (low, high) in PLAUSIBLE.items():
        value = float(getattr(params, name))
        if not low <= value <= high:
            out.append(f"{name} {value:.3f} is outside the plausible range [{low:g}, {high:g}]")
    return out


@dataclass(frozen=True, slots=True)
class FitReview:
    activate: bool
    reasons: tuple[str, ...]
    heldout_ll: float
    """Mean log-likelihood per held-out answer under the new parameters."""
    baseline_ll: float
    """The same under the parameters in force."""
    heldout_observations: int
    in_sample: bool
    """True when there were too few learners to hold some out (the comparison is then on the fit data)."""


def review_fit(
    new: BKTParams,
    heldout_ll: float,
    baseline_ll: float,
    heldout_observations: int,
    *,
    in_sample: bool = False,
    tolerance: float = 1e-6,
) -> FitReview:
    """Activate ``new`` only if plausible and not worse than the baseline on the held-out answers."""
    reasons = implausible(new)
    if heldout_ll < baseline_ll - tolerance:
        reasons.append(
            f"held-out log-likelihood per answer {heldout_ll:.4f} is worse than the parameters in force "
            f"({baseline_ll:.4f})"
        )
    return FitReview(not reasons, tuple(reasons), heldout_ll, baseline_ll, heldout_observations, in_sample)
