"""The checked-output path: nothing the model writes reaches a learner unverified.

The problem is first solved symbolically (so an unreadable problem is a 422 before any model time is
spent, and a fallback is ready). The model's solution is split into steps and passed to the math
engine's step verifier; a wrong final answer or an invalid step gets one retry with sampling, then
the symbolic solver's own checked steps are returned with ``source="solver"`` and the reason.
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
from tutor.math.verifier import MAX_STEPS, StepVerification, verify_steps_async
from tutor.tutoring.schemas import CheckedSolutionOut, ModelProvenance, StepVerdictOut

__all__ = ["ModelAttempt", "SolveOutcome", "check_model_text", "retry_params", "solve_checked"]


@dataclass(frozen=True, slots=True)
class ModelAttempt:
    """One generation and its verification, kept for the audit log."""

    result: GenerationResult | None
    text: str
    params: GenerationParams
    verification: StepVerification
    accepted: bool

    def verdict(self, attempt: int) -> dict[str, object]:
        v = self.verification
        return {
            "attempt": attempt,
            "accepted": self.accepted,
            "final_answer_correct": v.final_answer_correct,
            "all_steps_valid": v.all_steps_valid,
            "first_invalid_step": v.first_invalid_step,
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


def _accepted(steps: Sequence[str], v: StepVerification) -> bool:
    return bool(steps) and v.final_answer_correct is True and v.first_invalid_step is None


async def check_model_text(
    problem: str, text: str, params: GenerationParams, result: GenerationResult | None
) -> ModelAttempt:
    """Parse one model output and run the step verifier on it (sandboxed)."""
    parsed = parse_solution(text)
    steps = parsed.steps[:MAX_STEPS]
    verification = await verify_steps_async(problem, steps, parsed.final_answer)
    return ModelAttempt(result, text, params, verification, _accepted(steps, verification))


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
                verdict=s.verdict if s.verdict in ("valid", "invalid", "unparseable") else "unchecked",  # type: ignore[arg-type]
                detail=s.reason,
            )
            for s in v.steps
        ],
        final_answer=parse_solution(attempt.text).final_answer,
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
    plan = [base, retry_params(base)][len(attempts) :]
    for step_params in plan:
        if attempts and attempts[-1].accepted:
            break
        [result] = await engine.generate(
            [GenerationRequest(prompt=prompt.text, params=step_params, adapter=adapter)]
        )
        attempts.append(await check_model_text(problem, result.text, step_params, result))
    last = attempts[-1]
    provenance = provenance_of(last.result, engine, prompt.template_id)
    if last.accepted:
        source = "model" if len(attempts) == 1 else "model_retry"
        answer = _from_model(problem, last, source, len(attempts), provenance)
    else:
        answer = from_solver(problem, reference, len(attempts), fallback_reason(attempts), provenance)
    return SolveOutcome(answer=answer, attempts=attempts, prompt=prompt, reference=reference)
