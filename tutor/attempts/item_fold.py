"""Fold the item calibration inbox into item difficulty and drift sums, in batches, off the hot path.

Why: every learner of a class answering the same item used to lock that item's row (and its
calibration row) inside their attempt transaction, which serialised the class and deadlocked against
the foreign-key KEY SHARE lock the attempt insert takes. Now the attempt only appends
``(item, predicted P(correct), correct)`` to ``item_calibration_inbox``; this fold consumes the inbox
in id order under a transaction advisory lock (one folder at a time, others skip), applies the same
online IRT step and drift update per attempt, and deletes what it folded, all in one transaction, so
an attempt is folded exactly once.

Freshness: the API folds every :data:`FOLD_INTERVAL_S` seconds in the background
(:func:`fold_loop`), the drift view folds before it reads, and ``tutor worker`` / ``tutor
recalibrate-items`` can call :func:`fold_all`; item difficulty used for selection lags the attempts by
at most a few seconds.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tutor.learning.config import LearningConfig
from tutor.learning.drift import DriftState, update_drift
from tutor.learning.irt import ItemParams, online_item_update

__all__ = [
    "FOLD_INTERVAL_S",
    "FoldOutcome",
    "discard_pending",
    "fold_all",
    "fold_item_calibration",
    "fold_loop",
]

log = structlog.get_logger(__name__)

FOLD_INTERVAL_S = 2.0
BATCH = 2000
_LOCK = "item-calibration-fold"


@dataclass(frozen=True, slots=True)
class FoldOutcome:
    folded: int
    items: int
    skipped: bool = False
    """True when another transaction was folding (nothing done here)."""


async def fold_item_calibration(
    session: AsyncSession, config: LearningConfig, *, batch: int = BATCH
) -> FoldOutcome:
    """Fold up to ``batch`` inbox rows in the caller's transaction (the caller commits)."""
    got = await session.scalar(select(func.pg_try_advisory_xact_lock(func.hashtextextended(_LOCK, 0))))
    if not got:
        return FoldOutcome(0, 0, skipped=True)
    rows = (
        await session.execute(
            text(
                "DELETE FROM item_calibration_inbox WHERE id IN "
                "(SELECT id FROM item_calibration_inbox ORDER BY id LIMIT :n) "
                "RETURNING id, item_id, predicted, correct"
            ),
            {"n": batch},
        )
    ).all()
    if not rows:
        return FoldOutcome(0, 0)
    by_item: dict[Any, list[tuple[int, float, bool]]] = defaultdict(list)
    for row_id, item_id, predicted, correct in rows:
        by_item[item_id].append((row_id, float(predicted), bool(correct)))
    ids = sorted(by_item)
    items = {
        r.id: r
        for r in (
            await session.execute(
                text(
                    "SELECT i.id, i.difficulty, i.discrimination, i.calibration_attempts, "
                    "c.drift_residual, c.drift_variance, c.drift_attempts "
                    "FROM items i LEFT JOIN item_calibration c ON c.item_id = i.id "
                    "WHERE i.id = ANY(:ids) ORDER BY i.id FOR NO KEY UPDATE OF i"
                ),
                {"ids": ids},
            )
        ).all()
    }
    item_updates, calib_updates = [], []
    for item_id in ids:
        row = items.get(item_id)
        if row is None:
            continue  # the item was deleted meanwhile (its inbox rows went with it)
        item = ItemParams(
            difficulty=min(max(row.difficulty, -10.0), 10.0),
            discrimination=min(max(row.discrimination, 0.05), 5.0),
            n_attempts=max(row.calibration_attempts, 0),
        )
        drift = DriftState(row.drift_residual or 0.0, row.drift_variance or 0.0, row.drift_attempts or 0)
        for _, predicted, correct in sorted(by_item[item_id]):
            item = online_item_update(item, predicted, correct, config.online_irt)
            drift = update_drift(drift, predicted, correct, config.drift)
        item_updates.append({"id": item_id, "b": item.difficulty, "n": item.n_attempts})
        calib_updates.append(
            {
                "id": item_id,
                "r": drift.residual_sum,
                "v": drift.variance_sum,
                "n": drift.n_attempts,
                "f": drift.flagged(config.drift),
            }
        )
    if item_updates:
        await session.execute(
            text("UPDATE items SET difficulty = :b, calibration_attempts = :n WHERE id = :id"), item_updates
        )
        await session.execute(
            text(
                "INSERT INTO item_calibration (item_id, drift_residual, drift_variance, drift_attempts, "
                "drift_flagged, updated_at) VALUES (:id, :r, :v, :n, :f, now()) "
                "ON CONFLICT (item_id) DO UPDATE SET drift_residual = excluded.drift_residual, "
                "drift_variance = excluded.drift_variance, drift_attempts = excluded.drift_attempts, "
                "drift_flagged = excluded.drift_flagged, updated_at = now()"
            ),
            calib_updates,
        )
    return FoldOutcome(len(rows), len(item_updates))


async def fold_all(sessions: async_sessionmaker[AsyncSession], config: LearningConfig) -> int:
    """Fold the whole inbox, one committed batch at a time; returns the number of rows folded."""
    total = 0
    while True:
        async with sessions() as session, session.begin():
            outcome = await fold_item_calibration(session, config)
        total += outcome.folded
        if outcome.skipped or outcome.folded < BATCH:
            return total


async def fold_loop(
    sessions: async_sessionmaker[AsyncSession], config: LearningConfig, interval_s: float = FOLD_INTERVAL_S
) -> None:
    """The API's background folder: runs until cancelled; a failed fold is logged and retried later."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await fold_all(sessions, config)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database may be restarting: try again at the next tick
            log.warning("item_fold.failed", error_type=type(exc).__name__)


async def discard_pending(session: AsyncSession) -> None:
    """For a full refit from the attempts table: what is queued is in that history already.

    Waits for a running fold (same advisory lock), then drops the inbox in the caller's transaction.
    """
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(_LOCK, 0))))
    await session.execute(text("DELETE FROM item_calibration_inbox"))
