"""The privacy ledger: plan a run, refuse it when a budget would be exceeded, charge it atomically.

Every learner included in a run is charged the run's full epsilon when the run is *accepted* (before
any training), so a crashed or failed run still counts: spending is never under-reported. Budgets sum
epsilons across runs (basic composition, an upper bound; see ``adapters/training/GUARANTEE.md``).
The check and the charge happen under one transaction-level advisory lock, so two concurrent requests
cannot both fit under the same remaining budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from uuid import UUID

import anyio.to_thread
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.training.config import TrainingSettings
from adapters.training.privacy import PrivacyPlan, plan_run
from tutor.db.models.training import TrainingRun, TrainingRunLearner
from tutor.errors import ConflictError, ServiceUnavailableError
from tutor.training.data import consented_learners, learner_examples
from tutor.training.schemas import RunIn

__all__ = ["LEDGER_LOCK_KEY", "create_run", "learner_spend", "max_learner_spend", "school_spent"]

LEDGER_LOCK_KEY = 0x7475746F72_6C67  # "tutor" "lg"
_ACTIVE = ("queued", "running")


async def school_spent(session: AsyncSession, school_id: UUID) -> float:
    """Sum of the epsilons charged to the school's runs (all statuses: a charge is never refunded)."""
    total = await session.scalar(
        select(func.sum(TrainingRun.epsilon)).where(TrainingRun.school_id == school_id)
    )
    return float(total or 0.0)


async def learner_spend(session: AsyncSession, learner_ids: Sequence[UUID]) -> dict[UUID, float]:
    """Epsilon charged so far to each learner (learners never included are absent)."""
    if not learner_ids:
        return {}
    rows = await session.execute(
        select(TrainingRunLearner.learner_id, func.sum(TrainingRun.epsilon))
        .join(TrainingRun, TrainingRun.id == TrainingRunLearner.run_id)
        .where(TrainingRunLearner.learner_id.in_(list(learner_ids)))
        .group_by(TrainingRunLearner.learner_id)
    )
    return {learner: float(total) for learner, total in rows.tuples()}


async def max_learner_spend(session: AsyncSession, school_id: UUID) -> float:
    per_learner = (
        select(func.sum(TrainingRun.epsilon).label("spent"))
        .join(TrainingRunLearner, TrainingRun.id == TrainingRunLearner.run_id)
        .where(TrainingRun.school_id == school_id)
        .group_by(TrainingRunLearner.learner_id)
        .subquery()
    )
    return float(await session.scalar(select(func.max(per_learner.c.spent))) or 0.0)


def _plan(data: RunIn, cfg: TrainingSettings, learner_count: int) -> PrivacyPlan:
    noise = data.noise_multiplier
    target = data.target_epsilon
    if noise is None and target is None:
        noise, target = cfg.noise_multiplier, cfg.target_epsilon
        if noise is not None:
            target = None
    return plan_run(
        learner_count=learner_count,
        expected_batch_size=data.batch_learners or cfg.batch_learners,
        epochs=data.epochs or cfg.epochs,
        delta=data.delta or cfg.delta,
        accountant=cfg.accountant,
        target_epsilon=target if noise is None else None,
        noise_multiplier=noise,
    )


async def create_run(
    session: AsyncSession, school_id: UUID, requested_by: UUID | None, data: RunIn, cfg: TrainingSettings
) -> TrainingRun:
    """Plan, check both budgets and the one-run-per-base-model rule, then record and charge the run."""
    if cfg.base_model is None:
        raise ServiceUnavailableError(
            "No base model is configured for training (set TUTOR_TRAINING_BASE_MODEL).", retry_after=3600
        )
    base_model = str(cfg.base_model)
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LEDGER_LOCK_KEY})
    busy = await session.scalar(
        select(TrainingRun.id).where(TrainingRun.base_model == base_model, TrainingRun.status.in_(_ACTIVE))
    )
    if busy is not None:
        raise ConflictError(
            "A training run for this base model is already queued or running; wait for it to finish.",
            code="training_busy",
            run_id=str(busy),
        )
    # Only learners who have usable examples are included (and charged).
    with_data = await learner_examples(session, school_id, await consented_learners(session, school_id))
    learners = sorted(UUID(key) for key, examples in with_data.items() if examples)
    # The accountant is CPU work (PRV: up to seconds): keep it off the event loop.
    plan = await anyio.to_thread.run_sync(partial(_plan, data, cfg, len(learners)))
    spent = await school_spent(session, school_id)
    if spent + plan.epsilon > cfg.global_epsilon_cap:
        raise ConflictError(
            f"This run would spend epsilon {plan.epsilon:.3g}, but only "
            f"{max(cfg.global_epsilon_cap - spent, 0):.3g} of the school's privacy budget "
            f"({cfg.global_epsilon_cap:g}) is left. "
            "Use more noise or fewer epochs, or wait for a new budget period.",
            code="privacy_budget_exceeded",
            budget="global",
            epsilon=plan.epsilon,
            spent=spent,
            cap=cfg.global_epsilon_cap,
        )
    spend = await learner_spend(session, learners)
    over = sum(1 for learner in learners if spend.get(learner, 0.0) + plan.epsilon > cfg.learner_epsilon_cap)
    if over:
        raise ConflictError(
            f"This run would take {over} learner(s) over the per-learner privacy budget "
            f"({cfg.learner_epsilon_cap:g}); the run was not started.",
            code="privacy_budget_exceeded",
            budget="learner",
            epsilon=plan.epsilon,
            learners_over_budget=over,
            cap=cfg.learner_epsilon_cap,
        )
    version = (
        await session.scalar(
            select(func.max(TrainingRun.adapter_version)).where(
                TrainingRun.school_id == school_id, TrainingRun.adapter_name == data.adapter_name
            )
        )
        or 0
    ) + 1
    run = TrainingRun(
        school_id=school_id,
        requested_by=requested_by,
        base_model=base_model,
        adapter_name=data.adapter_name,
        adapter_version=version,
        learner_count=plan.learner_count,
        epsilon=plan.epsilon,
        delta=plan.delta,
        accountant=plan.accountant,
        noise_multiplier=plan.noise_multiplier,
        max_grad_norm=cfg.max_grad_norm,
        steps=plan.steps,
        sample_rate=plan.sample_rate,
        epochs=plan.epochs,
        batch_learners=plan.expected_batch_size,
        examples_per_learner=cfg.examples_per_learner,
        status="queued",
    )
    session.add(run)
    try:
        await session.flush()
    except IntegrityError:
        raise ConflictError(
            "A training run for this base model is already queued or running.", code="training_busy"
        ) from None
    session.add_all(TrainingRunLearner(run_id=run.id, learner_id=learner) for learner in learners)
    await session.flush()
    return run
