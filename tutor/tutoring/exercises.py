"""Exercise generation: the model proposes, the math engine disposes.

A generated exercise is kept only when the symbolic engine can solve its stem and its own answer
matches the model's; kept items enter the bank with ``origin="model"``, ``verified=True`` and a
difficulty prior from the requested target difficulty.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm import (
    GeneratedExercise,
    GenerationRequest,
    LLMEngine,
    defaults_for,
    parse_exercises,
    render,
)
from tutor.audit.kinds import MODEL_OUTPUT_EXERCISE
from tutor.auth.principal import Principal
from tutor.db.models import Item, KnowledgePoint
from tutor.db.session import end_transaction_before_model_call
from tutor.errors import NotFoundError, TutorError
from tutor.learning.difficulty import difficulty_for_target
from tutor.math.grading import grade_answer
from tutor.math.sandbox import run_sandboxed
from tutor.math.solver import solve_problem
from tutor.math.steps import Solution
from tutor.tutoring.audit import record_model_output
from tutor.tutoring.checking import provenance_of
from tutor.tutoring.schemas import (
    ExerciseGenerateRequest,
    ExerciseGenerateResponse,
    generated_item_out,
)

__all__ = ["CandidateVerdict", "difficulty_prior", "generate_with_llm", "verify_candidates"]


class CandidateVerdict(msgspec.Struct, frozen=True):
    """Whether one proposed exercise survived checking, with the engine's own solution if so."""

    stem: str
    kept: bool
    reason: str
    answer: str | None = None
    answer_kind: str | None = None


def difficulty_prior(target: float) -> float:
    """Requested difficulty in [0, 1] (= 1 - target P(correct) for a typical learner) -> the item's
    point-relative logit ``b`` (one scale across the API: `tutor.learning.difficulty`)."""
    p = min(max(1.0 - target, 0.02), 0.98)
    return difficulty_for_target(p)


async def verify_candidates(candidates: Sequence[GeneratedExercise]) -> list[CandidateVerdict]:
    """Solve each stem symbolically and compare with the proposed answer (both sandboxed)."""
    verdicts: list[CandidateVerdict] = []
    seen: set[str] = set()
    for candidate in candidates:
        stem = candidate.stem.strip()
        if stem in seen:
            verdicts.append(CandidateVerdict(stem, False, "duplicate"))
            continue
        seen.add(stem)
        try:
            solution: Solution = await run_sandboxed(solve_problem, stem)
            graded = await grade_answer(solution.answer, solution.answer_kind, candidate.answer)
        except TutorError as exc:
            verdicts.append(CandidateVerdict(stem, False, f"engine could not check it: {exc.message}"))
            continue
        if not graded.correct:
            verdicts.append(CandidateVerdict(stem, False, "the proposed answer is wrong"))
            continue
        verdicts.append(
            CandidateVerdict(stem, True, "solved and matched", solution.answer, solution.answer_kind)
        )
    return verdicts


async def _knowledge_point(session: AsyncSession, code: str) -> KnowledgePoint:
    kp = await session.get(KnowledgePoint, code)
    if kp is None:
        raise NotFoundError(f"Unknown knowledge point {code!r}.", field="knowledge_point")
    return kp


async def generate_with_llm(
    session: AsyncSession,
    principal: Principal,
    engine: LLMEngine,
    data: ExerciseGenerateRequest,
    max_count: int,
) -> ExerciseGenerateResponse:
    kp = await _knowledge_point(session, data.knowledge_point)
    count = min(data.count, max_count)
    prompt = render(
        "exercises",
        data.lang,
        kp_code=kp.code,
        kp_name=kp.name_zh if data.lang == "zh" else kp.name_en,
        difficulty=round(data.difficulty, 2),
        count=count,
    )
    params = data.params or defaults_for("exercises")
    await end_transaction_before_model_call(session)
    [result] = await engine.generate([GenerationRequest(prompt=prompt.text, params=params)])
    candidates = parse_exercises(result.text, limit=count)
    verdicts = await verify_candidates(candidates)
    prior = difficulty_for_target(data.target)
    kept: list[Item] = []
    for verdict in verdicts:
        if not verdict.kept or verdict.answer is None or verdict.answer_kind is None:
            continue
        item = Item(
            stem_latex=verdict.stem,
            answer=verdict.answer,
            answer_kind=verdict.answer_kind,
            difficulty=prior,
            difficulty_prior=prior,
            origin="model",
            verified=not principal.is_service,  # a service's items wait for a teacher's approval
            review_status="pending",
            school_id=principal.school_id,
            created_by=principal.id if principal.role in ("teacher", "admin") else None,
            knowledge_points=[kp],
        )
        session.add(item)
        kept.append(item)
    await session.flush()
    provenance = provenance_of(result, engine, prompt.template_id)
    await record_model_output(
        session,
        kind=MODEL_OUTPUT_EXERCISE,
        principal=principal,
        learner_id=None,
        provenance=provenance,
        params=params,
        output=result.text,
        verdict={
            "parsed": len(candidates),
            "kept": len(kept),
            "candidates": [{"kept": v.kept, "reason": v.reason} for v in verdicts],
        },
        refs={"knowledge_point": kp.code, "item_ids": [str(i.id) for i in kept]},
        inputs={"knowledge_point": kp.code, "difficulty": data.difficulty, "count": count, "lang": data.lang},
    )
    return ExerciseGenerateResponse(
        knowledge_point=kp.code,
        engine="llm",
        requested=count,
        items=[generated_item_out(i) for i in kept],
        rejected=len(verdicts) - len(kept),
        provenance=provenance,
        target_p_correct=data.target,
    )
