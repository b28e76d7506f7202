"""Repeated attempts are practice, not new evidence (first-attempt scoring).

A learner who sees an item graded and submits it again right away is practising: the second answer
says little about what they knew, and counting it lets mastery be farmed (one item resubmitted four
times took a knowledge point from 0.17 to 0.988). The rule, in the style of first-attempt scoring:

* the first attempt on an item is evidence (weight 1);
* a re-submission of the same item within :data:`REPEAT_SPACING` of the learner's previous attempt
  on it is practice (weight 0): it is stored and graded, with feedback, but mastery (BKT) ignores it;
* once the spacing has passed, or when the wrong-answer book (错题本) has scheduled the item for
  re-practice and it is due, answering it again is a delayed retrieval and counts again.

Practice attempts still count as activity (daily counts, wrong-answer tallies, the book's own
schedule): they happened; they are only not evidence of what the learner knows.

:func:`counts_as_evidence` is the pure rule; :func:`item_evidence` applies it in the attempt's
transaction. Two concurrent submissions of one item cannot both count as first attempts: the attempt
service's per-learner transaction lock serialises a learner's attempts (it touches only the learner's
own key, never a shared row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.db.models import Attempt, WrongAnswerEntry

__all__ = ["REPEAT_SPACING", "Evidence", "counts_as_evidence", "item_evidence"]

REPEAT_SPACING = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Whether an attempt feeds the learner model, with the weight it carries (0 or 1)."""

    counts: bool
    weight: float
    reason: str


def counts_as_evidence(
    previous_at: datetime | None,
    at: datetime,
    spacing: timedelta = REPEAT_SPACING,
    *,
    due_for_review: bool = False,
) -> Evidence:
    """``previous_at``: the learner's latest earlier attempt on this item (None: never tried it);
    ``due_for_review``: the wrong-answer book scheduled this item and it is due now."""
    if previous_at is None:
        return Evidence(True, 1.0, "first attempt")
    if due_for_review:
        return Evidence(True, 1.0, "scheduled re-practice")
    if at - previous_at >= spacing:
        return Evidence(True, 1.0, "spaced retry")
    return Evidence(False, 0.0, "repeat within the spacing: practice")


async def item_evidence(session: AsyncSession, learner_id: UUID, item_id: UUID, at: datetime) -> Evidence:
    """Apply :func:`counts_as_evidence` to the stored history (call before inserting the attempt).

    The caller holds the learner's transaction lock (``tutor.attempts.idempotency.lock_learner``), so
    two concurrent submissions of one item by one learner cannot both count as first attempts.
    """
    last = (
        select(func.max(Attempt.created_at))
        .where(Attempt.learner_id == learner_id, Attempt.item_id == item_id)
        .scalar_subquery()
    )
    due_at = (
        select(WrongAnswerEntry.due_at)
        .where(
            WrongAnswerEntry.learner_id == learner_id,
            WrongAnswerEntry.item_id == item_id,
            WrongAnswerEntry.cleared_at.is_(None),
        )
        .scalar_subquery()
    )
    previous, due = (await session.execute(select(last, due_at))).one()  # one round trip for both
    return counts_as_evidence(previous, at, due_for_review=due is not None and due <= at)
