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

from sqlalchemy import Date, DateTime, Integer, String, Uuid, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.db.models.learning import (
    MAX_TALLY_ANSWER_CHARS,
    WrongAnswerEntry,
)
from tutor.learning.bkt import BKTParams, is_mastered
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
    predicted = _prediction(item, changes, kp_params)
    await _update_book(session, learner_id, item_id, answer, correct, at, config)
    await _write_counts(
        session, learner_id, item_id, answer, correct, at, changes, predicted, config, kp_params
    )
    return predicted


def _prediction(
    item: ItemParams, changes: Sequence[KpChange], kp_params: Mapping[str, BKTParams]
) -> float | None:
    """P(correct) predicted for this answer, from the item as loaded for this attempt."""
    predictions = [
        predict_correct(c.p_known_before, kp_params[c.kp_code], item)
        for c in changes
        if c.kp_code in kp_params
    ]
    if not predictions:
        return None  # an item without knowledge points: nothing to calibrate against
    return min(predictions)  # an item is only as easy as its weakest knowledge point


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


# One statement (one round trip) for the counters: daily activity, per-point streaks and daily stats,
# the wrong-answer tallies of the learner's classes, and the item calibration inbox. Every row it
# writes is the learner's own, or an append; the item's difficulty and drift move when
# ``tutor.attempts.item_fold`` folds the inbox, so no shared row is locked by an attempt.
_COUNTS_SQL = text(
    """
WITH points AS (
  SELECT * FROM unnest(CAST(:codes AS varchar[]), CAST(:befores AS boolean[]), CAST(:afters AS boolean[]))
    AS p(code, mastered_before, mastered_after)
), activity AS (
  INSERT INTO learner_daily_activity AS t (learner_id, day, attempts, correct, last_attempt_at)
  VALUES (:learner, :day, 1, :correct_n, :at)
  ON CONFLICT (learner_id, day) DO UPDATE SET attempts = t.attempts + 1,
    correct = t.correct + excluded.correct,
    last_attempt_at = greatest(t.last_attempt_at, excluded.last_attempt_at)
  RETURNING 1
), streaks AS (
  INSERT INTO learner_kp_stats AS t (learner_id, kp_code, wrong_streak, last_attempt_at, mastered_at)
  SELECT :learner, code, 1 - :correct_n, :at,
    CASE WHEN mastered_after THEN CAST(:at AS timestamptz) END
  FROM points
  ON CONFLICT (learner_id, kp_code) DO UPDATE SET
    wrong_streak = CASE WHEN :correct_n = 1 THEN 0 ELSE t.wrong_streak + 1 END,
    last_attempt_at = excluded.last_attempt_at, mastered_at = coalesce(t.mastered_at, excluded.mastered_at)
  RETURNING 1
), daily AS (
  INSERT INTO learner_daily_stats AS t (learner_id, day, kp_code, attempts, correct, newly_mastered)
  SELECT :learner, :day, code, 1, :correct_n, CAST(NOT mastered_before AND mastered_after AS int)
  FROM points
  ON CONFLICT (learner_id, day, kp_code) DO UPDATE SET attempts = t.attempts + 1,
    correct = t.correct + excluded.correct, newly_mastered = t.newly_mastered + excluded.newly_mastered
  RETURNING 1
), tallies AS (
  INSERT INTO class_wrong_answer_tallies AS t (class_id, kp_code, item_id, answer, learner_id, count, last_at)
  SELECT e.class_id, p.code, :item, :tally_answer, :learner, 1, :at
  FROM enrolments e CROSS JOIN points p WHERE e.learner_id = :learner AND :correct_n = 0
  ORDER BY e.class_id, p.code
  ON CONFLICT (class_id, kp_code, item_id, answer, learner_id) DO UPDATE SET
    count = t.count + 1, last_at = excluded.last_at
  RETURNING 1
), inbox AS (
  INSERT INTO item_calibration_inbox (item_id, predicted, correct, at)
  SELECT :item, CAST(:predicted AS float8), :correct_n = 1, :at WHERE CAST(:predicted AS float8) IS NOT NULL
  RETURNING 1
)
SELECT (SELECT count(*) FROM activity) + (SELECT count(*) FROM streaks) + (SELECT count(*) FROM daily)
  + (SELECT count(*) FROM tallies) + (SELECT count(*) FROM inbox)
"""
).bindparams(
    bindparam("learner", type_=Uuid()),
    bindparam("item", type_=Uuid()),
    bindparam("day", type_=Date()),
    bindparam("at", type_=DateTime(timezone=True)),
    bindparam("correct_n", type_=Integer()),
    bindparam("tally_answer", type_=String()),
)


async def _write_counts(
    session: AsyncSession,
    learner_id: UUID,
    item_id: UUID,
    answer: str,
    correct: bool,
    at: datetime,
    changes: Sequence[KpChange],
    predicted: float | None,
    config: LearningConfig,
    kp_params: Mapping[str, BKTParams],
) -> None:
    ordered = sorted(changes, key=lambda c: c.kp_code)

    def mastered(c: KpChange, p: float) -> bool:
        # the same rule as everywhere else: P(known) against the point's forgetting ceiling
        return is_mastered(p, config.mastery_threshold, kp_params.get(c.kp_code))

    await session.execute(
        _COUNTS_SQL,
        {
            "learner": learner_id,
            "item": item_id,
            "day": at.date(),
            "at": at,
            "correct_n": int(correct),
            "codes": [c.kp_code for c in ordered],
            "befores": [mastered(c, c.p_known_before) for c in ordered],
            "afters": [mastered(c, c.p_known_after) for c in ordered],
            "tally_answer": _tally_key(answer),
            "predicted": predicted,
        },
    )
