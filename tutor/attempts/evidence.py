"""Repeated attempts are practice, not new evidence (first-attempt scoring).

A learner who sees an item graded and submits it again right away is practising: the second answer
says little about what they knew, and counting it lets mastery be farmed (one item resubmitted four
times took a knowledge point from 0.17 to 0.988). The rule, in the style of first-attempt scoring:

* the first attempt on an item is evidence (weight 1);
* a re-submission of the same item within :data:`REPEAT_SPACING` of the learner's previous attempt
  on it is practice (weight 0): it is stored and graded, with feedback, but mastery (BKT), item
  calibration and the learner-model side effects ignore it;
* once the spacing has passed, answering the item again is a delayed retrieval and counts again.

:func:`counts_as_evidence` is the pure rule; :func:`item_evidence` applies it in the attempt's
transaction, under a per-(learner, item) transaction lock so two concurrent submissions of one item
cannot both count as first attempts. The lock touches only the learner's own key, never a shared row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.db.models import Attempt

__all__ = ["REPEAT_SPACING", "Evidence", "counts_as_evidence", "item_evidence"]

REPEAT_SPACING = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Whether an attempt feeds the learner model, with the weight it carries (0 or 1)."""

    counts: bool
    weight: float
    reason: str


def counts_as_evidence(
    previous_at: datetime | None, at: datetime, spacing: timedelta = REPEAT_SPACING
) -> Evidence:
    """``previous_at``: the learner's latest earlier attempt on this item (None: never tried it)."""
    if previous_at is None:
        return Evidence(True, 1.0, "first attempt")
    if at - previous_at >= spacing:
        return Evidence(True, 1.0, "spaced retry")
    return Evidence(False, 0.0, "repeat within the spacing: practice")


async def item_evidence(session: AsyncSession, learner_id: UUID, item_id: UUID, at: datetime) -> Evidence:
    """Apply :func:`counts_as_evidence` to the stored history (call before inserting the attempt)."""
    key = func.hashtextextended(f"attempt-item:{learner_id}:{item_id}", 0)
    await session.execute(select(func.pg_advisory_xact_lock(key)))
    previous = await session.scalar(
        select(func.max(Attempt.created_at)).where(
            Attempt.learner_id == learner_id, Attempt.item_id == item_id
        )
    )
    return counts_as_evidence(previous, at)
