"""Rebuild the analytics aggregates and mastery from the attempts table.

The attempt transaction keeps the aggregates current; this recomputes them from scratch for repair
(after a bulk import, or after `tutor fit-mastery` so that stored P(known) follows the new parameters)
and for the benchmark's million-attempt data set. Counts come from SQL; P(known) needs the BKT
replay, done here in Python in one ordered pass over the attempts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.learning.bkt import is_mastered
from tutor.learning.config import LearningConfig
from tutor.learning.decay import decay_since
from tutor.learning.irt import ItemParams, update_p_known_for_item
from tutor.practice.params import kp_params, params_or_default

__all__ = ["RebuildOutcome", "rebuild_aggregates"]

_SQL_AGGREGATES = (
    "DELETE FROM learner_daily_activity",
    "INSERT INTO learner_daily_activity (learner_id, day, attempts, correct, last_attempt_at) "
    "SELECT learner_id, (created_at AT TIME ZONE 'UTC')::date, count(*), count(*) FILTER (WHERE is_correct), "
    "max(created_at) FROM attempts GROUP BY 1, 2",
    "DELETE FROM class_wrong_answer_tallies",
    "INSERT INTO class_wrong_answer_tallies (class_id, kp_code, item_id, answer, learner_id, count, last_at) "
    "SELECT e.class_id, ikp.kp_code, a.item_id, "
    "left(btrim(regexp_replace(a.submitted_answer, '\\s+', ' ', 'g')), 200), a.learner_id, count(*), "
    "max(a.created_at) FROM attempts a JOIN enrolments e ON e.learner_id = a.learner_id "
    "JOIN item_knowledge_points ikp ON ikp.item_id = a.item_id WHERE NOT a.is_correct GROUP BY 1, 2, 3, 4, 5",
    "DELETE FROM learner_kp_stats",
    "INSERT INTO learner_kp_stats (learner_id, kp_code, wrong_streak, last_attempt_at) "
    "SELECT a.learner_id, ikp.kp_code, "
    "count(*) FILTER (WHERE NOT a.is_correct AND a.created_at > coalesce(lc.last_correct, '-infinity')), "
    "max(a.created_at) FROM attempts a JOIN item_knowledge_points ikp ON ikp.item_id = a.item_id "
    "LEFT JOIN (SELECT a2.learner_id, k2.kp_code, max(a2.created_at) AS last_correct FROM attempts a2 "
    "  JOIN item_knowledge_points k2 ON k2.item_id = a2.item_id WHERE a2.is_correct GROUP BY 1, 2) lc "
    "ON lc.learner_id = a.learner_id AND lc.kp_code = ikp.kp_code GROUP BY 1, 2",
    "DELETE FROM learner_daily_stats",
    "INSERT INTO learner_daily_stats (learner_id, day, kp_code, attempts, correct, newly_mastered) "
    "SELECT a.learner_id, (a.created_at AT TIME ZONE 'UTC')::date, ikp.kp_code, count(*), "
    "count(*) FILTER (WHERE a.is_correct), 0 FROM attempts a "
    "JOIN item_knowledge_points ikp ON ikp.item_id = a.item_id GROUP BY 1, 2, 3",
)


@dataclass(frozen=True, slots=True)
class RebuildOutcome:
    attempts: int
    mastery_rows: int


async def rebuild_aggregates(session: AsyncSession, config: LearningConfig) -> RebuildOutcome:
    """Recompute every aggregate and every mastery row (current parameters and item difficulties)."""
    for statement in _SQL_AGGREGATES:
        await session.execute(text(statement))
    fitted = await kp_params(session)
    items: dict[UUID, ItemParams] = {}
    for item_id, b, a, n in (
        await session.execute(text("SELECT id, difficulty, discrimination, calibration_attempts FROM items"))
    ).tuples():
        items[item_id] = ItemParams(min(max(b, -10.0), 10.0), min(max(a, 0.05), 5.0), max(n, 0))
    # (p_known, n_observations, n_correct, mastered_at, last practised) per (learner, kp)
    state: dict[tuple[UUID, str], tuple[float, int, int, datetime | None, datetime | None]] = {}
    n_attempts = 0
    result = await session.stream(
        text(
            "SELECT a.learner_id, a.item_id, a.is_correct, a.created_at, ikp.kp_code, a.counts_as_evidence "
            "FROM attempts a "
            "JOIN item_knowledge_points ikp ON ikp.item_id = a.item_id "
            "ORDER BY a.created_at, a.id, ikp.kp_code"
        )
    )
    async for learner_id, item_id, correct, at, kp, evidence in result:
        n_attempts += 1
        if not evidence:  # a re-submission right after its grade is practice (tutor.attempts.evidence)
            continue
        params = params_or_default(fitted, kp)[0]
        p, n, c, mastered_at, last_at = state.get((learner_id, kp), (params.prior, 0, 0, None, None))
        p = decay_since(p, last_at, at, params)  # the same time decay as the attempt transaction
        p = update_p_known_for_item(p, bool(correct), params, items[item_id])
        if mastered_at is None and is_mastered(p, config.mastery_threshold, params):
            mastered_at = at
        state[(learner_id, kp)] = (p, n + 1, c + int(correct), mastered_at, at)
    await session.execute(text("DELETE FROM mastery"))
    rows = [
        {
            "learner_id": learner_id,
            "kp_code": kp,
            "p_known": p,
            "n": n,
            "c": c,
            "version": params_or_default(fitted, kp)[1],
            "mastered_at": mastered_at,
            "updated_at": last_at,
        }
        for (learner_id, kp), (p, n, c, mastered_at, last_at) in state.items()
    ]
    if rows:
        await session.execute(
            text(
                "INSERT INTO mastery "
                "(learner_id, kp_code, p_known, n_observations, n_correct, params_version, updated_at) "
                "VALUES (:learner_id, :kp_code, :p_known, :n, :c, :version, :updated_at)"
            ),
            rows,
        )
        mastered = [r for r in rows if r["mastered_at"] is not None]
        if mastered:
            await session.execute(
                text(
                    "UPDATE learner_kp_stats SET mastered_at = :mastered_at "
                    "WHERE learner_id = :learner_id AND kp_code = :kp_code"
                ),
                mastered,
            )
            await session.execute(
                text(
                    "UPDATE learner_daily_stats SET newly_mastered = newly_mastered + 1 "
                    "WHERE learner_id = :learner_id AND kp_code = :kp_code "
                    "AND day = (CAST(:mastered_at AS timestamptz) AT TIME ZONE 'UTC')::date"
                ),
                mastered,
            )
    return RebuildOutcome(attempts=n_attempts, mastery_rows=len(rows))
