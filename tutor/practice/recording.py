"""The learner-model side of recording an attempt, run inside the attempt's transaction.

After the BKT update (``tutor.attempts.mastery_update.apply_bkt``) this queues the item's difficulty
(online Elo-style step) and drift update for the batched fold (``tutor.attempts.item_fold``), files or
clears the wrong-answer-book entry, and keeps the per-learner analytics aggregates current, so every
read the dashboard makes is small and indexed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.db.models import Enrolment
from tutor.db.models.learning import (
    MAX_TALLY_ANSWER_CHARS,
    ItemCalibrationInbox,
    LearnerDailyActivity,
    LearnerDailyStats,
    LearnerKpStats,
    WrongAnswerEntry,
    WrongAnswerTally,
)
from tutor.learning.bkt import BKTParams
from tutor.learning.config import LearningConfig
from tutor.learning.irt import ItemParams, predict_correct
from tutor.learning.spacing import ReviewState, on_attempt

__all__ = ["KpChange", "record_learning_effects"]


@dataclass(frozen=True, slots=True)
class KpChange:
    """One knowledge point's P(known) before and after this attempt."""

    kp_code: str
    p_known_before: float
    p_known_after: float


async def record_learning_effects(
    session: AsyncSession,
    *,
    learner_id: UUID,
    item_id: UUID,
    item: ItemParams,
    answer: str,
    correct: bool,
    at: datetime,
    changes: Sequence[KpChange],
    kp_params: Mapping[str, BKTParams],
    config: LearningConfig,
) -> float | None:
    """Apply everything but the BKT update; returns the P(correct) that was predicted for this answer.

    Every row written here belongs to the learner (book, tallies, activity, aggregates) or is an
    append (calibration inbox): the attempt service holds the learner's transaction lock, so the
    learner's own attempts run one after another and no two learners ever wait on each other's rows.
    """
    predicted = await _queue_item_calibration(session, item_id, item, correct, at, changes, kp_params)
    await _update_book(session, learner_id, item_id, answer, correct, at, config)
    if not correct:
        await _tally_wrong_answer(session, learner_id, item_id, [c.kp_code for c in changes], answer, at)
    await _update_activity(session, learner_id, correct, at)
    await _update_aggregates(session, learner_id, correct, at, changes, config)
    return predicted


async def _update_activity(session: AsyncSession, learner_id: UUID, correct: bool, at: datetime) -> None:
    stmt = insert(LearnerDailyActivity).values(
        learner_id=learner_id, day=at.date(), attempts=1, correct=int(correct), last_attempt_at=at
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["learner_id", "day"],
            set_={
                "attempts": LearnerDailyActivity.attempts + 1,
                "correct": LearnerDailyActivity.correct + stmt.excluded.correct,
                "last_attempt_at": func.greatest(
                    LearnerDailyActivity.last_attempt_at, stmt.excluded.last_attempt_at
                ),
            },
        )
    )


async def _queue_item_calibration(
    session: AsyncSession,
    item_id: UUID,
    item: ItemParams,
    correct: bool,
    at: datetime,
    changes: Sequence[KpChange],
    kp_params: Mapping[str, BKTParams],
) -> float | None:
    """Append the attempt to the item calibration inbox; the item row itself is never locked here.

    Difficulty and drift sums move when ``tutor.attempts.item_fold`` folds the inbox (seconds later):
    a class answering one item then writes no shared row, so it neither serialises nor deadlocks.
    The prediction uses the item as loaded for this attempt (at most one fold interval old).
    """
    predictions = [
        predict_correct(c.p_known_before, kp_params[c.kp_code], item)
        for c in changes
        if c.kp_code in kp_params
    ]
    if not predictions:
        return None  # an item without knowledge points: nothing to calibrate against
    predicted = min(predictions)  # an item is only as easy as its weakest knowledge point
    await session.execute(
        insert(ItemCalibrationInbox).values(item_id=item_id, predicted=predicted, correct=correct, at=at)
    )
    return predicted


async def _update_book(
    session: AsyncSession,
    learner_id: UUID,
    item_id: UUID,
    answer: str,
    correct: bool,
    at: datetime,
    config: LearningConfig,
) -> None:
    entry = (
        await session.scalars(
            select(WrongAnswerEntry)
            .where(WrongAnswerEntry.learner_id == learner_id, WrongAnswerEntry.item_id == item_id)
            .with_for_update()
        )
    ).one_or_none()
    state = (
        ReviewState(entry.stage, entry.due_at, entry.wrong_count, entry.cleared_at)
        if entry is not None
        else None
    )
    new = on_attempt(state, correct, at, config.spacing)
    if new is None or new == state:
        return
    if entry is None:
        session.add(
            WrongAnswerEntry(
                learner_id=learner_id,
                item_id=item_id,
                last_wrong_answer=answer,
                wrong_count=new.wrong_count,
                stage=new.stage,
                first_wrong_at=at,
                last_attempt_at=at,
                due_at=new.due_at,
                cleared_at=new.cleared_at,
            )
        )
        return
    if not correct:
        entry.last_wrong_answer = answer
        if state is not None and not state.open:
            entry.first_wrong_at = at  # a cleared entry re-opens as a new one
    entry.wrong_count = new.wrong_count
    entry.stage = new.stage
    entry.due_at = new.due_at
    entry.cleared_at = new.cleared_at
    entry.last_attempt_at = at


def _tally_key(answer: str) -> str:
    return " ".join(answer.split())[:MAX_TALLY_ANSWER_CHARS]


async def _tally_wrong_answer(
    session: AsyncSession, learner_id: UUID, item_id: UUID, kp_codes: Sequence[str], answer: str, at: datetime
) -> None:
    class_ids = (
        await session.scalars(select(Enrolment.class_id).where(Enrolment.learner_id == learner_id))
    ).all()
    if not class_ids or not kp_codes:
        return
    stmt = insert(WrongAnswerTally).values(
        [
            {
                "class_id": c,
                "kp_code": kp,
                "item_id": item_id,
                "answer": _tally_key(answer),
                "learner_id": learner_id,
                "count": 1,
                "last_at": at,
            }
            for c in sorted(class_ids)
            for kp in sorted(set(kp_codes))
        ]
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["class_id", "kp_code", "item_id", "answer", "learner_id"],
            set_={"count": WrongAnswerTally.count + 1, "last_at": stmt.excluded.last_at},
        )
    )


async def _update_aggregates(
    session: AsyncSession,
    learner_id: UUID,
    correct: bool,
    at: datetime,
    changes: Sequence[KpChange],
    config: LearningConfig,
) -> None:
    if not changes:
        return
    threshold = config.mastery_threshold
    kp_rows = [
        {
            "learner_id": learner_id,
            "kp_code": c.kp_code,
            "wrong_streak": 0 if correct else 1,
            "last_attempt_at": at,
            "mastered_at": at if c.p_known_after >= threshold else None,
        }
        for c in changes
    ]
    stats = insert(LearnerKpStats).values(kp_rows)
    await session.execute(
        stats.on_conflict_do_update(
            index_elements=["learner_id", "kp_code"],
            set_={
                "wrong_streak": 0 if correct else LearnerKpStats.wrong_streak + 1,
                "last_attempt_at": stats.excluded.last_attempt_at,
                "mastered_at": func.coalesce(LearnerKpStats.mastered_at, stats.excluded.mastered_at),
            },
        )
    )
    day_rows = [
        {
            "learner_id": learner_id,
            "day": at.date(),
            "kp_code": c.kp_code,
            "attempts": 1,
            "correct": int(correct),
            "newly_mastered": int(c.p_known_before < threshold <= c.p_known_after),
        }
        for c in changes
    ]
    daily = insert(LearnerDailyStats).values(day_rows)
    await session.execute(
        daily.on_conflict_do_update(
            index_elements=["learner_id", "day", "kp_code"],
            set_={
                "attempts": LearnerDailyStats.attempts + 1,
                "correct": LearnerDailyStats.correct + daily.excluded.correct,
                "newly_mastered": LearnerDailyStats.newly_mastered + daily.excluded.newly_mastered,
            },
        )
    )
