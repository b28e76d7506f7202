"""One difficulty scale across the API.

Stored and returned item difficulty ``b`` is a **logit relative to the item's knowledge point**: 0 is
the point's average item, +1 is one logit harder (`tutor.learning.irt`). What a person asks for is a
**target P(correct) for a typical learner**, a number in (0, 1) that means the same on every point;
the two are tied by the response model with the typical learner taken as P(known) = 0.5 (half-way
through learning the point) and the point's BKT parameters::

    P(correct | typical learner, item b) = predict_correct(0.5, params, ItemParams(b))

`difficulty_for_target` inverts it (bisection; the map is monotone in ``b``), `typical_p_correct`
evaluates it. Item banks from templates carry a curriculum-wide prior (later topics harder), which
`relative_to_point` turns into the per-point scale by centring on the point's own items.
"""

from __future__ import annotations

from collections.abc import Sequence

from tutor.learning.bkt import DEFAULT_BKT_PARAMS, BKTParams
from tutor.learning.irt import ItemParams, predict_correct

__all__ = ["TYPICAL_P_KNOWN", "difficulty_for_target", "relative_to_point", "typical_p_correct"]

TYPICAL_P_KNOWN = 0.5
_B_MAX = 6.0


def typical_p_correct(difficulty: float, params: BKTParams = DEFAULT_BKT_PARAMS) -> float:
    """P(correct) of a typical learner on an item of this (point-relative) difficulty."""
    b = min(max(difficulty, -_B_MAX), _B_MAX)
    return predict_correct(TYPICAL_P_KNOWN, params, ItemParams(difficulty=b))


def difficulty_for_target(target_p_correct: float, params: BKTParams = DEFAULT_BKT_PARAMS) -> float:
    """The point-relative difficulty at which a typical learner answers right with this probability
    (clamped to [-6, 6] logits when the target lies beyond what the point's guess/slip allow)."""
    if not 0.0 < target_p_correct < 1.0:
        raise ValueError(f"target P(correct) must be within (0, 1), got {target_p_correct!r}")
    low, high = -_B_MAX, _B_MAX  # P falls as b rises
    if typical_p_correct(low, params) <= target_p_correct:
        return low
    if typical_p_correct(high, params) >= target_p_correct:
        return high
    for _ in range(60):
        mid = (low + high) / 2.0
        if typical_p_correct(mid, params) > target_p_correct:
            low = mid
        else:
            high = mid
    return round((low + high) / 2.0, 4)


def relative_to_point(priors: Sequence[float]) -> list[float]:
    """Curriculum-wide priors of one point's items -> the point-relative scale (their mean is 0)."""
    if not priors:
        return []
    centre = sum(priors) / len(priors)
    return [p - centre for p in priors]
