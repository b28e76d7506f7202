"""Use cases behind the model routes: solve with the model (checked), record what it said.

:func:`llm_solve` is the hook the math controller calls for ``POST /v1/solve`` with
``engine="llm"``; it returns the same checked shape the streaming route ends with.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm import GenerationParams
from adapters.llm.params import enforce_compute_cap
from tutor.audit.ai_content import input_hash, input_text
from tutor.audit.kinds import MODEL_OUTPUT_HINT, MODEL_OUTPUT_SOLUTION
from tutor.auth.principal import Principal
from tutor.db.session import end_transaction_before_model_call
from tutor.math.schemas import SolveIn, SolveOut, SolveStepOut, step_out
from tutor.settings import Settings
from tutor.tutoring.audit import record_model_output
from tutor.tutoring.checking import SolveOutcome, provenance_of, solve_checked
from tutor.tutoring.engine import get_engine, served_adapter
from tutor.tutoring.hints import hint_checked
from tutor.tutoring.schemas import CheckedSolutionOut, HintOut

__all__ = ["llm_hint", "llm_solve", "persist_shielded", "record_solve_outcome", "solve_out_with_llm"]


async def record_solve_outcome(
    session: AsyncSession, principal: Principal, outcome: SolveOutcome, engine_name: Any
) -> None:
    """One audit event per model attempt, each with its verdict; the last says if we fell back."""
    for number, attempt in enumerate(outcome.attempts, start=1):
        verdict = attempt.verdict(number)
        if number == len(outcome.attempts):
            verdict["served"] = outcome.answer.source
        await record_model_output(
            session,
            kind=MODEL_OUTPUT_SOLUTION,
            principal=principal,
            learner_id=principal.id if principal.is_student else None,
            provenance=provenance_of(attempt.result, engine_name, outcome.prompt.template_id),
            params=attempt.params,
            output=attempt.text,
            verdict=verdict,
            inputs=input_text("problem", outcome.answer.problem),
        )


async def llm_solve(
    state: State,
    settings: Settings,
    session: AsyncSession,
    principal: Principal,
    problem: str,
    *,
    lang: str = "zh",
    adapter: str | None = None,
    params: GenerationParams | None = None,
) -> CheckedSolutionOut:
    """Hook for ``POST /v1/solve`` with ``engine=llm``: model steps checked by the math engine.

    Raises 503 (no model configured / busy) and 422 (unreadable problem, bad params) as TutorErrors.
    Audit events are written into ``session`` (the request's transaction).
    """
    engine = get_engine(state, settings)
    adapter = await served_adapter(session, engine, adapter, principal)
    outcome = await solve_checked(engine, problem, lang=lang, params=params, adapter=adapter)
    await record_solve_outcome(session, principal, outcome, engine)
    return outcome.answer


async def solve_out_with_llm(state: State, principal: Principal, data: SolveIn) -> SolveOut:
    """``POST /v1/solve`` with ``engine="llm"`` in the math route's own response shape.

    One line in the math controller: ``return await solve_out_with_llm(request.app.state,
    request.user, data)``. Audit events go in their own transaction (the math route has no session).
    """
    settings: Settings = state.settings
    engine = get_engine(state, settings)
    async with state.session_maker() as session:
        adapter = await served_adapter(session, engine, None, principal)
    params = None if data.params is None else enforce_compute_cap(data.params, principal.role)
    outcome = await solve_checked(engine, data.problem, lang=data.language, params=params, adapter=adapter)

    async def audit(session: AsyncSession) -> None:
        await record_solve_outcome(session, principal, outcome, engine)

    await persist_shielded(state, audit)
    answer, reference = outcome.answer, outcome.reference
    if answer.source == "solver":
        return SolveOut(
            kind=reference.kind,
            engine="symbolic",
            steps=[step_out(s, data.language) for s in reference.steps],
            answer=reference.answer,
            answer_kind=reference.answer_kind,
            verification=answer.fallback_reason or "symbolic fallback",
        )
    return SolveOut(
        kind=reference.kind,
        engine="llm",
        steps=[
            SolveStepOut(
                latex=s.text,
                rule="model",
                explanation=s.detail or "",
                verdict="unparseable" if s.verdict == "unchecked" else s.verdict,  # never served
            )
            for s in answer.steps
        ],
        answer=answer.final_answer or reference.answer,
        answer_kind=reference.answer_kind,
        verification=(
            f"model steps checked by the math engine's step verifier; final answer correct"
            f" (attempt {answer.attempts})"
        ),
    )


async def llm_hint(
    state: State,
    settings: Settings,
    session: AsyncSession,
    principal: Principal,
    problem: str,
    *,
    work: str = "",
    lang: str = "zh",
    adapter: str | None = None,
    params: GenerationParams | None = None,
) -> HintOut:
    """A Socratic next-step hint, checked not to reveal the answer; every attempt audited."""
    engine = get_engine(state, settings)
    adapter = await served_adapter(session, engine, adapter, principal)
    await end_transaction_before_model_call(session)
    outcome = await hint_checked(engine, problem, work=work, lang=lang, params=params, adapter=adapter)
    for number, attempt in enumerate(outcome.attempts, start=1):
        await record_model_output(
            session,
            kind=MODEL_OUTPUT_HINT,
            principal=principal,
            learner_id=principal.id if principal.is_student else None,
            provenance=provenance_of(attempt.result, engine, outcome.template_id),
            params=attempt.params,
            output=attempt.result.text,
            inputs={**input_text("problem", problem), **input_hash("work", work)},
            verdict={
                "attempt": number,
                "reveals_answer_or_empty": attempt.leaks,
                "rejected_because": attempt.reason,
                "served": outcome.answer.source if number == len(outcome.attempts) else None,
            },
        )
    return outcome.answer


async def persist_shielded(state: State, work: Callable[[AsyncSession], Awaitable[None]]) -> None:
    """Run ``work`` in its own committed transaction, even when the caller is being cancelled.

    Streaming responses outlive the request's session, and a client that disconnects cancels the
    stream: what the model already said must still reach the audit log.
    """
    with anyio.CancelScope(shield=True):
        async with state.session_maker() as session, session.begin():
            await work(session)
