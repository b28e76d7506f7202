"""Socratic hints, checked: a hint that gives the answer away is not a hint.

The model's hint goes through :func:`tutor.tutoring.replies.check_reply_sync`: rejected when empty,
unsafe, an echo of the instructions, when it contains a ``\\boxed{}`` or an answer the math engine
grades as the problem's answer, or when a relation in it is wrong or unreadable; one sampled retry,
then a hint built from the symbolic solver's next step.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.llm import (
    GenerationParams,
    GenerationRequest,
    GenerationResult,
    LLMEngine,
    defaults_for,
    render,
)
from tutor.errors import UnprocessableError
from tutor.math.extraction import extract_answer, find_boxed
from tutor.math.grading import grade_answer
from tutor.math.sandbox import run_sandboxed
from tutor.math.solver import solve_problem
from tutor.math.steps import Solution
from tutor.tutoring.checking import provenance_of, retry_params
from tutor.tutoring.replies import ReplyVerdict, check_reply_sync, next_step_text
from tutor.tutoring.schemas import HintOut

__all__ = ["HintAttempt", "HintOutcome", "hint_checked", "reveals_answer"]


@dataclass(frozen=True, slots=True)
class HintAttempt:
    result: GenerationResult
    params: GenerationParams
    leaks: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class HintOutcome:
    answer: HintOut
    attempts: list[HintAttempt]
    template_id: str


async def reveals_answer(text: str, reference: Solution) -> bool:
    """True when the text boxes an answer or states the problem's answer."""
    if find_boxed(text) is not None:
        return True
    candidate = extract_answer(text)
    if not candidate:
        return False
    try:
        return (await grade_answer(reference.answer, reference.answer_kind, candidate)).correct
    except UnprocessableError:
        return False


def _solver_hint(reference: Solution, lang: str) -> str:
    return next_step_text(reference, lang, 1)


async def hint_checked(
    engine: LLMEngine,
    problem: str,
    *,
    work: str = "",
    lang: str = "zh",
    params: GenerationParams | None = None,
    adapter: str | None = None,
) -> HintOutcome:
    reference: Solution = await run_sandboxed(solve_problem, problem)
    prompt = render(
        "hint", lang, problem=problem, work=work or ("(还没有)" if lang == "zh" else "(none yet)")
    )
    base = params or defaults_for("hint")
    attempts: list[HintAttempt] = []
    instructions = prompt.text.replace(problem, " ")  # the template: what an echo would copy
    if work:
        instructions = instructions.replace(work, " ")
    for step_params in (base, retry_params(base)):
        request = GenerationRequest(prompt=prompt.text, params=step_params, adapter=adapter)
        [result] = await engine.generate([request])
        verdict: ReplyVerdict = await run_sandboxed(check_reply_sync, problem, result.text, instructions)
        leaks = not verdict.ok
        attempts.append(HintAttempt(result, step_params, leaks, verdict.reason))
        if not leaks:
            break
    last = attempts[-1]
    provenance = provenance_of(last.result, engine, prompt.template_id)
    if not last.leaks:
        answer = HintOut(
            text=last.result.text,
            source="model" if len(attempts) == 1 else "model_retry",
            provenance=provenance,
        )
        return HintOutcome(answer, attempts, prompt.template_id)
    reason = (
        f"After {len(attempts)} model attempts the hint did not pass its check"
        f" ({last.reason}); using the solver's next step."
    )
    answer = HintOut(
        text=_solver_hint(reference, lang), source="solver", provenance=provenance, fallback_reason=reason
    )
    return HintOutcome(answer, attempts, prompt.template_id)
