"""Adapter registry: which trained version of an adapter is served, with audited activation/rollback.

Activation re-applies the evaluation gate against the adapter active *now* (scores are stored with each
run), so a candidate that passed against an older adapter cannot replace a better one. Rollback marks
the current activation rolled back; the newest activation not rolled back is what is served, so
repeated rollbacks walk back through history and the last one returns to the startup default.
Serving honours this per request: ``tutor.tutoring.engine.served_adapter``. Everything is per school:
one school's activation or rollback never changes what another school's learners are served.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.training.evaluate import EvalScores
from adapters.training.gate import GateDecision, passes_gate
from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.auth.principal import Principal
from tutor.db.models.training import AdapterActivation, TrainingRun
from tutor.errors import ConflictError, NotFoundError

__all__ = [
    "activate",
    "active_run",
    "card_for",
    "current_activation",
    "gate_against_active",
    "rollback",
    "write_card",
]


def card_for(run: TrainingRun) -> dict[str, Any]:
    """The adapter card: every ledger field plus evaluation and sanity results (no personal data)."""
    return {
        "adapter": {"name": run.adapter_name, "version": run.adapter_version, "base_model": run.base_model},
        "privacy": {
            "unit": "learner",
            "guarantee": "user-level (epsilon, delta)-DP; see adapters/training/GUARANTEE.md",
            "epsilon": run.epsilon,
            "epsilon_spent": run.epsilon_spent,
            "delta": run.delta,
            "accountant": run.accountant,
            "noise_multiplier": run.noise_multiplier,
            "max_grad_norm": run.max_grad_norm,
            "steps": run.steps,
            "sample_rate": run.sample_rate,
            "epochs": run.epochs,
            "batch_learners": run.batch_learners,
            "examples_per_learner": run.examples_per_learner,
        },
        "data": {
            "dataset_hash": run.dataset_hash,
            "learner_count": run.learner_count,
            "example_count": run.example_count,
        },
        "evaluation": run.eval_scores,
        "sanity_passed": run.sanity_passed,
        "gate_passed": run.gate_passed,
        "run_id": str(run.id),
    }


def write_card(run: TrainingRun) -> dict[str, Any]:
    card = card_for(run)
    if run.adapter_dir:
        (Path(run.adapter_dir) / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False))
    return card


async def current_activation(
    session: AsyncSession, school_id: UUID, adapter_name: str
) -> AdapterActivation | None:
    return await session.scalar(
        select(AdapterActivation)
        .where(
            AdapterActivation.school_id == school_id,
            AdapterActivation.adapter_name == adapter_name,
            AdapterActivation.rolled_back_at.is_(None),
        )
        .order_by(AdapterActivation.created_at.desc(), AdapterActivation.id.desc())
        .limit(1)
    )


async def active_run(session: AsyncSession, school_id: UUID, adapter_name: str) -> TrainingRun | None:
    """The run whose adapter the school's learners get for ``adapter_name`` (None: the deployment's)."""
    activation = await current_activation(session, school_id, adapter_name)
    return None if activation is None else await session.get(TrainingRun, activation.run_id)


def _scores(run: TrainingRun | None) -> EvalScores | None:
    if run is None or not run.eval_scores:
        return None
    scores = {k: v for k, v in run.eval_scores.items() if k in EvalScores.__struct_fields__}
    return EvalScores(**scores)


def gate_against_active(candidate: TrainingRun, active: TrainingRun | None, margin: float) -> GateDecision:
    """The gate on stored scores, preferring the active adapter re-scored on the candidate's held-out set."""
    scores = _scores(candidate)
    if scores is None or candidate.eval_scores is None:
        return GateDecision(passed=False, margin=margin, reasons=["The adapter has no evaluation scores."])
    if active is None or active.id == candidate.id:
        return passes_gate(scores, None, margin)
    rescored = candidate.eval_scores.get("active_rescored")
    if rescored and candidate.eval_scores.get("active_run_id") == str(active.id):
        active_scores: EvalScores | None = EvalScores(
            **{k: v for k, v in rescored.items() if k in EvalScores.__struct_fields__}
        )
    else:
        active_scores = _scores(active)
    return passes_gate(scores, active_scores, margin)


async def _run_for(session: AsyncSession, principal: Principal, name: str, version: int) -> TrainingRun:
    run = await session.scalar(
        select(TrainingRun).where(
            TrainingRun.adapter_name == name,
            TrainingRun.adapter_version == version,
            TrainingRun.school_id == principal.school_id,
        )
    )
    if run is None:
        raise NotFoundError(f"Adapter {name} version {version} does not exist.")
    return run


async def activate(
    session: AsyncSession, principal: Principal, name: str, version: int, margin: float
) -> TrainingRun:
    """Serve ``name`` version ``version``: it must have trained cleanly and pass the gate right now."""
    run = await _run_for(session, principal, name, version)
    if run.status != "succeeded" or not run.sanity_passed:
        raise ConflictError(
            f"Adapter {name} v{version} cannot be activated: its training run is '{run.status}'"
            + ("" if run.sanity_passed else " and did not pass the sanity checks")
            + ".",
            code="adapter_not_ready",
        )
    current = await current_activation(session, principal.school_id, name)
    if current is not None and current.run_id == run.id:
        return run
    active = None if current is None else await session.get(TrainingRun, current.run_id)
    decision = gate_against_active(run, active, margin)
    if not decision.passed:
        raise ConflictError(
            f"Adapter {name} v{version} is worse than the active adapter: " + " ".join(decision.reasons),
            code="evaluation_gate_failed",
            reasons=decision.reasons,
        )
    session.add(
        AdapterActivation(
            school_id=principal.school_id,
            adapter_name=name,
            run_id=run.id,
            action="activate",
            actor_id=principal.id,
        )
    )
    await session.flush()
    await record_event(
        session,
        kind=kinds.ADAPTER_ACTIVATED,
        actor_id=principal.id,
        actor_role=principal.role,
        learner_id=None,
        school_id=principal.school_id,
        payload={
            "adapter": name,
            "version": version,
            "run_id": str(run.id),
            "previous_run_id": None if active is None else str(active.id),
            "epsilon": run.epsilon,
        },
    )
    return run


async def rollback(session: AsyncSession, principal: Principal, name: str) -> TrainingRun | None:
    """Undo the current activation; returns the run now served (None: the startup default)."""
    current = await current_activation(session, principal.school_id, name)
    if current is None:
        raise ConflictError(
            f"Adapter {name} has no active version to roll back.", code="nothing_to_roll_back"
        )
    current_run = await session.get(TrainingRun, current.run_id)
    if current_run is None or current_run.school_id != principal.school_id:
        raise NotFoundError(f"Adapter {name} does not exist.")
    current.rolled_back_at = datetime.now(UTC)
    await session.flush()
    now_active = await active_run(session, principal.school_id, name)
    await record_event(
        session,
        kind=kinds.ADAPTER_ROLLED_BACK,
        actor_id=principal.id,
        actor_role=principal.role,
        learner_id=None,
        school_id=principal.school_id,
        payload={
            "adapter": name,
            "from_version": current_run.adapter_version,
            "from_run_id": str(current_run.id),
            "to_version": None if now_active is None else now_active.adapter_version,
            "to_run_id": None if now_active is None else str(now_active.id),
        },
    )
    return now_active
