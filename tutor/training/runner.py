"""Execute one accepted run: data -> DP-SGD LoRA -> sanity -> evaluation -> gate -> card -> ledger.

Used by the SAQ job and by ``tutor train``. Heavy work runs in a worker thread; progress (step, loss,
epsilon so far) is written to the run row from there so ``GET /v1/training/runs/{id}`` can show it.
A failure of any kind leaves the run ``failed`` with a message; the epsilon charged stays charged.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

import anyio
import anyio.from_thread
import anyio.to_thread
import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.training.bound import cap_per_learner
from adapters.training.config import TrainingSettings
from adapters.training.dataset import BelleExample, dataset_hash
from adapters.training.evaluate import EvalScores, score_adapter
from adapters.training.trainer import DPTrainConfig, TrainProgress, TrainResult, train_dp_lora
from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.db.models.training import TrainingRun, TrainingRunLearner
from tutor.errors import ConflictError, NotFoundError, TutorError
from tutor.training.data import consented_learners, heldout_examples, learner_examples
from tutor.training.registry import active_run, gate_against_active, write_card

__all__ = ["execute_run", "math_check"]

log = logging.getLogger(__name__)
_ANSWER_KINDS = ("number", "expression", "equation", "inequality", "pair", "set")


def math_check(candidate: str, reference: str) -> bool:
    """Ask the math engine: the first answer kind the reference reads as decides."""
    from tutor.math.grading import grade_answer_sync

    for kind in _ANSWER_KINDS:
        try:
            return grade_answer_sync(reference, kind, candidate).correct
        except TutorError:
            continue
    return candidate.strip() == reference.strip()


async def _start(session: AsyncSession, run_id: UUID) -> TrainingRun:
    run = await session.get(TrainingRun, run_id, with_for_update=True)
    if run is None:
        raise NotFoundError(f"Training run {run_id} does not exist.")
    if run.status != "queued":
        raise ConflictError(f"Training run {run_id} is '{run.status}', not queued.")
    run.status = "running"
    run.started_at = datetime.now(UTC)
    return run


async def _finish(
    session_maker: async_sessionmaker[AsyncSession], run_id: UUID, update: Callable[[TrainingRun], Any]
) -> TrainingRun:
    async with session_maker() as session:
        run = await session.get(TrainingRun, run_id)
        assert run is not None
        update(run)
        run.finished_at = datetime.now(UTC)
        if run.status == "succeeded":
            run.card = write_card(run)
        await record_event(
            session,
            kind=kinds.MODEL_TRAINING_RUN,
            actor_id=run.requested_by,
            actor_role="admin" if run.requested_by else None,
            learner_id=None,
            school_id=run.school_id,
            payload={
                "run_id": str(run.id),
                "adapter": run.adapter_name,
                "version": run.adapter_version,
                "status": run.status,
                "epsilon": run.epsilon,
                "delta": run.delta,
                "accountant": run.accountant,
                "learner_count": run.learner_count,
                "dataset_hash": run.dataset_hash,
            },
        )
        await session.commit()
        return run


async def execute_run(
    session_maker: async_sessionmaker[AsyncSession],
    run_id: UUID,
    cfg: TrainingSettings,
    *,
    progress: Callable[[TrainProgress], None] | None = None,
    seed: int | None = None,
) -> TrainingRun:
    """Run an accepted (queued) training run to completion; returns the final run row."""
    async with session_maker() as session:
        run = await _start(session, run_id)
        charged = list(
            await session.scalars(
                select(TrainingRunLearner.learner_id).where(TrainingRunLearner.run_id == run_id)
            )
        )
        # Consent revoked since the run was accepted: that learner's data is dropped now.
        still = set(await consented_learners(session, run.school_id))
        examples = await learner_examples(session, run.school_id, [lid for lid in charged if lid in still])
        heldout = await heldout_examples(session, run.school_id)
        active = await active_run(session, run.school_id, run.adapter_name)
        active_id = None if active is None else str(active.id)
        active_dir = None if active is None else active.adapter_dir
        fields = (run.base_model, run.adapter_name, run.adapter_version, run.epsilon)
        config = DPTrainConfig(
            epochs=run.epochs,
            expected_batch_size=run.batch_learners,
            delta=run.delta,
            target_epsilon=None,
            noise_multiplier=run.noise_multiplier,
            max_grad_norm=run.max_grad_norm,
            accountant="rdp" if run.accountant == "rdp" else "prv",
            learning_rate=cfg.learning_rate,
            max_seq_len=cfg.max_seq_len,
            examples_per_learner=run.examples_per_learner,
            seed=seed,
        )
        await session.commit()
    base_model, adapter_name, version, charged_epsilon = fields
    loop_progress = _progress_writer(session_maker, run_id, progress)
    try:
        pools = cap_per_learner(examples, config.examples_per_learner, seed=seed or secrets.randbits(32))
        plan = config.plan(pools.learner_count)
        if plan.epsilon > charged_epsilon * (1 + 1e-6):
            raise ConflictError(
                f"Consent changes since the run was accepted would raise its epsilon to {plan.epsilon:.3g} "
                f"(charged {charged_epsilon:.3g}); start a new run."
            )
        output_dir = cfg.adapter_root / adapter_name / f"v{version}"
        result: TrainResult = await anyio.to_thread.run_sync(
            partial(train_dp_lora, Path(base_model), pools, config, output_dir, progress=loop_progress)
        )
        eval_scores = await _evaluate(cfg, Path(base_model), output_dir, heldout, active_id, active_dir)
    except Exception as exc:
        message = exc.message if isinstance(exc, TutorError) else f"{type(exc).__name__}: {exc}"
        log.warning("training run %s failed: %s", run_id, type(exc).__name__)

        def failed(run: TrainingRun) -> None:
            run.status = "failed"
            run.error = message[:2000]

        return await _finish(session_maker, run_id, failed)

    def done(run: TrainingRun) -> None:
        run.status = "succeeded" if result.sanity.passed else "failed"
        run.error = " ".join(result.sanity.failures()) or None
        run.sanity_passed = result.sanity.passed
        run.epsilon_spent = result.epsilon_spent
        run.dataset_hash = result.dataset_hash
        run.learner_count = pools.learner_count
        run.example_count = pools.example_count
        run.progress_step = result.steps
        run.progress_epsilon = result.epsilon_spent
        run.adapter_dir = str(output_dir.resolve())
        run.eval_scores = eval_scores
        run.gate_passed = gate_against_active(run, active, cfg.gate_margin).passed if eval_scores else False

    return await _finish(session_maker, run_id, done)


async def _evaluate(
    cfg: TrainingSettings,
    base_model: Path,
    adapter_dir: Path,
    heldout: list[BelleExample],
    active_id: str | None,
    active_dir: str | None,
) -> dict[str, Any] | None:
    """Candidate scores, plus the active adapter re-scored on the same held-out set for the gate."""
    if not heldout:
        return None

    def score(adapter: Path) -> EvalScores:
        return score_adapter(
            base_model,
            adapter,
            heldout,
            math_check,
            max_new_tokens=cfg.eval_max_new_tokens,
            max_seq_len=cfg.max_seq_len,
        )

    scores: dict[str, Any] = msgspec.to_builtins(await anyio.to_thread.run_sync(score, adapter_dir))
    scores["heldout_hash"] = dataset_hash(heldout)
    if active_id is not None and active_dir:

        def score_active() -> EvalScores | None:
            return score(Path(active_dir)) if Path(active_dir).is_dir() else None

        rescored = await anyio.to_thread.run_sync(score_active)
        if rescored is not None:
            scores["active_run_id"] = active_id
            scores["active_rescored"] = msgspec.to_builtins(rescored)
    return scores


def _progress_writer(
    session_maker: async_sessionmaker[AsyncSession],
    run_id: UUID,
    extra: Callable[[TrainProgress], None] | None,
) -> Callable[[TrainProgress], None]:
    """A callback for the training thread: store progress on the run row, then call ``extra``."""

    async def save(p: TrainProgress) -> None:
        async with session_maker() as session:
            run = await session.get(TrainingRun, run_id)
            if run is not None:
                run.progress_step = p.step
                run.progress_loss = p.loss
                run.progress_epsilon = p.epsilon
                await session.commit()

    def callback(p: TrainProgress) -> None:
        anyio.from_thread.run(save, p)
        if extra is not None:
            extra(p)

    return callback
