"""Mastery that fades when not practised: the time part of forgetting.

BKT's ``forget`` parameter models forgetting *per attempt*; a learner who stops practising forgets
with *time*. Shown mastery therefore decays towards the knowledge point's prior with a half-life::

    p(t) = prior + (p - prior) * 2 ** (-t / half_life)      (only when p is above the prior)

With the default 30-day half-life a point left at 0.99 shows 0.77 after two weeks (0.60 after a
month): no longer "mastered", so the next-exercise policy schedules a spaced mastery check; one right
answer on the check brings it to 0.948 and a second to 0.99 (mastered again); a wrong one (0.40) sends
the point back to practice.
The decayed value is also the starting belief of the next BKT update, so the attempt transaction, the
mastery route and the selector agree.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tutor.learning.bkt import BKTParams, clamp_p_known, is_mastered

__all__ = ["DEFAULT_HALF_LIFE_DAYS", "decay_p_known", "decay_since", "needs_mastery_check"]

DEFAULT_HALF_LIFE_DAYS = 30.0


def decay_p_known(p_known: float, elapsed: timedelta, params: BKTParams) -> float:
    """P(known) after ``elapsed`` without practice (unchanged for a non-positive time or half-life)."""
    days = elapsed.total_seconds() / 86400.0
    half_life = params.half_life_days
    if days <= 0.0 or half_life <= 0.0 or p_known <= params.prior:
        return p_known
    return clamp_p_known(params.prior + (p_known - params.prior) * 0.5 ** (days / half_life))


def decay_since(p_known: float, last_practised: datetime | None, now: datetime, params: BKTParams) -> float:
    """`decay_p_known` from a timestamp (``None``: never practised, nothing to decay)."""
    if last_practised is None:
        return p_known
    return decay_p_known(p_known, now - last_practised, params)


def needs_mastery_check(
    stored: float, shown: float, threshold: float, params: BKTParams | None = None
) -> bool:
    """Mastered at the last answer, no longer mastered as shown now: time for a spaced check."""
    return is_mastered(stored, threshold, params) and not is_mastered(shown, threshold, params)
