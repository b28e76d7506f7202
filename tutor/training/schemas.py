"""API shapes for training runs, the privacy ledger and the adapter registry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from tutor.db.models.training import TrainingRun

__all__ = ["ActiveAdapterOut", "LedgerOut", "RunIn", "RunOut", "run_out"]

AdapterName = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9._-]{0,99}$", max_length=100)]


class RunIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A training request; unset numbers take the server's ``TUTOR_TRAINING_*`` defaults."""

    adapter_name: AdapterName = "math"
    target_epsilon: Annotated[float, msgspec.Meta(gt=0, le=50)] | None = None
    noise_multiplier: Annotated[float, msgspec.Meta(ge=0.1, le=100)] | None = None
    epochs: Annotated[int, msgspec.Meta(ge=1, le=100)] | None = None
    batch_learners: Annotated[int, msgspec.Meta(ge=1, le=100_000)] | None = None
    delta: Annotated[float, msgspec.Meta(gt=0, lt=0.1)] | None = None


class RunOut(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    status: str
    base_model: str
    adapter_name: str
    adapter_version: int
    learner_count: int
    example_count: int
    epsilon: float
    epsilon_spent: float | None
    delta: float
    accountant: str
    noise_multiplier: float
    max_grad_norm: float
    steps: int
    sample_rate: float
    epochs: int
    dataset_hash: str | None
    progress_step: int
    progress_loss: float | None
    progress_epsilon: float | None
    sanity_passed: bool | None
    gate_passed: bool | None
    eval_scores: dict[str, Any] | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def run_out(run: TrainingRun) -> RunOut:
    return RunOut(
        id=run.id,
        status=run.status,
        base_model=run.base_model,
        adapter_name=run.adapter_name,
        adapter_version=run.adapter_version,
        learner_count=run.learner_count,
        example_count=run.example_count,
        epsilon=run.epsilon,
        epsilon_spent=run.epsilon_spent,
        delta=run.delta,
        accountant=run.accountant,
        noise_multiplier=run.noise_multiplier,
        max_grad_norm=run.max_grad_norm,
        steps=run.steps,
        sample_rate=run.sample_rate,
        epochs=run.epochs,
        dataset_hash=run.dataset_hash,
        progress_step=run.progress_step,
        progress_loss=run.progress_loss,
        progress_epsilon=run.progress_epsilon,
        sanity_passed=run.sanity_passed,
        gate_passed=run.gate_passed,
        eval_scores=run.eval_scores,
        error=run.error,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


class LedgerOut(msgspec.Struct, frozen=True, kw_only=True):
    """The school's ledger page plus where its budgets stand."""

    items: list[RunOut]
    total: int
    limit: int
    offset: int
    epsilon_spent_total: float
    global_epsilon_cap: float
    learner_epsilon_cap: float
    max_learner_epsilon: float


class ActiveAdapterOut(msgspec.Struct, frozen=True, kw_only=True):
    """Which version of an adapter is served; ``None`` means the bare base model."""

    adapter_name: str
    active_version: int | None
    run_id: UUID | None
