"""Batch jobs over the attempt history: fit BKT parameters per knowledge point, recalibrate items.

Both read every relevant attempt once, in (learner, time) order, hand plain values to the pure fitters
in `tutor.learning`, and store the result: a new `BKTParamVersion` row per fitted point (older
versions stay for audit and rollback), new difficulty/discrimination on ``items``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from uuid import UUID

import anyio
from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.db.models import Item
from tutor.db.models.learning import BKTParamVersion, ItemCalibration
from tutor.learning.bkt import BKTParams
from tutor.learning.bkt_fit import BKTFitError, fit_bkt
from tutor.learning.irt import ItemParams, predict_correct, update_p_known_for_item
from tutor.learning.irt_fit import ItemObservation, recalibrate_items
from tutor.practice.params import kp_params, params_or_default

__all__ = ["FIT_METHOD", "FitOutcome", "RecalibrationOutcome", "fit_mastery", "recalibrate_item_bank"]

FIT_METHOD = "hmmlearn-em+item-aware-mle"


@dataclass(frozen=True, slots=True)
class FitOutcome:
    kp_code: str
    version: int | None
    params: BKTParams | None
    n_sequences: int
    n_observations: int
    log_likelihood: float | None
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class RecalibrationOutcome:
    items: int
    attempts: int
    mean_abs_change: float


def _item(b: float, a: float, n: int) -> ItemParams:
    return ItemParams(min(max(b, -10.0), 10.0), min(max(a, 0.05), 5.0), max(n, 0))


async def fit_mastery(
    session: AsyncSession, *, kp_codes: list[str] | None = None, min_observations: int = 50
) -> list[FitOutcome]:
    """Fit and store a new parameter version for every knowledge point with enough answers."""
    where = "WHERE ikp.kp_code = ANY(:kps) " if kp_codes else ""
    result = await session.stream(
        text(
            "SELECT ikp.kp_code, a.learner_id, a.is_correct, i.difficulty, i.discrimination, "
            "i.calibration_attempts FROM attempts a "
            "JOIN item_knowledge_points ikp ON ikp.item_id = a.item_id JOIN items i ON i.id = a.item_id "
            f"{where}ORDER BY ikp.kp_code, a.learner_id, a.created_at, a.id"
        ),
        {"kps": kp_codes} if kp_codes else {},
    )
    sequences: dict[str, dict[UUID, tuple[list[bool], list[ItemParams]]]] = defaultdict(dict)
    async for kp, learner, correct, b, a, n in result:
        seq = sequences[kp].setdefault(learner, ([], []))
        seq[0].append(bool(correct))
        seq[1].append(_item(b, a, n))
    outcomes: list[FitOutcome] = []
    for kp in sorted(set(kp_codes or []) | set(sequences)):
        per_learner = list(sequences.get(kp, {}).values())
        n_obs = sum(len(s) for s, _ in per_learner)
        try:
            fit = await anyio.to_thread.run_sync(
                partial(
                    fit_bkt,
                    [s for s, _ in per_learner],
                    items=[i for _, i in per_learner],
                    min_observations=min_observations,
                )
            )
        except BKTFitError as exc:
            outcomes.append(FitOutcome(kp, None, None, len(per_learner), n_obs, None, skipped=str(exc)))
            continue
        version = await session.scalar(
            insert(BKTParamVersion)
            .values(
                kp_code=kp,
                prior=fit.params.prior,
                learn=fit.params.learn,
                guess=fit.params.guess,
                slip=fit.params.slip,
                n_sequences=fit.n_sequences,
                n_observations=fit.n_observations,
                log_likelihood=fit.log_likelihood,
                method=FIT_METHOD,
            )
            .returning(BKTParamVersion.id)
        )
        outcomes.append(
            FitOutcome(kp, version, fit.params, fit.n_sequences, fit.n_observations, fit.log_likelihood)
        )
    return outcomes


async def recalibrate_item_bank(session: AsyncSession) -> RecalibrationOutcome:
    """Refit every attempted item's difficulty (and discrimination with enough data) from history.

    Each learner's history is replayed with the parameters in force to know P(known) at every answer;
    an item with several knowledge points is judged on its weakest one, as in the online update.
    """
    from tutor.attempts.item_fold import discard_pending

    await discard_pending(session)  # the refit replays every attempt: queued calibration is in it
    fitted = await kp_params(session)
    result = await session.stream(
        text(
            "SELECT a.learner_id, a.item_id, a.is_correct, i.difficulty, i.discrimination, "
            "i.calibration_attempts, i.difficulty_prior, array_agg(ikp.kp_code ORDER BY ikp.kp_code) "
            "FROM attempts a "
            "JOIN items i ON i.id = a.item_id JOIN item_knowledge_points ikp ON ikp.item_id = a.item_id "
            "GROUP BY a.id, i.id ORDER BY a.learner_id, a.created_at, a.id"
        )
    )
    observations: list[ItemObservation] = []
    priors: dict[Hashable, ItemParams] = {}
    current: dict[Hashable, ItemParams] = {}
    state: dict[str, float] = {}
    learner: UUID | None = None
    async for learner_id, item_id, correct, b, a, n, b_prior, kps in result:
        if learner_id != learner:
            learner, state = learner_id, {}
        item = current.setdefault(item_id, _item(b, a, n))
        priors.setdefault(item_id, _item(b_prior, 1.0, 0))
        best: tuple[float, str] | None = None
        for kp in kps:
            params = params_or_default(fitted, kp)[0]
            p_known = state.get(kp, params.prior)
            p = predict_correct(p_known, params, item)
            if best is None or p < best[0]:
                best = (p, kp)
        if best is None:
            continue
        weakest = best[1]
        w_params = params_or_default(fitted, weakest)[0]
        observations.append(
            ItemObservation(item_id, state.get(weakest, w_params.prior), w_params, bool(correct))
        )
        for kp in kps:
            params = params_or_default(fitted, kp)[0]
            state[kp] = update_p_known_for_item(state.get(kp, params.prior), bool(correct), params, item)
    if not observations:
        return RecalibrationOutcome(0, 0, 0.0)
    new = await anyio.to_thread.run_sync(lambda: recalibrate_items(observations, priors))
    now = datetime.now(UTC)
    changes = []
    for item_id, refit in new.items():
        old = current[item_id]
        changes.append(abs(refit.difficulty - old.difficulty))
        await session.execute(
            update(Item)
            .where(Item.id == item_id)
            .values(
                difficulty=refit.difficulty,
                discrimination=refit.discrimination,
                calibration_attempts=refit.n_attempts,
            )
            .execution_options(synchronize_session=False)
        )
    await session.execute(
        insert(ItemCalibration)
        .values([{"item_id": item_id, "recalibrated_at": now} for item_id in new])
        .on_conflict_do_update(
            index_elements=["item_id"],
            set_={
                "recalibrated_at": now,
                "drift_residual": 0.0,
                "drift_variance": 0.0,
                "drift_attempts": 0,
                "drift_flagged": False,
            },
        )
    )
    return RecalibrationOutcome(len(new), len(observations), sum(changes) / len(changes))
