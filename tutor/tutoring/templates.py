"""``engine="template"`` for exercise generation: the math engine's parametrised templates.

The templates live in ``tutor.math.templates`` (another area) and verify every item they make; this
module runs them in the math sandbox and stores the items the same way the model path does
(``origin="template"``), so both engines answer with one shape.
"""

from __future__ import annotations

from msgspec.structs import replace
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit.ai_content import record_generated_items
from tutor.auth.principal import Principal
from tutor.db.models import Item, KnowledgePoint
from tutor.errors import NotFoundError
from tutor.learning.difficulty import difficulty_for_target, relative_to_point
from tutor.math.sandbox import run_sandboxed
from tutor.math.templates import MAX_COUNT, GeneratedItem, generate_items
from tutor.tutoring.schemas import ExerciseGenerateRequest, ExerciseGenerateResponse, generated_item_out

__all__ = ["generate_with_templates"]


async def generate_with_templates(
    session: AsyncSession, principal: Principal, data: ExerciseGenerateRequest
) -> ExerciseGenerateResponse:
    """``count`` engine-verified items nearest the target P(correct) for a typical learner, added to the
    school's bank with their difficulty on the point-relative scale (`tutor.learning.difficulty`)."""
    kp = await session.get(KnowledgePoint, data.knowledge_point)
    if kp is None:
        raise NotFoundError(f"Unknown knowledge point {data.knowledge_point!r}.", field="knowledge_point")
    # a pool across all levels, put on the point-relative scale, then the items nearest the target
    pool: list[GeneratedItem] = await run_sandboxed(
        generate_items, kp.code, min(max(3 * data.count, 12), MAX_COUNT), None, None
    )
    relative = relative_to_point([g.difficulty_prior for g in pool])
    wanted = difficulty_for_target(data.target)
    ranked = sorted(zip(relative, range(len(pool)), strict=True), key=lambda r: (abs(r[0] - wanted), r[1]))
    made = [replace(pool[i], difficulty_prior=round(b, 4)) for b, i in ranked[: data.count]]
    items = [
        Item(
            stem_latex=g.stem_latex,
            stem_text_zh=g.stem_text_zh,
            stem_text_en=g.stem_text_en,
            answer=g.answer,
            answer_kind=g.answer_kind,
            difficulty=g.difficulty_prior,
            difficulty_prior=g.difficulty_prior,
            origin="template",
            verified=not principal.is_service,  # a service's items wait for a teacher's approval
            review_status="pending",
            school_id=principal.school_id,
            created_by=principal.id if principal.role in ("teacher", "admin") else None,
            knowledge_points=[kp],
        )
        for g in made
    ]
    session.add_all(items)
    await session.flush()
    await record_generated_items(
        session,
        principal,
        engine="template",
        knowledge_point=kp.code,
        parameters={"count": data.count, "target_p_correct": data.target, "lang": data.lang},
        items=items,
    )
    return ExerciseGenerateResponse(
        knowledge_point=kp.code,
        engine="template",
        requested=data.count,
        items=[generated_item_out(i) for i in items],
        rejected=0,
        target_p_correct=data.target,
    )
