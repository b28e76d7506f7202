"""Batch jobs over the attempt history: fit BKT parameters per knowledge point, recalibrate items.

Both read every relevant attempt once, in (learner, time) order, hand plain values to the pure fitters
in `tutor.learning`, and store the result: a new `BKTParamVersion` row per fitted point (older
versions stay for audit and rollback; only a reviewed one is active), new difficulty/discrimination
on ``items``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import asdict, dataclass, replace
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
from tutor.learning.bkt_em import Sequences, fit_em, fit_half_life, log_likelihood
from tutor.learning.decay import decay_since
from tutor.learning.fit_review import review_fit
from tutor.learning.irt import ItemParams, predict_correct, update_p_known_for_item
from tutor.learning.irt_fit import ItemObservation, recalibrate_items
from tutor.practice.params import kp_params, params_or_default

__all__ = ["FIT_METHOD", "FitOutcome", "RecalibrationOutcome", "fit_mastery", "recalibrate_item_bank"]

FIT_METHOD = "numpy-em+forgets+items"
HOLDOUT_EVERY = 5
"""Every fifth learner (in id order) is held out of the fit and scores it against the parameters in force."""


@dataclass(frozen=True, slots=True)
class FitOutcome:
    kp_code: str
    version: int | None
    params: BKTParams | None
    n_sequences: int
    n_observations: int
    log_likelihood: float | None
    skipped: str | None = None
    active: bool = False
    reasons: tuple[str, ...] = ()
    heldout_ll: float | None = None
    baseline_ll: float | None = None
    baseline: BKTParams | None = None
    heldout_observations: int = 0
    in_sample: bool = False
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class RecalibrationOutcome:
    items: int
    attempts: int
    mean_abs_change: float


def _item(b: float, a: float, n: int) -> ItemParams:
    return ItemParams(min(max(b, -10.0), 10.0), min(max(a, 0.05), 5.0), max(n, 0))


Learner = tuple[list[bool], list[ItemParams], list[float]]
"""One learner's answers on one point: correct?, the item's parameters, days since the previous one."""


def fit_and_review(
    kp: str, per_learner: list[Learner], baseline: BKTParams, min_observations: int, *, forgets: bool = True
) -> tuple[FitOutcome, BKTParams | None]:
    """Fit on the training learners, score new and baseline on the held-out ones (pure, runs in a thread)."""
    started = time.perf_counter()
    n_obs = sum(len(x[0]) for x in per_learner)
    if n_obs < min_observations:
        reason = f"need at least {min_observations} answers to fit BKT, got {n_obs}"
        return FitOutcome(kp, None, None, len(per_learner), n_obs, None, skipped=reason), None
    held = [x for i, x in enumerate(per_learner) if i % HOLDOUT_EVERY == HOLDOUT_EVERY - 1]
    in_sample = len(per_learner) < HOLDOUT_EVERY or not held
    train = (
        per_learner
        if in_sample
        else [x for i, x in enumerate(per_learner) if i % HOLDOUT_EVERY != HOLDOUT_EVERY - 1]
    )
    data = Sequences.build([x[0] for x in train], [x[1] for x in train], [x[2] for x in train])
    fit = fit_em(data, forgets=forgets)
    if forgets:
        fit = replace(fit, params=fit_half_life(data, fit.params))
    else:  # the classic model: no forgetting per attempt nor with time
        fit = replace(
            fit, params=replace(fit.params, half_life_days=0.0)
        )  # the time decay, from the timestamps
    scored = (
        data
        if in_sample
        else Sequences.build([x[0] for x in held], [x[1] for x in held], [x[2] for x in held])
    )
    n_scored = max(scored.n_observations, 1)
    review = review_fit(
        fit.params,
        log_likelihood(scored, fit.params) / n_scored,
        log_likelihood(scored, baseline) / n_scored,
        scored.n_observations,
        in_sample=in_sample,
    )
    outcome = FitOutcome(
        kp,
        None,
        fit.params,
        fit.n_sequences,
        fit.n_observations,
        fit.log_likelihood,
        active=review.activate,
        reasons=review.reasons,
        heldout_ll=review.heldout_ll,
        baseline_ll=review.baseline_ll,
        baseline=baseline,
        heldout_observations=review.heldout_observations,
        in_sample=in_sample,
        seconds=time.perf_counter() - started,
    )
    return outcome, fit.params


async def fit_mastery(
    session: AsyncSession,
    *,
    kp_codes: list[str] | None = None,
    min_observations: int = 50,
    dry_run: bool = False,
) -> list[FitOutcome]:
    """Fit, review and (unless ``dry_run``) store a version for every knowledge point with enough answers.

    A version is stored either way (older versions stay for audit and rollback) but only one that is
    plausible and not worse on held-out learners than the parameters in force becomes active
    (`tutor.learning.fit_review`); the outcome says why not.
    """
    where = "WHERE ikp.kp_code = ANY(:kps) " if kp_codes else ""
    result = await session.stream(
        text(
            "SELECT ikp.kp_code, a.learner_id, a.is_correct, a.created_at, i.difficulty, i.discrimination, "
            "i.calibration_attempts FROM attempts a "
            "JOIN item_knowledge_points ikp ON ikp.item_id = a.item_id JOIN items i ON i.id = a.item_id "
            f"{where}ORDER BY ikp.kp_code, a.learner_id, a.created_at, a.id"
        ),
        {"kps": kp_codes} if kp_codes else {},
    )
    sequences: dict[str, dict[UUID, Learner]] = defaultdict(dict)
    previous: dict[tuple[str, UUID], datetime] = {}
    async for kp, learner, correct, at, b, a, n in result:
        seq = sequences[kp].setdefault(learner, ([], [], []))
        seq[0].append(bool(correct))
        seq[1].append(_item(b, a, n))
        before = previous.get((kp, learner))
        seq[2].append(0.0 if before is None else max((at - before).total_seconds(), 0.0) / 86400.0)
        previous[(kp, learner)] = at
    in_force = await kp_params(session)
    outcomes: list[FitOutcome] = []
    for kp in sorted(set(kp_codes or []) | set(sequences)):
        per_learner = [v for _, v in sorted(sequences.get(kp, {}).items())]
        baseline = params_or_default(in_force, kp)[0]
        outcome, params = await anyio.to_thread.run_sync(
            partial(fit_and_review, kp, per_learner, baseline, min_observations)
        )
        if params is None or dry_run:
            outcomes.append(outcome)
            continue
        version = await session.scalar(
            insert(BKTParamVersion)
            .values(
                kp_code=kp,
                prior=params.prior,
                learn=params.learn,
                guess=params.guess,
                slip=params.slip,
                forget=params.forget,
                half_life_days=params.half_life_days,
                n_sequences=outcome.n_sequences,
                n_observations=outcome.n_observations,
                log_likelihood=outcome.log_likelihood,
                method=FIT_METHOD,
                active=outcome.active,
                heldout_ll=outcome.heldout_ll,
                baseline_heldout_ll=outcome.baseline_ll,
                report={
                    "reasons": list(outcome.reasons),
                    "heldout_observations": outcome.heldout_observations,
                    "in_sample": outcome.in_sample,
                    "baseline": asdict(baseline),
                    "seconds": round(outcome.seconds, 4),
                },
            )
            .returning(BKTParamVersion.id)
        )
        outcomes.append(replace(outcome, version=version))
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
            "SELECT a.learner_id, a.item_id, a.is_correct, a.created_at, i.difficulty, i.discrimination, "
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
    last_at: dict[str, datetime] = {}
    learner: UUID | None = None
    async for learner_id, item_id, correct, at, b, a, n, b_prior, kps in result:
        if learner_id != learner:
            learner, state, last_at = learner_id, {}, {}
        for kp in kps:  # the same time decay as the attempt transaction
            if kp in state:
                state[kp] = decay_since(state[kp], last_at.get(kp), at, params_or_default(fitted, kp)[0])
            last_at[kp] = at
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
