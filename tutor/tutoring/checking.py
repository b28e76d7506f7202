"""The checked-output path: nothing the model writes reaches a learner unverified.

The problem is first solved symbolically (so an unreadable problem is a 422 before any model time is
spent, and a fallback is ready). The model's solution is split into steps, every claim in every step
is read (:mod:`tutor.tutoring.reading`) and checked (:mod:`tutor.tutoring.step_check`); a wrong final
answer, a wrong step or an unreadable step that states a relation gets one retry with sampling, then
the symbolic solver's own checked steps are returned with ``source="solver"`` and the reason. With
``num_return_sequences > 1`` every returned sequence is checked and the first that passes is served.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from adapters.llm import (
    GenerationParams,
    GenerationRequest,
    GenerationResult,
    LLMEngine,
    RenderedPrompt,
    defaults_for,
    parse_solution,
    render,
)
from tutor.math.sandbox import run_sandboxed
from tutor.math.solver import solve_problem
from tutor.math.steps import Solution
from tutor.math.verifier import StepVerification
from tutor.tutoring.schemas import CheckedSolutionOut, ModelProvenance, StepVerdictOut
from tutor.tutoring.step_check import SolutionCheck, check_solution_sync

__all__ = ["ModelAttempt", "SolveOutcome", "check_model_text", "retry_params", "solve_checked"]


@dataclass(frozen=True, slots=True)
class ModelAttempt:
    """One generation and its verification, kept for the audit log."""

    result: GenerationResult | None
    text: str
    params: GenerationParams
    verification: StepVerification
    accepted: bool
    final_answer: str | None = None
    first_unreadable_step: int | None = None
    sequence: int = 0

    def verdict(self, attempt: int) -> dict[str, object]:
        v = self.verification
        return {
            "attempt": attempt,
            "sequence": self.sequence,
            "accepted": self.accepted,
            "final_answer_correct": v.final_answer_correct,
            "all_steps_valid": v.all_steps_valid,
            "first_invalid_step": v.first_invalid_step,
            "first_unreadable_step": self.first_unreadable_step,
            "steps": [s.verdict for s in v.steps],
        }


@dataclass(frozen=True, slots=True)
class SolveOutcome:
    answer: CheckedSolutionOut
    attempts: list[ModelAttempt]
    prompt: RenderedPrompt
    reference: Solution


def retry_params(first: GenerationParams) -> GenerationParams:
    """The retry samples (a different path through the problem), keeping the length budget."""
    return msgspec.structs.replace(
        first, do_sample=True, num_beams=1, num_return_sequences=1, temperature=0.7, top_p=0.95, top_k=50
    )


async def check_model_text(
    problem: str, text: str, params: GenerationParams, result: GenerationResult | None, sequence: int = 0
) -> ModelAttempt:
    """Read and check one model output, every claim of every step (sandboxed)."""
    check: SolutionCheck = await run_sandboxed(check_solution_sync, problem, text)
    return ModelAttempt(
        result,
        text,
        params,
        check.verification,
        check.accepted,
        check.final_answer,
        check.first_unreadable_step,
        sequence,
    )


async def check_sequences(
    problem: str, result: GenerationResult, params: GenerationParams
) -> list[ModelAttempt]:
    """Every returned sequence checked, stopping at the first that passes (it is the one served)."""
    attempts: list[ModelAttempt] = []
    for number, text in enumerate(result.texts):
        attempts.append(await check_model_text(problem, text, params, result, number))
        if attempts[-1].accepted:
            break
    return attempts


def _from_model(
    problem: str, attempt: ModelAttempt, source: str, count: int, provenance: ModelProvenance
) -> CheckedSolutionOut:
    v = attempt.verification
    return CheckedSolutionOut(
        problem=problem,
        source="model" if source == "model" else "model_retry",
        steps=[
            StepVerdictOut(
                index=s.index,
                text=s.text,
                verdict=s.verdict  # type: ignore[arg-type]
                if s.verdict in ("valid", "invalid", "unparseable", "explanation")
                else "unchecked",
                detail=s.reason,
            )
            for s in v.steps
        ],
        final_answer=attempt.final_answer,
        answer_correct=v.final_answer_correct,
        attempts=count,
        provenance=provenance,
    )


def from_solver(
    problem: str, solution: Solution, count: int, reason: str, provenance: ModelProvenance | None
) -> CheckedSolutionOut:
    """The symbolic solver's steps: every one was checked equivalent when it was produced."""
    return CheckedSolutionOut(
        problem=problem,
        source="solver",
        steps=[
            StepVerdictOut(index=i, text=step.latex, verdict="valid", detail=step.rule)
            for i, step in enumerate(solution.steps)
        ],
        final_answer=solution.answer,
        answer_correct=True,
        attempts=count,
        fallback_reason=reason,
        provenance=provenance,
    )


def fallback_reason(attempts: Sequence[ModelAttempt]) -> str:
    last = attempts[-1].verification
    if not parse_solution(attempts[-1].text).steps:
        why = "the model's answer had no steps"
    elif last.first_invalid_step is not None:
        why = f"step {last.first_invalid_step + 1} of the model's answer was not valid"
    elif attempts[-1].first_unreadable_step is not None:
        why = f"step {attempts[-1].first_unreadable_step + 1} of the model's answer could not be read"
    elif last.final_answer_correct is None:
        why = "the model gave no final answer in \\boxed{}"
    else:
        why = "the model's final answer was wrong"
    return f"After {len(attempts)} model attempts, {why}; showing the symbolic solver's checked solution."


def provenance_of(result: GenerationResult | None, engine: LLMEngine, template_id: str) -> ModelProvenance:
    model = result.model if result is not None else getattr(engine, "model_name", engine.name)
    adapter = result.adapter.key if result is not None and result.adapter else None
    return ModelProvenance(model=model, adapter=adapter, template=template_id)


async def solve_checked(
    engine: LLMEngine,
    problem: str,
    *,
    lang: str = "zh",
    params: GenerationParams | None = None,
    adapter: str | None = None,
    first: ModelAttempt | None = None,
) -> SolveOutcome:
    """Model solution checked step by step; one sampled retry; then the symbolic solver.

    ``first`` is an attempt already made (the streamed one): only the retry/fallback remain.
    """
    reference: Solution = await run_sandboxed(solve_problem, problem)
    prompt = render("solution", lang, problem=problem)
    base = params or defaults_for("solution")
    attempts: list[ModelAttempt] = [first] if first is not None else []
    plan = [base, retry_params(base)][min(len(attempts), 1) :]
    generations = 1 if attempts else 0
    for step_params in plan:
        if attempts and attempts[-1].accepted:
            break
        [result] = await engine.generate(
            [GenerationRequest(prompt=prompt.text, params=step_params, adapter=adapter)]
        )
        generations += 1
        attempts.extend(await check_sequences(problem, result, step_params))
    last = attempts[-1]
    provenance = provenance_of(last.result, engine, prompt.template_id)
    if last.accepted:
        source = "model" if generations == 1 else "model_retry"
        answer = _from_model(problem, last, source, len(attempts), provenance)
    else:
        answer = from_solver(problem, reference, len(attempts), fallback_reason(attempts), provenance)
    return SolveOutcome(answer=answer, attempts=attempts, prompt=prompt, reference=reference)
